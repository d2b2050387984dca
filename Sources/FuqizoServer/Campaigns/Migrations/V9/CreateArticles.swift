import Fluent
import SQLKit

/// News articles and their versions.
struct CreateArticles: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("articles")
            .id()
            .field("slug_sq", .string, .required)
            .field("slug_en", .string, .required)
            .field("status", .string, .required)
            .field("latest_version", .int, .required)
            .field("published_version", .int)
            .field("publish_at", .datetime)
            .field("created_by", .uuid, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "slug_sq")
            .unique(on: "slug_en")
            .create()
        try await database.schema("article_versions")
            .id()
            .field("article_id", .uuid, .required, .references("articles", "id", onDelete: .restrict))
            .field("number", .int, .required)
            .field("title_sq", .string, .required)
            .field("title_en", .string, .required)
            .field("summary_sq", .string, .required)
            .field("summary_en", .string, .required)
            .field("body_sq", .string, .required)
            .field("body_en", .string, .required)
            .field("image_id", .uuid, .references("campaign_evidence", "id", onDelete: .restrict))
            .field("written_by", .uuid, .required)
            .field("written_at", .datetime, .required)
            .unique(on: "article_id", "number")
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        // The public news list: what is online, newest first.
        try await sql.raw("CREATE INDEX articles_online ON articles (publish_at) WHERE published_version IS NOT NULL").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("article_versions").delete()
        try await database.schema("articles").delete()
    }
}
