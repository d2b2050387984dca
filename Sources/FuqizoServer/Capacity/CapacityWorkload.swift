import Fluent
import Foundation
import FuqizoCore
import SQLKit
import Vapor

/// Capacity assessment's part of people's work lists: the self-assessments a CSO user's
/// organisations must fill or confirm, and what waits for a facilitator's review, counted
/// per round. Round references and dates only.
struct CapacityWorkload: WorkSource {
    func items(for actor: Actor, today: LocalDate, now: Date, on database: any Database) async throws -> [WorkItem] {
        guard let sql = database as? any SQLDatabase, let user = actor.userID else { return [] }
        var items: [WorkItem] = []
        let organisations = Array(actor.organisations(as: .csoUser))
        if !organisations.isEmpty {
            // Read on every page for the menu's counts: named columns (docs/module-guide.md §4).
            let rows = try await sql.raw("""
                SELECT a.id, r.reference, a.status, r.due_on AS "dueOn" FROM capacity_assessments a JOIN capacity_rounds r ON r.id = a.round_id
                WHERE a.organisation_id IN (\(binds: organisations)) AND a.status IN ('draft', 'reviewed')
                """).all(decoding: OwnRow.self)
            items += CapacityWork.organisation(rows.compactMap { row in
                SelfAssessmentStatus(rawValue: row.status).map { .init(id: row.id, round: row.reference, status: $0, dueOn: LocalDate(row.dueOn)) }
            })
        }
        if Policy.decide(actor, .facilitateAssessment).isAllowed {
            let rows = try await sql.raw("""
                SELECT r.id, r.reference, r.due_on AS "dueOn",
                       (SELECT CAST(COUNT(*) AS BIGINT) FROM capacity_assessments a WHERE a.round_id = r.id AND a.status = 'submitted') AS submitted
                FROM capacity_rounds r WHERE r.facilitator_id = \(bind: user)
                """).all(decoding: RoundRow.self)
            items += CapacityWork.facilitator(rows.map { .init(round: $0.id, reference: $0.reference, submitted: $0.submitted, dueOn: LocalDate($0.dueOn)) })
        }
        return items
    }

    private struct OwnRow: Decodable {
        let id: UUID
        let reference: String
        let status: String
        let dueOn: String
    }

    private struct RoundRow: Decodable {
        let id: UUID
        let reference: String
        let dueOn: String
        let submitted: Int
    }
}
