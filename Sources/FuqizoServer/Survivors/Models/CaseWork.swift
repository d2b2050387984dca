import Fluent
import Foundation
import FuqizoCore

/// Needs at intake, as categories.
final class SurvivorNeeds: Model, @unchecked Sendable {
    static let schema = "survivor_needs"

    // managed fields
    @ID(custom: "survivor_id", generatedBy: .user) var id: UUID?

    // data fields
    @Field(key: "education") var education: String
    @Field(key: "work_history") var workHistory: String
    @Field(key: "housing") var housing: String
    @Field(key: "needs_childcare") var needsChildcare: Bool
    /// Comma-separated `SkillArea` and `HealthNeed` values.
    @Field(key: "skills") var skills: String
    @Field(key: "health") var health: String
    @Field(key: "assessed_at") var assessedAt: Date
    @Field(key: "assessed_by") var assessedBy: UUID

    init() {}
}

/// A goal of the individual empowerment plan; its text is ciphertext.
final class PlanGoal: Model, @unchecked Sendable {
    static let schema = "plan_goals"

    // managed fields
    @ID(key: .id) var id: UUID?

    // data fields
    @Field(key: "area") var area: String
    @OptionalField(key: "text_sealed") var textSealed: Data?
    @Field(key: "created_at") var createdAt: Date

    // relationships
    @Parent(key: "survivor_id") var survivor: Survivor

    init() {}
}

/// A step towards a goal: what, who, by when, and how far it is.
final class PlanStep: Model, @unchecked Sendable {
    static let schema = "plan_steps"

    // managed fields
    @ID(key: .id) var id: UUID?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    // data fields
    @Field(key: "survivor_id") var survivorID: UUID
    @OptionalField(key: "text_sealed") var textSealed: Data?
    @OptionalField(key: "responsible_sealed") var responsibleSealed: Data?
    @OptionalField(key: "due_on") var dueOn: String?
    @Enum(key: "status") var status: StepStatus
    @Field(key: "created_at") var createdAt: Date

    // relationships
    @Parent(key: "goal_id") var goal: PlanGoal

    init() {}
}

/// A referral of a survivor to another organisation, under a referral consent naming it.
final class SurvivorReferral: Model, @unchecked Sendable {
    static let schema = "survivor_referrals"

    // managed fields
    @ID(key: .id) var id: UUID?

    // data fields
    @Field(key: "survivor_id") var survivorID: UUID
    @Field(key: "consent_id") var consentID: UUID
    @Field(key: "from_organisation_id") var fromOrganisationID: UUID
    @Field(key: "to_organisation_id") var toOrganisationID: UUID
    @Field(key: "service") var service: String
    @Enum(key: "status") var status: ReferralStatus
    @Field(key: "sent_at") var sentAt: Date
    @OptionalField(key: "answered_at") var answeredAt: Date?
    @OptionalField(key: "closed_at") var closedAt: Date?
    @Field(key: "sent_by") var sentBy: UUID

    init() {}

}

/// Membership of the Social Cause Club: joined, and perhaps left.
final class ClubMembership: Model, @unchecked Sendable {
    static let schema = "club_memberships"

    // managed fields
    @ID(key: .id) var id: UUID?

    // data fields
    @Field(key: "survivor_id") var survivorID: UUID
    @Field(key: "organisation_id") var organisationID: UUID
    @Field(key: "joined_on") var joinedOn: String
    @OptionalField(key: "left_on") var leftOn: String?

    init() {}
}

/// One Club session, run by a facilitator.
final class ClubSession: Model, @unchecked Sendable {
    static let schema = "club_sessions"

    // managed fields
    @ID(key: .id) var id: UUID?

    // data fields
    @Field(key: "organisation_id") var organisationID: UUID
    @Field(key: "kind") var kind: String
    @Field(key: "held_on") var heldOn: String
    @Field(key: "place") var place: String
    @Field(key: "facilitator_id") var facilitatorID: UUID
    @Field(key: "created_by") var createdBy: UUID
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

/// A member invited to a session, and whether they came.
final class ClubAttendance: Model, @unchecked Sendable {
    static let schema = "club_attendance"

    // managed fields
    @ID(key: .id) var id: UUID?

    // data fields
    @Field(key: "session_id") var sessionID: UUID
    @Field(key: "survivor_id") var survivorID: UUID
    @Field(key: "present") var present: Bool
    @OptionalField(key: "recorded_at") var recordedAt: Date?

    init() {}
}

/// A skill gained in the Club, possibly with a certificate.
final class ClubSkill: Model, @unchecked Sendable {
    static let schema = "club_skills"

    // managed fields
    @ID(key: .id) var id: UUID?

    // data fields
    @Field(key: "survivor_id") var survivorID: UUID
    @Field(key: "skill") var skill: String
    @OptionalField(key: "session_kind") var sessionKind: String?
    @Field(key: "certificate") var certificate: Bool
    @Field(key: "awarded_on") var awardedOn: String
    @Field(key: "recorded_by") var recordedBy: UUID

    init() {}
}

/// A job, business or placement that started.
final class EmploymentOutcome: Model, @unchecked Sendable {
    static let schema = "employment_outcomes"

    // managed fields
    @ID(key: .id) var id: UUID?

    // data fields
    @Field(key: "survivor_id") var survivorID: UUID
    @Field(key: "kind") var kind: String
    @Field(key: "sector") var sector: String
    @Field(key: "start_on") var startOn: String
    @Field(key: "contract_type") var contractType: String
    @Field(key: "wage_band") var wageBand: String
    @OptionalField(key: "business_grant_minor_units") var businessGrantMinorUnits: Int64?
    @OptionalField(key: "currency") var currency: String?
    @Field(key: "recorded_at") var recordedAt: Date
    @Field(key: "recorded_by") var recordedBy: UUID

    init() {}
}

/// A follow-up 3, 6 or 12 months after the start: still in work?
final class EmploymentFollowUp: Model, @unchecked Sendable {
    static let schema = "employment_followups"

    // managed fields
    @ID(key: .id) var id: UUID?

    // data fields
    @Field(key: "outcome_id") var outcomeID: UUID
    @Field(key: "survivor_id") var survivorID: UUID
    @Field(key: "months") var months: Int
    @Field(key: "due_on") var dueOn: String
    @OptionalField(key: "still_working") var stillWorking: Bool?
    @OptionalField(key: "recorded_at") var recordedAt: Date?
    @OptionalField(key: "recorded_by") var recordedBy: UUID?

    init() {}
}
