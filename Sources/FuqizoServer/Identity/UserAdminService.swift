import Fluent
import FluentSQL
import Foundation
import FuqizoCore
import Vapor

/// Administration of users: invitations, roles and memberships, deactivation.
struct UserAdminService {
    let database: any Database
    let services: AppServices
    let passwords: PasswordHasher

    /// What the administrator looks for among the accounts: a piece of a name or address, a role.
    struct UserFilter {
        var query: String?
        var role: Role?
        var page: Int?
    }

    /// A national programme has thousands of accounts (every CSO's staff): a page at a time.
    static let pageSize = 50

    /// One page of the accounts the filter finds, with their roles, by e-mail address.
    func users(_ filter: UserFilter) async throws -> (users: [User], pager: Pager) {
        var query = User.query(on: database)
        if let text = filter.query.flatMap(Text.clean) {
            // LIKE's own characters are escaped: "_" in an address means an underscore.
            let typed = text.lowercased().reduce(into: "") { escaped, character in
                if "%_\\".contains(character) { escaped.append("\\") }
                escaped.append(character)
            }
            let pattern = "%" + typed + "%"
            query = query.group(.or) {
                $0.filter(.sql(embed: "LOWER(\(ident: User.schema).\(ident: "email")) LIKE \(bind: pattern) ESCAPE '\\'"))
                    .filter(.sql(embed: "LOWER(\(ident: User.schema).\(ident: "display_name")) LIKE \(bind: pattern) ESCAPE '\\'"))
            }
        }
        if let role = filter.role {
            query = query.filter(.sql(embed: """
                EXISTS (SELECT 1 FROM \(ident: RoleAssignment.schema) r WHERE r.user_id = \(ident: User.schema).id AND r.role = \(bind: role.rawValue))
                """))
        }
        let pager = Pager(requested: filter.page, total: try await query.copy().count(), pageSize: Self.pageSize)
        let users = try await query.with(\.$roles).sort(\.$email).range(pager.offset..<(pager.offset + pager.pageSize)).all()
        return (users, pager)
    }

    /// One account with its roles.
    func user(_ id: UUID) async throws -> User {
        guard let user = try await User.query(on: database).filter(\.$id == id).with(\.$roles).first() else { throw AppError.notFound }
        return user
    }

    var now: Date { services.clock.now() }

    struct InvitationForm: Content {
        var email: String = ""
        var displayName: String = ""
        var language: String = Language.default.rawValue
        var roles: [String]? = []
        var organisationID: String? = ""
        var organisationRole: String? = ""

        init() {}

        init(from decoder: any Decoder) throws {
            let form = try decoder.container(keyedBy: CodingKeys.self)
            email = try form.text(.email)
            displayName = try form.text(.displayName)
            language = try form.text(.language)
            roles = try form.list(.roles)
            organisationID = try form.text(.organisationID)
            organisationRole = try form.text(.organisationRole)
        }
    }

    /// Roles from the form: programme-wide roles ticked, plus at most one membership.
    static func grants(roles: [String], organisationID: String?, organisationRole: String?, errors: inout FieldErrors) -> Set<RoleGrant> {
        var grants = Set<RoleGrant>()
        for name in roles {
            guard let role = Role(rawValue: name), !role.isOrganisationScoped else {
                errors.add("roles", "form.error.choose")
                continue
            }
            grants.insert(RoleGrant(role: role))
        }
        let orgText = Text.clean(organisationID), roleText = Text.clean(organisationRole)
        if orgText != nil || roleText != nil {
            guard let org = orgText.flatMap(UUID.init(uuidString:)) else {
                errors.add("organisationID", "form.error.choose")
                return grants
            }
            guard let role = roleText.flatMap(Role.init(rawValue:)), role.isOrganisationScoped else {
                errors.add("organisationRole", "form.error.choose")
                return grants
            }
            grants.insert(RoleGrant(role: role, organisationID: org))
        }
        return grants
    }

