import FluentKit
import SQLKit
import Vapor

extension Database {
    /// A transaction that writes. On SQLite it takes the write lock with its first statement,
    /// as `BEGIN IMMEDIATE` would (Fluent always begins deferred): a deferred transaction that
    /// reads first and then writes fails at once with "database is locked" when another
    /// connection or process committed in between, and SQLite does not wait for that case.
    /// Taking the lock first makes the transaction wait its turn instead.
    ///
    /// Within this process, SQLite's write transactions also pass one at a time through
    /// `WriteGate`, waiting there without holding a thread: SQLite's own wait for the lock
    /// spins on one of the few threads that run every connection's statements, and two such
    /// waiters could starve the transaction they wait for. PostgreSQL needs neither.
    func writeTransaction<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        guard !inTransaction, let sql = self as? any SQLDatabase, sql.dialect.name == "sqlite" else {
            return try await transaction(body)
        }
        await WriteGate.shared.enter()
        do {
            let result = try await transaction { tx in
                // Matches no row but still opens the write transaction.
                try await (tx as? any SQLDatabase)?.raw("UPDATE _fluent_migrations SET batch = batch WHERE 0").run()
                return try await body(tx)
            }
            await WriteGate.shared.leave()
            return result
        } catch {
            await WriteGate.shared.leave()
            throw error
        }
    }
}

extension Database {
    /// A read-only PostgreSQL transaction at repeatable read: every statement in it sees the
    /// same moment (a backup's dump and its manifest's counts). It writes nothing, so it needs
    /// no write lock.
    func snapshotTransaction<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await transaction { tx in
            guard let sql = tx as? any SQLDatabase else { throw Abort(.internalServerError) }
            try await sql.raw("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").run()
            return try await body(sql)
        }
    }
}

/// One SQLite write transaction at a time in this process, first come first served.
actor WriteGate {
    static let shared = WriteGate()

    private var taken = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func enter() async {
        guard taken else {
            taken = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func leave() {
        if waiting.isEmpty { taken = false } else { waiting.removeFirst().resume() }
    }
}
