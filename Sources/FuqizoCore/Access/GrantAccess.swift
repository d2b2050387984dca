import Foundation

/// A call's evaluation committee, as the policy needs it: who chairs it, who votes.
public struct CommitteeAccess: Sendable, Equatable {
    public let chair: UUID?
    /// The voting members. They read the call's applications only through their own
    /// assignments, after the declaration, never through the grants side's pages.
    public let voters: Set<UUID>

    public init(chair: UUID?, voters: Set<UUID>) {
        self.chair = chair
        self.voters = voters
    }
}

/// One grant application, as the policy needs it.
public struct ApplicationAccess: Sendable, Equatable {
    public let organisationID: UUID
    /// Submitted at least once (it has a reference). A draft belongs to the CSO alone.
    public let isSubmitted: Bool
    /// Its call's committee.
    public let committee: CommitteeAccess

    public init(organisationID: UUID, isSubmitted: Bool, committee: CommitteeAccess) {
        self.organisationID = organisationID
        self.isSubmitted = isSubmitted
        self.committee = committee
    }
}

/// One grant contract, as the policy needs it.
public struct ContractAccess: Sendable, Equatable {
    public let organisationID: UUID
    public let status: ContractStatus

    public init(organisationID: UUID, status: ContractStatus) {
        self.organisationID = organisationID
        self.status = status
    }
}
