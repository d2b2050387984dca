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

    @Test("two-factor is required for administrators and roles that see survivors")
    func twoFactorRoles() {
        #expect(Set(Role.allCases.filter(\.requiresTwoFactor)) == [.administrator, .caseWorker, .clubFacilitator])
        #expect(RoleGrant(role: .administrator, organisationID: orgA).organisationID == nil)
    }
}
