import Crypto
import FuqizoCore
import Foundation

/// What a backup holds, written last into its folder as `manifest.json`: a folder without one
/// is a backup that did not finish. The master key is never in a backup; `keyCheck` names the
/// key it opens with (the check value a server compares at start).
struct BackupManifest: Codable, Sendable, Equatable {
    static let fileName = "manifest.json"
    static let currentFormat = 1

    struct File: Codable, Sendable, Equatable {
        let name: String
        let bytes: Int64
        let sha256: String
    }

    struct AuditHead: Codable, Sendable, Equatable {
        let sequence: Int
        let hash: String
    }

    enum Engine: String, Codable, Sendable {
        case sqlite
        case postgresql
    }

    var format = Self.currentFormat
    let createdAt: Date
    let release: Int
    let engine: Engine
    /// PostgreSQL: the schema the tables are in (a restore puts them back into the same one).
    let schema: String?
    /// The migrations the database had run, in the order they ran: its schema version.
    let migrations: [String]
    let tables: [String: Int64]
    let auditHead: AuditHead
    let keyCheck: String
    let erasedRecords: Int
    let files: [File]

    /// The database's file in the folder.
    var databaseFile: String { engine == .sqlite ? Self.sqliteFile : Self.postgresFile }

    static let sqliteFile = "fuqizo.sqlite"
    static let postgresFile = "fuqizo.pgdump"

    static func read(from directory: URL) throws -> BackupManifest {
        let file = directory.appendingPathComponent(fileName)
        guard let data = try? Data(contentsOf: file) else { throw BackupFailure.noManifest(directory.path) }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        guard let manifest = try? decoder.decode(BackupManifest.self, from: data) else { throw BackupFailure.noManifest(directory.path) }
        guard manifest.format == currentFormat else { throw BackupFailure.unknownFormat(manifest.format) }
        return manifest
    }

    /// Written to a temporary name, flushed, then renamed: a manifest is whole or absent.
    func write(to directory: URL) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let temporary = directory.appendingPathComponent(Self.fileName + ".partial")
        try encoder.encode(self).write(to: temporary)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: temporary.path)
        try FileSync.flush(temporary)
        try FileManager.default.moveItem(at: temporary, to: directory.appendingPathComponent(Self.fileName))
        try FileSync.flush(directory)
    }

    /// Each file's size and SHA-256, read in pieces (a database may be gigabytes).
    static func describe(_ file: URL) throws -> File {
        let handle = try FileHandle(forReadingFrom: file)
        defer { try? handle.close() }
        var hasher = SHA256()
        var bytes: Int64 = 0
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
            bytes += Int64(chunk.count)
        }
        return File(name: file.lastPathComponent, bytes: bytes, sha256: hasher.finalize().hexString)
    }

    /// Every file is there with the size and digest the manifest gives.
    func checkFiles(in directory: URL) throws {
        for expected in files {
            let url = directory.appendingPathComponent(expected.name)
            guard FileManager.default.fileExists(atPath: url.path), try Self.describe(url) == expected else {
                throw BackupFailure.damaged(expected.name)
            }
        }
        guard files.contains(where: { $0.name == databaseFile }) else { throw BackupFailure.damaged(databaseFile) }
    }
}

/// Flushes a file or a folder's entries to the disk.
enum FileSync {
    static func flush(_ url: URL) throws {
        let descriptor = open(url.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw BackupFailure.unwritable(url.path) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw BackupFailure.unwritable(url.path) }
    }
}

/// Why a backup or a restore stopped; written for the operator, never with personal data.
enum BackupFailure: Error, CustomStringConvertible, Equatable {
    case notEmpty(String)
    case unwritable(String)
    case noManifest(String)
    case unknownFormat(Int)
    case damaged(String)
    case otherEngine(BackupManifest.Engine)
    case otherSchema(String)
    case newerRelease(String)
    case otherKey(String)
    case liveData(String)
    case program(String, String)
    case countsDiffer(String)
    case alreadyCurrent
    case notItsKey

    var description: String {
        switch self {
        case .notEmpty(let path): "\(path) exists and is not empty; name a new folder for the backup."
        case .unwritable(let path): "Could not write \(path)."
        case .noManifest(let path): "\(path) holds no finished backup (its manifest.json is missing or unreadable)."
        case .unknownFormat(let format): "This backup's format (\(format)) is not one this release reads."
        case .damaged(let name): "The backup's file \(name) is missing or differs from its manifest (size or SHA-256): it is damaged."
        case .otherEngine(let engine): "This backup is of a \(engine.rawValue) database; configure that kind of database to restore it."
        case .otherSchema(let schema): "This backup's tables are in the PostgreSQL schema \(schema); set FUQIZO_DATABASE_SCHEMA to it to restore."
        case .newerRelease(let migration): "This backup was made by a newer release (it ran the migration \(migration)); restore it with that release."
        case .otherKey(let check):
            "This backup opens with another master key (key check \(check.prefix(12))…). If the key was rotated since, "
                + "run `fuqizo keys rewrap-backup DIR --retired-key FILE` with the retired key, then restore the re-wrapped copy."
        case .liveData(let place): "\(place) already holds data; a restore goes only into an empty data directory or database."
        case .program(let name, let output): "\(name) failed: \(output.prefix(400))"
        case .countsDiffer(let table): "After restoring, the table \(table) does not hold the rows the manifest lists."
        case .alreadyCurrent: "This backup opens with the current master key already; restore it as it is."
        case .notItsKey: "The retired key given is not the one this backup was made under (compare the manifest's keyCheck)."
        }
    }
}
