import Fluent

/// A campaign photo's smaller copy for the public pages (`PhotoReducer`), kept beside the
/// original in `stored_files`.
struct AddReducedPhotos: AsyncMigration {
    func prepare(on database: any Database) async throws {
        // One column at a time: SQLite adds one per statement.
        try await database.schema("campaign_evidence").field("reduced_digest", .string).update()
        try await database.schema("campaign_evidence").field("reduced_size", .int64).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("campaign_evidence").deleteField("reduced_size").update()
        try await database.schema("campaign_evidence").deleteField("reduced_digest").update()
    }
}
