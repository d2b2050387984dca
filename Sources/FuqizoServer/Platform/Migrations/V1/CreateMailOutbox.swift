import Fluent

struct CreateMailOutbox: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("mail_outbox")
            .id()
            .field("created_at", .datetime, .required)
            .field("recipient", .string, .required)
            .field("subject", .string, .required)
            .field("body", .string, .required)
            .field("status", .string, .required)
            .field("attempts", .int, .required)
            .field("next_attempt_at", .datetime, .required)
            .field("claimed_until", .datetime)
            .field("last_error", .string)
            .field("sent_at", .datetime)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("mail_outbox").delete()
    }
}
