import Fluent
import Foundation
import FuqizoCore
import SQLKit

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
