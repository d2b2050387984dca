import Fluent
import Foundation
import FuqizoCore

/// One completed check (administrative or eligibility) of an application at a stage.
final class ApplicationCheck: Model, @unchecked Sendable {
    static let schema = "application_checks"

    // managed fields
    @ID(key: .id) var id: UUID?

    // data fields
    @Enum(key: "stage") var stage: ApplicationStage
    @Enum(key: "kind") var kind: CheckKind
    @Field(key: "passed") var passed: Bool
    /// The `CheckResult` as JSON: the items asked and the reasons of those that failed.
    @Field(key: "result") var result: String
    @Field(key: "checked_by") var checkedBy: UUID
    @Field(key: "checked_at") var checkedAt: Date

    // relationships
    @Parent(key: "application_id") var application: GrantApplication

    init() {}

    var checkResult: CheckResult? { try? StoredJSON.decode(CheckResult.self, from: result) }
}

/// A member of a call's evaluation committee.
final class CommitteeMember: Model, @unchecked Sendable {
    static let schema = "committee_members"

    enum Role: String, CaseIterable, Codable, Sendable {
        /// Non-voting: runs the committee and approves the ranking.
        case chair
        /// Non-voting: keeps the minutes.
        case secretary
        /// Voting: scores applications.
        case evaluator
    }

    // managed fields
    @ID(key: .id) var id: UUID?

    // data fields
    @Enum(key: "role") var role: Role

    // relationships
    @Parent(key: "call_id") var call: GrantCall
    @Parent(key: "user_id") var user: User

    init() {}
}

/// The evaluation of one stage of a call: when it started, when the chair approved the
/// ranking, and the award (or pre-selection) decision.
final class EvaluationRound: Model, @unchecked Sendable {
    static let schema = "evaluation_rounds"

    // managed fields
    @ID(key: .id) var id: UUID?

    // data fields
    @Enum(key: "stage") var stage: ApplicationStage
    @Field(key: "started_at") var startedAt: Date
    @Field(key: "started_by") var startedBy: UUID
    @OptionalField(key: "approved_at") var approvedAt: Date?
    @OptionalField(key: "approved_by") var approvedBy: UUID?
    /// The decision's date as a calendar date (`LocalDate`), the day letters count from.
    @OptionalField(key: "decision_date") var decisionDate: String?
    @OptionalField(key: "decided_at") var decidedAt: Date?
    @OptionalField(key: "decided_by") var decidedBy: UUID?

    // relationships
    @Parent(key: "call_id") var call: GrantCall

    init() {}
}

extension Optional<EvaluationRound> {
    /// Where the stage's ranking stands; no round is an evaluation not yet started.
    var rankingState: RankingState {
        RankingState(started: self != nil, approved: self?.approvedAt != nil, decided: self?.decidedAt != nil)
    }
}

/// One evaluator's work on one application at one stage.
final class EvaluationAssignment: Model, @unchecked Sendable {
    static let schema = "evaluation_assignments"

    // managed fields
    @ID(key: .id) var id: UUID?
    @Field(key: "created_at") var createdAt: Date

    // data fields
    @Enum(key: "stage") var stage: ApplicationStage
    /// The order of assignment: the first two are compared for divergence.
    @Field(key: "position") var position: Int
    @Enum(key: "status") var status: AssignmentStatus
    @OptionalField(key: "declared_at") var declaredAt: Date?
    @OptionalField(key: "conflict_reason") var conflictReason: String?
    /// The `Scorecard` as JSON, saved as the evaluator goes.
    @OptionalField(key: "scorecard") var scorecard: String?
    @OptionalField(key: "total") var total: Double?
    /// The points of the grid's relevance section on this card: the tie-breaker, and what a
    /// full application carries over from its concept note.
    @OptionalField(key: "relevance") var relevance: Double?
    @OptionalField(key: "submitted_at") var submittedAt: Date?

    // relationships
    @Parent(key: "application_id") var application: GrantApplication
    @Parent(key: "evaluator_id") var evaluator: User

    init() {}

    var isDeclared: Bool { status.isDeclared }
    var score: AssignmentScore {
        AssignmentScore(evaluator: $evaluator.id, status: status, position: position, total: total, relevance: relevance)
    }
    var card: Scorecard { scorecard.flatMap { try? StoredJSON.decode(Scorecard.self, from: $0) } ?? Scorecard() }
}

/// A letter to an applicant after a decision, and when it was sent.
final class DecisionLetter: Model, @unchecked Sendable {
    static let schema = "decision_letters"

    // managed fields
    @ID(key: .id) var id: UUID?
    @Field(key: "created_at") var createdAt: Date

    // data fields
    @Enum(key: "stage") var stage: ApplicationStage
    /// The application's status the letter announces (`submitted`: pre-selected).
    @Enum(key: "outcome") var outcome: ApplicationStatus
    /// `LocalDate`: the letter must be sent by this day.
    @Field(key: "due_date") var dueDate: String
    @OptionalField(key: "sent_at") var sentAt: Date?
    @OptionalField(key: "sent_by") var sentBy: UUID?

    // relationships
    @Parent(key: "application_id") var application: GrantApplication

    init() {}
}
