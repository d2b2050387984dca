import Fluent
import SQLKit

/// Contracts' amendments and the versions they replaced.
struct CreateContractAmendments: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("contract_amendments")
            .id()
            .field("contract_id", .uuid, .required, .references("grant_contracts", "id", onDelete: .restrict))
            .field("number", .int, .required)
            .field("status", .string, .required)
            .field("changes", .string, .required)
            .field("reason", .string, .required)
            .field("requested_on", .string, .required)
            .field("requested_by", .uuid, .required)
            .field("by_grantee", .bool, .required)
            .field("decided_on", .string)
            .field("decided_by", .uuid)
            .field("decision_reason", .string)
            .field("version", .int)
            .field("created_at", .datetime)
            .unique(on: "contract_id", "number")
            .create()
        // The grants officer's work list asks for the requests waiting for a decision.
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "contract_amendments_status").on("contract_amendments").column("status").run()
        }
        try await database.schema("contract_versions")
            .id()
            .field("contract_id", .uuid, .required, .references("grant_contracts", "id", onDelete: .restrict))
            .field("version", .int, .required)
            .field("amount_minor_units", .int64, .required)
            .field("start_date", .string, .required)
            .field("end_date", .string, .required)
            .field("terms", .string, .required)
            .field("replaced_on", .string, .required)
            .unique(on: "contract_id", "version")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("contract_versions").delete()
        try await database.schema("contract_amendments").delete()
    }
}
