import Crypto
import Fluent
import Foundation
@testable import FuqizoCore
@testable import FuqizoServer
import Testing
import Vapor
import VaporTesting

/// Access to real records: the demo's data gives two organisations their own applications,
/// survivors, a referral between them, a Club session and evaluators' assignments. Every role
/// (and the second organisation's own users) asks for each record, with a valid session and
/// CSRF token, and the answer is compared with the table written here: a record is reached
/// (200, or a POST that gets past the policy) or refused (403 or 404), nothing else.
@Suite("Record × role access")
struct RecordAccessTests {
    enum Who: String, CaseIterable, CustomStringConvertible {
        case administrator, programmeManager, grantsOfficer, financeOfficer, evaluator, donorViewer
        case csoUser, caseWorker, clubFacilitator, trainer, communicationsOfficer
        /// Users of the second organisation.
        case csoUserB = "csouser2", caseWorkerB = "caseworker2"

        var description: String { rawValue }
        var email: String { "\(rawValue.lowercased())@demo.fuqizo.invalid" }
    }

    static let staff: Set<Who> = [.administrator, .programmeManager, .grantsOfficer]
    static let grantsSide: Set<Who> = [.administrator, .grantsOfficer]

    struct Case {
        let method: HTTPMethod
        let path: String
        let fields: [(String, String)]
        let allowed: Set<Who>
        let note: String
    }

