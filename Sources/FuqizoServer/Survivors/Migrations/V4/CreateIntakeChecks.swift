import Fluent

/// Each person's intakes through the page, for the hourly limit (no names, no results).
struct CreateIntakeChecks: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("intake_checks")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("checked_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("intake_checks").delete()
    }
}
