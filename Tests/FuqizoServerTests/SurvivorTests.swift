import Fluent
import Foundation
@testable import FuqizoCore
@testable import FuqizoServer
import SQLKit
import Testing
import Vapor
import VaporTesting

/// A case worker's browser and what intake needs.
struct CaseDesk {
    let app: Application
    let organisation: Organisation
    let user: User
    let browser: Browser

    static func make(_ app: Application, organisation: Organisation? = nil) async throws -> CaseDesk {
        var chosen = organisation
        if chosen == nil { chosen = try await TestFixtures.organisation(app) }
        let organisation = chosen!
        let user = try await TestFixtures.user(app, grants: [RoleGrant(role: .caseWorker, organisationID: organisation.id)])
        return CaseDesk(app: app, organisation: organisation, user: user, browser: Browser(app, session: try await TestFixtures.session(app, for: user)))
    }

    static func intake(firstName: String = "Drita", lastName: String = "Zanaj", birthDate: String = "1994-05-17",
                       region: UUID, consents: [ConsentPurpose] = [.services, .club, .statistics]) -> [(String, String)] {
        [("firstName", firstName), ("lastName", lastName), ("birthDate", birthDate), ("phone", "+355 69 123 4567"),
         ("address", "Rruga e Pazarit 12"), ("idNumber", "I45717099K"), ("emergencyContact", "Motra, +355 68 765 4321"),
         ("sex", "female"), ("regionID", region.uuidString), ("harm", "trafficking"), ("referralSource", "police"),
         ("wgSeeing", "noDifficulty"), ("wgWalking", "aLotOfDifficulty"), ("consentFormVersion", "2019-v2"), ("interpreter", "Arta Interpretja")]
            + consents.map { ("consents[]", $0.rawValue) }
    }

    static func region(_ app: Application, _ code: String = "KU") async throws -> UUID {
        try #require(try await ProgrammeRegion.query(on: app.db).filter(\.$code == code).first()?.id)
    }

    /// Registers a survivor through the intake page and returns the new record's code.
    func register(_ fields: [(String, String)]) async throws -> String {
        try await browser.get("/survivors/new")
        let response = try await browser.post("/survivors", fields)
        #expect(response.status == .seeOther, "intake refused: \(response.status)")
        let location = try #require(response.location)
        return String(location.dropFirst("/survivors/".count))
    }

    @discardableResult
    func register(firstName: String = "Drita", lastName: String = "Zanaj") async throws -> String {
        try await register(Self.intake(firstName: firstName, lastName: lastName, region: try await Self.region(app)))
    }

    /// Opens the record page and posts one of its forms.
    @discardableResult
    func post(_ code: String, _ action: String, _ fields: [(String, String)] = []) async throws -> TestingHTTPResponse {
        try await browser.get("/survivors/\(code)")
        return try await browser.post("/survivors/\(code)/\(action)", fields)
    }

    /// The same case worker with a new session (after the test clock has moved past the idle limit).
    func signedInAgain() async throws -> CaseDesk {
        CaseDesk(app: app, organisation: organisation, user: user, browser: Browser(app, session: try await TestFixtures.session(app, for: user)))
    }

    func survivor(_ code: String) async throws -> Survivor {
        try #require(try await Survivor.query(on: app.db).filter(\.$code == code).first())
    }
}

