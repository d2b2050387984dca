import Fluent

/// Recovery orders of closed contracts: at most one per contract.
struct CreateRecoveryOrders: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("recovery_orders")
            .id()
            .field("contract_id", .uuid, .required, .references("grant_contracts", "id", onDelete: .restrict))
            .field("amount_minor_units", .int64, .required)
            .field("status", .string, .required)
            .field("issued_on", .string, .required)
            .field("issued_by", .uuid, .required)
            .field("settled_on", .string)
            .field("settled_by", .uuid)
            .field("reference", .string)
            .field("created_at", .datetime)
            .unique(on: "contract_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("recovery_orders").delete()
    }
}
