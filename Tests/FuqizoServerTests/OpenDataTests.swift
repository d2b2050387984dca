import Fluent
import Foundation
@testable import FuqizoCore
@testable import FuqizoServer
import Testing
import Vapor
import VaporTesting

/// The open-data files validated against the official IATI 2.03 schemas and codelists and the
/// 360Giving 1.4 package schema (copies in Tests/Standards), on the demo and on an empty
/// programme; and what they must never hold.
@Suite("Open data: IATI 2.03 and 360Giving")
struct OpenDataTests {
    static let standards = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Standards")
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Runs a tool; its exit status and what it printed.
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func write(_ text: String, _ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("fuqizo-open-\(UUID().uuidString)-\(name)")
        try Data(text.utf8).write(to: url)
        return url
    }

    /// xmllint against the schema: the tool must be there (scripts/test installs it).
    static func expectValid(_ xml: String, schema: String) throws {
        let file = try write(xml, "file.xml")
        let result = try run(["xmllint", "--noout", "--nonet", "--schema", standards.appendingPathComponent("iati-2.03/\(schema)").path, file.path])
        #expect(result.status == 0, "\(schema): \(result.output)")
    }

    /// Every code the file uses, where mapping.xml names a codelist copied here, is in that codelist.
    static func expectCodesListed(_ xml: String) throws -> Int {
        let file = try write(xml, "codes.xml")
        let codelists = standards.appendingPathComponent("iati-2.03/codelists")
        let mapping = try String(contentsOf: codelists.appendingPathComponent("mapping.xml"), encoding: .utf8)
        var checked = 0
        for block in mapping.components(separatedBy: "<mapping>").dropFirst() {
            func inner(_ tag: String) -> String? {
                guard let start = block.range(of: "<\(tag)>"), let end = block.range(of: "</\(tag)>") else { return nil }
                return String(block[start.upperBound..<end.lowerBound])
            }
            guard var path = inner("path"), let ref = block.components(separatedBy: "<codelist ref=\"").dropFirst().first?.components(separatedBy: "\"").first,
                  let attribute = path.range(of: "/@", options: .backwards) else { continue }
            let list = codelists.appendingPathComponent("\(ref).xml")
            guard FileManager.default.fileExists(atPath: list.path) else { continue }
            if let condition = inner("condition") {
                path = String(path[..<attribute.lowerBound]) + "[\(condition.replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&lt;", with: "<"))]" + String(path[attribute.lowerBound...])
            }
            let found = try run(["xmllint", "--xpath", path, file.path])
            guard found.status == 0 else { continue }   // nothing at that path
            let values = found.output.components(separatedBy: "=\"").dropFirst().compactMap { $0.components(separatedBy: "\"").first }
            let codes = try String(contentsOf: list, encoding: .utf8).components(separatedBy: "<code>").dropFirst()
                .compactMap { $0.components(separatedBy: "</code>").first }
            for value in Set(values) {
                #expect(codes.contains(value), "\(value) at \(path) is not in the \(ref) codelist")
                checked += 1
            }
        }
        return checked
    }

    /// The 360Giving package schema, with Python's jsonschema (scripts/test installs it in .venv).
    static func expectValidPackage(_ data: Data) throws {
        let file = try write(String(decoding: data, as: UTF8.self), "package.json")
        let python = packageRoot.appendingPathComponent(".venv/bin/python").path
        let script = """
            import json,sys,jsonschema,referencing,referencing.jsonschema as rj
            g=json.load(open(sys.argv[1])); p=json.load(open(sys.argv[2]))
            r=referencing.Registry().with_resource(g['$id'], rj.DRAFT202012.create_resource(g))
            jsonschema.Draft202012Validator(p, registry=r, format_checker=jsonschema.FormatChecker()).validate(json.load(open(sys.argv[3])))
            print('valid')
            """
        let result = try run([FileManager.default.fileExists(atPath: python) ? python : "python3", "-c", script,
                              standards.appendingPathComponent("360giving/360-giving-schema.json").path,
                              standards.appendingPathComponent("360giving/360-giving-package-schema.json").path, file.path])
        #expect(result.status == 0 && result.output.contains("valid"), "360Giving: \(result.output)")
    }

    @Test("on the demo: the activity, organisation and 360Giving files validate, every code is in its codelist, and nothing about a survivor is in them")
    func demo() async throws {
        try await withFuqizo { app in
            _ = try await TestFixtures.demo(app, applications: 8, survivors: 30)
            let visitor = Browser(app)
            let activities = try await visitor.get("/open-data/iati-activities.xml")
            #expect(activities.status == .ok && activities.headers.contentType?.subType == "xml")
            let xml = activities.body.string
            try Self.expectValid(xml, schema: "iati-activities-schema.xsd")
            #expect(try Self.expectCodesListed(xml) > 20)
            let organisations = try await visitor.get("/open-data/iati-organisations.xml").body.string
            try Self.expectValid(organisations, schema: "iati-organisations-schema.xsd")
            _ = try Self.expectCodesListed(organisations)
            let giving = try await visitor.get("/open-data/360giving.json")
            #expect(giving.status == .ok)
            try Self.expectValidPackage(Data(buffer: giving.body))
            // Sub-grants: one commitment per signed contract, a disbursement per tranche paid.
            let signed = try await OpenDataService(database: app.db, services: app.services).subGrants()
            #expect(!signed.isEmpty)
            #expect(xml.components(separatedBy: "<transaction-type code=\"2\"/>").count - 1 == signed.count)
            #expect(xml.components(separatedBy: "<transaction-type code=\"3\"/>").count - 1 == signed.map { $0.payments.count + $0.recoveries.count }.reduce(0, +))
            let package = try JSONSerialization.jsonObject(with: Data(buffer: giving.body)) as? [String: Any]
            #expect((package?["grants"] as? [Any])?.count == signed.count)
            // Nothing about a survivor: no record's code, and the survivor indicators' values only
            // where at least the public threshold (11) of them.
            for code in try await Survivor.query(on: app.db).all().map(\.code) {
                #expect(!xml.contains(code) && !String(buffer: giving.body).contains(code))
            }
            let survivorTitles = ["Survivors in work or business", "Survivors still in work after 6 months", "Survivors in the Club",
                                  "Survivors with an individual plan"]
            for title in survivorTitles {
                guard let block = xml.components(separatedBy: "<indicator ").first(where: { $0.contains(">\(title)<") }) else { continue }
                for value in block.components(separatedBy: "<actual value=\"").dropFirst().compactMap({ $0.components(separatedBy: "\"").first.flatMap { Int($0) } }) {
                    #expect(value == 0 || value >= 11, "\(title): \(value) survivors published")
                }
            }
        }
    }

    @Test("on an empty programme (its dates and the open data set, nothing else) the IATI files validate; before it is set nothing is published, and no 360Giving package without a grant")
    func emptyProgramme() async throws {
        try await withFuqizo { app in
            let visitor = Browser(app)
            #expect(try await visitor.get("/open-data/iati-activities.xml").status == .notFound)
            #expect(try await visitor.get("/open-data/360giving.json").status == .notFound)
            let admin = try await TestFixtures.user(app, grants: [RoleGrant(role: .administrator, organisationID: nil)])
            try await MonitoringFixtures.programmeDates(app, by: admin.id!)
            var form = OpenDataSettingsForm()
            (form.publisherRef, form.publisherType, form.funderRef, form.funderType) = ("AL-QKB-L99999999Z", "22", "XI-IATI-EC_NEAR", "15")
            (form.activityIdentifier, form.sectors, form.givingPrefix) = ("AL-QKB-L99999999Z-1", "15180 | 100", "360G-test")
            _ = try await OpenDataService(database: app.db, services: app.services).update(form, actor: admin.id!).get()
            let xml = try await visitor.get("/open-data/iati-activities.xml").body.string
            try Self.expectValid(xml, schema: "iati-activities-schema.xsd")
            _ = try Self.expectCodesListed(xml)
            try Self.expectValid(try await visitor.get("/open-data/iati-organisations.xml").body.string, schema: "iati-organisations-schema.xsd")
            let noGrants = try await visitor.get("/open-data/360giving.json")
            #expect(noGrants.status == .notFound && noGrants.body.string.contains(app.services.catalog.text("openData.noGrants", .sq)))
        }
    }

    @Test("the administrator's open-data settings: bad identifiers, sectors that do not add up and bad lines come back with a message each")
    func settingsForm() async throws {
        try await withFuqizo { app in
            let admin = try await TestFixtures.user(app, grants: [RoleGrant(role: .administrator, organisationID: nil)])
            let browser = Browser(app, session: try await TestFixtures.session(app, for: admin))
            try await browser.get("/admin/settings/open-data")
            let refused = try await browser.post("/admin/settings/open-data", [
                ("publisherRef", "not an id"), ("publisherType", "99"), ("funderRef", "XI-IATI-EC_NEAR"), ("funderType", "15"),
                ("activityIdentifier", "XX-OTHER-1"), ("sectors", "15180 | 60\n99999 | 40"), ("budget", "lots"), ("incomingFunds", "yesterday | 5"),
                ("givingPrefix", "GB-123"),
            ])
            #expect(refused.status == .badRequest)
            let page = refused.body.string
            for key in ["openData.error.identifier", "openData.error.activity", "openData.error.sectors", "openData.error.funds", "openData.error.prefix"] {
                #expect(page.contains(app.services.catalog.text(key, .sq)), "\(key)")
            }
            #expect(page.contains("99999 | 40"), "what was typed comes back")
            #expect(try await SettingsRow.find(OpenDataService.settingsRow, on: app.db) == nil, "nothing half-saved")
        }
    }

    @Test("the public results count a survivor record only while its consent to statistics holds")
    func publicResultsFollowConsent() async throws {
        try await withFuqizo { app in
            _ = try await TestFixtures.demo(app, applications: 4, survivors: 30)
            let now = app.clock.now()
            let records = try await ProgrammeFactsReader(database: app.db).survivors()
            let consenting = records.count { ConsentRule.allows(.statistics, records: $0.statisticsConsents, at: now) }
            #expect(consenting < records.count, "the demo has records without consent to statistics")
            let figures = try await ResultsService(database: app.db).figures(at: now)
            #expect(figures.counts[.survivorsSupported]?.reduce(0, +) == Int64(consenting))
        }
    }
}
