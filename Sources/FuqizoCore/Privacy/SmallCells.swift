/// Small-cell suppression for counts shown outside case work. A count from 1 to below the
/// threshold could point at a person, so it is not shown; and where a table shows its total, a
/// single hidden cell could be worked out by subtraction, so the next smallest cell is hidden
/// with it (secondary suppression). Zeros are shown: "nobody" points at no one.
public struct SmallCells: Sendable, Equatable {
    public enum Cell: Sendable, Equatable {
        case shown(Int)
        case suppressed

        /// The count as printed: the number, or "<threshold".
        public func text(threshold: Int) -> String {
            switch self {
            case .shown(let count): String(count)
            case .suppressed: "<\(threshold)"
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
        var hidden = counts.map(isSmall)
        if hidden.count(where: { $0 }) == 1,
           let next = counts.indices.filter({ !hidden[$0] && counts[$0] > 0 }).min(by: { counts[$0] < counts[$1] }) {
            hidden[next] = true
        }
        let cells = counts.indices.map { hidden[$0] ? Cell.suppressed : .shown(counts[$0]) }
        return (cells, isSmall(total) ? .suppressed : .shown(total))
    }
}
