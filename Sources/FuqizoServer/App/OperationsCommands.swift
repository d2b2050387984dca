import Fluent
import Foundation
import FuqizoCore
import SQLKit
import Vapor

/// `fuqizo backup DIR`: a consistent copy while the server runs (Backup).
struct BackupCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "directory", help: "A new (or empty) folder for the backup")
        var directory: String
    }

    var help: String { "Writes a consistent backup of the database, with the erased records' list and a manifest, into a new folder." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let started = Date()
        let directory = URL(fileURLWithPath: signature.directory, isDirectory: true).standardizedFileURL
        let manifest = try await context.stopping("Backup stopped") { try await Backup(app: context.application).make(into: directory) }
        try await BackupRecord.succeeded(manifest, folder: directory, seconds: Date().timeIntervalSince(started), on: context.application.db)
        let bytes = manifest.files.reduce(Int64(0)) { $0 + $1.bytes }
        context.console.print("""
            Backup written to \(directory.path) in \(String(format: "%.1f", Date().timeIntervalSince(started))) s: \
            \(manifest.tables.values.reduce(0, +)) rows in \(manifest.tables.count) tables, \(bytes) bytes, \
            audit head \(manifest.auditHead.sequence), \(manifest.erasedRecords) erased records listed.
            It opens only with the master key whose check value begins \(manifest.keyCheck.prefix(12)); keep that key apart from it.
            """)
    }
}

/// `fuqizo restore DIR [--erasures FILE]`: into an empty data directory or schema (Restore).
struct RestoreCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "directory", help: "A folder written by fuqizo backup")
        var directory: String
        @Option(name: "erasures", help: "Another erased-records.txt to apply (e.g. from a newer backup kept elsewhere)")
        var erasures: String?
    }

    var help: String { "Restores a backup into an empty data directory or database, checks it, and erases again every record erased since." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let started = Date()
        var restore = Restore(app: context.application)
        restore.extraErasureLists = signature.erasures.map { [URL(fileURLWithPath: $0)] } ?? []
        let directory = URL(fileURLWithPath: signature.directory, isDirectory: true).standardizedFileURL
        let report = try await context.stopping("Restore stopped") { try await restore.run(from: directory) }
        let made = ISO8601DateFormatter().string(from: report.manifest.createdAt)
        context.console.print("""
            Restored the backup of \(made) (release \(report.manifest.release)) in \
            \(String(format: "%.1f", Date().timeIntervalSince(started))) s: \(report.rows) rows in \
            \(report.manifest.tables.count) tables, each as the manifest lists.
            Audit trail intact: \(report.auditEntries) entries verified.
            Migrations run since: \(report.migrationsRun.isEmpty ? "none" : report.migrationsRun.joined(separator: ", ")).
            Erased again: \(report.erasuresReapplied) records erased after this backup was made.
            """)
    }
}

/// `fuqizo migrate [--dry-run]`: what a start would change in the database's schema, or does it.
/// Shipped migrations are never edited and never reverted: restore a backup to go back.
struct MigrateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Flag(name: "dry-run", help: "Only list the migrations that would run")
        var dryRun: Bool
    }

    var help: String { "Lists (--dry-run) or runs the migrations this release has and the database has not." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let pending = try await Self.pending(app)
        guard !pending.isEmpty else {
            context.console.print("The database is up to date: no migration would run.")
            return
        }
        context.console.print("\(pending.count) migration(s) would run, in this order:")
        for name in pending { context.console.print("  \(name)") }
        guard !signature.dryRun else { return }
        try await prepareDatabase(app)
        context.console.print("Done: \(pending.count) migration(s) ran.")
    }

    /// This release's migrations the database has not run, read without writing anything.
    static func pending(_ app: Application) async throws -> [String] {
        let shipped = shippedMigrationNames(resources: ResourceLocation.directory(override: app.services.config.resourcesDirectory))
        // Opening a SQLite file that is not there would make an empty one (and a restore then refuses it).
        if case .sqlite(let path) = app.services.config.database, !FileManager.default.fileExists(atPath: path) { return shipped }
        guard let sql = app.db as? any SQLDatabase else { return shipped }
        // No table yet (a new database, or a schema not made yet) means nothing has run.
        let done = (try? await sql.raw("SELECT name FROM _fluent_migrations").all(decodingColumn: "name", as: String.self)) ?? []
        return shipped.filter { !Set(done).contains($0) }
    }
}

extension CommandContext {
    /// Runs an operation whose failure is told to the operator in one line and ends the command
    /// with status 1. These failures name files, settings and tables, never people.
    func stopping<T>(_ what: String, _ operation: () async throws -> T) async throws -> T {
        do {
            return try await operation()
        } catch let failure as any Error & CustomStringConvertible {
            console.error("\(what): \(failure)")
            throw ExitCode(1)
        }
    }
}
