import FluentKit
import SQLKit

extension Database {
    /// A transaction that writes. On SQLite it takes the write lock with its first statement,
    /// as `BEGIN IMMEDIATE` would (Fluent always begins deferred): a deferred transaction that
    /// reads first and then writes fails at once with "database is locked" when another
    /// connection or process committed in between, and SQLite does not wait for that case.
    /// Taking the lock first makes the transaction wait its turn instead. PostgreSQL needs nothing.
    func writeTransaction<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        try await transaction { tx in
            if let sql = tx as? any SQLDatabase, sql.dialect.name == "sqlite" {
                // Matches no row but still opens the write transaction.
                try await sql.raw("UPDATE _fluent_migrations SET batch = batch WHERE 0").run()
            }
            return try await body(tx)
        }
    }
}
