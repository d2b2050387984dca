import Fluent
import Foundation
@testable import FuqizoCore
@testable import FuqizoServer
import Testing
import Vapor
import VaporTesting

/// Amendments through the service (routes and pages come next): one open request at a time,
/// refusal with a reason, approval keeping the replaced version and re-planning the reports.
@Suite("Grant amendments on the server")
struct AmendmentTests {
    @Test("a longer contract: the old terms kept as version 1, the end moved, an interim report added; a refusal changes nothing")
    func extension_() async throws {
        try await withFuqizo { app in
            _ = try await TestFixtures.demo(app, applications: 8, survivors: 0)
            let contract = try await ContractTests().signedContract(app)
            let officer = try await TestFixtures.user(app, grants: [RoleGrant(role: .grantsOfficer)]).requireID()
            let service = AmendmentService(database: app.db, services: app.services)
            let end = try #require(contract.end)
            let newEnd = end.adding(months: 12)
            let refused = try await service.request(contract, form: AmendmentForm(activities: "Edhe praktika.", reason: "Partner i ri."), byGrantee: true,
                                                    actor: officer).get()
            await #expect(throws: AppError.self) {
                _ = try await service.request(contract, form: AmendmentForm(endDate: newEnd.description, reason: "x"), byGrantee: false, actor: officer)
            }
            try await service.refuse(refused, of: contract, reason: "Aktivitetet janë të mjaftueshme.", actor: officer)
            #expect(try await GrantContract.find(contract.id!, on: app.db)?.version == 1)
            let longer = try await service.request(contract, form: AmendmentForm(endDate: newEnd.description, reason: "Vonesë nga përmbytjet."),
                                                   byGrantee: false, actor: officer).get()
            #expect(longer.number == 2)
            try await service.approve(longer, of: contract, reason: "Përmbytjet vonuan punën.", actor: officer)
            let amended = try #require(try await GrantContract.find(contract.id!, on: app.db))
            #expect(amended.version == 2 && amended.endDate == newEnd.description)
            let versions = try await service.versions(of: amended)
            #expect(versions.map(\.version) == [1] && versions[0].endDate == end.description)
            let reports = try await ReportService(database: app.db, services: app.services).reports(of: amended)
            #expect(reports.map(\.kind) == [.interim, .final])
            #expect(try amended.contractTerms().tranches.count == 3)
            // Once the final report is sent, the end no longer moves (the activities still may).
            let final = try #require(try await ReportService(database: app.db, services: app.services).reports(of: amended).last)
            final.status = .submitted
            try await final.save(on: app.db)
            let closedEnd = try await service.request(amended, form: AmendmentForm(endDate: newEnd.adding(months: 1).description, reason: "Edhe një muaj."),
                                                      byGrantee: true, actor: officer)
            if case .failure(let errors) = closedEnd { #expect(errors["endDate"] == "amendment.error.finalReported") }
            else { Issue.record("a new end after the final report is refused") }
            #expect(try await service.request(amended, form: AmendmentForm(activities: "Praktika.", reason: "Partner i ri."), byGrantee: true,
                                              actor: officer).get().number == 3)
            for action in ["amendment.requested", "amendment.refused", "amendment.approved"] {
                #expect(try await AuditEntry.query(on: app.db).filter(\.$action == action).count() >= 1, "\(action)")
            }
        }
    }
}

