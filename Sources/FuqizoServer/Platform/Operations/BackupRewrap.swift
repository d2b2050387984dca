import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import FuqizoCore
import SQLKit
import Vapor

/// `fuqizo keys rewrap-backup DIR --retired-key FILE`: a backup made before a key rotation
/// opens only with the retired key. This writes a copy of it that opens with the current key,
/// beside it as `DIR-rewrapped`, leaving the original as it is: the backup is restored into a
/// scratch database (a temporary SQLite file, or a temporary PostgreSQL database), moved to the
/// current key exactly as a rotation moves a live database (`Rekeying`: survivors' data keys
/// re-wrapped, second factors re-sealed, the audit chain hashed again, a `keys.backupRewrapped`
/// entry), and backed up again. The scratch copy is deleted afterwards.
struct BackupRewrap {
    let app: Application

    struct Report: Sendable {
        let output: URL
        let survivorKeys: Int
        let userSecrets: Int
    }

    func run(backup directory: URL, retiredKey retired: MasterKey) async throws -> Report {
        let manifest = try BackupManifest.read(from: directory)
        try manifest.checkFiles(in: directory)
        let current = app.services.masterKey
        guard !constantTimeEquals(manifest.keyCheck, current.checkValue) else { throw BackupFailure.alreadyCurrent }
        guard constantTimeEquals(manifest.keyCheck, retired.checkValue) else { throw BackupFailure.notItsKey }
        let output = directory.deletingLastPathComponent().appendingPathComponent(directory.lastPathComponent + "-rewrapped", isDirectory: true)
        try Backup.prepareEmpty(output)
        let scratch = try await Scratch.make(for: manifest, from: directory, app: app)
        do {
            let rekeying = try await Rekeying.prepare(on: scratch.database, from: retired, to: current)
            _ = try await rekeying.apply(on: scratch.database, at: app.services.clock.now(), action: "keys.backupRewrapped")
            var backup = Backup(app: app)
            backup.source = scratch.source
            backup.madeAt = manifest.createdAt
            backup.alsoErased = try ErasureList(file: directory.appendingPathComponent(ErasureList.fileName)).codes()
            _ = try await backup.make(into: output)
            await scratch.remove(app)
            return Report(output: output, survivorKeys: rekeying.survivors.rewrapped.count, userSecrets: rekeying.secrets.users.count)
        } catch {
            await scratch.remove(app)
            try? FileManager.default.removeItem(at: output)
            throw error
        }
    }

    /// Where the backup is put back to be re-wrapped.
    private struct Scratch {
        let source: Backup.Source
        let place: Place

        enum Place {
            case folder(URL)
            case database(String)
        }

        var database: any Database { source.database }

        static func make(for manifest: BackupManifest, from directory: URL, app: Application) async throws -> Scratch {
            let id = DatabaseID(string: "rewrap-\(UUID().uuidString)")
            let file = directory.appendingPathComponent(manifest.databaseFile)
            switch (app.services.config.database, manifest.engine) {
            case (.sqlite, .sqlite):
                let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fuqizo-rewrap-\(UUID().uuidString)")
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
                let copy = folder.appendingPathComponent(BackupManifest.sqliteFile)
                try FileManager.default.copyItem(at: file, to: copy)
                app.databases.use(.sqlite(.file(copy.path)), as: id)
                return Scratch(source: .init(database: app.db(id), choice: .sqlite(path: copy.path), schema: nil), place: .folder(folder))
            case (.postgres(let url), .postgresql):
                guard let sql = app.db as? any SQLDatabase, var parts = URLComponents(string: url) else { throw BackupFailure.unwritable("database") }
                let name = "fuqizo_rewrap_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
                try await sql.raw("CREATE DATABASE \(ident: name)").run()
                parts.path = "/" + name
                let scratchURL = parts.string ?? url
                let schema = manifest.schema ?? "public"
                var configuration = try SQLPostgresConfiguration(url: scratchURL)
                configuration.searchPath = [schema]
                app.databases.use(.postgres(configuration: configuration, maxConnectionsPerEventLoop: 1), as: id)
                let scratch = Scratch(source: .init(database: app.db(id), choice: .postgres(url: scratchURL), schema: schema), place: .database(name))
                do {
                    // The dump makes its schema itself; a new database's empty `public` goes first.
                    try await (scratch.database as? any SQLDatabase)?.raw("DROP SCHEMA IF EXISTS \(ident: schema) RESTRICT").run()
                    try await PostgresTools(url: scratchURL, schema: schema).restore(from: file)
                } catch {
                    await scratch.remove(app)
                    throw error
                }
                return scratch
            default:
                throw BackupFailure.otherEngine(manifest.engine)
            }
        }

        func remove(_ app: Application) async {
            switch place {
            case .folder(let folder):
                try? FileManager.default.removeItem(at: folder)
            case .database(let name):
                try? await (app.db as? any SQLDatabase)?.raw("DROP DATABASE IF EXISTS \(ident: name) WITH (FORCE)").run()
            }
        }
    }
}
