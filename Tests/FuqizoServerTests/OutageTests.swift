import Fluent
import Foundation
@testable import FuqizoCore
@testable import FuqizoServer
import Testing
import Vapor

/// The bad things done for real: the disk under the database fills up.
@Suite("Outages")
struct OutageTests {
    @Test("when the disk fills, a registration fails with a clear page and leaves nothing half-written; once space returns, the same server takes it")
    func diskFull() async throws {
        let disk = try TinyDisk(megabytes: 12)
        defer { disk.remove() }
        // SQLite in both suite runs: its file is what fills this disk.
        try await withFuqizo(["FUQIZO_DATA_DIR": disk.folder.appendingPathComponent("data").path, "DATABASE_URL": ""]) { app in
            let desk = try await CaseDesk.make(app)
            _ = try await desk.register(firstName: "Arta", lastName: "Kola")
            let before = (survivors: try await Survivor.query(on: app.db).count(), keys: try await SurvivorKey.query(on: app.db).count(),
                          audit: try await AuditEntry.query(on: app.db).count())
            let filler = disk.folder.appendingPathComponent("filler")
            Self.fill(filler)

            try await desk.browser.get("/survivors/new")
            let refused = try await desk.browser.post("/survivors", CaseDesk.intake(firstName: "Mira", lastName: "Hoxha",
                                                                                     region: try await CaseDesk.region(app)))
            #expect(refused.status == .insufficientStorage)
            #expect(refused.body.string.contains(app.services.catalog.text("error.diskFull", .sq)))
            #expect(try await Survivor.query(on: app.db).count() == before.survivors)
            #expect(try await SurvivorKey.query(on: app.db).count() == before.keys, "no data key without its record")
            #expect(try await AuditEntry.query(on: app.db).count() == before.audit)

            try FileManager.default.removeItem(at: filler)
            try await desk.browser.get("/survivors/new")
            let accepted = try await desk.browser.post("/survivors", CaseDesk.intake(firstName: "Mira", lastName: "Hoxha",
                                                                                      region: try await CaseDesk.region(app)))
            #expect(accepted.status == .seeOther, "the server goes on without a restart")
            #expect(try await Survivor.query(on: app.db).count() == before.survivors + 1)
            #expect(try await AuditLog.verify(on: app.db, key: app.services.audit.key.key).isIntact)
        }
    }

    /// Writes until the filesystem refuses another byte.
    static func fill(_ file: URL) {
        FileManager.default.createFile(atPath: file.path, contents: nil)
        guard let handle = try? FileHandle(forWritingTo: file) else { return }
        defer { try? handle.close() }
        let block = Data(repeating: 0x5A, count: 64 * 1024)
        while (try? handle.write(contentsOf: block)) != nil {}
        let byte = Data([0x5A])
        while (try? handle.write(contentsOf: byte)) != nil {}
    }
}
