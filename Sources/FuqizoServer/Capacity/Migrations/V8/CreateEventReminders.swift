import Fluent

/// The reminder mailed before an event, once per registration whichever instance sends it.
struct CreateEventReminders: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("event_reminders")
            .field("registration_id", .uuid, .required, .references("event_registrations", "id", onDelete: .restrict))
            .field("sent_on", .string, .required)
            .unique(on: "registration_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("event_reminders").delete()
    }
}
