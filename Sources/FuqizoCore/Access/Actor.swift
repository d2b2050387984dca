import Foundation

/// A role a user holds: programme-wide (no organisation) or within one organisation.
public struct RoleGrant: Hashable, Sendable, Codable {
    public let role: Role
    public let organisationID: UUID?

    public init(role: Role, organisationID: UUID? = nil) {
        self.role = role
        self.organisationID = role.isOrganisationScoped ? organisationID : nil
    }
}

/// Who is asking: an anonymous visitor or a signed-in user with their role grants.
public struct Actor: Sendable, Equatable {
    public let userID: UUID?
    public let grants: Set<RoleGrant>

    public init(userID: UUID?, grants: Set<RoleGrant>) {
        self.userID = userID
        self.grants = grants
    }

    public static let anonymous = Actor(userID: nil, grants: [])

    public var isSignedIn: Bool { userID != nil }

    public func has(_ role: Role) -> Bool {
        grants.contains { $0.role == role }
    }

    public func has(_ role: Role, in organisationID: UUID) -> Bool {
        grants.contains(RoleGrant(role: role, organisationID: organisationID))
    }

    public func isMember(of organisationID: UUID) -> Bool {
        grants.contains { $0.organisationID == organisationID }
    }

    public var isProgrammeStaff: Bool { grants.contains { $0.role.isProgrammeStaff } }

    public var requiresTwoFactor: Bool { grants.contains { $0.role.requiresTwoFactor } }

    public var organisationIDs: Set<UUID> { Set(grants.compactMap(\.organisationID)) }

    /// The organisations in which this person holds the role.
    public func organisations(as role: Role) -> Set<UUID> {
        Set(grants.filter { $0.role == role }.compactMap(\.organisationID))
    }
}
