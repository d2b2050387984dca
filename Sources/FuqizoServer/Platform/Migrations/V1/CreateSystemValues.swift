import Fluent

struct CreateSystemValues: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("system_values")
            .field("name", .string, .identifier(auto: false))
            .field("value", .string, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("system_values").delete()
    }
}
