import Fluent
import Foundation
import FuqizoCore
import SQLKit
import Vapor

/// The raw figures behind the public results page, per programme region. Never a row about a
/// person: each query counts or adds up, grouped by region, and `PublicResults` protects the
/// counts of people before anything is shown.
struct ResultsService {
    let database: any Database

    /// The figures of each region, in the order of `regions`, then of everything outside them
    /// (online events, organisations elsewhere).
    struct Figures: Sendable {
        let regions: [GeographyDirectory.Region]
        let counts: [PublicResults.Measure: [Int64]]
        var rowCount: Int { regions.count + 1 }
    }

    private struct Row: Decodable {
        let regionID: UUID?
        let n: Int64
        let m: Int64?
    }

    private var sql: any SQLDatabase {
        get throws {
            guard let sql = database as? any SQLDatabase else { throw AppError.server }
            return sql
        }
    }

    /// Contracts signed by both parties count as grants awarded, whatever happened after.
    private static let awarded: [ContractStatus] = [.signed, .inImplementation, .finalReportApproved, .closed, .suspended, .terminated]

    func figures(at now: Date) async throws -> Figures {
        let sql = try self.sql
        let regions = try await GeographyDirectory.load(on: database).regions
        let awarded = SQLList(Self.awarded.map { SQLBind($0.rawValue) })
        let attended = SQLList([AttendanceMark.present, .late].map { SQLBind($0.rawValue) })
        let public_ = SQLList(CampaignStatus.publicCases.map { SQLBind($0.rawValue) })
        let grants = try await sql.raw("""
            SELECT region_id AS "regionID", CAST(COUNT(*) AS BIGINT) AS n, CAST(SUM(amount_minor_units) AS BIGINT) AS m
            FROM grant_contracts WHERE status IN (\(awarded)) GROUP BY region_id
            """).all(decoding: Row.self)
        // Organisations and people with at least one session attended, by the organisation's region.
        let trained = try await sql.raw("""
            SELECT rm.region_id AS "regionID", CAST(COUNT(DISTINCT r.organisation_id) AS BIGINT) AS n,
                   CAST(COUNT(DISTINCT r.person_id) AS BIGINT) AS m
            FROM event_registrations r JOIN organisations o ON o.id = r.organisation_id
            LEFT JOIN region_municipalities rm ON rm.municipality_id = o.municipality_id
            WHERE EXISTS (SELECT 1 FROM event_attendance a WHERE a.registration_id = r.id AND a.mark IN (\(attended)))
            GROUP BY rm.region_id
            """).all(decoding: Row.self)
        let events = try await sql.raw("""
            SELECT e.region_id AS "regionID", CAST(COUNT(*) AS BIGINT) AS n, CAST(NULL AS BIGINT) AS m FROM capacity_events e
            WHERE EXISTS (SELECT 1 FROM event_sessions s WHERE s.event_id = e.id AND s.attendance_taken_at IS NOT NULL)
            GROUP BY e.region_id
            """).all(decoding: Row.self)
        let reached = try await sql.raw("""
            SELECT a.region_id AS "regionID", CAST(SUM(a.female + a.male + a.other_sex + a.unstated_sex) AS BIGINT) AS n, CAST(NULL AS BIGINT) AS m
            FROM campaign_actions a JOIN campaigns c ON c.id = a.campaign_id
            WHERE c.status IN (\(public_)) AND a.reach_recorded_at IS NOT NULL GROUP BY a.region_id
            """).all(decoding: Row.self)
        // Only records whose consent to statistics holds now count, as everywhere outside case work.
        let consenting: SQLQueryString = """
            EXISTS (SELECT 1 FROM survivor_consents k WHERE k.survivor_id = s.id AND k.purpose = \(bind: ConsentPurpose.statistics.rawValue)
                    AND k.given_at <= \(bind: now) AND (k.withdrawn_at IS NULL OR k.withdrawn_at > \(bind: now)))
            """
        let survivors = try await sql.raw("""
            SELECT s.region_id AS "regionID", CAST(COUNT(*) AS BIGINT) AS n, CAST(NULL AS BIGINT) AS m FROM survivors s
            WHERE \(consenting) GROUP BY s.region_id
            """).all(decoding: Row.self)
        let club = try await sql.raw("""
            SELECT s.region_id AS "regionID", CAST(COUNT(*) AS BIGINT) AS n, CAST(NULL AS BIGINT) AS m FROM survivors s
            WHERE \(consenting) AND EXISTS (SELECT 1 FROM club_memberships c WHERE c.survivor_id = s.id) GROUP BY s.region_id
            """).all(decoding: Row.self)
        let work = try await sql.raw("""
            SELECT s.region_id AS "regionID", CAST(COUNT(*) AS BIGINT) AS n, CAST(NULL AS BIGINT) AS m FROM survivors s
            WHERE \(consenting) AND EXISTS (SELECT 1 FROM employment_outcomes o WHERE o.survivor_id = s.id) GROUP BY s.region_id
            """).all(decoding: Row.self)
        // One column per measure, rows in the regions' order, the rest last.
        func column(_ rows: [Row], _ value: (Row) -> Int64?) -> [Int64] {
            var column = Array(repeating: Int64(0), count: regions.count + 1)
            for row in rows {
                let index = row.regionID.flatMap { id in regions.firstIndex { $0.id == id } } ?? regions.count
                column[index] = column[index].saturatingAdding(max(0, value(row) ?? 0))
            }
            return column
        }
        return Figures(regions: regions, counts: [
            .grants: column(grants, \.n), .grantAmount: column(grants, \.m),
            .organisationsTrained: column(trained, \.n), .peopleTrained: column(trained, \.m),
            .eventsHeld: column(events, \.n), .peopleReached: column(reached, \.n),
            .survivorsSupported: column(survivors, \.n), .survivorsInClub: column(club, \.n), .survivorsInWork: column(work, \.n),
        ])
    }
}
