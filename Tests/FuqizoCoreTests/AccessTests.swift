import Foundation
@testable import FuqizoCore
import Testing

@Suite("Policy")
struct PolicyTests {
    let orgA = UUID(), orgB = UUID()

    func actor(_ grants: RoleGrant...) -> Actor { Actor(userID: UUID(), grants: Set(grants)) }

    @Test("anonymous visitors get public pages only")
    func anonymous() {
        for action in Action.allCases where action != .viewPublic {
            #expect(Policy.decide(.anonymous, action, .organisation(orgA)) == .deny)
            #expect(Policy.decide(.anonymous, action) == .deny)
        }
        #expect(Policy.decide(.anonymous, .viewPublic) == .allow)
    }

    @Test("a CSO user sees and edits their organisation only, without the registry")
    func csoUser() {
        let user = actor(RoleGrant(role: .csoUser, organisationID: orgA))
        #expect(Policy.decide(user, .viewOrganisation, .organisation(orgA)) == .allow)
        #expect(Policy.decide(user, .editOrganisation, .organisation(orgA)) == .allow)
        #expect(Policy.decide(user, .viewOrganisationBankDetails, .organisation(orgA)) == .allow)
        #expect(Policy.decide(user, .viewOrganisation, .organisation(orgB)) == .deny)
        #expect(Policy.decide(user, .viewOrganisationRegistry) == .deny)
        #expect(Policy.decide(user, .askCallQuestion) == .allow)
        #expect(Policy.decide(user, .manageCalls) == .deny)
        #expect(Policy.decide(actor(RoleGrant(role: .grantsOfficer)), .manageCalls) == .allow)
        #expect(Policy.decide(actor(RoleGrant(role: .programmeManager)), .manageCalls) == .deny)
    }

    @Test("case workers view their organisation but do not edit it; donors see no registry")
    func otherRoles() {
        let caseWorker = actor(RoleGrant(role: .caseWorker, organisationID: orgA))
        #expect(Policy.decide(caseWorker, .viewOrganisation, .organisation(orgA)) == .allow)
        #expect(Policy.decide(caseWorker, .editOrganisation, .organisation(orgA)) == .deny)
        #expect(Policy.decide(caseWorker, .viewOrganisationBankDetails, .organisation(orgA)) == .deny)
        let donor = actor(RoleGrant(role: .donorViewer))
        #expect(Policy.decide(donor, .viewOrganisationRegistry) == .deny)
        let manager = actor(RoleGrant(role: .programmeManager))
        #expect(Policy.decide(manager, .editOrganisation, .organisation(orgB)) == .allow)
        #expect(Policy.decide(manager, .viewOrganisationBankDetails, .organisation(orgB)) == .deny)
        #expect(Policy.decide(manager, .manageUsers) == .deny)
    }

    @Test("an action on the wrong kind of resource is refused, even to an administrator")
    func mismatchedResource() {
        let admin = actor(RoleGrant(role: .administrator))
        #expect(Policy.decide(admin, .manageUsers) == .allow)
        #expect(Policy.decide(admin, .manageUsers, .organisation(orgA)) == .deny)
        #expect(Policy.decide(admin, .viewOrganisation) == .deny)
    }

    @Test("an application: its CSO always; the grants side once submitted, unless voting on its call")
    func applicationRecords() {
        let officer = actor(RoleGrant(role: .grantsOfficer))
        let voter = Actor(userID: UUID(), grants: [RoleGrant(role: .grantsOfficer), RoleGrant(role: .evaluator)])
        let committee = CommitteeAccess(chair: nil, voters: [voter.userID!])
        let draft = Resource.application(ApplicationAccess(organisationID: orgA, isSubmitted: false, committee: committee))
        let submitted = Resource.application(ApplicationAccess(organisationID: orgA, isSubmitted: true, committee: committee))
        let cso = actor(RoleGrant(role: .csoUser, organisationID: orgA))
        let otherCSO = actor(RoleGrant(role: .csoUser, organisationID: orgB))
        for record in [draft, submitted] {
            #expect(Policy.decide(cso, .viewApplication, record) == .allow)
            #expect(Policy.decide(cso, .editApplication, record) == .allow)
            #expect(Policy.decide(otherCSO, .viewApplication, record) == .deny)
            #expect(Policy.decide(cso, .reviewApplication, record) == .deny)
            #expect(Policy.decide(officer, .viewApplication, record) == .deny, "the CSO's pages are the CSO's")
        }
        #expect(Policy.decide(officer, .reviewApplication, draft) == .deny, "a draft belongs to the CSO")
        #expect(Policy.decide(officer, .reviewApplication, submitted) == .allow)
        #expect(Policy.decide(officer, .manageCalls, submitted) == .allow)
        #expect(Policy.decide(voter, .reviewApplication, submitted) == .deny, "a voter reads it only through an assignment")
        #expect(Policy.decide(voter, .manageCalls, submitted) == .deny)
        #expect(Policy.decide(voter, .reviewApplication, .committee(committee)) == .deny)
        #expect(Policy.decide(officer, .reviewApplication, .committee(committee)) == .allow)
    }