    /// Creates the account with its roles and mails a single-use link to choose a password.
    /// `also` runs in the same transaction (an approved account request records itself).
    func invite(_ form: InvitationForm, by actor: UUID,
                also: (@Sendable (any Database) async throws -> Void)? = nil) async throws -> Result<UUID, FieldErrors> {
        var errors = FieldErrors()
        let email = Text.normalisedEmail(form.email)
        if !Text.isEmail(email) { errors.add("email", "form.error.email") }
        if Text.clean(form.displayName) == nil { errors.add("displayName", "form.error.required") }
        let language = Language(code: form.language) ?? .default
        let grants = Self.grants(roles: form.roles ?? [], organisationID: form.organisationID,
                                 organisationRole: form.organisationRole, errors: &errors)
        if grants.isEmpty, errors["roles"] == nil { errors.add("roles", "user.error.noRole") }
        if errors["email"] == nil, try await User.query(on: database).filter(\.$email == email).first() != nil {
            errors.add("email", "user.error.emailTaken")
        }
        try await checkOrganisations(grants, errors: &errors)
        guard errors.isEmpty else { return .failure(errors) }

        let token = SecretToken.generate()
        let now = self.now
        let id = try await database.writeTransaction { db -> UUID in
            let user = User(email: email, displayName: Text.clean(form.displayName)!, language: language)
            try await user.create(on: db)
            let id = try user.requireID()
            for grant in grants { try await RoleAssignment(userID: id, grant: grant).create(on: db) }
            try await OneTimeLink(purpose: .invitation, tokenDigest: SecretToken.digest(token), userID: id,
                                  expiresAt: now.addingTimeInterval(IdentityService.invitationLifetime)).create(on: db)
            try await queueInvitationMail(to: email, language: language, token: token, now: now, on: db)
            try await services.audit.record(.init("user.invited", target: ("user", id.uuidString),
                                            details: ["roles": Self.describe(grants)]), actor: actor, at: now, on: db)
            try await also?(db)
            return id
        }
        return .success(id)
    }

    static let passwordResetLifetime: TimeInterval = 24 * 3600

    /// Mails a new single-use link to choose a password: a fresh invitation for someone who
    /// has not accepted yet, a reset link for anyone else. Earlier links stop working.
    func sendPasswordLink(userID: UUID, by actor: UUID) async throws {
        guard let user = try await User.find(userID, on: database), user.isActive else { throw AppError.notFound }
        let purpose: OneTimeLink.Purpose = user.passwordHash == nil ? .invitation : .passwordReset
        let lifetime = purpose == .invitation ? IdentityService.invitationLifetime : Self.passwordResetLifetime
        let token = SecretToken.generate()
        let now = self.now
        let language = Language(code: user.preferredLanguage) ?? .default
        try await database.writeTransaction { db in
            try await OneTimeLink.query(on: db).filter(\.$user.$id == userID)
                .filter(\.$purpose ~~ [OneTimeLink.Purpose.invitation.rawValue, OneTimeLink.Purpose.passwordReset.rawValue]).delete()
            try await OneTimeLink(purpose: purpose, tokenDigest: SecretToken.digest(token), userID: userID,
                                  expiresAt: now.addingTimeInterval(lifetime)).create(on: db)
            if purpose == .invitation {
                try await queueInvitationMail(to: user.email, language: language, token: token, now: now, on: db)
            } else {
                try await Outbox.enqueue(
                    to: user.email, subject: services.catalog.text("mail.reset.subject", language),
                    body: services.catalog.format("mail.reset.body", language,
                                                  ["link": "\(services.config.publicURL)/reset/\(token)", "hours": "24"]),
                    now: now, sealedBy: services.mailBox, on: db)
            }
            try await services.audit.record(.init(purpose == .invitation ? "user.invitationResent" : "user.passwordResetSent",
                                            target: ("user", userID.uuidString)), actor: actor, at: now, on: db)
        }
    }