@Suite("Grant amendments through the pages")
struct AmendmentPageTests {
    @Test("the grantee asks to move money between lines (a changed total comes back as typed), the officer is told, confirms with a reason; both versions print")
    func budgetMove() async throws {
        try await withFuqizo { app in
            let catalog = app.services.catalog
            let helper = ContractTests()
            let scene = try await helper.scene(app)
            let (contract, id, page) = (scene.contract, scene.id, scene.page)
            let terms = try contract.contractTerms()
            try #require(terms.budget.count >= 2)
            let grantee = try await helper.browser(app, scene.grantee)
            let stranger = try await helper.browser(app, try await helper.person(app, .csoUser, in: try #require(try await Organisation.query(on: app.db)
                .filter(\.$id != contract.$organisation.id).first()?.id)))
            let officer = try await helper.browser(app, scene.officer)
            let finance = try await helper.browser(app, try await helper.person(app, .financeOfficer))
            #expect(try await stranger.get("\(page)/amendments/new").status == .notFound, "another CSO is not even told the contract exists")
            #expect(try await finance.get("\(page)/amendments/new").status == .forbidden, "finance does not change contracts")

            // Moving 100.00 from the second line to the first; first typed with the total changed.
            let (first, second) = (terms.budget[0].totalMinorUnits, terms.budget[1].totalMinorUnits)
            let form = try await grantee.get("\(page)/amendments/new")
            #expect(form.status == .ok && form.body.string.contains(catalog.text("amendment.field.budget", .sq)))
            let unbalanced = try await grantee.post("\(page)/amendments", [("lines[]", NumberWriting.plain(first + 10_000)), ("lines[]", ""),
                                                                          ("reason", "Trajnerë shtesë.")])
            #expect(unbalanced.status == .badRequest && unbalanced.body.string.contains(catalog.text("amendment.error.budgetTotal", .sq)))
            #expect(unbalanced.body.string.contains(NumberWriting.plain(first + 10_000)) && unbalanced.body.string.contains("Trajnerë shtesë."))
            #expect(try await ContractAmendment.query(on: app.db).count() == 0, "nothing half-written")
            #expect(try await grantee.post("\(page)/amendments", [("lines[]", NumberWriting.plain(first + 10_000)),
                                                                  ("lines[]", NumberWriting.plain(second - 10_000)),
                                                                  ("reason", "Trajnerë shtesë.")]).status == .seeOther)
            let request = try #require(try await ContractAmendment.query(on: app.db).first())
            #expect(request.byGrantee && request.status == .requested)
            #expect(try await grantee.get(page).body.string.contains(catalog.text("amendment.error.open", .sq)))
            #expect(try await grantee.post("\(page)/amendments", [("endDate", "2030-01-01"), ("reason", "x")]).status == .conflict)

            // The officer is told, reads the change, cannot approve without a reason, then approves.
            app.clock.advance(by: 31)
            #expect(try await officer.get("/").body.string.contains(catalog.text("work.decideAmendment", .sq)))
            try await officer.get(page)
            let approve = "\(page)/amendments/1/approve"
            #expect(try await grantee.post(approve, [("confirmed", "yes"), ("reason", "x")]).status == .forbidden)
            let ask = try await officer.post(approve)
            #expect(ask.body.string.contains(catalog.text("amendment.approve.confirmTitle", .sq)))
            #expect(ask.body.string.contains(Money(minorUnits: first + 10_000, currency: contract.currency).written(in: .sq)))
            #expect(try await officer.post(approve, [("confirmed", "yes"), ("reason", "")]).status == .badRequest)
            #expect(try await officer.post(approve, [("confirmed", "yes"), ("reason", "E arsyeshme.")]).status == .seeOther)
            let amended = try await helper.contract(app, id)
            let amendedTotals = try amended.contractTerms().budget.map(\.totalMinorUnits)
            #expect(amended.version == 2 && Array(amendedTotals.prefix(2)) == [first + 10_000, second - 10_000])
            #expect(try await officer.post(approve, [("confirmed", "yes"), ("reason", "Sërish.")]).status == .conflict, "decided once")

            // The grantee reads the decision; version 1 prints as it was, the print in force says version 2.
            let after = try await grantee.get(page).body.string
            #expect(after.contains("E arsyeshme.") && after.contains(catalog.text("amendment.status.approved", .sq)))
            let old = try await grantee.get("\(page)/versions/1").body.string
            #expect(old.contains(Money(minorUnits: first, currency: contract.currency).written(in: .sq)))
            #expect(!old.contains(Money(minorUnits: first + 10_000, currency: contract.currency).written(in: .sq)))
            let current = try await grantee.get("\(page)/print").body.string
            #expect(current.contains(catalog.format("contract.print.version", .sq, ["version": "2"])))
            #expect(current.contains(Money(minorUnits: first + 10_000, currency: contract.currency).written(in: .sq)))
            #expect(try await grantee.get("\(page)/versions/2").status == .notFound, "version 2 is the one in force: /print")
            #expect(try await stranger.get("\(page)/versions/1").status == .notFound)
        }
    }
}
