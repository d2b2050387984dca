import Fluent
import SQLKit

/// Uploaded documents: each file's bytes once under their SHA-256, and the attachments that
/// name a file for a record (a call's guidelines, an application's annexes).
struct CreateDocuments: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("stored_files")
            .field("digest", .string, .identifier(auto: false))
            .field("size", .int64, .required)
            .field("content", .data, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema("attachments")
            .id()
            .field("owner_type", .string, .required)
            .field("owner_id", .uuid, .required)
            .field("digest", .string, .required, .references("stored_files", "digest", onDelete: .restrict))
            .field("filename", .string, .required)
            .field("kind", .string, .required)
            .field("size", .int64, .required)
            .field("label", .string, .required)
            .field("category", .string)
            .field("uploaded_by", .uuid)
            .field("uploaded_at", .datetime, .required)
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "attachments_owner").on("attachments").column("owner_id").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("attachments").delete()
        try await database.schema("stored_files").delete()
    }
}
