import Fluent
import Foundation
import FuqizoCore
import SQLKit

/// Campaigns' part of a communications officer's work list: the actions that have happened
/// without their reach, per campaign. References, dates and counts only.
struct CampaignWorkload: WorkSource {
    func items(for actor: Actor, today: LocalDate, now: Date, on database: any Database) async throws -> [WorkItem] {
        guard actor.has(.communicationsOfficer), let sql = database as? any SQLDatabase else { return [] }
        // Read on every page for the menu's counts: named columns (docs/module-guide.md §4).
        let rows = try await sql.raw("""
            SELECT c.id, c.reference, a.held_on AS "heldOn" FROM campaign_actions a JOIN campaigns c ON c.id = a.campaign_id
            WHERE a.reach_recorded_at IS NULL AND a.held_on <= \(bind: today.description) AND c.status <> \(bind: CampaignStatus.cancelled.rawValue)
            """).all(decoding: Row.self)
        return CampaignWork.communications(rows.compactMap { row in
            LocalDate(row.heldOn).map { .init(campaign: row.id, reference: row.reference, heldOn: $0) }
        })
    }

    private struct Row: Decodable {
        let id: UUID
        let reference: String
        let heldOn: String
    }
}
