import Fluent
import Foundation
@testable import FuqizoCore
@testable import FuqizoServer
import Testing
import Vapor
import VaporTesting

@Suite("Home pages: each person's work, with counts in the menu")
struct WorkListTests {
    let grants = EvaluationTests()

    /// The work items on a home page: (sentence, link).
    static func items(_ page: String) -> [(text: String, href: String)] {
        let pattern = #"<li class="work-item[^"]*">\s*<a href="([^"]+)">([^<]+)</a>"#
        let regex = try! NSRegularExpression(pattern: pattern)
        return regex.matches(in: page, range: NSRange(page.startIndex..., in: page)).map { match in
            (unescaped(String(page[Range(match.range(at: 2), in: page)!])), String(page[Range(match.range(at: 1), in: page)!]))
        }
    }

    static func unescaped(_ html: String) -> String {
        html.replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
    }

    func text(_ app: Application, _ key: String, _ language: Language = .sq) -> String {
        app.services.catalog.text(key, language)
    }

    @Test("a long list shows its 30 most urgent items, overdue first, and counts the rest; an item linking nowhere is left out")
    func longList() throws {
        let today = try #require(LocalDate("2026-12-04"))
        let catalog = try Catalog(directory: ResourceLocation.directory(override: nil).appendingPathComponent("Localization"))
        let later = (1...40).map { WorkItem("work.reviewReport", reference: "GC-\($0)", due: today.adding(days: 20 + $0), link: WorkLink("contracts"), section: "nav.contracts") }
        let overdue = (1...3).map { WorkItem("work.reviewReport", reference: "OD-\($0)", due: today.adding(days: -$0), link: WorkLink("contracts"), section: "nav.contracts") }
        let broken = WorkItem("work.reviewReport", reference: "X", due: today.adding(days: -9), link: WorkLink("nowhere"), section: "nav.contracts")
        let work = WorkListContext.build(WorkList.ordered(later + overdue + [broken], today: today), language: .en, catalog: catalog, today: today)
        #expect(work.rows.count == WorkListContext.shown)
        #expect(work.rows.prefix(3).map(\.reference) == ["OD-3", "OD-2", "OD-1"], "the most overdue first")
        #expect(!work.rows.contains { $0.reference == "X" })
        #expect(work.overdue == 3 && work.more == 13, "43 items that open: 30 shown, 13 more")
        let short = WorkListContext.build(WorkList.ordered(Array(later.prefix(31)) + overdue, today: today), language: .en, catalog: catalog, today: today)
        #expect(short.more == 4 && short.overdue == 3)
    }

