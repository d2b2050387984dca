import Foundation
import FuqizoCore
import Vapor

/// "Forgot your password?" on the sign-in page.
struct PasswordResetController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("sign-in", "forgot", use: page).access(.viewPublic)
        routes.post("sign-in", "forgot", use: request).access(.viewPublic)
    }

    struct ForgotForm: Content {
        var email: String = ""

        init(from decoder: any Decoder) throws {
            email = try decoder.container(keyedBy: CodingKeys.self).text(.email)
        }
    }

    struct ForgotPage: Encodable {
        let fields: [FieldContext]
        let noticeKey: String?
        let errorKey: String?
    }

    private func render(_ req: Request, email: String = "", notice: String? = nil, error: String? = nil,
                        status: HTTPResponseStatus = .ok) async throws -> Response {
        let fields = [FieldContext("email", label: "field.email", kind: "email", value: email, required: true, autocomplete: "username")]
        return try await req.page("identity/forgot", title: "forgot.title", ForgotPage(fields: fields, noticeKey: notice, errorKey: error), status: status)
    }

    func page(req: Request) async throws -> Response {
        if req.signedIn != nil { return req.redirect(to: .account) }
        return try await render(req)
    }

    /// The same page and words whatever was typed; too many requests from one address wait.
    func request(req: Request) async throws -> Response {
        let form = try req.form(ForgotForm.self)
        let identity = SignInController.identity(req)
        let service = PasswordResetService(database: req.db, services: req.services)
        switch try await service.request(email: form.email, addressDigest: identity.addressKey(req.clientAddress)) {
        case .answered: return try await render(req, notice: "forgot.sent")
        case .throttled: return try await render(req, email: form.email, error: "forgot.throttled", status: .tooManyRequests)
        }
    }
}
