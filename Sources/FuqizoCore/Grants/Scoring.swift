/// One evaluator's scores for one application: a score from 1 to 5 and a comment for every
/// scored criterion of the grid.
public struct Scorecard: Codable, Sendable, Equatable {
    public var scores: [String: Int]
    public var comments: [String: String]

    public init(scores: [String: Int] = [:], comments: [String: String] = [:]) {
        self.scores = scores
        self.comments = comments
    }

    /// Per criterion, what keeps the card from being submitted; empty when it is complete.
    /// Field names are `score-<code>` and `comment-<code>`.
    public func problems(against grid: EvaluationGrid) -> FieldErrors {
        var errors = FieldErrors()
        for criterion in grid.scoredCriteria {
            if let score = scores[criterion.code] {
                if !(EvaluationGrid.minimumScore...EvaluationGrid.maximumScore).contains(score) {
                    errors.add("score-\(criterion.code)", "evaluation.error.scoreRange")
                }
            } else {
                errors.add("score-\(criterion.code)", "evaluation.error.scoreMissing")
            }
            if Text.clean(comments[criterion.code]) == nil { errors.add("comment-\(criterion.code)", "evaluation.error.commentMissing") }
        }
        return errors
    }

    /// Weighted points per section code, for the sections this card scores.
    public func sectionTotals(on grid: EvaluationGrid) -> [String: Int] {
        var totals: [String: Int] = [:]
        for section in grid.sections where !section.carriedOver {
            totals[section.code] = section.criteria.reduce(0) { $0 + (scores[$1.code] ?? 0) * $1.weight }
        }
        return totals
    }

    /// The card's total; carried-over sections are added from `carried` (section code → points).
    public func total(on grid: EvaluationGrid, carried: [String: Double] = [:]) -> Double {
        let own = sectionTotals(on: grid).values.reduce(0, +)
        let carriedPoints = grid.sections.filter(\.carriedOver).reduce(0.0) { $0 + (carried[$1.code] ?? 0) }
        return Double(own) + carriedPoints
    }
}

/// How the evaluators' totals for one application become one score.
public enum Consensus {
    /// True when two totals differ by more than `share` (e.g. 0.30) of the higher one: the
    /// call then needs a further evaluator.
    public static func diverges(_ totals: [Double], share: Double) -> Bool {
        for (index, a) in totals.enumerated() {
            for b in totals[(index + 1)...] where abs(a - b) > share * max(a, b) {
                return true
            }
        }
        return false
    }

    /// The final score: the average of the totals used. Without divergence that is every
    /// evaluator's total. When a further evaluator was added, the two closest totals are used,
    /// so one outlying score does not decide the result; the others stay on record.
    public static func finalScore(_ totals: [Double], share: Double) -> Double? {
        guard !totals.isEmpty else { return nil }
        guard totals.count > 2, diverges(Array(totals.prefix(2)), share: share) else {
            return totals.reduce(0, +) / Double(totals.count)
        }
        let sorted = totals.sorted()
        var best = (sorted[0], sorted[1])
        for index in 1..<(sorted.count - 1) where sorted[index + 1] - sorted[index] < best.1 - best.0 {
            best = (sorted[index], sorted[index + 1])
        }
        return (best.0 + best.1) / 2
    }

    /// Rounded to two decimals for display and ranking, so that ties are ties.
    public static func rounded(_ score: Double) -> Double {
        (score * 100).rounded() / 100
    }
}

/// The evaluation committee: a non-voting chair and secretary, and an odd number (at least
/// three) of voting evaluators.
public struct CommitteeComposition: Sendable, Equatable {
    public var chair: String?
    public var secretary: String?
    public var evaluators: [String]

    public init(chair: String?, secretary: String?, evaluators: [String]) {
        self.chair = chair
        self.secretary = secretary
        self.evaluators = evaluators
    }

    public enum Problem: Equatable, Sendable {
        case noChair
        case noSecretary
        case tooFewEvaluators
        case evenNumberOfEvaluators
        /// The chair or secretary cannot also vote.
        case nonVotingMemberVotes
        case duplicateEvaluator
    }

    /// Everything that stops evaluation from starting with this panel.
    public var problems: [Problem] {
        var problems: [Problem] = []
        if chair == nil { problems.append(.noChair) }
        if secretary == nil { problems.append(.noSecretary) }
        if evaluators.count < 3 { problems.append(.tooFewEvaluators) }
        if evaluators.count % 2 == 0 { problems.append(.evenNumberOfEvaluators) }
        if Set(evaluators).count != evaluators.count { problems.append(.duplicateEvaluator) }
        if [chair, secretary].compactMap({ $0 }).contains(where: evaluators.contains) { problems.append(.nonVotingMemberVotes) }
        return problems
    }
}
