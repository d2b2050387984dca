import Fluent
import SQLKit

/// Events' pre- and post-tests, and participants' single-use links with what they answered.
struct CreateEventQuestionnaires: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("event_tests")
            .id()
            .field("phase", .string, .required)
            .field("content", .string, .required)
            .field("event_id", .uuid, .required, .references("capacity_events", "id", onDelete: .cascade))
            .unique(on: "event_id", "phase")
            .create()
        try await database.schema("participant_links")
            .id()
            .field("purpose", .string, .required)
            .field("code_digest", .string, .required)
            .field("used_at", .datetime)
            .field("score", .int)
            .field("answers", .string)
            .field("registration_id", .uuid, .required, .references("event_registrations", "id", onDelete: .restrict))
            .field("event_id", .uuid, .required, .references("capacity_events", "id", onDelete: .restrict))
            .field("created_at", .datetime)
            .unique(on: "code_digest")
            .unique(on: "registration_id", "purpose")
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "participant_links_event").on("participant_links").column("event_id").column("purpose").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("participant_links").delete()
        try await database.schema("event_tests").delete()
    }
}
