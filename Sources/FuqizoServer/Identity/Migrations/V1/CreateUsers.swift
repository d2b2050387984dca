import Fluent

struct CreateUsers: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("users")
            .id()
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .field("email", .string, .required)
            .field("display_name", .string, .required)
            .field("password_hash", .string)
            .field("preferred_language", .string, .required)
            .field("is_active", .bool, .required)
            .field("failed_sign_ins", .int, .required)
            .field("locked_until", .datetime)
            .field("last_sign_in_at", .datetime)
            .field("totp_secret", .data)
            .field("totp_pending_secret", .data)
            .field("totp_last_step", .int64)
            .unique(on: "email")
            .create()
        try await database.schema("role_assignments")
            .id()
            .field("created_at", .datetime)
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("role", .string, .required)
            .field("organisation_id", .uuid, .references("organisations", "id", onDelete: .cascade))
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("role_assignments").delete()
        try await database.schema("users").delete()
    }
}
