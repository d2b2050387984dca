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
        let hasDisability: Int
        let inClub: Int
        let employed: Int
        let stillEmployed: Int

        enum CodingKeys: String, CodingKey {
            case id, person, region, sex, harm
            case yearOfBirth = "year_of_birth", hasDisability = "has_disability", inClub = "in_club"
            case employed, stillEmployed = "still_employed"
        }
    }

    private struct Consent: Decodable {
        let survivorID: UUID
        let givenAt: Date
        let withdrawnAt: Date?

        enum CodingKeys: String, CodingKey {
            case survivorID = "survivor_id", givenAt = "given_at", withdrawnAt = "withdrawn_at"
        }
    }

    func records() async throws -> [StatisticsRecord] {
        guard let sql = database as? any SQLDatabase else { throw AppError.server }
        let consents = Dictionary(grouping: try await sql.raw("""
            SELECT survivor_id, given_at, withdrawn_at FROM survivor_consents WHERE purpose = \(bind: ConsentPurpose.statistics.rawValue)
            """).all(decoding: Consent.self), by: \.survivorID)
        let rows = try await sql.raw("""
            SELECT s.id, m.person_id AS person, r.code AS region, s.sex, s.year_of_birth, s.harm,
                   CASE WHEN s.has_disability THEN 1 ELSE 0 END AS has_disability,
                   CASE WHEN EXISTS (SELECT 1 FROM club_memberships m WHERE m.survivor_id = s.id) THEN 1 ELSE 0 END AS in_club,
                   CASE WHEN EXISTS (SELECT 1 FROM employment_outcomes e WHERE e.survivor_id = s.id) THEN 1 ELSE 0 END AS employed,
                   CASE WHEN EXISTS (SELECT 1 FROM employment_followups f WHERE f.survivor_id = s.id AND f.months = 6
                                     AND f.still_working = \(bind: true)) THEN 1 ELSE 0 END AS still_employed
            FROM survivors s JOIN programme_regions r ON r.id = s.region_id
            LEFT JOIN survivor_matches m ON m.survivor_id = s.id
            ORDER BY s.opened_at
            """).all(decoding: Row.self)
        return rows.compactMap { row in
            guard let sex = SurvivorSex(rawValue: row.sex), let harm = HarmKind(rawValue: row.harm) else { return nil }
            return StatisticsRecord(
                regionCode: row.region, sex: sex, yearOfBirth: row.yearOfBirth, harm: harm, hasDisability: row.hasDisability == 1,
                inClub: row.inClub == 1, employed: row.employed == 1, stillEmployedAtSixMonths: row.stillEmployed == 1,
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
