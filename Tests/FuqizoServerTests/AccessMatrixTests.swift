import Fluent
import Foundation
@testable import FuqizoCore
@testable import FuqizoServer
import Testing
import Vapor
import VaporTesting

/// Walks every registered route for every role and for an anonymous visitor. The expected
/// answers are written out here, independently of the policy: a route this table does not
/// know fails the suite, so no route ships unclassified.
@Suite("Route × role access")
struct AccessMatrixTests {
    enum Who: String, CaseIterable, CustomStringConvertible {
        case anonymous, administrator, programmeManager, grantsOfficer, financeOfficer, evaluator, donorViewer, csoUser, caseWorker, clubFacilitator, trainer, communicationsOfficer
        var description: String { rawValue }
        var role: Role? { Role(rawValue: rawValue) }
    }

    static let everyone = Set(Who.allCases)
    static let signedIn = everyone.subtracting([.anonymous])
    static let admin: Set<Who> = [.administrator]
    static let staff: Set<Who> = [.administrator, .programmeManager, .grantsOfficer]
    static let members: Set<Who> = staff.union([.csoUser, .caseWorker, .clubFacilitator])
    static let editors: Set<Who> = staff.union([.csoUser])
    static let grants: Set<Who> = [.administrator, .grantsOfficer]
    static let portfolio: Set<Who> = grants.union([.programmeManager, .financeOfficer])
    static let communications: Set<Who> = [.administrator, .programmeManager, .communicationsOfficer]
    static let monitoring: Set<Who> = [.administrator, .programmeManager]
    static let monitoringReaders: Set<Who> = monitoring.union([.donorViewer])

