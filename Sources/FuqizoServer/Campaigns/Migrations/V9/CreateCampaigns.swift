import Fluent
import SQLKit

/// Awareness campaigns, their actions with reach, and media mentions.
struct CreateCampaigns: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("campaigns")
            .id()
            .field("reference", .string, .required)
            .field("status", .string, .required)
            .field("title_sq", .string, .required)
            .field("title_en", .string, .required)
            .field("description_sq", .string, .required)
            .field("description_en", .string, .required)
            .field("objective_sq", .string, .required)
            .field("objective_en", .string, .required)
            .field("audiences", .string, .required)
            .field("regions", .string, .required)
            .field("channels", .string, .required)
            .field("starts_on", .string, .required)
            .field("ends_on", .string, .required)
            .field("budget_minor", .int64, .required)
            .field("partners", .string, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "reference")
            .create()
        var actions = database.schema("campaign_actions")
            .id()
            .field("campaign_id", .uuid, .required, .references("campaigns", "id", onDelete: .restrict))
            .field("kind", .string, .required)
            .field("held_on", .string, .required)
            .field("region_id", .uuid, .required)
            .field("municipality", .string, .required)
            .field("description_sq", .string, .required)
            .field("description_en", .string, .required)
            .field("cost_minor", .int64, .required)
            .field("reach_recorded_at", .datetime)
        for figure in ["female", "male", "other_sex", "unstated_sex", "age_under18", "age_18_24", "age_25_34", "age_35_44",
                       "age_45_54", "age_55", "participants", "impressions", "copies"] {
            actions = actions.field(.string(figure), .int64, .required)
        }
        try await actions.create()
        try await database.schema("campaign_mentions")
            .id()
            .field("campaign_id", .uuid, .required, .references("campaigns", "id", onDelete: .restrict))
            .field("outlet", .string, .required)
            .field("published_on", .string, .required)
            .field("link", .string, .required)
            .field("kind", .string, .required)
            .field("created_at", .datetime)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        // The campaign page and the work list read actions and mentions by campaign.
        try await sql.raw("CREATE INDEX campaign_actions_by_campaign ON campaign_actions (campaign_id, held_on)").run()
        try await sql.raw("CREATE INDEX campaign_mentions_by_campaign ON campaign_mentions (campaign_id, published_on)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("campaign_mentions").delete()
        try await database.schema("campaign_actions").delete()
        try await database.schema("campaigns").delete()
    }
}
