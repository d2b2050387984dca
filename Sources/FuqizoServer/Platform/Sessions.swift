import Crypto
import Fluent
import Foundation
import FuqizoCore
import SQLKit
import Vapor

/// A live session as the middleware reads it on every request: ids and flags only. The full
/// rows are loaded by the few pages that need them.
struct SessionRecord: Sendable {
    let sessionID: UUID
    let userID: UUID
    let stage: UserSession.Stage
    let hasTwoFactor: Bool

    func user(on database: any Database) async throws -> User {
        guard let user = try await User.find(userID, on: database) else { throw AppError.forbidden }
        return user
    }

    func session(on database: any Database) async throws -> UserSession {
        guard let session = try await UserSession.find(sessionID, on: database) else { throw AppError.forbidden }
        return session
    }

    func end(on database: any Database) async throws {
        try await UserSession.query(on: database).filter(\.$id == sessionID).delete()
    }
}

/// The signed-in person behind a request, with the roles the policy decides on.
struct SignedIn: Sendable {
    let record: SessionRecord
    let actor: Actor

    var userID: UUID { record.userID }
    func user(on database: any Database) async throws -> User { try await record.user(on: database) }
}

/// A session whose sign-in is not finished: the second factor is still to come.
struct PendingSignIn: Sendable {
    let record: SessionRecord

    var stage: UserSession.Stage { record.stage }
    func user(on database: any Database) async throws -> User { try await record.user(on: database) }
}

extension Request {
    private struct SignedInKey: StorageKey { typealias Value = SignedIn }
    private struct PendingKey: StorageKey { typealias Value = PendingSignIn }
    private struct SessionTokenKey: StorageKey { typealias Value = String }
    private struct SessionEndedKey: StorageKey { typealias Value = Bool }

    var signedIn: SignedIn? {
        get { storage[SignedInKey.self] }
        set { storage[SignedInKey.self] = newValue }
    }

    var pendingSignIn: PendingSignIn? {
        get { storage[PendingKey.self] }
        set { storage[PendingKey.self] = newValue }
    }

    /// The raw cookie value of a live session (signed in or pending).
    var sessionToken: String? {
        get { storage[SessionTokenKey.self] }
        set { storage[SessionTokenKey.self] = newValue }
    }

    /// True when this request arrived with a session that had just timed out.
    var sessionExpired: Bool {
        get { storage[SessionEndedKey.self] ?? false }
        set { storage[SessionEndedKey.self] = newValue }
    }

    var actor: Actor { signedIn?.actor ?? .anonymous }

    func requireSignedIn() throws -> SignedIn {
        guard let signedIn else { throw AppError.forbidden }
        return signedIn
    }
}

