import Foundation

/// What an indicator's number measures, and the scale it is stored in: whole numbers for
/// counts, cents for euros, hundredths for percentages and capacity scores. Every value is an
/// `Int64` in that scale, so sums of national data saturate instead of trapping.
public enum IndicatorUnit: String, CaseIterable, Codable, Sendable {
    case count, euro, percent, score

    public var catalogKey: String { "indicator.unit.\(rawValue)" }

    /// How many stored units make one written unit (100 cents in a euro).
    public var scale: Int64 { self == .count ? 1 : 100 }
}

/// A dimension an indicator's value is broken down by.
public enum Disaggregation: String, CaseIterable, Codable, Sendable {
    case sex, ageBand, region, disability, harm, domain

    public var catalogKey: String { "indicator.by.\(rawValue)" }
}

/// An indicator's value at the end of a reporting period: the total and its breakdowns. Nil
/// total: nothing to compute from yet (a mean gain with no CSO assessed twice, a share of
/// nothing).
public struct IndicatorValue: Sendable, Equatable, Codable {
    public struct Cell: Sendable, Equatable, Codable {
        /// A region's code, a sex, an age band… as its raw value; `IndicatorValue.elsewhere` for
        /// a region outside the programme's or none.
        public let key: String
        public let value: Int64

        public init(key: String, value: Int64) { (self.key, self.value) = (key, value) }
    }

    public struct Breakdown: Sendable, Equatable, Codable {
        public let by: Disaggregation
        public let cells: [Cell]

        public init(by: Disaggregation, cells: [Cell]) { (self.by, self.cells) = (by, cells) }
    }

    public static let elsewhere = "elsewhere"

    public let total: Int64?
    public let breakdowns: [Breakdown]

    public init(total: Int64?, breakdowns: [Breakdown] = []) { (self.total, self.breakdowns) = (total, breakdowns) }

    public func breakdown(by dimension: Disaggregation) -> Breakdown? { breakdowns.first { $0.by == dimension } }
}

/// The indicators the programme computes from its own records, each defined once here.
/// Every definition is cumulative: what had happened by the last day of the period, from the
/// programme's start. Survivor definitions count only records whose consent to statistics is
/// active at the moment of computing (a withdrawal takes a record out of every later
/// computation), one per person, with the road to employment defined by `SurvivorIndicator`.
public enum ComputedIndicator: String, CaseIterable, Codable, Sendable {
    /// CSOs with a confirmed baseline self-assessment.
    case csosAssessedBaseline
    /// CSOs with a confirmed endline self-assessment.
    case csosAssessedEndline
    /// Mean gain of the overall capacity score from baseline to the latest later round
    /// (midline or endline), over CSOs assessed both times; by domain the same per domain.
    case meanCapacityGain
    /// CSO members who attended at least one training session.
    case csoMembersTrained
    /// CSO members who received at least one certificate.
    case csoMembersCertified
    /// Training events whose attendance was taken.
    case eventsHeld
    /// Calls for proposals published, and the money they offered.
    case callsPublished
    case callEnvelope
    /// Applications submitted (counted at their first submission).
    case applicationsReceived
    /// Sub-grants awarded, and their amount.
    case grantsAwarded
    case grantAmountAwarded
    /// Sub-grant contracts signed by both parties, and their amount.
    case grantsContracted
    case grantAmountContracted
    /// Money paid to CSOs, less what they paid back.
    case grantAmountDisbursed
    /// Spending CSOs reported in approved reports.
    case grantAmountReported
    /// Reported spending as a share of the pre-financing paid (capped at 100 %).
    case prefinancingSpentShare
    case survivorsRegistered
    case survivorsInClub
    case survivorsWithPlan
    case survivorsInWork
    case survivorsStillInWorkAtSixMonths
    case survivorsStillInWorkAtTwelveMonths
    /// People met directly by campaign actions.
    case peopleReached
    case mediaMentions

    /// Bumped whenever a definition's meaning changes; a frozen value records the version it
    /// was computed with.
    public static let definitionsVersion = 1

    public var catalogKey: String { "indicator.computed.\(rawValue)" }

    public var unit: IndicatorUnit {
        switch self {
        case .meanCapacityGain: .score
        case .prefinancingSpentShare: .percent
        case .callEnvelope, .grantAmountAwarded, .grantAmountContracted, .grantAmountDisbursed, .grantAmountReported: .euro
        default: .count
        }
    }

    /// Counts of people: shown outside case work only through small-cell suppression.
    public var countsPeople: Bool {
        switch self {
        case .csoMembersTrained, .csoMembersCertified, .peopleReached: true
        default: countsSurvivors
        }
    }

