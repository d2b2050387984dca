/// The roles of product.md. Some are held across the programme, others within one organisation.
public enum Role: String, CaseIterable, Codable, Sendable, Comparable {
    case administrator
    case programmeManager
    case grantsOfficer
    /// Approves grant payments and records them as paid; sees bank details, never edits a report or a contract.
    case financeOfficer
    case evaluator
    case donorViewer
    case csoUser
    case caseWorker
    case clubFacilitator
    /// Runs capacity-building events for CSOs (programme-wide: often an outside expert); sees
    /// only the events they run.
    case trainer
    /// Runs awareness campaigns and the public website's content; sees no personal data.
    case communicationsOfficer

    /// Held within one organisation (a membership), not programme-wide.
    public var isOrganisationScoped: Bool {
        switch self {
        case .csoUser, .caseWorker, .clubFacilitator: true
        default: false
        }
    }

    /// Administrators and every role that can see survivor data must sign in with a second factor.
    public var requiresTwoFactor: Bool {
        switch self {
        case .administrator, .caseWorker, .clubFacilitator, .financeOfficer: true
        default: false
        }
    }

    /// Staff of the programme who run the CSO registry.
    public var isProgrammeStaff: Bool {
        switch self {
        case .administrator, .programmeManager, .grantsOfficer: true
        default: false
        }
    }

    public var catalogKey: String { "role.\(rawValue)" }

    public static func < (lhs: Role, rhs: Role) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
