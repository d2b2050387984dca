import Fluent

struct CreateGrantCalls: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("grant_calls")
            .id()
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .field("reference", .string, .required)
            .field("title_sq", .string, .required)
            .field("title_en", .string, .required)
            .field("summary_sq", .string, .required)
            .field("summary_en", .string, .required)
            .field("stages", .string, .required)
            .field("status", .string, .required)
            .field("currency", .string, .required)
            .field("rules", .string, .required)
            .field("divergence_basis_points", .int, .required)
            .field("eligible_applicants", .string, .required)
            .field("eligible_activities", .string, .required)
            .field("questions_deadline", .datetime, .required)
            .field("concept_deadline", .datetime)
            .field("full_deadline", .datetime, .required)
            .field("concept_grid", .string, .required)
            .field("full_grid", .string, .required)
            .field("published_at", .datetime)
            .unique(on: "reference")
            .create()
        try await database.schema("call_lots")
            .id()
            .field("call_id", .uuid, .required, .references("grant_calls", "id", onDelete: .cascade))
            .field("region_id", .uuid, .references("programme_regions", "id"))
            .field("position", .int, .required)
            .field("name_sq", .string, .required)
            .field("name_en", .string, .required)
            .field("envelope_minor_units", .int64, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("call_lots").delete()
        try await database.schema("grant_calls").delete()
    }
}
