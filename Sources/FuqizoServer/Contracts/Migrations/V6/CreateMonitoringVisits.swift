import Fluent
import SQLKit

/// Monitoring visits and their follow-up actions.
struct CreateMonitoringVisits: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("monitoring_visits")
            .id()
            .field("contract_id", .uuid, .required, .references("grant_contracts", "id", onDelete: .restrict))
            .field("number", .int, .required)
            .field("status", .string, .required)
            .field("planned_on", .string, .required)
            .field("visitor_id", .uuid, .required)
            .field("purpose", .string, .required)
            .field("visited_on", .string)
            .field("findings", .string)
            .field("risk", .string)
            .field("recommendations", .string)
            .field("cancel_reason", .string)
            .field("created_at", .datetime)
            .unique(on: "contract_id", "number")
            .create()
        try await database.schema("follow_up_actions")
            .id()
            .field("contract_id", .uuid, .required, .references("grant_contracts", "id", onDelete: .restrict))
            .field("visit_id", .uuid, .required, .references("monitoring_visits", "id", onDelete: .restrict))
            .field("action", .string, .required)
            .field("owner", .string, .required)
            .field("due_on", .string, .required)
            .field("status", .string, .required)
            .field("closed_on", .string)
            .field("closed_by", .uuid)
            .field("note", .string)
            .field("created_at", .datetime)
            .create()
        // Work lists and the portfolio's "late" ask for planned visits and open actions by day.
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "monitoring_visits_status").on("monitoring_visits").column("status").column("planned_on").run()
            try await sql.create(index: "follow_up_actions_status").on("follow_up_actions").column("status").column("due_on").run()
            try await sql.create(index: "follow_up_actions_visit").on("follow_up_actions").column("visit_id").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("follow_up_actions").delete()
        try await database.schema("monitoring_visits").delete()
    }
}
