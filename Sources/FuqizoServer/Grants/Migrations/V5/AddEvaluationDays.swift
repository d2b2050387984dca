import Fluent
import SQLKit

/// How long a call's evaluators have to declare and score once evaluation starts: their
/// deadline on their work list.
struct AddEvaluationDays: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("grant_calls").field("evaluation_days", .int, .required, .sql(.default(21))).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("grant_calls").deleteField("evaluation_days").update()
    }
}
