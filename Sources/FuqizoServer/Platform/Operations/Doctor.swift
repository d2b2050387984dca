import Fluent
import Foundation
import FuqizoCore
import SQLKit
import Vapor

/// `fuqizo doctor`: what an operator should look at on this server, each with what to do.
/// It only reads (the database, the file system, the clock's state) and changes nothing.
struct Doctor {
    struct Finding: Sendable, Equatable {
        enum Level: String, Sendable {
            case ok = "ok"
            case warning = "WARN"
            case failure = "FAIL"
        }

        let level: Level
        let topic: String
        let text: String
        var fix: String?
    }

    let app: Application
    /// `timedatectl`, or whatever tells whether the clock is synchronised (a test names its own).
    var timeSyncProgram: [String] = ["/usr/bin/timedatectl", "show", "--property=NTPSynchronized", "--value"]

    private var config: AppConfig { app.services.config }

    func run() async -> [Finding] {
        var findings = [dataDirectory()]
        findings += await database()
        findings += [disk(config.dataDirectory, topic: "disk (data)")]
        if let backups = config.backupDirectory { findings.append(disk(backups, topic: "disk (backups)")) }
        findings += await backups()
        findings.append(timeSync())
        findings.append(mail())
        findings.append(publicAddress())
        if app.services.photoReducer.executable == nil {
            findings.append(.init(level: .warning, topic: "photos", text: "vipsthumbnail is not installed: campaign photos are served at their uploaded size",
                                  fix: "apt-get install libvips-tools"))
        }
        return findings
    }

    private func dataDirectory() -> Finding {
        let path = config.dataDirectory.path
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else {
            return .init(level: .failure, topic: "data directory", text: "\(path) does not exist", fix: "install -d -m 700 -o fuqizo \(path)")
        }
        let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0o777
        let owner = (attributes[.ownerAccountID] as? NSNumber)?.uint32Value
        if mode & 0o077 != 0 {
            return .init(level: .failure, topic: "data directory", text: "\(path) is open to other accounts (mode \(String(mode, radix: 8)))",
                         fix: "chmod 700 \(path)")
        }
        if owner != geteuid() {
            return .init(level: .failure, topic: "data directory", text: "\(path) belongs to another account than this one",
                         fix: "chown the data directory to the service account")
        }
        let key = config.masterKeyBase64 == nil ? "the master key in \(KeyStore.keyFile(config).path) (mode 600)" : "the master key from FUQIZO_MASTER_KEY"
        return .init(level: .ok, topic: "data directory", text: "\(path) is this account's alone (mode 700); \(key)")
    }

    private func database() async -> [Finding] {
        let place = switch config.database {
        case .sqlite(let path): "SQLite \(path)"
        case .postgres: "PostgreSQL, schema \(config.databaseSchema ?? "public")"
        }
        do {
            try await SystemValue.ping(app.db)
        } catch {
            return [.init(level: .failure, topic: "database", text: "\(place) does not answer: \(String(describing: error).prefix(200))",
                          fix: "check DATABASE_URL and that the database server runs")]
        }
        var findings = [Finding(level: .ok, topic: "database", text: "\(place) answers")]
        if (try? await KeyStore.matches(app.services.masterKey, on: app.db)) != true {
            findings.append(.init(level: .failure, topic: "master key", text: "the master key does not match this database",
                                  fix: "start with the key it was created with (after an interrupted rotation, run fuqizo keys rotate again)"))
        }
        if let pending = try? await MigrateCommand.pending(app), !pending.isEmpty {
            findings.append(.init(level: .warning, topic: "migrations", text: "\(pending.count) migration(s) will run at the next start",
                                  fix: "take a backup first; fuqizo migrate --dry-run lists them"))
        }
        if case .postgres = config.database, PostgresTools.locate("pg_dump") == nil {
            findings.append(.init(level: .failure, topic: "backups", text: "pg_dump is not installed: no backup can be made",
                                  fix: "apt-get install postgresql-client"))
        }
        return findings
    }

    private func backups() async -> [Finding] {
        guard let record = try? await BackupRecord.read(on: app.db) else { return [] }
        var findings: [Finding] = []
        let now = app.services.clock.now()
        if let last = record.lastAt {
            let hours = Int(now.timeIntervalSince(last) / 3600)
            findings.append(BackupSchedule.isOverdue(lastBackup: last, now: now)
                ? .init(level: .failure, topic: "backups", text: "the last backup is \(hours) hours old (\(record.lastFolder ?? ""))",
                        fix: "run fuqizo backup DIR, and see why the scheduled backup did not run (/admin/backups, the journal)")
                : .init(level: .ok, topic: "backups", text: "the last backup is \(hours) hours old (\(record.lastFolder ?? ""))"))
        } else {
            findings.append(.init(level: .failure, topic: "backups", text: "no backup has been made",
                                  fix: "run fuqizo backup DIR; a serving instance makes one at its first background run"))
        }
        if let failure = record.failure {
            findings.append(.init(level: .warning, topic: "backups", text: "the latest attempt failed: \(failure.reason.prefix(200))"))
        }
        if config.backupDirectory == nil {
            findings.append(.init(level: .warning, topic: "backups", text: "scheduled backups are off (FUQIZO_BACKUP_DIR=off)",
                                  fix: "run fuqizo backup from cron every night, or set FUQIZO_BACKUP_DIR"))
        } else if let backups = config.backupDirectory, Self.sameDevice(backups, config.dataDirectory) {
            findings.append(.init(level: .warning, topic: "backups", text: "\(backups.path) is on the same disk as the data",
                                  fix: "copy the backups off the machine every night, or set FUQIZO_BACKUP_DIR to another disk"))
        }
        return findings
    }

