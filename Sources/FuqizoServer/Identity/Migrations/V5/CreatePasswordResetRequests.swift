import Fluent

/// Requests for a new password from the sign-in page: counted per network address (kept only
/// as a keyed digest) and, when a mail went out, per account.
struct CreatePasswordResetRequests: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("password_reset_requests")
            .id()
            .field("address_digest", .string, .required)
            .field("requested_at", .datetime, .required)
            .field("user_id", .uuid)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("password_reset_requests").delete()
    }
}
