import Fluent
import SQLKit

/// Numbers handed out in sequence per scope (`application:CFP-2019-01` …), atomically, on
/// SQLite and PostgreSQL alike.
enum ReferenceCounter {
    static func next(_ scope: String, on database: any Database) async throws -> Int {
        guard let sql = database as? any SQLDatabase else { throw AppError.server }
        let row = try await sql.raw("""
            INSERT INTO reference_counters (scope, value) VALUES (\(bind: scope), 1)
            ON CONFLICT (scope) DO UPDATE SET value = reference_counters.value + 1
            RETURNING value
            """).first()
        guard let value = try row?.decode(column: "value", as: Int.self) else { throw AppError.server }
        return value
    }
}
