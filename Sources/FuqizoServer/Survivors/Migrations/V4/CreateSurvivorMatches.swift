import Fluent

/// Records of different organisations that the intake's keyed duplicate check found to be the
/// same person. Nobody at either organisation is told; statistics count the person once, and
/// programme staff see only how many such matches exist.
struct CreateSurvivorMatches: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("survivor_matches")
            .field("survivor_id", .uuid, .identifier(auto: false), .references("survivors", "id", onDelete: .cascade))
            .field("person_id", .uuid, .required, .references("survivors", "id", onDelete: .cascade))
            .field("recorded_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("survivor_matches").delete()
    }
}
