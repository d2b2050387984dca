import Fluent
import Foundation
import FuqizoCore
import Vapor

/// The administrator's user management: list, invite, roles and memberships, deactivation.
struct UsersController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let users = routes.grouped("admin", "users")
        users.get(use: list).access(.manageUsers)
        users.get("new", use: newForm).access(.manageUsers)
        users.post(use: invite).access(.manageUsers)
        users.get(":userID", use: show).access(.manageUsers)
        users.post(":userID", "roles", use: updateRoles).access(.manageUsers)
        users.post(":userID", "deactivate", use: deactivate).access(.manageUsers)
        users.post(":userID", "reactivate", use: reactivate).access(.manageUsers)
        users.post(":userID", "unlock", use: unlock).access(.manageUsers)
        users.post(":userID", "password-link", use: sendPasswordLink).access(.manageUsers)
        users.post(":userID", "reset-two-factor", use: resetTwoFactor).access(.manageUsers)
    }

    private func service(_ req: Request) -> UserAdminService {
        UserAdminService(database: req.db, services: req.services, passwords: req.application.passwordHasher)
    }

    struct UserRow: Encodable {
        let id: String
        let email: String
        let displayName: String
        let roleKeys: [String]
        let statusKey: String
        let twoFactor: Bool
    }

    struct ListPage: Encodable {
        let users: [UserRow]
        let query: String
        let fields: [FieldContext]
        let pages: PageLinks
    }

    struct ListQuery: Content {
        var q: String?
        var role: String?
        var page: Int?
    }

    static func statusKey(_ user: User, now: Date) -> String {
        if !user.isActive { return "user.status.inactive" }
        if user.passwordHash == nil { return "user.status.invited" }
        if let locked = user.lockedUntil, locked > now { return "user.status.locked" }
        return "user.status.active"
    }

    func list(req: Request) async throws -> View {
        let query = (try? req.query.decode(ListQuery.self)) ?? ListQuery()
        let role = query.role.flatMap(Role.init(rawValue:))
        let found = try await service(req).users(.init(query: query.q, role: role, page: query.page))
        let rows = try found.users.map { user in
            UserRow(id: try user.requireID().uuidString, email: user.email, displayName: user.displayName,
                    roleKeys: Set(user.roles.compactMap { Role(rawValue: $0.role) }).sorted().map(\.catalogKey),
                    statusKey: Self.statusKey(user, now: req.now), twoFactor: user.hasTwoFactor)
        }
        let roles = FieldContext("role", label: "users.role", kind: "select", value: role?.rawValue ?? "",
                                 options: Role.allCases.map { .init(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0 == role) })
        let pages = PageLinks(found.pager) { SiteURL.users.with([("q", query.q), ("role", role?.rawValue), ("page", String($0))]) }
        return try await req.page("identity/users", title: "users.title", ListPage(users: rows, query: query.q ?? "", fields: [roles], pages: pages))
    }

    struct InvitePage: Encodable {
        let fields: [FieldContext]
    }

    static func roleOptions(_ req: Request, selected: Set<String>, scoped: Bool) -> [FieldContext.Option] {
        Role.allCases.filter { $0.isOrganisationScoped == scoped }.map {
            FieldContext.Option(value: $0.rawValue, label: req.t($0.catalogKey), selected: selected.contains($0.rawValue))
        }
    }

    private func renderInvite(_ req: Request, form: UserAdminService.InvitationForm = .init(), errors: FieldErrors = .init(),
                              search: OrganisationPicker.Search = .init(), status: HTTPResponseStatus = .ok) async throws -> Response {
        let languages = Language.allCases.map {
            FieldContext.Option(value: $0.rawValue, label: req.t("language.\($0.rawValue)"), selected: $0.rawValue == form.language)
        }
        let fields = [
            FieldContext("email", label: "field.email", kind: "email", value: form.email, errors: errors, required: true),
            FieldContext("displayName", label: "field.displayName", value: form.displayName, errors: errors, required: true),
            FieldContext("language", label: "field.language", kind: "select", value: form.language, options: languages, errors: errors),
            FieldContext("roles", label: "field.programmeRoles", kind: "checkboxes",
                         options: Self.roleOptions(req, selected: Set(form.roles ?? []), scoped: false), errors: errors, hint: "user.roles.hint"),
            try await OrganisationPicker.field(req, name: "organisationID", label: "field.organisation", search: search,
                                               selected: form.organisationID ?? "", errors: errors),
            FieldContext("organisationRole", label: "field.organisationRole", kind: "select",
                         options: Self.roleOptions(req, selected: [form.organisationRole ?? ""], scoped: true), errors: errors),
        ]
        return try await req.page("identity/invite", title: "users.invite.title", InvitePage(fields: fields), status: status)
    }

    func newForm(req: Request) async throws -> Response {
        try await renderInvite(req)
    }

    func invite(req: Request) async throws -> Response {
        let actor = try req.requireSignedIn().actor.userID!
        let form = try req.form(UserAdminService.InvitationForm.self)
        let search = try req.form(OrganisationPicker.Search.self)
        if search.isSearch { return try await renderInvite(req, form: form, search: search) }
        switch try await service(req).invite(form, by: actor) {
        case .failure(let errors): return try await renderInvite(req, form: form, errors: errors, search: search, status: .badRequest)
        case .success(let id): return Flash.redirect(req, to: .user(id), flash: "users.invite.sent")
        }
    }

    struct UserPage: Encodable {
        let id: String
        let email: String
        let displayName: String
        let statusKey: String
        let isActive: Bool
        /// Not on one's own account: an administrator does not lock themself out by a click.
        let canDeactivate: Bool
        let isInvited: Bool
        let isLocked: Bool
        let twoFactor: Bool
        let memberships: [Membership]
        let fields: [FieldContext]
        let statusErrorKey: String?
    }

    struct Membership: Encodable {
        let value: String
        let roleKey: String
        let organisation: String
    }

    /// `typed` is the roles form as posted (after a search for an organisation), else the stored roles.
    private func renderUser(_ req: Request, id: UUID, errors: FieldErrors = .init(), typed: UserAdminService.RolesForm? = nil,
                            search: OrganisationPicker.Search = .init(), status: HTTPResponseStatus = .ok) async throws -> Response {
        let user = try await service(req).user(id)
        let grants = user.roles.compactMap(\.grant)
        let orgs = try await OrganisationService(database: req.db, services: req.services).named(grants.compactMap(\.organisationID))
        let memberships = grants.filter { $0.organisationID != nil }.map { grant in
            Membership(value: "\(grant.role.rawValue):\(grant.organisationID!.uuidString)", roleKey: grant.role.catalogKey,
                       organisation: orgs.first { $0.id == grant.organisationID }?.nameSq ?? "")
        }
        let global = typed.map { Set($0.roles ?? []) } ?? Set(grants.filter { $0.organisationID == nil }.map(\.role.rawValue))
        let fields = [
            FieldContext("roles", label: "field.programmeRoles", kind: "checkboxes",
                         options: Self.roleOptions(req, selected: global, scoped: false), errors: errors),
            try await OrganisationPicker.field(req, name: "organisationID", label: "field.addOrganisation", search: search,
                                               selected: typed?.organisationID ?? "", errors: errors),
            FieldContext("organisationRole", label: "field.organisationRole", kind: "select",
                         options: Self.roleOptions(req, selected: [typed?.organisationRole ?? ""], scoped: true), errors: errors),
        ]
        let now = req.now
        return try await req.page("identity/user", title: "users.detail.title", UserPage(
            id: id.uuidString, email: user.email, displayName: user.displayName, statusKey: Self.statusKey(user, now: now),
            isActive: user.isActive, canDeactivate: user.isActive && id != req.actor.userID, isInvited: user.passwordHash == nil, isLocked: (user.lockedUntil ?? .distantPast) > now,
            twoFactor: user.hasTwoFactor, memberships: memberships, fields: fields, statusErrorKey: errors["status"]), status: status)
    }

    private func userID(_ req: Request) throws -> UUID {
        let id = try req.id("userID")
        return id
    }

    func show(req: Request) async throws -> Response {
        try await renderUser(req, id: try userID(req))
    }

    func updateRoles(req: Request) async throws -> Response {
        let id = try userID(req)
        let form = try req.form(UserAdminService.RolesForm.self)
        let search = try req.form(OrganisationPicker.Search.self)
        if search.isSearch { return try await renderUser(req, id: id, typed: form, search: search) }
        switch try await service(req).updateRoles(userID: id, form: form, by: try req.requireSignedIn().actor.userID!) {
        case .failure(let errors): return try await renderUser(req, id: id, errors: errors, typed: form, search: search, status: .badRequest)
        case .success: return Flash.redirect(req, to: .user(id), flash: "form.saved")
        }
    }

    private func setActive(_ req: Request, _ active: Bool, reason: String? = nil) async throws -> Response {
        let id = try userID(req)
        switch try await service(req).setActive(userID: id, active: active, reason: reason, by: try req.requireSignedIn().actor.userID!) {
        case .failure(let errors): return try await renderUser(req, id: id, errors: errors, status: .badRequest)
        case .success: return Flash.redirect(req, to: .user(id), flash: "form.saved")
        }
    }

    /// Deactivation signs the person out everywhere: the administrator confirms and says why.
    func deactivate(req: Request) async throws -> Response {
        let id = try userID(req)
        switch try await req.confirmation({ $0.writtenReason() }, { form, errors in
            ConfirmationContext(title: "users.deactivate.confirmTitle", consequence: req.t("users.deactivate.consequence"),
                                action: req.url.path, cancel: .user(id), fields: [ConfirmationContext.writtenReason(form, errors: errors)],
                                confirm: "users.deactivate")
        }) {
        case .ask(let response): return response
        case .reason(let reason): return try await setActive(req, false, reason: reason)
        }
    }

    func reactivate(req: Request) async throws -> Response { try await setActive(req, true) }

    func unlock(req: Request) async throws -> Response {
        let id = try userID(req)
        try await service(req).unlock(userID: id, by: try req.requireSignedIn().actor.userID!)
        return Flash.redirect(req, to: .user(id), flash: "form.saved")
    }

    func sendPasswordLink(req: Request) async throws -> Response {
        let id = try userID(req)
        try await service(req).sendPasswordLink(userID: id, by: try req.requireSignedIn().actor.userID!)
        return Flash.redirect(req, to: .user(id), flash: "users.passwordLink.sent")
    }

    func resetTwoFactor(req: Request) async throws -> Response {
        let id = try userID(req)
        try await service(req).resetTwoFactor(userID: id, by: try req.requireSignedIn().actor.userID!)
        return Flash.redirect(req, to: .user(id), flash: "users.twoFactorReset.done")
    }
}
