import Fluent
import Foundation
import FuqizoCore

final class User: Model, @unchecked Sendable {
    static let schema = "users"

    // managed fields
    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    // data fields
    @Field(key: "email") var email: String
    @Field(key: "display_name") var displayName: String
    /// Nil until the person accepts their invitation and chooses a password.
    @OptionalField(key: "password_hash") var passwordHash: String?
    @Field(key: "preferred_language") var preferredLanguage: String
    @Field(key: "is_active") var isActive: Bool
    @Field(key: "failed_sign_ins") var failedSignIns: Int
    /// Wrong second-factor codes since the last accepted one; only an accepted code or an
    /// administrator's unlock resets it, never the password step.
    @Field(key: "second_factor_failures") var secondFactorFailures: Int
    @OptionalField(key: "locked_until") var lockedUntil: Date?
    @OptionalField(key: "last_sign_in_at") var lastSignInAt: Date?
    /// The TOTP secret, sealed with a key derived from the master key and bound to the user id.
    @OptionalField(key: "totp_secret") var totpSecret: Data?
    /// A secret shown during enrolment, kept until the first code from it is confirmed.
    @OptionalField(key: "totp_pending_secret") var totpPendingSecret: Data?
    @OptionalField(key: "totp_last_step") var totpLastStep: Int64?

    // relationships
    @Children(for: \.$user) var roles: [RoleAssignment]

    init() {}

    init(id: UUID? = nil, email: String, displayName: String, language: Language) {
        self.id = id
        self.email = email
        self.displayName = displayName
        self.preferredLanguage = language.rawValue
        self.isActive = true
        self.failedSignIns = 0
        self.secondFactorFailures = 0
    }

    var hasTwoFactor: Bool { totpSecret != nil }
}

final class RoleAssignment: Model, @unchecked Sendable {
    static let schema = "role_assignments"

    // managed fields
    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    // data fields
    @Field(key: "role") var role: String
    @OptionalParent(key: "organisation_id") var organisation: Organisation?

    // relationships
    @Parent(key: "user_id") var user: User

    init() {}

    init(userID: UUID, grant: RoleGrant) {
        self.$user.id = userID
        self.role = grant.role.rawValue
        self.$organisation.id = grant.organisationID
    }

    var grant: RoleGrant? {
        Role(rawValue: role).map { RoleGrant(role: $0, organisationID: $organisation.id) }
    }
}

/// A signed-in browser. The cookie holds a random token; only its digest is stored.
final class UserSession: Model, @unchecked Sendable {
    static let schema = "user_sessions"

    enum Stage: String, CaseIterable, Codable, Sendable {
        /// Password accepted; the second factor is still to come.
        case awaitingSecondFactor
        /// Password accepted; the role requires a second factor the user has not set up yet.
        case mustEnrolSecondFactor
        case active
    }

    // managed fields
    @ID(key: .id) var id: UUID?

    // data fields
    @Field(key: "token_digest") var tokenDigest: String
    @Enum(key: "stage") var stage: Stage
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "last_seen_at") var lastSeenAt: Date

    // relationships
    @Parent(key: "user_id") var user: User

    init() {}

    init(tokenDigest: String, userID: UUID, stage: Stage, now: Date) {
        self.tokenDigest = tokenDigest
        self.$user.id = userID
        self.stage = stage
        self.createdAt = now
        self.lastSeenAt = now
    }
}

/// A single-use link: first-run setup of the administrator, or an invitation to a new user.
final class OneTimeLink: Model, @unchecked Sendable {
    static let schema = "one_time_links"

    enum Purpose: String {
        case setup
        case invitation
        /// Sent by an administrator to a person who forgot their password.
        case passwordReset
    }

    // managed fields
    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    // data fields
    @Field(key: "purpose") var purpose: String
    @Field(key: "token_digest") var tokenDigest: String
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "used_at") var usedAt: Date?

    // relationships
    @OptionalParent(key: "user_id") var user: User?

    init() {}

    init(purpose: Purpose, tokenDigest: String, userID: UUID?, expiresAt: Date) {
        self.purpose = purpose.rawValue
        self.tokenDigest = tokenDigest
        self.$user.id = userID
        self.expiresAt = expiresAt
    }
}

final class RecoveryCode: Model, @unchecked Sendable {
    static let schema = "recovery_codes"

    // managed fields
    @ID(key: .id) var id: UUID?

    // data fields
    @Field(key: "code_digest") var codeDigest: String
    @OptionalField(key: "used_at") var usedAt: Date?

    // relationships
    @Parent(key: "user_id") var user: User

    init() {}

    init(userID: UUID, codeDigest: String) {
        self.$user.id = userID
        self.codeDigest = codeDigest
    }
}

/// A failed sign-in from one network address (stored as a keyed digest, not the address),
/// counted for the per-address throttle.
final class SignInFailure: Model, @unchecked Sendable {
    static let schema = "sign_in_failures"

    // managed fields
    @ID(key: .id) var id: UUID?

    // data fields
    @Field(key: "address_digest") var addressDigest: String
    @Field(key: "occurred_at") var occurredAt: Date

    init() {}

    init(addressDigest: String, occurredAt: Date) {
        self.addressDigest = addressDigest
        self.occurredAt = occurredAt
    }
}

/// One request for a new password from the sign-in page. `userID` is set only when a mail
/// went out, so that one account gets at most one mail in a while.
final class PasswordResetRequest: Model, @unchecked Sendable {
    static let schema = "password_reset_requests"

    // managed fields
    @ID(key: .id) var id: UUID?

    // data fields
    @Field(key: "address_digest") var addressDigest: String
    @Field(key: "requested_at") var requestedAt: Date
    @OptionalField(key: "user_id") var userID: UUID?

    init() {}

    init(addressDigest: String, requestedAt: Date, userID: UUID?) {
        self.addressDigest = addressDigest
        self.requestedAt = requestedAt
        self.userID = userID
    }
}
