import Fluent

/// Campaigns' photos and documents, and the survivors' consents that cover a photo.
struct CreateCampaignEvidence: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("campaign_evidence")
            .id()
            .field("campaign_id", .uuid, .required, .references("campaigns", "id", onDelete: .restrict))
            .field("action_id", .uuid, .references("campaign_actions", "id", onDelete: .restrict))
            .field("digest", .string, .required)
            .field("filename", .string, .required)
            .field("kind", .string, .required)
            .field("size", .int64, .required)
            .field("caption_sq", .string, .required)
            .field("caption_en", .string, .required)
            .field("alt_sq", .string, .required)
            .field("alt_en", .string, .required)
            .field("identifiable", .bool, .required)
            .field("others_consented", .bool, .required)
            .field("uploaded_by", .uuid, .required)
            .field("uploaded_at", .datetime, .required)
            .create()
        try await database.schema("campaign_evidence_consents")
            .id()
            .field("evidence_id", .uuid, .required, .references("campaign_evidence", "id", onDelete: .cascade))
            .field("survivor_id", .uuid, .required, .references("survivors", "id", onDelete: .restrict))
            .field("linked_by", .uuid, .required)
            .field("linked_at", .datetime, .required)
            .unique(on: "evidence_id", "survivor_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("campaign_evidence_consents").delete()
        try await database.schema("campaign_evidence").delete()
    }
}
