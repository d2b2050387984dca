import Foundation
import FuqizoCore
import Leaf
import LeafKit
import Vapor

/// Every page the site links or redirects to, typed. Links are built from here and nowhere
/// else, so a path is written once; `SiteURLTests` checks every case against the registered
/// routes, so a renamed route without its link fails the suite.
enum SiteURL: Sendable, Equatable {
    case home, disclaimer
    // identity
    case signIn, signInCode, signInEnrol, forgotPassword
    case setup(token: String)
    case account, accountTwoFactor, accountPassword
    // administration
    case users, newUser, user(UUID)
    case regions, region(UUID), settings, auditTrail, auditExport, outbox
    // organisations
    case organisations, newOrganisation, organisation(UUID), editOrganisation(UUID), myOrganisations
    case register, accountRequests, accountRequest(UUID)
    // grants: the officer's calls
    case calls, newCall, call(UUID), editCall(UUID), callGrid(UUID, CallService.GridStage), callDocuments(UUID), callQuestions(UUID), callCommittee(UUID), callLetters(UUID)
    case callApplications(UUID)
    case ranking(call: UUID, stage: ApplicationStage)
    case grantFigures
    // grants: the public and the applicant
    case publicCalls, publicCall(UUID), publicCallDocuments(UUID)
    case applications, application(UUID), applicationReceipt(UUID), applicationAttachments(UUID)
    // grants: the grants side on one application, and the evaluators
    case review(UUID), reviewAttachments(UUID)
    case letter(application: UUID, letter: UUID), applicantLetter(application: UUID, letter: UUID)
    case evaluation, assignment(UUID), assignmentAttachments(UUID)
    // contracts
    case contracts, contract(UUID), contractPrint(UUID), editContract(UUID), awardContract(UUID), myGrants, report(contract: UUID, number: Int), visit(contract: UUID, number: Int),
         contractsExport(Spreadsheet.Format), reportExport(contract: UUID, number: Int, Spreadsheet.Format)
    // survivors
    case survivors, newSurvivor, survivor(code: String)
    case referrals, referral(UUID)
    case club, clubSession(UUID)
    case survivorStatistics
    case capacity, newCapacityRound, capacityRound(UUID), capacityInstrument(UUID), selfAssessment(UUID), organisationCapacity(UUID), needsMap
    case csoPeople(UUID), csoPerson(organisation: UUID, person: UUID)
    case events, newEvent, event(UUID), editEvent(UUID), eventSession(event: UUID, number: Int), attendanceSheet(event: UUID, number: Int), certificate(event: UUID, registration: UUID), eventDocuments(UUID), verifyCertificate
    case questionnaires(UUID), eventTest(event: UUID, phase: LinkPurpose), answerCode, answer(code: String)
    case campaigns, newCampaign, campaign(UUID), editCampaign(UUID), newCampaignAction(UUID), campaignAction(campaign: UUID, action: UUID)
    case articles, newArticle, article(UUID), articleVersion(article: UUID, number: Int)
    case library, publication(UUID)
    // monitoring, evaluation and reporting
    case monitoring, logframe, logframeVersion(UUID), newLogframeEntry(UUID), logframeEntry(UUID), newIndicator(UUID), logframeIndicator(UUID)
    case indicatorValues, donorReports, donorReport(UUID), donorReportExport(UUID, Spreadsheet.Format)
    case openDataSettings
    case backups

