import Foundation

/// Everything a person can ask to do. Each route names exactly one action.
public enum Action: String, CaseIterable, Sendable {
    /// Public pages: the programme site, sign-in, setup, invitations, the disclaimer.
    case viewPublic
    /// Any signed-in user: the home page, own account, two-factor settings, sign-out.
    case useOwnAccount
    case manageUsers
    case viewAuditTrail
    case viewMailOutbox
    /// See when the server last backed itself up, and the backups it keeps.
    case viewBackups
    case manageSettings
    case manageRegions
    case viewOrganisationRegistry
    case createOrganisation
    case viewOrganisation
    case editOrganisation
    /// The fields the registry vouches for (names, NUIS, legal form, status): programme staff
    /// only; the organisation edits its contacts, description, bank details and counts.
    case editOrganisationRegistry
    case viewOrganisationBankDetails
    /// Check an organisation's request for an account against the registry, approve or refuse
    /// it: the grants side, which knows the applicants.
    case reviewAccountRequests
    /// Draft, edit and publish calls for proposals; answer applicants' questions.
    case manageCalls
    /// Ask a question about a published call, as a CSO that may apply.
    case askCallQuestion
    /// Start and work on applications to open calls, as a CSO user.
    case applyForGrants
    /// Read one CSO's application on the CSO's pages: only its own users.
    case viewApplication
    /// Read a submitted application on the grants side's pages: administrators and grants
    /// officers, unless they vote in its call's committee.
    case reviewApplication
    /// Change or submit one CSO's application: only its own users.
    case editApplication
    /// See one's own evaluation assignments, as an evaluator.
    case evaluate
    /// Sign (or refuse with a conflict) the declaration of impartiality for one assignment.
    case signDeclaration
    /// Read and score an application: only its evaluator, only after signing the declaration.
    case scoreApplication
    /// See a call's ranking: the grants side, and the committee's chair.
    case viewRanking
    /// Approve a ranking: only the committee's chair.
    case approveRanking
    /// Aggregate figures of the grant scheme, never one application's content.
    case viewGrantFigures
    /// The portfolio of grant contracts: the grants side, finance and programme management.
    case viewContracts
    /// One contract's page: the same people, and the grantee's CSO users once it is sent.
    case viewContract
    /// Generate a contract from an award, correct it, send it, record its signatures, suspend,
    /// terminate and close it; check payment requests; review reports; plan visits: the grants side.
    case manageContract
    /// Approve a checked payment request and record it paid: the finance officer alone.
    case approvePayment
    /// A CSO's own grants and what they must do next, as a CSO user.
    case viewOwnGrants
    /// Ask for a tranche of one's own contract, or send a returned request again: the grantee's CSO users.
    case requestPayment
    /// Write, document and submit one's own contract's reports: the grantee's CSO users.
    case reportOnGrant
    /// Ask for an amendment of a running contract (end date, budget, activities): the grants
    /// side, and the grantee's CSO users for their own.
    case requestAmendment
    /// Mark a monitoring visit's follow-up action done: the grants side, and the grantee's CSO
    /// users for the actions asked of the grantee (the owner is checked on the action).
    case closeFollowUp
    /// Send a payment request back to the grantee with reasons: the grants side while checking,
    /// the finance officer while approving.
    case returnPayment
    /// One's caseload of survivors, as a case worker.
    case viewCaseload
    /// Record a new survivor at intake, for one's own organisation.
    case registerSurvivor
    /// Read a survivor's pseudonymous record (code and statistical attributes).
    case viewSurvivor
    /// Show a survivor's identity fields and case notes: an explicit, audited action.
    case revealSurvivorIdentity
    /// Write case notes and the plan's words: case data, so it needs what reading it needs.
    case writeCaseNotes
    /// Change a survivor's record: consents, needs, plan, referrals, employment, closure, erasure.
    case manageSurvivor
    /// Referrals sent and received, as a case worker.
    case viewReferrals
    /// Read one referral's card (code, service, status): both organisations.
    case readReferral
    /// Read the identity fields a referral shares: the receiver, while it is open and consented.
    case readReferredData
    /// Accept, decline or complete a referral: the receiver.
    case answerReferral
    /// Revoke a referral: the sender.
    case revokeReferral
    /// The Social Cause Club's pages: case workers and facilitators.
    case runClub
    /// Plan sessions and manage memberships: an organisation's case workers.
    case manageClub
    /// A session's list and attendance: its facilitator, and the organisation's case workers.
    case takeAttendance
    /// Counts of survivors who consented to statistics, small cells suppressed: programme
    /// management and donors; no record, no identity.
    case viewSurvivorStatistics
    /// How many records of different organisations the intake matched to one person: a
    /// count only, for programme management (never which records, never to the organisations).
    case viewSurvivorMatchCount
    /// Capacity assessment pages: programme staff, and CSO users for their own organisation.
    case viewCapacity
    /// Instruments and rounds of capacity assessment, the needs map: programme staff.
    case manageCapacity
    /// Fill, submit and confirm one's own organisation's self-assessment: its CSO users.
    case fillSelfAssessment
    /// Review a submitted self-assessment as its facilitator, changing an answer only with a
    /// reason the CSO sees: programme staff.
    case facilitateAssessment
    /// Keep a CSO's list of people (members trainings are for) and its capacity action plan:
    /// programme staff, and the CSO's own users.
    case manageCsoPeople
    case planCapacity
    /// The events list: staff, trainers (their own events) and CSO users (to register).
    case viewEvents
    /// Create and edit capacity-building events, close them: programme staff.
    case manageEvents
    /// One event's page: staff, its trainers, and CSO users.
    case viewEvent
    /// Sessions' attendance, the signed sheets, materials: staff and the event's trainers.
    case runEvent
    /// Register people for an event, or cancel a registration: staff (anyone), CSO users (their
    /// own organisation's people, checked on the person).
    case registerForEvent
    /// Campaigns, their actions, reach, media mentions and evidence, and the public site's news
    /// articles (written, reviewed by a second person, published): communications officers,
    /// programme managers and administrators.
    case viewCampaigns
    case manageCampaigns
    /// Monitoring: the logframe, the dashboard of indicators and the donor reports, read by
    /// programme managers, administrators and donors (aggregates only, every count of people
    /// suppressed below the donor threshold; donors read only submitted reports).
    case viewMonitoring
    /// Build the logframe's draft versions, approve them, make and submit donor reports:
    /// programme managers and administrators.
    case manageLogframe
    /// Enter a value for a manual indicator: programme managers and administrators.
    case enterIndicatorValue
    /// Approve or give back a value entered by hand: a programme manager or administrator
    /// other than the person who entered it.
    case reviewIndicatorValue
}