    /// The mail says who sends it and what to do, never who the person is.
    private func queueInvitationMail(to email: String, language: Language, token: String, now: Date, on db: any Database) async throws {
        let catalog = services.catalog
        let link = "\(services.config.publicURL)/invite/\(token)"
        try await Outbox.enqueue(
            to: email,
            subject: catalog.text("mail.invitation.subject", language),
            body: catalog.format("mail.invitation.body", language, ["link": link, "hours": "72"]),
            now: now, sealedBy: services.mailBox, on: db)
    }

    /// Sets the password through an invitation or reset link. A reset also ends every
    /// session of the account and lifts a lockout.
    func setPassword(token: String, purpose: OneTimeLink.Purpose, form: IdentityService.NewAccountForm) async throws -> Result<UUID, FieldErrors> {
        let identity = IdentityService(database: database, services: services, passwords: passwords)
        guard let link = try await identity.usableLink(token, purpose: purpose), let userID = link.$user.id,
              let user = try await User.find(userID, on: database), user.isActive
        else { throw AppError(status: .notFound, messageKey: "invite.error.linkInvalid") }
        let errors = identity.passwordErrors(form.password, confirmation: form.passwordConfirmation, email: user.email)
        guard errors.isEmpty else { return .failure(errors) }
        let hash = try await passwords.hash(form.password)
        let now = self.now
        try await database.writeTransaction { db in
            user.passwordHash = hash
            user.failedSignIns = 0
            user.lockedUntil = nil
            try await user.save(on: db)
            link.usedAt = now
            try await link.save(on: db)
            if purpose == .passwordReset { try await UserSession.query(on: db).filter(\.$user.$id == userID).delete() }
            try await services.audit.record(.init(purpose == .invitation ? "user.invitationAccepted" : "user.passwordReset",
                                            target: ("user", userID.uuidString)), actor: userID, at: now, on: db)
        }
        return .success(userID)
    }

    /// For a lost phone: removes the second factor and recovery codes and ends the sessions.
    /// Roles that require a second factor enrol again at their next sign-in.
    func resetTwoFactor(userID: UUID, by actor: UUID) async throws {
        guard let user = try await User.find(userID, on: database) else { throw AppError.notFound }
        let now = self.now
        try await database.writeTransaction { db in
            user.totpSecret = nil
            user.totpPendingSecret = nil
            user.totpLastStep = nil
            try await user.save(on: db)
            try await RecoveryCode.query(on: db).filter(\.$user.$id == userID).delete()
            try await UserSession.query(on: db).filter(\.$user.$id == userID).delete()
            try await services.audit.record(.init("twoFactor.reset", target: ("user", userID.uuidString)), actor: actor, at: now, on: db)
        }
    }

    struct RolesForm: Content {
        var roles: [String]? = []
        var organisationID: String? = ""
        var organisationRole: String? = ""
        /// Memberships to keep, as "role:organisation-id"; unticked ones are removed.
        var memberships: [String]? = []
    }

    func updateRoles(userID: UUID, form: RolesForm, by actor: UUID) async throws -> Result<Void, FieldErrors> {
        guard try await User.find(userID, on: database) != nil else { throw AppError.notFound }
        var errors = FieldErrors()
        var grants = Self.grants(roles: form.roles ?? [], organisationID: form.organisationID,
                                 organisationRole: form.organisationRole, errors: &errors)
        for kept in form.memberships ?? [] {
            let parts = kept.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, let role = Role(rawValue: parts[0]), role.isOrganisationScoped,
                  let org = UUID(uuidString: parts[1]) else { continue }
            grants.insert(RoleGrant(role: role, organisationID: org))
        }
        try await checkOrganisations(grants, errors: &errors)
        let current = Set(try await IdentityService(database: database, services: services, passwords: passwords).grants(of: userID))
        if current.contains(RoleGrant(role: .administrator)), !grants.contains(RoleGrant(role: .administrator)),
           try await activeAdministratorCount() <= 1 {
            errors.add("roles", "user.error.lastAdministrator")
        }
        guard errors.isEmpty else { return .failure(errors) }
        let added = grants.subtracting(current), removed = current.subtracting(grants)
        if added.isEmpty, removed.isEmpty { return .success(()) }
        let now = self.now
        try await database.writeTransaction { db in
            for grant in removed {
                var query = RoleAssignment.query(on: db).filter(\.$user.$id == userID).filter(\.$role == grant.role.rawValue)
                query = grant.organisationID.map { query.filter(\.$organisation.$id == $0) } ?? query.filter(\.$organisation.$id == nil)
                try await query.delete()
            }
            for grant in added { try await RoleAssignment(userID: userID, grant: grant).create(on: db) }
            // Role changes apply to the next sign-in and to live sessions alike: sessions
            // read roles on every request.
            try await services.audit.record(.init("user.rolesChanged", target: ("user", userID.uuidString),
                                            details: ["added": Self.describe(added), "removed": Self.describe(removed)]),
                                      actor: actor, at: now, on: db)
        }
        return .success(())
    }