@Suite("Survivor records")
struct SurvivorTests {
    /// Every byte the database keeps on disk (the SQLite file and its write-ahead log).
    static func storedBytes(_ app: Application) throws -> Data {
        guard case .sqlite(let path) = app.services.config.database else { return Data() }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        var bytes = Data()
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) where name.hasPrefix(URL(fileURLWithPath: path).lastPathComponent) {
            bytes.append(try Data(contentsOf: directory.appendingPathComponent(name)))
        }
        return bytes
    }

    /// A plain-text dump of the test's PostgreSQL schema, made by pg_dump.
    static func postgresDump(_ app: Application) throws -> String? {
        guard let url = TestFixtures.postgresURL, let schema = app.services.config.databaseSchema else { return nil }
        let candidates = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql"))?.sorted().reversed()
            .map { "/usr/lib/postgresql/\($0)/bin/pg_dump" } ?? []
        guard let tool = ([ProcessInfo.processInfo.environment["FUQIZO_TEST_PG_DUMP"]].compactMap { $0 } + candidates)
            .first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            Issue.record("pg_dump is needed to inspect the PostgreSQL database")
            return nil
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = ["--dbname=\(url)", "--schema=\(schema)", "--data-only", "--inserts"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "pg_dump failed")
        return String(decoding: data, as: UTF8.self)
    }

    @Test("intake stores identity and notes only as ciphertext: no plaintext name in the SQLite file or a PostgreSQL dump")
    func nothingInClear() async throws {
        try await withFuqizo { app in
            let desk = try await CaseDesk.make(app)
            let code = try await desk.register(firstName: "Xhuljeta", lastName: "Qendrimtare")
            #expect(code.hasPrefix("KU-") && SurvivorCode.isValid(code))
            let note = try await desk.post(code, "notes", [("note", "Takim me Xhuljetën te zyra")])
            #expect(note.status == .seeOther)
            let survivor = try await desk.survivor(code)
            #expect(survivor.firstNameSealed != nil && survivor.duplicateKey != nil)
            #expect(survivor.yearOfBirth == 1994 && survivor.hasDisability)

            let secrets = ["Xhuljeta", "Qendrimtare", "Xhulj", "I45717099K", "Rruga e Pazarit", "123 4567", "Arta Interpretja", "1994-05-17"]
            if case .sqlite = app.services.config.database {
                let bytes = try Self.storedBytes(app)
                #expect(bytes.range(of: Data(code.utf8)) != nil, "the search reads the right files")
                for secret in secrets { #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(secret) stored in clear") }
            }
            if let dump = try Self.postgresDump(app) {
                #expect(dump.contains(code), "the dump holds the data")
                for secret in secrets { #expect(!dump.contains(secret), "\(secret) in the PostgreSQL dump") }
            }
            // The audit trail names the record by its code only.
            let entries = try await AuditEntry.query(on: app.db).filter(\.$targetType == "survivor").all()
            #expect(Set(entries.map(\.action)).isSuperset(of: ["survivor.created", "survivor.noteAdded", "survivor.viewed"]))
            #expect(entries.allSatisfy { $0.targetID == code })
            for entry in entries { for secret in secrets { #expect(!entry.details.contains(secret)) } }
        }
    }

    @Test("identity shows only on an audited reveal, for the holding organisation's case worker")
    func reveal() async throws {
        try await withFuqizo { app in
            let desk = try await CaseDesk.make(app)
            let code = try await desk.register()
            let page = try await desk.browser.get("/survivors/\(code)")
            #expect(page.status == .ok)
            #expect(!page.body.string.contains("Drita") && !page.body.string.contains("Zanaj"))
            #expect(page.body.string.contains(code))
            let title = try #require(page.body.string.range(of: #"<title>[^<]*</title>"#, options: .regularExpression))
            #expect(!page.body.string[title].contains(code), "titles stay neutral")

            let before = try await AuditEntry.query(on: app.db).filter(\.$action == "survivor.revealed").count()
            let revealed = try await desk.browser.post("/survivors/\(code)/reveal")
            #expect(revealed.status == .ok)
            let body = revealed.body.string
            for value in ["Drita", "Zanaj", "1994-05-17", "+355 69 123 4567", "I45717099K", "Arta Interpretja"] {
                #expect(body.contains(value), "\(value) shown on reveal")
            }
            let after = try await AuditEntry.query(on: app.db).filter(\.$action == "survivor.revealed").all()
            #expect(after.count == before + 1)
            #expect(after.last?.actorID == desk.user.id && after.last?.targetID == code)
            // The reveal is a POST with the CSRF token: a link or a prefetch cannot trigger it.
            #expect(try await desk.browser.post("/survivors/\(code)/reveal", csrf: false).status == .forbidden)
        }
    }

    @Test("no other organisation or role reaches a record, by its code or by guessing codes")
    func othersAreRefused() async throws {
        try await withFuqizo { app in
            let desk = try await CaseDesk.make(app)
            let code = try await desk.register()
            let other = try await CaseDesk.make(app, organisation: try await TestFixtures.organisation(app, name: "Tjetër"))
            var outsiders = [other.browser]
            for role in [Role.administrator, .programmeManager, .grantsOfficer, .donorViewer, .evaluator] {
                let user = try await TestFixtures.user(app, grants: [RoleGrant(role: role)])
                outsiders.append(Browser(app, session: try await TestFixtures.session(app, for: user)))
            }
            for role in [Role.csoUser, .clubFacilitator] {
                let user = try await TestFixtures.user(app, grants: [RoleGrant(role: role, organisationID: desk.organisation.id)])
                outsiders.append(Browser(app, session: try await TestFixtures.session(app, for: user)))
            }
            let guessed = code.replacingOccurrences(of: "0001", with: "0002")
            for browser in outsiders {
                for target in [code, guessed, "not-a-code"] {
                    let page = try await browser.get("/survivors/\(target)")
                    #expect(page.status == .forbidden)
                    try await browser.get("/")
                    for action in ["reveal", "notes", "close", "erase", "consents"] {
                        let response = try await browser.post("/survivors/\(target)/\(action)", [("note", "x"), ("reason", "other"), ("confirmCode", target)])
                        #expect(response.status == .forbidden, "\(action) on \(target)")
                        #expect(!response.body.string.contains("Drita"))
                    }
                }
            }
            // The other organisation's caseload does not list it; the owner's does.
            #expect(!(try await other.browser.get("/survivors")).body.string.contains(code))
            #expect(try await desk.browser.get("/survivors").body.string.contains(code))
            let survivor = try await desk.survivor(code)
            #expect(survivor.identityDestroyedAt == nil && survivor.status == .open, "nothing was changed by the refused requests")
            #expect(try await SurvivorNote.query(on: app.db).count() == 0)
        }
    }

    @Test("withdrawing consent to services stops every read of identity and notes at once")
    func withdrawal() async throws {
        try await withFuqizo { app in
            let desk = try await CaseDesk.make(app)
            let code = try await desk.register()
            let services = try #require(try await SurvivorConsent.query(on: app.db).filter(\.$purpose == "services").first())
            #expect(try await desk.browser.post("/survivors/\(code)/reveal").status == .ok)
            // The first post only asks: what will happen, and a reason from a list (no words about her).
            let asked = try await desk.post(code, "consents/\(services.id!.uuidString)/withdraw")
            #expect(asked.status == .ok && asked.body.string.contains(app.services.catalog.text("consent.withdraw.confirmTitle", .sq)))
            #expect(asked.body.string.contains(#"<select id="f-reason" name="reason""#))
            #expect(try #require(try await SurvivorConsent.find(services.id!, on: app.db)).withdrawnAt == nil, "asking withdraws nothing")
            #expect(try await desk.post(code, "consents/\(services.id!.uuidString)/withdraw", [("confirmed", "yes"), ("reason", "she moved")]).status == .badRequest)
            let withdrawn = try await desk.post(code, "consents/\(services.id!.uuidString)/withdraw", [("confirmed", "yes"), ("reason", "survivorAsked")])
            #expect(withdrawn.status == .seeOther)
            let withdrawal = try #require(try await AuditEntry.query(on: app.db).filter(\.$action == "survivor.consentWithdrawn").first())
            #expect(withdrawal.details.contains("reason=survivorAsked"))
            try await desk.browser.get("/survivors/\(code)")
            #expect(!desk.browser.lastBody.contains("/reveal\""), "no reveal offered")
            #expect(try await desk.browser.post("/survivors/\(code)/reveal").status == .forbidden)
            #expect(try await desk.post(code, "notes", [("note", "after withdrawal")]).status == .forbidden)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "survivor.consentWithdrawn").count() == 1)

            // Consent given again (a new form) opens it again.
            let again = try await desk.post(code, "consents", [("purpose", "services"), ("formVersion", "2019-v3")])
            #expect(again.status == .seeOther)
            #expect(try await desk.browser.post("/survivors/\(code)/reveal").status == .ok)
        }
    }

    @Test("a referral consent must name another existing organisation")
    func referralConsent() async throws {
        try await withFuqizo { app in
            let desk = try await CaseDesk.make(app)
            let code = try await desk.register()
            let missing = try await desk.post(code, "consents", [("purpose", "referral"), ("formVersion", "v1")])
            #expect(missing.status == .badRequest)
            #expect(missing.body.string.contains(app.services.catalog.text("survivor.error.recipient", .sq)))
            let own = try await desk.post(code, "consents", [("purpose", "referral"), ("recipientID", desk.organisation.id!.uuidString), ("formVersion", "v1")])
            #expect(own.status == .badRequest)
            let partner = try await TestFixtures.organisation(app, name: "Partneri")
            let ok = try await desk.post(code, "consents", [("purpose", "referral"), ("recipientID", partner.id!.uuidString), ("formVersion", "v1")])
            #expect(ok.status == .seeOther)
            let referral = try #require(try await SurvivorConsent.query(on: app.db).filter(\.$purpose == "referral").first())
            #expect(referral.recipientOrganisationID == partner.id)
        }
    }

    @Test("the record opens on a summary and a timeline; each section is a page of its own; the recipient is found by a search, not a list of every organisation")
    func sectionsSummaryAndPicker() async throws {
        try await withFuqizo { app in
            let desk = try await CaseDesk.make(app)
            let code = try await desk.register()
            let catalog = app.services.catalog
            func escaped(_ text: String) -> String { text.replacingOccurrences(of: "'", with: "&#39;") }
            // More organisations in the survivor's region than a list may show.
            for number in 1...(OrganisationPicker.shown + 5) {
                _ = try await TestFixtures.organisation(app, name: String(format: "Qendra Partnere %02d", number))
            }
            let summary = try await desk.browser.get("/survivors/\(code)").body.string
            #expect(summary.contains(escaped(catalog.text("timeline.survivor.created", .sq))), "the timeline starts with the opening")
            #expect(summary.contains(escaped(catalog.text(ConsentPurpose.club.catalogKey, .sq))), "consents in force at a glance")
            #expect(summary.contains(catalog.counted("survivor.summary.referrals", 0, .sq)))
            #expect(!summary.contains("name=\"recipientID\""), "the summary carries no case-work forms")
            for section in RecordSection.allCases {
                let page = try await desk.browser.get(section.url(code))
                #expect(page.status == .ok)
                #expect(page.body.string.contains("href=\"\(section.url(code).replacingOccurrences(of: "&", with: "&amp;"))\" aria-current=\"page\""), "\(section) is marked current")
            }

            let consents = try await desk.browser.get(RecordSection.consents.url(code)).body.string
            let picker = try #require(consents.range(of: #"<select id="f-recipientID"[\s\S]*?</select>"#, options: .regularExpression))
            let options = consents[picker].components(separatedBy: "<option value=\"").count - 1
            #expect(options == OrganisationPicker.shown + 1, "one page of organisations and the empty choice: \(options) options")
            #expect(consents.contains(catalog.format("picker.more", .sq, ["shown": "50", "total": "56"])), "the page says how many there were")

            // A search posts the form back: what was typed stays, nothing is saved.
            let before = try await SurvivorConsent.query(on: app.db).count()
            let search = try await desk.browser.post("/survivors/\(code)/consents", [
                ("purpose", "referral"), ("formVersion", "2019-v9"), ("find-recipientID", "partnere 07"), ("intent", "find")])
            #expect(search.status == .ok)
            #expect(search.body.string.contains("Qendra Partnere 07") && !search.body.string.contains("Qendra Partnere 08"))
            #expect(search.body.string.contains("value=\"2019-v9\""), "the typed form version stays")
            #expect(search.body.string.contains(catalog.counted("picker.found", 1, .sq)))
            #expect(try await SurvivorConsent.query(on: app.db).count() == before, "a search saves nothing")
            // Narrowed by focus: none of them works on shelters; by region: every region, or another one.
            let shelters = try await desk.browser.post("/survivors/\(code)/consents", [
                ("purpose", "referral"), ("find-recipientID", "partnere"), ("find-recipientID-region", ""), ("find-recipientID-focus", "shelter"), ("intent", "find")])
            #expect(shelters.body.string.contains(catalog.text("picker.none", .sq)))
            let elsewhere = try #require(try await ProgrammeRegion.query(on: app.db).filter(\.$code != "KU").first())
            let tirana = try await desk.browser.post("/survivors/\(code)/consents", [
                ("purpose", "referral"), ("find-recipientID", "partnere"), ("find-recipientID-region", elsewhere.id!.uuidString), ("intent", "find")])
            #expect(!tirana.body.string.contains("Qendra Partnere 01"), "none of them is in another region")
            #expect(tirana.body.string.contains("value=\"\(elsewhere.id!.uuidString)\" selected"), "the region chosen stays chosen")
            let chosen = try #require(try await Organisation.query(on: app.db).filter(\.$nameSq == "Qendra Partnere 07").first())
            let saved = try await desk.browser.post("/survivors/\(code)/consents", [
                ("purpose", "referral"), ("formVersion", "2019-v9"), ("find-recipientID", "partnere 07"), ("recipientID", chosen.id!.uuidString)])
            #expect(saved.status == .seeOther && saved.location == RecordSection.consents.url(code), "back to the section the form was on")
            let after = try await desk.browser.get("/survivors/\(code)").body.string
            let given = catalog.format("timeline.survivor.consentGiven", .sq, ["purpose": catalog.text(ConsentPurpose.referral.catalogKey, .sq)])
            #expect(after.contains(escaped(given)), "the timeline tells the new consent as a sentence")
        }
    }

    @Test("a refused intake comes back with what was typed and a message per field, and writes nothing")
    func badIntake() async throws {
        try await withFuqizo { app in
            let desk = try await CaseDesk.make(app)
            try await desk.browser.get("/survivors/new")
            let response = try await desk.browser.post("/survivors", [
                ("firstName", "Blerina"), ("birthDate", "2999-01-01"), ("phone", "call me"), ("regionID", try await CaseDesk.region(app).uuidString),
                ("consents[]", "club"),
            ])
            #expect(response.status == .badRequest)
            let body = response.body.string
            #expect(body.contains("value=\"Blerina\""), "the typed name is kept")
            for key in ["survivor.error.birthDate", "survivor.error.phone", "survivor.error.servicesConsent", "form.error.choose", "form.error.required"] {
                #expect(body.contains(app.services.catalog.text(key, .sq)), "\(key) shown")
            }
            #expect(try await Survivor.query(on: app.db).count() == 0)
            #expect(try await SurvivorKey.query(on: app.db).count() == 0)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "survivor.created").count() == 0)
        }
    }

    @Test("intake finds a possible existing record of its own organisation without decrypting; another organisation learns nothing")
    func duplicates() async throws {
        try await withFuqizo { app in
            let desk = try await CaseDesk.make(app)
            let region = try await CaseDesk.region(app)
            let first = try await desk.register()
            try await desk.browser.get("/survivors/new")
            // Spelt differently: case, accents and spaces do not hide the person.
            let again = CaseDesk.intake(firstName: "DRITA ", lastName: "zanaj", region: region)
            let warned = try await desk.browser.post("/survivors", again)
            #expect(warned.status == .conflict)
            #expect(warned.body.string.contains(first))
            #expect(warned.body.string.contains("name=\"confirmNew\" value=\"yes\""))
            #expect(try await Survivor.query(on: app.db).count() == 1)
            let confirmed = try await desk.browser.post("/survivors", again + [("confirmNew", "yes")])
            #expect(confirmed.status == .seeOther)
            #expect(confirmed.location == "/survivors/\(first.dropLast(4))0002")

            // Another organisation registers the same person: it is told nothing (not even that a
            // record exists elsewhere), and the match is kept for statistics only.
            let other = try await CaseDesk.make(app, organisation: try await TestFixtures.organisation(app, name: "Tjetër"))
            try await other.browser.get("/survivors/new")
            let elsewhere = try await other.browser.post("/survivors", CaseDesk.intake(region: region))
            #expect(elsewhere.status == .seeOther, "the same answer as for a new person")
            let otherCode = String(try #require(elsewhere.location).dropFirst("/survivors/".count))
            let page = try await other.browser.get("/survivors/\(otherCode)").body.string
            #expect(!page.contains(first))
            let firstRecord = try #require(try await Survivor.query(on: app.db).filter(\.$code == first).first())
            let otherRecord = try #require(try await Survivor.query(on: app.db).filter(\.$code == otherCode).first())
            #expect(try await SurvivorMatch.find(otherRecord.id, on: app.db)?.personID == firstRecord.id)
            // Every check is in the audit trail, without saying what was found elsewhere.
            let checks = try await AuditEntry.query(on: app.db).filter(\.$action == "survivor.duplicateChecked").all()
            #expect(checks.count == 4)
            #expect(checks.allSatisfy { !$0.details.contains("elsewhere") && !$0.details.contains(first) })
        }
    }

    @Test("a person registered by two organisations is counted once, and staff see only how many such matches exist")
    func crossOrganisationMatchCountedOnce() async throws {
        try await withFuqizo { app in
            let region = try await CaseDesk.region(app)
            let one = try await CaseDesk.make(app)
            let two = try await CaseDesk.make(app, organisation: try await TestFixtures.organisation(app, name: "Tjetër"))
            try await one.register()
            try await two.register()
            _ = try await two.register(CaseDesk.intake(firstName: "Arta", lastName: "Kola", birthDate: "1990-01-02", region: region))
            let manager = try await TestFixtures.user(app, grants: [RoleGrant(role: .programmeManager)])
            let browser = Browser(app, session: try await TestFixtures.session(app, for: manager))
            app.clock.advance(by: 1)
            let body = try await browser.get("/statistics/survivors").body.string
            let settings = try await SettingsService(database: app.db, services: app.services).current()
            #expect(settings.smallCellDonor > 2, "the figures below are suppressed, the match count is not")
            #expect(body.contains(app.services.catalog.format("statistics.matches", .sq, ["count": "1"])))
            let records = try await SurvivorFigures(database: app.db).records()
            let statistics = SurvivorStatistics(records: records, at: app.clock.now(), year: 2026, threshold: 1)
            #expect(records.count == 3 && statistics.counted.count == 2, "three records, two people")
        }
    }

    @Test("intake is limited per case worker: the duplicate check cannot be used to probe names")
    func intakeThrottled() async throws {
        try await withFuqizo { app in
            let desk = try await CaseDesk.make(app)
            let region = try await CaseDesk.region(app)
            try await desk.browser.get("/survivors/new")
            for index in 0..<SurvivorService.intakesPerHour {
                let response = try await desk.browser.post("/survivors", CaseDesk.intake(birthDate: "1990-01-\(String(format: "%02d", index + 1))", region: region))
                #expect(response.status == .seeOther)
                try await desk.browser.get("/survivors/new")
            }
            let refused = try await desk.browser.post("/survivors", CaseDesk.intake(firstName: "Tjetër", region: region))
            #expect(refused.status == .tooManyRequests)
            #expect(refused.body.string.contains("Tjetër"), "what was typed comes back")
            #expect(try await Survivor.query(on: app.db).count() == SurvivorService.intakesPerHour)
            // An hour later (and signed in again: the session has ended meanwhile) intake goes on.
            app.clock.advance(by: 3601)
            let later = Browser(app, session: try await TestFixtures.session(app, for: desk.user))
            try await later.get("/survivors/new")
            #expect(try await later.post("/survivors", CaseDesk.intake(firstName: "Tjetër", region: region)).status == .seeOther)
        }
    }

    @Test("erasure destroys the key and every ciphertext; no route shows the identity again; the audit trail still verifies")
    func erasure() async throws {
        try await withFuqizo { app in
            let desk = try await CaseDesk.make(app)
            let code = try await desk.register()
            try await desk.post(code, "notes", [("note", "Shënim sekret")])
            let asked = try await desk.post(code, "erase")
            #expect(asked.status == .ok && asked.body.string.contains(app.services.catalog.text("survivor.erase.confirmTitle", .sq)))
            #expect(try await desk.post(code, "erase", [("confirmed", "yes"), ("confirmCode", code)]).status == .badRequest, "a reason is required")
            let wrong = try await desk.post(code, "erase", [("confirmed", "yes"), ("reason", "survivorAsked"), ("confirmCode", "KU-1999-0001")])
            #expect(wrong.status == .badRequest)
            #expect(try await SurvivorKey.query(on: app.db).count() == 1, "a mistyped code erases nothing")

            let erased = try await desk.post(code, "erase", [("confirmed", "yes"), ("reason", "survivorAsked"), ("confirmCode", code.lowercased())])
            #expect(erased.status == .seeOther)
            let survivor = try await desk.survivor(code)
            #expect(survivor.identityDestroyedAt != nil && survivor.status == .closed)
            #expect(survivor.closureReason == ClosureReason.erasureRequested.rawValue)
            #expect(IdentityField.allCases.allSatisfy { survivor.sealed($0) == nil } && survivor.duplicateKey == nil)
            #expect(try await SurvivorKey.query(on: app.db).count() == 0)
            #expect(try await SurvivorNote.query(on: app.db).count() == 0)
            #expect(try await SurvivorConsent.query(on: app.db).all().allSatisfy { $0.interpreterSealed == nil })

            let page = try await desk.browser.get("/survivors/\(code)")
            #expect(page.status == .ok, "the pseudonymous record stays")
            #expect(page.body.string.contains(app.services.catalog.text("survivor.destroyed.notice", .sq)))
            #expect(try await desk.browser.post("/survivors/\(code)/reveal").status == .forbidden)
            #expect(try await desk.post(code, "notes", [("note", "x")]).status == .forbidden)
            #expect(try await desk.post(code, "reopen").status == .conflict)
            #expect(try await AuditLog.verify(on: app.db, key: app.services.audit.key.key).isIntact)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "survivor.erased").filter(\.$targetID == code).count() == 1)
            // The same person can be recorded again: nothing of the old identity matches.
            try await desk.register()
        }
    }

    @Test("retention destroys the identity of closed records after the set period, not before, and never of open ones")
    func retention() async throws {
        try await withFuqizo { app in
            let desk = try await CaseDesk.make(app)
            let closed = try await desk.register(firstName: "Mira", lastName: "Kodra")
            let open = try await desk.register(firstName: "Vera", lastName: "Lika")
            #expect(try await desk.post(closed, "close", [("confirmed", "yes"), ("reason", "")]).status == .badRequest)
            #expect(try await desk.post(closed, "close", [("confirmed", "yes"), ("reason", "employed")]).status == .seeOther)
            let service = SurvivorService(database: app.db, services: app.services)
            app.clock.advance(by: 23 * 30 * 86_400)
            #expect(try await service.shredExpired() == 0)
            app.clock.advance(by: 45 * 86_400)
            #expect(try await service.shredExpired() == 1)
            #expect(try await desk.survivor(closed).identityDestroyedAt != nil)
            #expect(try await desk.survivor(open).identityDestroyedAt == nil)
            let entry = try #require(try await AuditEntry.query(on: app.db).filter(\.$action == "survivor.shredded").first())
            #expect(entry.targetID == closed && entry.actorID == nil)
            #expect(try await service.shredExpired() == 0, "done once")
            #expect(try await AuditLog.verify(on: app.db, key: app.services.audit.key.key).isIntact)
        }
    }

    @Test("closing and reopening are recorded with the reason")
    func closeAndReopen() async throws {
        try await withFuqizo { app in
            let desk = try await CaseDesk.make(app)
            let code = try await desk.register()
            try await desk.post(code, "close", [("confirmed", "yes"), ("reason", "movedAway")])
            #expect(try await desk.survivor(code).status == .closed)
            #expect(try await desk.post(code, "reopen").status == .seeOther)
            let survivor = try await desk.survivor(code)
            #expect(survivor.status == .open && survivor.closedAt == nil)
            let closedEntry = try #require(try await AuditEntry.query(on: app.db).filter(\.$action == "survivor.closed").first())
            #expect(closedEntry.details == "reason=movedAway")
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "survivor.reopened").count() == 1)
            // Closed records leave the open caseload.
            try await desk.post(code, "close", [("confirmed", "yes"), ("reason", "other")])
            #expect(!(try await desk.browser.get("/survivors?status=open")).body.string.contains(code))
            #expect(try await desk.browser.get("/survivors?status=closed").body.string.contains(code))
        }
    }

    @Test("statistics count only records consenting to statistics, drop a withdrawn consent at once, hide small cells and name no record")
    func statistics() async throws {
        try await withFuqizo { app in
            let settings = SettingsService(database: app.db, services: app.services)
            var form = ProgrammeSettingsForm(ProgrammeSettings.defaults)
            // No threshold below 3 is accepted: the smallest counts shown are 3.
            form.smallCellDonor = "1"
            guard case .failure = try await settings.update(form, actor: UUID()) else { Issue.record("a threshold of 1 was saved"); return }
            form.smallCellDonor = "3"
            _ = try await settings.update(form, actor: UUID())
            let desk = try await CaseDesk.make(app)
            let region = try await CaseDesk.region(app)
            let first = try await desk.register()
            let second = try await desk.register(firstName: "Mira", lastName: "Hoxha")
            let third = try await desk.register(firstName: "Arbana", lastName: "Gjoni")
            let fourth = try await desk.register(firstName: "Besa", lastName: "Kuka")
            let unconsenting = try await desk.register(CaseDesk.intake(firstName: "Lule", lastName: "Dedaj", region: region,
                                                                       consents: [.services, .club]))
            try await desk.post(first, "club/join")
            try await desk.post(first, "employment", [("kind", "jobPlacement"), ("sector", "hospitality"),
                                                      ("startDate", TiranaTime.parts(of: app.clock.now()).date),
                                                      ("contractType", "fixedTerm"), ("wageBand", "from30000to45000")])
            let manager = try await TestFixtures.user(app, grants: [RoleGrant(role: .programmeManager)])
            let browser = Browser(app, session: try await TestFixtures.session(app, for: manager))
            func kukesRow() async throws -> String {
                let page = try await browser.get("/statistics/survivors")
                #expect(page.status == .ok)
                for code in [first, second, third, fourth, unconsenting] { #expect(!page.body.string.contains(code), "no record is named") }
                let body = page.body.string
                let start = try #require(body.range(of: "<th scope=\"row\">Kukës</th>"))
                return String(body[start.upperBound...]).components(separatedBy: "</tr>")[0]
            }
            func cells(_ values: [String]) -> String { values.map { "<td class=\"num\">\($0)</td>" }.joined() }

            #expect(try await kukesRow() == cells(["4", "&lt;3", "&lt;3", "0"]), "the record without consent to statistics is not counted")
            let consent = try #require(try await SurvivorConsent.query(on: app.db).filter(\.$purpose == "statistics")
                .filter(\.$survivor.$id == (try await desk.survivor(second)).requireID()).first())
            try await desk.post(second, "consents/\(consent.id!.uuidString)/withdraw", [("confirmed", "yes"), ("reason", "survivorAsked")])
            #expect(try await kukesRow() == cells(["3", "&lt;3", "&lt;3", "0"]), "a withdrawal counts from the next request")

            form.smallCellDonor = "5"
            _ = try await settings.update(form, actor: UUID())
            #expect(try await kukesRow() == cells(["&lt;5", "&lt;5", "&lt;5", "0"]))
        }
    }
}
