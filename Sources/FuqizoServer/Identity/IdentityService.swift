import Fluent
import Foundation
import FuqizoCore
import SQLKit
import Vapor

/// Use cases of identity: first-run setup, sign-in with lockout and throttling, the second
/// factor, invitations, roles and deactivation. Every change is audited in its transaction.
struct IdentityService {
    let database: any Database
    let services: AppServices
    let passwords: PasswordHasher

    /// The language a person's pages and mails are in from now on.
    func setPreferredLanguage(_ language: Language, of userID: UUID) async throws {
        try await User.query(on: database).filter(\.$id == userID).set(\.$preferredLanguage, to: language.rawValue).update()
    }

    static let lockThreshold = 5
    static let lockDuration: TimeInterval = 15 * 60
    static let addressWindow: TimeInterval = 15 * 60
    static let addressLimit = 20
    static let setupLinkLifetime: TimeInterval = 3600
    static let invitationLifetime: TimeInterval = 72 * 3600

    var now: Date { services.clock.now() }

    // MARK: setup

    func administratorExists() async throws -> Bool {
        try await RoleAssignment.query(on: database).filter(\.$role == Role.administrator.rawValue).first() != nil
    }

    /// A fresh setup link; earlier unused ones stop working.
    func issueSetupLink() async throws -> String {
        let token = SecretToken.generate()
        try await database.writeTransaction { db in
            try await OneTimeLink.query(on: db).filter(\.$purpose == OneTimeLink.Purpose.setup.rawValue)
                .filter(\.$usedAt == nil).delete()
            try await OneTimeLink(purpose: .setup, tokenDigest: SecretToken.digest(token), userID: nil,
                                  expiresAt: now.addingTimeInterval(Self.setupLinkLifetime)).create(on: db)
            try await services.audit.record(.init("setup.linkIssued"), actor: nil, at: now, on: db)
        }
        return token
    }

    /// The link if it exists, has the purpose, is unused and has not expired.
    func usableLink(_ token: String, purpose: OneTimeLink.Purpose) async throws -> OneTimeLink? {
        guard let link = try await OneTimeLink.query(on: database)
            .filter(\.$tokenDigest == SecretToken.digest(token))
            .filter(\.$purpose == purpose.rawValue)
            .first(),
            link.usedAt == nil, link.expiresAt > now
        else { return nil }
        return link
    }

    struct NewAccountForm: Content {
        var email: String = ""
        var displayName: String = ""
        var password: String = ""
        var passwordConfirmation: String = ""

        init() {}

        init(from decoder: any Decoder) throws {
            let form = try decoder.container(keyedBy: CodingKeys.self)
            email = try form.text(.email)
            displayName = try form.text(.displayName)
            password = try form.text(.password)
            passwordConfirmation = try form.text(.passwordConfirmation)
        }
    }

    func completeSetup(token: String, form: NewAccountForm) async throws -> Result<UUID, FieldErrors> {
        guard let link = try await usableLink(token, purpose: .setup), try await !administratorExists() else {
            throw AppError(status: .notFound, messageKey: "setup.error.linkInvalid")
        }
        var errors = FieldErrors()
        let email = Text.normalisedEmail(form.email)
        if !Text.isEmail(email) { errors.add("email", "form.error.email") }
        if Text.clean(form.displayName) == nil { errors.add("displayName", "form.error.required") }
        errors.merge(passwordErrors(form.password, confirmation: form.passwordConfirmation, email: email))
        guard errors.isEmpty else { return .failure(errors) }
        let hash = try await passwords.hash(form.password)
        let now = self.now
        let userID = try await database.writeTransaction { db -> UUID in
            let user = User(email: email, displayName: Text.clean(form.displayName)!, language: .default)
            user.passwordHash = hash
            try await user.create(on: db)
            let id = try user.requireID()
            try await RoleAssignment(userID: id, grant: RoleGrant(role: .administrator)).create(on: db)
            link.usedAt = now
            link.$user.id = id
            try await link.save(on: db)
            try await services.audit.record(.init("setup.completed", target: ("user", id.uuidString)), actor: id, at: now, on: db)
            return id
        }
        return .success(userID)
    }

    func passwordErrors(_ password: String, confirmation: String, email: String?) -> FieldErrors {
        var errors = FieldErrors()
        if let problem = services.passwordPolicy.problem(with: password, email: email) {
            errors.add("password", problem)
        } else if password != confirmation {
            errors.add("passwordConfirmation", "password.error.mismatch")
        }
        return errors
    }

    // MARK: sign-in

    enum SignInOutcome {
        /// Wrong e-mail, wrong password, locked or inactive account: one answer for all.
        case refused
        case throttled
        case accepted(User, UserSession.Stage)
    }