    /// `reason` is required to deactivate (the confirmation asks for it) and kept in the audit entry.
    func setActive(userID: UUID, active: Bool, reason: String? = nil, by actor: UUID) async throws -> Result<Void, FieldErrors> {
        guard let user = try await User.find(userID, on: database) else { throw AppError.notFound }
        var errors = FieldErrors()
        if !active, userID == actor { errors.add("status", "user.error.deactivateSelf") }
        if !active, try await grantsInclude(userID, .administrator), try await activeAdministratorCount() <= 1 {
            errors.add("status", "user.error.lastAdministrator")
        }
        guard errors.isEmpty else { return .failure(errors) }
        let now = self.now
        try await database.writeTransaction { db in
            user.isActive = active
            try await user.save(on: db)
            if !active { try await UserSession.query(on: db).filter(\.$user.$id == userID).delete() }
            try await services.audit.record(.init(active ? "user.reactivated" : "user.deactivated", target: ("user", userID.uuidString),
                                                  details: reason.map { ["reason": $0] } ?? [:]),
                                            actor: actor, at: now, on: db)
        }
        return .success(())
    }

    /// Lifts a lockout before its 15 minutes are up (a person phoned the administrator).
    func unlock(userID: UUID, by actor: UUID) async throws {
        guard let user = try await User.find(userID, on: database) else { throw AppError.notFound }
        let now = self.now
        try await database.writeTransaction { db in
            user.lockedUntil = nil
            user.failedSignIns = 0
            user.secondFactorFailures = 0
            try await user.save(on: db)
            try await services.audit.record(.init("user.unlocked", target: ("user", userID.uuidString)), actor: actor, at: now, on: db)
        }
    }

    private func grantsInclude(_ userID: UUID, _ role: Role) async throws -> Bool {
        try await RoleAssignment.query(on: database).filter(\.$user.$id == userID).filter(\.$role == role.rawValue).first() != nil
    }

    private func activeAdministratorCount() async throws -> Int {
        try await RoleAssignment.query(on: database)
            .filter(\.$role == Role.administrator.rawValue)
            .join(User.self, on: \RoleAssignment.$user.$id == \User.$id)
            .filter(User.self, \.$isActive == true)
            .count()
    }

    private func checkOrganisations(_ grants: Set<RoleGrant>, errors: inout FieldErrors) async throws {
        let ids = Set(grants.compactMap(\.organisationID))
        guard !ids.isEmpty else { return }
        let found = try await Organisation.query(on: database).filter(\.$id ~~ ids).count()
        if found != ids.count { errors.add("organisationID", "form.error.choose") }
    }

    /// "caseWorker@<org id>, administrator": role names and ids only.
    static func describe(_ grants: Set<RoleGrant>) -> String {
        grants.map { grant in
            grant.organisationID.map { "\(grant.role.rawValue)@\($0.uuidString.lowercased())" } ?? grant.role.rawValue
        }.sorted().joined(separator: ", ")
    }
}
