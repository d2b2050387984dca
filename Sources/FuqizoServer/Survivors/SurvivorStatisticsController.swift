import Fluent
import Foundation
import FuqizoCore
import SQLKit
import Vapor

/// What statistics may know of every survivor record: its clear attributes, its place on the
/// road to employment and its consents to statistics (the rule in FuqizoCore decides which count).
struct SurvivorFigures {
    let database: any Database

    private struct Row: Decodable {
        let id: UUID
        let person: UUID?
        let region: String
        let sex: String
        let yearOfBirth: Int?
        let harm: String
        let hasDisability: Bool
    }

    private struct Consent: Decodable {
        let survivorId: UUID
        let givenAt: Date
        let withdrawnAt: Date?
    }

    private struct Fact: Decodable {
        let survivorId: UUID
    }

    private struct FollowUp: Decodable {
        let survivorId: UUID
        let months: Int
        let stillWorking: Bool?
    }

    /// Every record with the plain facts the indicators read: one query per table, each a
    /// sequential read, so the page stays flat at national scale. Which facts count as what
    /// is decided by `SurvivorIndicator` in the core, not here.
    func records() async throws -> [StatisticsRecord] {
        guard let sql = database as? any SQLDatabase else { throw AppError.server }
        func all<Row: Decodable>(_ query: SQLQueryString, as type: Row.Type) async throws -> [Row] {
            try await sql.raw(query).all(decoding: Row.self, keyDecodingStrategy: .convertFromSnakeCase)
        }
        let consents = Dictionary(grouping: try await all("""
            SELECT survivor_id, given_at, withdrawn_at FROM survivor_consents WHERE purpose = \(bind: ConsentPurpose.statistics.rawValue)
            """, as: Consent.self), by: \.survivorId)
        let memberships = Dictionary(grouping: try await all("SELECT survivor_id FROM club_memberships", as: Fact.self), by: \.survivorId)
        let starts = Dictionary(grouping: try await all("SELECT survivor_id FROM employment_outcomes", as: Fact.self), by: \.survivorId)
        let followUps = Dictionary(grouping: try await all("SELECT survivor_id, months, still_working FROM employment_followups",
                                                           as: FollowUp.self), by: \.survivorId)
        let rows = try await all("""
            SELECT s.id, m.person_id AS person, r.code AS region, s.sex, s.year_of_birth, s.harm, s.has_disability
            FROM survivors s JOIN programme_regions r ON r.id = s.region_id
            LEFT JOIN survivor_matches m ON m.survivor_id = s.id
            ORDER BY s.opened_at
            """, as: Row.self)
        return rows.compactMap { row in
            guard let sex = SurvivorSex(rawValue: row.sex), let harm = HarmKind(rawValue: row.harm) else { return nil }
            let road = RoadToEmployment(
                clubMemberships: memberships[row.id]?.count ?? 0, employmentStarts: starts[row.id]?.count ?? 0,
                followUps: (followUps[row.id] ?? []).map { RoadToEmployment.FollowUp(months: $0.months, stillWorking: $0.stillWorking) })
            return StatisticsRecord(
                regionCode: row.region, sex: sex, yearOfBirth: row.yearOfBirth, harm: harm, hasDisability: row.hasDisability, road: road,
                statisticsConsents: (consents[row.id] ?? []).map {
                    ConsentRecord(purpose: .statistics, givenAt: $0.givenAt, withdrawnAt: $0.withdrawnAt)
                }, person: row.person ?? row.id)
        }
    }
}

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
        let regions = try await ProgrammeRegion.query(on: req.db).sort(\.$code).all()
        let threshold = statistics.cells.threshold
        func context(_ caption: String, _ table: SurvivorStatistics.Table, labels: [String]? = nil) -> TableContext {
            TableContext(caption: req.t(caption), columns: table.columns.map { req.t($0.catalogKey) },
                         rows: zip(labels ?? table.rows, table.cells).map { TableContext.Row(label: $0, cells: $1.map { $0.text(threshold: threshold) }) },
                         totals: table.totals.map { $0.text(threshold: threshold) })
        }
        let regionNames = regions.map { req.language == .sq ? $0.nameSq : $0.nameEn }
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
        let matches = showsMatches ? try await SurvivorMatch.query(on: req.db).count() : 0
        return try await req.page("statistics/survivors", title: "statistics.title",
                                  Page(tables: tables, threshold: threshold, matches: matches, showsMatches: showsMatches))
    }
}
