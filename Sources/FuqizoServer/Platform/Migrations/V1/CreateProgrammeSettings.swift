import Fluent

struct CreateProgrammeSettings: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("programme_settings")
            .field("id", .int, .identifier(auto: false))
            .field("updated_at", .datetime)
            .field("document", .string, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("programme_settings").delete()
    }
}
