import Foundation

/// What the grant scheme asks of each person, from plain facts about its records.
public enum GrantWork {
    /// Questions answered and letters sent stay on the applicant's list this long.
    public static let newsDays = 14

    // MARK: evaluators

    public struct Assignment: Sendable {
        public let id: UUID
        /// The call's reference.
        public let call: String
        /// The application's reference (never the applicant's name: reviews may be blind).
        public let application: String
        public let status: AssignmentStatus
        /// The day the call's evaluation period ends.
        public let deadline: LocalDate?

        public init(id: UUID, call: String, application: String, status: AssignmentStatus, deadline: LocalDate?) {
            (self.id, self.call, self.application, self.status, self.deadline) = (id, call, application, status, deadline)
        }
    }

    /// An evaluator signs the declaration, then scores; a conflict or a submitted card ends it.
    /// Before the declaration nothing of the application is shown, not even its reference:
    /// the item names the call.
    public static func evaluator(_ assignments: [Assignment]) -> [WorkItem] {
        assignments.compactMap { assignment in
            let kind: String
            switch assignment.status {
            case .assigned: kind = "work.declare"
            case .declared: kind = "work.score"
            case .conflict, .submitted: return nil
            }
            return WorkItem(kind, reference: assignment.status == .assigned ? assignment.call : assignment.application, due: assignment.deadline,
                            link: WorkLink("assignment", assignment.id.uuidString), section: "nav.evaluation")
        }
    }

    // MARK: a stage's evaluation, for its chair and the grants officers

    public struct Stage: Sendable {
        public let call: UUID
        public let reference: String
        public let stage: ApplicationStage
        public let ranking: RankingState
        /// Every active assignment of the stage is submitted.
        public let complete: Bool
        /// Submitted applications at the stage still without both checks.
        public let unchecked: Int
        /// Applications whose evaluators diverge or are too few (`EvaluationStanding.needsEvaluator`).
        public let needingEvaluator: Int
        public let deadline: LocalDate?

        public init(call: UUID, reference: String, stage: ApplicationStage, ranking: RankingState, complete: Bool,
                    unchecked: Int, needingEvaluator: Int, deadline: LocalDate?) {
            (self.call, self.reference, self.stage, self.ranking, self.complete) = (call, reference, stage, ranking, complete)
            (self.unchecked, self.needingEvaluator, self.deadline) = (unchecked, needingEvaluator, deadline)
        }
    }

    /// The chair approves a ranking once every evaluation of the stage is in.
    public static func chair(_ stages: [Stage]) -> [WorkItem] {
        stages.filter { $0.ranking == .started && $0.complete }.map { stage in
            WorkItem("work.approveRanking", reference: stage.reference, due: stage.deadline,
                     link: WorkLink("ranking", stage.call.uuidString, stage.stage.rawValue), section: "nav.home")
        }
    }

    public struct Letters: Sendable {
        public let call: UUID
        public let reference: String
        public let unsent: Int
        /// The earliest due date among the unsent letters.
        public let due: LocalDate?

        public init(call: UUID, reference: String, unsent: Int, due: LocalDate?) {
            (self.call, self.reference, self.unsent, self.due) = (call, reference, unsent, due)
        }
    }

    /// A grants officer checks submissions, adds evaluators where scores diverge, records the
    /// decision on an approved ranking, and sends its letters.
    public static func officer(_ stages: [Stage], letters: [Letters]) -> [WorkItem] {
        var items: [WorkItem] = []
        for stage in stages {
            let applications = WorkLink("callApplications", stage.call.uuidString)
            if stage.unchecked > 0, stage.ranking == .notStarted {
                items.append(WorkItem("work.check", reference: stage.reference, count: stage.unchecked, link: applications, section: "nav.calls"))
            }
            if stage.needingEvaluator > 0, stage.ranking == .started {
                items.append(WorkItem("work.addEvaluator", reference: stage.reference, due: stage.deadline, count: stage.needingEvaluator,
                                      link: applications, section: "nav.calls"))
            }
            if stage.ranking == .approved {
                items.append(WorkItem("work.decide", reference: stage.reference,
                                      link: WorkLink("ranking", stage.call.uuidString, stage.stage.rawValue), section: "nav.calls"))
            }
        }
        for call in letters where call.unsent > 0 {
            items.append(WorkItem("work.sendLetters", reference: call.reference, due: call.due, count: call.unsent,
                                  link: WorkLink("callLetters", call.call.uuidString), section: "nav.calls"))
        }
        return items
    }

    // MARK: applicants

    public struct Draft: Sendable {
        public let application: UUID
        public let call: String
        /// The last day of the stage the draft is for.
        public let deadline: LocalDate

        public init(application: UUID, call: String, deadline: LocalDate) {
            (self.application, self.call, self.deadline) = (application, call, deadline)
        }
    }

    public struct News: Sendable {
        public enum Kind: Sendable { case questionAnswered, letterReceived }
        public let kind: Kind
        /// The page it is read on: the public call (answers), the application (letters).
        public let record: UUID
        public let reference: String
        public let on: LocalDate

        public init(_ kind: Kind, record: UUID, reference: String, on: LocalDate) {
            (self.kind, self.record, self.reference, self.on) = (kind, record, reference, on)
        }
    }

    /// A CSO submits its drafts before the deadline (a draft past it is no longer work), and
    /// reads the answers to its questions and its letters of the last two weeks.
    public static func applicant(drafts: [Draft], news: [News], today: LocalDate) -> [WorkItem] {
        let open = drafts.filter { $0.deadline >= today }.map { draft in
            WorkItem("work.submitDraft", reference: draft.call, due: draft.deadline,
                     link: WorkLink("application", draft.application.uuidString), section: "nav.applications", announced: false)
        }
        let recent = news.filter { $0.on >= today.adding(days: -newsDays) }.map { news in
            switch news.kind {
            case .questionAnswered:
                WorkItem("work.questionAnswered", reference: news.reference, link: WorkLink("publicCall", news.record.uuidString), section: "nav.publicCalls")
            case .letterReceived:
                WorkItem("work.letterReceived", reference: news.reference, link: WorkLink("application", news.record.uuidString), section: "nav.applications")
            }
        }
        return open + recent
    }
}
