import Fluent
import Foundation
import FuqizoCore
import SQLKit
import Vapor

/// What happened on one record, newest first, read from its audit entries (which every change
/// writes in the same transaction, so the timeline cannot miss or invent a step). Views and
/// reveals are left out: they are who looked, not what happened.
enum SurvivorTimeline {
    static let shown = 50

    struct Event: Encodable {
        let when: String
        let text: String
        let who: String
    }

    private struct Row: Decodable {
        let occurredAt: Date
        let actorId: UUID?
        let action: String
        let details: String

        enum CodingKeys: String, CodingKey {
            case action, details, occurredAt = "occurred_at", actorId = "actor_id"
        }
    }

    /// The actions a timeline tells; any other action on the record is not shown.
    static let told: Set<String> = [
        "survivor.created", "survivor.consentGiven", "survivor.consentWithdrawn", "survivor.noteAdded", "survivor.closed",
        "survivor.reopened", "survivor.erased", "survivor.needsAssessed", "survivor.planGoalAdded", "survivor.planStepAdded",
        "survivor.planStepUpdated", "survivor.employmentRecorded", "survivor.followUpRecorded", "survivor.clubJoined",
        "survivor.clubLeft", "survivor.skillRecorded", "survivor.referralSent", "survivor.referralAccepted",
        "survivor.referralDeclined", "survivor.referralCompleted", "survivor.referralRevoked",
    ]

    static func events(_ req: Request, code: String, organisationNames: [UUID: String]) async throws -> [Event] {
        guard let sql = req.db as? any SQLDatabase else { return [] }
        let rows = try await sql.select()
            .columns("occurred_at", "actor_id", "action", "details")
            .from("audit_entries")
            .where("target_type", .equal, SQLBind("survivor"))
            .where("target_id", .equal, SQLBind(code))
            .where("action", .in, SQLBind.group(told.sorted()))
            .orderBy("sequence", .descending)
            .limit(shown)
            .all(decoding: Row.self)
        let people = try await User.query(on: req.db).filter(\.$id ~~ Set(rows.compactMap(\.actorId))).all()
        let names = Dictionary(uniqueKeysWithValues: people.compactMap { user in user.id.map { ($0, user.displayName) } })
        let wording = AuditWording(req, labels: Dictionary(uniqueKeysWithValues: organisationNames.map { ($0.key.uuidString, $0.value) }))
        return rows.map { row in
            var values: [String: String] = [:]
            for pair in AuditDetails.parse(row.details) { values[pair.key] = wording.detail(pair.key, pair.value, action: row.action) }
            let parts = TiranaTime.parts(of: row.occurredAt)
            return Event(when: "\(Display.date(iso: parts.date, req.language)) \(parts.time)",
                         text: req.t("timeline.\(row.action)", values),
                         who: row.actorId.flatMap { names[$0] } ?? req.t("timeline.system"))
        }
    }
}
