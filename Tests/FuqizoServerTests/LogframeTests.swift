import Fluent
import Foundation
@testable import FuqizoCore
@testable import FuqizoServer
import Testing
import Vapor
import VaporTesting
import ZIPFoundation

/// The logframe built through its pages, its versions, the dashboard, values entered by hand and
/// donor reports with their frozen figures, on SQLite and PostgreSQL.
@Suite("Monitoring: logframe, dashboard, donor reports")
struct LogframeTests {
    func browser(_ app: Application, _ role: Role) async throws -> (Browser, User) {
        let user = try await TestFixtures.user(app, grants: [RoleGrant(role: role, organisationID: nil)])
        let browser = Browser(app, session: try await TestFixtures.session(app, for: user))
        // A page first, for the form token the posts carry.
        try await browser.get("/")
        return (browser, user)
    }

    func location(_ response: TestingHTTPResponse) -> String { response.location ?? "" }

    @Test("a programme manager builds a version through the pages; bad input comes back as typed; approval asks, then freezes the version")
    func buildAndApprove() async throws {
        try await withFuqizo { app in
            let (manager, user) = try await browser(app, .programmeManager)
            // Without the programme's dates there is nowhere to put a period.
            let started = try await manager.post("/monitoring/logframe")
            #expect(started.status == .seeOther)
            let version = location(started)
            #expect(version.hasPrefix("/monitoring/logframe/"))
            let undated = try await manager.post(version + "/periods", [("code", "P1"), ("kind", "interim"), ("startsOn", "2026-01-01"), ("endsOn", "2026-06-30")])
            #expect(undated.status == .conflict)
            try await MonitoringFixtures.programmeDates(app, by: user.id!)
            let backwards = try await manager.post(version + "/periods", [("code", "p1"), ("kind", "interim"), ("startsOn", "2026-06-30"), ("endsOn", "2026-01-01")])
            #expect(backwards.status == .badRequest)
            let page = backwards.body.string
            #expect(page.contains("value=\"p1\"") && page.contains(app.services.catalog.text("period.error.end", .sq)), "what was typed, and why it is refused")
            #expect(try await manager.post(version + "/periods", [("code", "p1"), ("kind", "interim"), ("startsOn", "2025-01-01"), ("endsOn", "2026-06-30")]).status == .seeOther)
            let overlap = try await manager.post(version + "/periods", [("code", "P2"), ("kind", "final"), ("startsOn", "2026-06-01"), ("endsOn", "2028-12-31")])
            #expect(overlap.status == .badRequest && overlap.body.string.contains(app.services.catalog.text("period.error.overlap", .sq)))
            #expect(try await manager.post(version + "/periods", [("code", "P2"), ("kind", "final"), ("startsOn", "2026-07-01"), ("endsOn", "2028-12-31")]).status == .seeOther)
            // An entry under nothing but the overall objective is refused; the overall objective is added.
            let orphan = try await manager.post(version + "/entries/new", [("level", "outcome"), ("code", "R1"), ("titleSq", "Rezultat"), ("titleEn", "Result")])
            #expect(orphan.status == .badRequest && orphan.body.string.contains("Rezultat"))
            #expect(try await manager.post(version + "/entries/new", [("level", "overallObjective"), ("code", "OO"), ("titleSq", "Fuqizim ekonomik"),
                                                                        ("titleEn", "Economic empowerment")]).status == .seeOther)
            let overall = try #require(try await LogframeEntry.query(on: app.db).filter(\.$code == "OO").first())
            // A computed indicator takes its unit from its definition, whatever was typed.
            let indicator = try await manager.post("/monitoring/entries/\(overall.id!.uuidString)/indicators/new", [
                ("code", "I1"), ("nameSq", "Grante"), ("nameEn", "Grants"), ("definitionSq", "Grante të dhëna"), ("definitionEn", "Grants awarded"),
                ("source", "grantAmountAwarded"), ("unit", "count"), ("direction", "increase"), ("finalTarget", "250000"), ("targets[P1]", "100000,50"),
                ("verificationSq", "Kontratat"), ("verificationEn", "Contracts"), ("disaggregations[]", "region"),
            ])
            #expect(indicator.status == .seeOther)
            let saved = try #require(try await LogframeIndicator.query(on: app.db).filter(\.$code == "I1").first())
            #expect(saved.unit == .euro && saved.finalTarget == 25_000_000 && saved.targets == ["P1": 10_000_050])
            let hostile = try await manager.post("/monitoring/entries/\(overall.id!.uuidString)/indicators/new", [
                ("code", "I2"), ("nameSq", "X"), ("nameEn", "X"), ("definitionSq", "X"), ("definitionEn", "X"), ("source", "manual"), ("unit", "count"),
                ("direction", "increase"), ("finalTarget", "99999999999999999999"), ("targets[P2]", "1.5"), ("verificationSq", "X"), ("verificationEn", "X"),
            ])
            #expect(hostile.status == .badRequest, "a huge target and a fraction of a count are refused, not trapped on")
            // Approval asks first, with the consequence, and changes nothing until confirmed.
            let asked = try await manager.post(version + "/approve")
            #expect(asked.status == .ok && asked.body.string.contains("name=\"reason\""))
            let logframe = try #require(try await Logframe.query(on: app.db).first())
            #expect(logframe.status == .draft)
            #expect(try await manager.post(version + "/approve", [("confirmed", "yes"), ("reason", "Agreed with the delegation")]).status == .seeOther)
            let approved = try #require(try await Logframe.find(logframe.id, on: app.db))
            #expect(approved.status == .approved && approved.approvedBy == user.id)
            // An approved version never changes: the pages answer 409.
            #expect(try await manager.post(version + "/entries/new", [("level", "specificObjective"), ("parent", overall.id!.uuidString), ("code", "SO1"),
                                                                        ("titleSq", "O"), ("titleEn", "O")]).status == .conflict)
            #expect(try await manager.post("/monitoring/indicators/\(saved.id!.uuidString)/remove").status == .conflict)
            let audit = try await AuditEntry.query(on: app.db).filter(\.$action == "logframe.approved").first()
            #expect(audit?.details.contains("Agreed with the delegation") == true)
        }
    }

    @Test("a new version copies the approved one; approving it supersedes the old; a report keeps the version it was made under")
    func versions() async throws {
        try await withFuqizo { app in
            let (manager, user) = try await browser(app, .programmeManager)
            let records = try await MonitoringFixtures.records(app, by: user.id!)
            // The draft holds copies, with ids of its own.
            let draftTree = try await LogframeService(database: app.db, services: app.services).tree(try await Logframe.find(records.logframe, on: app.db)!)
            #expect(draftTree.entries.map(\.code) == ["OO"] && draftTree.indicators.map(\.code) == ["I1"] && draftTree.periods.map(\.code) == ["P1"])
            #expect(records.entry != (try await LogframeEntry.query(on: app.db).filter(\.$logframeID == records.approved).first()?.id))
            // A second draft is refused while this one is open.
            #expect(try await manager.post("/monitoring/logframe").status == .conflict)
            let renamed = try await manager.post("/monitoring/indicators/\(records.indicator.uuidString)", [
                ("code", "I1"), ("nameSq", "Anketa e kënaqësisë"), ("nameEn", "Satisfaction survey"), ("definitionSq", "D"), ("definitionEn", "D"),
                ("source", "manual"), ("unit", "percent"), ("direction", "increase"), ("finalTarget", "80"), ("verificationSq", "A"), ("verificationEn", "A"),
            ])
            #expect(renamed.status == .seeOther)
            #expect(try await manager.post("/monitoring/logframe/\(records.logframe.uuidString)/approve", [("confirmed", "yes"), ("reason", "Rider 1")]).status == .seeOther)
            #expect(try await Logframe.find(records.approved, on: app.db)?.status == .superseded)
            #expect(try await Logframe.find(records.logframe, on: app.db)?.status == .approved)
            // The submitted report still reads the first version's indicator.
            let report = try await manager.get("/monitoring/reports/\(records.report.uuidString)").body.string
            #expect(report.contains("Tregues I1") && !report.contains("Anketa e kënaqësisë"))
            #expect(report.contains(app.services.catalog.text("logframe.version", .sq).replacingOccurrences(of: "{number}", with: "1")))
        }
    }

    @Test("a value typed by hand counts once someone else approves it; the person who entered it cannot")
    func manualValues() async throws {
        try await withFuqizo { app in
            let (manager, user) = try await browser(app, .programmeManager)
            let records = try await MonitoringFixtures.records(app, by: user.id!)
            let (other, _) = try await browser(app, .administrator)
            // The fixture's value was entered by someone else: this manager may approve it.
            #expect(try await manager.post("/monitoring/values/\(records.value.uuidString)/approve").status == .seeOther)
            #expect(try await IndicatorValueEntry.find(records.value, on: app.db)?.status == .approved)
            // A value this manager enters waits for another person.
            let refused = try await manager.post("/monitoring/values", [("indicator", "I1"), ("period", "P1"), ("value", "lots"), ("evidence", "")])
            #expect(refused.status == .badRequest && refused.body.string.contains("value=\"lots\""))
            #expect(try await manager.post("/monitoring/values", [("indicator", "I1"), ("period", "P1"), ("value", "7"), ("evidence", "Second survey")]).status == .seeOther)
            let mine = try #require(try await IndicatorValueEntry.query(on: app.db).filter(\.$enteredBy == user.id!).first())
            #expect(try await manager.post("/monitoring/values/\(mine.id!.uuidString)/approve").status == .forbidden, "no one approves their own value")
            let asked = try await other.post("/monitoring/values/\(mine.id!.uuidString)/return")
            #expect(asked.status == .ok, "giving back asks for a reason first")
            #expect(try await other.post("/monitoring/values/\(mine.id!.uuidString)/return", [("confirmed", "yes"), ("reason", "Sample too small")]).status == .seeOther)
            let returned = try #require(try await IndicatorValueEntry.find(mine.id, on: app.db))
            #expect(returned.status == .returned && returned.reviewNote == "Sample too small")
            // Evidence as a file: kept with the value, served to those who review; a file that is
            // not a document comes back as a message, with what was typed.
            let notPDF = try await manager.upload("/monitoring/values", [("indicator", "I1"), ("period", "P1"), ("value", "8"), ("evidence", "Third survey")],
                                                  file: ("file", "survey.pdf", Array("MZ\u{90}\u{0}executable".utf8)))
            #expect(notPDF.status == .badRequest && notPDF.body.string.contains("Third survey"))
            let uploaded = try await manager.upload("/monitoring/values", [("indicator", "I1"), ("period", "P1"), ("value", "8"), ("evidence", "Third survey")],
                                                    file: ("file", "survey.pdf", DocumentTests.pdf))
            #expect(uploaded.status == .seeOther)
            let third = try #require(try await IndicatorValueEntry.query(on: app.db).filter(\.$evidence == "Third survey").first())
            let listed = try await other.get("/monitoring/values").body.string
            #expect(listed.contains("/monitoring/values/\(third.id!.uuidString)/evidence"))
            let file = try await other.get("/monitoring/values/\(third.id!.uuidString)/evidence")
            #expect(file.status == .ok && file.headers.contentType?.subType == "pdf")
            #expect(try await other.get("/monitoring/values/\(records.value.uuidString)/evidence").status == .notFound, "a value without a file has none")
            // The dashboard reads the approved value.
            let dashboard = try await manager.get("/monitoring?period=P1").body.string
            #expect(dashboard.contains(">I1<") || dashboard.contains("I1</a>"))
        }
    }

    @Test("a report freezes its figures: a later correction does not change it until it is remade; a submitted one never changes; donors read only submitted ones")
    func freezing() async throws {
        try await withFuqizo { app in
            let (manager, user) = try await browser(app, .programmeManager)
            let records = try await MonitoringFixtures.records(app, by: user.id!)
            let values = IndicatorValueService(database: app.db, services: app.services)
            let approver = try await TestFixtures.user(app, grants: [RoleGrant(role: .administrator, organisationID: nil)])
            try await values.review(try #require(try await IndicatorValueEntry.find(records.value, on: app.db)), approve: true, note: "", actor: approver.id!)
            // A draft report for the same period, made now: it reads 4.
            let made = try await manager.post("/monitoring/reports", [("period", "P1")])
            #expect(made.status == .seeOther)
            let draftPath = location(made)
            #expect(draftPath != "/monitoring/reports/\(records.report.uuidString)", "a submitted report is not remade: a new draft is")
            func total(_ path: String) async throws -> Int64? {
                let id = try #require(UUID(uuidString: String(path.split(separator: "/").last ?? "")))
                return try await DonorReport.find(id, on: app.db)?.figures?.value(indicator: "I1", period: "P1")?.total
            }
            #expect(try await total(draftPath) == 4)
            // A correction: a new value, approved.
            let tree = try await LogframeService(database: app.db, services: app.services).tree(try #require(try await Logframe.find(records.approved, on: app.db)))
            let corrected = try await values.enter(ManualValueForm(indicator: "I1", period: "P1", value: "9", evidence: "Corrected survey"), in: tree, actor: approver.id!).get()
            try await values.review(corrected, approve: true, note: "", actor: user.id!)
            #expect(try await total(draftPath) == 4, "the frozen figure stays until the report is remade")
            #expect(try await manager.post(draftPath + "/remake").status == .seeOther)
            #expect(try await total(draftPath) == 9)
            #expect(try await total("/monitoring/reports/\(records.report.uuidString)") == nil, "submitted before any approval: frozen without a value")
            #expect(try await manager.post("/monitoring/reports/\(records.report.uuidString)/remake").status == .conflict)
            // Donors: the submitted report, not the draft, which they are not told exists.
            let (donor, _) = try await browser(app, .donorViewer)
            #expect(try await donor.get("/monitoring/reports/\(records.report.uuidString)").status == .ok)
            #expect(try await donor.get(draftPath).status == .notFound)
            let list = try await donor.get("/monitoring/reports").body.string
            #expect(list.contains(records.report.uuidString) && !list.contains(draftPath))
            // Comments are kept with the draft, and bounded.
            let long = String(repeating: "x", count: DonorReportService.maximumComment + 1)
            #expect(try await manager.post(draftPath + "/comments", [("comments[I1]", long)]).status == .badRequest)
            #expect(try await manager.post(draftPath + "/comments", [("comments[I1]", "Survey repeated in May"), ("comments[ZZ]", "ignored")]).status == .seeOther)
            #expect(try await manager.get(draftPath).body.string.contains("Survey repeated in May"))
        }
    }

    @Test("the donor report exports: the XLSX has the logframe and the four summaries; suppressed counts stay marks, amounts stay numbers")
    func export() async throws {
        try await withFuqizo { app in
            let (manager, user) = try await browser(app, .programmeManager)
            let records = try await MonitoringFixtures.records(app, by: user.id!)
            manager.setCookie(LanguageMiddleware.cookieName, "en")
            let csv = try await manager.get("/monitoring/reports/\(records.report.uuidString)/export/csv")
            #expect(csv.status == .ok)
            #expect(csv.body.string.contains("Indicator I1"))
            let xlsx = try await manager.get("/monitoring/reports/\(records.report.uuidString)/export/xlsx")
            #expect(xlsx.status == .ok)
            let archive = try Archive(data: Data(buffer: xlsx.body), accessMode: .read)
            #expect(Set(archive.map(\.path)).isSuperset(of: (1...5).map { "xl/worksheets/sheet\($0).xml" }))
            #expect(xlsx.headers.first(name: .contentDisposition)?.contains("fuqizo-report-interim-p1.xlsx") == true)
        }
    }

    /// The actual value the dashboard shows in an indicator's row.
    static func actualCell(_ page: String, code: String) -> String? {
        guard let row = page.components(separatedBy: "<tr").first(where: { $0.contains(">\(code)</a></th>") }) else { return nil }
        let cells = row.components(separatedBy: "<td class=\"num\">").dropFirst().compactMap { $0.components(separatedBy: "</td>").first }
        return cells.count >= 3 ? cells[2] : nil
    }

    @Test("the dashboard on the demo: every indicator against its target; counts of people under the donor threshold never shown; donors see the same page")
    func dashboard() async throws {
        try await withFuqizo { app in
            _ = try await TestFixtures.demo(app, applications: 8, survivors: 6)
            let (manager, _) = try await browser(app, .programmeManager)
            let (donor, _) = try await browser(app, .donorViewer)
            let logframes = LogframeService(database: app.db, services: app.services)
            let tree = try await logframes.tree(try #require(try await logframes.approved()))
            #expect(tree.indicators.count == 14 && tree.periods.map(\.code) == ["P1", "P2"])
            let raw = try await LogframeFigures(database: app.db, services: app.services).values(tree)
            for period in ["P1", "P2"] {
                for browser in [manager, donor] {
                    let response = try await browser.get("/monitoring?period=\(period)")
                    #expect(response.status == .ok)
                    let page = response.body.string
                    #expect(page.utf8.count < 50_000, "the dashboard stays a small page")
                    #expect(page.contains("<svg class=\"chart bars\""), "the overview chart is drawn on the server")
                    for indicator in tree.indicators {
                        let shown = try #require(Self.actualCell(page, code: indicator.code), "row of \(indicator.code)")
                        let total = raw[indicator.code]?[period]?.total
                        if indicator.countsPeople, let total, (1..<5).contains(total) {
                            #expect(shown == "&lt;5", "\(indicator.code) counts \(total) people: shown as \(shown)")
                        }
                    }
                }
            }
            // The manual indicator reads its approved value; a computed one its definition.
            let p1 = try await manager.get("/monitoring?period=P1").body.string
            #expect(Self.actualCell(p1, code: "O2.2.1") == "72,50\u{00A0}%")
            #expect(raw["R1.1"]?["P2"]?.total == ComputedIndicator.grantsContracted.value(
                of: try await ProgrammeFactsReader(database: app.db).facts(), by: tree.period("P2")!.endsOn, at: app.clock.now()).total)
            // One indicator in detail: its values over the periods and its breakdowns, each chart with its table.
            let detail = try await manager.get("/monitoring?period=P2&indicator=R2.1").body.string
            #expect(detail.contains("id=\"detail\"") && detail.contains("<svg class=\"chart lines\""))
            #expect(detail.contains("id=\"b-harm\""), "survivors by kind of harm, suppressed cell by cell")
            let detailSection = try #require(detail.components(separatedBy: "id=\"detail\"").last)
            #expect(detailSection.contains(">Sarandë<"), "every region is listed, the empty ones as zeros")
            for cell in detailSection.components(separatedBy: "<td class=\"num\">").dropFirst().compactMap({ $0.components(separatedBy: "</td>").first }) {
                if let number = Int(cell) { #expect(number == 0 || number >= 5, "a count of \(number) people in the detail") }
            }
            // A region: its values, no progress against the programme's targets.
            let region = try await manager.get("/monitoring?period=P2&region=KU").body.string
            #expect(region.contains(app.services.catalog.text("dashboard.regionNote", .sq)))
            // Hostile query values choose nothing and break nothing.
            #expect(try await manager.get("/monitoring?period=%27%3Cx&region=%22&indicator=\(String(repeating: "x", count: 500))").status == .ok)
        }
    }
}
