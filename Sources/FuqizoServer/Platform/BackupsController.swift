import Foundation
import FuqizoCore
import Vapor

/// `/admin/backups`: when the server last backed itself up, whether that is too long ago, the
/// backups kept, and how the schedule is set. Backups are made and restored on the command
/// line (docs/operations.md); this page only tells.
struct BackupsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("admin", "backups", use: show).access(.viewBackups)
    }

    func show(req: Request) async throws -> View {
        let record = try await BackupRecord.read(on: req.db)
        let config = req.services.config
        return try await req.page("admin/backups", title: "backups.title",
                                  BackupsContext(record: record, config: config, now: req.now, language: req.language))
    }
}

struct BackupsContext: Encodable {
    struct Kept: Encodable {
        let name: String
        let madeAt: String
        let size: String
        let rows: String
        let finished: Bool
    }

    let overdue: Bool
    let never: Bool
    let lastAt: String
    let lastSize: String
    let lastRows: String
    let lastSeconds: String
    let lastFolder: String
    let failedAt: String?
    let failure: String?
    let failureAdvice: String?
    let scheduled: Bool
    let directory: String
    let daily: Int
    let weekly: Int
    let kept: [Kept]

    init(record: BackupRecord, config: AppConfig, now: Date, language: Language) {
        overdue = BackupSchedule.isOverdue(lastBackup: record.lastAt, now: now)
        never = record.lastAt == nil
        lastAt = Display.dateTime(record.lastAt)
        lastSize = record.lastBytes.map(FileSize.text) ?? ""
        lastRows = record.lastRows.map { Display.count(Int(clamping: $0), language) } ?? ""
        lastSeconds = record.lastSeconds.map { String(format: "%.1f", $0) } ?? ""
        lastFolder = record.lastFolder ?? ""
        failedAt = record.failure.map { Display.dateTime($0.at) }
        failure = record.failure?.reason
        failureAdvice = record.failure.map { ($0.advice ?? .other).catalogKey }
        scheduled = config.backupDirectory != nil && config.runsBackgroundJobs
        directory = config.backupDirectory?.path ?? ""
        daily = config.backupRetention.daily
        weekly = config.backupRetention.weekly
        kept = config.backupDirectory.map { root in
            ScheduledBackups.list(root).prefix(60).map { backup in
                Kept(name: backup.folder.lastPathComponent, madeAt: Display.dateTime(backup.date),
                     size: backup.manifest.map { FileSize.text($0.files.reduce(0) { $0 + $1.bytes }) } ?? "",
                     rows: backup.manifest.map { Display.count(Int(clamping: $0.tables.values.reduce(0, +)), language) } ?? "",
                     finished: backup.manifest != nil)
            }
        } ?? []
    }
}
