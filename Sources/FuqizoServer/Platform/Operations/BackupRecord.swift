import Fluent
import Foundation
import FuqizoCore
import Vapor

/// The last backup and the last failure, kept in the database for the administrator's page,
/// the home page's warning, `/metrics` and `fuqizo doctor`. Written by scheduled backups and by
/// `fuqizo backup` alike, so a backup run from cron counts too.
struct BackupRecord: Codable, Sendable, Equatable {
    struct Failure: Codable, Sendable, Equatable {
        let at: Date
        /// The system's words (English, naming files only), for the operator.
        let reason: String
        /// What to do, told to the administrator in their language (absent in records written
        /// before it was kept).
        var advice: Advice?
    }

    /// What an administrator can do about a failed backup.
    enum Advice: String, Codable, Sendable, CaseIterable {
        /// The folder is missing, not the server's, not writable or its disk is full.
        case folder
        /// `pg_dump` is missing, too old, or could not reach the database.
        case program
        /// Anything else: `fuqizo doctor` says what.
        case other

        init(_ error: any Error) {
            switch error {
            case BackupFailure.notEmpty, BackupFailure.unwritable, is CocoaError, is POSIXError: self = .folder
            case BackupFailure.program: self = .program
            default: self = StorageOutage(error) == .diskFull ? .folder : .other
            }
        }

        var catalogKey: String { "backups.advice.\(rawValue)" }
    }

    var lastAt: Date?
    var lastFolder: String?
    var lastBytes: Int64?
    var lastRows: Int64?
    var lastSeconds: Double?
    /// Set when the latest attempt failed, cleared by the next success.
    var failure: Failure?

    static let name = "backup_record"

    static func read(on database: any Database) async throws -> BackupRecord {
        guard let stored = try await SystemValue.find(name, on: database) else { return BackupRecord() }
        return (try? decoder.decode(BackupRecord.self, from: Data(stored.value.utf8))) ?? BackupRecord()
    }

    static func succeeded(_ manifest: BackupManifest, folder: URL, seconds: Double, on database: any Database) async throws {
        var record = try await read(on: database)
        record.lastAt = manifest.createdAt
        record.lastFolder = folder.path
        record.lastBytes = manifest.files.reduce(0) { $0 + $1.bytes }
        record.lastRows = manifest.tables.values.reduce(0, +)
        record.lastSeconds = seconds
        record.failure = nil
        try await save(record, on: database)
    }

    static func failed(_ error: any Error, at date: Date, on database: any Database) async throws {
        var record = try await read(on: database)
        record.failure = Failure(at: date, reason: String(String(describing: error).prefix(500)), advice: Advice(error))
        try await save(record, on: database)
    }

    private static func save(_ record: BackupRecord, on database: any Database) async throws {
        let text = String(decoding: try encoder.encode(record), as: UTF8.self)
        try await database.writeTransaction { db in
            if let stored = try await SystemValue.find(name, on: db) {
                stored.value = text
                try await stored.save(on: db)
            } else {
                try await SystemValue(id: name, value: text).create(on: db)
            }
        }
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    private static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}

/// The daily backup, run by the background work of the instance that runs it (the one with
/// `FUQIZO_BACKGROUND_JOBS` on and a `FUQIZO_BACKUP_DIR`), then the retention.
struct ScheduledBackups {
    static let leaseName = "lease.backup"

    let app: Application

    /// Takes a backup when the last is nearly a day old; returns its folder, nil when none was due.
    @discardableResult
    func runIfDue() async throws -> URL? {
        guard let root = app.services.config.backupDirectory else { return nil }
        let now = app.services.clock.now()
        guard BackupSchedule.isDue(lastBackup: try await BackupRecord.read(on: app.db).lastAt, now: now) else { return nil }
        // One instance of several takes it; after a failure the next try waits for the hour.
        guard try await Lease.claim(Self.leaseName, for: 3600, now: now, on: app.db) else { return nil }
        let folder = root.appendingPathComponent(BackupSchedule.folderName(at: now), isDirectory: true)
        let started = Date()
        do {
            let manifest = try await Backup(app: app).make(into: folder)
            try await BackupRecord.succeeded(manifest, folder: folder, seconds: Date().timeIntervalSince(started), on: app.db)
        } catch {
            // What failed, for the administrator; a backup's errors name files, never people.
            try? await BackupRecord.failed(error, at: now, on: app.db)
            throw error
        }
        try prune(root)
        return folder
    }

    /// The scheduled backups in the folder, newest first, with their manifests (nil when
    /// unfinished or unreadable).
    static func list(_ root: URL) -> [(folder: URL, date: Date, manifest: BackupManifest?)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return names.compactMap { name in
            BackupSchedule.date(ofFolder: name).map { date in
                let folder = root.appendingPathComponent(name, isDirectory: true)
                return (folder, date, try? BackupManifest.read(from: folder))
            }
        }.sorted { $0.date > $1.date }
    }

    /// Deletes what the retention does not keep. A folder without a manifest is a backup that
    /// stopped half-way: removed once a finished one is newer.
    func prune(_ root: URL) throws {
        let backups = Self.list(root)
        let finished = backups.filter { $0.manifest != nil }
        let kept = app.services.config.backupRetention.kept(finished.map(\.date))
        let newestFinished = finished.first?.date ?? .distantPast
        for backup in backups {
            let unwanted = backup.manifest == nil ? backup.date < newestFinished : !kept.contains(backup.date)
            if unwanted { try FileManager.default.removeItem(at: backup.folder) }
        }
    }
}
