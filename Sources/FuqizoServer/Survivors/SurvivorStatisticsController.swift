import Fluent
import Foundation
import FuqizoCore
import Vapor

/// `/statistics/survivors`: the programme's survivor figures for management and donors. Only
/// records consenting to statistics are counted, small cells are suppressed at the donor
/// threshold of the settings, and nothing on the page leads to a record.
struct SurvivorStatisticsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("statistics", "survivors", use: show).access(.viewSurvivorStatistics)
    }

    struct TableContext: Encodable {
        struct Row: Encodable {
            let label: String
            let cells: [String]
        }

        let caption: String
        let columns: [String]
        let rows: [Row]
        let totals: [String]
    }

    struct Page: Encodable {
        let tables: [TableContext]
        let threshold: Int
        /// Records matched to a person registered by another organisation (programme staff only).
        let matches: Int
        let showsMatches: Bool
    }

    func show(req: Request) async throws -> View {
        let settings = try await SettingsService(database: req.db, services: req.services).current()
        let now = req.now
        let statistics = SurvivorStatistics(records: try await SurvivorFigures(database: req.db).records(), at: now,
                                            year: TiranaTime.today(at: now).year, threshold: settings.smallCellDonor)
        let regions = try await GeographyDirectory.load(on: req.db).regions
        let threshold = statistics.cells.threshold
        func context(_ caption: String, _ table: SurvivorStatistics.Table, labels: [String]? = nil) -> TableContext {
            TableContext(caption: req.t(caption), columns: table.columns.map { req.t($0.catalogKey) },
                         rows: zip(labels ?? table.rows, table.cells).map { TableContext.Row(label: $0, cells: $1.map { $0.text(threshold: threshold) }) },
                         totals: table.totals.map { $0.text(threshold: threshold) })
        }
        let regionNames = regions.map { req.language.pick($0.nameSq, $0.nameEn) }
        let tables = [
            context("statistics.byRegion", statistics.stagesByRegion(regions.map(\.code)), labels: regionNames),
            context("statistics.bySex", statistics.breakdown(SurvivorSex.allCases, labels: SurvivorSex.allCases.map { req.t($0.catalogKey) },
                                                             by: \.sex)),
            context("statistics.byAge", statistics.breakdown(AgeBand.allCases, labels: AgeBand.allCases.map { req.t($0.catalogKey) },
                                                             by: statistics.ageBand(of:))),
            context("statistics.byHarm", statistics.breakdown(HarmKind.allCases, labels: HarmKind.allCases.map { req.t($0.catalogKey) },
                                                              by: \.harm)),
            context("statistics.byDisability", statistics.breakdown([true, false], labels: [req.t("statistics.disability.yes"),
                                                                                             req.t("statistics.disability.no")],
                                                                    by: \.hasDisability)),
        ]
        let showsMatches = Policy.decide(req.actor, .viewSurvivorMatchCount).isAllowed
        let matches = showsMatches ? try await SurvivorService(database: req.db, services: req.services).matchCount() : 0
        return try await req.page("statistics/survivors", title: "statistics.title",
                                  Page(tables: tables, threshold: threshold, matches: matches, showsMatches: showsMatches))
    }
}