    /// Who may use each route. Organisation routes are tried on the organisation the
    /// organisation-scoped roles belong to.
    static let expected: [String: Set<Who>] = [
        "GET /": everyone,
        "GET /about/disclaimer": everyone,
        "GET /healthz": everyone,
        "GET /metrics": everyone,
        "GET /sign-in": everyone,
        "POST /sign-in": everyone,
        "GET /sign-in/code": everyone,
        "POST /sign-in/code": everyone,
        "GET /sign-in/enrol": everyone,
        "POST /sign-in/enrol": everyone,
        "GET /sign-in/forgot": everyone,
        "POST /sign-in/forgot": everyone,
        "GET /register": everyone,
        "POST /register": everyone,
        "GET /organisations/requests": grants,
        "GET /organisations/requests/:requestID": grants,
        "POST /organisations/requests/:requestID/approve": grants,
        "POST /organisations/requests/:requestID/refuse": grants,
        "POST /sign-out": everyone,
        "GET /setup/:token": everyone,
        "POST /setup/:token": everyone,
        "GET /invite/:token": everyone,
        "POST /invite/:token": everyone,
        "POST /language": everyone,
        "GET /account": signedIn,
        "GET /account/two-factor": signedIn,
        "POST /account/two-factor": signedIn,
        "POST /account/recovery-codes": signedIn,
        "GET /my-organisations": signedIn,
        "GET /admin/users": admin,
        "GET /admin/users/new": admin,
        "POST /admin/users": admin,
        "GET /admin/users/:userID": admin,
        "POST /admin/users/:userID/roles": admin,
        "POST /admin/users/:userID/deactivate": admin,
        "POST /admin/users/:userID/reactivate": admin,
        "POST /admin/users/:userID/unlock": admin,
        "POST /admin/users/:userID/password-link": admin,
        "POST /admin/users/:userID/reset-two-factor": admin,
        "GET /reset/:token": everyone,
        "POST /reset/:token": everyone,
        "GET /account/password": signedIn,
        "POST /account/password": signedIn,
        "POST /account/notices": signedIn,
        "GET /admin/audit": admin,
        "GET /admin/audit/export": admin,
        "GET /admin/outbox": admin,
        "GET /admin/backups": admin,
        "POST /admin/outbox/:messageID/retry": admin,
        "GET /admin/settings": admin,
        "POST /admin/settings": admin,
        "GET /admin/regions": admin,
        "GET /admin/regions/:regionID": admin,
        "POST /admin/regions/:regionID": admin,
        "GET /organisations": staff,
        "GET /organisations/new": staff,
        "POST /organisations": staff,
        "GET /organisations/:organisationID": members,
        "GET /organisations/:organisationID/edit": editors,
        "POST /organisations/:organisationID": editors,
        "GET /grants/calls": grants,
        "GET /grants/calls/new": grants,
        "POST /grants/calls": grants,
        "GET /grants/calls/:callID": grants,
        "GET /grants/calls/:callID/edit": grants,
        "POST /grants/calls/:callID": grants,
        "POST /grants/calls/:callID/publish": grants,
        "GET /grants/calls/:callID/grid/:stage": grants,
        "POST /grants/calls/:callID/grid/:stage": grants,
        "GET /grants/calls/:callID/questions": grants,
        "POST /grants/calls/:callID/questions/:questionID": grants,
        "POST /calls/:callID/questions": [.csoUser],
        "GET /calls": everyone,
        "GET /calls/:callID": everyone,
        "GET /applications": [.csoUser],
        "POST /applications": [.csoUser],
        "GET /applications/:applicationID": [.csoUser],
        "POST /applications/:applicationID": [.csoUser],
        "POST /applications/:applicationID/autosave": [.csoUser],
        "GET /applications/:applicationID/receipt": [.csoUser],
        "GET /applications/:applicationID/letters/:letterID": [.csoUser],
        "GET /grants/calls/:callID/applications": grants,
        "GET /grants/applications/:applicationID": grants,
        "POST /applications/:applicationID/attachments": [.csoUser],
        "POST /applications/:applicationID/attachments/:attachmentID/delete": [.csoUser],
        "GET /applications/:applicationID/attachments/:attachmentID": [.csoUser],
        "GET /grants/applications/:applicationID/attachments/:attachmentID": grants,
        "POST /grants/calls/:callID/documents": grants,
        "POST /grants/calls/:callID/documents/:documentID/delete": grants,
        "GET /grants/calls/:callID/documents/:documentID": grants,
        "GET /calls/:callID/documents/:documentID": everyone,
        "POST /grants/applications/:applicationID/checks/:kind": grants,
        "POST /grants/applications/:applicationID/evaluators": grants,
        "POST /grants/applications/:applicationID/withdraw": grants,
        "GET /grants/applications/:applicationID/letters/:letterID": grants,
        "GET /grants/calls/:callID/committee": grants,
        "POST /grants/calls/:callID/committee": grants,
        "POST /grants/calls/:callID/evaluation/:stage/start": grants,
        "GET /grants/calls/:callID/ranking/:stage": staff.union([.evaluator]),
        "POST /grants/calls/:callID/ranking/:stage/approve": staff.union([.evaluator]),
        "POST /grants/calls/:callID/ranking/:stage/decision": grants,
        "GET /grants/calls/:callID/letters": grants,
        "POST /grants/calls/:callID/letters/send": grants,
        "GET /grants/figures": staff.union([.donorViewer]),
        "GET /contracts": portfolio,
        "GET /contracts/:contractID": portfolio.union([.csoUser]),
        "GET /contracts/:contractID/print": portfolio.union([.csoUser]),
        "GET /contracts/:contractID/documents/:attachmentID": portfolio.union([.csoUser]),
        "GET /my-grants": [.csoUser],
        "GET /grants/applications/:applicationID/contract": grants,
        "POST /grants/applications/:applicationID/contract": grants,
        "GET /contracts/:contractID/edit": grants,
        "POST /contracts/:contractID/edit": grants,
        "POST /contracts/:contractID/send": grants,
        "POST /contracts/:contractID/recall": grants,
        "POST /contracts/:contractID/signatures": grants,
        "POST /contracts/:contractID/suspend": grants,
        "POST /contracts/:contractID/resume": grants,
        "POST /contracts/:contractID/terminate": grants,
        "POST /contracts/:contractID/settle": grants,
        "POST /contracts/:contractID/recovery": [.financeOfficer],
        "GET /contracts/:contractID/reports/:number": portfolio.union([.csoUser]),
        "POST /contracts/:contractID/reports/:number": [.csoUser],
        "POST /contracts/:contractID/reports/:number/lines": [.csoUser],
        "POST /contracts/:contractID/reports/:number/lines/:lineID/delete": [.csoUser],
        "POST /contracts/:contractID/reports/:number/submit": [.csoUser],
        "POST /contracts/:contractID/reports/:number/documents": [.csoUser],
        "GET /contracts/:contractID/reports/:number/documents/:attachmentID": portfolio.union([.csoUser]),
        "POST /contracts/:contractID/reports/:number/return": grants,
        "POST /contracts/:contractID/reports/:number/approve": grants,
        "POST /contracts/:contractID/payments": [.csoUser],
        "POST /contracts/:contractID/payments/:paymentID/resubmit": [.csoUser],
        "POST /contracts/:contractID/payments/:paymentID/check": grants,
        "POST /contracts/:contractID/payments/:paymentID/approve": [.financeOfficer],
        "POST /contracts/:contractID/payments/:paymentID/pay": [.financeOfficer],
        "POST /contracts/:contractID/payments/:paymentID/return": grants.union([.financeOfficer]),
        "GET /contracts/:contractID/amendments/new": grants.union([.csoUser]),
        "POST /contracts/:contractID/amendments": grants.union([.csoUser]),
        "POST /contracts/:contractID/amendments/:number/approve": grants,
        "POST /contracts/:contractID/amendments/:number/refuse": grants,
        "GET /contracts/:contractID/versions/:version": portfolio.union([.csoUser]),
        "GET /contracts/export/csv": portfolio,
        "GET /contracts/export/xlsx": portfolio,
        "GET /contracts/:contractID/reports/:number/export/csv": portfolio.union([.csoUser]),
        "GET /contracts/:contractID/reports/:number/export/xlsx": portfolio.union([.csoUser]),
        "GET /contracts/:contractID/visits/new": grants,
        "POST /contracts/:contractID/visits": grants,
        "GET /contracts/:contractID/visits/:number": portfolio.union([.csoUser]),
        "POST /contracts/:contractID/visits/:number": grants,
        "POST /contracts/:contractID/visits/:number/cancel": grants,
        "POST /contracts/:contractID/visits/:number/actions": grants,
        "POST /contracts/:contractID/visits/:number/actions/:actionID/done": grants.union([.csoUser]),
        "POST /contracts/:contractID/visits/:number/actions/:actionID/cancel": grants,
        "POST /contracts/:contractID/visits/:number/documents": grants,
        "GET /contracts/:contractID/visits/:number/documents/:attachmentID": portfolio.union([.csoUser]),
        "GET /statistics/survivors": [.administrator, .programmeManager, .donorViewer],
        "GET /capacity": editors,
        "GET /capacity/needs": staff,
        "GET /capacity/rounds/new": staff,
        "POST /capacity/rounds": staff,
        "GET /capacity/rounds/:roundID": staff,
        "GET /capacity/instruments/:instrumentID": staff,
        "POST /capacity/instruments/:instrumentID/copy": staff,
        "GET /capacity/instruments/:instrumentID/domains/:domain": staff,
        "POST /capacity/instruments/:instrumentID/domains/:domain": staff,
        "GET /capacity/assessments/:assessmentID": editors,
        "POST /capacity/assessments/:assessmentID": [.csoUser],
        "POST /capacity/assessments/:assessmentID/autosave": [.csoUser],
        "POST /capacity/assessments/:assessmentID/changes": staff,
        "POST /capacity/assessments/:assessmentID/review": staff,
        "POST /capacity/assessments/:assessmentID/confirm": [.csoUser],
        "POST /capacity/assessments/:assessmentID/reopen": [.csoUser],
        "GET /organisations/:organisationID/capacity": editors,
        "POST /organisations/:organisationID/capacity/actions": editors,
        "GET /organisations/:organisationID/capacity/actions/:actionID": editors,
        "POST /organisations/:organisationID/capacity/actions/:actionID": editors,
        "GET /events": editors.union([.trainer]),
        "GET /events/new": staff,
        "POST /events": staff,
        "GET /events/:eventID": editors.union([.trainer]),
        "GET /events/:eventID/edit": staff,
        "POST /events/:eventID": staff,
        "POST /events/:eventID/close": staff,
        "POST /events/:eventID/documents": staff.union([.trainer]),
        "GET /events/:eventID/documents/:attachmentID": editors.union([.trainer]),
        "POST /events/:eventID/registrations": editors,
        "POST /events/:eventID/registrations/:registrationID/cancel": editors,
        "GET /events/:eventID/sessions/:number": staff.union([.trainer]),
        "POST /events/:eventID/sessions/:number": staff.union([.trainer]),
        "GET /events/:eventID/sessions/:number/sheet": staff.union([.trainer]),
        "GET /events/:eventID/certificates/:registrationID": editors.union([.trainer]),
        "GET /verify": everyone,
        "GET /campaigns": communications,
        "GET /campaigns/new": communications,
        "POST /campaigns": communications,
        "GET /campaigns/:campaignID": communications,
        "GET /campaigns/:campaignID/edit": communications,
        "POST /campaigns/:campaignID": communications,
        "POST /campaigns/:campaignID/start": communications,
        "POST /campaigns/:campaignID/complete": communications,
        "POST /campaigns/:campaignID/cancel": communications,
        "POST /campaigns/:campaignID/mentions": communications,
        "POST /campaigns/:campaignID/mentions/:mentionID/remove": communications,
        "GET /campaigns/:campaignID/actions/new": communications,
        "POST /campaigns/:campaignID/actions": communications,
        "GET /campaigns/:campaignID/actions/:actionID": communications,
        "POST /campaigns/:campaignID/actions/:actionID": communications,
        "POST /campaigns/:campaignID/actions/:actionID/reach": communications,
        "POST /campaigns/:campaignID/evidence": communications,
        "GET /campaigns/:campaignID/evidence/:evidenceID": communications,
        "POST /campaigns/:campaignID/evidence/:evidenceID/remove": communications,
        "GET /articles": communications,
        "GET /articles/new": communications,
        "POST /articles": communications,
        "GET /articles/:articleID": communications,
        "POST /articles/:articleID": communications,
        "POST /articles/:articleID/submit": communications,
        "POST /articles/:articleID/return": communications,
        "POST /articles/:articleID/publish": communications,
        "POST /articles/:articleID/unpublish": communications,
        "GET /articles/:articleID/versions/:version": communications,
        "GET /library": communications,
        "POST /library": communications,
        "GET /library/:publicationID": communications,
        "POST /library/:publicationID/withdraw": communications,
        "GET /monitoring": monitoringReaders,
        "GET /open-data/iati-activities.xml": everyone,
        "GET /open-data/iati-organisations.xml": everyone,
        "GET /open-data/360giving.json": everyone,
        "GET /admin/settings/open-data": admin,
        "POST /admin/settings/open-data": admin,
        "GET /monitoring/logframe": monitoringReaders,
        "POST /monitoring/logframe": monitoring,
        "GET /monitoring/logframe/:logframeID": monitoringReaders,
        "POST /monitoring/logframe/:logframeID/periods": monitoring,
        "POST /monitoring/logframe/:logframeID/periods/remove": monitoring,
        "GET /monitoring/logframe/:logframeID/entries/new": monitoring,
        "POST /monitoring/logframe/:logframeID/entries/new": monitoring,
        "POST /monitoring/logframe/:logframeID/approve": monitoring,
        "GET /monitoring/entries/:entryID": monitoring,
        "POST /monitoring/entries/:entryID": monitoring,
        "POST /monitoring/entries/:entryID/remove": monitoring,
        "GET /monitoring/entries/:entryID/indicators/new": monitoring,
        "POST /monitoring/entries/:entryID/indicators/new": monitoring,
        "GET /monitoring/indicators/:indicatorID": monitoring,
        "POST /monitoring/indicators/:indicatorID": monitoring,
        "POST /monitoring/indicators/:indicatorID/remove": monitoring,
        "GET /monitoring/values": monitoring,
        "POST /monitoring/values": monitoring,
        "GET /monitoring/values/:valueID/evidence": monitoring,
        "POST /monitoring/values/:valueID/approve": monitoring,
        "POST /monitoring/values/:valueID/return": monitoring,
        "GET /monitoring/reports": monitoringReaders,
        "POST /monitoring/reports": monitoring,
        "GET /monitoring/reports/:reportID": monitoringReaders,
        "POST /monitoring/reports/:reportID/remake": monitoring,
        "POST /monitoring/reports/:reportID/comments": monitoring,
        "POST /monitoring/reports/:reportID/submit": monitoring,
        "GET /monitoring/reports/:reportID/export/csv": monitoringReaders,
        "GET /monitoring/reports/:reportID/export/xlsx": monitoringReaders,
        "GET /sq": everyone,
        "GET /sq/**": everyone,
        "GET /en": everyone,
        "GET /en/**": everyone,
        "GET /sitemap.xml": everyone,
        "GET /robots.txt": everyone,
        "GET /media/:photoID": everyone,
        "GET /publications/:documentID": everyone,
        "GET /events/:eventID/questionnaires": staff.union([.trainer]),
        "POST /events/:eventID/questionnaires/:purpose/links": staff.union([.trainer]),
        "GET /events/:eventID/tests/:phase": staff.union([.trainer]),
        "POST /events/:eventID/tests/:phase": staff.union([.trainer]),
        "GET /answer": everyone,
        "GET /answer/:linkCode": everyone,
        "POST /answer/:linkCode": everyone,
        "GET /organisations/:organisationID/people": editors,
        "POST /organisations/:organisationID/people": editors,
        "GET /organisations/:organisationID/people/:personID": editors,
        "POST /organisations/:organisationID/people/:personID": editors,
        "POST /organisations/:organisationID/people/:personID/archive": editors,
        "POST /organisations/:organisationID/people/:personID/restore": editors,
        "GET /evaluation": [.evaluator],
        "GET /evaluation/:assignmentID": [.evaluator],
        "POST /evaluation/:assignmentID/declaration": [.evaluator],
        "POST /evaluation/:assignmentID": [.evaluator],
        "GET /evaluation/:assignmentID/attachments/:attachmentID": [.evaluator],
        "GET /survivors": [.caseWorker],
        "GET /survivors/new": [.caseWorker],
        "POST /survivors": [.caseWorker],
        "GET /survivors/:code": [.caseWorker],
        "POST /survivors/:code/reveal": [.caseWorker],
        "POST /survivors/:code/consents": [.caseWorker],
        "POST /survivors/:code/consents/:consentID/withdraw": [.caseWorker],
        "POST /survivors/:code/notes": [.caseWorker],
        "POST /survivors/:code/close": [.caseWorker],
        "POST /survivors/:code/reopen": [.caseWorker],
        "POST /survivors/:code/erase": [.caseWorker],
        "POST /survivors/:code/needs": [.caseWorker],
        "POST /survivors/:code/plan": [.caseWorker],
        "POST /survivors/:code/plan/:goalID/steps": [.caseWorker],
        "POST /survivors/:code/plan/steps/:stepID": [.caseWorker],
        "POST /survivors/:code/referrals": [.caseWorker],
        "POST /survivors/:code/club/join": [.caseWorker],
        "POST /survivors/:code/club/leave": [.caseWorker],
        "POST /survivors/:code/skills": [.caseWorker],
        "POST /survivors/:code/employment": [.caseWorker],
        "POST /survivors/:code/follow-ups/:followUpID": [.caseWorker],
        "GET /referrals": [.caseWorker],
        "GET /referrals/:referralID": [.caseWorker],
        "POST /referrals/:referralID/:move": [.caseWorker],
        "POST /referrals/:referralID/revoked": [.caseWorker],
        "GET /club": [.caseWorker, .clubFacilitator],
        "POST /club/sessions": [.caseWorker],
        "GET /club/sessions/:sessionID": [.caseWorker, .clubFacilitator],
        "POST /club/sessions/:sessionID/members": [.caseWorker],
        "POST /club/sessions/:sessionID/attendance": [.caseWorker, .clubFacilitator],
    ]

