import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import FuqizoCore
import LeafKit
import Vapor

/// An error shown to a person: an HTTP status and a catalog key for the message.
struct AppError: AbortError {
    let status: HTTPResponseStatus
    let messageKey: String

    var reason: String { messageKey }

    static let forbidden = AppError(status: .forbidden, messageKey: "error.forbidden")
    static let notFound = AppError(status: .notFound, messageKey: "error.notFound")
    static let csrf = AppError(status: .forbidden, messageKey: "error.csrf")
    static let badRequest = AppError(status: .badRequest, messageKey: "error.badRequest")
    static let server = AppError(status: .internalServerError, messageKey: "error.server")
}

// The middlewares that do no I/O are EventLoopFuture-based: an AsyncMiddleware hops off the
// event loop and back for every request, which cost more than the work they do.

/// A stored value the code cannot read (a hand-edited row, a bad migration): the request
/// fails with a server error and the log names the table, column and row, never the value.
struct StoredDataError: Error, CustomStringConvertible {
    let table: String
    let column: String
    let id: UUID?
    var description: String { "unreadable \(table).\(column) of row \(id?.uuidString ?? "?")" }
}

/// Strict headers on every response, errors included.
struct SecurityHeadersMiddleware: Middleware {
    let usesHTTPS: Bool

    static let contentSecurityPolicy = [
        "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
        "font-src 'self'", "connect-src 'self'", "form-action 'self'", "frame-ancestors 'none'",
        "base-uri 'none'",
    ].joined(separator: "; ")

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        next.respond(to: request).map { response in
            secure(response)
            return response
        }
    }

    private func secure(_ response: Response) {
        let headers: [(String, String)] = [
            ("Content-Security-Policy", Self.contentSecurityPolicy),
            ("X-Content-Type-Options", "nosniff"),
            ("X-Frame-Options", "DENY"),
            ("Referrer-Policy", "no-referrer"),
            ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"),
            ("Cross-Origin-Opener-Policy", "same-origin"),
            ("Cross-Origin-Resource-Policy", "same-origin"),
        ]
        for (name, value) in headers { response.headers.replaceOrAdd(name: name, value: value) }
        if usesHTTPS {
            response.headers.replaceOrAdd(name: "Strict-Transport-Security", value: "max-age=63072000; includeSubDomains")
        }
        // Pages can hold personal data: never keep them in shared or browser caches.
        if !response.headers.contains(name: .cacheControl) {
            response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        }
    }
}

/// Logs one line a request with the route's pattern (`/invite/:token`), never the concrete
/// path or query, which can carry secrets or search terms.
struct RequestLogMiddleware: Middleware {
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        let start = ContinuousClock.now
        let pattern = request.route.map(Self.pattern(of:)) ?? "(no route)"
        return next.respond(to: request).always { result in
            let outcome = (try? result.get()).map { String($0.status.code) } ?? "failed"
            request.logger.info("\(request.method) \(pattern) \(outcome) \(ContinuousClock.now - start)")
        }
    }

    static func pattern(of route: Route) -> String {
        "/" + route.path.map(\.description).joined(separator: "/")
    }
}

/// Turns errors into a page in the visitor's language (or JSON for the API), without
/// internals: a stack trace or SQL never reaches a browser.
struct ErrorPageMiddleware: Middleware {
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        next.respond(to: request).flatMapError { error in
            request.eventLoop.makeFutureWithTask { await Self.page(for: error, request: request) }
        }
    }

    static func page(for error: any Error, request: Request) async -> Response {
        do {
            let (status, key) = Self.classify(error)
            if let outage = StorageOutage(error) { request.logger.warning("Storage outage: \(outage)") }
            if status == .internalServerError {
                // The type and, for our own errors, the description: never request data.
                request.logger.error("Unhandled error: \(String(reflecting: type(of: error))) \(error is LeafError || error is ConfigError || error is StoredDataError ? String(describing: error) : "")")
            }
            if request.url.path.hasPrefix("/api/") {
                let body = ["error": ["status": String(status.code), "message": request.t(key)]]
                let response = Response(status: status)
                try response.content.encode(body)
                return response
            }
            do {
                return try await request.page("error", title: "error.title", ErrorPage(messageKey: key), status: status)
            } catch {
                // The error page itself failed (a broken template): plain text, still translated.
                return Response(status: status, headers: ["Content-Type": "text/plain; charset=utf-8"], body: .init(string: request.t(key)))
            }
        } catch {
            return Response(status: .internalServerError)
        }
    }

    struct ErrorPage: Encodable {
        let messageKey: String
    }

    static func classify(_ error: any Error) -> (HTTPResponseStatus, String) {
        if let outage = StorageOutage(error) { return (outage.status, outage.messageKey) }
        switch error {
        case let error as AppError:
            return (error.status, error.messageKey)
        case let error as any AbortError:
            switch error.status {
            case .notFound: return (.notFound, "error.notFound")
            case .forbidden, .unauthorized: return (.forbidden, "error.forbidden")
            case .payloadTooLarge: return (.payloadTooLarge, "error.tooLarge")
            case .tooManyRequests: return (.tooManyRequests, "error.tooMany")
            case let status where status.code < 500: return (status, "error.badRequest")
            default: return (.internalServerError, "error.server")
            }
        case is DecodingError:
            return (.badRequest, "error.badRequest")
        default:
            return (.internalServerError, "error.server")
        }
    }
}

/// A short-lived notice shown once after a redirect ("Saved."). It holds only a catalog key.
enum Flash {
    static let cookieName = "fuqizo_flash"

    static func set(_ key: String, on response: Response) {
        response.cookies[cookieName] = HTTPCookies.Value(string: key, maxAge: 60, path: "/", isHTTPOnly: true, sameSite: .strict)
    }

