import Fluent
import FluentSQLiteDriver
import Foundation
import FuqizoCore
import SQLKit
import Vapor

/// `fuqizo backup DIR` and the scheduled backups: a consistent copy of the database taken
/// while the server runs, the list of erased records, and a manifest describing both.
///
/// SQLite: `VACUUM INTO` writes a compact copy from one read transaction. PostgreSQL: a
/// repeatable-read transaction exports its snapshot, `pg_dump` dumps exactly that snapshot in
/// custom format, and the manifest's row counts and audit head are read in the same
/// transaction, so they describe the dump and not a moment later.
struct Backup {
    /// The database a backup copies: the installation's own, or a re-wrapped scratch copy.
    struct Source {
        let database: any Database
        let choice: AppConfig.DatabaseChoice
        let schema: String?
    }

    let app: Application
    var source: Source
    /// When the copied data was current, if not now (a re-wrapped backup keeps its original's).
    var madeAt: Date?
    /// Codes of erased records to list besides the database's and the data directory's.
    var alsoErased: Set<String> = []

    init(app: Application) {
        self.app = app
        let config = app.services.config
        source = Source(database: app.db, choice: config.database, schema: config.databaseSchema)
    }

    private var config: AppConfig { app.services.config }

    func make(into directory: URL) async throws -> BackupManifest {
        try Self.prepareEmpty(directory)
        switch source.choice {
        case .sqlite:
            let file = directory.appendingPathComponent(BackupManifest.sqliteFile)
            guard let sql = source.database as? any SQLDatabase else { throw BackupFailure.unwritable(file.path) }
            try await sql.raw("VACUUM INTO \(bind: file.path)").run()
            try FileSync.flush(file)
            // Described from the copy itself, which no one else writes to.
            let copy = try await SQLiteConnection.open(storage: .file(path: file.path), threadPool: app.threadPool,
                                                       logger: app.logger, on: app.eventLoopGroup.any())
            let state: DatabaseState
            do {
                state = try await DatabaseState.read(copy.sql(), engine: .sqlite)
                try await copy.close()
            } catch {
                try? await copy.close()
                throw error
            }
            return try await finish(directory, engine: .sqlite, schema: nil, state: state)
        case .postgres(let url):
            let schema = source.schema ?? "public"
            let file = directory.appendingPathComponent(BackupManifest.postgresFile)
            let state = try await source.database.snapshotTransaction { sql in
                let snapshot = try await sql.raw("SELECT pg_export_snapshot() AS snapshot").first(decodingColumn: "snapshot", as: String.self) ?? ""
                let state = try await DatabaseState.read(sql, engine: .postgresql)
                try await PostgresTools(url: url, schema: schema).dump(to: file, snapshot: snapshot)
                return state
            }
            try FileSync.flush(file)
            return try await finish(directory, engine: .postgresql, schema: schema, state: state)
        }
    }

    /// The erased records' list (the database's and the data directory's), then the manifest.
    private func finish(_ directory: URL, engine: BackupManifest.Engine, schema: String?, state: DatabaseState) async throws -> BackupManifest {
        let erased = state.erasedCodes.union(try ErasureList(dataDirectory: config.dataDirectory).codes()).union(alsoErased)
        let list = directory.appendingPathComponent(ErasureList.fileName)
        try ErasureList.save(erased, to: list)
        try FileSync.flush(list)
        let database = directory.appendingPathComponent(engine == .sqlite ? BackupManifest.sqliteFile : BackupManifest.postgresFile)
        // Readable by this account only, whatever the process's umask.
        for file in [database, list] { try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path) }
        let manifest = BackupManifest(
            // Whole seconds: the manifest's ISO 8601 time keeps no fractions.
            createdAt: madeAt ?? Date(timeIntervalSince1970: app.services.clock.now().timeIntervalSince1970.rounded(.down)), release: FuqizoRelease.current, engine: engine, schema: schema,
            migrations: state.migrations, tables: state.tables, auditHead: state.auditHead, keyCheck: state.keyCheck,
            erasedRecords: erased.count, files: [try BackupManifest.describe(database), try BackupManifest.describe(list)])
        try manifest.write(to: directory)
        return manifest
    }

    /// A new folder, or an empty one, readable by this account only.
    static func prepareEmpty(_ directory: URL) throws {
        let manager = FileManager.default
        if manager.fileExists(atPath: directory.path) {
            guard (try? manager.contentsOfDirectory(atPath: directory.path))?.isEmpty == true else {
                throw BackupFailure.notEmpty(directory.path)
            }
        } else {
            do {
                try manager.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw BackupFailure.unwritable(directory.path)
            }
        }
    }
}

/// What the manifest says about a database: read from a backup's copy, from the live database
/// inside the dump's snapshot, and again after a restore to compare.
struct DatabaseState: Sendable, Equatable {
    var tables: [String: Int64]
    var migrations: [String]
    var auditHead: BackupManifest.AuditHead
    var keyCheck: String
    var erasedCodes: Set<String>

    static func read(_ sql: any SQLDatabase, engine: BackupManifest.Engine) async throws -> DatabaseState {
        let names = switch engine {
        case .sqlite:
            try await sql.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
                .all(decodingColumn: "name", as: String.self)
        case .postgresql:
            try await sql.raw("""
                SELECT CAST(table_name AS TEXT) AS name FROM information_schema.tables
                WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
                """).all(decodingColumn: "name", as: String.self)
        }
        var tables: [String: Int64] = [:]
        for name in names {
            tables[name] = try await sql.raw("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM \(ident: name)")
                .first(decodingColumn: "n", as: Int64.self) ?? 0
        }
        let migrations = try await sql.raw("SELECT name FROM _fluent_migrations ORDER BY batch, created_at, name")
            .all(decodingColumn: "name", as: String.self)
        let head = try await sql.raw("SELECT sequence, hash FROM audit_head WHERE id = 1").first()
        let check = try await sql.raw("SELECT value FROM system_values WHERE name = \(bind: KeyStore.checkName)")
            .first(decodingColumn: "value", as: String.self)
        let erased = try await sql.raw("SELECT code FROM survivors WHERE identity_destroyed_at IS NOT NULL")
            .all(decodingColumn: "code", as: String.self)
        return DatabaseState(
            tables: tables, migrations: migrations,
            auditHead: .init(sequence: try head?.decode(column: "sequence", as: Int.self) ?? 0,
                             hash: try head?.decode(column: "hash", as: String.self) ?? ""),
            keyCheck: check ?? "", erasedCodes: Set(erased))
    }
}
