import Foundation

/// An awareness campaign's life: planned, running, then completed; cancelled before it ends.
public enum CampaignStatus: String, CaseIterable, Codable, Sendable {
    case planned
    case running
    case completed
    case cancelled

    public var catalogKey: String { "campaign.status.\(rawValue)" }

    /// On the public website: under way or done. A planned campaign may still change or be
    /// dropped, and a cancelled one has nothing to show.
    public var isPublic: Bool { self == .running || self == .completed }

    public static let publicCases = allCases.filter(\.isPublic)
}

public enum CampaignEvent: String, CaseIterable, Sendable, Equatable {
    /// Its first action is under way.
    case start
    /// Every action has happened; its reach is final.
    case complete
    /// It will not (or no longer) take place.
    case cancel
    /// Editing its texts, actions and reach: while planned or running, and a completed one's
    /// late reach figures.
    case edit
}

extension CampaignStatus: Lifecycle {
    public func after(_ event: CampaignEvent) -> Result<CampaignStatus, WorkflowRefusal> {
        switch (self, event) {
        case (.planned, .start): .success(.running)
        case (.running, .complete): .success(.completed)
        case (.planned, .cancel), (.running, .cancel): .success(.cancelled)
        case (.planned, .edit), (.running, .edit), (.completed, .edit): .success(self)
        case (.cancelled, _): .failure(WorkflowRefusal("campaign.error.cancelled"))
        default: .failure(WorkflowRefusal("campaign.error.notNow"))
        }
    }
}

/// The campaign's public reference (`AW-2026-03`): what work lists and the audit name.
public enum CampaignReference {
    public static func make(year: Int, number: Int) -> String {
        "AW-\(year)-" + (number < 10 ? "0" : "") + "\(number)"
    }
}

/// The kinds of action a campaign is made of. Those that meet people count them directly.
public enum CampaignActionKind: String, CaseIterable, Codable, Sendable {
    case publicEvent, streetAction, mediaPiece, socialPost, publication, broadcastSpot, schoolSession

    /// Actions where people are met face to face, counted by sex and age band.
    public var meetsPeople: Bool {
        switch self {
        case .publicEvent, .streetAction, .schoolSession: true
        case .mediaPiece, .socialPost, .publication, .broadcastSpot: false
        }
    }

    public var catalogKey: String { "campaign.action.kind.\(rawValue)" }
}

/// Who a campaign speaks to.
public enum CampaignAudience: String, CaseIterable, Codable, Sendable {
    case generalPublic, youth, women, employers, authorities, media, communities

    public var catalogKey: String { "campaign.audience.\(rawValue)" }
}

/// How a campaign reaches them.
public enum CampaignChannel: String, CaseIterable, Codable, Sendable {
    case events, print, radio, television, socialMedia, website, schools, outdoor

    public var catalogKey: String { "campaign.channel.\(rawValue)" }
}

/// Where a media mention appeared.
public enum MediaKind: String, CaseIterable, Codable, Sendable {
    case print, online, radio, television

    public var catalogKey: String { "campaign.media.\(rawValue)" }
}

/// What one action achieved. People met directly are counted by sex; those whose age band is
/// known are counted by band too, and the rest are of unknown age. Each figure is bounded, so
/// sums of thousands of actions cannot overflow.
public struct ActionReach: Sendable, Equatable, Codable {
    public var bySex: [PersonSex: Int]
    /// Counted only where known; `reachedDirectly` minus their sum are of unknown age.
    public var byAge: [AgeBand: Int]
    public var participants: Int
    public var impressions: Int
    public var copies: Int

    public init(bySex: [PersonSex: Int] = [:], byAge: [AgeBand: Int] = [:], participants: Int = 0, impressions: Int = 0, copies: Int = 0) {
        (self.bySex, self.byAge, self.participants, self.impressions, self.copies) = (bySex, byAge, participants, impressions, copies)
    }

    public static let none = ActionReach()

    /// People met directly: the sum over sexes.
    public var reachedDirectly: Int { PersonSex.allCases.reduce(0) { $0 + (bySex[$1] ?? 0) } }

    /// People met directly by age band, with those not counted by band as `.unknown`.
    public var ageBands: [AgeBand: Int] {
        var bands = byAge.filter { $0.key != .unknown }
        let known = bands.values.reduce(0, +)
        bands[.unknown] = max(0, reachedDirectly - known)
        return bands
    }
}

