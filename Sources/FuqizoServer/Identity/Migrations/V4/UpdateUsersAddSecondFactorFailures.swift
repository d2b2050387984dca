import Fluent

/// Wrong second-factor codes are counted apart from wrong passwords, so that a correct
/// password cannot reset the count of guessed codes.
struct UpdateUsersAddSecondFactorFailures: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("users").field("second_factor_failures", .int, .required, .sql(.default(0))).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("users").deleteField("second_factor_failures").update()
    }
}