/// What an action is about, when it is about one record.
public enum Resource: Sendable, Equatable {
    case none
    case organisation(UUID)
    /// One grant application: whose it is, whether it is submitted, its call's committee.
    case application(ApplicationAccess)
    /// One evaluation assignment: whose it is and whether its declaration is signed.
    case assignment(evaluator: UUID, declared: Bool)
    /// A call's evaluation committee: its ranking, and the list of its applications.
    case committee(CommitteeAccess)
    /// One survivor record: whose it is and what its consents allow now.
    case survivor(SurvivorAccess)
    /// One referral: between which organisations, in what state.
    case referral(ReferralAccess)
    /// One Club session: whose it is and who facilitates it.
    case clubSession(organisation: UUID, facilitator: UUID)
    /// One grant contract: whose it is, in what state.
    case contract(ContractAccess)
    /// One organisation's self-assessment in a round of capacity assessment.
    case selfAssessment(organisation: UUID)
    /// One capacity-building event, and who trains in it.
    case capacityEvent(trainers: Set<UUID>)
    /// One awareness campaign: programme-wide, the same to everyone allowed campaigns at all.
    case campaign
    /// One news article of the public site, whatever its state.
    case article
    /// One publication of the public library, withdrawn or not.
    case publication
    /// One version of the logframe: programme-wide.
    case logframe
    /// One value entered by hand for a manual indicator, and who entered it.
    case indicatorValue(enteredBy: UUID)
    /// One donor report, and whether it has been submitted.
    case donorReport(submitted: Bool)
}