    /// Whether an address has failed too often lately (passwords and codes alike).
    private func isThrottled(_ addressDigest: String) async throws -> Bool {
        try await SignInFailure.query(on: database)
            .filter(\.$addressDigest == addressDigest)
            .filter(\.$occurredAt > now.addingTimeInterval(-Self.addressWindow))
            .count() >= Self.addressLimit
    }

    func signIn(email rawEmail: String, password: String, address: String) async throws -> SignInOutcome {
        let addressDigest = addressKey(address)
        let now = self.now
        if try await isThrottled(addressDigest) { return .throttled }

        let email = Text.normalisedEmail(rawEmail)
        guard let user = try await User.query(on: database).filter(\.$email == email).first(),
              user.isActive, let hash = user.passwordHash
        else {
            try await passwords.burnTime(password)
            try await recordFailure(addressDigest: addressDigest, user: nil)
            return .refused
        }
        let matches = try await passwords.verify(password, against: hash)
        if let lockedUntil = user.lockedUntil, lockedUntil > now {
            try await recordFailure(addressDigest: addressDigest, user: user, locked: true)
            return .refused
        }
        guard matches else {
            try await recordFailure(addressDigest: addressDigest, user: user)
            return .refused
        }
        let grants = try await grants(of: user.requireID())
        let stage: UserSession.Stage = if user.hasTwoFactor {
            .awaitingSecondFactor
        } else if grants.contains(where: \.role.requiresTwoFactor) {
            .mustEnrolSecondFactor
        } else {
            .active
        }
        try await database.writeTransaction { db in
            user.failedSignIns = 0
            user.lockedUntil = nil
            if stage == .active { user.lastSignInAt = now }
            // Each enrolment starts from a new secret: one shown at an earlier sign-in (perhaps
            // on another screen) is never the one confirmed now.
            if stage == .mustEnrolSecondFactor { user.totpPendingSecret = nil }
            try await user.save(on: db)
            let action = stage == .active ? "signIn.succeeded" : "signIn.passwordAccepted"
            try await services.audit.record(.init(action, target: ("user", user.requireID().uuidString)),
                                      actor: user.requireID(), at: now, on: db)
        }
        return .accepted(user, stage)
    }

    private func recordFailure(addressDigest: String, user: User?, locked: Bool = false) async throws {
        let now = self.now
        try await database.writeTransaction { db in
            try await SignInFailure(addressDigest: addressDigest, occurredAt: now).create(on: db)
            guard let user else {
                try await services.audit.record(.init("signIn.failed", details: ["account": "unknown"]), actor: nil, at: now, on: db)
                return
            }
            let target = ("user", try user.requireID().uuidString)
            if locked {
                try await services.audit.record(.init("signIn.failed", target: target, details: ["account": "locked"]),
                                          actor: nil, at: now, on: db)
                return
            }
            let details = try await countFailure(of: user, counter: .password, now: now, on: db)
            try await services.audit.record(.init("signIn.failed", target: target, details: details), actor: nil, at: now, on: db)
        }
    }

    /// The two failure counters of an account: wrong passwords (reset by a right password) and
    /// wrong second-factor codes (reset only by a right code).
    enum FailureCounter: String {
        case password = "failed_sign_ins"
        case secondFactor = "second_factor_failures"
    }

    /// Counts a wrong password or code against the account; the fifth in a row locks it for
    /// 15 minutes and ends its sessions. The count is one atomic UPDATE, so parallel guesses
    /// are each counted. Returns the audit details (attempt number, lock).
    private func countFailure(of user: User, counter: FailureCounter, now: Date, on db: any Database) async throws -> [String: String] {
        guard let sql = db as? any SQLDatabase else { throw AppError.server }
        let id = try user.requireID()
        let count = try await sql.raw("""
            UPDATE users SET \(ident: counter.rawValue) = \(ident: counter.rawValue) + 1 WHERE id = \(bind: id)
            RETURNING \(ident: counter.rawValue) AS n
            """).first()?.decode(column: "n", as: Int.self) ?? Self.lockThreshold
        var details = ["attempt": String(count)]
        if count >= Self.lockThreshold {
            user.lockedUntil = now.addingTimeInterval(Self.lockDuration)
            try await sql.update(User.schema).set(counter.rawValue, to: SQLLiteral.numeric("0"))
                .set("locked_until", to: SQLBind(now.addingTimeInterval(Self.lockDuration))).where("id", .equal, SQLBind(id)).run()
            details["locked"] = "15min"
            try await UserSession.query(on: db).filter(\.$user.$id == id).delete()
        }
        return details
    }

