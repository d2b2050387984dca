import Foundation
import Testing

/// The shape the next modules copy, checked on the sources: screens stay small and leave the
/// database to services, each migration has its own file, and statuses are typed. A module that
/// breaks one of these fails here with the file named.
@Suite("Code shape")
struct ShapeTests {
    static let server = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/FuqizoServer")

    static func files(where include: (URL) -> Bool) throws -> [(name: String, text: String)] {
        let all = try #require(FileManager.default.enumerator(at: server, includingPropertiesForKeys: nil)).compactMap { $0 as? URL }
        return try all.filter { $0.pathExtension == "swift" && include($0) }
            .map { ($0.path.replacingOccurrences(of: server.path + "/", with: ""), try String(contentsOf: $0, encoding: .utf8)) }
    }

    @Test("controllers stay under 300 lines and never query the database themselves")
    func thinControllers() throws {
        let controllers = try Self.files { $0.lastPathComponent.hasSuffix("Controller.swift") }
        #expect(controllers.count >= 20, "the controllers were found")
        for (name, text) in controllers {
            let lines = text.count(where: { $0 == "\n" })
            #expect(lines <= 300, "\(name) has \(lines) lines")
            for query in ["query(on:", "sql.raw(", "any SQLDatabase", ".writeTransaction {"] {
                #expect(!text.contains(query), "\(name) uses \(query): that belongs in a service")
            }
        }
    }

    @Test("one migration per file")
    func oneMigrationPerFile() throws {
        let migrations = try Self.files { $0.path.contains("/Migrations/") }
        #expect(migrations.count >= 20, "the migrations were found")
        for (name, text) in migrations {
            let count = text.components(separatedBy: ": AsyncMigration").count - 1
            #expect(count == 1, "\(name) defines \(count) migrations")
        }
    }

    @Test("a status is stored through its enum, never as free text with a fallback")
    func typedStatuses() throws {
        for (name, text) in try Self.files(where: { $0.path.contains("/Models/") }) {
            #expect(!text.contains(#"@Field(key: "status") var status: String"#), "\(name) stores a status as text")
            #expect(!text.contains(#"@Field(key: "stage") var stage: String"#), "\(name) stores a stage as text")
        }
    }

    @Test("every transaction takes SQLite's write lock first, so another writer makes it wait instead of fail")
    func writeTransactions() throws {
        let files = try Self.files { _ in true }
        #expect(files.contains { $0.text.contains(".writeTransaction {") }, "the transactions were found")
        for (name, text) in files where !name.hasSuffix("WriteTransaction.swift") {
            #expect(!text.contains(".transaction {"), "\(name) begins a deferred transaction: use writeTransaction")
        }
    }
}
