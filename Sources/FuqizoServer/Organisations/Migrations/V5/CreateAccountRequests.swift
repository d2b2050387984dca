import Fluent
import SQLKit

/// Organisations asking for an account on the public page, and what became of each request.
struct CreateAccountRequests: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("account_requests")
            .id()
            .field("organisation_name", .string, .required)
            .field("registration_number", .string, .required)
            .field("municipality_id", .uuid, .required, .references("municipalities", "id"))
            .field("contact_name", .string, .required)
            .field("email", .string, .required)
            .field("phone", .string)
            .field("message", .string)
            .field("language", .string, .required)
            .field("status", .string, .required)
            .field("requested_at", .datetime, .required)
            .field("address_digest", .string, .required)
            .field("decided_at", .datetime)
            .field("decided_by", .uuid)
            .field("organisation_id", .uuid)
            .field("refusal_reason", .string)
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "account_requests_status").on("account_requests").column("status").column("requested_at").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("account_requests").delete()
    }
}