    /// Addresses are kept only as a keyed digest: enough to count, useless to anyone else.
    func addressKey(_ address: String) -> String {
        HMAC<SHA256>.authenticationCode(for: Data(address.utf8), using: services.masterKey.derivedKey(for: "address")).hexString
    }

    func grants(of userID: UUID) async throws -> [RoleGrant] {
        try await RoleAssignment.query(on: database).filter(\.$user.$id == userID).all().compactMap(\.grant)
    }

    /// Starts a session and returns the token for the cookie. Any earlier token of this
    /// browser is dropped by the caller, so each sign-in step gets a new session id.
    func startSession(for user: User, stage: UserSession.Stage) async throws -> String {
        let token = SecretToken.generate()
        try await UserSession(tokenDigest: SecretToken.digest(token), userID: user.requireID(), stage: stage, now: now)
            .create(on: database)
        return token
    }

    func endSession(_ session: SessionRecord, actor: UUID?, reason: String) async throws {
        let now = self.now
        try await database.writeTransaction { db in
            try await session.end(on: db)
            try await services.audit.record(.init(reason, target: ("user", session.userID.uuidString)), actor: actor, at: now, on: db)
        }
    }

    // MARK: own password

    struct PasswordChangeForm: Content {
        var currentPassword = ""
        var password = ""
        var passwordConfirmation = ""

        init() {}

        init(from decoder: any Decoder) throws {
            let form = try decoder.container(keyedBy: CodingKeys.self)
            currentPassword = try form.text(.currentPassword)
            password = try form.text(.password)
            passwordConfirmation = try form.text(.passwordConfirmation)
        }
    }

    /// Changes a signed-in person's password. The current one is asked again (a wrong one
    /// counts toward the lockout); every other session of the account ends.
    func changePassword(user: User, keeping sessionID: UUID, form: PasswordChangeForm) async throws -> Result<Void, FieldErrors> {
        var errors = FieldErrors()
        let current = try await user.passwordHash.asyncMap { try await passwords.verify(form.currentPassword, against: $0) } ?? false
        if !current { errors.add("currentPassword", "password.error.current") }
        errors.merge(passwordErrors(form.password, confirmation: form.passwordConfirmation, email: user.email))
        let now = self.now
        guard errors.isEmpty else {
            if !current {
                try await database.writeTransaction { db in
                    let details = try await countFailure(of: user, counter: .password, now: now, on: db)
                    try await services.audit.record(.init("password.changeRefused", target: ("user", user.requireID().uuidString), details: details),
                                              actor: user.requireID(), at: now, on: db)
                }
            }
            return .failure(errors)
        }
        let hash = try await passwords.hash(form.password)
        try await database.writeTransaction { db in
            let id = try user.requireID()
            user.passwordHash = hash
            user.failedSignIns = 0
            try await user.save(on: db)
            try await UserSession.query(on: db).filter(\.$user.$id == id).filter(\.$id != sessionID).delete()
            try await services.audit.record(.init("password.changed", target: ("user", id.uuidString)), actor: id, at: now, on: db)
        }
        return .success(())
    }

    // MARK: second factor

    private func secretContext(_ user: User, pending: Bool) throws -> String {
        Self.secretContext(of: try user.requireID(), pending: pending)
    }

    /// What a user's sealed second-factor secret is bound to: the user, and whether it is confirmed.
    static func secretContext(of userID: UUID, pending: Bool) -> String {
        "user:\(userID.uuidString.lowercased()):totp\(pending ? ":pending" : "")"
    }

    func totp(of user: User) throws -> FuqizoCore.TOTP? {
        guard let sealed = user.totpSecret else { return nil }
        return FuqizoCore.TOTP(secret: Array(try services.secretsBox.open(sealed, boundTo: secretContext(user, pending: false))))
    }

    /// The secret being set up, created on first call and kept until confirmed.
    func pendingTOTP(for user: User) async throws -> FuqizoCore.TOTP {
        if let sealed = user.totpPendingSecret {
            return FuqizoCore.TOTP(secret: Array(try services.secretsBox.open(sealed, boundTo: secretContext(user, pending: true))))
        }
        let secret = FuqizoCore.TOTP.randomSecret()
        user.totpPendingSecret = try services.secretsBox.seal(Data(secret), boundTo: secretContext(user, pending: true))
        try await user.save(on: database)
        return FuqizoCore.TOTP(secret: secret)
    }

    enum SecondFactorOutcome {
        case accepted
        case refused
        case locked
        case throttled
    }

