import Fluent
import Foundation
@testable import FuqizoCore
@testable import FuqizoServer
import Testing
import Vapor
import VaporTesting

/// Monitoring visits through the pages: planned, recorded with findings and a risk, followed
/// up by actions that reach their owners' work lists, documented, and late when past due.
@Suite("Monitoring visits")
struct MonitoringTests {
    @Test("plan → record findings and risk → a follow-up for the grantee, who is told and marks it done; a late action makes the contract late")
    func visitCycle() async throws {
        try await withFuqizo { app in
            let catalog = app.services.catalog
            let helper = ContractTests()
            let scene = try await helper.scene(app)
            let (contract, id, page, officerUser) = (scene.contract, scene.id, scene.page, scene.officer)
            let officer = try await helper.browser(app, officerUser)
            let grantee = try await helper.browser(app, scene.grantee)
            let finance = try await helper.browser(app, try await helper.person(app, .financeOfficer))
            let today = TiranaTime.today(at: app.clock.now())

            // Planning: a day outside the contract and no visitor come back as typed; nothing is stored.
            #expect(try await grantee.get("\(page)/visits/new").status == .forbidden)
            #expect(try await officer.get("\(page)/visits/new").status == .ok)
            let refused = try await officer.post("\(page)/visits", [("plannedOn", "2001-01-01"), ("visitor", UUID().uuidString), ("purpose", "Verifikim i shpenzimeve.")])
            #expect(refused.status == .badRequest && refused.body.string.contains(catalog.text("visit.error.outsideContract", .sq)))
            #expect(refused.body.string.contains("Verifikim i shpenzimeve."))
            #expect(try await MonitoringVisit.query(on: app.db).filter(\.$contract.$id == id).count() == 0)
            try await officer.get("\(page)/visits/new")
            #expect(try await officer.post("\(page)/visits", [("plannedOn", today.description), ("visitor", officerUser.id!.uuidString),
                                                              ("purpose", "Verifikim i shpenzimeve.")]).status == .seeOther)
            app.clock.advance(by: 31)
            #expect(try await officer.get("/").body.string.contains(catalog.text("work.recordVisit", .sq)), "the visitor is told on the day")

            // Recording: the risk is required; then findings, risk and recommendations.
            let visitPage = "\(page)/visits/1"
            try await officer.get(visitPage)
            let missing = try await officer.post(visitPage, [("visitedOn", today.description), ("findings", "Regjistrat në rregull.")])
            #expect(missing.status == .badRequest && missing.body.string.contains("Regjistrat në rregull."))
            #expect(try await officer.post(visitPage, [("visitedOn", today.description), ("findings", "Regjistrat në rregull; mungojnë dy fatura."),
                                                       ("risk", "medium"), ("recommendations", "Të sillen faturat.")]).status == .seeOther)
            let visit = try #require(try await MonitoringVisit.query(on: app.db).filter(\.$contract.$id == id).first())
            #expect(visit.status == .done && visit.risk == .medium)
            let contractPage = try await grantee.get(page).body.string
            #expect(contractPage.contains(officerUser.displayName), "the contract's page names the visitor")

            // A follow-up action for the grantee, due in a week; the grantee sees it on the home page and closes it.
            try await officer.get(visitPage)
            let due = today.adding(days: 7)
            #expect(try await officer.post("\(visitPage)/actions", [("action", "Dërgoni dy faturat që mungojnë."), ("owner", "grantee"),
                                                                    ("dueOn", due.description)]).status == .seeOther)
            let action = try #require(try await FollowUpAction.query(on: app.db).filter(\.$contract.$id == id).first())
            app.clock.advance(by: 31)
            #expect(try await grantee.get("/").body.string.contains(catalog.text("work.followUp", .sq)))
            let granteeView = try await grantee.get(visitPage).body.string
            #expect(granteeView.contains("Regjistrat në rregull; mungojnë dy fatura.") && granteeView.contains(catalog.text("visit.risk.medium", .sq)))
            #expect(!granteeView.contains(catalog.text("visit.record", .sq)), "the grantee reads the findings, never edits them")
            #expect(try await finance.post("\(visitPage)/actions/\(action.id!.uuidString)/done").status == .forbidden)

            // Once its day has passed, the action is late: the portfolio's "late" finds the contract.
            // (The due day moves back rather than the clock forward, which would end the sessions.)
            #expect(try await !(officer.get("/contracts?late=yes").body.string.contains(contract.number)))
            action.dueOn = today.adding(days: -1).description
            try await action.save(on: app.db)
            let late = try await officer.get("/contracts?late=yes").body.string
            #expect(late.contains(contract.number))
            try await grantee.get(visitPage)
            #expect(try await grantee.post("\(visitPage)/actions/\(action.id!.uuidString)/done", [("note", "Faturat u dërguan me postë.")]).status == .seeOther)
            let closed = try #require(try await FollowUpAction.find(action.id!, on: app.db))
            #expect(closed.status == .done && closed.note == "Faturat u dërguan me postë.")
            #expect(!(try await officer.get("/contracts?late=yes").body.string.contains(contract.number)))
            for entry in ["visit.planned", "visit.recorded", "followUp.added", "followUp.done"] {
                #expect(try await AuditEntry.query(on: app.db).filter(\.$action == entry).filter(\.$targetID == id.uuidString).count() == 1, "\(entry)")
                #expect(catalog.has("audit.did.\(entry)"))
            }
        }
    }

    @Test("an action owned by the officer is theirs alone; a visit cancelled with a reason takes no findings; its documents are kept with the visit")
    func ownersCancellationAndDocuments() async throws {
        try await withFuqizo { app in
            let helper = ContractTests()
            let scene = try await helper.scene(app)
            let (contract, page, officerUser) = (scene.contract, scene.page, scene.officer)
            let officer = try await helper.browser(app, officerUser)
            let grantee = try await helper.browser(app, scene.grantee)
            let today = TiranaTime.today(at: app.clock.now())
            let service = MonitoringService(database: app.db, services: app.services)
            let first = try await service.plan(contract, form: VisitPlanForm(plannedOn: today.description, visitor: officerUser.id!.uuidString, purpose: "Takim."),
                                               actor: officerUser.id!).get()
            _ = try await service.record(first, of: contract, form: VisitReportForm(visitedOn: today.description, findings: "Mirë.", risk: "low"),
                                         actor: officerUser.id!).get()
            _ = try await service.addAction(to: first, of: contract, form: FollowUpForm(action: "Kontrolloni regjistrin e pagave.", owner: officerUser.id!.uuidString,
                                                                                       dueOn: today.adding(days: 3).description), actor: officerUser.id!).get()
            let action = try #require(try await FollowUpAction.query(on: app.db).filter(\.$contract.$id == contract.id!).first())
            try await grantee.get("\(page)/visits/1")
            #expect(try await grantee.post("\(page)/visits/1/actions/\(action.id!.uuidString)/done").status == .forbidden,
                    "the grantee closes only what is asked of the grantee")
            #expect(try await grantee.post("\(page)/visits/1/documents").status == .forbidden)

            // The visit sheet, recognised by its bytes, downloadable by the grantee; a file that is not a document is refused.
            try await officer.get("\(page)/visits/1")
            let fake = try await officer.upload("\(page)/visits/1/documents", [], file: ("file", "foto.pdf", Array("not a pdf".utf8)))
            #expect(fake.status == .badRequest)
            let pdf = try await officer.upload("\(page)/visits/1/documents", [], file: ("file", "fleta-e-vizites.pdf", Array(CheckedDocument.demoScan(number: "V").1)))
            #expect(pdf.status == .seeOther)
            let attachment = try #require(try await Attachment.query(on: app.db).filter(\.$ownerType == "visit").filter(\.$filename == "fleta-e-vizites.pdf").first())
            #expect(try await grantee.get("\(page)/visits/1/documents/\(attachment.id!.uuidString)").status == .ok)

            // A second visit, cancelled with a reason: it takes no findings afterwards.
            _ = try await service.plan(contract, form: VisitPlanForm(plannedOn: today.adding(days: 20).description, visitor: officerUser.id!.uuidString,
                                                                     purpose: "Vizitë e dytë."), actor: officerUser.id!).get()
            try await officer.get("\(page)/visits/2")
            #expect(try await officer.post("\(page)/visits/2/cancel").body.string.contains(app.services.catalog.text("visit.cancel.confirmTitle", .sq)))
            #expect(try await officer.post("\(page)/visits/2/cancel", [("confirmed", "yes"), ("reason", "Rrugë e bllokuar nga bora.")]).status == .seeOther)
            #expect(try await officer.post("\(page)/visits/2", [("visitedOn", today.description), ("findings", "x"), ("risk", "low")]).status == .conflict)
            let view = try await officer.get(page).body.string
            #expect(view.contains(app.services.catalog.text("visit.status.cancelled", .sq)) && view.contains("Kontrolloni regjistrin e pagave."))
        }
    }
}
