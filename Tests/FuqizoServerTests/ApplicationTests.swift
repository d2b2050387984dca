import Fluent
import Foundation
@testable import FuqizoCore
@testable import FuqizoServer
import Testing
import Vapor
import VaporTesting

@Suite("Applications")
struct ApplicationTests {
    struct Applicant {
        let browser: Browser
        let user: User
        let organisation: Organisation
    }

    func applicant(_ app: Application, name: String = "Shoqata Ime") async throws -> Applicant {
        let organisation = try await TestFixtures.organisation(app, name: name)
        let user = try await TestFixtures.user(app, grants: [RoleGrant(role: .csoUser, organisationID: organisation.id)])
        return Applicant(browser: Browser(app, session: try await TestFixtures.session(app, for: user)), user: user, organisation: organisation)
    }

    /// Starts an application through the list page and returns its id.
    func start(_ applicant: Applicant, call: GrantCall, lot position: Int = 1) async throws -> UUID {
        let lot = try #require(call.lots.first { $0.position == position })
        try await applicant.browser.get("/applications")
        let response = try await applicant.browser.post("/applications", [("callID", call.id!.uuidString), ("lotID", lot.id!.uuidString)])
        #expect(response.status == .seeOther)
        let location = try #require(response.location)
        return try #require(UUID(uuidString: String(location.dropFirst("/applications/".count))))
    }

    static let conceptFields: [(String, String)] = [
        ("title", "Punë për gratë në Kukës"), ("summary", "Trajnim profesional dhe punësim për 40 gra."),
        ("problem", "Papunësia e lartë mes grave të mbijetuara."), ("activities", "Trajnime, praktika, ndërmjetësim pune."),
        ("requested", "45000"),
    ]

    static let fullFields: [(String, String)] = conceptFields + [
        ("workPlan", "Muajt 1–3 trajnim; 4–9 praktika; 10–12 punësim."), ("partners", "Dhoma e Tregtisë Kukës"),
        ("sustainability", "Partneritete me punëdhënës vendas."), ("objective", "40 gra në punë të qëndrueshme."),
        ("results[0][result]", "Gratë të trajnuara"), ("results[0][indicator]", "Numri i grave me certifikatë"),
        ("results[0][baseline]", "0"), ("results[0][target]", "40"),
        ("lines[0][heading]", "humanResources"), ("lines[0][description]", "Trajner"), ("lines[0][units]", "12"), ("lines[0][unitCost]", "2500"),
        ("lines[1][heading]", "travel"), ("lines[1][description]", "Udhëtime në fshatra"), ("lines[1][units]", "20"), ("lines[1][unitCost]", "300"),
        ("lines[2][heading]", "indirect"), ("lines[2][description]", "Zyra"), ("lines[2][units]", "1"), ("lines[2][unitCost]", "2000"),
    ]

    func replacing(_ fields: [(String, String)], _ name: String, with value: String) -> [(String, String)] {
        fields.map { $0.0 == name ? ($0.0, value) : $0 }
    }

    func revision(_ app: Application, _ id: UUID) async throws -> String {
        String(try #require(try await GrantApplication.find(id, on: app.db)).revision)
    }

    @Test("a CSO user starts one application per lot, saves drafts, and only its own organisation can open it")
    func startAndSaveDraft() async throws {
        try await withFuqizo { app in
            let call = try await TestFixtures.publishedCall(app)
            let mine = try await applicant(app)
            let id = try await start(mine, call: call)
            #expect(try await start(mine, call: call) == id, "starting again opens the same application")
            let stored = try #require(try await GrantApplication.find(id, on: app.db))
            #expect(stored.stage == .concept && stored.status == .draft && stored.reference == nil)

            let page = try await mine.browser.get("/applications/\(id.uuidString)")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("data-autosave=") && page.body.string.contains("/autosave.js"))
            let saved = try await mine.browser.post("/applications/\(id.uuidString)",
                                                    [("revision", "1"), ("intent", "save"), ("title", "Punë për gratë"), ("summary", "Draft")])
            #expect(saved.status == .seeOther)
            let reloaded = try #require(try await GrantApplication.find(id, on: app.db))
            #expect(reloaded.content(.concept).title == "Punë për gratë" && reloaded.revision == 2)

            // Another CSO cannot open it, even knowing its id; its own list does not show it.
            let other = try await applicant(app, name: "Shoqata Tjetër")
            let refused = try await other.browser.get("/applications/\(id.uuidString)")
            #expect(refused.status == .notFound && !refused.body.string.contains("Punë për gratë"))
            #expect(!(try await other.browser.get("/applications").body.string.contains("Punë për gratë")))
            try await other.browser.get("/applications")
            #expect(try await other.browser.post("/applications/\(id.uuidString)", [("revision", "2"), ("title", "x")]).status == .notFound)
            // The grants officer does not see drafts.
            let officer = try await TestFixtures.user(app, grants: [RoleGrant(role: .grantsOfficer)])
            let officerBrowser = Browser(app, session: try await TestFixtures.session(app, for: officer))
            #expect(try await officerBrowser.get("/grants/applications/\(id.uuidString)").status == .notFound)
        }
    }