    /// Fails under 200 MB or 2 % free; warns under 1 GB or 10 %.
    func disk(_ directory: URL, topic: String) -> Finding {
        let existing = Self.nearestExisting(directory)
        var stats = statvfs()
        guard statvfs(existing.path, &stats) == 0 else {
            return .init(level: .warning, topic: topic, text: "cannot read the free space of \(existing.path)")
        }
        let free = Double(stats.f_bavail) * Double(stats.f_frsize), total = Double(stats.f_blocks) * Double(stats.f_frsize)
        let share = total > 0 ? free / total : 0
        let text = String(format: "%.1f GB free of %.1f GB (%.0f %%) at %@", free / 1e9, total / 1e9, share * 100, existing.path)
        if free < 200e6 || share < 0.02 { return .init(level: .failure, topic: topic, text: text, fix: "free space now: a full disk stops every write") }
        if free < 1e9 || share < 0.10 { return .init(level: .warning, topic: topic, text: text, fix: "free space or grow the disk") }
        return .init(level: .ok, topic: topic, text: text)
    }

    private func timeSync() -> Finding {
        let answer = Self.output(of: timeSyncProgram)?.trimmingCharacters(in: .whitespacesAndNewlines)
        switch answer {
        case "yes": return .init(level: .ok, topic: "time", text: "the clock is synchronised")
        case "no":
            return .init(level: .warning, topic: "time", text: "the clock is not synchronised: second-factor codes and deadlines depend on it",
                         fix: "apt-get install systemd-timesyncd (or chrony)")
        default:
            return .init(level: .warning, topic: "time", text: "cannot tell whether the clock is synchronised",
                         fix: "check with timedatectl or chronyc tracking")
        }
    }

    private func mail() -> Finding {
        switch config.mailTransport {
        case .log:
            return .init(level: .warning, topic: "mail", text: "FUQIZO_MAIL_TRANSPORT is log: mails, sign-in links included, go to the console",
                         fix: "set FUQIZO_MAIL_TRANSPORT=sendmail and FUQIZO_SENDMAIL_COMMAND")
        case .sendmail:
            let program = config.sendmailCommand.split(separator: " ").first.map(String.init) ?? ""
            guard FileManager.default.isExecutableFile(atPath: program) else {
                return .init(level: .failure, topic: "mail", text: "the mail program \(program) is not there: no mail goes out",
                             fix: "install it (apt-get install msmtp) or correct FUQIZO_SENDMAIL_COMMAND")
            }
            return .init(level: .ok, topic: "mail", text: "mail goes through \(program)")
        }
    }

    private func publicAddress() -> Finding {
        if config.usesHTTPS { return .init(level: .ok, topic: "address", text: "\(config.publicURL) uses HTTPS") }
        let local = ["http://127.0.0.1", "http://localhost", "http://[::1]"].contains { config.publicURL.hasPrefix($0) }
        return .init(level: local ? .ok : .failure, topic: "address",
                     text: local ? "\(config.publicURL) is this machine only" : "\(config.publicURL) is not HTTPS: passwords would cross the network readable",
                     fix: local ? nil : "put nginx with TLS in front and set FUQIZO_PUBLIC_URL=https://…")
    }

    static func sameDevice(_ first: URL, _ second: URL) -> Bool {
        var a = stat(), b = stat()
        guard stat(nearestExisting(first).path, &a) == 0, stat(nearestExisting(second).path, &b) == 0 else { return false }
        return a.st_dev == b.st_dev
    }

    /// The folder itself, or the nearest of its parents that exists (a backup folder not made yet).
    static func nearestExisting(_ url: URL) -> URL {
        var url = url
        while !FileManager.default.fileExists(atPath: url.path), url.pathComponents.count > 1 { url.deleteLastPathComponent() }
        return url
    }

    /// A program's standard output, nil when it cannot run or fails.
    static func output(of command: [String]) -> String? {
        guard let program = command.first, FileManager.default.isExecutableFile(atPath: program) else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = Array(command.dropFirst())
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return process.terminationStatus == 0 ? String(decoding: data, as: UTF8.self) : nil
    }
}

/// `fuqizo doctor`: prints each finding; exits 1 when one is a failure.
struct DoctorCommand: AsyncCommand {
    struct Signature: CommandSignature {}

    var help: String { "Checks this server (data directory, key, database, disk, time, backups, mail) and says what to fix." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let findings = await Doctor(app: context.application).run()
        for finding in findings {
            context.console.print("\(finding.level.rawValue.padding(toLength: 5, withPad: " ", startingAt: 0)) \(finding.topic): \(finding.text)")
            if let fix = finding.fix, finding.level != .ok { context.console.print("      → \(fix)") }
        }
        let failures = findings.count { $0.level == .failure }, warnings = findings.count { $0.level == .warning }
        context.console.print("\(failures) to fix, \(warnings) to look at.")
        if failures > 0 { throw ExitCode(1) }
    }
}
