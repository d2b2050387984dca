import Fluent
import Foundation
@testable import FuqizoCore
@testable import FuqizoServer
import Testing
import Vapor

/// Page contexts built without HTTP: what a screen shows is decided by its context builder
/// from the records and the core's rules, and can be checked here without rendering a page.
@Suite("Page contexts")
struct PageContextTests {
    /// A request as the middleware would leave it: a signed-in person, a language.
    static func request(_ app: Application, as user: User?, language: Language = .sq) async throws -> Request {
        let request = Request(application: app, on: app.eventLoopGroup.next())
        request.language = language
        if let user {
            let roles = try await RoleAssignment.query(on: app.db).filter(\.$user.$id == user.id!).all()
            request.signedIn = SignedIn(record: SessionRecord(sessionID: UUID(), userID: user.id!, stage: .active, hasTwoFactor: true),
                                        actor: Actor(userID: user.id!, grants: Set(roles.compactMap(\.grant))))
        }
        return request
    }

    static func user(_ app: Application, _ email: String) async throws -> User {
        try #require(try await User.query(on: app.db).filter(\.$email == email).first())
    }

    @Test("the officer's panel follows the core's rules: checks done once, scores shown, withdrawal only when awarded, letters listed")
    func officerPanel() async throws {
        try await withFuqizo { app in
            _ = try await TestFixtures.demo(app, applications: 8, survivors: 0)
            let officer = try await Self.user(app, "grantsofficer@demo.fuqizo.invalid")
            let req = try await Self.request(app, as: officer)
            let service = ApplicationService(database: app.db, services: app.services)
            for status in [ApplicationStatus.awarded, .reserve] {
                guard let row = try await GrantApplication.query(on: app.db).filter(\.$status == status).first() else { continue }
                let application = try await service.find(row.id!)
                let built = try await OfficerPanelContext.build(req, application, check: nil, evaluatorErrors: .init())
                let panel = built.panel
                #expect(panel.checks.count == 2 && panel.checks.allSatisfy { $0.done && $0.passed && !$0.canRecord })
                #expect(panel.finalScore != nil, "the officer is not scoring it: the final score shows")
                let scored = panel.assignments.filter { $0.statusKey == AssignmentStatus.submitted.catalogKey }
                #expect(scored.count >= 2 && scored.allSatisfy { $0.total != nil })
                #expect(panel.canWithdraw == (status == .awarded))
                #expect(!panel.letters.isEmpty && panel.letters.allSatisfy { $0.href.hasPrefix(SiteURL.review(application.id!).path) })
                #expect(!panel.needsEvaluator)
            }
        }
    }

    @Test("an application's page offers blank rows only while it can be edited, and a blind review names no applicant")
    func applicationPage() async throws {
        try await withFuqizo { app in
            _ = try await TestFixtures.demo(app, applications: 8, survivors: 0)
            let cso = try await Self.user(app, "csouser@demo.fuqizo.invalid")
            let req = try await Self.request(app, as: cso, language: .en)
            let row = try #require(try await GrantApplication.query(on: app.db).filter(\.$reference != nil).first())
            let application = try await ApplicationService(database: app.db, services: app.services).find(row.id!)
            let typed = application.content(application.stage)
            let editable = try ApplicationContext.build(req, application, editable: true, back: SiteURL.applications.path,
                                                        attachments: [], attachmentBase: SiteURL.applicationAttachments(row.id!).path)
            let readOnly = try ApplicationContext.build(req, application, editable: false, back: SiteURL.applications.path,
                                                        attachments: [], attachmentBase: SiteURL.applicationAttachments(row.id!).path)
            #expect(editable.results.count == typed.results.count + ApplicationContext.blankResultRows)
            #expect(editable.lines.count == typed.lines.count + ApplicationContext.blankLineRows)
            #expect(readOnly.results.count == typed.results.count && readOnly.lines.count == typed.lines.count)
            #expect(readOnly.callTitle == application.call.titleEn, "the page is in the person's language")
            #expect(!readOnly.organisation.isEmpty)
            let blind = readOnly.hidingApplicant()
            #expect(blind.organisation.isEmpty && blind.blind)
        }
    }