    @Test("each role reaches exactly the records the table grants, own organisation and other")
    func everyRecordForEveryRole() async throws {
        try await withFuqizo { app in
            let organisations = try await TestFixtures.demo(app, applications: 8, survivors: 24)
            let (a, b) = (organisations[0], organisations[1])
            // The demo's survivors are at A and the others; B's case worker records one of B's own.
            let caseWorkerB = try #require(try await User.query(on: app.db).filter(\.$email == Who.caseWorkerB.email).first()?.id)
            let region = try #require(try await ProgrammeRegion.query(on: app.db).first()?.id)
            let form = try URLEncodedFormDecoder().decode(SurvivorIntakeForm.self, from: CaseDesk.intake(firstName: "Besa", region: region)
                .map { "\(Browser.escape($0.0))=\(Browser.escape($0.1))" }.joined(separator: "&"))
            guard case .created = try await SurvivorService(database: app.db, services: app.services)
                .register(form, organisationID: b, actor: caseWorkerB, limited: false) else {
                Issue.record("could not record B's survivor")
                return
            }

            var sessions: [Who: String] = [:]
            for who in Who.allCases {
                let user = try #require(try await User.query(on: app.db).filter(\.$email == who.email).first(), "\(who)")
                sessions[who] = try await TestFixtures.session(app, for: user)
            }

            func application(of organisation: UUID) async throws -> UUID {
                try #require(try await GrantApplication.query(on: app.db).filter(\.$organisation.$id == organisation)
                    .filter(\.$reference != nil).first()?.id, "a submitted application of \(organisation)")
            }
            func survivor(of organisation: UUID) async throws -> String {
                try #require(try await Survivor.query(on: app.db).filter(\.$organisation.$id == organisation)
                    .filter(\.$identityDestroyedAt == nil).filter(\.$status == CaseStatus.open).sort(\.$code).first()?.code,
                    "an open survivor record of \(organisation)")
            }
            let (appA, appB) = (try await application(of: a), try await application(of: b))
            let (survivorA, survivorB) = (try await survivor(of: a), try await survivor(of: b))
            let referral = try #require(try await SurvivorReferral.query(on: app.db).filter(\.$fromOrganisationID == a)
                .filter(\.$toOrganisationID == b).first()?.id)
            let facilitator = try #require(try await User.query(on: app.db).filter(\.$email == Who.clubFacilitator.email).first()?.id)
            let session = try #require(try await ClubSession.query(on: app.db).filter(\.$organisationID == a)
                .filter(\.$facilitatorID == facilitator).first()?.id)
            let evaluator = try #require(try await User.query(on: app.db).filter(\.$email == Who.evaluator.email).first()?.id)
            // One the evaluator declared impartial and scored (the demo also gives them a declared conflict).
            let ownAssignment = try #require(try await EvaluationAssignment.query(on: app.db).filter(\.$evaluator.$id == evaluator)
                .filter(\.$status == .submitted).first()?.id)
            let otherAssignment = try #require(try await EvaluationAssignment.query(on: app.db).filter(\.$evaluator.$id != evaluator).first()?.id)
            // The demo's decided call: its chair is the programme manager.
            let decidedCall = try #require(try await EvaluationRound.query(on: app.db).first()?.$call.id)

            // Contracts: a signed one and a draft; whose CSO users see the signed one depends on whose it is.
            let signed = try #require(try await GrantContract.query(on: app.db).filter(\.$status ~~ [.signed, .inImplementation]).sort(\.$number).first())
            let sentOrDraft = try await GrantContract.query(on: app.db).filter(\.$status ~~ [.draft, .sentForSignature]).sort(\.$status).all()
            let draft = try #require(sentOrDraft.first)
            func grantee(_ contract: GrantContract) -> Set<Who> {
                contract.$organisation.id == a ? [.csoUser] : contract.$organisation.id == b ? [.csoUserB] : []
            }
            let portfolio: Set<Who> = Self.grantsSide.union([.programmeManager, .financeOfficer])
            let visited = try #require(try await MonitoringVisit.query(on: app.db).first(), "the demo's monitoring visits")
            let contracted = Set(try await GrantContract.query(on: app.db).all().map { $0.$application.id })
            let award = try #require(try await GrantApplication.query(on: app.db).filter(\.$status == .awarded).all()
                .first { !contracted.contains($0.id!) })

            // Capacity: A's midline (reviewed, to confirm) and B's (still a draft).
            let midline = try #require(try await AssessmentRound.query(on: app.db).filter(\.$kind == .midline).first()?.id)
            func selfAssessment(of organisation: UUID) async throws -> UUID {
                try #require(try await SelfAssessment.query(on: app.db).filter(\.$round.$id == midline).filter(\.$organisation.$id == organisation).first()?.id)
            }
            let (assessmentA, assessmentB) = (try await selfAssessment(of: a), try await selfAssessment(of: b))
            // Events: the demo's trainer runs them all; a closed one with certificates, one to come.
            let closedEvent = try #require(try await CapacityEvent.query(on: app.db).filter(\.$closedOn != nil).sort(\.$startsOn).first()?.id)
            let comingEvent = try #require(try await CapacityEvent.query(on: app.db).filter(\.$closedOn == nil).sort(\.$startsOn).first()?.id)
            let certified = try #require(try await EventRegistration.query(on: app.db).filter(\.$event.$id == closedEvent)
                .filter(\.$certificateCode != nil).first())
            let certificateOwner: Set<Who> = certified.$organisation.id == a ? [.csoUser] : certified.$organisation.id == b ? [.csoUserB] : []
            // Campaigns: the demo's running one, and an action of it whose reach waits.
            let running = try #require(try await Campaign.query(on: app.db).filter(\.$status == .running).first())
            let waiting = try #require(try await CampaignAction.query(on: app.db).filter(\.$campaign.$id == running.id!)
                .filter(\.$reachRecordedAt == nil).filter(\.$heldOn <= TiranaTime.today(at: app.clock.now()).description).first()?.id)
            let communications: Set<Who> = [.administrator, .programmeManager, .communicationsOfficer]
            let personA = try #require(try await CsoPerson.query(on: app.db).filter(\.$organisation.$id == a).first()?.id, "the demo's people of A")

            let cases: [Case] = [
                Case(method: .GET, path: "/campaigns/\(running.id!)", fields: [], allowed: communications, note: "a campaign"),
                Case(method: .GET, path: "/campaigns/\(running.id!)/actions/\(waiting)", fields: [], allowed: communications, note: "one of its actions"),
                Case(method: .POST, path: "/campaigns/\(running.id!)/actions/\(waiting)/reach", fields: [("female", "12")], allowed: communications,
                     note: "record its reach"),
                Case(method: .GET, path: "/capacity/assessments/\(assessmentA)", fields: [], allowed: Self.staff.union([.csoUser]), note: "A's self-assessment"),
                Case(method: .GET, path: "/capacity/assessments/\(assessmentB)", fields: [], allowed: Self.staff.union([.csoUserB]), note: "B's self-assessment"),
                Case(method: .POST, path: "/capacity/assessments/\(assessmentB)", fields: [("intent", "save")], allowed: [.csoUserB], note: "save B's draft"),
                Case(method: .POST, path: "/capacity/assessments/\(assessmentB)/autosave", fields: [], allowed: [.csoUserB], note: "autosave B's draft"),
                Case(method: .GET, path: "/organisations/\(a)/capacity", fields: [], allowed: Self.staff.union([.csoUser]), note: "A's capacity page"),
                Case(method: .GET, path: "/organisations/\(b)/capacity", fields: [], allowed: Self.staff.union([.csoUserB]), note: "B's capacity page"),
                Case(method: .GET, path: "/events/\(closedEvent)", fields: [], allowed: Self.staff.union([.csoUser, .csoUserB, .trainer]), note: "an event"),
                Case(method: .GET, path: "/events/\(closedEvent)/sessions/1", fields: [], allowed: Self.staff.union([.trainer]), note: "its attendance"),
                Case(method: .GET, path: "/events/\(closedEvent)/certificates/\(certified.id!)", fields: [],
                     allowed: Self.staff.union([.trainer]).union(certificateOwner), note: "a certificate: its CSO, the trainers, staff"),
                Case(method: .GET, path: "/events/\(comingEvent)/edit", fields: [], allowed: Self.staff, note: "edit an event"),
                // B's user cannot register A's person (not found); A's can, and staff (a second time: 409, still past the policy).
                Case(method: .POST, path: "/events/\(comingEvent)/registrations", fields: [("people[]", personA.uuidString)],
                     allowed: Self.staff.union([.csoUser]), note: "register A's person"),
                Case(method: .GET, path: "/organisations/\(a)/people", fields: [], allowed: Self.staff.union([.csoUser]), note: "A's people"),
                Case(method: .GET, path: "/organisations/\(b)/people", fields: [], allowed: Self.staff.union([.csoUserB]), note: "B's people"),
                Case(method: .GET, path: "/organisations/\(a)/people/\(personA)", fields: [], allowed: Self.staff.union([.csoUser]), note: "one of A's people"),
                // One of A's people asked for under B's path: not found for everyone, B's own users included.
                Case(method: .GET, path: "/organisations/\(b)/people/\(personA)", fields: [], allowed: [], note: "A's person through B"),
                Case(method: .POST, path: "/organisations/\(a)/capacity/actions", fields: [("domain", "finance")], allowed: Self.staff.union([.csoUser]),
                     note: "add to A's plan"),
                // Confirming is A's alone (it is reviewed): last of A's cases, as it ends the review.
                Case(method: .POST, path: "/capacity/assessments/\(assessmentA)/confirm", fields: [], allowed: [.csoUser], note: "confirm A's"),
                Case(method: .GET, path: "/contracts/\(signed.id!)", fields: [], allowed: portfolio.union(grantee(signed)), note: "a signed contract"),
                Case(method: .GET, path: "/contracts/\(signed.id!)/print", fields: [], allowed: portfolio.union(grantee(signed)), note: "its print"),
                Case(method: .GET, path: "/contracts/\(visited.$contract.id)/visits/\(visited.number)", fields: [],
                     allowed: portfolio.union(grantee(try #require(try await GrantContract.find(visited.$contract.id, on: app.db)))), note: "a monitoring visit"),
                Case(method: .GET, path: "/contracts/\(signed.id!)/amendments/new", fields: [], allowed: Self.grantsSide.union(grantee(signed)),
                     note: "ask to amend it: the grants side and its own grantee"),
                Case(method: .GET, path: "/contracts/\(draft.id!)", fields: [],
                     allowed: portfolio.union(draft.status == .draft ? [] : grantee(draft)), note: "a draft contract: not yet the grantee's"),
                Case(method: .GET, path: "/grants/applications/\(award.id!)/contract", fields: [], allowed: Self.grantsSide, note: "prepare an award's contract"),
                Case(method: .GET, path: "/organisations/\(a)", fields: [], allowed: Self.staff.union([.csoUser, .caseWorker, .clubFacilitator]), note: "own organisation A"),
                Case(method: .GET, path: "/organisations/\(b)", fields: [], allowed: Self.staff.union([.csoUserB, .caseWorkerB]), note: "organisation B"),
                Case(method: .GET, path: "/organisations/\(a)/edit", fields: [], allowed: Self.staff.union([.csoUser]), note: "edit A"),
                Case(method: .GET, path: "/organisations/\(b)/edit", fields: [], allowed: Self.staff.union([.csoUserB]), note: "edit B"),
                Case(method: .POST, path: "/organisations/\(a)", fields: [("phone", "+355 69 000 0001")], allowed: Self.staff.union([.csoUser]), note: "save A"),
                Case(method: .POST, path: "/organisations/\(b)", fields: [("phone", "+355 69 000 0002")], allowed: Self.staff.union([.csoUserB]), note: "save B"),
                Case(method: .GET, path: "/applications/\(appA)", fields: [], allowed: [.csoUser], note: "A's application, CSO side"),
                Case(method: .GET, path: "/applications/\(appB)", fields: [], allowed: [.csoUserB], note: "B's application, CSO side"),
                Case(method: .GET, path: "/applications/\(appA)/receipt", fields: [], allowed: [.csoUser], note: "A's receipt"),
                Case(method: .GET, path: "/grants/applications/\(appA)", fields: [], allowed: Self.grantsSide, note: "A's submitted application, grants side"),
                Case(method: .GET, path: "/grants/applications/\(appB)", fields: [], allowed: Self.grantsSide, note: "B's submitted application, grants side"),
                Case(method: .GET, path: "/survivors/\(survivorA)", fields: [], allowed: [.caseWorker], note: "A's survivor"),
                Case(method: .GET, path: "/survivors/\(survivorB)", fields: [], allowed: [.caseWorkerB], note: "B's survivor"),
                Case(method: .POST, path: "/survivors/\(survivorA)/notes", fields: [("note", "Shënim")], allowed: [.caseWorker], note: "note on A's survivor"),
                Case(method: .POST, path: "/survivors/\(survivorB)/notes", fields: [("note", "Shënim")], allowed: [.caseWorkerB], note: "note on B's survivor"),
                Case(method: .GET, path: "/referrals/\(referral)", fields: [], allowed: [.caseWorker, .caseWorkerB], note: "referral A → B"),
                Case(method: .GET, path: "/club/sessions/\(session)", fields: [], allowed: [.caseWorker, .clubFacilitator], note: "A's Club session"),
                Case(method: .POST, path: "/club/sessions/\(session)/attendance", fields: [], allowed: [.caseWorker, .clubFacilitator], note: "attendance"),
                Case(method: .POST, path: "/survivors/\(survivorA)/reveal", fields: [], allowed: [.caseWorker], note: "reveal A's survivor"),
                Case(method: .POST, path: "/club/sessions/\(session)/members", fields: [], allowed: [.caseWorker], note: "invite to A's session"),
                Case(method: .GET, path: "/evaluation/\(ownAssignment)", fields: [], allowed: [.evaluator], note: "the evaluator's own assignment"),
                Case(method: .GET, path: "/evaluation/\(otherAssignment)", fields: [], allowed: [], note: "another evaluator's assignment"),
                Case(method: .POST, path: "/evaluation/\(ownAssignment)", fields: [("intent", "save")], allowed: [.evaluator], note: "score own assignment"),
                Case(method: .POST, path: "/evaluation/\(otherAssignment)/declaration", fields: [("answer", "impartial")], allowed: [],
                     note: "sign another's declaration"),
                Case(method: .GET, path: "/grants/calls/\(decidedCall)/applications", fields: [], allowed: Self.grantsSide, note: "the call's applications"),
                Case(method: .GET, path: "/grants/calls/\(decidedCall)/ranking/full", fields: [], allowed: Self.grantsSide.union([.programmeManager]),
                     note: "the ranking: grants side and the chair"),
                Case(method: .POST, path: "/grants/applications/\(appB)/checks/administrative", fields: [], allowed: Self.grantsSide,
                     note: "check B's application"),
                // Only the chair approves a ranking (already approved: the chair gets past the policy to a 409).
                Case(method: .POST, path: "/grants/calls/\(decidedCall)/ranking/full/approve", fields: [], allowed: [.programmeManager],
                     note: "approve the ranking"),
                // A referral is answered by the receiver (B) and revoked by the sender (A); revocation last, as it ends the referral.
                Case(method: .POST, path: "/referrals/\(referral)/accepted", fields: [], allowed: [.caseWorkerB], note: "accept the referral"),
                Case(method: .POST, path: "/referrals/\(referral)/revoked", fields: [], allowed: [.caseWorker], note: "revoke the referral"),
            ]

            var mismatches: [String] = []
            for testCase in cases {
                for who in Who.allCases {
                    var headers = HTTPHeaders()
                    let token = try #require(sessions[who])
                    headers.add(name: .cookie, value: "\(SessionMiddleware.cookieName)=\(token)")
                    var body: ByteBuffer?
                    if testCase.method == .POST {
                        let csrf = HMAC<SHA256>.authenticationCode(for: Data(token.utf8), using: app.services.csrfKey.key).hexString
                        let fields = testCase.fields + [(CSRFMiddleware.fieldName, csrf)]
                        body = ByteBuffer(string: fields.map { "\(Browser.escape($0.0))=\(Browser.escape($0.1))" }.joined(separator: "&"))
                        headers.add(name: .contentType, value: "application/x-www-form-urlencoded")
                    }
                    let response = try await app.testing().sendRequest(testCase.method, testCase.path, headers: headers, body: body)
                    let refused = response.status == .forbidden || response.status == .notFound
                    let reached = testCase.method == .GET ? response.status == .ok : !refused && response.status.code < 500
                    let expected = testCase.allowed.contains(who)
                    if expected ? !reached : !refused {
                        mismatches.append("\(who) \(testCase.method) \(testCase.note): \(response.status.code), expected \(expected ? "reached" : "refused")")
                    }
                }
            }
            #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
        }
    }
}
