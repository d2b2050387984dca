import Fluent
import Foundation
@testable import FuqizoCore
@testable import FuqizoServer
import SQLKit
import Testing
import Vapor

/// Backups taken while the server writes, restored into an empty place, proved whole; an
/// erasure made after a backup survives its restore. On SQLite, and on PostgreSQL when the
/// suite runs there.
@Suite("Backup and restore")
struct BackupTests {
    static func folder(_ name: String = "backup") -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("fuqizo-\(name)-\(UUID().uuidString)", isDirectory: true)
    }

    /// Where a restore of `app`'s backup goes: on SQLite a new data directory; on PostgreSQL
    /// the same schema, emptied first (the database was lost).
    static func restorePlace(of app: Application) async throws -> [String: String] {
        guard case .postgres = app.services.config.database, let schema = app.services.config.databaseSchema else { return [:] }
        try await (app.db as! any SQLDatabase).raw("DROP SCHEMA \(ident: schema) CASCADE").run()
        return ["FUQIZO_DATABASE_SCHEMA": schema]
    }

    @Test("a backup taken while case workers register survivors restores whole: every row the manifest lists, the audit chain, the identities")
    func backupAndRestore() async throws {
        let root = Self.folder()
        defer { try? FileManager.default.removeItem(at: root) }
        try await withFuqizo { app in
            let desk = try await CaseDesk.make(app)
            let first = try await desk.register(firstName: "Lindita", lastName: "Morina")
            // Writes go on while the backup is taken; it holds a consistent moment of them.
            async let writes: [String] = {
                var codes: [String] = []
                for name in ["Vera", "Mira", "Elona", "Teuta", "Shpresa", "Dafina"] {
                    codes.append(try await desk.register(firstName: name, lastName: "Gjoni"))
                }
                return codes
            }()
            let manifest = try await Backup(app: app).make(into: root.appendingPathComponent("one"))
            _ = try await writes

            let directory = root.appendingPathComponent("one")
            #expect(manifest.keyCheck == app.services.masterKey.checkValue)
            #expect(manifest.release == FuqizoRelease.current && manifest.migrations.count == shippedMigrationNames(resources: ResourceLocation.directory(override: nil)).count)
            #expect(manifest.tables["survivors"].map { $0 >= 1 && $0 <= 7 } == true, "a moment between the first registration and the last")
            #expect(manifest.tables["audit_entries"] == Int64(manifest.auditHead.sequence), "the counts and the audit head describe the same moment")
            try manifest.checkFiles(in: directory)
            let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
            #expect(names == ["erased-records.txt", "manifest.json", manifest.databaseFile].sorted(), "no key in the backup")
            for name in names {
                let mode = try FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent(name).path)[.posixPermissions] as? NSNumber
                #expect(mode.map { $0.intValue & 0o077 } == 0, "\(name) is readable by this account only")
            }
            let bytes = try Data(contentsOf: directory.appendingPathComponent(manifest.databaseFile))
            #expect(bytes.range(of: Data("Lindita".utf8)) == nil, "names are in the backup only encrypted")

            let place = try await Self.restorePlace(of: app)
            try await withFuqizo(place, prepared: false) { (restored: Application) async throws -> Void in
                let report = try await Restore(app: restored).run(from: directory)
                #expect(report.rows == manifest.tables.values.reduce(0, +) && report.auditEntries == manifest.auditHead.sequence)
                #expect(report.migrationsRun.isEmpty && report.erasuresReapplied == 0)
                let survivor = try #require(try await Survivor.query(on: restored.db).filter(\.$code == first).first())
                let key = try await SurvivorService(database: restored.db, services: restored.services).dataKey(of: survivor.requireID(), on: restored.db)
                #expect(try key.open(try #require(survivor.firstNameSealed), survivor: survivor.id!, field: "firstName") == "Lindita")

                // A second restore over it is refused and changes nothing.
                await #expect(throws: BackupFailure.self) { try await Restore(app: restored).run(from: directory) }
                #expect(try await Survivor.query(on: restored.db).count() == Int(manifest.tables["survivors"] ?? -1))
            }
        }
    }

    @Test("an erasure made after a backup is made again when that backup is restored, before anyone can read the record")
    func erasureSurvivesRestore() async throws {
        let root = Self.folder()
        defer { try? FileManager.default.removeItem(at: root) }
        try await withFuqizo { app in
            let desk = try await CaseDesk.make(app)
            let kept = try await desk.register(firstName: "Arta", lastName: "Kola")
            let erased = try await desk.register(firstName: "Besa", lastName: "Dervishi")
            let before = root.appendingPathComponent("before")
            _ = try await Backup(app: app).make(into: before)
            try await desk.post(erased, "erase", [("confirmed", "yes"), ("reason", "survivorAsked"), ("confirmCode", erased)])
            let listed = try ErasureList(dataDirectory: app.services.config.dataDirectory).codes()
            #expect(listed == [erased], "the data directory lists the erased record by its code, and nothing else")
            let after = try await Backup(app: app).make(into: root.appendingPathComponent("after"))
            #expect(after.erasedRecords == 1)

            let place = try await Self.restorePlace(of: app)
            try await withFuqizo(place, prepared: false) { (restored: Application) async throws -> Void in
                // The older backup still holds the record; the newer one beside it lists it.
                let report = try await Restore(app: restored).run(from: before)
                #expect(report.erasuresReapplied == 1)
                let survivor = try #require(try await Survivor.query(on: restored.db).filter(\.$code == erased).first())
                #expect(survivor.identityDestroyedAt != nil && survivor.firstNameSealed == nil)
                #expect(try await SurvivorKey.find(survivor.requireID(), on: restored.db) == nil, "its data key is gone again")
                #expect(try await Survivor.query(on: restored.db).filter(\.$code == kept).first()?.firstNameSealed != nil, "the other record is untouched")
                #expect(try await AuditEntry.query(on: restored.db).filter(\.$action == "survivor.erasureReapplied").count() == 1)
                let restoredEntry = try #require(try await AuditEntry.query(on: restored.db).filter(\.$action == "backup.restored").first(),
                                                 "the trail says a backup was put back")
                let erasedAgain = try #require(try await AuditEntry.query(on: restored.db).filter(\.$action == "survivor.erasureReapplied").first())
                #expect(restoredEntry.sequence < erasedAgain.sequence, "and that comes before what it erased again")
                #expect(try await AuditLog.verify(on: restored.db, key: restored.services.audit.key.key).isIntact)
            }
        }
    }

    @Test("a list named on the command line is applied too, when no newer backup sits beside the old one")
    func erasureListNamed() async throws {
        let root = Self.folder()
        defer { try? FileManager.default.removeItem(at: root) }
        try await withFuqizo { app in
            let desk = try await CaseDesk.make(app)
            let erased = try await desk.register(firstName: "Besa", lastName: "Dervishi")
            let before = root.appendingPathComponent("only")
            _ = try await Backup(app: app).make(into: before)
            try await desk.post(erased, "erase", [("confirmed", "yes"), ("reason", "survivorAsked"), ("confirmCode", erased)])
            let list = root.appendingPathComponent("kept-elsewhere.txt")
            try FileManager.default.copyItem(at: ErasureList(dataDirectory: app.services.config.dataDirectory).file, to: list)
            let place = try await Self.restorePlace(of: app)
            try await withFuqizo(place, prepared: false) { (restored: Application) async throws -> Void in
                let report = try await Restore(app: restored, extraErasureLists: [list]).run(from: before)
                #expect(report.erasuresReapplied == 1)
            }
        }
    }

    @Test("a damaged backup, one without its manifest, one under another key and a backup into a used folder are refused, and nothing is written")
    func refusals() async throws {
        let root = Self.folder()
        defer { try? FileManager.default.removeItem(at: root) }
        try await withFuqizo { app in
            _ = try await CaseDesk.make(app).register()
            let directory = root.appendingPathComponent("one")
            let manifest = try await Backup(app: app).make(into: directory)
            #expect(throws: BackupFailure.notEmpty(directory.path)) { try Backup.prepareEmpty(directory) }

            let damaged = root.appendingPathComponent("damaged")
            try FileManager.default.copyItem(at: directory, to: damaged)
            let file = damaged.appendingPathComponent(manifest.databaseFile)
            var bytes = try Data(contentsOf: file)
            bytes[bytes.count / 2] ^= 0x01
            try bytes.write(to: file)
            let missing = root.appendingPathComponent("unfinished")
            try FileManager.default.copyItem(at: directory, to: missing)
            try FileManager.default.removeItem(at: missing.appendingPathComponent(BackupManifest.fileName))

            let place = try await Self.restorePlace(of: app)
            try await withFuqizo(place, prepared: false) { (restored: Application) async throws -> Void in
                await #expect(throws: BackupFailure.damaged(manifest.databaseFile)) { try await Restore(app: restored).run(from: damaged) }
                await #expect(throws: BackupFailure.noManifest(missing.path)) { try await Restore(app: restored).run(from: missing) }
                #expect(try await MigrateCommand.pending(restored).count == shippedMigrationNames(resources: ResourceLocation.directory(override: nil)).count,
                        "nothing was put in place")
            }
            try await withFuqizo(place.merging(["FUQIZO_MASTER_KEY": MasterKey.generate().base64]) { $1 }, prepared: false) { (other: Application) async throws -> Void in
                await #expect(throws: BackupFailure.otherKey(manifest.keyCheck)) { try await Restore(app: other).run(from: directory) }
            }
        }
    }

    @Test("the server backs itself up when a day has nearly passed, keeps what the retention says, and warns the administrator when the last backup is over a day old")
    func scheduled() async throws {
        let root = Self.folder("scheduled")
        defer { try? FileManager.default.removeItem(at: root) }
        try await withFuqizo(["FUQIZO_BACKUP_DIR": root.path, "FUQIZO_METRICS_TOKEN": "metrics-token"]) { app in
            let administrator = try await TestFixtures.user(app, grants: [RoleGrant(role: .administrator)])
            let browser = Browser(app, session: try await TestFixtures.session(app, for: administrator))
            _ = try await browser.get("/admin/backups")
            try await browser.post("/language", [("language", "en"), ("returnTo", "/")])
                        let home = try await browser.get("/")
            #expect(home.body.string.contains("No backup of the database in the last day"), "a new installation has no backup yet")
            #expect(try await browser.get("/admin/backups").body.string.contains("No backup of the database has been made yet"))

            let scheduled = ScheduledBackups(app: app)
            let first = try #require(try await scheduled.runIfDue())
            #expect(try await scheduled.runIfDue() == nil, "not due again at once")
            try BackupManifest.read(from: first).checkFiles(in: first)
            let page = try await browser.get("/admin/backups").body.string
            #expect(page.contains("The last backup was made on") && page.contains(first.lastPathComponent))
            #expect(!(try await browser.get("/").body.string.contains("No backup of the database in the last day")))
            let metrics = try await browser.get("/metrics", headers: [("Authorization", "Bearer metrics-token")]).body.string
            #expect(metrics.contains("fuqizo_backup_last_success_timestamp_seconds") && metrics.contains("fuqizo_backup_last_attempt_failed 0"))

            app.services.clock.advance(by: 24 * 3600 + 60)
            // A day later (in a new session: the first one has timed out), the warning.
            let later = Browser(app, session: try await TestFixtures.session(app, for: administrator))
            _ = try await later.get("/admin/backups")
            try await later.post("/language", [("language", "en"), ("returnTo", "/")])
            #expect(try await later.get("/").body.string.contains("No backup of the database in the last day"))
            // Twenty nights more: the folder holds what the retention keeps, the newest first.
            for _ in 0..<20 {
                try #require(try await scheduled.runIfDue() != nil)
                app.services.clock.advance(by: 24 * 3600)
            }
            let made = ScheduledBackups.list(root)
            #expect(Set(made.map(\.date)) == BackupRetention.standard.kept(made.map(\.date)) && made.count >= 7 && made.count <= 11)
            #expect(made.allSatisfy { $0.manifest != nil })
        }
    }

    @Test("a scheduled backup that cannot be written says why on the administrator's page and in /metrics, and the next success clears it")
    func scheduledFailure() async throws {
        let blocker = Self.folder("not-a-folder")
        try Data("a file where the backups' folder should be".utf8).write(to: blocker)
        defer { try? FileManager.default.removeItem(at: blocker) }  // by then a folder of backups
        try await withFuqizo(["FUQIZO_BACKUP_DIR": blocker.appendingPathComponent("backups").path, "FUQIZO_METRICS_TOKEN": "metrics-token"]) { app in
            let administrator = try await TestFixtures.user(app, grants: [RoleGrant(role: .administrator)])
            let browser = Browser(app, session: try await TestFixtures.session(app, for: administrator))
            _ = try await browser.get("/admin/backups")
            try await browser.post("/language", [("language", "en"), ("returnTo", "/")])
            await #expect(throws: BackupFailure.self) { try await ScheduledBackups(app: app).runIfDue() }
            let page = try await browser.get("/admin/backups").body.string
            #expect(page.contains("The latest backup attempt failed") && page.contains("Could not write"))
            #expect(page.contains(app.services.catalog.text("backups.advice.folder", .en).replacingOccurrences(of: "'", with: "&#39;")),
                    "what to do, in the reader's language")
            for advice in BackupRecord.Advice.allCases { #expect(app.services.catalog.has(advice.catalogKey)) }
            let metrics = try await browser.get("/metrics", headers: [("Authorization", "Bearer metrics-token")]).body.string
            #expect(metrics.contains("fuqizo_backup_last_attempt_failed 1"))

            try FileManager.default.removeItem(at: blocker)
            #expect(try await ScheduledBackups(app: app).runIfDue() == nil, "a failed backup is tried again when its hour is up")
            app.services.clock.advance(by: 3601)
            #expect(try await ScheduledBackups(app: app).runIfDue() != nil)
            #expect(try await BackupRecord.read(on: app.db).failure == nil)
            // An hour on, in a new session (the first one has timed out): the page is clear again.
            let later = Browser(app, session: try await TestFixtures.session(app, for: administrator))
            _ = try await later.get("/admin/backups")
            try await later.post("/language", [("language", "en"), ("returnTo", "/")])
            let cleared = try await later.get("/admin/backups").body.string
            #expect(cleared.contains("The last backup was made on") && !cleared.contains("The latest backup attempt failed"))
        }
    }

    @Test("a backup made before a key rotation is re-wrapped to the current key with the retired one, and then restores and opens; the original stays as it was")
    func rewrapAfterRotation() async throws {
        let root = Self.folder("rewrap")
        let retiredFile = root.appendingPathComponent("retired.key")
        defer { try? FileManager.default.removeItem(at: root) }
        try await withFuqizo { app in
            let desk = try await CaseDesk.make(app)
            let code = try await desk.register(firstName: "Lindita", lastName: "Morina")
            let old = app.services.masterKey
            let before = root.appendingPathComponent("before-rotation")
            let original = try await Backup(app: app).make(into: before)
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            try KeyStore.store(old, inNewFile: retiredFile)
            let next = MasterKey.generate()
            _ = try await KeyRotation(app: app, output: root.appendingPathComponent("new.key")).rotate(to: next)
            app.services = app.services.rekeyed(next)

            // The current key cannot restore it; a wrong retired key cannot re-wrap it.
            await #expect(throws: BackupFailure.notItsKey) { try await BackupRewrap(app: app).run(backup: before, retiredKey: MasterKey.generate()) }
            let report = try await BackupRewrap(app: app).run(backup: before, retiredKey: try KeyStore.read(retiredFile))
            #expect(report.survivorKeys == 1 && report.output.lastPathComponent == "before-rotation-rewrapped")
            let rewrapped = try BackupManifest.read(from: report.output)
            #expect(rewrapped.keyCheck == next.checkValue && rewrapped.createdAt == original.createdAt)
            #expect(try BackupManifest.read(from: before) == original, "the original backup is left as it was")
            try original.checkFiles(in: before)
            await #expect(throws: BackupFailure.alreadyCurrent) { try await BackupRewrap(app: app).run(backup: report.output, retiredKey: old) }

            let place = try await Self.restorePlace(of: app)
            try await withFuqizo(place.merging(["FUQIZO_MASTER_KEY": next.base64]) { $1 }, prepared: false) { (restored: Application) async throws -> Void in
                await #expect(throws: BackupFailure.otherKey(original.keyCheck)) { try await Restore(app: restored).run(from: before) }
                let restoredReport = try await Restore(app: restored).run(from: report.output)
                #expect(restoredReport.auditEntries == rewrapped.auditHead.sequence)
                let survivor = try #require(try await Survivor.query(on: restored.db).filter(\.$code == code).first())
                let key = try await SurvivorService(database: restored.db, services: restored.services).dataKey(of: survivor.requireID(), on: restored.db)
                #expect(try key.open(try #require(survivor.firstNameSealed), survivor: survivor.id!, field: "firstName") == "Lindita")
                #expect(try await AuditEntry.query(on: restored.db).filter(\.$action == "keys.backupRewrapped").count() == 1)
            }
        }
    }
}
