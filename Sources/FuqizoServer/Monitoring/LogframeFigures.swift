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

    func values(_ tree: LogframeService.Tree, periods: [ReportingPeriod]? = nil) async throws -> Table {
        let periods = periods ?? tree.periods
        let computed = tree.indicators.contains { if case .computed = $0.source { true } else { false } }
        let facts = computed ? try await facts() : ProgrammeFacts()
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
        let (kept, reads, generation) = state.withLockedValue { state -> (ProgrammeFacts?, Bool, Int) in
            if let kept = state.kept, now >= kept.at, now.timeIntervalSince(kept.at) < Self.lifetime { return (kept.facts, false, state.generation) }
            if state.loading, let kept = state.kept { return (kept.facts, false, state.generation) }
            state.loading = true
            return (nil, true, state.generation)
        }
        if let kept, !reads { return kept }
        do {
            let facts = try await load()
            state.withLockedValue { state in
                state.loading = false
                if state.generation == generation { state.kept = (now, facts) }
            }
            return facts
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
