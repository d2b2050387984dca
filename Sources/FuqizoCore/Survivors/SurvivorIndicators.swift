import Foundation

/// What one survivor record has done on the road to employment, as recorded by case work:
/// the facts the indicators are defined over.
public struct RoadToEmployment: Sendable, Equatable {
    /// One follow-up after a start in work or business.
    public struct FollowUp: Sendable, Equatable {
        /// 3, 6 or 12 months after the start.
        public let months: Int
        /// Nil until the follow-up is recorded.
        public let stillWorking: Bool?

        public init(months: Int, stillWorking: Bool?) {
            self.months = months
            self.stillWorking = stillWorking
        }
    }

    /// Club memberships, current or ended.
    public let clubMemberships: Int
    /// Starts in work or self-employment recorded.
    public let employmentStarts: Int
    public let followUps: [FollowUp]

    public init(clubMemberships: Int = 0, employmentStarts: Int = 0, followUps: [FollowUp] = []) {
        self.clubMemberships = clubMemberships
        self.employmentStarts = employmentStarts
        self.followUps = followUps
    }
}

/// The programme's survivor indicators, each defined once here; statistics and the monitoring
/// module count with these definitions and nothing else.
public enum SurvivorIndicator: String, CaseIterable, Sendable {
    /// Has been a member of the Social Cause Club (a membership that ended still counts).
    case inClub
    /// Has started work or self-employment at least once.
    case employed
    /// A follow-up six months after a start recorded her still in work.
    case stillEmployedAtSixMonths
    /// A follow-up twelve months after a start recorded her still in work.
    case stillEmployedAtTwelveMonths

    public func holds(for road: RoadToEmployment) -> Bool {
        switch self {
        case .inClub: road.clubMemberships > 0
        case .employed: road.employmentStarts > 0
        case .stillEmployedAtSixMonths: road.followUps.contains { $0.months == 6 && $0.stillWorking == true }
        case .stillEmployedAtTwelveMonths: road.followUps.contains { $0.months == 12 && $0.stillWorking == true }
        }
    }
}
