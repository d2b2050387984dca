import Fluent
import SQLKit

/// Payment requests of grant contracts, each step with its day and person.
struct CreatePaymentRequests: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("payment_requests")
            .id()
            .field("contract_id", .uuid, .required, .references("grant_contracts", "id", onDelete: .restrict))
            .field("tranche", .int, .required)
            .field("kind", .string, .required)
            .field("status", .string, .required)
            .field("planned_minor_units", .int64, .required)
            .field("requested_minor_units", .int64, .required)
            .field("reduction", .string)
            .field("requested_on", .string, .required)
            .field("requested_by", .uuid, .required)
            .field("checked_on", .string)
            .field("checked_by", .uuid)
            .field("approved_on", .string)
            .field("approved_by", .uuid)
            .field("paid_on", .string)
            .field("paid_minor_units", .int64)
            .field("bank_reference", .string)
            .field("paid_by", .uuid)
            .field("return_reason", .string)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "contract_id", "tranche")
            .create()
        // Work lists ask for the requests waiting at each step.
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "payment_requests_status").on("payment_requests").column("status").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("payment_requests").delete()
    }
}