/// Server-side sessions: the cookie carries a random token, the database its digest, its
/// stage and when it was last used. A session ends after the idle timeout, after the
/// absolute limit, when its user is deactivated, and at sign-out.
struct SessionMiddleware: AsyncMiddleware {
    static let cookieName = "fuqizo_session"
    /// Writing last-seen on every request would turn each page view into a write.
    static let touchInterval: TimeInterval = 60

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        var clearCookie = false
        if let token = request.cookies[Self.cookieName]?.string, !token.isEmpty {
            clearCookie = try await load(token: token, into: request) == false
        }
        let response = try await next.respond(to: request)
        if clearCookie, response.cookies[Self.cookieName] == nil {
            Self.expireCookie(on: response, request: request)
        }
        return response
    }

    // These two rows name their columns instead of using SQLKit's snake-case conversion: they
    // are read on every request, where the conversion's cost shows (docs/performance.md).
    private struct SessionRow: Decodable {
        let id: UUID
        let userID: UUID
        /// An unknown stored stage fails the request; it never falls back to another stage.
        let stage: UserSession.Stage
        let createdAt: Date
        let lastSeenAt: Date
        let isActive: Bool
        let hasTotp: Bool

        enum CodingKeys: String, CodingKey {
            case id, stage, userID = "user_id", createdAt = "created_at", lastSeenAt = "last_seen_at"
            case isActive = "is_active", hasTotp = "has_totp"
        }
    }

    private struct GrantRow: Decodable {
        let role: String
        let organisationID: UUID?

        enum CodingKeys: String, CodingKey {
            case role, organisationID = "organisation_id"
        }
    }

    /// Attaches the session to the request; false when the token is unknown or expired.
    /// Plain SQL: this runs on every request, and model decoding cost more than the queries.
    private func load(token: String, into request: Request) async throws -> Bool {
        guard let sql = request.db as? any SQLDatabase else { throw Abort(.internalServerError) }
        let sessions = "user_sessions", users = "users"
        guard let row = try await sql.select()
            .column(SQLColumn("id", table: sessions))
            .column(SQLColumn("user_id", table: sessions))
            .column(SQLColumn("stage", table: sessions))
            .column(SQLColumn("created_at", table: sessions))
            .column(SQLColumn("last_seen_at", table: sessions))
            .column(SQLColumn("is_active", table: users))
            .column(SQLBinaryExpression(SQLColumn("totp_secret", table: users), .isNot, SQLLiteral.null), as: "has_totp")
            .from(sessions)
            .join(users, on: SQLColumn("id", table: users), .equal, SQLColumn("user_id", table: sessions))
            .where(SQLColumn("token_digest", table: sessions), .equal, SQLBind(SecretToken.digest(token)))
            .first(decoding: SessionRow.self)
        else { return false }
        let now = request.now
        let config = request.services.config
        let idle = now.timeIntervalSince(row.lastSeenAt) > config.sessionIdleTimeout
        let tooOld = now.timeIntervalSince(row.createdAt) > config.sessionAbsoluteLimit
        guard !idle, !tooOld, row.isActive else {
            try await sql.delete(from: sessions).where("id", .equal, SQLBind(row.id)).run()
            request.sessionExpired = idle || tooOld
            return false
        }
        if now.timeIntervalSince(row.lastSeenAt) > Self.touchInterval {
            try await sql.update(sessions).set("last_seen_at", to: SQLBind(now)).where("id", .equal, SQLBind(row.id)).run()
        }
        request.sessionToken = token
        var stage = row.stage
        if stage == .active {
            let grants = try await sql.select().columns("role", "organisation_id").from("role_assignments")
                .where("user_id", .equal, SQLBind(row.userID))
                .all(decoding: GrantRow.self)
                .compactMap { grant in Role(rawValue: grant.role).map { RoleGrant(role: $0, organisationID: grant.organisationID) } }
            let actor = Actor(userID: row.userID, grants: Set(grants))
            if actor.requiresTwoFactor, !row.hasTotp {
                // A role that needs a second factor was given during this session: nothing
                // more until the person has set one up.
                stage = .mustEnrolSecondFactor
                try await sql.update(sessions).set("stage", to: SQLBind(stage.rawValue)).where("id", .equal, SQLBind(row.id)).run()
            } else {
                request.signedIn = SignedIn(record: SessionRecord(sessionID: row.id, userID: row.userID, stage: stage, hasTwoFactor: row.hasTotp),
                                            actor: actor)
                return true
            }
        }
        request.pendingSignIn = PendingSignIn(record: SessionRecord(sessionID: row.id, userID: row.userID, stage: stage, hasTwoFactor: row.hasTotp))
        return true
    }

    static func setCookie(_ token: String, on response: Response, request: Request) {
        response.cookies[cookieName] = HTTPCookies.Value(
            string: token, path: "/", isSecure: request.services.config.usesHTTPS, isHTTPOnly: true, sameSite: .strict)
    }

    static func expireCookie(on response: Response, request: Request) {
        response.cookies[cookieName] = HTTPCookies.Value(
            string: "", expires: Date(timeIntervalSince1970: 0), maxAge: 0, path: "/",
            isSecure: request.services.config.usesHTTPS, isHTTPOnly: true, sameSite: .strict)
    }
}

/// CSRF protection for every state-changing request. The token is an HMAC of the session
/// token (or, before sign-in, of a random visitor cookie) under a key derived from the master
/// key: nothing to store, valid on every instance, and useless in another browser.
struct CSRFMiddleware: Middleware {
    static let visitorCookie = "fuqizo_visitor"
    static let fieldName = "_csrf"
    static let maxFormBytes = 1 << 20

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        var newVisitor: String?
        if request.sessionToken == nil, request.cookies[Self.visitorCookie]?.string == nil {
            newVisitor = SecretToken.generate()
            request.csrfBinding = newVisitor
        }
        let checked: EventLoopFuture<Void>
        if [.GET, .HEAD, .OPTIONS].contains(request.method) {
            checked = request.eventLoop.makeSucceededVoidFuture()
        } else if request.headers.first(name: "Sec-Fetch-Site") == "cross-site" {
            checked = request.eventLoop.makeFailedFuture(AppError.csrf)
        } else {
            let body = request.body.data == nil
                ? request.body.collect(max: request.route?.uploadLimit ?? Self.maxFormBytes).map { _ in }
                : request.eventLoop.makeSucceededVoidFuture()
            checked = body.flatMapThrowing {
                let provided = (try? request.content.get(String.self, at: Self.fieldName))
                    ?? request.headers.first(name: "X-CSRF-Token") ?? ""
                guard constantTimeEquals(provided, request.csrfToken) else { throw AppError.csrf }
            }
        }
        return checked.flatMap { next.respond(to: request) }.map { response in
            if let newVisitor, response.headers.contentType?.type == "text" {
                response.cookies[Self.visitorCookie] = HTTPCookies.Value(
                    string: newVisitor, path: "/", isSecure: request.services.config.usesHTTPS,
                    isHTTPOnly: true, sameSite: .strict)
            }
            return response
        }
    }
}

extension Request {
    private struct BindingKey: StorageKey { typealias Value = String }

    /// What this browser's CSRF token is derived from.
    var csrfBinding: String? {
        get { storage[BindingKey.self] ?? sessionToken ?? cookies[CSRFMiddleware.visitorCookie]?.string }
        set { storage[BindingKey.self] = newValue }
    }

    var csrfToken: String {
        guard let binding = csrfBinding else { return "" }
        return HMAC<SHA256>.authenticationCode(for: Data(binding.utf8), using: services.csrfKey.key).hexString
    }
}
