import Fluent
import Foundation
import FuqizoCore
import SQLKit
import Vapor

/// Case work's part of people's work lists: the facts `SurvivorWork` needs, for the
/// organisations a person works in. Only codes and dates are read: nothing sealed.
struct SurvivorWorkload: WorkSource {
    /// A list of hundreds of overdue steps helps nobody: the caseload has the rest.
    static let limit = 200
    /// Sessions whose attendance was never taken stop being asked about after this long.
    static let attendanceDays = 30

    func items(for actor: Actor, today: LocalDate, now: Date, on database: any Database) async throws -> [WorkItem] {
        guard let sql = database as? any SQLDatabase, let user = actor.userID else { return [] }
        var items: [WorkItem] = []
        let organisations = Array(actor.organisations(as: .caseWorker))
        if !organisations.isEmpty {
            let horizon = today.adding(days: WorkUrgency.soonDays).description
            let followUps = try await dated(sql, """
                SELECT s.code AS record, s.code AS code, f.due_on AS day FROM employment_followups f JOIN survivors s ON s.id = f.survivor_id
                WHERE s.organisation_id IN (\(binds: organisations)) AND s.status = 'open' AND f.recorded_at IS NULL AND f.due_on <= \(bind: horizon)
                ORDER BY f.due_on LIMIT \(literal: Self.limit)
                """)
            let steps = try await dated(sql, """
                SELECT s.code AS record, s.code AS code, p.due_on AS day FROM plan_steps p JOIN survivors s ON s.id = p.survivor_id
                WHERE s.organisation_id IN (\(binds: organisations)) AND s.status = 'open'
                  AND p.status IN ('planned', 'inProgress') AND p.due_on IS NOT NULL AND p.due_on < \(bind: today.description)
                ORDER BY p.due_on LIMIT \(literal: Self.limit)
                """)
            let referrals = try await sql.raw("""
                SELECT r.id AS record, s.code AS code, r.sent_at AS at FROM survivor_referrals r JOIN survivors s ON s.id = r.survivor_id
                WHERE r.to_organisation_id IN (\(binds: organisations)) AND r.status = 'sent'
                ORDER BY r.sent_at LIMIT \(literal: Self.limit)
                """).all(decoding: SentRow.self).map {
                SurvivorWork.Dated(record: $0.record.uuidString, code: $0.code, on: TiranaTime.today(at: $0.at))
            }
            items += SurvivorWork.caseWorker(followUps: followUps, overdueSteps: steps, referralsReceived: referrals, today: today)
        }
        if Policy.decide(actor, .runClub).isAllowed {
            let from = today.adding(days: -Self.attendanceDays).description, to = today.adding(days: WorkUrgency.soonDays).description
            let sessions = try await sql.raw("""
                SELECT c.id, c.held_on,
                       EXISTS (SELECT 1 FROM club_attendance a WHERE a.session_id = c.id AND a.recorded_at IS NOT NULL) AS taken
                FROM club_sessions c
                WHERE c.facilitator_id = \(bind: user) AND c.held_on >= \(bind: from) AND c.held_on <= \(bind: to)
                """).all(decoding: SessionRow.self).compactMap { row in
                LocalDate(row.heldOn).map { SurvivorWork.Session(id: row.id, on: $0, attendanceTaken: row.taken) }
            }
            items += SurvivorWork.facilitator(sessions, today: today)
        }
        return items
    }

    private struct DatedRow: Decodable {
        let record: String
        let code: String
        let day: String
    }

    private struct SentRow: Decodable {
        let record: UUID
        let code: String
        let at: Date
    }

    private struct SessionRow: Decodable {
        let id: UUID
        let heldOn: String
        let taken: Bool

        enum CodingKeys: String, CodingKey {
            case id, heldOn = "held_on", taken
        }
    }

    private func dated(_ sql: any SQLDatabase, _ query: SQLQueryString) async throws -> [SurvivorWork.Dated] {
        try await sql.raw(query).all(decoding: DatedRow.self).compactMap { row in
            LocalDate(row.day).map { SurvivorWork.Dated(record: row.record, code: row.code, on: $0) }
        }
    }
}