/// Campaign reach added up: the campaign's totals, and the same per region of its actions.
/// Ready for the monitoring module's indicators ("people reached by campaigns, by sex",
/// "media mentions").
public struct ReachTotals: Sendable, Equatable {
    public var actions = 0
    public var actionsWithReach = 0
    public var bySex: [PersonSex: Int64] = [:]
    public var byAge: [AgeBand: Int64] = [:]
    public var participants: Int64 = 0
    public var impressions: Int64 = 0
    public var copies: Int64 = 0
    public var mentions = 0
    public var cost: Int64 = 0

    public init() {}

    public var reachedDirectly: Int64 { PersonSex.allCases.map { bySex[$0] ?? 0 }.saturatingSum() }

    /// One action, its cost in minor units and its reach if recorded.
    public struct Action: Sendable {
        public let region: UUID?
        public let costMinor: Int64
        public let reach: ActionReach?

        public init(region: UUID?, costMinor: Int64, reach: ActionReach?) {
            (self.region, self.costMinor, self.reach) = (region, costMinor, reach)
        }
    }

    mutating func add(_ action: Action) {
        actions += 1
        cost = cost.saturatingAdding(max(0, action.costMinor))
        guard let reach = action.reach else { return }
        actionsWithReach += 1
        for (sex, count) in reach.bySex { bySex[sex, default: 0] = bySex[sex, default: 0].saturatingAdding(Int64(count)) }
        for (band, count) in reach.ageBands where count > 0 { byAge[band, default: 0] = byAge[band, default: 0].saturatingAdding(Int64(count)) }
        participants = participants.saturatingAdding(Int64(reach.participants))
        impressions = impressions.saturatingAdding(Int64(reach.impressions))
        copies = copies.saturatingAdding(Int64(reach.copies))
    }

    /// The totals of a set of actions and its media mentions.
    public static func of(_ actions: [Action], mentions: Int) -> ReachTotals {
        var totals = ReachTotals()
        for action in actions { totals.add(action) }
        totals.mentions = mentions
        return totals
    }

    /// The same, per region of the actions (an action without a region counts under `nil`).
    public static func perRegion(_ actions: [Action]) -> [UUID?: ReachTotals] {
        var regions: [UUID?: ReachTotals] = [:]
        for action in actions { regions[action.region, default: ReachTotals()].add(action) }
        return regions
    }
}

/// What campaigns ask of the communications side, from plain facts about their actions.
public enum CampaignWork {
    public struct PastAction: Sendable {
        public let campaign: UUID
        public let reference: String
        public let heldOn: LocalDate

        public init(campaign: UUID, reference: String, heldOn: LocalDate) {
            (self.campaign, self.reference, self.heldOn) = (campaign, reference, heldOn)
        }
    }

    /// Days after an action to record its reach.
    public static let reachDays = 7

    /// Actions that have happened without their reach: one item per campaign, counting them,
    /// due a week after the earliest.
    public static func communications(_ actions: [PastAction]) -> [WorkItem] {
        Dictionary(grouping: actions, by: \.campaign).map { campaign, actions in
            let earliest = actions.map(\.heldOn).min()
            return WorkItem("work.campaign.reach", reference: actions[0].reference, due: earliest?.adding(days: reachDays),
                            count: actions.count, link: WorkLink("campaign", campaign.uuidString), section: "nav.campaigns")
        }.sorted { $0.reference < $1.reference }
    }

    /// An article of the news, by its address in Albanian (a title's words, nothing personal).
    public struct ArticleFact: Sendable {
        public let article: UUID
        public let slug: String
        /// For a scheduled one: the day it goes online.
        public let day: LocalDate?

        public init(article: UUID, slug: String, day: LocalDate? = nil) {
            (self.article, self.slug, self.day) = (article, slug, day)
        }
    }

    /// Articles waiting for a reviewer (never their own writer's), and those scheduled, which
    /// their people check before they go online.
    public static func articles(toReview: [ArticleFact], scheduled: [ArticleFact]) -> [WorkItem] {
        toReview.map { WorkItem("work.article.review", reference: $0.slug, link: WorkLink("article", $0.article.uuidString), section: "nav.articles") }
            + scheduled.map { WorkItem("work.article.scheduled", reference: $0.slug, due: $0.day, link: WorkLink("article", $0.article.uuidString),
                                       section: "nav.articles") }
    }
}
