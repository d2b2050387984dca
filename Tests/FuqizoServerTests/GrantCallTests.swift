import Fluent
import Foundation
@testable import FuqizoCore
@testable import FuqizoServer
import Testing
import Vapor
import VaporTesting

@Suite("Calls for proposals")
struct GrantCallTests {
    func officer(_ app: Application) async throws -> Browser {
        let user = try await TestFixtures.user(app, grants: [RoleGrant(role: .grantsOfficer)])
        return Browser(app, session: try await TestFixtures.session(app, for: user))
    }

    func callFields(reference: String = "CFP-2019-01", fullDate: String = "2099-08-01") -> [(String, String)] {
        [("reference", reference), ("titleSq", "Fuqizimi ekonomik i të mbijetuarave"), ("titleEn", "Economic empowerment of survivors"),
         ("summarySq", "Grante për OSHC-të në katër rajone."), ("summaryEn", "Grants for CSOs in four regions."),
         ("stages", "two"), ("currency", "EUR"), ("minimumGrant", "10000"), ("maximumGrant", "60000"),
         ("maximumGrantShare", "90"), ("maximumIndirect", "7"), ("divergence", "30"),
         ("eligibleApplicants", "Associations registered in Albania\nFoundations registered in Albania"),
         ("eligibleActivities", "Formim profesional\nNdërmjetësim punësimi"),
         ("eligibleApplicantsEn", "Associations registered in Albania\nFoundations registered in Albania"),
         ("eligibleActivitiesEn", "Vocational training\nJob placement"),
         ("questionsDate", "2099-05-20"), ("questionsTime", "16:00"), ("conceptDate", "2099-06-03"), ("conceptTime", "16:00"),
         ("fullDate", fullDate), ("fullTime", "16:00"),
         ("lots[0][regionID]", ""), ("lots[0][nameSq]", "Kukës"), ("lots[0][nameEn]", "Kukës"), ("lots[0][envelope]", "150 000"),
         ("lots[1][regionID]", ""), ("lots[1][nameSq]", "Dibër"), ("lots[1][nameEn]", "Dibër"), ("lots[1][envelope]", "120000"),
         ("lots[2][regionID]", ""), ("lots[2][nameSq]", ""), ("lots[2][nameEn]", ""), ("lots[2][envelope]", "")]
    }