    public var countsSurvivors: Bool {
        switch self {
        case .survivorsRegistered, .survivorsInClub, .survivorsWithPlan, .survivorsInWork,
             .survivorsStillInWorkAtSixMonths, .survivorsStillInWorkAtTwelveMonths: true
        default: false
        }
    }

    /// The breakdowns this definition gives.
    public var disaggregations: [Disaggregation] {
        switch self {
        case .applicationsReceived, .csosAssessedBaseline, .csosAssessedEndline, .eventsHeld, .grantsAwarded, .grantAmountAwarded, .grantsContracted,
             .grantAmountContracted, .grantAmountDisbursed, .grantAmountReported, .prefinancingSpentShare: [.region]
        case .meanCapacityGain: [.region, .domain]
        case .csoMembersTrained, .csoMembersCertified, .peopleReached: [.sex, .region]
        case .mediaMentions, .callsPublished, .callEnvelope: []
        default: [.sex, .ageBand, .region, .disability, .harm]
        }
    }

    /// The value by the end of `day`, with survivors' consents read at `instant`.
    public func value(of facts: ProgrammeFacts, by day: LocalDate, at instant: Date) -> IndicatorValue {
        switch self {
        case .csosAssessedBaseline: return assessed(facts, round: .baseline, by: day)
        case .csosAssessedEndline: return assessed(facts, round: .endline, by: day)
        case .meanCapacityGain: return CapacityGain.mean(facts.assessments.filter { $0.confirmedOn <= day })
        case .csoMembersTrained:
            return Tally.people(facts.trainees.filter { ($0.firstAttendedOn ?? .distantFuture) <= day }, sex: \.sex.rawValue, region: \.region)
        case .csoMembersCertified:
            return Tally.people(facts.trainees.filter { ($0.certifiedOn ?? .distantFuture) <= day }, sex: \.sex.rawValue, region: \.region)
        case .eventsHeld:
            let held = facts.events.filter { $0.heldOn <= day }
            return IndicatorValue(total: Int64(held.count), breakdowns: [Tally.byRegion(held.map { ($0.region, 1) })])
        case .callsPublished:
            return IndicatorValue(total: Int64(facts.calls.count { $0.publishedOn <= day }))
        case .callEnvelope:
            return IndicatorValue(total: facts.calls.filter { $0.publishedOn <= day }.map(\.envelopeMinorUnits).saturatingSum())
        case .applicationsReceived:
            return Tally.sum(facts.applications.filter { $0.submittedOn <= day }.map { ($0.region, 1) })
        case .grantsAwarded, .grantAmountAwarded:
            let awarded = facts.grants.filter { ($0.awardedOn ?? .distantFuture) <= day }
            return Tally.sum(awarded.map { ($0.region, self == .grantsAwarded ? 1 : $0.awardedMinorUnits) })
        case .grantsContracted, .grantAmountContracted:
            let signed = facts.grants.filter { ($0.contractedOn ?? .distantFuture) <= day }
            return Tally.sum(signed.map { ($0.region, self == .grantsContracted ? 1 : $0.contractedMinorUnits) })
        case .grantAmountDisbursed:
            return Tally.sum(facts.grants.map { grant in
                (grant.region, Tally.moved(grant.payments, by: day).saturatingAdding(-Tally.moved(grant.recoveries, by: day)))
            })
        case .grantAmountReported:
            return Tally.sum(facts.grants.map { ($0.region, Tally.moved($0.reported, by: day)) })
        case .prefinancingSpentShare:
            return PrefinancingShare.value(facts.grants, by: day)
        case .peopleReached:
            return ReachTally.value(facts.reach.filter { $0.on <= day })
        case .mediaMentions:
            return IndicatorValue(total: Int64(facts.mentions.count { $0 <= day }))
        case .survivorsRegistered, .survivorsInClub, .survivorsWithPlan, .survivorsInWork,
             .survivorsStillInWorkAtSixMonths, .survivorsStillInWorkAtTwelveMonths:
            return SurvivorTally.value(facts.survivors, holding: self, by: day, at: instant)
        }
    }

    private func assessed(_ facts: ProgrammeFacts, round: RoundKind, by day: LocalDate) -> IndicatorValue {
        var regions: [UUID: String?] = [:]
        for assessment in facts.assessments where assessment.round == round && assessment.confirmedOn <= day {
            regions[assessment.organisation] = assessment.region
        }
        return IndicatorValue(total: Int64(regions.count), breakdowns: [Tally.byRegion(regions.values.map { ($0, 1) })])
    }
}

