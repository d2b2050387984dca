import Foundation

/// Who reads a figure outside case work, and so which small-cell threshold protects it.
public enum FigureAudience: Sendable {
    /// Programme managers, donors and donor reports: the donor threshold (5 by default).
    case donor
    /// The public website and open data: the public threshold (11 by default).
    case publicSite

    public func threshold(in settings: ProgrammeSettings) -> Int {
        switch self {
        case .donor: settings.smallCellDonor
        case .publicSite: settings.smallCellPublic
        }
    }
}

/// An indicator's value as it may be shown: counts of people pass through small-cell
/// suppression (the total on its own, each breakdown with secondary suppression against it);
/// other values (organisations, events, money, scores) are shown as they are.
public struct DisclosedValue: Sendable, Equatable {
    public struct Breakdown: Sendable, Equatable {
        public let by: Disaggregation
        public let cells: [(key: String, cell: SmallCells.Cell)]

        public static func == (lhs: Breakdown, rhs: Breakdown) -> Bool {
            lhs.by == rhs.by && lhs.cells.map(\.key) == rhs.cells.map(\.key) && lhs.cells.map(\.cell) == rhs.cells.map(\.cell)
        }
    }

    /// Nil: nothing to compute from.
    public let total: SmallCells.Cell?
    public let breakdowns: [Breakdown]
    public let threshold: Int

    /// Whether people are counted, so that a small manual count is protected too: a value typed
    /// by hand may count anyone, and nothing says it does not.
    public static func countsPeople(_ source: IndicatorSource, unit: IndicatorUnit) -> Bool {
        switch source {
        case .computed(let computed): computed.countsPeople
        case .manual: unit == .count
        }
    }

    public init(_ value: IndicatorValue, countsPeople: Bool, threshold: Int) {
        let cells = SmallCells(threshold: threshold)
        self.threshold = cells.threshold
        func plain(_ number: Int64) -> SmallCells.Cell { .shown(Int(clamping: number)) }
        guard countsPeople else {
            total = value.total.map(plain)
            breakdowns = value.breakdowns.map { breakdown in
                Breakdown(by: breakdown.by, cells: breakdown.cells.map { ($0.key, plain($0.value)) })
            }
            return
        }
        total = value.total.map { cells.isSmall(Int(clamping: $0)) ? .suppressed : plain($0) }
        breakdowns = value.breakdowns.map { breakdown in
            let protected = cells.protect(breakdown.cells.map { Int(clamping: $0.value) })
            return Breakdown(by: breakdown.by, cells: Array(zip(breakdown.cells.map(\.key), protected.cells)).map { ($0.0, $0.1) })
        }
    }
}

/// The values a report used, frozen when it was made: the report reads these for ever after, so
/// a later correction of the data or a new definition never changes a submitted report.
public struct FrozenFigures: Codable, Sendable, Equatable {
    public struct Figure: Codable, Sendable, Equatable {
        public let indicator: String
        public let period: String
        public let source: String
        public let value: IndicatorValue

        public init(indicator: String, period: String, source: IndicatorSource, value: IndicatorValue) {
            (self.indicator, self.period, self.source, self.value) = (indicator, period, source.code, value)
        }
    }

    public let frozenAt: Date
    /// `ComputedIndicator.definitionsVersion` when frozen.
    public let definitionsVersion: Int
    public let figures: [Figure]
    /// The summaries' measures at the end of the report's period, by computed definition.
    public let measures: [String: IndicatorValue]

    public init(frozenAt: Date, definitionsVersion: Int = ComputedIndicator.definitionsVersion, figures: [Figure],
                measures: [ComputedIndicator: IndicatorValue] = [:]) {
        (self.frozenAt, self.definitionsVersion, self.figures) = (frozenAt, definitionsVersion, figures)
        self.measures = Dictionary(uniqueKeysWithValues: measures.map { ($0.key.rawValue, $0.value) })
    }

    public func measure(_ indicator: ComputedIndicator) -> IndicatorValue? { measures[indicator.rawValue] }

    public func value(indicator: String, period: String) -> IndicatorValue? {
        figures.first { $0.indicator == indicator && $0.period == period }?.value
    }
}

/// The summary tables of a donor report beside the logframe, as the EU's narrative report
/// annexes group them; each row is a computed definition, broken down by region where it can be.
public enum ReportSummary: String, CaseIterable, Sendable {
    case grants, capacity, visibility, finance

    public var catalogKey: String { "donorReport.summary.\(rawValue)" }

    public var measures: [ComputedIndicator] {
        switch self {
        case .grants: [.callsPublished, .applicationsReceived, .grantsAwarded, .grantsContracted]
        case .capacity: [.csosAssessedBaseline, .csosAssessedEndline, .meanCapacityGain, .csoMembersTrained, .csoMembersCertified, .eventsHeld]
        case .visibility: [.peopleReached, .mediaMentions]
        case .finance: [.callEnvelope, .grantAmountAwarded, .grantAmountContracted, .grantAmountDisbursed, .grantAmountReported,
                        .prefinancingSpentShare]
        }
    }

    public static var allMeasures: [ComputedIndicator] { allCases.flatMap(\.measures) }
}