    var path: String {
        switch self {
        case .home: "/"
        case .disclaimer: "/about/disclaimer"
        case .signIn: "/sign-in"
        case .signInCode: "/sign-in/code"
        case .signInEnrol: "/sign-in/enrol"
        case .forgotPassword: "/sign-in/forgot"
        case .setup(let token): "/setup/\(token)"
        case .account: "/account"
        case .accountTwoFactor: "/account/two-factor"
        case .accountPassword: "/account/password"
        case .users: "/admin/users"
        case .newUser: "/admin/users/new"
        case .user(let id): "/admin/users/\(id.uuidString)"
        case .regions: "/admin/regions"
        case .region(let id): "/admin/regions/\(id.uuidString)"
        case .settings: "/admin/settings"
        case .auditTrail: "/admin/audit"
        case .auditExport: "/admin/audit/export"
        case .outbox: "/admin/outbox"
        case .organisations: "/organisations"
        case .newOrganisation: "/organisations/new"
        case .register: "/register"
        case .accountRequests: "/organisations/requests"
        case .accountRequest(let id): "/organisations/requests/\(id.uuidString)"
        case .organisation(let id): "/organisations/\(id.uuidString)"
        case .editOrganisation(let id): "/organisations/\(id.uuidString)/edit"
        case .myOrganisations: "/my-organisations"
        case .calls: "/grants/calls"
        case .newCall: "/grants/calls/new"
        case .call(let id): "/grants/calls/\(id.uuidString)"
        case .editCall(let id): "/grants/calls/\(id.uuidString)/edit"
        case .callGrid(let id, let stage): "/grants/calls/\(id.uuidString)/grid/\(stage.rawValue)"
        case .callDocuments(let id): "/grants/calls/\(id.uuidString)/documents"
        case .callQuestions(let id): "/grants/calls/\(id.uuidString)/questions"
        case .callCommittee(let id): "/grants/calls/\(id.uuidString)/committee"
        case .callLetters(let id): "/grants/calls/\(id.uuidString)/letters"
        case .callApplications(let id): "/grants/calls/\(id.uuidString)/applications"
        case .ranking(let call, let stage): "/grants/calls/\(call.uuidString)/ranking/\(stage.rawValue)"
        case .grantFigures: "/grants/figures"
        case .publicCalls: "/calls"
        case .publicCall(let id): "/calls/\(id.uuidString)"
        case .publicCallDocuments(let id): "/calls/\(id.uuidString)/documents"
        case .applications: "/applications"
        case .application(let id): "/applications/\(id.uuidString)"
        case .applicationReceipt(let id): "/applications/\(id.uuidString)/receipt"
        case .applicationAttachments(let id): "/applications/\(id.uuidString)/attachments"
        case .review(let id): "/grants/applications/\(id.uuidString)"
        case .reviewAttachments(let id): "/grants/applications/\(id.uuidString)/attachments"
        case .letter(let application, let letter): "/grants/applications/\(application.uuidString)/letters/\(letter.uuidString)"
        case .applicantLetter(let application, let letter): "/applications/\(application.uuidString)/letters/\(letter.uuidString)"
        case .evaluation: "/evaluation"
        case .assignment(let id): "/evaluation/\(id.uuidString)"
        case .assignmentAttachments(let id): "/evaluation/\(id.uuidString)/attachments"
        case .contracts: "/contracts"
        case .contract(let id): "/contracts/\(id.uuidString)"
        case .contractPrint(let id): "/contracts/\(id.uuidString)/print"
        case .editContract(let id): "/contracts/\(id.uuidString)/edit"
        case .awardContract(let id): "/grants/applications/\(id.uuidString)/contract"
        case .myGrants: "/my-grants"
        case .report(let contract, let number): "/contracts/\(contract.uuidString)/reports/\(number)"
        case .visit(let contract, let number): "/contracts/\(contract.uuidString)/visits/\(number)"
        case .contractsExport(let format): "/contracts/export/\(format.rawValue)"
        case .reportExport(let contract, let number, let format): "/contracts/\(contract.uuidString)/reports/\(number)/export/\(format.rawValue)"
        case .survivors: "/survivors"
        case .newSurvivor: "/survivors/new"
        case .survivor(let code): "/survivors/\(code)"
        case .referrals: "/referrals"
        case .referral(let id): "/referrals/\(id.uuidString)"
        case .club: "/club"
        case .clubSession(let id): "/club/sessions/\(id.uuidString)"
        case .survivorStatistics: "/statistics/survivors"
        case .capacity: "/capacity"
        case .newCapacityRound: "/capacity/rounds/new"
        case .capacityRound(let id): "/capacity/rounds/\(id.uuidString)"
        case .capacityInstrument(let id): "/capacity/instruments/\(id.uuidString)"
        case .selfAssessment(let id): "/capacity/assessments/\(id.uuidString)"
        case .organisationCapacity(let id): "/organisations/\(id.uuidString)/capacity"
        case .needsMap: "/capacity/needs"
        case .events: "/events"
        case .newEvent: "/events/new"
        case .event(let id): "/events/\(id.uuidString)"
        case .editEvent(let id): "/events/\(id.uuidString)/edit"
        case .eventSession(let event, let number): "/events/\(event.uuidString)/sessions/\(number)"
        case .attendanceSheet(let event, let number): "/events/\(event.uuidString)/sessions/\(number)/sheet"
        case .certificate(let event, let registration): "/events/\(event.uuidString)/certificates/\(registration.uuidString)"
        case .eventDocuments(let id): "/events/\(id.uuidString)/documents"
        case .verifyCertificate: "/verify"
        case .questionnaires(let id): "/events/\(id.uuidString)/questionnaires"
        case .eventTest(let event, let phase): "/events/\(event.uuidString)/tests/\(phase.rawValue)"
        case .answerCode: "/answer"
        case .answer(let code): "/answer/\(code)"
        case .campaigns: "/campaigns"
        case .newCampaign: "/campaigns/new"
        case .campaign(let id): "/campaigns/\(id.uuidString)"
        case .editCampaign(let id): "/campaigns/\(id.uuidString)/edit"
        case .newCampaignAction(let id): "/campaigns/\(id.uuidString)/actions/new"
        case .campaignAction(let campaign, let action): "/campaigns/\(campaign.uuidString)/actions/\(action.uuidString)"
        case .articles: "/articles"
        case .newArticle: "/articles/new"
        case .article(let id): "/articles/\(id.uuidString)"
        case .articleVersion(let article, let number): "/articles/\(article.uuidString)/versions/\(number)"
        case .library: "/library"
        case .publication(let id): "/library/\(id.uuidString)"
        case .monitoring: "/monitoring"
        case .openDataSettings: "/admin/settings/open-data"
        case .backups: "/admin/backups"
        case .logframe: "/monitoring/logframe"
        case .logframeVersion(let id): "/monitoring/logframe/\(id.uuidString)"
        case .newLogframeEntry(let id): "/monitoring/logframe/\(id.uuidString)/entries/new"
        case .logframeEntry(let id): "/monitoring/entries/\(id.uuidString)"
        case .newIndicator(let id): "/monitoring/entries/\(id.uuidString)/indicators/new"
        case .logframeIndicator(let id): "/monitoring/indicators/\(id.uuidString)"
        case .indicatorValues: "/monitoring/values"
        case .donorReports: "/monitoring/reports"
        case .donorReport(let id): "/monitoring/reports/\(id.uuidString)"
        case .donorReportExport(let id, let format): "/monitoring/reports/\(id.uuidString)/export/\(format.rawValue)"
        case .csoPeople(let id): "/organisations/\(id.uuidString)/people"
        case .csoPerson(let organisation, let person): "/organisations/\(organisation.uuidString)/people/\(person.uuidString)"
        }
    }

