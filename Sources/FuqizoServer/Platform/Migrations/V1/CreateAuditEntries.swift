import Fluent
import FuqizoCore

struct CreateAuditEntries: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("audit_entries")
            .id()
            .field("sequence", .int, .required)
            .field("occurred_at", .datetime, .required)
            .field("actor_id", .uuid)
            .field("action", .string, .required)
            .field("target_type", .string)
            .field("target_id", .string)
            .field("details", .string, .required)
            .field("previous_hash", .string, .required)
            .field("hash", .string, .required)
            .unique(on: "sequence")
            .create()
        try await database.schema("audit_head")
            .field("id", .int, .identifier(auto: false))
            .field("sequence", .int, .required)
            .field("hash", .string, .required)
            .create()
        try await AuditHead(id: 1, sequence: 0, hash: AuditChain.genesisHash).create(on: database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema("audit_head").delete()
        try await database.schema("audit_entries").delete()
    }
}
