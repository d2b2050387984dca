import Fluent
import SQLKit

/// The public library's publications; each one's file is an attachment (owner `publication`).
struct CreateLibrary: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("library_items")
            .id()
            .field("title_sq", .string, .required)
            .field("title_en", .string, .required)
            .field("description_sq", .string, .required)
            .field("description_en", .string, .required)
            .field("kind", .string, .required)
            .field("year", .int, .required)
            .field("language", .string, .required)
            .field("added_by", .uuid, .required)
            .field("added_at", .datetime, .required)
            .field("withdrawn_at", .datetime)
            .field("withdrawn_reason", .string)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        // The public list: what is not withdrawn, newest first.
        try await sql.raw("CREATE INDEX library_items_public ON library_items (year, added_at) WHERE withdrawn_at IS NULL").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("library_items").delete()
    }
}