    @Test("two people editing at once: the older form is not saved over the newer one, and its text comes back")
    func concurrentEditing() async throws {
        try await withFuqizo { app in
            let call = try await TestFixtures.publishedCall(app)
            let first = try await applicant(app)
            let colleague = try await TestFixtures.user(app, grants: [RoleGrant(role: .csoUser, organisationID: first.organisation.id)])
            let second = Browser(app, session: try await TestFixtures.session(app, for: colleague))
            let id = try await start(first, call: call)
            try await first.browser.get("/applications/\(id.uuidString)")
            try await second.get("/applications/\(id.uuidString)")
            #expect(try await second.post("/applications/\(id.uuidString)", [("revision", "1"), ("intent", "save"), ("title", "Versioni i kolegës")]).status == .seeOther)
            let stale = try await first.browser.post("/applications/\(id.uuidString)", [("revision", "1"), ("intent", "save"), ("title", "Versioni im")])
            #expect(stale.status == .conflict)
            #expect(stale.body.string.contains("value=\"Versioni im\"") && stale.body.string.contains("name=\"revision\" value=\"2\""))
            #expect(try #require(try await GrantApplication.find(id, on: app.db)).content(.concept).title == "Versioni i kolegës")
            // Saving again from the conflict page keeps theirs on purpose.
            #expect(try await first.browser.post("/applications/\(id.uuidString)", [("revision", "2"), ("intent", "save"), ("title", "Versioni im")]).status == .seeOther)
            #expect(try #require(try await GrantApplication.find(id, on: app.db)).content(.concept).title == "Versioni im")

            // The script's autosave answers JSON, and refuses a stale revision the same way.
            try await first.browser.get("/applications/\(id.uuidString)")
            var response = try await first.browser.post("/applications/\(id.uuidString)/autosave", [("revision", "3"), ("title", "Autosaved")])
            #expect(response.status == .ok && response.body.string.contains("\"revision\":4"))
            response = try await first.browser.post("/applications/\(id.uuidString)/autosave", [("revision", "3"), ("title", "Stale")])
            #expect(response.status == .conflict && response.body.string.contains("\"saved\":false"))
            #expect(try #require(try await GrantApplication.find(id, on: app.db)).content(.concept).title == "Autosaved")
        }
    }

    @Test("submission runs the checklist, then gives a receipt by page and mail, audits it, and makes the application read-only")
    func submitConceptNote() async throws {
        try await withFuqizo { app in
            let call = try await TestFixtures.publishedCall(app)
            let mine = try await applicant(app)
            let id = try await start(mine, call: call)
            let path = "/applications/\(id.uuidString)"
            try await mine.browser.get(path)
            var incomplete = Self.conceptFields.filter { $0.0 != "problem" }
            incomplete = replacing(incomplete, "requested", with: "75000")
            var response = try await mine.browser.post(path, [("revision", "1"), ("intent", "submit")] + incomplete)
            #expect(response.status == .unprocessableEntity)
            var body = response.body.string
            #expect(body.contains("f-problem") && body.contains("aria-invalid=\"true\""))
            #expect(body.contains(app.services.catalog.text("budget.error.aboveMaximum", .sq)))
            #expect(body.contains("value=\"75000\""), "what was typed comes back")
            var stored = try #require(try await GrantApplication.find(id, on: app.db))
            #expect(stored.status == .draft && stored.reference == nil && stored.content(.concept).requested == "75000")

            response = try await mine.browser.post(path, [("revision", String(stored.revision)), ("intent", "submit")] + Self.conceptFields)
            #expect(response.status == .seeOther && response.location == "\(path)/receipt")
            stored = try #require(try await GrantApplication.find(id, on: app.db))
            #expect(stored.status == .submitted && stored.reference == "APP-2019-01-001")
            let digest = try #require(stored.conceptDigest)
            #expect(digest == stored.content(.concept).contentDigest() && digest.count == 64)
            body = try await mine.browser.get("\(path)/receipt").body.string
            #expect(body.contains("APP-2019-01-001") && body.contains(digest))

            let mail = try #require(try await OutboxMessage.query(on: app.db).filter(\.$recipient == mine.user.email).first())
            let mailBody = try Outbox.openedBody(of: mail, box: app.services.mailBox)
            #expect(mail.subject.contains("APP-2019-01-001") && mailBody.contains(digest))
            #expect(!mailBody.contains("Punë për gratë"), "the mail carries the receipt, not the content")
            #expect(!mail.body.contains(digest), "the body waits sealed in the outbox")
            let audit = try #require(try await AuditEntry.query(on: app.db).filter(\.$action == "application.submitted").first())
            #expect(audit.details.contains("APP-2019-01-001"))

            // Read-only from now on.
            body = try await mine.browser.get(path).body.string
            #expect(!body.contains("data-autosave") && body.contains("Punë për gratë në Kukës"))
            response = try await mine.browser.post(path, [("revision", String(stored.revision)), ("intent", "save"), ("title", "Changed")])
            #expect(response.status == .conflict)
            #expect(try #require(try await GrantApplication.find(id, on: app.db)).content(.concept).title == "Punë për gratë në Kukës")

            // A second applicant's number follows; the officer sees both submitted applications.
            let second = try await applicant(app, name: "Shoqata e Dytë")
            let secondID = try await start(second, call: call, lot: 2)
            try await second.browser.get("/applications/\(secondID.uuidString)")
            try await second.browser.post("/applications/\(secondID.uuidString)", [("revision", "1"), ("intent", "submit")] + Self.conceptFields)
            #expect(try await GrantApplication.find(secondID, on: app.db)?.reference == "APP-2019-01-002")
            let officer = try await TestFixtures.user(app, grants: [RoleGrant(role: .grantsOfficer)])
            let officerBrowser = Browser(app, session: try await TestFixtures.session(app, for: officer))
            body = try await officerBrowser.get("/grants/calls/\(call.id!.uuidString)/applications").body.string
            #expect(body.contains("APP-2019-01-001") && body.contains("APP-2019-01-002"))
            #expect(try await officerBrowser.get("/grants/applications/\(id.uuidString)").body.string.contains("Punë për gratë në Kukës"))
        }
    }

