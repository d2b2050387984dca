/// Small-cell suppression for counts shown outside case work. A count from 1 to below the
/// threshold could point at a person, so it is not shown; and where a table shows its total, a
/// single hidden cell could be worked out by subtraction, so the next smallest cell is hidden
/// with it (secondary suppression). Zeros are shown: "nobody" points at no one.
public struct SmallCells: Sendable, Equatable {
    public enum Cell: Sendable, Equatable {
        case shown(Int)
        /// Small: from 1 to below the threshold.
        case suppressed
        /// Hidden with a small one so that it cannot be subtracted out. It may be large, so
        /// it must not read "<threshold": it shows a neutral mark the page explains.
        case withheld

        public static let withheldMark = "–"

        /// The count as printed: the number, "<threshold", or the neutral mark.
        public func text(threshold: Int) -> String {
            switch self {
            case .shown(let count): String(count)
            case .suppressed: "<\(threshold)"
            case .withheld: Self.withheldMark
            }
        }
    }

    public let threshold: Int

    /// No threshold is lower: a count of 1 or 2 outside case work can point at a person whatever
    /// the settings say.
    public static let floor = 3

    public init(threshold: Int) {
        self.threshold = max(Self.floor, threshold)
    }

    public func isSmall(_ count: Int) -> Bool {
        count > 0 && count < threshold
    }

    /// The cells of one group whose total is published, and that total.
    public func protect(_ counts: [Int]) -> (cells: [Cell], total: Cell) {
        let total = counts.reduce(0, +)
        let small = counts.map(isSmall)
        var withheld: Int?
        if small.count(where: { $0 }) == 1 {
            withheld = counts.indices.filter({ !small[$0] && counts[$0] > 0 }).min(by: { counts[$0] < counts[$1] })
        }
        let cells = counts.indices.map { index in
            small[index] ? Cell.suppressed : index == withheld ? .withheld : .shown(counts[index])
        }
        return (cells, isSmall(total) ? .suppressed : .shown(total))
    }
}