    static func key(_ route: Route) -> String {
        "\(route.method.rawValue) /" + route.path.map(\.description).joined(separator: "/")
    }

    @Test("every route is classified in the table and for the policy")
    func everyRouteIsKnown() async throws {
        try await withFuqizo { app in
            let keys = app.routes.all.map(Self.key)
            let unknown = Set(keys).subtracting(Self.expected.keys)
            #expect(unknown.isEmpty, "routes nobody classified: \(unknown.sorted())")
            let stale = Set(Self.expected.keys).subtracting(keys)
            #expect(stale.isEmpty, "table rows without a route: \(stale.sorted())")
            let unclassified = app.routes.all.filter { $0.routeAccess == nil }.map(Self.key)
            #expect(unclassified.isEmpty, "routes without .access(…): \(unclassified)")
        }
    }

    /// Path parameters that name one organisation's or one person's record. A route with one of
    /// them must name its record for the policy, so that the decision is made on the record
    /// (its organisation, its state) in `Policy`, not in a handler that may forget to ask.
    static let recordParameters: Set<String> = [":organisationID", ":applicationID", ":assignmentID", ":code", ":referralID", ":sessionID", ":contractID", ":assessmentID", ":eventID", ":campaignID", ":articleID", ":publicationID",
                                                  ":logframeID", ":entryID", ":indicatorID", ":valueID", ":reportID"]