    @Test("a submission after the deadline is refused with a clear message, and what was typed is kept")
    func lateSubmission() async throws {
        try await withFuqizo { app in
            // The concept notes close in about 14 minutes: within one sign-in session.
            let call = try await TestFixtures.publishedCall(app, questionsInDays: 0.005, conceptInDays: 0.01)
            let mine = try await applicant(app)
            let id = try await start(mine, call: call)
            let path = "/applications/\(id.uuidString)"
            try await mine.browser.get(path)
            app.clock.advance(by: 15 * 60)
            let response = try await mine.browser.post(path, [("revision", "1"), ("intent", "submit")] + Self.conceptFields)
            #expect(response.status == .unprocessableEntity)
            #expect(response.body.string.contains(app.services.catalog.text("application.error.late", .sq)))
            let stored = try #require(try await GrantApplication.find(id, on: app.db))
            #expect(stored.status == .draft && stored.reference == nil && stored.content(.concept).title == "Punë për gratë në Kukës")
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "application.submitted").count() == 0)
            // Nor can a new application be started once the first stage has closed.
            let latecomer = try await applicant(app, name: "Shoqata e Vonuar")
            try await latecomer.browser.get("/applications")
            let lot = try #require(call.lots.first)
            #expect(try await latecomer.browser.post("/applications", [("callID", call.id!.uuidString), ("lotID", lot.id!.uuidString)]).status == .conflict)
        }
    }

    @Test("a full application is checked against the call's money rules: the cap, indirect costs, co-financing")
    func fullApplicationBudget() async throws {
        try await withFuqizo { app in
            let call = try await TestFixtures.publishedCall(app, stages: .single)
            let mine = try await applicant(app)
            let id = try await start(mine, call: call)
            let path = "/applications/\(id.uuidString)"
            #expect(try #require(try await GrantApplication.find(id, on: app.db)).stage == .full)
            try await mine.browser.get(path)
            // Direct costs 36,000; indirect 3,000 is over 7 % (2,520); 65,000 is over the cap and the share.
            var fields = replacing(Self.fullFields, "lines[2][unitCost]", with: "3000")
            fields = replacing(fields, "requested", with: "65000")
            fields = replacing(fields, "results[0][target]", with: "")
            var response = try await mine.browser.post(path, [("revision", "1"), ("intent", "submit")] + fields)
            #expect(response.status == .unprocessableEntity)
            let catalog = app.services.catalog
            var body = response.body.string
            #expect(body.contains(catalog.text("budget.error.indirectTooHigh", .sq)))
            #expect(body.contains(catalog.text("budget.error.aboveMaximum", .sq)))
            #expect(body.contains(catalog.text("application.error.resultIncomplete", .sq)))
            #expect(body.contains(Money(minorUnits: 3_900_000, currency: "EUR").written(in: .sq)), "totals are computed")
            #expect(body.contains("Rezultati 1") && body.contains("Zëri 3"), "rows are numbered for screen readers")

            // Within the cap but above 90 % of the total cost: co-financing is missing.
            fields = replacing(Self.fullFields, "requested", with: "37000")
            var revision = try await revision(app, id)
            response = try await mine.browser.post(path, [("revision", revision), ("intent", "submit")] + fields)
            #expect(response.status == .unprocessableEntity)
            #expect(response.body.string.contains(catalog.text("budget.error.coFinancing", .sq)))

            // 36,000 direct + 2,000 indirect = 38,000; 34,000 is 89.5 %.
            fields = replacing(Self.fullFields, "requested", with: "34000")
            revision = try await self.revision(app, id)
            response = try await mine.browser.post(path, [("revision", revision), ("intent", "submit")] + fields)
            #expect(response.status == .seeOther)
            let stored = try #require(try await GrantApplication.find(id, on: app.db))
            #expect(stored.status == .submitted && stored.fullDigest != nil && stored.requestedMinorUnits == 3_400_000)
            body = try await mine.browser.get(path).body.string
            #expect(body.contains("Trajner") && body.contains(catalog.text("budget.heading.humanResources", .sq)))
        }
    }
}
