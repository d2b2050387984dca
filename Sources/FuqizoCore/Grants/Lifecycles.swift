import Foundation

// The grant scheme's workflows as explicit state machines: a call, an application, an
// evaluator's assignment and a stage's ranking. The server asks these before it writes, and the
// pages ask them what to offer.

// MARK: a call

public enum CallEvent: Sendable, Equatable {
    /// Change its text, rules, lots or grids.
    case edit
    /// Take one of its documents away.
    case removeDocument
    /// Open it to applicants (the deadline is checked with the data, by the service).
    case publish
}

extension CallStatus: Lifecycle {
    /// draft —publish→ published. A call is edited only as a draft: once published,
    /// applicants rely on its rules, grids and documents.
    public func after(_ event: CallEvent) -> Result<CallStatus, WorkflowRefusal> {
        switch (self, event) {
        case (.draft, .edit), (.draft, .removeDocument): .success(.draft)
        case (.draft, .publish): .success(.published)
        case (_, .removeDocument): .failure(WorkflowRefusal("call.document.error.published"))
        case (_, .edit), (_, .publish): .failure(WorkflowRefusal("call.error.frozen"))
        }
    }

    /// Seen on the public site, with its documents and answered questions.
    public var isPublic: Bool { self != .draft }

    /// Takes questions and applications (until its deadlines, which the service checks).
    public var isOpen: Bool { self == .published }
}

// MARK: an application

public enum ApplicationEvent: Sendable, Equatable {
    /// Save the text, attach or remove a document.
    case edit
    case submit
    /// An administrative or eligibility check is recorded.
    case check(passed: Bool)
    /// The award (or pre-selection) decision at a stage gives the ranking's outcome.
    case decide(ApplicationStage, Ranking.Outcome)
    /// The applicant gives up an awarded grant.
    case withdraw
    /// A withdrawal freed the envelope for a reserve application.
    case awardFromReserve
}

extension ApplicationStatus: Lifecycle {
    public func after(_ event: ApplicationEvent) -> Result<ApplicationStatus, WorkflowRefusal> {
        switch (self, event) {
        case (.draft, .edit): .success(.draft)
        case (.draft, .submit): .success(.submitted)
        case (_, .edit), (_, .submit): .failure(WorkflowRefusal("application.error.submitted"))
        case (.submitted, .check(let passed)): .success(passed ? .submitted : .rejected)
        case (_, .check): .failure(WorkflowRefusal("check.error.notSubmitted"))
        case (.submitted, .decide(let stage, let outcome)): .success(DecisionOutcome(stage: stage, ranking: outcome).status)
        case (_, .decide): .failure(WorkflowRefusal("ranking.error.decided"))
        case (.awarded, .withdraw): .success(.withdrawn)
        case (_, .withdraw): .failure(WorkflowRefusal("decision.error.notAwarded"))
        case (.reserve, .awardFromReserve): .success(.awarded)
        case (_, .awardFromReserve): .failure(WorkflowRefusal("decision.error.notReserve"))
        }
    }
}

/// What a decision means for one application: its status and stage after it, and the letter
/// it is owed.
public struct DecisionOutcome: Sendable, Equatable {
    public let status: ApplicationStatus
    /// The stage the application is at afterwards: pre-selected concept notes go on to write
    /// the full application.
    public let stage: ApplicationStage
    /// The outcome the letter states. A pre-selection is stored as `submitted`, as letters
    /// always have been.
    public let letter: ApplicationStatus
    /// Successful applicants' letters are due first (see `DecisionLetters`).
    public let isSuccessful: Bool

    public init(stage: ApplicationStage, ranking outcome: Ranking.Outcome) {
        switch (stage, outcome) {
        case (.concept, .awarded):
            (status, self.stage, letter, isSuccessful) = (.draft, .full, .submitted, true)
        case (.concept, _):
            (status, self.stage, letter, isSuccessful) = (.notPreselected, .concept, .notPreselected, false)
        case (.full, .awarded):
            (status, self.stage, letter, isSuccessful) = (.awarded, .full, .awarded, true)
        case (.full, .reserve):
            (status, self.stage, letter, isSuccessful) = (.reserve, .full, .reserve, false)
        case (.full, .withdrawn):
            (status, self.stage, letter, isSuccessful) = (.withdrawn, .full, .withdrawn, false)
        case (.full, .belowThreshold):
            (status, self.stage, letter, isSuccessful) = (.notAwarded, .full, .notAwarded, false)
        }
    }

    /// The date its letter is due by, for a decision of that date.
    public func letterDue(decision: LocalDate, days: Int) -> LocalDate {
        let due = DecisionLetters.dueDates(decision: decision, days: days)
        return isSuccessful ? due.successful : due.unsuccessful
    }
}

// MARK: checks

