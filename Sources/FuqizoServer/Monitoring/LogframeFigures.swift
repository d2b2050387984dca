import Fluent
import Foundation
import FuqizoCore

/// The values of the logframe's indicators, computed on demand: a computed indicator from the
/// programme's facts by each period's last day, a manual one from its approved value. Nothing
/// here is stored; a donor report freezes what it shows (`DonorReportService`).
struct LogframeFigures {
    let database: any Database
    let services: AppServices

    var now: Date { services.clock.now() }

    /// indicator code → period code → value.
    typealias Table = [String: [String: IndicatorValue]]

    /// The programme's facts, read at most once a minute (the dashboard is the heaviest page
    /// there is), and read again at once after any change to a survivor's consent or an erasure.
    func facts() async throws -> ProgrammeFacts {
        try await services.programmeFacts.value(at: now) { try await ProgrammeFactsReader(database: database).facts() }
    }

    /// The values of every indicator of `tree` for every one of its periods, kept while the facts
    /// they come from are the same and no value typed by hand changes (the dashboard asks at every
    /// view; computing takes a good part of a second at national scale).
    func values(_ tree: LogframeService.Tree) async throws -> Table {
        try await stampedValues(tree).table
    }

    /// The same, with when the facts they come from were read (the dashboard says so).
    func stampedValues(_ tree: LogframeService.Tree) async throws -> (table: Table, stamp: Date) {
        let (facts, stamp) = try await services.programmeFacts.value(key: "", at: now) { try await ProgrammeFactsReader(database: database).facts() }
        let table = try await services.indicatorTables.value(key: "\(tree.id)|\(stamp.timeIntervalSince1970)", at: now) {
            try await values(tree, periods: tree.periods, facts: facts)
        }.value
        return (table, stamp)
    }

    /// The values for some periods, computed now (a report freezes them).
    func values(_ tree: LogframeService.Tree, periods: [ReportingPeriod]) async throws -> Table {
        try await values(tree, periods: periods, facts: nil)
    }

    private func values(_ tree: LogframeService.Tree, periods: [ReportingPeriod], facts known: ProgrammeFacts?) async throws -> Table {
        let computed = tree.indicators.contains { if case .computed = $0.source { true } else { false } }
        let facts: ProgrammeFacts
        if !computed { facts = ProgrammeFacts() } else if let known { facts = known } else { facts = try await self.facts() }
        let manual = try await approvedValues(codes: tree.indicators.filter { $0.source == .manual }.map(\.code))
        let regions = computed ? try await regionCodes() : []
        let instant = now
        var table: Table = [:]
        for indicator in tree.indicators {
            var row: [String: IndicatorValue] = [:]
            for period in periods {
                switch indicator.source {
                case .computed(let definition):
                    row[period.code] = definition.completed(definition.value(of: facts, by: period.endsOn, at: instant), regions: regions)
                case .manual: row[period.code] = manual[indicator.code]?[period.code].map { IndicatorValue(total: $0) }
                }
            }
            table[indicator.code] = row
        }
        return table
    }

    /// The summaries' measures by the end of a day.
    func measures(by day: LocalDate) async throws -> [ComputedIndicator: IndicatorValue] {
        let facts = try await facts()
        let regions = try await regionCodes()
        let instant = now
        return Dictionary(uniqueKeysWithValues: ReportSummary.allMeasures.map { ($0, $0.completed($0.value(of: facts, by: day, at: instant), regions: regions)) })
    }

    /// The programme's regions' codes, in order.
    private func regionCodes() async throws -> [String] {
        try await WebsiteService(database: database, now: now).regions().map(\.code)
    }

    /// The latest approved value of each manual indicator and period.
    private func approvedValues(codes: [String]) async throws -> [String: [String: Int64]] {
        guard !codes.isEmpty else { return [:] }
        let rows = try await IndicatorValueEntry.query(on: database).filter(\.$indicatorCode ~~ codes).filter(\.$status == .approved)
            .sort(\.$reviewedAt).all()
        var values: [String: [String: Int64]] = [:]
        for row in rows { values[row.indicatorCode, default: [:]][row.periodCode] = row.value }
        return values
    }
}

