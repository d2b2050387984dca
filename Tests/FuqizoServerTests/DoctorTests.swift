import Foundation
@testable import FuqizoServer
import Testing
import Vapor

@Suite("fuqizo doctor")
struct DoctorTests {
    static func finding(_ findings: [Doctor.Finding], _ topic: String) -> Doctor.Finding? {
        findings.first { $0.topic == topic }
    }

    @Test("a data directory others can open, a missing mail program, no backup and an unsynchronised clock are each named with their fix")
    func failures() async throws {
        try await withFuqizo(["FUQIZO_MAIL_TRANSPORT": "sendmail", "FUQIZO_SENDMAIL_COMMAND": "/nonexistent/sendmail -t",
                              "FUQIZO_PUBLIC_URL": "http://fuqizo.example.org"]) { app in
            // On PostgreSQL with the key in the environment nothing has made the folder yet.
            try FileManager.default.createDirectory(at: app.services.config.dataDirectory, withIntermediateDirectories: true)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: app.services.config.dataDirectory.path)
            var doctor = Doctor(app: app)
            doctor.timeSyncProgram = ["/bin/echo", "no"]
            let findings = await doctor.run()
            #expect(Self.finding(findings, "data directory")?.level == .failure)
            #expect(Self.finding(findings, "data directory")?.fix == "chmod 700 \(app.services.config.dataDirectory.path)")
            #expect(Self.finding(findings, "mail")?.level == .failure)
            #expect(Self.finding(findings, "backups")?.text == "no backup has been made")
            #expect(Self.finding(findings, "time")?.level == .warning)
            #expect(Self.finding(findings, "address")?.level == .failure, "a public address without HTTPS")
            #expect(Self.finding(findings, "database")?.level == .ok)
        }
    }

    @Test("a well-kept server passes: its own data directory, a recent backup, a synchronised clock, mail that can go out")
    func healthy() async throws {
        try await withFuqizo(["FUQIZO_MAIL_TRANSPORT": "sendmail", "FUQIZO_SENDMAIL_COMMAND": "/bin/cat"]) { app in
            try FileManager.default.createDirectory(at: app.services.config.dataDirectory, withIntermediateDirectories: true)
            try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: app.services.config.dataDirectory.path)
            _ = try await ScheduledBackups(app: app).runIfDue()
            var doctor = Doctor(app: app)
            doctor.timeSyncProgram = ["/bin/echo", "yes"]
            let findings = await doctor.run()
            for topic in ["data directory", "database", "mail", "time", "address"] {
                #expect(Self.finding(findings, topic)?.level == .ok, "\(topic): \(Self.finding(findings, topic)?.text ?? "missing")")
            }
            #expect(Self.finding(findings, "backups")?.level == .ok)
            #expect(!findings.contains { $0.topic == "master key" || $0.topic == "migrations" }, "the key matches and nothing is pending")
        }
    }

    @Test("a nearly full disk fails with its fix, a roomy one passes, and a backup folder on the data's own disk is pointed out")
    func disk() async throws {
        try await withFuqizo { app in
            let small = try TinyDisk(megabytes: 4)
            defer { small.remove() }
            let full = Doctor(app: app).disk(small.folder, topic: "disk (data)")
            #expect(full.level == .failure && full.fix == "free space now: a full disk stops every write", "\(full.text)")
            let roomy = Doctor(app: app).disk(FileManager.default.temporaryDirectory, topic: "disk (data)")
            #expect(roomy.level != .failure, "\(roomy.text)")
            #expect(Doctor.sameDevice(app.services.config.dataDirectory, app.services.config.dataDirectory.appendingPathComponent("backups")))
            #expect(!Doctor.sameDevice(small.folder, app.services.config.dataDirectory))
        }
    }
}

/// A small filesystem of its own (tmpfs), for what happens when a disk is full. Needs root,
/// as `scripts/test` runs.
struct TinyDisk {
    let folder: URL

    init(megabytes: Int) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("fuqizo-tiny-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false)
        let mount = Process()
        mount.executableURL = URL(fileURLWithPath: "/bin/mount")
        mount.arguments = ["-t", "tmpfs", "-o", "size=\(megabytes)m,mode=0700", "tmpfs", folder.path]
        try mount.run()
        mount.waitUntilExit()
        guard mount.terminationStatus == 0 else { throw Abort(.internalServerError, reason: "mount needs root") }
    }

    func remove() {
        let unmount = Process()
        unmount.executableURL = URL(fileURLWithPath: "/bin/umount")
        unmount.arguments = ["--lazy", folder.path]
        try? unmount.run()
        unmount.waitUntilExit()
        try? FileManager.default.removeItem(at: folder)
    }
}
