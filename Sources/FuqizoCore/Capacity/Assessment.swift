import Foundation

// MARK: the instrument

/// An organisational capacity assessment instrument: domains of questions, each answered on a
/// 1–4 scale whose levels are described in both languages. It is data, copied and edited
/// before use, and frozen once a round uses it so that scores stay comparable between rounds.
public struct CapacityInstrument: Codable, Sendable, Equatable {
    public struct Question: Codable, Sendable, Equatable {
        /// Stable within the instrument ("governance.board"): answers are stored by it.
        public var key: String
        public var textSq: String
        public var textEn: String
        /// What each level looks like, from 1 (lowest) to 4.
        public var levelsSq: [String]
        public var levelsEn: [String]

        public init(key: String, textSq: String, textEn: String, levelsSq: [String], levelsEn: [String]) {
            (self.key, self.textSq, self.textEn, self.levelsSq, self.levelsEn) = (key, textSq, textEn, levelsSq, levelsEn)
        }
    }

    public struct Domain: Codable, Sendable, Equatable {
        public var key: String
        public var nameSq: String
        public var nameEn: String
        public var questions: [Question]

        public init(key: String, nameSq: String, nameEn: String, questions: [Question]) {
            (self.key, self.nameSq, self.nameEn, self.questions) = (key, nameSq, nameEn, questions)
        }
    }

    public var domains: [Domain]

    public init(domains: [Domain]) { self.domains = domains }

    public static let levels = 1...4
    /// Most domains and questions per domain an instrument may have: far above the common OCA
    /// tools (seven domains of about five questions), small enough for one page.
    public static let maximumDomains = 20
    public static let maximumQuestions = 30
    public static let maximumText = 1_000

    public var questions: [Question] { domains.flatMap(\.questions) }

    /// What keeps the instrument from being used, as catalog keys (none: it may be used). Every
    /// domain has questions; every key is unique and short; every text and each of the four
    /// levels is written in both languages.
    public func problems() -> [String] {
        var problems: [String] = []
        if domains.isEmpty || domains.count > Self.maximumDomains { problems.append("instrument.error.domains") }
        let keys = domains.map(\.key) + questions.map(\.key)
        if Set(keys).count != keys.count || keys.contains(where: { !Self.isKey($0) }) { problems.append("instrument.error.keys") }
        for domain in domains {
            if domain.questions.isEmpty || domain.questions.count > Self.maximumQuestions { problems.append("instrument.error.questions") }
            if !Self.isText(domain.nameSq) || !Self.isText(domain.nameEn) { problems.append("instrument.error.text") }
            for question in domain.questions {
                let texts = [question.textSq, question.textEn] + question.levelsSq + question.levelsEn
                if question.levelsSq.count != Self.levels.count || question.levelsEn.count != Self.levels.count || !texts.allSatisfy(Self.isText) {
                    problems.append("instrument.error.text")
                }
            }
        }
        return Array(Set(problems)).sorted()
    }

    private static func isKey(_ key: String) -> Bool {
        !key.isEmpty && key.count <= 80 && key.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") }
    }

    private static func isText(_ text: String) -> Bool {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return !trimmed.isEmpty && trimmed.count <= maximumText
    }
}

// MARK: scores

/// A mean of levels kept as its sum and count, so that comparisons with thresholds are exact
/// (2.5 is 250 hundredths) and nothing is rounded until it is shown.
public struct CapacityScore: Sendable, Equatable, Comparable {
    public let total: Int
    public let count: Int

    public init?(total: Int, count: Int) {
        guard count > 0, total >= 0 else { return nil }
        (self.total, self.count) = (total, count)
    }

    /// The mean of these scores, each weighing the same (a domain's mean over its questions;
    /// the overall score over the domains).
    public init?(meanOf scores: [CapacityScore]) {
        guard !scores.isEmpty else { return nil }
        // Hundredths of each mean, then their mean: bounded by 400 × the number of scores.
        let hundredths = scores.map(\.hundredths).reduce(0, +)
        self.init(total: hundredths, count: scores.count * 100)
    }

    /// The score in hundredths, rounded half up (2.333… is 233).
    public var hundredths: Int { (total * 200 + count) / (count * 2) }

    public var value: Double { Double(total) / Double(count) }

    /// Below a threshold in hundredths (a domain "below 2.5" is below 250), exactly.
    public func isBelow(hundredths threshold: Int) -> Bool { total * 100 < threshold * count }

