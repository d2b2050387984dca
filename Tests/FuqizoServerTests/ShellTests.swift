import Foundation
@testable import FuqizoCore
@testable import FuqizoServer
import Testing
import Vapor

@Suite("Catalogs, templates and keys")
struct ShellTests {
    static let resources = ResourceLocation.directory(override: nil)

    static func templates() throws -> [(name: String, text: String)] {
        let views = resources.appendingPathComponent("Views")
        let files = FileManager.default.enumerator(at: views, includingPropertiesForKeys: nil)!
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "leaf" }
        return try files.map { ($0.path.replacingOccurrences(of: views.path, with: ""), try String(contentsOf: $0, encoding: .utf8)) }
    }

    /// Removes Leaf tags (`#name(…)` with balanced parentheses, optional `:`) and bare tags (`#endif`).
    static func withoutLeaf(_ text: String) -> String {
        var output = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character == "\\", text.index(after: index) < text.endIndex, text[text.index(after: index)] == "#" {
                index = text.index(index, offsetBy: 2)
                continue
            }
            guard character == "#" else {
                output.append(character)
                index = text.index(after: index)
                continue
            }
            var cursor = text.index(after: index)
            while cursor < text.endIndex, text[cursor].isLetter { cursor = text.index(after: cursor) }
            if cursor < text.endIndex, text[cursor] == "(" {
                var depth = 0
                var inString = false
                repeat {
                    let c = text[cursor]
                    if c == "\"" { inString.toggle() }
                    if !inString { if c == "(" { depth += 1 } else if c == ")" { depth -= 1 } }
                    cursor = text.index(after: cursor)
                } while depth > 0 && cursor < text.endIndex
            }
            if cursor < text.endIndex, text[cursor] == ":" { cursor = text.index(after: cursor) }
            output.append(" ")
            index = cursor
        }
        return output
    }

    @Test("both catalogs have the same keys, none empty")
    func catalogsMatch() throws {
        let catalog = try Catalog(directory: Self.resources.appendingPathComponent("Localization"))
        #expect(catalog.missingKeys.isEmpty, "keys missing: \(catalog.missingKeys)")
        for language in Language.allCases {
            let empty = catalog.strings[language]!.filter { $0.value.trimmingCharacters(in: .whitespaces).isEmpty }.keys
            #expect(empty.isEmpty, "empty \(language) texts: \(empty.sorted())")
        }
        #expect(catalog.text("footer.funded", .sq) == "Financuar nga Bashkimi Evropian")
        #expect(catalog.text("footer.funded", .en) == "Funded by the European Union")
    }

    @Test("templates hold no bare user-facing text; every key they use exists")
    func templatesUseCatalog() throws {
        let catalog = try Catalog(directory: Self.resources.appendingPathComponent("Localization"))
        let visibleAttributes = try Regex(#"(alt|title|aria-label|placeholder)="([^"]*)""#)
        for template in try Self.templates() {
            let stripped = Self.withoutLeaf(template.text)
            for match in stripped.matches(of: visibleAttributes) {
                let value = String(stripped[match.range]).split(separator: "=", maxSplits: 1)[1]
                let hasLetters = value.contains { $0.isLetter }
                #expect(!hasLetters, "\(template.name): bare attribute text \(value)")
            }
            let textOnly = stripped.replacing(try Regex(#"<!--.*?-->"#), with: " ").replacing(try Regex(#"<[^>]*>"#), with: " ")
            let words = textOnly.split(whereSeparator: { $0.isWhitespace }).filter { word in word.contains { $0.isLetter } }
            #expect(words.isEmpty, "\(template.name): bare text \(words.prefix(5))")
            // Leaf reads "#t(…):" as a tag with a body and fails at render time.
            #expect(template.text.matches(of: try Regex(#"#t\([^)]*\):"#)).isEmpty, "\(template.name): #t(…) followed by a colon")
            for match in template.text.matches(of: try Regex(#"#t\("([A-Za-z0-9_.]+)""#)) {
                let key = String(template.text[match.range].dropFirst(4).dropLast())
                #expect(catalog.has(key), "\(template.name): unknown key \(key)")
            }
        }
    }

    @Test("every message key the core rules return has a text in both languages")
    func coreMessageKeys() throws {
        let catalog = try Catalog(directory: Self.resources.appendingPathComponent("Localization"))
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/FuqizoCore")
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)!
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
        let pattern = try Regex(#""((form|cso|password|settings|evaluation|budget|survivor|plan|employment|referral|club)\.error\.[A-Za-z]+)""#)
        #expect(files.count > 10, "the core sources are found")
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in text.matches(of: pattern) {
                let key = String(text[match.range].dropFirst().dropLast())
                #expect(catalog.has(key), "\(file.lastPathComponent): \(key)")
            }
        }
    }

    @Test("every role, focus area, legal form and status has a label in both languages")
    func enumLabels() throws {
        let catalog = try Catalog(directory: Self.resources.appendingPathComponent("Localization"))
        let keys = Role.allCases.map(\.catalogKey) + FocusArea.allCases.map(\.catalogKey)
            + LegalForm.allCases.map(\.catalogKey) + OrganisationStatus.allCases.map(\.catalogKey)
            + ["pending", "sent", "failed"].map { "outbox.status.\($0)" } + Language.allCases.map { "language.\($0.rawValue)" }
            + BudgetHeading.allCases.map(\.catalogKey)
            + SurvivorSex.allCases.map(\.catalogKey) + HarmKind.allCases.map(\.catalogKey) + ReferralSource.allCases.map(\.catalogKey)
            + CaseStatus.allCases.map(\.catalogKey) + ClosureReason.allCases.map(\.catalogKey) + IdentityField.allCases.map(\.catalogKey)
            + ConsentPurpose.allCases.map(\.catalogKey) + AgeBand.allCases.map(\.catalogKey)
            + EducationLevel.allCases.map(\.catalogKey) + WorkHistory.allCases.map(\.catalogKey) + HousingSituation.allCases.map(\.catalogKey)
            + SkillArea.allCases.map(\.catalogKey) + HealthNeed.allCases.map(\.catalogKey) + PlanArea.allCases.map(\.catalogKey)
            + StepStatus.allCases.map(\.catalogKey) + ReferralNeed.allCases.map(\.catalogKey) + ReferralStatus.allCases.map(\.catalogKey)
            + ReferralStatus.allCases.map { "referral.move.\($0.rawValue)" } + ClubSessionKind.allCases.map(\.catalogKey)
            + EmploymentKind.allCases.map(\.catalogKey) + EmploymentSector.allCases.map(\.catalogKey) + ContractType.allCases.map(\.catalogKey)
            + WageBand.allCases.map(\.catalogKey) + SurvivorStatistics.Stage.allCases.map(\.catalogKey)
            + ["upcoming", "due", "late", "done"].map { "followUp.state.\($0)" }
            + WashingtonGroup.Domain.allCases.map { "survivor.wg.\($0.rawValue)" } + WashingtonGroup.Answer.allCases.map { "survivor.wg.answer.\($0.rawValue)" }
        for key in keys { #expect(catalog.has(key), "\(key)") }
    }
}

@Suite("The master key")
struct MasterKeyTests {
    func config(_ directory: URL, key: String? = nil) throws -> AppConfig {
        var environment = ["FUQIZO_DATA_DIR": directory.path]
        if let key { environment["FUQIZO_MASTER_KEY"] = key }
        return try AppConfig.fromEnvironment(environment)
    }

    @Test("generated on first run with mode 0600; a key file others can read is refused")
    func keyFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fuqizo-key-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try KeyStore.loadMasterKey(config: config(directory))
        let path = directory.appendingPathComponent(KeyStore.fileName).path
        let mode = (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue
        #expect(mode == 0o600)
        #expect(try KeyStore.loadMasterKey(config: config(directory)).checkValue == first.checkValue)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        #expect(throws: ConfigError.self) { try KeyStore.loadMasterKey(config: config(directory)) }
        #expect(throws: ConfigError.self) { try KeyStore.loadMasterKey(config: config(directory, key: "too-short")) }
    }

    @Test("a server given a key that does not match its database refuses to start")
    func mismatchRefused() async throws {
        try await withFuqizo { app in
            let other = MasterKey.generate()
            await #expect(throws: ConfigError.self) { try await KeyStore.verify(other, on: app.db) }
            try await KeyStore.verify(app.services.masterKey, on: app.db)
        }
    }
}
