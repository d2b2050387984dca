import Fluent
import SQLKit

/// CSOs' applications to the lots of a call, a row per organisation and lot.
struct CreateGrantApplications: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("grant_applications")
            .id()
            .field("call_id", .uuid, .required, .references("grant_calls", "id", onDelete: .restrict))
            .field("lot_id", .uuid, .required, .references("call_lots", "id", onDelete: .restrict))
            .field("organisation_id", .uuid, .required, .references("organisations", "id", onDelete: .restrict))
            .field("stage", .string, .required)
            .field("status", .string, .required)
            .field("reference", .string)
            .field("language", .string, .required)
            .field("concept_content", .string)
            .field("full_content", .string)
            .field("requested_minor_units", .int64, .required)
            .field("revision", .int, .required)
            .field("concept_submitted_at", .datetime)
            .field("concept_digest", .string)
            .field("full_submitted_at", .datetime)
            .field("full_digest", .string)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .field("updated_by", .uuid)
            .unique(on: "call_id", "lot_id", "organisation_id")
            .unique(on: "reference")
            .create()
        // The officer's list is per call; a CSO's per organisation.
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "grant_applications_organisation").on("grant_applications").column("organisation_id").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("grant_applications").delete()
    }
}