    @Test("a call's facts are in the reader's language, and a decided call is not open")
    func callFacts() async throws {
        try await withFuqizo { app in
            _ = try await TestFixtures.demo(app, applications: 4, survivors: 0)
            let call = try #require(try await GrantCall.query(on: app.db).with(\.$lots).first())
            let albanian = try CallContext.facts(call, try await Self.request(app, as: nil, language: .sq))
            let english = try CallContext.facts(call, try await Self.request(app, as: nil, language: .en))
            #expect(albanian.title == call.titleSq && english.title == call.titleEn)
            #expect(albanian.lots.count == call.lots.count)
            #expect(!english.isOpen, "its deadline has passed")
            #expect(english.statusKey == call.status.catalogKey)
        }
    }

    @Test("a CSO's capacity page: one radar series per round on the instrument's axes, the gain signed per domain, its plan's trainings, people only for those who keep them")
    func capacityPage() async throws {
        try await withFuqizo { app in
            let organisation = try await TestFixtures.organisation(app, name: "Shoqata Radar")
            let instrument = try #require(try await InstrumentRecord.query(on: app.db).first()).instrument()
            let keys = instrument.domains.map(\.key)
            func scores(_ hundredths: (Int) -> Int) -> [String: CapacityScore] {
                Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, CapacityScore(total: hundredths($0), count: 100)!) })
            }
            let rounds = [AssessmentContext.Scored(reference: "CA-2026-01", kind: .baseline, scores: scores { _ in 200 }),
                          AssessmentContext.Scored(reference: "CA-2027-01", kind: .endline, scores: scores { $0 == 0 ? 150 : 400 })]
            let staff = try await TestFixtures.user(app, grants: [RoleGrant(role: .programmeManager)])
            let trainer = try await TestFixtures.user(app, grants: [RoleGrant(role: .trainer)])
            for (user, language) in [(staff, Language.en), (trainer, Language.sq)] {
                let req = try await Self.request(app, as: user, language: language)
                let plan = PeopleContext.plan(req, organisation: organisation.id!, actions: [], domains: instrument.domains, latest: rounds[1].scores,
                                              trainings: [(keys[0], CapacityFigures.DomainTrainings(upcoming: [], trained: 3))],
                                              form: PlanActionForm(), errors: .init())
                let page = AssessmentContext.capacity(req, organisation: organisation, instrument: instrument, rounds: rounds, open: [], plan: plan)
                #expect(page.series.count == 2 && page.axes.count == keys.count && page.rings.count == 4)
                // The endline's first axis at 1,50 sits on the way to the top; every other axis at 4 on the outer ring.
                #expect(page.series[1].points.split(separator: " ").count == keys.count)
                #expect(page.series[1].points.split(separator: " ").last == page.rings[3].split(separator: " ").last)
                #expect(page.rows.first?.gain == (language == .en ? "−0.50" : "−0,50") && page.rows.first?.gainClass == "loss")
                #expect(page.rows.last?.gain == (language == .en ? "+2.00" : "+2,00") && page.rows.last?.gainClass == "gain")
                #expect(page.rows.first?.domain == language.pick(instrument.domains[0].nameSq, instrument.domains[0].nameEn))
                // Only the domain below 2,5 is a priority; the trainings for it are listed with the people trained.
                #expect(plan.priorities.count == 1)
                #expect(plan.trainings.count == 1 && plan.trainings[0].trained.contains("3") && plan.trainings[0].allHref == "/events?domain=\(keys[0])")
                #expect((page.peopleHref != nil) == (user.id == staff.id), "a trainer does not keep a CSO's people")
                #expect(plan.canEdit == (user.id == staff.id))
            }
        }
    }
}
