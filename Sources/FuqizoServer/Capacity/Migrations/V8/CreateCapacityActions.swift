import Fluent
import SQLKit

/// Each CSO's capacity action plan.
struct CreateCapacityActions: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("capacity_actions")
            .id()
            .field("domain", .string, .required)
            .field("action", .string, .required)
            .field("owner", .string, .required)
            .field("due_on", .string, .required)
            .field("status", .string, .required)
            .field("organisation_id", .uuid, .required, .references("organisations", "id", onDelete: .restrict))
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "capacity_actions_organisation").on("capacity_actions").column("organisation_id").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("capacity_actions").delete()
    }
}