    /// The path with a query: items without a value (or only blanks) are left out, so a
    /// list's filters and page carry over in its links as typed.
    func with(_ items: [(String, String?)]) -> String {
        var components = URLComponents()
        components.path = path
        let kept = items.compactMap { name, value in value.flatMap(Text.clean).map { URLQueryItem(name: name, value: $0) } }
        components.queryItems = kept.isEmpty ? nil : kept
        return components.string ?? path
    }

    /// The pages named without values, and those named by one id (built once: the home page
    /// names thousands of work items).
    private static let plain: [String: SiteURL] = [
        "home": .home, "disclaimer": .disclaimer, "signIn": .signIn, "forgotPassword": .forgotPassword, "account": .account, "accountTwoFactor": .accountTwoFactor,
        "accountPassword": .accountPassword, "users": .users, "newUser": .newUser, "regions": .regions, "settings": .settings,
        "auditTrail": .auditTrail, "outbox": .outbox, "organisations": .organisations, "newOrganisation": .newOrganisation,
        "myOrganisations": .myOrganisations, "register": .register, "accountRequests": .accountRequests, "calls": .calls, "newCall": .newCall, "grantFigures": .grantFigures,
        "publicCalls": .publicCalls, "applications": .applications, "evaluation": .evaluation, "survivors": .survivors,
        "newSurvivor": .newSurvivor, "referrals": .referrals, "contracts": .contracts, "myGrants": .myGrants, "club": .club, "survivorStatistics": .survivorStatistics,
        "capacity": .capacity, "newCapacityRound": .newCapacityRound, "needsMap": .needsMap, "events": .events, "newEvent": .newEvent,
        "verifyCertificate": .verifyCertificate, "answerCode": .answerCode, "campaigns": .campaigns, "newCampaign": .newCampaign,
        "articles": .articles, "newArticle": .newArticle, "library": .library,
        "monitoring": .monitoring, "logframe": .logframe, "indicatorValues": .indicatorValues, "donorReports": .donorReports,
        "openDataSettings": .openDataSettings, "backups": .backups,
    ]
    private static let byID: [String: @Sendable (UUID) -> SiteURL] = [
        "user": SiteURL.user, "accountRequest": SiteURL.accountRequest, "region": SiteURL.region, "organisation": SiteURL.organisation, "editOrganisation": SiteURL.editOrganisation,
        "call": SiteURL.call, "editCall": SiteURL.editCall, "callQuestions": SiteURL.callQuestions, "callCommittee": SiteURL.callCommittee,
        "callLetters": SiteURL.callLetters, "callApplications": SiteURL.callApplications, "publicCall": SiteURL.publicCall,
        "application": SiteURL.application, "applicationReceipt": SiteURL.applicationReceipt, "review": SiteURL.review,
        "assignment": SiteURL.assignment, "referral": SiteURL.referral, "clubSession": SiteURL.clubSession,
        "contract": SiteURL.contract, "contractPrint": SiteURL.contractPrint, "editContract": SiteURL.editContract, "awardContract": SiteURL.awardContract,
        "capacityRound": SiteURL.capacityRound, "capacityInstrument": SiteURL.capacityInstrument, "selfAssessment": SiteURL.selfAssessment,
        "organisationCapacity": SiteURL.organisationCapacity, "csoPeople": SiteURL.csoPeople,
        "event": SiteURL.event, "editEvent": SiteURL.editEvent, "questionnaires": SiteURL.questionnaires,
        "campaign": SiteURL.campaign, "editCampaign": SiteURL.editCampaign, "newCampaignAction": SiteURL.newCampaignAction,
        "article": SiteURL.article, "logframeVersion": SiteURL.logframeVersion, "newLogframeEntry": SiteURL.newLogframeEntry,
        "logframeEntry": SiteURL.logframeEntry, "newIndicator": SiteURL.newIndicator, "logframeIndicator": SiteURL.logframeIndicator,
        "donorReport": SiteURL.donorReport,
    ]

