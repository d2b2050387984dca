import Fluent
import Foundation
import FuqizoCore
import SQLKit

/// Campaigns' and the news's part of the work lists: for a communications officer, the actions
/// that have happened without their reach (per campaign) and the articles scheduled; for them
/// and programme managers, the articles others sent for review. References, dates and counts only.
struct CampaignWorkload: WorkSource {
    func items(for actor: Actor, today: LocalDate, now: Date, on database: any Database) async throws -> [WorkItem] {
        guard let sql = database as? any SQLDatabase, let user = actor.userID else { return [] }
        var items: [WorkItem] = []
        if actor.has(.communicationsOfficer) || actor.has(.programmeManager) {
            let rows = try await sql.raw("""
                SELECT a.id, a.slug_sq AS slug FROM articles a JOIN article_versions v ON v.article_id = a.id AND v.number = a.latest_version
                WHERE a.status = \(bind: ArticleStatus.inReview.rawValue) AND v.written_by <> \(bind: user)
                """).all(decoding: ArticleRow.self)
            items += CampaignWork.articles(toReview: rows.map { .init(article: $0.id, slug: $0.slug) }, scheduled: [])
        }
        guard actor.has(.communicationsOfficer) else { return items }
        let scheduled = try await sql.raw("""
            SELECT a.id, a.slug_sq AS slug, a.publish_at AS "publishAt" FROM articles a
            WHERE a.published_version IS NOT NULL AND a.publish_at > \(bind: now)
            """).all(decoding: ScheduledRow.self)
        items += CampaignWork.articles(toReview: [], scheduled: scheduled.map { .init(article: $0.id, slug: $0.slug, day: TiranaTime.today(at: $0.publishAt)) })
        // Read on every page for the menu's counts: named columns (docs/module-guide.md §4).
        let rows = try await sql.raw("""
            SELECT c.id, c.reference, a.held_on AS "heldOn" FROM campaign_actions a JOIN campaigns c ON c.id = a.campaign_id
            WHERE a.reach_recorded_at IS NULL AND a.held_on <= \(bind: today.description) AND c.status <> \(bind: CampaignStatus.cancelled.rawValue)
            """).all(decoding: Row.self)
        return items + CampaignWork.communications(rows.compactMap { row in
            LocalDate(row.heldOn).map { .init(campaign: row.id, reference: row.reference, heldOn: $0) }
        })
    }

    private struct ArticleRow: Decodable {
        let id: UUID
        let slug: String
    }

    private struct ScheduledRow: Decodable {
        let id: UUID
        let slug: String
        let publishAt: Date
    }

    private struct Row: Decodable {
        let id: UUID
        let reference: String
        let heldOn: String
    }
}
