import Fluent
import SQLKit

/// Grant contracts, one per award.
struct CreateGrantContracts: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("grant_contracts")
            .id()
            .field("number", .string, .required)
            .field("application_id", .uuid, .required, .references("grant_applications", "id", onDelete: .restrict))
            .field("call_id", .uuid, .required, .references("grant_calls", "id", onDelete: .restrict))
            .field("lot_id", .uuid, .required, .references("call_lots", "id", onDelete: .restrict))
            .field("organisation_id", .uuid, .required, .references("organisations", "id", onDelete: .restrict))
            .field("region_id", .uuid)
            .field("status", .string, .required)
            .field("language", .string, .required)
            .field("currency", .string, .required)
            .field("amount_minor_units", .int64, .required)
            .field("start_date", .string, .required)
            .field("end_date", .string, .required)
            .field("terms", .string, .required)
            .field("version", .int, .required)
            .field("sent_on", .string)
            .field("grantee_signed_on", .string)
            .field("programme_signed_on", .string)
            .field("status_reason", .string)
            .field("created_by", .uuid, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "number")
            .unique(on: "application_id")
            .create()
        // A CSO's page lists its own; the portfolio filters by region and status.
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "grant_contracts_organisation").on("grant_contracts").column("organisation_id").run()
            try await sql.create(index: "grant_contracts_region_status").on("grant_contracts").column("region_id").column("status").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("grant_contracts").delete()
    }
}
