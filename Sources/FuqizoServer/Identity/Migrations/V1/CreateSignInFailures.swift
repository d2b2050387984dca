import Fluent

struct CreateSignInFailures: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("sign_in_failures")
            .id()
            .field("address_digest", .string, .required)
            .field("occurred_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("sign_in_failures").delete()
    }
}
