import Foundation

/// Ranking within one lot, and the award of grants within its envelope.
///
/// The rule, as it is written in the evaluation report:
/// 1. Applications are ordered by final score, highest first. Ties are broken by the higher
///    relevance score, then by the earlier submission, then by reference.
/// 2. Applications below the threshold are out.
/// 3. Going down the list, an application is awarded when its requested amount fits in what is
///    left of the lot's envelope. One that does not fit is skipped, not split: it goes to the
///    reserve list, and the next ones may still be awarded.
/// 4. Every other application above the threshold is on the reserve list, in ranking order.
/// 5. A withdrawn application takes no part; ranking again after a withdrawal awards the first
///    reserve applications that now fit.
public enum Ranking {
    public struct Candidate: Sendable, Equatable {
        public var id: String
        public var reference: String
        public var score: Double
        public var relevance: Double
        public var requestedMinorUnits: Int64
        public var submittedAt: Date
        public var withdrawn: Bool

        public init(id: String, reference: String, score: Double, relevance: Double, requestedMinorUnits: Int64,
                    submittedAt: Date, withdrawn: Bool = false) {
            self.id = id
            self.reference = reference
            self.score = score
            self.relevance = relevance
            self.requestedMinorUnits = requestedMinorUnits
            self.submittedAt = submittedAt
            self.withdrawn = withdrawn
        }
    }

    public enum Outcome: String, Sendable, Codable {
        case awarded
        case reserve
        case belowThreshold
        case withdrawn
    }

    /// Why an application landed where it did, for the officer and the letters.
    public enum Reason: Sendable, Equatable {
        case fitsEnvelope(remainingAfterMinorUnits: Int64)
        case doesNotFit(remainingMinorUnits: Int64)
        case envelopeUsed
        case belowThreshold(threshold: Double)
        case withdrawn
    }

    public struct Entry: Sendable, Equatable {
        public let candidate: Candidate
        /// 1-based position among the ranked (non-withdrawn) applications.
        public let rank: Int?
        public let outcome: Outcome
        public let reason: Reason
        /// 1-based position on the reserve list.
        public let reservePosition: Int?
    }

    public struct Result: Sendable, Equatable {
        public let entries: [Entry]
        public let awardedMinorUnits: Int64
        public let remainingMinorUnits: Int64

        public var awarded: [Entry] { entries.filter { $0.outcome == .awarded } }
        public var reserve: [Entry] { entries.filter { $0.outcome == .reserve } }
    }

    static func precedes(_ a: Candidate, _ b: Candidate) -> Bool {
        if a.score != b.score { return a.score > b.score }
        if a.relevance != b.relevance { return a.relevance > b.relevance }
        if a.submittedAt != b.submittedAt { return a.submittedAt < b.submittedAt }
        return a.reference < b.reference
    }

    public static func rank(_ candidates: [Candidate], envelopeMinorUnits: Int64, threshold: Double) -> Result {
        let ordered = candidates.filter { !$0.withdrawn }.sorted(by: precedes)
        var remaining = envelopeMinorUnits
        var entries: [Entry] = []
        var reserveCount = 0
        for (index, candidate) in ordered.enumerated() {
            let rank = index + 1
            if candidate.score < threshold {
                entries.append(Entry(candidate: candidate, rank: rank, outcome: .belowThreshold,
                                     reason: .belowThreshold(threshold: threshold), reservePosition: nil))
            } else if candidate.requestedMinorUnits <= remaining {
                remaining -= candidate.requestedMinorUnits
                entries.append(Entry(candidate: candidate, rank: rank, outcome: .awarded,
                                     reason: .fitsEnvelope(remainingAfterMinorUnits: remaining), reservePosition: nil))
            } else {
                reserveCount += 1
                entries.append(Entry(candidate: candidate, rank: rank, outcome: .reserve,
                                     reason: remaining == 0 ? .envelopeUsed : .doesNotFit(remainingMinorUnits: remaining),
                                     reservePosition: reserveCount))
            }
        }
        for candidate in candidates where candidate.withdrawn {
            entries.append(Entry(candidate: candidate, rank: nil, outcome: .withdrawn, reason: .withdrawn, reservePosition: nil))
        }
        return Result(entries: entries, awardedMinorUnits: envelopeMinorUnits - remaining, remainingMinorUnits: remaining)
    }
}
