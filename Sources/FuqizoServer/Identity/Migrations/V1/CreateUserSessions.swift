import Fluent

struct CreateUserSessions: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("user_sessions")
            .id()
            .field("token_digest", .string, .required)
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("stage", .string, .required)
            .field("created_at", .datetime, .required)
            .field("last_seen_at", .datetime, .required)
            .unique(on: "token_digest")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("user_sessions").delete()
    }
}
