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
            try await service.approve(longer, of: contract, actor: officer)
            let amended = try #require(try await GrantContract.find(contract.id!, on: app.db))
            #expect(amended.version == 2 && amended.endDate == newEnd.description)
            let versions = try await service.versions(of: amended)
            #expect(versions.map(\.version) == [1] && versions[0].endDate == end.description)
            let reports = try await ReportService(database: app.db, services: app.services).reports(of: amended)
            #expect(reports.map(\.kind) == [.interim, .final])
            #expect(try amended.contractTerms().tranches.count == 3)
            for action in ["amendment.requested", "amendment.refused", "amendment.approved"] {
                #expect(try await AuditEntry.query(on: app.db).filter(\.$action == action).count() >= 1, "\(action)")
            }
        }
    }
}
