import Fluent
import SQLKit

/// The audit trail is read by record (a survivor's timeline) and by person (the trail's
/// filter): without these, both would scan every entry ever written.
struct AddAuditIndexes: AsyncMigration {
    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "audit_entries_target").on("audit_entries").column("target_type").column("target_id").column("sequence").run()
        try await sql.create(index: "audit_entries_actor").on("audit_entries").column("actor_id").column("sequence").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.drop(index: "audit_entries_target").run()
        try await sql.drop(index: "audit_entries_actor").run()
    }
}
