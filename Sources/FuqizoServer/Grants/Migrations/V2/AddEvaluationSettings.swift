import Fluent
import SQLKit

/// Blind review, evaluators per application and the letters' period are settings of the call.
struct AddEvaluationSettings: AsyncMigration {
    func prepare(on database: any Database) async throws {
        // One column a statement: SQLite adds columns one at a time.
        try await database.schema("grant_calls").field("blind_review", .bool, .required, .sql(.default(false))).update()
        try await database.schema("grant_calls").field("evaluators_per_application", .int, .required, .sql(.default(2))).update()
        try await database.schema("grant_calls").field("letter_days", .int, .required, .sql(.default(15))).update()
    }

    func revert(on database: any Database) async throws {
        for column in ["letter_days", "evaluators_per_application", "blind_review"] {
            try await database.schema("grant_calls").deleteField(.string(column)).update()
        }
    }
}