    @Test("a committee's chair alone approves its ranking; the grants side and the chair read it")
    func committeeRecords() {
        let chair = actor(RoleGrant(role: .programmeManager)), other = actor(RoleGrant(role: .programmeManager))
        let committee = Resource.committee(CommitteeAccess(chair: chair.userID, voters: []))
        #expect(Policy.decide(chair, .approveRanking, committee) == .allow)
        #expect(Policy.decide(other, .approveRanking, committee) == .deny)
        #expect(Policy.decide(other, .viewRanking, committee) == .deny)
        #expect(Policy.decide(actor(RoleGrant(role: .administrator)), .approveRanking, committee) == .deny)
        #expect(Policy.decide(actor(RoleGrant(role: .grantsOfficer)), .viewRanking, committee) == .allow)
        #expect(Policy.decide(chair, .approveRanking, .committee(CommitteeAccess(chair: nil, voters: []))) == .deny)
    }

    @Test("case notes are written only with consent to services; a session is managed by its organisation's case workers")
    func survivorRecords() {
        let caseWorker = actor(RoleGrant(role: .caseWorker, organisationID: orgA))
        let consented = Resource.survivor(SurvivorAccess(organisationID: orgA, activeConsents: [.services], identityDestroyed: false))
        let withdrawn = Resource.survivor(SurvivorAccess(organisationID: orgA, activeConsents: [.statistics], identityDestroyed: false))
        #expect(Policy.decide(caseWorker, .writeCaseNotes, consented) == .allow)
        #expect(Policy.decide(caseWorker, .writeCaseNotes, withdrawn) == .deny)
        #expect(Policy.decide(caseWorker, .manageSurvivor, withdrawn) == .allow)
        let facilitator = actor(RoleGrant(role: .clubFacilitator, organisationID: orgA))
        let session = Resource.clubSession(organisation: orgA, facilitator: facilitator.userID!)
        #expect(Policy.decide(caseWorker, .manageClub, session) == .allow)
        #expect(Policy.decide(facilitator, .manageClub, session) == .deny)
        #expect(Policy.decide(facilitator, .takeAttendance, session) == .allow)
        #expect(Policy.decide(actor(RoleGrant(role: .caseWorker, organisationID: orgB)), .manageClub, session) == .deny)
    }

    @Test("a CSO fills only its own self-assessment; staff facilitate but never fill one; donors see no assessment")
    func selfAssessments() {
        let own = Resource.selfAssessment(organisation: orgA)
        let cso = actor(RoleGrant(role: .csoUser, organisationID: orgA))
        #expect(Policy.decide(cso, .fillSelfAssessment, own) == .allow)
        #expect(Policy.decide(cso, .viewCapacity, own) == .allow)
        #expect(Policy.decide(cso, .facilitateAssessment, own) == .deny)
        #expect(Policy.decide(cso, .manageCapacity) == .deny)
        let other = actor(RoleGrant(role: .csoUser, organisationID: orgB))
        #expect(Policy.decide(other, .viewCapacity, own) == .deny)
        #expect(Policy.decide(other, .fillSelfAssessment, own) == .deny)
        #expect(Policy.decide(other, .viewCapacity, .organisation(orgA)) == .deny)
        let manager = actor(RoleGrant(role: .programmeManager))
        #expect(Policy.decide(manager, .facilitateAssessment, own) == .allow)
        #expect(Policy.decide(manager, .viewCapacity, .organisation(orgA)) == .allow)
        #expect(Policy.decide(manager, .fillSelfAssessment, own) == .deny)
        #expect(Policy.decide(manager, .manageCapacity) == .allow)
        let caseWorker = actor(RoleGrant(role: .caseWorker, organisationID: orgA))
        #expect(Policy.decide(caseWorker, .viewCapacity, own) == .deny)
        #expect(Policy.decide(actor(RoleGrant(role: .donorViewer)), .viewCapacity) == .deny)
    }

    @Test("two-factor is required for administrators, roles that see survivors, and the finance officer who approves payments")
    func twoFactorRoles() {
        #expect(Set(Role.allCases.filter(\.requiresTwoFactor)) == [.administrator, .caseWorker, .clubFacilitator, .financeOfficer])
        #expect(RoleGrant(role: .administrator, organisationID: orgA).organisationID == nil)
    }

    @Test("monitoring: managers build the logframe and reports; donors read aggregates and submitted reports only; no one approves their own value")
    func monitoring() {
        let manager = actor(RoleGrant(role: .programmeManager))
        let donor = actor(RoleGrant(role: .donorViewer))
        for action in [Action.viewMonitoring, .manageLogframe, .enterIndicatorValue, .reviewIndicatorValue] {
            #expect(Policy.decide(manager, action) == .allow)
        }
        #expect(Policy.decide(donor, .viewMonitoring) == .allow)
        #expect(Policy.decide(donor, .viewMonitoring, .donorReport(submitted: true)) == .allow)
        #expect(Policy.decide(donor, .viewMonitoring, .donorReport(submitted: false)) == .deny, "a draft is not the donor's to read")
        #expect(Policy.decide(donor, .manageLogframe, .logframe) == .deny)
        #expect(Policy.decide(donor, .enterIndicatorValue) == .deny)
        #expect(Policy.decide(manager, .reviewIndicatorValue, .indicatorValue(enteredBy: UUID())) == .allow)
        #expect(Policy.decide(manager, .reviewIndicatorValue, .indicatorValue(enteredBy: manager.userID!)) == .deny)
        for role in [Role.grantsOfficer, .financeOfficer, .csoUser, .caseWorker, .communicationsOfficer, .evaluator, .trainer] {
            #expect(Policy.decide(actor(RoleGrant(role: role, organisationID: role.isOrganisationScoped ? orgA : nil)), .viewMonitoring) == .deny)
        }
    }
}
