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
struct AccessMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let route = request.route else { return try await next.respond(to: request) }
        guard let access = route.routeAccess else { throw AppError.forbidden }
        let resource = try access.resource.resolve(request)
        if Policy.decide(request.actor, access.action, resource).isAllowed {
            return try await next.respond(to: request)
        }
        if !request.actor.isSignedIn, request.method == .GET {
            if let pending = request.pendingSignIn {
                return request.redirect(to: pending.stage == .mustEnrolSecondFactor ? "/sign-in/enrol" : "/sign-in/code")
            }
            var query = "next=\(request.url.path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? "/")"
            if request.sessionExpired { query += "&expired=1" }
            return request.redirect(to: "/sign-in?\(query)")
        }
        throw AppError.forbidden
    }
}
