import Crypto
import Fluent
import Foundation
import FuqizoCore
import Vapor

/// The signed-in person behind a request, with the roles the policy decides on.
struct SignedIn: Sendable {
    let user: User
    let session: UserSession
    let actor: Actor
}

/// A session whose sign-in is not finished: the second factor is still to come.
struct PendingSignIn: Sendable {
    let user: User
    let session: UserSession
    var stage: UserSession.Stage { UserSession.Stage(rawValue: session.stage) ?? .awaitingSecondFactor }
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

    /// Attaches the session to the request; false when the token is unknown or expired.
    private func load(token: String, into request: Request) async throws -> Bool {
        guard let session = try await UserSession.query(on: request.db)
            .filter(\.$tokenDigest == SecretToken.digest(token))
            .with(\.$user)
            .first()
        else { return false }
        let now = request.now
        let config = request.services.config
        let idle = now.timeIntervalSince(session.lastSeenAt) > config.sessionIdleTimeout
        let tooOld = now.timeIntervalSince(session.createdAt) > config.sessionAbsoluteLimit
        guard !idle, !tooOld, session.user.isActive else {
            try await session.delete(on: request.db)
            request.sessionExpired = idle || tooOld
            return false
        }
        if now.timeIntervalSince(session.lastSeenAt) > Self.touchInterval {
            session.lastSeenAt = now
            try await session.save(on: request.db)
        }
        request.sessionToken = token
        if session.stage == UserSession.Stage.active.rawValue {
            let grants = try await RoleAssignment.query(on: request.db)
                .filter(\.$user.$id == session.user.requireID())
                .all()
                .compactMap(\.grant)
            let actor = Actor(userID: try session.user.requireID(), grants: Set(grants))
            if actor.requiresTwoFactor, !session.user.hasTwoFactor {
                // A role that needs a second factor was given during this session: nothing
                // more until the person has set one up.
                session.stage = UserSession.Stage.mustEnrolSecondFactor.rawValue
                try await session.save(on: request.db)
                request.pendingSignIn = PendingSignIn(user: session.user, session: session)
                return true
            }
            request.signedIn = SignedIn(user: session.user, session: session, actor: actor)
        } else {
            request.pendingSignIn = PendingSignIn(user: session.user, session: session)
        }
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
                ? request.body.collect(max: Self.maxFormBytes).map { _ in }
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