    static func redirect(_ request: Request, to path: String, flash key: String? = nil) -> Response {
        let response = request.redirect(to: path, redirectType: .normal)
        if let key { set(key, on: response) }
        return response
    }
}

/// Clears the notice once a page has shown it, so it appears exactly once.
struct FlashMiddleware: Middleware {
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        next.respond(to: request).map { response in
            if request.cookies[Flash.cookieName] != nil, response.cookies[Flash.cookieName] == nil,
               response.status == .ok || response.status.code >= 400 {
                response.cookies[Flash.cookieName] = HTTPCookies.Value(
                    string: "", expires: Date(timeIntervalSince1970: 0), maxAge: 0, path: "/", isHTTPOnly: true, sameSite: .strict)
            }
            return response
        }
    }
}

/// Static assets (stylesheet, emblem, icons) for paths no route claims; routed paths never
/// touch the disk. Assets may be cached for an hour and then revalidated by ETag, which
/// saves a slow connection from fetching them with every page.
struct AssetMiddleware: Middleware {
    let files: FileMiddleware

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        guard request.route == nil else { return next.respond(to: request) }
        return files.respond(to: request, chainingTo: next).map { response in
            if response.status == .ok || response.status == .notModified, response.headers.contains(name: .eTag) {
                response.headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=3600")
            }
            return response
        }
    }
}

extension Request {
    /// The address of the peer that opened this connection (a proxy, when there is one).
    var peerAddress: IPAddress? { remoteAddress?.ipAddress.flatMap(IPAddress.init) }

    /// The client's address: the peer's, or — when the peer is a trusted proxy — the one its
    /// `X-Forwarded-For` names. Used for throttling and kept only as a keyed digest.
    var clientAddress: String {
        ClientAddress.resolve(peer: peerAddress, forwardedFor: headers[.xForwardedFor], trusted: services.config.trustedProxies)?
            .description ?? "unknown"
    }

    /// A request straight from this machine, not relayed by a proxy: only such a peer may read
    /// what is kept for local operators.
    var isDirectLoopback: Bool {
        guard let peer = peerAddress, peer.isLoopback else { return false }
        let relayed = services.config.trustedProxies.contains { $0.contains(peer) }
            || headers.contains(name: .xForwardedFor) || headers.contains(name: .forwarded)
        return !relayed
    }

    /// Reads a form, turning malformed bodies into a clear 400 rather than a crash.
    func form<T: Decodable>(_ type: T.Type) throws -> T {
        do { return try content.decode(T.self) } catch { throw AppError.badRequest }
    }

    /// A path inside this site to return to after signing in; anything else becomes "/".
    /// Decided on the parsed URL, not on its first characters: browsers drop tabs and line
    /// breaks and read a backslash as a slash, so `/\t/evil.example` would be followed as
    /// `//evil.example`. Any control character, backslash, scheme or host is refused.
    static func safeLocalPath(_ path: String?) -> String {
        guard let path, path.count < 512, path.hasPrefix("/"),
              !path.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value == 0x7F || $0 == "\\" }),
              let components = URLComponents(string: path), components.scheme == nil, components.host == nil,
              components.percentEncodedPath.hasPrefix("/"), !components.percentEncodedPath.hasPrefix("//")
        else { return "/" }
        return path
    }
}

/// Refuses a query string or a form body that is not clean text (`FormInput`): invalid
/// UTF-8, NUL and other control characters end here with a 400, before any handler or
/// database sees them. Runs after the CSRF check, which has collected the body.
struct FormInputMiddleware: Middleware {
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        if let query = request.url.query, !FormInput.isClean(urlEncoded: Array(query.utf8)) {
            return request.eventLoop.makeFailedFuture(AppError.badRequest)
        }
        if request.headers.contentType == .urlEncodedForm, let body = request.body.data,
           !FormInput.isClean(urlEncoded: body.readableBytesView) {
            return request.eventLoop.makeFailedFuture(AppError.badRequest)
        }
        return next.respond(to: request)
    }
}

/// A write the disk could not take, or a database that does not answer. The request's
/// transaction rolled back, so nothing half-written stays; the visitor is told to try again
/// later instead of seeing a generic error, and a proxy or monitor sees 507 or 503. The server
/// itself goes on and recovers by itself when space or the database returns.
enum StorageOutage {
    case diskFull
    case databaseUnavailable

    init?(_ error: any Error) {
        switch error {
        case let error as SQLiteError where error.reason == .full:
            self = .diskFull
        case let error as SQLiteError where error.reason == .ioError || error.reason == .cantOpen || error.reason == .readOnly:
            self = .databaseUnavailable
        case let error as PSQLError where error.code == .server:
            let state = error.serverInfo?[.sqlState] ?? ""
            // 53100 disk_full; 57P0x the server shutting down or starting; 08xxx connection; 53300 too many connections.
            if state == "53100" { self = .diskFull; return }
            guard state.hasPrefix("57P") || state.hasPrefix("08") || state == "53300" else { return nil }
            self = .databaseUnavailable
        case let error as PSQLError:
            let lost: [PSQLError.Code] = [.connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed]
            guard lost.contains(error.code) else { return nil }
            self = .databaseUnavailable
        case is ConnectionPoolTimeoutError, is ConnectionPoolError, is NIOConnectionError, is ChannelError:
            self = .databaseUnavailable
        default:
            return nil
        }
    }

    var status: HTTPResponseStatus { self == .diskFull ? .insufficientStorage : .serviceUnavailable }
    var messageKey: String { self == .diskFull ? "error.diskFull" : "error.databaseUnavailable" }
}
