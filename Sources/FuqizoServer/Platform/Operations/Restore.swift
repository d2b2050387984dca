import Fluent
import Foundation
import FuqizoCore
import SQLKit
import Vapor

/// `fuqizo restore DIR`: puts a backup back into an empty data directory (SQLite) or an empty
/// schema (PostgreSQL), then proves it: the files match the manifest before anything is
/// written, the key opens it, every table holds the rows the manifest lists, the audit chain
/// verifies. Before anyone can use it, every erased record it still holds is erased again.
struct Restore {
    struct Report: Sendable {
        let manifest: BackupManifest
        let rows: Int64
        let auditEntries: Int
        let migrationsRun: [String]
        let erasuresReapplied: Int
    }

    let app: Application
    /// Further lists of erased records to apply (from newer backups kept elsewhere).
    var extraErasureLists: [URL] = []

    private var config: AppConfig { app.services.config }

    func run(from directory: URL) async throws -> Report {
        let manifest = try BackupManifest.read(from: directory)
        try manifest.checkFiles(in: directory)
        try check(manifest)
        // Held alone: no server may open the database while it is being put back.
        let lock = try ServerLock.acquire(in: config.dataDirectory, exclusive: true)
        defer { withExtendedLifetime(lock) {} }
        let source = directory.appendingPathComponent(manifest.databaseFile)
        switch config.database {
        case .sqlite(let path):
            try await putBackFile(source, at: URL(fileURLWithPath: path))
        case .postgres(let url):
            try await requireEmptySchema()
            try await dropEmptySchema()
            try await PostgresTools(url: url, schema: manifest.schema ?? "public").restore(from: source)
        }
        try await compare(manifest)
        // What a start would run on it: the later releases' migrations (read without counting every table again).
        let migrationsRun = try await MigrateCommand.pending(app)
        try await prepareDatabase(app)
        let verification = try await AuditLog.verify(on: app.db, key: app.services.audit.key.key)
        guard verification.isIntact else { throw AuditChainBroken(verification: verification) }
        try await recordRestore(of: manifest, migrationsRun: migrationsRun.count)
        let erased = try await SurvivorService(database: app.db, services: app.services).reapplyErasures(try erasureCodes(directory))
        return Report(manifest: manifest, rows: manifest.tables.values.reduce(0, +), auditEntries: verification.checked,
                      migrationsRun: migrationsRun, erasuresReapplied: erased)
    }

    /// The trail says when the records were put back and from which backup, so an auditor
    /// reading it sees why entries stop at the backup's head and go on from here.
    private func recordRestore(of manifest: BackupManifest, migrationsRun: Int) async throws {
        let event = AuditLog.Event("backup.restored", details: ["madeAt": ISO8601DateFormatter().string(from: manifest.createdAt), "release": "\(manifest.release)",
                                                                "migrationsRun": "\(migrationsRun)"])
        let audit = app.services.audit, now = app.services.clock.now()
        try await app.db.writeTransaction { db in try await audit.record(event, actor: nil, at: now, on: db) }
    }

    /// The backup is one this server can restore: its engine and schema, a release no newer
    /// than this one, and the master key this server has.
    private func check(_ manifest: BackupManifest) throws {
        switch (config.database, manifest.engine) {
        case (.sqlite, .sqlite): break
        case (.postgres, .postgresql):
            guard (config.databaseSchema ?? "public") == (manifest.schema ?? "public") else {
                throw BackupFailure.otherSchema(manifest.schema ?? "public")
            }
        default: throw BackupFailure.otherEngine(manifest.engine)
        }
        let known = Set(shippedMigrationNames(resources: ResourceLocation.directory(override: config.resourcesDirectory)))
        if let newer = manifest.migrations.first(where: { !known.contains($0) }) { throw BackupFailure.newerRelease(newer) }
        guard constantTimeEquals(manifest.keyCheck, app.services.masterKey.checkValue) else { throw BackupFailure.otherKey(manifest.keyCheck) }
    }

    /// Copied beside the database's place, flushed, then renamed into it: a restore stopped
    /// half-way leaves no database file that looks whole.
    private func putBackFile(_ source: URL, at target: URL) async throws {
        let manager = FileManager.default
        for suffix in ["", "-wal", "-journal"] where manager.fileExists(atPath: target.path + suffix) {
            throw BackupFailure.liveData(target.path)
        }
        try manager.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true,
                                    attributes: [.posixPermissions: 0o700])
        let partial = target.appendingPathExtension("restoring")
        try? manager.removeItem(at: partial)
        try manager.copyItem(at: source, to: partial)
        try FileSync.flush(partial)
        try manager.moveItem(at: partial, to: target)
        try FileSync.flush(target.deletingLastPathComponent())
    }

    private func requireEmptySchema() async throws {
        let tables = try await sql().raw("""
            SELECT CAST(COUNT(*) AS BIGINT) AS n FROM information_schema.tables
            WHERE table_schema = \(bind: config.databaseSchema ?? "public")
            """).first(decodingColumn: "n", as: Int64.self) ?? 0
        guard tables == 0 else { throw BackupFailure.liveData("The PostgreSQL schema \(config.databaseSchema ?? "public")") }
    }

    /// The dump creates its schema itself; the empty one there (a new database's `public`, or
    /// one a first start made) goes first. RESTRICT: never one that holds anything.
    private func dropEmptySchema() async throws {
        try await sql().raw("DROP SCHEMA IF EXISTS \(ident: config.databaseSchema ?? "public") RESTRICT").run()
    }

    /// Every table holds exactly the rows the manifest lists, and the audit head is the same.
    private func compare(_ manifest: BackupManifest) async throws {
        let state = try await DatabaseState.read(try sql(), engine: manifest.engine)
        for (table, rows) in manifest.tables where state.tables[table] != rows { throw BackupFailure.countsDiffer(table) }
        guard state.auditHead == manifest.auditHead else { throw BackupFailure.countsDiffer("audit_head") }
    }

    /// The backup's own list, every other backup's beside it (a newer one may list more), the
    /// data directory's, and any the operator names.
    private func erasureCodes(_ directory: URL) throws -> Set<String> {
        var lists = [directory.appendingPathComponent(ErasureList.fileName),
                     config.dataDirectory.appendingPathComponent(ErasureList.fileName)] + extraErasureLists
        let siblings = (try? FileManager.default.contentsOfDirectory(at: directory.deletingLastPathComponent(), includingPropertiesForKeys: nil)) ?? []
        lists += siblings.map { $0.appendingPathComponent(ErasureList.fileName) }
        return try lists.reduce(into: Set<String>()) { codes, file in codes.formUnion(try ErasureList(file: file).codes()) }
    }

    private func sql() throws -> any SQLDatabase {
        guard let sql = app.db as? any SQLDatabase else { throw BackupFailure.unwritable("database") }
        return sql
    }
}
