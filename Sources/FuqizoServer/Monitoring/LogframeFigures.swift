import Fluent
import Foundation
import FuqizoCore
import NIOConcurrencyHelpers

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
        try await services.programmeFacts.facts(at: now) { try await ProgrammeFactsReader(database: database).facts() }
    }

    /// The values of every indicator of `tree` for every one of its periods, kept while the facts
    /// they come from are the same and no value typed by hand changes (the dashboard asks at every
    /// view; computing takes a good part of a second at national scale).
    func values(_ tree: LogframeService.Tree) async throws -> Table {
        try await stampedValues(tree).table
    }

    /// The same, with when the facts they come from were read (the dashboard says so).
    func stampedValues(_ tree: LogframeService.Tree) async throws -> (table: Table, stamp: Date) {
        let (facts, stamp) = try await services.programmeFacts.stampedFacts(at: now) { try await ProgrammeFactsReader(database: database).facts() }
        let table = try await services.indicatorTables.table(key: "\(tree.id)|\(stamp.timeIntervalSince1970)") {
            try await values(tree, periods: tree.periods, facts: facts)
        }
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

/// The programme's facts as last read, for a minute at most; forgotten at every change to a
/// survivor's consents, so that a withdrawal takes effect at the next computation, as the consent
/// promises. One request reads them again when they are old while the others go on with the
/// old ones (never after a forget): at national scale a read takes seconds, and eight readers at
/// once would stall the dashboard for everyone.
final class ProgrammeFactsMemory: Sendable {
    static let lifetime: TimeInterval = 60

    private struct State {
        var kept: (at: Date, facts: ProgrammeFacts)?
        var loading = false
        /// Bumped by `forget`: a read begun before it is not kept.
        var generation = 0
    }

    private let state = NIOLockedValueBox(State())

    func facts(at now: Date, load: () async throws -> ProgrammeFacts) async throws -> ProgrammeFacts {
        try await stampedFacts(at: now, load: load).facts
    }

    /// The facts and when they were read: what is computed from them may be kept as long as the
    /// stamp is the same.
    func stampedFacts(at now: Date, load: () async throws -> ProgrammeFacts) async throws -> (facts: ProgrammeFacts, stamp: Date) {
        let (kept, reads, generation) = state.withLockedValue { state -> ((at: Date, facts: ProgrammeFacts)?, Bool, Int) in
            if let kept = state.kept, now >= kept.at, now.timeIntervalSince(kept.at) < Self.lifetime { return (kept, false, state.generation) }
            if state.loading, let kept = state.kept { return (kept, false, state.generation) }
            state.loading = true
            return (nil, true, state.generation)
        }
        if let kept, !reads { return (kept.facts, kept.at) }
        do {
            let facts = try await load()
            state.withLockedValue { state in
                state.loading = false
                if state.generation == generation { state.kept = (now, facts) }
            }
            return (facts, now)
        } catch {
            state.withLockedValue { $0.loading = false }
            throw error
        }
    }

    func forget() {
        state.withLockedValue { state in
            state.kept = nil
            state.generation += 1
        }
    }
}

/// The indicator values last computed for the logframe in force, kept while they are asked for
/// under the same key (the logframe and the stamp of the facts); forgotten when a value typed by
/// hand is approved or given back. While one request computes them anew the others go on with
/// the previous table.
final class IndicatorTableMemory: Sendable {
    private struct State {
        var kept: (key: String, table: LogframeFigures.Table)?
        var loading = false
        var generation = 0
    }

    private let state = NIOLockedValueBox(State())

    func table(key: String, make: () async throws -> LogframeFigures.Table) async throws -> LogframeFigures.Table {
        let (kept, computes, generation) = state.withLockedValue { state -> (LogframeFigures.Table?, Bool, Int) in
            if let kept = state.kept, kept.key == key { return (kept.table, false, state.generation) }
            if state.loading, let kept = state.kept { return (kept.table, false, state.generation) }
            state.loading = true
            return (nil, true, state.generation)
        }
        if let kept, !computes { return kept }
        do {
            let table = try await make()
            state.withLockedValue { state in
                state.loading = false
                if state.generation == generation { state.kept = (key, table) }
            }
            return table
        } catch {
            state.withLockedValue { $0.loading = false }
            throw error
        }
    }

    func forget() {
        state.withLockedValue { state in
            state.kept = nil
            state.generation += 1
        }
    }
}
