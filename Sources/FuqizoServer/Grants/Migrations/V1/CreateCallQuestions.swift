import Fluent

struct CreateCallQuestions: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("call_questions")
            .id()
            .field("call_id", .uuid, .required, .references("grant_calls", "id", onDelete: .cascade))
            .field("organisation_id", .uuid, .references("organisations", "id", onDelete: .setNull))
            .field("question", .string, .required)
            .field("answer", .string)
            .field("asked_at", .datetime, .required)
            .field("published_at", .datetime)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("call_questions").delete()
    }
}