    @Test("every route whose path names a record hands that record to the policy")
    func recordRoutesNameTheirRecord() async throws {
        try await withFuqizo { app in
            let unnamed = app.routes.all.filter { route in
                route.path.contains { Self.recordParameters.contains($0.description) } && route.routeAccess?.resource.namesRecord != true
            }.map(Self.key)
            #expect(unnamed.isEmpty, "routes that load a record the policy never sees: \(unnamed)")
        }
    }

    @Test("each role gets exactly the routes the table grants, over HTTP")
    func walkEveryRouteForEveryRole() async throws {
        try await withFuqizo { app in
            let organisation = try await TestFixtures.organisation(app)
            let orgID = organisation.id!
            var sessions: [Who: String] = [:]
            var someUserID = UUID()
            for who in Who.allCases {
                guard let role = who.role else { continue }
                let user = try await TestFixtures.user(app, grants: [RoleGrant(role: role, organisationID: orgID)])
                sessions[who] = try await TestFixtures.session(app, for: user)
                someUserID = user.id!
            }
            let region = try #require(try await ProgrammeRegion.query(on: app.db).first())
            // A survivor record of the organisation, for the survivor routes.
            let caseWorker = try #require(try await RoleAssignment.query(on: app.db).filter(\.$role == Role.caseWorker.rawValue).first())
            let intake = SurvivorService(database: app.db, services: app.services)
            var form = try URLEncodedFormDecoder().decode(SurvivorIntakeForm.self, from: CaseDesk.intake(region: region.id!)
                .map { "\(Browser.escape($0.0))=\(Browser.escape($0.1))" }.joined(separator: "&"))
            form.organisationID = orgID.uuidString
            guard case .created(let survivorCode) = try await intake.register(form, organisationID: orgID, actor: caseWorker.$user.id) else {
                Issue.record("could not record the test survivor")
                return
            }
            let consentID = try #require(try await SurvivorConsent.query(on: app.db).first()?.id)
            // A referral it sent to another organisation, and a Club session of its facilitator.
            let partner = try await TestFixtures.organisation(app, name: "Partner")
            let loaded = try await intake.load(code: survivorCode)
            var consent = ConsentForm()
            consent.purpose = "referral"
            consent.recipientID = partner.id!.uuidString
            consent.formVersion = "v1"
            _ = try await intake.recordConsent(consent, on: loaded, actor: caseWorker.$user.id)
            let referralConsent = try #require(try await SurvivorConsent.query(on: app.db).filter(\.$purpose == "referral").first())
            let desk = ReferralDesk(database: app.db, services: app.services)
            _ = try await desk.send(consentID: referralConsent.id!.uuidString, service: "employment",
                                    on: try await intake.load(code: survivorCode), actor: caseWorker.$user.id)
            let referralID = try #require(try await SurvivorReferral.query(on: app.db).first()?.id)
            let facilitator = try #require(try await RoleAssignment.query(on: app.db).filter(\.$role == Role.clubFacilitator.rawValue).first())
            var sessionForm = ClubSessionForm()
            sessionForm.kind = "lifeSkills"
            sessionForm.date = "2026-12-10"
            sessionForm.place = "Qendra"
            sessionForm.facilitatorID = facilitator.$user.id.uuidString
            guard case .success(let clubSessionID) = try await ClubService(database: app.db, services: app.services)
                .createSession(sessionForm, organisationID: orgID, actor: caseWorker.$user.id) else {
                Issue.record("could not plan the test session")
                return
            }
            // A round of capacity assessment, with the organisation's self-assessment.
            let instrument = try #require(try await InstrumentRecord.query(on: app.db).first())
            let manager = try #require(try await RoleAssignment.query(on: app.db).filter(\.$role == Role.programmeManager.rawValue).first())
            guard case .success = try await AssessmentService(database: app.db, services: app.services).open(
                RoundForm(kind: "baseline", instrument: instrument.id!.uuidString, dueOn: TiranaTime.today(at: app.clock.now()).adding(days: 30).description,
                          facilitator: manager.$user.id.uuidString), actor: manager.$user.id) else {
                Issue.record("could not open the test round")
                return
            }
            let selfAssessment = try #require(try await SelfAssessment.query(on: app.db).filter(\.$organisation.$id == orgID).first())
            // An event its trainer runs.
            let trainer = try #require(try await RoleAssignment.query(on: app.db).filter(\.$role == Role.trainer.rawValue).first())
            var eventForm = EventForm()
            eventForm.kind = "training"
            (eventForm.titleSq, eventForm.titleEn, eventForm.descriptionSq, eventForm.descriptionEn) = ("Trajnim", "Training", "Përshkrim", "Description")
            (eventForm.domains, eventForm.venue, eventForm.capacity, eventForm.trainers) = (["finance"], "Tiranë", "10", [trainer.$user.id.uuidString])
            let eventDay = TiranaTime.today(at: app.clock.now()).adding(days: 3).description
            eventForm.sessions = [EventForm.SessionRow(day: eventDay, starts: "09:00", ends: "12:00")]
            guard case .success(let event) = try await EventService(database: app.db, services: app.services).create(eventForm, actor: manager.$user.id) else {
                Issue.record("could not make the test event")
                return
            }
            // A planned campaign: every campaign route is open to the same people.
            var campaignForm = CampaignForm()
            (campaignForm.titleSq, campaignForm.titleEn, campaignForm.descriptionSq, campaignForm.descriptionEn) = ("Fushatë", "Campaign", "P", "D")
            (campaignForm.objectiveSq, campaignForm.objectiveEn, campaignForm.audiences, campaignForm.channels) = ("O", "O", ["youth"], ["radio"])
            (campaignForm.regions, campaignForm.startsOn, campaignForm.endsOn) = ([region.id!.uuidString], eventDay, eventDay)
            guard case .success(let campaign) = try await CampaignService(database: app.db, services: app.services).create(campaignForm, actor: manager.$user.id) else {
                Issue.record("could not make the test campaign")
                return
            }
            var articleForm = ArticleForm()
            (articleForm.titleSq, articleForm.titleEn, articleForm.summarySq, articleForm.summaryEn) = ("Lajm", "News", "P", "S")
            (articleForm.bodySq, articleForm.bodyEn) = ("Tekst", "Text")
            guard case .success(let article) = try await ArticleService(database: app.db, services: app.services).create(articleForm, actor: manager.$user.id) else {
                Issue.record("could not make the test article")
                return
            }
            let publication = LibraryItem()
            (publication.titleSq, publication.titleEn, publication.descriptionSq, publication.descriptionEn) = ("Raport", "Report", "", "")
            (publication.kind, publication.year, publication.language, publication.addedBy, publication.addedAt) = (.report, 2026, .both, manager.$user.id, app.clock.now())
            try await publication.create(on: app.db)
            let monitoring = try await MonitoringFixtures.records(app, by: manager.$user.id)
            try await Outbox.enqueue(to: "x@example.org", subject: "s", body: "b", now: app.clock.now(), sealedBy: app.services.mailBox, on: app.db)
            let message = try #require(try await OutboxMessage.query(on: app.db).first())
            let substitutes = [
                ":organisationID": orgID.uuidString, ":userID": someUserID.uuidString, ":regionID": region.id!.uuidString,
                ":messageID": message.id!.uuidString, ":token": "not-a-real-token", ":callID": UUID().uuidString, ":questionID": UUID().uuidString, ":stage": "full",
                ":applicationID": UUID().uuidString, ":attachmentID": UUID().uuidString, ":documentID": UUID().uuidString,
                ":kind": "administrative", ":letterID": UUID().uuidString, ":assignmentID": UUID().uuidString,
                ":code": survivorCode, ":consentID": consentID.uuidString,
                ":goalID": UUID().uuidString, ":stepID": UUID().uuidString, ":followUpID": UUID().uuidString,
                ":referralID": referralID.uuidString, ":contractID": UUID().uuidString, ":paymentID": UUID().uuidString, ":number": "1", ":version": "1", ":actionID": UUID().uuidString, ":lineID": UUID().uuidString, ":move": "accepted", ":sessionID": clubSessionID.uuidString,
                ":roundID": selfAssessment.$round.id.uuidString, ":instrumentID": instrument.id!.uuidString, ":domain": "governance",
                ":assessmentID": selfAssessment.id!.uuidString, ":personID": UUID().uuidString,
                ":eventID": event.id!.uuidString, ":registrationID": UUID().uuidString, ":purpose": "survey", ":phase": "preTest",
                ":linkCode": "ZZZZZ-ZZZZZ",
                ":campaignID": campaign.id!.uuidString, ":mentionID": UUID().uuidString, ":evidenceID": UUID().uuidString,
                ":articleID": article.id!.uuidString, ":photoID": UUID().uuidString, ":publicationID": publication.id!.uuidString,
                ":logframeID": monitoring.logframe.uuidString, ":entryID": monitoring.entry.uuidString, ":indicatorID": monitoring.indicator.uuidString,
                ":valueID": monitoring.value.uuidString, ":reportID": monitoring.report.uuidString,
            ]
            let forbiddenText = app.services.catalog.text("error.forbidden", .sq)
            let csrfText = app.services.catalog.text("error.csrf", .sq)

            for route in app.routes.all {
                let key = Self.key(route)
                guard let allowed = Self.expected[key] else { continue }
                var path = "/" + route.path.map(\.description).joined(separator: "/")
                for (placeholder, value) in substitutes { path = path.replacingOccurrences(of: placeholder, with: value) }
                // /metrics answers only loopback or a token; the policy lets everyone ask.
                if key == "GET /metrics" { continue }
                for who in Who.allCases {
                    let browser = Browser(app, session: sessions[who])
                    let isAllowed = allowed.contains(who)
                    if route.method == .GET {
                        let response = try await browser.get(path)
                        let redirectedToSignIn = response.status == .seeOther && (response.location ?? "").hasPrefix("/sign-in?")
                        if isAllowed {
                            #expect(response.status != .forbidden && !redirectedToSignIn, "\(who) should reach \(key), got \(response.status)")
                        } else if who == .anonymous {
                            #expect(redirectedToSignIn, "anonymous should be sent to sign in from \(key), got \(response.status)")
                        } else {
                            #expect(response.status == .forbidden, "\(who) must not reach \(key), got \(response.status)")
                        }
                    } else {
                        // Posted without a CSRF token: a permitted request gets past the policy
                        // and is stopped by the CSRF check; a refused one is stopped before.
                        let response = try await browser.post(path, csrf: false)
                        #expect(response.status == .forbidden, "\(key) without a CSRF token must be refused")
                        let body = response.body.string
                        if isAllowed {
                            #expect(body.contains(csrfText), "\(who) should pass the policy for \(key)")
                        } else {
                            #expect(body.contains(forbiddenText) && !body.contains(csrfText), "\(who) must be refused \(key) by the policy")
                        }
                    }
                }
            }
        }
    }

    @Test("members of one organisation cannot reach another's by guessing its id")
    func otherOrganisationIsClosed() async throws {
        try await withFuqizo { app in
            let mine = try await TestFixtures.organisation(app, name: "Ime")
            let other = try await TestFixtures.organisation(app, name: "Tjetër")
            for role in [Role.csoUser, .caseWorker, .clubFacilitator] {
                let user = try await TestFixtures.user(app, grants: [RoleGrant(role: role, organisationID: mine.id)])
                let browser = Browser(app, session: try await TestFixtures.session(app, for: user))
                #expect(try await browser.get("/organisations/\(mine.id!.uuidString)").status == .ok)
                let response = try await browser.get("/organisations/\(other.id!.uuidString)")
                #expect(response.status == .forbidden)
                #expect(!response.body.string.contains("Tjetër"))
                #expect(try await browser.get("/organisations/\(UUID().uuidString)").status == .forbidden)
            }
        }
    }
}