    public static func < (a: CapacityScore, b: CapacityScore) -> Bool { a.total * b.count < b.total * a.count }

    /// The same mean, however it was counted (2 of 1 is 4 of 2).
    public static func == (a: CapacityScore, b: CapacityScore) -> Bool { a.total * b.count == b.total * a.count }

    /// "2,33" or "2.33".
    public func written(_ language: Language) -> String {
        let (whole, fraction) = (hundredths / 100, hundredths % 100)
        let digits = fraction < 10 ? "0\(fraction)" : "\(fraction)"
        return "\(whole)\(language == .sq ? "," : ".")\(digits)"
    }
}

/// One organisation's answers in one round: a level per question key, and an optional
/// evidence note per question.
public struct CapacityAnswers: Codable, Sendable, Equatable {
    public var levels: [String: Int]
    public var evidence: [String: String]

    public init(levels: [String: Int] = [:], evidence: [String: String] = [:]) {
        (self.levels, self.evidence) = (levels, evidence)
    }

    /// Every question of the instrument has a level.
    public func isComplete(for instrument: CapacityInstrument) -> Bool {
        instrument.questions.allSatisfy { question in levels[question.key].map { CapacityInstrument.levels.contains($0) } ?? false }
    }
}

public enum CapacityScoring {
    /// Each domain's score: the mean of its answered questions' levels (answers outside 1–4,
    /// or to questions the instrument does not have, count for nothing). A domain without an
    /// answer has no score.
    public static func domainScores(_ instrument: CapacityInstrument, _ answers: CapacityAnswers) -> [String: CapacityScore] {
        var scores: [String: CapacityScore] = [:]
        for domain in instrument.domains {
            let levels = domain.questions.compactMap { answers.levels[$0.key] }.filter { CapacityInstrument.levels.contains($0) }
            scores[domain.key] = CapacityScore(total: levels.reduce(0, +), count: levels.count)
        }
        return scores
    }

    /// The overall score: the mean of the domain scores, each domain weighing the same whatever
    /// its number of questions.
    public static func overall(_ domainScores: [String: CapacityScore]) -> CapacityScore? {
        CapacityScore(meanOf: Array(domainScores.values))
    }

    /// The gain per domain from one round to a later one, in hundredths (negative: a loss),
    /// for the domains scored in both.
    public static func gains(from earlier: [String: CapacityScore], to later: [String: CapacityScore]) -> [String: Int] {
        var gains: [String: Int] = [:]
        for (domain, before) in earlier {
            if let after = later[domain] { gains[domain] = after.hundredths - before.hundredths }
        }
        return gains
    }
}

// MARK: rounds and self-assessments

/// Which moment of the programme a round measures.
public enum RoundKind: String, CaseIterable, Codable, Sendable {
    case baseline
    case midline
    case endline

    public var catalogKey: String { "round.kind.\(rawValue)" }
}

/// A CSO's self-assessment in a round: filled (and saved as a draft as it goes) by the CSO,
/// reviewed by a facilitator from the programme, confirmed by the CSO. A facilitator's change
/// to an answer sends it back to the CSO, who confirms it or answers again.
public enum SelfAssessmentStatus: String, CaseIterable, Codable, Sendable {
    case draft
    case submitted
    case reviewed
    case confirmed

    public var catalogKey: String { "assessment.status.\(rawValue)" }
}

public enum SelfAssessmentEvent: Sendable, Equatable {
    /// The CSO saves answers.
    case edit
    /// The CSO sends it to the facilitator (every question answered).
    case submit
    /// The facilitator has reviewed it (changes, each with a reason, included).
    case review
    /// The CSO accepts the reviewed answers: the scores count from now on.
    case confirm
    /// The CSO disagrees with a change and takes it back to answer again.
    case reopen
}

extension SelfAssessmentStatus: Lifecycle {
    public func after(_ event: SelfAssessmentEvent) -> Result<SelfAssessmentStatus, WorkflowRefusal> {
        switch (self, event) {
        case (.draft, .edit): .success(.draft)
        case (.draft, .submit): .success(.submitted)
        case (.submitted, .review): .success(.reviewed)
        case (.reviewed, .confirm): .success(.confirmed)
        case (.reviewed, .reopen): .success(.draft)
        case (.confirmed, _): .failure(WorkflowRefusal("assessment.error.confirmed"))
        default: .failure(WorkflowRefusal("assessment.error.notNow"))
        }
    }
}

