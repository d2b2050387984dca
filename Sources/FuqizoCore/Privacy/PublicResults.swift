import Foundation

/// The programme's results as the public website publishes them: figures per programme region
/// and in total. Counts of people (survivors, people trained, people reached) pass through
/// `SmallCells` column by column, so that no small group can be read off a row or worked out
/// from the total; counts of organisations, grants and events, and money, are published as they
/// are (grant awards are public under the donor's transparency rules).
public struct PublicResults: Sendable, Equatable {
    public enum Measure: String, CaseIterable, Sendable {
        case grants, grantAmount, organisationsTrained, peopleTrained, eventsHeld, peopleReached, survivorsSupported, survivorsInClub, survivorsInWork

        /// Whether each figure counts people and so is protected.
        public var countsPeople: Bool {
            switch self {
            case .peopleTrained, .peopleReached, .survivorsSupported, .survivorsInClub, .survivorsInWork: true
            case .grants, .grantAmount, .organisationsTrained, .eventsHeld: false
            }
        }

        public var catalogKey: String { "results.measure.\(rawValue)" }
    }

    /// One figure as published.
    public enum Figure: Sendable, Equatable {
        case value(Int64)
        case cell(SmallCells.Cell)
    }

    /// Per measure: the figure of each row (in the order given), and the total.
    public let rows: [Measure: [Figure]]
    public let totals: [Measure: Figure]

    static let ceiling: Int64 = 1_000_000_000_000_000

    /// `counts[measure][row]`: the raw figure of each row (regions, and "elsewhere or online"
    /// last). A missing measure counts as zeros.
    public init(counts: [Measure: [Int64]], rowCount: Int, threshold: Int) {
        let cells = SmallCells(threshold: threshold)
        var rows: [Measure: [Figure]] = [:], totals: [Measure: Figure] = [:]
        for measure in Measure.allCases {
            let column = (counts[measure] ?? []) + Array(repeating: 0, count: max(0, rowCount - (counts[measure]?.count ?? 0)))
            // Bounded so that adding a handful of rows can never overflow.
            let values = Array(column.prefix(rowCount)).map { min(max(0, $0), Self.ceiling) }
            if measure.countsPeople {
                let protected = cells.protect(values.map { Int(clamping: $0) })
                rows[measure] = protected.cells.map(Figure.cell)
                totals[measure] = .cell(protected.total)
            } else {
                rows[measure] = values.map(Figure.value)
                totals[measure] = .value(values.saturatingSum())
            }
        }
        self.rows = rows
        self.totals = totals
    }
}
