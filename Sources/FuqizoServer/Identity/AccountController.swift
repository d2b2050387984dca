import Fluent
import Foundation
import FuqizoCore
import Vapor

/// A signed-in person's own account: roles, two-factor sign-in, recovery codes.
struct AccountController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("account", use: show).access(.useOwnAccount)
        routes.get("account", "two-factor", use: enrolPage).access(.useOwnAccount)
        routes.post("account", "two-factor", use: confirmEnrolment).access(.useOwnAccount)
        routes.post("account", "recovery-codes", use: renewRecoveryCodes).access(.useOwnAccount)
        routes.get("account", "password", use: passwordPage).access(.useOwnAccount)
        routes.post("account", "password", use: changePassword).access(.useOwnAccount)
        routes.post("account", "notices", use: saveNotices).access(.useOwnAccount)
    }

    struct AccountPage: Encodable {
        let email: String
        let roles: [RoleLine]
        let hasTwoFactor: Bool
        let twoFactorRequired: Bool
        let recoveryCodesLeft: Int
        /// How mail about new work reaches this person.
        let notices: [FieldContext]
    }

    struct RoleLine: Encodable {
        let roleKey: String
        let organisation: String?
    }

    func show(req: Request) async throws -> View {
        let signedIn = try req.requireSignedIn()
        let orgIDs = signedIn.actor.organisationIDs
        let names = try await OrganisationService(database: req.db, services: req.services).named(orgIDs)
        let roles = signedIn.actor.grants.sorted { $0.role < $1.role }.map { grant in
            RoleLine(roleKey: grant.role.catalogKey,
                     organisation: grant.organisationID.flatMap { id in names.first { $0.id == id }?.nameSq })
        }
        let user = try await signedIn.user(on: req.db)
        let left = try await SignInController.identity(req).unusedRecoveryCodeCount(user: user)
        let preference = try await NoticeSetting.find(user.requireID(), on: req.db)?.choice ?? .default
        let notices = FieldContext("preference", label: "notices.title", kind: "radios",
                                   options: NoticePreference.allCases.map { .init(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0 == preference) },
                                   hint: "notices.hint")
        return try await req.page("identity/account", title: "account.title", AccountPage(
            email: user.email, roles: roles, hasTwoFactor: user.hasTwoFactor,
            twoFactorRequired: signedIn.actor.requiresTwoFactor, recoveryCodesLeft: left, notices: [notices]))
    }

    struct NoticesForm: Content {
        var preference: String?
    }

    /// Each mail, a daily digest, or none: the person's own choice, kept per account.
    func saveNotices(req: Request) async throws -> Response {
        let signedIn = try req.requireSignedIn()
        guard let choice = try req.form(NoticesForm.self).preference.flatMap(NoticePreference.init(rawValue:)) else { throw AppError.badRequest }
        let id = signedIn.userID
        if let setting = try await NoticeSetting.find(id, on: req.db) {
            setting.preference = choice.rawValue
            try await setting.save(on: req.db)
        } else {
            try await NoticeSetting(userID: id, preference: choice).create(on: req.db)
        }
        return Flash.redirect(req, to: .account, flash: "notices.saved")
    }

    func enrolPage(req: Request) async throws -> Response {
        let signedIn = try req.requireSignedIn()
        if signedIn.record.hasTwoFactor { return req.redirect(to: .account) }
        return try await SignInController.renderEnrolment(req, user: try await signedIn.user(on: req.db), action: SiteURL.accountTwoFactor.path)
    }

    func confirmEnrolment(req: Request) async throws -> Response {
        let signedIn = try req.requireSignedIn()
        if signedIn.record.hasTwoFactor { return req.redirect(to: .account) }
        let form = try req.form(SignInController.CodeForm.self)
        let user = try await signedIn.user(on: req.db)
        guard let codes = try await SignInController.identity(req).confirmEnrolment(user: user, code: form.code) else {
            return try await SignInController.renderEnrolment(req, user: user, action: SiteURL.accountTwoFactor.path,
                                                              error: "enrol.code.error", status: .badRequest)
        }
        return try await req.page("identity/recovery-codes", title: "recovery.title",
                                  SignInController.RecoveryCodesPage(codes: codes, continueTo: SiteURL.account.path), status: .ok)
    }

    private func renderPassword(_ req: Request, errors: FieldErrors = .init(), status: HTTPResponseStatus = .ok) async throws -> Response {
        let fields = [
            FieldContext("currentPassword", label: "field.currentPassword", kind: "password", errors: errors, required: true, autocomplete: "current-password"),
            FieldContext("password", label: "field.newPassword", kind: "password", errors: errors, required: true, hint: "password.hint", autocomplete: "new-password"),
            FieldContext("passwordConfirmation", label: "field.passwordConfirmation", kind: "password", errors: errors, required: true, autocomplete: "new-password"),
        ]
        return try await req.page("identity/new-account", title: "password.change.title",
                                  OneTimeLinkController.NewAccountPage(fields: fields, action: SiteURL.accountPassword.path, introKey: "password.change.intro"),
                                  status: status)
    }

    func passwordPage(req: Request) async throws -> Response {
        try await renderPassword(req)
    }

    func changePassword(req: Request) async throws -> Response {
        let signedIn = try req.requireSignedIn()
        let form = try req.form(IdentityService.PasswordChangeForm.self)
        switch try await SignInController.identity(req).changePassword(user: try await signedIn.user(on: req.db),
                                                                      keeping: signedIn.record.sessionID, form: form) {
        case .failure(let errors): return try await renderPassword(req, errors: errors, status: .badRequest)
        case .success: return Flash.redirect(req, to: .account, flash: "password.change.done")
        }
    }

    func renewRecoveryCodes(req: Request) async throws -> Response {
        let signedIn = try req.requireSignedIn()
        guard signedIn.record.hasTwoFactor else { return req.redirect(to: .account) }
        let codes = try await SignInController.identity(req).regenerateRecoveryCodes(user: try await signedIn.user(on: req.db))
        return try await req.page("identity/recovery-codes", title: "recovery.title",
                                  SignInController.RecoveryCodesPage(codes: codes, continueTo: SiteURL.account.path), status: .ok)
    }
}