    @Test("a new call form offers one lot per programme region")
    func newFormHasRegionLots() async throws {
        try await withFuqizo { app in
            let page = try await officer(app).get("/grants/calls/new").body.string
            for region in ["Tiranë", "Kukës", "Dibër", "Sarandë"] { #expect(page.contains("value=\"\(region)\"")) }
        }
    }

    @Test("an invalid call comes back as typed with a message per field; a valid one is stored with its lots and audited")
    func createCall() async throws {
        try await withFuqizo { app in
            let browser = try await officer(app)
            try await browser.get("/grants/calls/new")
            var fields = callFields()
            fields[0] = ("reference", "CALL 1")
            fields[fields.firstIndex { $0.0 == "lots[1][envelope]" }!] = ("lots[1][envelope]", "nothing")
            var response = try await browser.post("/grants/calls", fields)
            #expect(response.status == .badRequest)
            let body = response.body.string
            #expect(body.contains("value=\"CALL 1\"") && body.contains("value=\"nothing\""))
            #expect(body.contains(app.services.catalog.text("call.error.reference", .sq)))
            #expect(body.contains(app.services.catalog.text("call.error.envelope", .sq)))
            #expect(try await GrantCall.query(on: app.db).count() == 0)

            response = try await browser.post("/grants/calls", callFields())
            #expect(response.status == .seeOther)
            let call = try #require(try await GrantCall.query(on: app.db).with(\.$lots).first())
            #expect(call.reference == "CFP-2019-01" && call.status == .draft)
            #expect(call.lots.map(\.envelopeMinorUnits).sorted() == [12_000_000, 15_000_000])
            let rules = try StoredJSON.decode(GrantRules.self, from: call.rules)
            #expect(rules.maximumGrantMinorUnits == 6_000_000 && rules.maximumIndirectBasisPoints == 700)
            #expect(try StoredJSON.decode(EvaluationGrid.self, from: call.conceptGrid) == .conceptNote)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "call.created").count() == 1)

            try await browser.get("/grants/calls/new")
            response = try await browser.post("/grants/calls", callFields())
            #expect(response.status == .badRequest, "references are unique")
        }
    }

    @Test("a draft is invisible to the public; once published it is listed, shows its grids, and is frozen")
    func publishing() async throws {
        try await withFuqizo { app in
            let browser = try await officer(app)
            try await browser.get("/grants/calls/new")
            try await browser.post("/grants/calls", callFields())
            let call = try #require(try await GrantCall.query(on: app.db).first())
            let path = "/calls/\(call.id!.uuidString)"
            let visitor = Browser(app)
            #expect(try await visitor.get(path).status == .notFound)
            #expect(try await !visitor.get("/calls").body.string.contains("CFP-2019-01"))

            try await browser.get("/grants/calls/\(call.id!.uuidString)")
            #expect(try await browser.post("/grants/calls/\(call.id!.uuidString)/publish").status == .seeOther)
            #expect(try await visitor.get("/calls").body.string.contains("CFP-2019-01"))
            let page = try await visitor.get(path)
            #expect(page.status == .ok)
            let text = page.body.string
            #expect(text.contains("150.000,00\u{00A0}€") && text.contains("270.000,00\u{00A0}€"), "amounts as Albanian writes them")
            #expect(text.contains(app.services.catalog.text("call.public.open", .sq)))
            #expect(text.contains("Rëndësia e veprimit") && text.contains("Kapaciteti financiar dhe operacional"))
            #expect(text.contains("20.05.2099 16:00"), "deadlines in Tirana time")
            #expect(text.contains("Ndërmjetësim punësimi") && !text.contains("Job placement"), "the Albanian lists in Albanian")
            let start = SiteURL.applications.with([("call", call.id!.uuidString)])
            let signIn = SiteURL.signIn.with([("next", start)])
            #expect(text.contains("href=\"\(signIn)\""), "a visitor's Apply leads to sign-in")
            #expect(try await Browser(app).get(signIn).body.string.contains("value=\"\(start)\""), "and sign-in returns to the start form")
            visitor.setCookie(LanguageMiddleware.cookieName, "en")
            let english = try await visitor.get(path).body.string
            #expect(english.contains("Job placement") && english.contains("€150,000.00"), "the English lists and amounts in English")
            #expect(english.contains(app.services.catalog.text("call.apply", .en)))

            // Frozen: no edit form, no second publication, no change by post.
            #expect(try await browser.get("/grants/calls/\(call.id!.uuidString)/edit").status == .conflict)
            try await browser.get("/grants/calls/new")
            #expect(try await browser.post("/grants/calls/\(call.id!.uuidString)", callFields()).status == .conflict)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "call.published").count() == 1)
        }
    }

    @Test("a call whose deadline has passed cannot be published")
    func publishingLate() async throws {
        try await withFuqizo { app in
            let browser = try await officer(app)
            try await browser.get("/grants/calls/new")
            try await browser.post("/grants/calls", callFields())
            let call = try #require(try await GrantCall.query(on: app.db).first())
            app.clock.advance(by: 80 * 365 * 86_400)
            let later = try await officer(app)
            try await later.get("/grants/calls/\(call.id!.uuidString)")
            #expect(try await later.post("/grants/calls/\(call.id!.uuidString)/publish").status == .conflict)
            #expect(try await GrantCall.find(call.id, on: app.db)?.status == .draft)
        }
    }

    @Test("a CSO asks before the questions deadline; the answer is published to everyone without who asked")
    func questionsAndAnswers() async throws {
        try await withFuqizo { app in
            let officer = try await officer(app)
            try await officer.get("/grants/calls/new")
            try await officer.post("/grants/calls", callFields())
            let call = try #require(try await GrantCall.query(on: app.db).first())
            let id = call.id!.uuidString
            try await officer.get("/grants/calls/\(id)")
            try await officer.post("/grants/calls/\(id)/publish")

            let organisation = try await TestFixtures.organisation(app, name: "Shoqata Pyetëse")
            let member = try await TestFixtures.user(app, grants: [RoleGrant(role: .csoUser, organisationID: organisation.id)])
            let cso = Browser(app, session: try await TestFixtures.session(app, for: member))
            try await cso.get("/calls/\(id)")
            var response = try await cso.post("/calls/\(id)/questions", [("question", "  ")])
            #expect(response.status == .badRequest)
            response = try await cso.post("/calls/\(id)/questions", [("question", "A mund të aplikojë Shoqata Pyetëse me një partner nga Kosova?")])
            #expect(response.status == .seeOther)
            #expect(try await !Browser(app).get("/calls/\(id)").body.string.contains("Kosova"), "not public before it is answered")

            let question = try #require(try await CallQuestion.query(on: app.db).first())
            try await officer.get("/grants/calls/\(id)/questions")
            response = try await officer.post("/grants/calls/\(id)/questions/\(question.id!.uuidString)",
                                              [("question", "A mund të aplikojë një shoqatë me një partner nga Kosova?"), ("answer", "")])
            #expect(response.status == .badRequest)
            #expect(response.body.string.contains("një partner nga Kosova"), "the reworded text is kept")
            response = try await officer.post("/grants/calls/\(id)/questions/\(question.id!.uuidString)",
                                              [("question", "A mund të aplikojë një shoqatë me një partner nga Kosova?"),
                                               ("answer", "Po, si bashkë-aplikant, nëse është e regjistruar.")])
            #expect(response.status == .seeOther)
            let page = try await Browser(app).get("/calls/\(id)").body.string
            #expect(page.contains("një partner nga Kosova") && page.contains("si bashkë-aplikant"))
            #expect(!page.contains("Shoqata Pyetëse"), "who asked is never shown")

            app.clock.advance(by: 80 * 365 * 86_400)
            let late = Browser(app, session: try await TestFixtures.session(app, for: member))
            try await late.get("/calls/\(id)")
            let refused = try await late.post("/calls/\(id)/questions", [("question", "Too late?")])
            #expect(refused.status == .badRequest)
            #expect(refused.body.string.contains(app.services.catalog.text("call.question.error.late", .sq)))
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "call.questionAnswered").count() == 1)
        }
    }

    @Test("grids are edited while the call is a draft; the full grid's relevance follows the concept note's")
    func editGrids() async throws {
        try await withFuqizo { app in
            let officer = try await officer(app)
            try await officer.get("/grants/calls/new")
            try await officer.post("/grants/calls", callFields())
            let call = try #require(try await GrantCall.query(on: app.db).first())
            let path = "/grants/calls/\(call.id!.uuidString)/grid/concept"
            #expect(try await officer.get(path).status == .ok)
            var fields = [("threshold", "32")]
            for (i, section) in EvaluationGrid.conceptNote.sections.enumerated() {
                fields += [("sections[\(i)][titleSq]", section.titleSq), ("sections[\(i)][titleEn]", section.titleEn)]
                for (j, criterion) in section.criteria.enumerated() {
                    fields += [("sections[\(i)][criteria][\(j)][code]", criterion.code),
                               ("sections[\(i)][criteria][\(j)][titleSq]", criterion.titleSq),
                               ("sections[\(i)][criteria][\(j)][titleEn]", criterion.titleEn),
                               ("sections[\(i)][criteria][\(j)][weight]", j == 0 && i == 0 ? "9" : String(criterion.weight))]
                }
            }
            var response = try await officer.post(path, fields)
            #expect(response.status == .badRequest)
            #expect(response.body.string.contains(app.services.catalog.text("grid.error.weight", .sq)))
            #expect(response.body.string.contains("value=\"9\""), "typed values come back")

            fields = fields.map { $0.0 == "sections[0][criteria][0][weight]" ? ($0.0, "1") : $0 }
            fields += [("sections[0][criteria][4][titleSq]", "Përfshirja e të mbijetuarave"),
                       ("sections[0][criteria][4][titleEn]", "Involvement of survivors"), ("sections[0][criteria][4][weight]", "2")]
            response = try await officer.post(path, fields)
            #expect(response.status == .seeOther)
            let saved = try #require(try await GrantCall.find(call.id, on: app.db))
            let concept = try StoredJSON.decode(EvaluationGrid.self, from: saved.conceptGrid)
            #expect(concept.threshold == 32 && concept.sections[0].maximum == 35)
            let full = try StoredJSON.decode(EvaluationGrid.self, from: saved.fullGrid)
            #expect(full.sections.first { $0.code == "relevance" }?.criteria == concept.sections[0].criteria)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "call.gridUpdated").count() == 1)

            try await officer.get("/grants/calls/\(call.id!.uuidString)")
            try await officer.post("/grants/calls/\(call.id!.uuidString)/publish")
            #expect(try await officer.get(path).status == .conflict, "frozen once published")
        }
    }
}