    /// Checks a code from the app or a recovery code. Each is claimed with a conditional
    /// UPDATE in the transaction that records the sign-in, so of two requests racing with one
    /// code exactly one is accepted. Wrong codes count toward the account's lockout (which the
    /// password step cannot reset) and toward the address's throttle.
    func verifySecondFactor(user: User, code: String, address: String) async throws -> SecondFactorOutcome {
        let now = self.now
        let addressDigest = addressKey(address)
        if let lockedUntil = user.lockedUntil, lockedUntil > now { return .locked }
        if try await isThrottled(addressDigest) { return .throttled }
        let id = try user.requireID()
        let step = try totp(of: user)?.matchingStep(for: code, at: now, lastUsedStep: user.totpLastStep)
        let recoveryDigest = SecretToken.digest(RecoveryCodes.normalise(code))
        return try await database.writeTransaction { db -> SecondFactorOutcome in
            guard let sql = db as? any SQLDatabase else { throw AppError.server }
            var factor: String?
            if let step {
                let claimed = try await sql.raw("""
                    UPDATE users SET totp_last_step = \(bind: step)
                    WHERE id = \(bind: id) AND (totp_last_step IS NULL OR totp_last_step < \(bind: step)) RETURNING id
                    """).all()
                if !claimed.isEmpty { factor = "totp" }
            }
            if factor == nil {
                let claimed = try await sql.raw("""
                    UPDATE recovery_codes SET used_at = \(bind: now)
                    WHERE user_id = \(bind: id) AND code_digest = \(bind: recoveryDigest) AND used_at IS NULL RETURNING id
                    """).all()
                if !claimed.isEmpty { factor = "recoveryCode" }
            }
            let target = ("user", id.uuidString)
            guard let factor else {
                try await SignInFailure(addressDigest: addressDigest, occurredAt: now).create(on: db)
                var details = try await countFailure(of: user, counter: .secondFactor, now: now, on: db)
                details["factor"] = "second"
                try await services.audit.record(.init("signIn.failed", target: target, details: details), actor: nil, at: now, on: db)
                return details["locked"] == nil ? .refused : .locked
            }
            try await sql.update(User.schema).set("failed_sign_ins", to: SQLLiteral.numeric("0"))
                .set("second_factor_failures", to: SQLLiteral.numeric("0")).set("last_sign_in_at", to: SQLBind(now))
                .where("id", .equal, SQLBind(id)).run()
            try await services.audit.record(.init("signIn.succeeded", target: target, details: ["factor": factor]), actor: id, at: now, on: db)
            return .accepted
        }
    }

    /// Confirms enrolment with a first code from the new secret; returns the recovery codes,
    /// shown once and stored only as digests.
    func confirmEnrolment(user: User, code: String) async throws -> [String]? {
        let pending = try await pendingTOTP(for: user)
        guard let step = pending.matchingStep(for: code, at: now, lastUsedStep: Int64?.none) else { return nil }
        let codes = RecoveryCodes.generate()
        let now = self.now
        let masterKey = services.masterKey
        try await database.writeTransaction { db in
            try await KeyGuard.sealing(under: masterKey, on: db)
            let id = try user.requireID()
            user.totpSecret = try services.secretsBox.seal(Data(pending.secret), boundTo: secretContext(user, pending: false))
            user.totpPendingSecret = nil
            user.totpLastStep = step
            user.lastSignInAt = now
            try await user.save(on: db)
            try await RecoveryCode.query(on: db).filter(\.$user.$id == id).delete()
            for code in codes {
                try await RecoveryCode(userID: id, codeDigest: SecretToken.digest(code)).create(on: db)
            }
            try await services.audit.record(.init("twoFactor.enrolled", target: ("user", id.uuidString)), actor: id, at: now, on: db)
        }
        return codes
    }

    func regenerateRecoveryCodes(user: User) async throws -> [String] {
        let codes = RecoveryCodes.generate()
        let now = self.now
        try await database.writeTransaction { db in
            let id = try user.requireID()
            try await RecoveryCode.query(on: db).filter(\.$user.$id == id).delete()
            for code in codes {
                try await RecoveryCode(userID: id, codeDigest: SecretToken.digest(code)).create(on: db)
            }
            try await services.audit.record(.init("twoFactor.recoveryCodesRenewed", target: ("user", id.uuidString)), actor: id, at: now, on: db)
        }
        return codes
    }

    func unusedRecoveryCodeCount(user: User) async throws -> Int {
        try await RecoveryCode.query(on: database).filter(\.$user.$id == user.requireID()).filter(\.$usedAt == nil).count()
    }

    /// Promotes a pending session to a full one under a new token (a new session id).
    func activate(_ record: SessionRecord) async throws -> String {
        let session = try await record.session(on: database)
        let token = SecretToken.generate()
        session.tokenDigest = SecretToken.digest(token)
        session.stage = .active
        session.lastSeenAt = now
        try await session.save(on: database)
        return token
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
