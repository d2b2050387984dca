import Foundation
import FuqizoCore
import Vapor

/// How a route names the record its action is about. The policy decides on it in two steps:
/// the route's gate (`Policy` with `.none`, or with an id read from the path) before anything
/// is loaded or the CSRF token is read, then the loaded record once the request is known to be
/// genuine. A handler takes the record the policy decided on from `req.record(_:)`, so what
/// was allowed and what is used are the same value.
struct ResourceSource: Sendable {
    fileprivate enum Stage: Sendable {
        case none
        /// Named by an id in the path: decided at the gate, nothing loaded.
        case path(@Sendable (Request) throws -> Resource)
        /// Loaded from the database, with the answer to give if the policy refuses it.
        case record(@Sendable (Request) async throws -> (Resource, refusal: AppError))
    }

    fileprivate let stage: Stage

    static let none = ResourceSource(stage: .none)

    static func organisation(parameter: String) -> ResourceSource {
        ResourceSource(stage: .path { request in
            guard let id = request.parameters.get(parameter, as: UUID.self) else { throw AppError.notFound }
            return .organisation(id)
        })
    }

    /// A record the route loads from its path. `load` finds it (throwing "not found" when it
    /// does not exist) and returns it with what the policy needs to know about it; the handler
    /// reads the same value with `req.record(Record.self)`. A refusal is "forbidden", or "not
    /// found" where `conceals` says the person is not even to learn that the record exists.
    static func record<Record: Sendable>(
        _ type: Record.Type,
        conceals: @escaping @Sendable (Request, Record) -> Bool = { _, _ in false },
        load: @escaping @Sendable (Request) async throws -> (Record, Resource)
    ) -> ResourceSource {
        ResourceSource(stage: .record { request in
            let (record, resource) = try await load(request)
            request.storage[LoadedRecordKey<Record>.self] = record
            return (resource, conceals(request, record) ? AppError.notFound : AppError.forbidden)
        })
    }

    /// Whether the route names a record (for the tests that check every record route does).
    var namesRecord: Bool {
        if case .none = stage { return false }
        return true
    }
}

private struct LoadedRecordKey<Record: Sendable>: StorageKey {
    typealias Value = Record
}

/// The classification every route must carry: the action it performs and on what.
struct RouteAccess: Sendable {
    static let userInfoKey = "fuqizo.access"

    let action: Action
    let resource: ResourceSource
}

extension Route {
    /// Classifies the route for the access policy. A route without this is refused to everyone.
    @discardableResult
    func access(_ action: Action, _ resource: ResourceSource = .none) -> Route {
        userInfo[AnySendableHashable(stringLiteral: RouteAccess.userInfoKey)] = RouteAccess(action: action, resource: resource)
        return self
    }

    var routeAccess: RouteAccess? {
        userInfo[AnySendableHashable(stringLiteral: RouteAccess.userInfoKey)] as? RouteAccess
    }
}

/// The route's gate, for every routed request. Deny by default: an unclassified route is
/// refused, whoever asks. Runs before the CSRF check, so a refused request learns nothing.
struct AccessMiddleware: Middleware {
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        guard let route = request.route else { return next.respond(to: request) }
        guard let access = route.routeAccess else { return request.eventLoop.makeFailedFuture(AppError.forbidden) }
        let gate: Resource
        switch access.resource.stage {
        case .none, .record: gate = .none
        case .path(let resolve):
            do { gate = try resolve(request) } catch { return request.eventLoop.makeFailedFuture(error) }
        }
        if Policy.decide(request.actor, access.action, gate).isAllowed {
            return next.respond(to: request)
        }
        if !request.actor.isSignedIn, request.method == .GET {
            if let pending = request.pendingSignIn {
                return request.eventLoop.makeSucceededFuture(
                    request.redirect(to: pending.stage == .mustEnrolSecondFactor ? .signInEnrol : .signInCode))
            }
            var query = "next=\(request.url.path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? "/")"
            if request.sessionExpired { query += "&expired=1" }
            return request.eventLoop.makeSucceededFuture(request.redirect(to: "\(SiteURL.signIn.path)?\(query)"))
        }
        return request.eventLoop.makeFailedFuture(AppError.forbidden)
    }
}

/// The record's turn, after the gate, the CSRF check and the input check: loads the record the
/// route names and asks the policy about it.
struct RecordAccessMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let access = request.route?.routeAccess, case .record(let load) = access.resource.stage else {
            return try await next.respond(to: request)
        }
        let (resource, refusal) = try await load(request)
        guard Policy.decide(request.actor, access.action, resource).isAllowed else { throw refusal }
        return try await next.respond(to: request)
    }
}

extension Request {
    /// The record the route named and the policy allowed (see `ResourceSource.record`).
    func record<Record: Sendable>(_ type: Record.Type) throws -> Record {
        guard let record = storage[LoadedRecordKey<Record>.self] else {
            // A handler asking for a record its route does not name: a programming error, and
            // refused rather than answered from nothing.
            throw AppError.forbidden
        }
        return record
    }

    /// Asks the policy about a record the path does not name (one chosen in a form, or the
    /// person's own organisation); refused requests end here.
    func authorize(_ action: Action, _ resource: Resource) throws {
        guard Policy.decide(actor, action, resource).isAllowed else { throw AppError.forbidden }
    }
}
