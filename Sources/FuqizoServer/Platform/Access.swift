import Foundation
import FuqizoCore
import Vapor

/// How a route names the record its action is about.
enum ResourceSource: Sendable {
    case none
    case organisation(parameter: String)

    func resolve(_ request: Request) throws -> Resource {
        switch self {
        case .none:
            return .none
        case .organisation(let parameter):
            guard let id = request.parameters.get(parameter, as: UUID.self) else { throw AppError.notFound }
            return .organisation(id)
        }
    }
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

/// Asks the policy about every routed request. Deny by default: an unclassified route is
/// refused, whoever asks.
struct AccessMiddleware: Middleware {
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        guard let route = request.route else { return next.respond(to: request) }
        guard let access = route.routeAccess else { return request.eventLoop.makeFailedFuture(AppError.forbidden) }
        let resource: Resource
        do { resource = try access.resource.resolve(request) } catch { return request.eventLoop.makeFailedFuture(error) }
        if Policy.decide(request.actor, access.action, resource).isAllowed {
            return next.respond(to: request)
        }
        if !request.actor.isSignedIn, request.method == .GET {
            if let pending = request.pendingSignIn {
                return request.eventLoop.makeSucceededFuture(
                    request.redirect(to: pending.stage == .mustEnrolSecondFactor ? "/sign-in/enrol" : "/sign-in/code"))
            }
            var query = "next=\(request.url.path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? "/")"
            if request.sessionExpired { query += "&expired=1" }
            return request.eventLoop.makeSucceededFuture(request.redirect(to: "/sign-in?\(query)"))
        }
        return request.eventLoop.makeFailedFuture(AppError.forbidden)
    }
}

extension Request {
    /// Asks the policy about a record the route could not name (one found by its own id);
    /// refused requests end here.
    func authorize(_ action: Action, _ resource: Resource) throws {
        guard Policy.decide(actor, action, resource).isAllowed else { throw AppError.forbidden }
    }
}
