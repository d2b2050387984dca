import Fluent
import Foundation
import FuqizoCore

/// An awareness campaign: what it wants to change, for whom and where, when, through which
/// channels, with what budget; its actions and the media's mentions of it.
final class Campaign: Model, @unchecked Sendable {
    static let schema = "campaigns"

    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    /// `AW-2026-01`: what work lists and the audit show.
    @Field(key: "reference") var reference: String
    @Enum(key: "status") var status: CampaignStatus
    @Field(key: "title_sq") var titleSq: String
    @Field(key: "title_en") var titleEn: String
    @Field(key: "description_sq") var descriptionSq: String
    @Field(key: "description_en") var descriptionEn: String
    @Field(key: "objective_sq") var objectiveSq: String
    @Field(key: "objective_en") var objectiveEn: String
    /// Audience, region and channel keys, comma-separated: read with the campaign, never
    /// searched (reach per region comes from the actions).
    @Field(key: "audiences") var audiences: String
    @Field(key: "regions") var regions: String
    @Field(key: "channels") var channels: String
    @Field(key: "starts_on") var startsOn: String
    @Field(key: "ends_on") var endsOn: String
    @Field(key: "budget_minor") var budgetMinor: Int64
    @Field(key: "partners") var partners: String

    init() {}

    var resource: Resource { .campaign }
    func title(_ language: Language) -> String { language.pick(titleSq, titleEn) }
    var budget: Money { Money(minorUnits: budgetMinor, currency: "EUR") }
    var period: ClosedRange<LocalDate>? {
        guard let from = LocalDate(startsOn), let to = LocalDate(endsOn), from <= to else { return nil }
        return from...to
    }

    static func keys(_ stored: String) -> [String] { stored.split(separator: ",").map(String.init) }
}

/// One action of a campaign, with its reach once recorded.
final class CampaignAction: Model, @unchecked Sendable {
    static let schema = "campaign_actions"

    @ID(key: .id) var id: UUID?
    @Parent(key: "campaign_id") var campaign: Campaign
    @Enum(key: "kind") var kind: CampaignActionKind
    @Field(key: "held_on") var heldOn: String
    @Field(key: "region_id") var regionID: UUID
    @Field(key: "municipality") var municipality: String
    @Field(key: "description_sq") var descriptionSq: String
    @Field(key: "description_en") var descriptionEn: String
    @Field(key: "cost_minor") var costMinor: Int64
    /// Set when the reach is recorded; until then the figures below are zero and count for nothing.
    @OptionalField(key: "reach_recorded_at") var reachRecordedAt: Date?
    @Field(key: "female") var female: Int
    @Field(key: "male") var male: Int
    @Field(key: "other_sex") var otherSex: Int
    @Field(key: "unstated_sex") var unstatedSex: Int
    @Field(key: "age_under18") var ageUnder18: Int
    @Field(key: "age_18_24") var age18to24: Int
    @Field(key: "age_25_34") var age25to34: Int
    @Field(key: "age_35_44") var age35to44: Int
    @Field(key: "age_45_54") var age45to54: Int
    @Field(key: "age_55") var age55: Int
    @Field(key: "participants") var participants: Int
    @Field(key: "impressions") var impressions: Int
    @Field(key: "copies") var copies: Int

    init() {}

    var reach: ActionReach? {
        get {
            guard reachRecordedAt != nil else { return nil }
            let sexes: [PersonSex: Int] = [.female: female, .male: male, .other: otherSex, .unstated: unstatedSex]
            let ages: [AgeBand: Int] = [.under18: ageUnder18, .from18to24: age18to24, .from25to34: age25to34,
                                        .from35to44: age35to44, .from45to54: age45to54, .from55: age55]
            return ActionReach(bySex: sexes.filter { $0.value > 0 }, byAge: ages.filter { $0.value > 0 },
                               participants: participants, impressions: impressions, copies: copies)
        }
    }

    /// Writes a reach (or clears it); the time says when it was recorded.
    func record(_ reach: ActionReach?, at time: Date) {
        let value = reach ?? .none
        reachRecordedAt = reach == nil ? nil : time
        (female, male, otherSex, unstatedSex) = (value.bySex[.female] ?? 0, value.bySex[.male] ?? 0, value.bySex[.other] ?? 0, value.bySex[.unstated] ?? 0)
        (ageUnder18, age18to24, age25to34) = (value.byAge[.under18] ?? 0, value.byAge[.from18to24] ?? 0, value.byAge[.from25to34] ?? 0)
        (age35to44, age45to54, age55) = (value.byAge[.from35to44] ?? 0, value.byAge[.from45to54] ?? 0, value.byAge[.from55] ?? 0)
        (participants, impressions, copies) = (value.participants, value.impressions, value.copies)
    }

    var totalsAction: ReachTotals.Action { ReachTotals.Action(region: regionID, costMinor: costMinor, reach: reach) }
}

/// A newspaper, site, radio or television piece that mentioned a campaign.
final class CampaignMention: Model, @unchecked Sendable {
    static let schema = "campaign_mentions"

    @ID(key: .id) var id: UUID?
    @Parent(key: "campaign_id") var campaign: Campaign
    @Field(key: "outlet") var outlet: String
    @Field(key: "published_on") var publishedOn: String
    @Field(key: "link") var link: String
    @Enum(key: "kind") var kind: MediaKind
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
}