extension LocalDate {
    /// Later than any day a record can carry: "not yet".
    static let distantFuture = LocalDate(lastDayOf: 9999)

    private init(lastDayOf year: Int) { (self.year, self.month, self.day) = (year, 12, 31) }
}

/// Sums per key, in a stable order.
enum Tally {
    static func key(_ region: String?) -> String { region ?? IndicatorValue.elsewhere }

    static func byRegion(_ values: [(String?, Int64)]) -> IndicatorValue.Breakdown {
        cells(.region, values.map { (key($0.0), $0.1) })
    }

    static func cells(_ dimension: Disaggregation, _ values: [(String, Int64)]) -> IndicatorValue.Breakdown {
        var sums: [String: Int64] = [:]
        for (key, value) in values { sums[key, default: 0] = sums[key, default: 0].saturatingAdding(value) }
        return IndicatorValue.Breakdown(by: dimension, cells: sums.keys.sorted().map { IndicatorValue.Cell(key: $0, value: sums[$0] ?? 0) })
    }

    static func sum(_ values: [(String?, Int64)]) -> IndicatorValue {
        IndicatorValue(total: values.map(\.1).saturatingSum(), breakdowns: [byRegion(values)])
    }

    static func moved(_ movements: [ProgrammeFacts.Grant.Movement], by day: LocalDate) -> Int64 {
        movements.filter { $0.on <= day }.map(\.minorUnits).saturatingSum()
    }

    /// Distinct people, by sex and region.
    static func people<Person>(_ people: [Person], sex: (Person) -> String, region: (Person) -> String?) -> IndicatorValue
    where Person: Identifiable {
        var seen = Set<Person.ID>()
        let counted = people.filter { seen.insert($0.id).inserted }
        return IndicatorValue(total: Int64(counted.count), breakdowns: [
            cells(.sex, counted.map { (sex($0), 1) }), byRegion(counted.map { (region($0), 1) }),
        ])
    }
}

extension ProgrammeFacts.Trainee: Identifiable {
    public var id: UUID { person }
}

enum CapacityGain {
    /// Each CSO's gain from its latest baseline to its latest later round, then the mean over
    /// CSOs, in hundredths of a point (rounded toward zero).
    static func mean(_ assessments: [ProgrammeFacts.Assessment]) -> IndicatorValue {
        var overall: [(String?, Int64)] = []
        var byDomain: [String: [Int64]] = [:]
        for (_, rounds) in Dictionary(grouping: assessments, by: \.organisation) {
            let ordered = rounds.sorted { $0.confirmedOn < $1.confirmedOn }
            guard let baseline = ordered.last(where: { $0.round == .baseline }),
                  let later = ordered.last(where: { $0.round != .baseline && $0.confirmedOn >= baseline.confirmedOn }),
                  let before = CapacityScoring.overall(baseline.domainScores),
                  let after = CapacityScoring.overall(later.domainScores) else { continue }
            overall.append((later.region, Int64(after.hundredths - before.hundredths)))
            for (domain, gain) in CapacityScoring.gains(from: baseline.domainScores, to: later.domainScores) {
                byDomain[domain, default: []].append(Int64(gain))
            }
        }
        guard !overall.isEmpty else { return IndicatorValue(total: nil) }
        func mean(_ values: [Int64]) -> Int64 { values.saturatingSum() / Int64(max(1, values.count)) }
        let regions = Dictionary(grouping: overall, by: { Tally.key($0.0) })
        return IndicatorValue(total: mean(overall.map(\.1)), breakdowns: [
            IndicatorValue.Breakdown(by: .region, cells: regions.keys.sorted().map { .init(key: $0, value: mean(regions[$0]?.map(\.1) ?? [])) }),
            IndicatorValue.Breakdown(by: .domain, cells: byDomain.keys.sorted().map { .init(key: $0, value: mean(byDomain[$0] ?? [])) }),
        ])
    }
}

enum PrefinancingShare {
    static func value(_ grants: [ProgrammeFacts.Grant], by day: LocalDate) -> IndicatorValue {
        func share(_ grants: [ProgrammeFacts.Grant]) -> Int64? {
            let paid = grants.map { Tally.moved($0.prefinancing, by: day) }.saturatingSum()
            guard paid > 0 else { return nil }
            // Each grant's reported spending counts up to its own pre-financing.
            let spent = grants.map { min(Tally.moved($0.reported, by: day), Tally.moved($0.prefinancing, by: day)) }.saturatingSum()
            // Hundredths of a percent; spent ≤ paid ≤ Money.maximum keeps the product in range.
            return Int64((Double(spent) * 10_000 / Double(paid)).rounded(.down))
        }
        let regions = Dictionary(grouping: grants, by: { Tally.key($0.region) })
        return IndicatorValue(total: share(grants), breakdowns: [
            IndicatorValue.Breakdown(by: .region, cells: regions.keys.sorted().compactMap { key in
                share(regions[key] ?? []).map { IndicatorValue.Cell(key: key, value: $0) }
            }),
        ])
    }
}

