import Fluent
import Foundation
@testable import FuqizoCore
@testable import FuqizoServer
import SQLKit
import Testing
import Vapor

/// Every release's database upgrades: the backups each release left in Tests/Fixtures (made by
/// scripts/make-upgrade-fixture with the tests' key) are restored with this code, migrated, and
/// used. On SQLite, and on PostgreSQL when the suite runs there.
@Suite("Upgrades from earlier releases")
struct UpgradeTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures", isDirectory: true)

    static var releases: [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: fixtures.path)) ?? []
        return names.filter { $0.hasPrefix("release-") }.sorted().map { fixtures.appendingPathComponent($0, isDirectory: true) }
    }

    @Test("each earlier release's fixture restores, migrates to this release and opens: its survivors, its audit chain, its pages")
    func upgrades() async throws {
        #expect(!Self.releases.isEmpty, "the fixtures are in Tests/Fixtures")
        for release in Self.releases {
            try await upgrade(release)
        }
    }

    @Test("no migration that has landed is edited or removed: each file listed in Tests/Fixtures/migrations.sha256 is as it was")
    func landedMigrationsUnchanged() throws {
        let root = Self.fixtures.deletingLastPathComponent().deletingLastPathComponent()
        let list = try String(contentsOf: Self.fixtures.appendingPathComponent("migrations.sha256"), encoding: .utf8)
        let entries = list.split(whereSeparator: \.isNewline).map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        #expect(entries.count >= 40)
        for entry in entries where entry.count == 2 {
            let file = root.appendingPathComponent(entry[1])
            #expect(FileManager.default.fileExists(atPath: file.path), "\(entry[1]) was removed: a landed migration stays")
            #expect((try? BackupManifest.describe(file).sha256) == entry[0], "\(entry[1]) was edited: add a new migration instead")
        }
    }

    private func upgrade(_ release: URL) async throws {
        let onPostgres = TestFixtures.postgresURL != nil
        let backup = release.appendingPathComponent(onPostgres ? "postgresql" : "sqlite")
        let manifest = try BackupManifest.read(from: backup)
        try await withFreshDatabase { place in
            try await withFuqizo(place, prepared: false) { (app: Application) async throws -> Void in
                let pending = try await MigrateCommand.pending(app)
                #expect(pending.count == shippedMigrationNames(resources: ResourceLocation.directory(override: nil)).count)
                let report = try await Restore(app: app).run(from: backup)
                let shipped = shippedMigrationNames(resources: ResourceLocation.directory(override: nil))
                #expect(report.migrationsRun == shipped.filter { !manifest.migrations.contains($0) },
                        "\(release.lastPathComponent): exactly the later releases' migrations ran")
                #expect(try await MigrateCommand.pending(app).isEmpty)
                #expect(report.auditEntries == manifest.auditHead.sequence)

                // The data is whole and readable under this release's code.
                let survivors = try await Survivor.query(on: app.db).filter(\.$identityDestroyedAt == nil).limit(5).all()
                #expect(!survivors.isEmpty)
                let service = SurvivorService(database: app.db, services: app.services)
                for survivor in survivors {
                    let key = try await service.dataKey(of: survivor.requireID(), on: app.db)
                    #expect(try !key.open(try #require(survivor.firstNameSealed), survivor: survivor.id!, field: "firstName").isEmpty)
                }
                #expect(try await Organisation.query(on: app.db).count() == Int(manifest.tables["organisations"] ?? -1))
                let administrator = try #require(try await User.query(on: app.db).join(RoleAssignment.self, on: \User.$id == \RoleAssignment.$user.$id)
                    .filter(RoleAssignment.self, \.$role == Role.administrator.rawValue).first())
                // The demo's administrator sets up a second factor at the first sign-in; done here.
                administrator.totpSecret = try app.services.secretsBox.seal(Data(TOTP.randomSecret()),
                                                                           boundTo: IdentityService.secretContext(of: administrator.id!, pending: false))
                try await administrator.save(on: app.db)
                let browser = Browser(app, session: try await TestFixtures.session(app, for: administrator))
                for path in ["/sq", "/admin/users", "/monitoring", "/grants/calls"] {
                    let page = try await browser.get(path)
                    #expect(page.status == .ok, "\(release.lastPathComponent): \(path) opens after the upgrade (\(page.location ?? ""))")
                }
            }
        }
    }

    /// A database nothing has touched: on SQLite a new data directory (withFuqizo's own); on
    /// PostgreSQL a new database, since the fixture's tables are in its `public` schema.
    private func withFreshDatabase(_ body: ([String: String]) async throws -> Void) async throws {
        guard let url = TestFixtures.postgresURL else { return try await body([:]) }
        let name = "upgrade_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        var parts = try #require(URLComponents(string: url))
        parts.path = "/" + name
        try await withFuqizo { admin in
            let sql = admin.db as! any SQLDatabase
            try await sql.raw("CREATE DATABASE \(ident: name)").run()
            do {
                try await body(["DATABASE_URL": try #require(parts.string), "FUQIZO_DATABASE_SCHEMA": ""])
            } catch {
                try? await sql.raw("DROP DATABASE \(ident: name) WITH (FORCE)").run()
                throw error
            }
            try await sql.raw("DROP DATABASE \(ident: name) WITH (FORCE)").run()
        }
    }
}
