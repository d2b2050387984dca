import Fluent
import SQLKit

/// The logframe in versions (its periods, objectives, results and activities, and indicators),
/// values entered by hand for manual indicators, and donor reports with their frozen figures.
struct CreateLogframes: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("logframes")
            .id()
            .field("version", .int, .required)
            .field("status", .string, .required)
            .field("based_on", .uuid)
            .field("created_by", .uuid, .required)
            .field("created_at", .datetime, .required)
            .field("approved_by", .uuid)
            .field("approved_at", .datetime)
            .unique(on: "version")
            .create()
        try await database.schema("logframe_periods")
            .id()
            .field("logframe_id", .uuid, .required, .references("logframes", "id", onDelete: .cascade))
            .field("code", .string, .required)
            .field("kind", .string, .required)
            .field("starts_on", .string, .required)
            .field("ends_on", .string, .required)
            .unique(on: "logframe_id", "code")
            .create()
        try await database.schema("logframe_entries")
            .id()
            .field("logframe_id", .uuid, .required, .references("logframes", "id", onDelete: .cascade))
            .field("parent_id", .uuid)
            .field("level", .string, .required)
            .field("code", .string, .required)
            .field("title_sq", .string, .required)
            .field("title_en", .string, .required)
            .field("assumptions_sq", .string, .required)
            .field("assumptions_en", .string, .required)
            .unique(on: "logframe_id", "code")
            .create()
        try await database.schema("logframe_indicators")
            .id()
            .field("logframe_id", .uuid, .required, .references("logframes", "id", onDelete: .cascade))
            .field("entry_id", .uuid, .required, .references("logframe_entries", "id", onDelete: .cascade))
            .field("code", .string, .required)
            .field("name_sq", .string, .required)
            .field("name_en", .string, .required)
            .field("definition_sq", .string, .required)
            .field("definition_en", .string, .required)
            .field("source", .string, .required)
            .field("unit", .string, .required)
            .field("direction", .string, .required)
            .field("baseline", .int64)
            .field("baseline_year", .int)
            .field("final_target", .int64, .required)
            // Period code → target, as JSON.
            .field("targets", .string, .required)
            .field("verification_sq", .string, .required)
            .field("verification_en", .string, .required)
            // Comma-separated `Disaggregation` values.
            .field("disaggregations", .string, .required)
            .unique(on: "logframe_id", "code")
            .create()
        // Keyed by the indicator's and the period's codes, which versions keep, so a value
        // entered under one version still counts under the next.
        try await database.schema("indicator_values")
            .id()
            .field("indicator_code", .string, .required)
            .field("period_code", .string, .required)
            .field("value", .int64, .required)
            .field("evidence", .string, .required)
            .field("status", .string, .required)
            .field("entered_by", .uuid, .required)
            .field("entered_at", .datetime, .required)
            .field("reviewed_by", .uuid)
            .field("reviewed_at", .datetime)
            .field("review_note", .string)
            .create()
        try await database.schema("donor_reports")
            .id()
            .field("logframe_id", .uuid, .required, .references("logframes", "id", onDelete: .restrict))
            .field("period_code", .string, .required)
            .field("kind", .string, .required)
            .field("status", .string, .required)
            .field("figures", .string, .required)
            // Indicator code → the programme's comment on it, as JSON.
            .field("comments", .string, .required)
            .field("made_by", .uuid, .required)
            .field("made_at", .datetime, .required)
            .field("submitted_by", .uuid)
            .field("submitted_at", .datetime)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "indicator_values_codes").on("indicator_values").column("indicator_code").column("period_code").run()
        try await sql.create(index: "logframe_indicators_entry").on("logframe_indicators").column("entry_id").run()
    }

    func revert(on database: any Database) async throws {
        for table in ["donor_reports", "indicator_values", "logframe_indicators", "logframe_entries", "logframe_periods", "logframes"] {
            try await database.schema(table).delete()
        }
    }
}