/// A facilitator's change to one answer: never silent. Who, when and why are kept, and the CSO
/// sees them before confirming.
public struct FacilitatorChange: Codable, Sendable, Equatable {
    public let question: String
    public let from: Int?
    public let to: Int
    public let reason: String

    public static let maximumReason = 1_000

    /// A change to a question of the instrument, to a level of the scale, different from the
    /// answer given, with a written reason; or the catalog key of what is wrong.
    public static func validated(question: String, from: Int?, to: Int, reason: String,
                                 instrument: CapacityInstrument) -> Result<FacilitatorChange, WorkflowRefusal> {
        guard instrument.questions.contains(where: { $0.key == question }), CapacityInstrument.levels.contains(to) else {
            return .failure(WorkflowRefusal("assessment.error.level"))
        }
        guard from != to else { return .failure(WorkflowRefusal("assessment.error.unchanged")) }
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty, reason.count <= maximumReason else { return .failure(WorkflowRefusal("assessment.error.reason")) }
        return .success(FacilitatorChange(question: question, from: from, to: to, reason: reason))
    }
}

// MARK: the needs map

/// Domains × regions across CSOs: the mean score of the CSOs assessed, and the share of them
/// below the threshold (default 2.5) — where the training plan should go first.
public enum NeedsMap {
    public static let defaultThresholdHundredths = 250

    public struct Cell: Sendable, Equatable {
        public let domain: String
        /// Nil: the CSOs without a programme region.
        public let region: UUID?
        public let mean: CapacityScore
        public let organisations: Int
        public let below: Int

        /// The share below the threshold in whole percent, rounded half up.
        public var percentBelow: Int { (below * 200 + organisations) / (organisations * 2) }

        /// A cell from sums a database computed: the CSOs' domain scores each rounded to
        /// hundredths (`CapacityScore.hundredths`) and added up, how many CSOs, and how many of
        /// them are below the threshold. The same cell `cells(_:domains:)` makes from the scores.
        public init?(domain: String, region: UUID?, hundredthsSum: Int, organisations: Int, below: Int) {
            guard (1...10_000_000).contains(organisations), (0...organisations).contains(below), hundredthsSum >= 0,
                  let mean = CapacityScore(total: hundredthsSum, count: organisations * 100) else { return nil }
            (self.domain, self.region, self.mean, self.organisations, self.below) = (domain, region, mean, organisations, below)
        }
    }

    /// One CSO's latest confirmed scores and its region.
    public struct Assessed: Sendable, Equatable {
        public let region: UUID?
        public let scores: [String: CapacityScore]

        public init(region: UUID?, scores: [String: CapacityScore]) { (self.region, self.scores) = (region, scores) }
    }

    /// A cell for each domain and region with at least one CSO scored in that domain, in the
    /// instrument's order of domains.
    public static func cells(_ assessed: [Assessed], domains: [String], thresholdHundredths: Int = defaultThresholdHundredths) -> [Cell] {
        var cells: [Cell] = []
        let regions = Set(assessed.map(\.region))
        for domain in domains {
            for region in regions.sorted(by: { ($0?.uuidString ?? "") < ($1?.uuidString ?? "") }) {
                let scores = assessed.filter { $0.region == region }.compactMap { $0.scores[domain] }
                guard let cell = Cell(domain: domain, region: region, hundredthsSum: scores.map(\.hundredths).reduce(0, +),
                                      organisations: scores.count,
                                      below: scores.filter { $0.isBelow(hundredths: thresholdHundredths) }.count) else { continue }
                cells.append(cell)
            }
        }
        return cells
    }

    /// The domains in most need across all regions: most CSOs below the threshold first, then
    /// the lowest mean.
    public static func priorities(_ cells: [Cell]) -> [String] {
        let byDomain = Dictionary(grouping: cells, by: \.domain)
        let ranked = byDomain.map { domain, cells -> (String, Int, Int) in
            let organisations = cells.map(\.organisations).reduce(0, +)
            let below = cells.map(\.below).reduce(0, +)
            let weighted = cells.map { $0.mean.hundredths * $0.organisations }.reduce(0, +)
            return (domain, below * 10_000 / max(organisations, 1), weighted / max(organisations, 1))
        }
        return ranked.sorted { a, b in
            if a.1 != b.1 { return a.1 > b.1 }
            if a.2 != b.2 { return a.2 < b.2 }
            return a.0 < b.0
        }.map(\.0)
    }
}
