import Fluent
import Foundation
import FuqizoCore

/// A monitoring visit to a grantee: planned by the grants side, then done with its findings,
/// risk rating and recommendations, or cancelled with a reason.
final class MonitoringVisit: Model, @unchecked Sendable {
    static let schema = "monitoring_visits"

    // managed fields
    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    // data fields
    /// The visit's number within its contract (1, 2, …): what paths and work lists show.
    @Field(key: "number") var number: Int
    /// Its lifecycle: a value no case names fails to load, never falls back.
    @Enum(key: "status") var status: VisitStatus
    @Field(key: "planned_on") var plannedOn: String
    /// The staff member who goes.
    @Field(key: "visitor_id") var visitorID: UUID
    @Field(key: "purpose") var purpose: String
    @OptionalField(key: "visited_on") var visitedOn: String?
    @OptionalField(key: "findings") var findings: String?
    @OptionalEnum(key: "risk") var risk: RiskRating?
    @OptionalField(key: "recommendations") var recommendations: String?
    @OptionalField(key: "cancel_reason") var cancelReason: String?

    // relationships
    @Parent(key: "contract_id") var contract: GrantContract

    init() {}
}

/// What a visit asks someone to do, by when; open until done or cancelled.
final class FollowUpAction: Model, @unchecked Sendable {
    static let schema = "follow_up_actions"

    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    @Field(key: "action") var action: String
    /// `grantee`, or the owning staff member's id (`FollowUpOwner.stored`).
    @Field(key: "owner") var owner: String
    @Field(key: "due_on") var dueOn: String
    @Enum(key: "status") var status: FollowUpStatus
    @OptionalField(key: "closed_on") var closedOn: String?
    @OptionalField(key: "closed_by") var closedBy: UUID?
    @OptionalField(key: "note") var note: String?

    /// The contract too, so that work lists and the portfolio find open actions in one join.
    @Parent(key: "contract_id") var contract: GrantContract
    @Parent(key: "visit_id") var visit: MonitoringVisit

    init() {}

    var ownedBy: FollowUpOwner? { FollowUpOwner(stored: owner) }
}
