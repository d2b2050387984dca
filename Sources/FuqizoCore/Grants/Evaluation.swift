import Foundation

/// Who evaluates what: each application goes to at least two voting evaluators, spread so
/// that nobody carries much more than the others, never to someone who declared a conflict
/// with it, never twice to the same person.
public enum AssignmentPlan {
    public struct Assignment: Sendable, Equatable, Hashable {
        public let application: String
        public let evaluator: String

        public init(application: String, evaluator: String) {
            self.application = application
            self.evaluator = evaluator
        }
    }

    public enum Problem: Error, Equatable, Sendable {
        /// Not enough evaluators without a conflict for this application.
        case notEnoughEvaluators(application: String)
    }

    /// New assignments that bring every application up to `perApplication` evaluators.
    /// `existing` are kept (including those already scored); `excluded` are pairs that may not
    /// be made (declared conflicts). The least-loaded evaluator is chosen first, then by the
    /// order of the panel, so the plan is the same every time for the same input.
    public static func complete(applications: [String], evaluators: [String], perApplication: Int = 2,
                                existing: [Assignment] = [], excluded: Set<Assignment> = []) -> Result<[Assignment], Problem> {
        var load: [String: Int] = Dictionary(uniqueKeysWithValues: evaluators.map { ($0, 0) })
        for assignment in existing where load[assignment.evaluator] != nil { load[assignment.evaluator]! += 1 }
        var planned: [Assignment] = []
        for application in applications {
            var have = Set(existing.filter { $0.application == application }.map(\.evaluator))
            let missing = perApplication - have.count
            guard missing > 0 else { continue }
            for _ in 0..<missing {
                let candidates = evaluators.enumerated().filter { _, evaluator in
                    !have.contains(evaluator) && !excluded.contains(Assignment(application: application, evaluator: evaluator))
                }
                guard let choice = candidates.min(by: { (load[$0.element]!, $0.offset) < (load[$1.element]!, $1.offset) })?.element else {
                    return .failure(.notEnoughEvaluators(application: application))
                }
                have.insert(choice)
                load[choice]! += 1
                planned.append(Assignment(application: application, evaluator: choice))
            }
        }
        return .success(planned)
    }
}

/// Where one application's evaluation stands, from its evaluators' submitted totals (in the
/// order they were assigned).
public struct EvaluationStanding: Sendable, Equatable {
    public let totals: [Double]
    public let assigned: Int
    public let divergenceShare: Double
    /// The call's evaluators per application (at least two).
    public let required: Int

    public init(totals: [Double], assigned: Int, divergenceShare: Double, required: Int = 2) {
        self.totals = totals
        self.assigned = assigned
        self.divergenceShare = divergenceShare
        self.required = max(2, required)
    }

    /// The first totals differ by more than the call's share and no further evaluator has
    /// been assigned yet.
    public var needsFurtherEvaluator: Bool {
        totals.count >= required && assigned <= required && Consensus.diverges(Array(totals.prefix(required)), share: divergenceShare)
    }

    /// Every assigned evaluator has submitted, as many as the call asks, and no further one is needed.
    public var isComplete: Bool { totals.count >= required && totals.count == assigned && !needsFurtherEvaluator }

    public var finalScore: Double? {
        guard isComplete, let score = Consensus.finalScore(totals, share: divergenceShare) else { return nil }
        return Consensus.rounded(score)
    }
}

/// The letters after an award decision, with the dates they are due by.
public enum DecisionLetters {
    /// Successful applicants are told within `days` of the decision; unsuccessful ones within
    /// `days` after that (PRAG: 15 and 15).
    public static func dueDates(decision: LocalDate, days: Int = 15) -> (successful: LocalDate, unsuccessful: LocalDate) {
        (decision.adding(days: days), decision.adding(days: 2 * days))
    }
}

extension EvaluationGrid {
    /// The grid as scored in a single-stage call: there is no concept note to carry a
    /// section over from, so every section is scored.
    public func scoringEverySection() -> EvaluationGrid {
        var copy = self
        for index in copy.sections.indices { copy.sections[index].carriedOver = false }
        return copy
    }
}

extension LocalDate {
    public func adding(days: Int) -> LocalDate {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let start = calendar.date(from: DateComponents(year: year, month: month, day: day))!
        let end = calendar.date(byAdding: .day, value: days, to: start)!
        let parts = calendar.dateComponents([.year, .month, .day], from: end)
        return LocalDate(String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!))!
    }
}
