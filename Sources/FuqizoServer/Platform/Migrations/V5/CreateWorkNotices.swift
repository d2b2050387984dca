import Fluent
import SQLKit

/// Mail about new work: what each person has been told of (by the item's key), and how they
/// want to hear of it (at once, in a daily digest, or not at all).
struct CreateWorkNotices: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("work_notices")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("item_key", .string, .required)
            .field("told_at", .datetime, .required)
            .unique(on: "user_id", "item_key")
            .create()
        try await database.schema("notice_settings")
            .field("user_id", .uuid, .identifier(auto: false), .references("users", "id", onDelete: .cascade))
            .field("preference", .string, .required)
            .field("digest_sent_on", .string)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("notice_settings").delete()
        try await database.schema("work_notices").delete()
    }
}