    @Test("a call from submission to letters: the officer, each evaluator, the chair and the CSO find their next step on their home page, and it opens")
    func grantCycle() async throws {
        try await withFuqizo { app in
            let call = try await TestFixtures.publishedCall(app, stages: .single)
            let a = try await grants.submitted(app, call: call, name: "Shoqata A", requested: "60000")
            let b = try await grants.submitted(app, call: call, name: "Shoqata B", requested: "50000")
            let officer = try await grants.person(app, .grantsOfficer, name: "Zyrtarja")
            let chair = try await grants.person(app, .programmeManager, name: "Kryetarja")
            let evaluators = [try await grants.person(app, .evaluator, name: "V1"), try await grants.person(app, .evaluator, name: "V2"),
                              try await grants.person(app, .evaluator, name: "V3")]
            var officerBrowser = try await grants.browser(app, officer)

            // Submissions wait for their checks: one line for the call, with the count, in the menu too.
            var page = try await officerBrowser.get("/").body.string
            var items = Self.items(page)
            #expect(items.map(\.text) == [app.services.catalog.counted("work.check", 2, .sq)])
            #expect(items.first?.href == SiteURL.callApplications(call.id!).path)
            #expect(page.contains(#"<span class="count" aria-hidden="true">2</span>"#))
            #expect(try await officerBrowser.get(items[0].href).status == .ok)

            for application in [a, b] { try await grants.passChecks(app, application.application, officer: officer.id!) }
            let service = EvaluationService(database: app.db, services: app.services)
            _ = try await service.setCommittee(callID: call.id!, chair: chair.id!, secretary: officer.id!,
                                               evaluators: evaluators.map { $0.id! }, actor: officer.id!)
            app.clock.advance(by: 41 * 86_400)
            let started = app.clock.now()
            guard case .success = try await service.start(callID: call.id!, stage: .full, actor: officer.id!) else {
                Issue.record("the evaluation did not start")
                return
            }
            // Sessions do not last 41 days: the officer signs in again.
            officerBrowser = try await grants.browser(app, officer)
            #expect(Self.items(try await officerBrowser.get("/").body.string).isEmpty)

            // Each evaluator: a declaration per assignment, due 21 days after the start.
            let deadline = Display.date(TiranaTime.today(at: started).adding(days: 21), .sq)
            let assignments = try await EvaluationAssignment.query(on: app.db).all()
            let first = try #require(evaluators.first { person in assignments.contains { $0.$evaluator.id == person.id } })
            let firstBrowser = try await grants.browser(app, first)
            page = try await firstBrowser.get("/").body.string
            items = Self.items(page)
            let own = assignments.filter { $0.$evaluator.id == first.id }
            #expect(items.count == own.count && items.allSatisfy { $0.text == text(app, "work.declare") })
            #expect(page.contains(deadline))
            // Nothing of an application before the declaration, not even its reference.
            #expect(!page.contains(a.application.reference!) && !page.contains(b.application.reference!) && page.contains(call.reference))
            #expect(Set(items.map(\.href)) == Set(own.map { SiteURL.assignment($0.id!).path }))
            // Declaring through the page moves the item to "score" at once, in the menu's count as well.
            try await firstBrowser.get(items[0].href)
            #expect(try await firstBrowser.post(items[0].href + "/declaration", [("answer", "impartial")]).status == .seeOther)
            page = try await firstBrowser.get("/evaluation").body.string
            #expect(page.contains(#"<span class="count" aria-hidden="true">\#(own.count)</span>"#))
            items = Self.items(try await firstBrowser.get("/").body.string)
            #expect(items.filter { $0.text == text(app, "work.score") }.count == 1)

            // Everything scored (in agreement): the chair is asked to approve, and the page opens for them.
            let grid = try EvaluationService.grid(of: call, .full)
            for application in [a, b] {
                for row in try await service.assignments(of: application.application.id!, at: .full) where row.status == .declared {
                    _ = try await service.score(row, card: EvaluationTests.card(grid, score: 4), submit: true, actor: row.$evaluator.id)
                }
                try await grants.scoreAll(app, application.application, stage: .full, score: 4, grid: grid)
            }
            #expect(Self.items(try await firstBrowser.get("/").body.string).isEmpty)
            let chairBrowser = try await grants.browser(app, chair)
            items = Self.items(try await chairBrowser.get("/").body.string)
            #expect(items.map(\.text) == [text(app, "work.approveRanking")])
            #expect(items.first?.href == SiteURL.ranking(call: call.id!, stage: .full).path)
            #expect(try await chairBrowser.get(items[0].href).status == .ok)

            // Approved: the officer records the decision; decided: the letters wait to be sent.
            let decisions = DecisionService(database: app.db, services: app.services)
            try await decisions.approve(callID: call.id!, stage: .full, actor: chair.id!)
            #expect(Self.items(try await chairBrowser.get("/").body.string).isEmpty)
            #expect(Self.items(try await officerBrowser.get("/").body.string).map(\.text) == [text(app, "work.decide")])
            _ = try await decisions.decide(callID: call.id!, stage: .full, date: TiranaTime.parts(of: app.clock.now()).date, actor: officer.id!)
            items = Self.items(try await officerBrowser.get("/").body.string)
            // The two awards' contracts wait to be prepared too, undated, after the letters.
            let prepare = app.services.catalog.counted("work.prepareContracts", 2, .sq)
            #expect(items.map(\.text) == [app.services.catalog.counted("work.sendLetters", 2, .sq), prepare])
            #expect(items.first?.href == SiteURL.callLetters(call.id!).path)

            // Sent: each CSO finds its letter on its home page, in English for an English reader.
            _ = try await decisions.sendLetters(callID: call.id!, actor: officer.id!)
            #expect(Self.items(try await officerBrowser.get("/").body.string).map(\.text) == [prepare])
            let csoBrowser = try await grants.browser(app, a.user)
            csoBrowser.setCookie("fuqizo_lang", "en")
            items = Self.items(try await csoBrowser.get("/").body.string)
            #expect(items.map(\.text) == [text(app, "work.letterReceived", .en)])
            #expect(items.first?.href == SiteURL.application(a.application.id!).path)
            #expect(try await csoBrowser.get(items[0].href).status == .ok)
        }
    }

    @Test("the demo: every person's home page lists only links that open for them; case workers and facilitators have work; nobody sees another's")
    func demoHomePages() async throws {
        try await withFuqizo { app in
            _ = try await TestFixtures.demo(app, applications: 6, survivors: 24, openCall: true)
            var seen: [String: Int] = [:]
            for user in try await User.query(on: app.db).with(\.$roles).all() where user.isActive {
                let browser = Browser(app, session: try await TestFixtures.session(app, for: user))
                let page = try await browser.get("/")
                #expect(page.status == .ok)
                let items = Self.items(page.body.string)
                for item in items {
                    let opened = try await browser.get(item.href)
                    #expect(opened.status == .ok, "\(user.email): \(item.text) → \(item.href) answered \(opened.status)")
                }
                seen[user.email] = items.count
                // Nothing personal on a work list: codes and references only.
                #expect(!page.body.string.contains("Demo "), "a name on \(user.email)'s home page")
            }
            #expect(seen["caseworker2@demo.fuqizo.invalid", default: 0] + seen["caseworker@demo.fuqizo.invalid", default: 0] > 0)
            #expect(seen["clubfacilitator@demo.fuqizo.invalid", default: 0] > 0)
            #expect(seen["donorviewer@demo.fuqizo.invalid"] == 0)
        }
    }
}