public enum Decision: Sendable, Equatable {
    case allow
    case deny

    public var isAllowed: Bool { self == .allow }
}

/// The one place that decides who may do what. Anything not granted here is refused.
public enum Policy {
    public static func decide(_ actor: Actor, _ action: Action, _ resource: Resource = .none) -> Decision {
        allows(actor, action, resource) ? .allow : .deny
    }

    private static func allows(_ actor: Actor, _ action: Action, _ resource: Resource) -> Bool {
        if action == .viewPublic { return true }
        guard actor.isSignedIn else { return false }

        // A `.none` resource is a route's gate: who may do this to some record at all. The
        // record itself, once the route has loaded it, is decided by the case below it.
        switch (action, resource) {
        case (.useOwnAccount, .none):
            return true
        case (.manageUsers, .none), (.viewAuditTrail, .none), (.viewMailOutbox, .none),
             (.viewBackups, .none), (.manageSettings, .none), (.manageRegions, .none):
            return actor.has(.administrator)
        case (.viewOrganisationRegistry, .none), (.createOrganisation, .none):
            return actor.isProgrammeStaff
        case (.viewOrganisation, .organisation(let id)):
            return actor.isProgrammeStaff || actor.isMember(of: id)
        case (.editOrganisation, .organisation(let id)):
            return actor.isProgrammeStaff || actor.has(.csoUser, in: id)
        case (.editOrganisationRegistry, .organisation):
            return actor.isProgrammeStaff
        case (.reviewAccountRequests, .none):
            return isGrantsSide(actor)
        case (.viewOrganisationBankDetails, .organisation(let id)):
            // Bank details serve grant payments: the grants side and the organisation itself.
            return actor.has(.administrator) || actor.has(.grantsOfficer) || actor.has(.financeOfficer) || actor.has(.csoUser, in: id)

        // Grants: calls, applications, evaluation.
        case (.manageCalls, .none), (.reviewApplication, .none):
            return isGrantsSide(actor)
        case (.manageCalls, .application(let application)), (.reviewApplication, .application(let application)):
            // Drafts belong to the CSO until submitted.
            return isGrantsSide(actor) && application.isSubmitted && !votes(actor, in: application.committee)
        case (.reviewApplication, .committee(let committee)):
            return isGrantsSide(actor) && !votes(actor, in: committee)
        case (.askCallQuestion, .none), (.applyForGrants, .none), (.viewApplication, .none), (.editApplication, .none):
            return actor.has(.csoUser)
        case (.viewApplication, .application(let application)), (.editApplication, .application(let application)):
            return actor.has(.csoUser, in: application.organisationID)
        case (.editApplication, .organisation(let id)):
            // Starting one: the organisation is named by the form.
            return actor.has(.csoUser, in: id)
        case (.evaluate, .none), (.signDeclaration, .none), (.scoreApplication, .none):
            return actor.has(.evaluator)
        case (.evaluate, .assignment(let evaluator, _)), (.signDeclaration, .assignment(let evaluator, _)):
            return actor.has(.evaluator) && actor.userID == evaluator
        case (.scoreApplication, .assignment(let evaluator, let declared)):
            // Nothing of an application, not even its title, before the declaration.
            return actor.has(.evaluator) && actor.userID == evaluator && declared
        case (.viewRanking, .none), (.approveRanking, .none):
            return actor.isProgrammeStaff || actor.has(.evaluator)
        case (.viewRanking, .committee(let committee)):
            return isGrantsSide(actor) || chairs(actor, committee)
        case (.approveRanking, .committee(let committee)):
            return chairs(actor, committee)
        case (.viewGrantFigures, .none):
            return actor.isProgrammeStaff || actor.has(.donorViewer)

        // Grant contracts: the award's implementation, its money and reports.
        case (.viewContracts, .none):
            return isGrantsSide(actor) || actor.has(.financeOfficer) || actor.has(.programmeManager)
        case (.viewContract, .none):
            return isGrantsSide(actor) || actor.has(.financeOfficer) || actor.has(.programmeManager) || actor.has(.csoUser)
        case (.viewContract, .contract(let contract)):
            // A draft is the programme's working copy until it is sent for signature.
            return isGrantsSide(actor) || actor.has(.financeOfficer) || actor.has(.programmeManager)
                || (actor.has(.csoUser, in: contract.organisationID) && contract.status != .draft)
        case (.manageContract, .none):
            return isGrantsSide(actor)
        case (.manageContract, .contract):
            return isGrantsSide(actor)
        case (.manageContract, .application(let application)):
            // Generating the contract of an award.
            return isGrantsSide(actor) && application.isSubmitted
        case (.approvePayment, .none), (.approvePayment, .contract):
            return actor.has(.financeOfficer)
        case (.viewOwnGrants, .none), (.requestPayment, .none), (.reportOnGrant, .none):
            return actor.has(.csoUser)
        case (.requestPayment, .contract(let contract)), (.reportOnGrant, .contract(let contract)):
            return actor.has(.csoUser, in: contract.organisationID)
        case (.requestAmendment, .none), (.closeFollowUp, .none):
            return isGrantsSide(actor) || actor.has(.csoUser)
        case (.requestAmendment, .contract(let contract)), (.closeFollowUp, .contract(let contract)):
            return isGrantsSide(actor) || actor.has(.csoUser, in: contract.organisationID)
        case (.returnPayment, .none), (.returnPayment, .contract):
            return isGrantsSide(actor) || actor.has(.financeOfficer)

        // Survivors: records, referrals, the Club.
        case (.viewCaseload, .none), (.registerSurvivor, .none), (.viewSurvivor, .none),
             (.revealSurvivorIdentity, .none), (.writeCaseNotes, .none), (.manageSurvivor, .none):
            return actor.has(.caseWorker)
        case (.registerSurvivor, .organisation(let id)):
            return actor.has(.caseWorker, in: id)
        case (.viewSurvivor, .survivor(let record)), (.manageSurvivor, .survivor(let record)):
            // Only the holding organisation's case workers: programme staff, donors and
            // administrators never see a survivor record, whatever else they may see.
            return actor.has(.caseWorker, in: record.organisationID)
        case (.revealSurvivorIdentity, .survivor(let record)), (.writeCaseNotes, .survivor(let record)):
            // Consent is checked on every read and write: without consent to services, nothing personal.
            return actor.has(.caseWorker, in: record.organisationID) && record.activeConsents.contains(.services)
                && !record.identityDestroyed
        case (.viewReferrals, .none), (.readReferral, .none), (.readReferredData, .none), (.answerReferral, .none),
             (.revokeReferral, .none), (.manageClub, .none):
            return actor.has(.caseWorker)
        case (.readReferral, .referral(let referral)):
            return actor.has(.caseWorker, in: referral.to) || actor.has(.caseWorker, in: referral.from)
        case (.readReferredData, .referral(let referral)):
            // Only what the referral's consent covers, only while both it and the referral last.
            return actor.has(.caseWorker, in: referral.to) && referral.sharesData
        case (.answerReferral, .referral(let referral)):
            return actor.has(.caseWorker, in: referral.to)
        case (.revokeReferral, .referral(let referral)):
            return actor.has(.caseWorker, in: referral.from)
        case (.runClub, .none), (.takeAttendance, .none):
            return actor.has(.caseWorker) || actor.has(.clubFacilitator)
        case (.manageClub, .organisation(let id)), (.manageClub, .clubSession(let id, _)):
            return actor.has(.caseWorker, in: id)
        case (.takeAttendance, .clubSession(let organisation, let facilitator)):
            return actor.has(.caseWorker, in: organisation) || (actor.has(.clubFacilitator, in: organisation) && actor.userID == facilitator)
        case (.viewSurvivorStatistics, .none):
            return actor.has(.administrator) || actor.has(.programmeManager) || actor.has(.donorViewer)
        case (.viewSurvivorMatchCount, .none):
            return actor.has(.administrator) || actor.has(.programmeManager)

        // Capacity building: assessments of CSOs' capacity.
        case (.viewCapacity, .none):
            return actor.isProgrammeStaff || actor.has(.csoUser)
        case (.fillSelfAssessment, .none):
            return actor.has(.csoUser)
        case (.viewCapacity, .organisation(let id)), (.viewCapacity, .selfAssessment(let id)):
            return actor.isProgrammeStaff || actor.has(.csoUser, in: id)
        case (.fillSelfAssessment, .selfAssessment(let id)):
            return actor.has(.csoUser, in: id)
        case (.manageCsoPeople, .none), (.planCapacity, .none):
            return actor.isProgrammeStaff || actor.has(.csoUser)
        case (.manageCsoPeople, .organisation(let id)), (.planCapacity, .organisation(let id)):
            return actor.isProgrammeStaff || actor.has(.csoUser, in: id)
        case (.viewEvents, .none), (.viewEvent, .none):
            return actor.isProgrammeStaff || actor.has(.trainer) || actor.has(.csoUser)
        case (.manageEvents, .none), (.manageEvents, .capacityEvent):
            return actor.isProgrammeStaff
        case (.viewEvent, .capacityEvent(let trainers)):
            return actor.isProgrammeStaff || actor.has(.csoUser) || trains(actor, trainers)
        case (.runEvent, .none):
            return actor.isProgrammeStaff || actor.has(.trainer)
        case (.runEvent, .capacityEvent(let trainers)):
            return actor.isProgrammeStaff || trains(actor, trainers)
        case (.registerForEvent, .none), (.registerForEvent, .capacityEvent):
            return actor.isProgrammeStaff || actor.has(.csoUser)
        case (.manageCapacity, .none), (.facilitateAssessment, .none), (.facilitateAssessment, .selfAssessment):
            return actor.isProgrammeStaff

        // Visibility: campaigns and the public site's content.
        case (.viewCampaigns, .none), (.viewCampaigns, .campaign), (.manageCampaigns, .none), (.manageCampaigns, .campaign),
             (.viewCampaigns, .article), (.manageCampaigns, .article), (.viewCampaigns, .publication), (.manageCampaigns, .publication):
            return actor.has(.administrator) || actor.has(.programmeManager) || actor.has(.communicationsOfficer)

        // Monitoring, evaluation and reporting.
        case (.viewMonitoring, .none), (.viewMonitoring, .logframe):
            return runsMonitoring(actor) || actor.has(.donorViewer)
        case (.viewMonitoring, .donorReport(let submitted)):
            return runsMonitoring(actor) || (actor.has(.donorViewer) && submitted)
        case (.manageLogframe, .none), (.manageLogframe, .logframe), (.manageLogframe, .donorReport),
             (.enterIndicatorValue, .none), (.reviewIndicatorValue, .none):
            return runsMonitoring(actor)
        case (.enterIndicatorValue, .indicatorValue):
            return runsMonitoring(actor)
        case (.reviewIndicatorValue, .indicatorValue(let enteredBy)):
            return runsMonitoring(actor) && actor.userID != enteredBy
        default:
            return false
        }
    }

    /// Those who keep the logframe and answer to the donor for its figures.
    private static func runsMonitoring(_ actor: Actor) -> Bool {
        actor.has(.administrator) || actor.has(.programmeManager)
    }

    /// The side of the programme that runs calls and reads submitted applications.
    private static func isGrantsSide(_ actor: Actor) -> Bool {
        actor.has(.administrator) || actor.has(.grantsOfficer)
    }

    private static func trains(_ actor: Actor, _ trainers: Set<UUID>) -> Bool {
        actor.has(.trainer) && actor.userID.map(trainers.contains) ?? false
    }

    private static func votes(_ actor: Actor, in committee: CommitteeAccess) -> Bool {
        actor.userID.map(committee.voters.contains) ?? false
    }

    private static func chairs(_ actor: Actor, _ committee: CommitteeAccess) -> Bool {
        committee.chair != nil && actor.userID == committee.chair
    }
}
