import Fluent
import SQLKit

/// Counters for human references (application numbers within a call, and later survivor
/// codes), incremented atomically so two instances never hand out the same number.
struct CreateReferenceCounters: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("reference_counters")
            .field("scope", .string, .identifier(auto: false))
            .field("value", .int64, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("reference_counters").delete()
    }
}
