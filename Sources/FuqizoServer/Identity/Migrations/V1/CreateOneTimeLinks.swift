import Fluent

struct CreateOneTimeLinks: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("one_time_links")
            .id()
            .field("created_at", .datetime)
            .field("purpose", .string, .required)
            .field("token_digest", .string, .required)
            .field("expires_at", .datetime, .required)
            .field("used_at", .datetime)
            .field("user_id", .uuid, .references("users", "id", onDelete: .cascade))
            .unique(on: "token_digest")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("one_time_links").delete()
    }
}