    /// The link a template names: `#url("call", content.id)`. The name is the case's; values
    /// are its ids, codes or stage, as text. Nil when the name or a value does not fit.
    init?(name: String, values: [String]) {
        func id(_ index: Int) -> UUID? { values.indices.contains(index) ? UUID(uuidString: values[index]) : nil }
        func text(_ index: Int) -> String? { values.indices.contains(index) ? values[index] : nil }
        if let url = Self.plain[name], values.isEmpty {
            self = url
        } else if let make = Self.byID[name], values.count == 1, let id = id(0) {
            self = make(id)
        } else if name == "survivor", values.count == 1, let code = text(0), SurvivorCode.isValid(code) {
            self = .survivor(code: code)
        } else if name == "ranking", values.count == 2, let call = id(0), let stage = text(1).flatMap(ApplicationStage.init(rawValue:)) {
            self = .ranking(call: call, stage: stage)
        } else if name == "report", values.count == 2, let contract = id(0), let number = text(1).flatMap({ Bounded.integer($0, in: 1...1_000) }) {
            self = .report(contract: contract, number: number)
        } else if name == "visit", values.count == 2, let contract = id(0), let number = text(1).flatMap({ Bounded.integer($0, in: 1...1_000) }) {
            self = .visit(contract: contract, number: number)
        } else if name == "eventSession", values.count == 2, let event = id(0), let number = text(1).flatMap({ Bounded.integer($0, in: 1...EventForm.maximumSessions) }) {
            self = .eventSession(event: event, number: number)
        } else if name == "eventTest", values.count == 2, let event = id(0), let phase = text(1).flatMap(LinkPurpose.init(rawValue:)), phase.isTest {
            self = .eventTest(event: event, phase: phase)
        } else if name == "campaignAction", values.count == 2, let campaign = id(0), let action = id(1) {
            self = .campaignAction(campaign: campaign, action: action)
        } else if name == "callGrid", values.count == 2, let call = id(0), let stage = text(1).flatMap(CallService.GridStage.init(rawValue:)) {
            self = .callGrid(call, stage)
        } else {
            return nil
        }
    }

    /// A member of a list the path shows, such as one document: `base/<id>`.
    func appending(_ id: UUID) -> String { "\(path)/\(id.uuidString)" }
}

/// `#url("name", values…)` in a template: the path of that `SiteURL`, so templates write no
/// paths of their own. An unknown name or a value that does not fit fails the page loudly.
struct SiteURLTag: LeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        guard let name = ctx.parameters.first?.string else { throw LeafError(.unknownError("#url needs a link name")) }
        let values = ctx.parameters.dropFirst().map { $0.string ?? "" }
        guard let url = SiteURL(name: name, values: Array(values)) else {
            throw LeafError(.unknownError("#url cannot make a link \(name) of \(values.count) values"))
        }
        return .string(url.path)
    }
}

extension Request {
    func redirect(to url: SiteURL) -> Response { redirect(to: url.path, redirectType: .normal) }
}

extension Flash {
    static func redirect(_ request: Request, to url: SiteURL, flash key: String? = nil) -> Response {
        redirect(request, to: url.path, flash: key)
    }
}