public enum CheckRule {
    /// Whether a check may be recorded now, given the checks already done at this stage:
    /// each once, and eligibility only after a passed administrative check.
    public static func refusal(recording kind: CheckKind, status: ApplicationStatus,
                               done: [(kind: CheckKind, passed: Bool)]) -> WorkflowRefusal? {
        if case .failure(let refusal) = status.after(.check(passed: true)) { return refusal }
        if done.contains(where: { $0.kind == kind }) { return WorkflowRefusal("check.error.done") }
        if kind == .eligibility, !done.contains(where: { $0.kind == .administrative && $0.passed }) {
            return WorkflowRefusal("check.error.administrativeFirst")
        }
        return nil
    }
}

// MARK: an evaluator's assignment

public enum AssignmentStatus: String, CaseIterable, Codable, Sendable {
    /// Waiting for the declaration of impartiality; the evaluator sees nothing yet.
    case assigned
    /// Declaration signed: the evaluator may read and score.
    case declared
    /// A conflict of interest was declared: the assignment no longer counts.
    case conflict
    /// Scores submitted; final.
    case submitted

    public var catalogKey: String { "evaluation.status.\(rawValue)" }

    /// Signed impartial: the application may be read.
    public var isDeclared: Bool { self == .declared || self == .submitted }
}

public enum AssignmentEvent: Sendable, Equatable {
    case declare(conflict: Bool)
    /// Save scores, or submit them.
    case score(submit: Bool)
}

extension AssignmentStatus: Lifecycle {
    public func after(_ event: AssignmentEvent) -> Result<AssignmentStatus, WorkflowRefusal> {
        switch (self, event) {
        case (.assigned, .declare(let conflict)): .success(conflict ? .conflict : .declared)
        case (_, .declare): .failure(WorkflowRefusal("evaluation.error.declared"))
        case (.declared, .score(let submit)): .success(submit ? .submitted : .declared)
        case (_, .score): .failure(WorkflowRefusal("evaluation.error.notOpen"))
        }
    }
}

/// One evaluator's part in an application's evaluation.
public struct AssignmentScore: Sendable, Equatable {
    public let evaluator: UUID
    public let status: AssignmentStatus
    /// The order it was assigned in: the first evaluators' totals decide divergence.
    public let position: Int
    public let total: Double?
    public let relevance: Double?

    public init(evaluator: UUID, status: AssignmentStatus, position: Int, total: Double?, relevance: Double?) {
        self.evaluator = evaluator
        self.status = status
        self.position = position
        self.total = total
        self.relevance = relevance
    }
}

extension EvaluationStanding {
    /// The standing of one application from its assignments: conflicts do not count.
    public init(_ scores: [AssignmentScore], required: Int, divergenceShare: Double) {
        let active = scores.filter { $0.status != .conflict }.sorted { $0.position < $1.position }
        self.init(totals: active.compactMap { $0.status == .submitted ? $0.total : nil }, assigned: active.count,
                  divergenceShare: divergenceShare, required: required)
    }

    /// Evaluation has begun with fewer evaluators than the call asks (after a conflict), or
    /// the first totals diverge: the officer must add one.
    public var needsEvaluator: Bool { (assigned > 0 && assigned < required) || needsFurtherEvaluator }
}

public enum ScoreVisibility {
    /// Someone who is also scoring the application sees no other score before submitting
    /// their own (a declared conflict ends their part).
    public static func showsScores(to person: UUID?, of scores: [AssignmentScore]) -> Bool {
        !scores.contains { $0.evaluator == person && ($0.status == .assigned || $0.status == .declared) }
    }
}

// MARK: a stage's ranking

/// Where a stage's ranking stands: evaluation started, the chair's approval, the decision.
public enum RankingState: Sendable, Equatable {
    case notStarted
    case started
    case approved
    case decided

    public init(started: Bool, approved: Bool, decided: Bool) {
        self = decided ? .decided : approved ? .approved : started ? .started : .notStarted
    }
}

public enum RankingEvent: Sendable, Equatable {
    /// The chair approves; only once every evaluation is complete.
    case approve(complete: Bool)
    /// The grants officer records the decision on the approved ranking.
    case decide
}

extension RankingState: Lifecycle {
    public func after(_ event: RankingEvent) -> Result<RankingState, WorkflowRefusal> {
        switch (self, event) {
        case (.notStarted, .approve): .failure(WorkflowRefusal("evaluation.error.notStarted"))
        case (.started, .approve(let complete)): complete ? .success(.approved) : .failure(WorkflowRefusal("ranking.error.incomplete"))
        case (_, .approve): .failure(WorkflowRefusal("ranking.error.approved"))
        case (.approved, .decide): .success(.decided)
        case (.decided, .decide): .failure(WorkflowRefusal("ranking.error.decided"))
        case (_, .decide): .failure(WorkflowRefusal("ranking.error.notApproved"))
        }
    }
}