enum ReachTally {
    static func value(_ reach: [ProgrammeFacts.Reach]) -> IndicatorValue {
        let perAction = reach.map { (Tally.key($0.region), Int64($0.reach.reachedDirectly)) }
        let bySex = reach.flatMap { action in PersonSex.allCases.map { ($0.rawValue, Int64(action.reach.bySex[$0] ?? 0)) } }
        return IndicatorValue(total: perAction.map(\.1).saturatingSum(), breakdowns: [
            Tally.cells(.sex, bySex), Tally.cells(.region, perAction),
        ])
    }
}

enum SurvivorTally {
    static func value(_ survivors: [ProgrammeFacts.Survivor], holding indicator: ComputedIndicator, by day: LocalDate,
                      at instant: Date) -> IndicatorValue {
        var people = Set<UUID>()
        let counted = survivors.filter { survivor in
            survivor.registeredOn <= day && ConsentRule.allows(.statistics, records: survivor.statisticsConsents, at: instant)
                && holds(indicator, for: survivor, by: day) && people.insert(survivor.person).inserted
        }
        let one = Int64(1)
        return IndicatorValue(total: Int64(counted.count), breakdowns: [
            Tally.cells(.sex, counted.map { ($0.sex.rawValue, one) }),
            Tally.cells(.ageBand, counted.map { (AgeBand.of(yearOfBirth: $0.yearOfBirth, in: day.year).rawValue, one) }),
            Tally.cells(.region, counted.map { ($0.region, one) }),
            Tally.cells(.disability, counted.map { ($0.hasDisability ? "yes" : "no", one) }),
            Tally.cells(.harm, counted.map { ($0.harm.rawValue, one) }),
        ])
    }

    private static func holds(_ indicator: ComputedIndicator, for survivor: ProgrammeFacts.Survivor, by day: LocalDate) -> Bool {
        let road = survivor.road(by: day)
        switch indicator {
        case .survivorsInClub: return SurvivorIndicator.inClub.holds(for: road)
        case .survivorsWithPlan: return (survivor.planOn ?? .distantFuture) <= day
        case .survivorsInWork: return SurvivorIndicator.employed.holds(for: road)
        case .survivorsStillInWorkAtSixMonths: return SurvivorIndicator.stillEmployedAtSixMonths.holds(for: road)
        case .survivorsStillInWorkAtTwelveMonths: return SurvivorIndicator.stillEmployedAtTwelveMonths.holds(for: road)
        default: return true
        }
    }
}

extension ComputedIndicator {
    /// Every category of one of this definition's breakdowns, so that a table lists the empty
    /// ones too (as zeros) rather than only those with someone in them. Nil where the categories
    /// are not known in advance (capacity domains), or where a missing one means "no value" rather
    /// than zero (means and shares).
    public func categories(of dimension: Disaggregation, regions: [String]) -> [String]? {
        guard unit == .count || unit == .euro else { return nil }
        switch dimension {
        case .region: return regions + [IndicatorValue.elsewhere]
        case .sex: return countsSurvivors ? SurvivorSex.allCases.map(\.rawValue) : PersonSex.allCases.map(\.rawValue)
        case .ageBand: return AgeBand.allCases.map(\.rawValue)
        case .disability: return ["no", "yes"]
        case .harm: return HarmKind.allCases.map(\.rawValue)
        case .domain: return nil
        }
    }

    /// The value with each breakdown listing all its categories, in their order, zeros included.
    public func completed(_ value: IndicatorValue, regions: [String]) -> IndicatorValue {
        IndicatorValue(total: value.total, breakdowns: value.breakdowns.map { breakdown in
            guard let categories = categories(of: breakdown.by, regions: regions) else { return breakdown }
            let values = Dictionary(breakdown.cells.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
            let known = Set(categories)
            return IndicatorValue.Breakdown(by: breakdown.by, cells: categories.map { .init(key: $0, value: values[$0] ?? 0) }
                + breakdown.cells.filter { !known.contains($0.key) })
        })
    }
}
