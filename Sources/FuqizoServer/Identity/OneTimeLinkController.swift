import Foundation
import FuqizoCore
import Vapor

/// The pages a one-time link opens: the first administrator's setup, an invitation, a password
/// reset. Each sets a password (and for the setup, who the administrator is) and then signs in.
struct OneTimeLinkController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("setup", ":token", use: setupPage).access(.viewPublic)
        routes.post("setup", ":token", use: completeSetup).access(.viewPublic)
        routes.get("invite", ":token") { try await passwordLinkPage(req: $0, purpose: .invitation) }.access(.viewPublic)
        routes.post("invite", ":token") { try await setPassword(req: $0, purpose: .invitation) }.access(.viewPublic)
        routes.get("reset", ":token") { try await passwordLinkPage(req: $0, purpose: .passwordReset) }.access(.viewPublic)
        routes.post("reset", ":token") { try await setPassword(req: $0, purpose: .passwordReset) }.access(.viewPublic)
    }

    struct NewAccountPage: Encodable {
        let fields: [FieldContext]
        let action: String
        let introKey: String
    }

    private func renderNewAccount(_ req: Request, title: String, intro: String, action: String, askIdentity: Bool,
                                  form: IdentityService.NewAccountForm = .init(), errors: FieldErrors = .init(),
                                  status: HTTPResponseStatus = .ok) async throws -> Response {
        var fields: [FieldContext] = []
        if askIdentity {
            fields.append(FieldContext("email", label: "field.email", kind: "email", value: form.email, errors: errors, required: true, autocomplete: "username"))
            fields.append(FieldContext("displayName", label: "field.displayName", value: form.displayName, errors: errors, required: true, autocomplete: "name"))
        }
        fields.append(FieldContext("password", label: "field.newPassword", kind: "password", errors: errors, required: true, hint: "password.hint", autocomplete: "new-password"))
        fields.append(FieldContext("passwordConfirmation", label: "field.passwordConfirmation", kind: "password", errors: errors, required: true, autocomplete: "new-password"))
        return try await req.page("identity/new-account", title: title, NewAccountPage(fields: fields, action: action, introKey: intro), status: status)
    }

    func setupPage(req: Request) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        guard try await SignInController.identity(req).usableLink(token, purpose: .setup) != nil,
              try await !SignInController.identity(req).administratorExists()
        else { throw AppError(status: .notFound, messageKey: "setup.error.linkInvalid") }
        return try await renderNewAccount(req, title: "setup.title", intro: "setup.intro", action: SiteURL.setup(token: token).path, askIdentity: true)
    }

    func completeSetup(req: Request) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        let form = try req.form(IdentityService.NewAccountForm.self)
        switch try await SignInController.identity(req).completeSetup(token: token, form: form) {
        case .failure(let errors):
            return try await renderNewAccount(req, title: "setup.title", intro: "setup.intro", action: SiteURL.setup(token: token).path,
                                              askIdentity: true, form: form, errors: errors, status: .badRequest)
        case .success:
            return Flash.redirect(req, to: .signIn, flash: "setup.done")
        }
    }

    /// Invitation and reset links lead to the same form, with their own words.
    private static func linkTexts(_ purpose: OneTimeLink.Purpose) -> (title: String, intro: String, done: String, path: String) {
        purpose == .invitation
            ? ("invite.title", "invite.intro", "invite.done", "invite")
            : ("reset.title", "reset.intro", "reset.done", "reset")
    }

    func passwordLinkPage(req: Request, purpose: OneTimeLink.Purpose) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        guard try await SignInController.identity(req).usableLink(token, purpose: purpose) != nil else {
            throw AppError(status: .notFound, messageKey: "invite.error.linkInvalid")
        }
        let texts = Self.linkTexts(purpose)
        return try await renderNewAccount(req, title: texts.title, intro: texts.intro, action: "/\(texts.path)/\(token)", askIdentity: false)
    }

    func setPassword(req: Request, purpose: OneTimeLink.Purpose) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        let form = try req.form(IdentityService.NewAccountForm.self)
        let texts = Self.linkTexts(purpose)
        let service = UserAdminService(database: req.db, services: req.services, passwords: req.application.passwordHasher)
        switch try await service.setPassword(token: token, purpose: purpose, form: form) {
        case .failure(let errors):
            return try await renderNewAccount(req, title: texts.title, intro: texts.intro, action: "/\(texts.path)/\(token)",
                                              askIdentity: false, form: form, errors: errors, status: .badRequest)
        case .success:
            return Flash.redirect(req, to: .signIn, flash: texts.done)
        }
    }
}
