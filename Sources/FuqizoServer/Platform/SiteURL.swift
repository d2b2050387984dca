import Foundation
import FuqizoCore
import Vapor

/// Every page the site links or redirects to, typed. Links are built from here and nowhere
/// else, so a path is written once; `SiteURLTests` checks every case against the registered
/// routes, so a renamed route without its link fails the suite.
enum SiteURL: Sendable, Equatable {
    case home
    // identity
    case signIn, signInCode, signInEnrol
    case setup(token: String)
    case account, accountTwoFactor, accountPassword
    // administration
    case users, user(UUID)
    case regions, settings, auditTrail, outbox
    // organisations
    case organisations, organisation(UUID), myOrganisations
    // grants: the officer's calls
    case calls, call(UUID), callDocuments(UUID), callQuestions(UUID), callCommittee(UUID), callLetters(UUID)
    case callApplications(UUID)
    case ranking(call: UUID, stage: ApplicationStage)
    case grantFigures
    // grants: the public and the applicant
    case publicCalls, publicCall(UUID), publicCallDocuments(UUID)
    case applications, application(UUID), applicationReceipt(UUID), applicationAttachments(UUID)
    // grants: the grants side on one application, and the evaluators
    case review(UUID), reviewAttachments(UUID)
    case letter(application: UUID, letter: UUID)
    case evaluation, assignment(UUID), assignmentAttachments(UUID)
    // survivors
    case survivors, survivor(code: String)
    case referrals, referral(UUID)
    case club, clubSession(UUID)
    case survivorStatistics

    var path: String {
        switch self {
        case .home: "/"
        case .signIn: "/sign-in"
        case .signInCode: "/sign-in/code"
        case .signInEnrol: "/sign-in/enrol"
        case .setup(let token): "/setup/\(token)"
        case .account: "/account"
        case .accountTwoFactor: "/account/two-factor"
        case .accountPassword: "/account/password"
        case .users: "/admin/users"
        case .user(let id): "/admin/users/\(id.uuidString)"
        case .regions: "/admin/regions"
        case .settings: "/admin/settings"
        case .auditTrail: "/admin/audit"
        case .outbox: "/admin/outbox"
        case .organisations: "/organisations"
        case .organisation(let id): "/organisations/\(id.uuidString)"
        case .myOrganisations: "/my-organisations"
        case .calls: "/grants/calls"
        case .call(let id): "/grants/calls/\(id.uuidString)"
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
        case .evaluation: "/evaluation"
        case .assignment(let id): "/evaluation/\(id.uuidString)"
        case .assignmentAttachments(let id): "/evaluation/\(id.uuidString)/attachments"
        case .survivors: "/survivors"
        case .survivor(let code): "/survivors/\(code)"
        case .referrals: "/referrals"
        case .referral(let id): "/referrals/\(id.uuidString)"
        case .club: "/club"
        case .clubSession(let id): "/club/sessions/\(id.uuidString)"
        case .survivorStatistics: "/statistics/survivors"
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

    /// A member of a list the path shows, such as one document: `base/<id>`.
    func appending(_ id: UUID) -> String { "\(path)/\(id.uuidString)" }
}

extension Request {
    func redirect(to url: SiteURL) -> Response { redirect(to: url.path, redirectType: .normal) }
}

extension Flash {
    static func redirect(_ request: Request, to url: SiteURL, flash key: String? = nil) -> Response {
        redirect(request, to: url.path, flash: key)
    }
}
