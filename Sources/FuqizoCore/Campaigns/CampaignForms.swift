import Foundation

/// The choices of a multiple-choice field, each one of `allowed`; nil (and the field's error)
/// for none or for a value not offered.
private func choices<T: RawRepresentable>(_ values: [String], _ field: String, into errors: inout FieldErrors) -> [T]? where T.RawValue == String {
    let chosen = values.compactMap(T.init(rawValue:))
    guard !chosen.isEmpty, chosen.count == values.count else {
        errors.add(field, "form.error.choose")
        return nil
    }
    return chosen
}

/// A campaign as typed: texts in both languages, whom and where it addresses, when, through
/// what, with what budget and partners.
public struct CampaignForm: Codable, Sendable, Equatable {
    public var titleSq = ""
    public var titleEn = ""
    public var descriptionSq = ""
    public var descriptionEn = ""
    public var objectiveSq = ""
    public var objectiveEn = ""
    public var audiences: [String] = []
    public var regions: [String] = []
    public var startsOn = ""
    public var endsOn = ""
    public var channels: [String] = []
    public var budget = ""
    public var partners = ""

    public init() {}

    public init(from decoder: any Decoder) throws {
        let form = try decoder.container(keyedBy: CodingKeys.self)
        titleSq = try form.text(.titleSq)
        titleEn = try form.text(.titleEn)
        descriptionSq = try form.text(.descriptionSq)
        descriptionEn = try form.text(.descriptionEn)
        objectiveSq = try form.text(.objectiveSq)
        objectiveEn = try form.text(.objectiveEn)
        audiences = try form.list(.audiences)
        regions = try form.list(.regions)
        startsOn = try form.text(.startsOn)
        endsOn = try form.text(.endsOn)
        channels = try form.list(.channels)
        budget = try form.text(.budget)
        partners = try form.text(.partners)
    }

    public struct Campaign: Sendable, Equatable {
        public let titleSq: String
        public let titleEn: String
        public let descriptionSq: String
        public let descriptionEn: String
        public let objectiveSq: String
        public let objectiveEn: String
        public let audiences: [CampaignAudience]
        public let regions: [UUID]
        public let startsOn: LocalDate
        public let endsOn: LocalDate
        public let channels: [CampaignChannel]
        public let budget: Money
        public let partners: String
    }

    public static let maximumTitle = 200
    public static let maximumText = 4_000
    /// A campaign runs at most three years.
    public static let maximumDays = 1_100

    /// Titles, descriptions and objectives in both languages; at least one audience, region
    /// (among those offered) and channel; a period that ends on or after it starts, within the
    /// programme's years; a budget in euros (zero allowed: partners may carry the cost).
    public func validated(regions offered: Set<UUID>, today: LocalDate) -> Result<Campaign, FieldErrors> {
        var errors = FieldErrors()
        let titleSq = clean(titleSq, "titleSq", limit: Self.maximumTitle, into: &errors)
        let titleEn = clean(titleEn, "titleEn", limit: Self.maximumTitle, into: &errors)
        let descriptionSq = clean(descriptionSq, "descriptionSq", limit: Self.maximumText, into: &errors)
        let descriptionEn = clean(descriptionEn, "descriptionEn", limit: Self.maximumText, into: &errors)
        let objectiveSq = clean(objectiveSq, "objectiveSq", limit: Self.maximumText, into: &errors)
        let objectiveEn = clean(objectiveEn, "objectiveEn", limit: Self.maximumText, into: &errors)
        let partners = clean(partners, "partners", limit: Self.maximumText, required: false, into: &errors)
        let audiences: [CampaignAudience]? = choices(audiences, "audiences", into: &errors)
        let channels: [CampaignChannel]? = choices(channels, "channels", into: &errors)
        let regionIDs = regions.compactMap(UUID.init(uuidString:))
        if regionIDs.isEmpty || regionIDs.count != regions.count || !Set(regionIDs).isSubset(of: offered) { errors.add("regions", "form.error.choose") }
        let startsOn = LocalDate(startsOn.trimmingCharacters(in: .whitespaces)).flatMap { day in
            day >= today.adding(days: -3_650) && day <= today.adding(days: 1_830) ? day : nil
        }
        if startsOn == nil { errors.add("startsOn", "form.error.date") }
        let endsOn = LocalDate(endsOn.trimmingCharacters(in: .whitespaces))
        if let startsOn {
            if endsOn == nil || endsOn! < startsOn || endsOn! > startsOn.adding(days: Self.maximumDays) { errors.add("endsOn", "campaign.error.period") }
        }
        let budget = Money(parsing: budget.isEmpty ? "0" : budget, currency: "EUR")
        if budget == nil { errors.add("budget", "form.error.amount") }
        guard errors.isEmpty, let titleSq, let titleEn, let descriptionSq, let descriptionEn, let objectiveSq, let objectiveEn,
              let audiences, let channels, let startsOn, let endsOn, let budget, let partners else { return .failure(errors) }
        return .success(Campaign(titleSq: titleSq, titleEn: titleEn, descriptionSq: descriptionSq, descriptionEn: descriptionEn,
                                 objectiveSq: objectiveSq, objectiveEn: objectiveEn, audiences: audiences, regions: regionIDs,
                                 startsOn: startsOn, endsOn: endsOn, channels: channels, budget: budget, partners: partners))
    }
}

/// One action of a campaign as typed.
public struct CampaignActionForm: Codable, Sendable, Equatable {
    public var kind = ""
    public var heldOn = ""
    public var region = ""
    public var municipality = ""
    public var descriptionSq = ""
    public var descriptionEn = ""
    public var cost = ""

    public init() {}

    public init(from decoder: any Decoder) throws {
        let form = try decoder.container(keyedBy: CodingKeys.self)
        kind = try form.text(.kind)
        heldOn = try form.text(.heldOn)
        region = try form.text(.region)
        municipality = try form.text(.municipality)
        descriptionSq = try form.text(.descriptionSq)
        descriptionEn = try form.text(.descriptionEn)
        cost = try form.text(.cost)
    }

    public struct Action: Sendable, Equatable {
        public let kind: CampaignActionKind
        public let heldOn: LocalDate
        public let region: UUID
        public let municipality: String
        public let descriptionSq: String
        public let descriptionEn: String
        public let cost: Money
    }

    public static let maximumMunicipality = 120
    public static let maximumText = 2_000

    /// A kind, a day within the campaign's period, a region and (optionally) a municipality,
    /// what was done in both languages, and its cost in euros.
    public func validated(regions offered: Set<UUID>, period: ClosedRange<LocalDate>) -> Result<Action, FieldErrors> {
        var errors = FieldErrors()
        let kind = CampaignActionKind(rawValue: kind)
        if kind == nil { errors.add("kind", "form.error.choose") }
        let heldOn = LocalDate(heldOn.trimmingCharacters(in: .whitespaces))
        if heldOn == nil { errors.add("heldOn", "form.error.date") } else if !period.contains(heldOn!) { errors.add("heldOn", "campaign.error.outsidePeriod") }
        let region = UUID(uuidString: region).flatMap { offered.contains($0) ? $0 : nil }
        if region == nil { errors.add("region", "form.error.choose") }
        let municipality = clean(municipality, "municipality", limit: Self.maximumMunicipality, required: false, into: &errors)
        let descriptionSq = clean(descriptionSq, "descriptionSq", limit: Self.maximumText, into: &errors)
        let descriptionEn = clean(descriptionEn, "descriptionEn", limit: Self.maximumText, into: &errors)
        let cost = Money(parsing: cost.isEmpty ? "0" : cost, currency: "EUR")
        if cost == nil { errors.add("cost", "form.error.amount") }
        guard errors.isEmpty, let kind, let heldOn, let region, let municipality, let descriptionSq, let descriptionEn, let cost else { return .failure(errors) }
        return .success(Action(kind: kind, heldOn: heldOn, region: region, municipality: municipality,
                               descriptionSq: descriptionSq, descriptionEn: descriptionEn, cost: cost))
    }
}

/// An action's reach as typed: people met by sex, those of them whose age band is known, and
/// the other outputs. A blank figure is zero.
public struct ReachForm: Codable, Sendable, Equatable {
    public var female = ""
    public var male = ""
    public var other = ""
    public var unstated = ""
    public var under18 = ""
    public var from18to24 = ""
    public var from25to34 = ""
    public var from35to44 = ""
    public var from45to54 = ""
    public var from55 = ""
    public var participants = ""
    public var impressions = ""
    public var copies = ""

    public init() {}

    public init(from decoder: any Decoder) throws {
        let form = try decoder.container(keyedBy: CodingKeys.self)
        female = try form.text(.female)
        male = try form.text(.male)
        other = try form.text(.other)
        unstated = try form.text(.unstated)
        under18 = try form.text(.under18)
        from18to24 = try form.text(.from18to24)
        from25to34 = try form.text(.from25to34)
        from35to44 = try form.text(.from35to44)
        from45to54 = try form.text(.from45to54)
        from55 = try form.text(.from55)
        participants = try form.text(.participants)
        impressions = try form.text(.impressions)
        copies = try form.text(.copies)
    }

    /// The form showing a recorded reach, each figure as typed digits.
    public init(_ reach: ActionReach) {
        func text(_ value: Int?) -> String { value.map { $0 == 0 ? "" : String($0) } ?? "" }
        (female, male, other, unstated) = (text(reach.bySex[.female]), text(reach.bySex[.male]), text(reach.bySex[.other]), text(reach.bySex[.unstated]))
        (under18, from18to24, from25to34) = (text(reach.byAge[.under18]), text(reach.byAge[.from18to24]), text(reach.byAge[.from25to34]))
        (from35to44, from45to54, from55) = (text(reach.byAge[.from35to44]), text(reach.byAge[.from45to54]), text(reach.byAge[.from55]))
        (participants, impressions, copies) = (text(reach.participants), text(reach.impressions), text(reach.copies))
    }

    /// No single figure above ten million: a country of under three million, many times over.
    public static let figures = 0...10_000_000

    public var sexFields: [(PersonSex, String)] { [(.female, female), (.male, male), (.other, other), (.unstated, unstated)] }
    public var ageFields: [(AgeBand, String)] {
        [(.under18, under18), (.from18to24, from18to24), (.from25to34, from25to34), (.from35to44, from35to44), (.from45to54, from45to54), (.from55, from55)]
    }

    /// Every figure a whole number from 0 to ten million (blank is 0); the people counted by age
    /// band no more than those met.
    public func validated() -> Result<ActionReach, FieldErrors> {
        var errors = FieldErrors()
        func figure(_ text: String, _ field: String) -> Int {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { return 0 }
            guard let value = Bounded.integer(trimmed, in: Self.figures) else {
                errors.add(field, "campaign.error.figure")
                return 0
            }
            return value
        }
        var reach = ActionReach()
        for (sex, text) in sexFields { reach.bySex[sex] = figure(text, sex.rawValue) }
        for (band, text) in ageFields { reach.byAge[band] = figure(text, band.rawValue) }
        reach.participants = figure(participants, "participants")
        reach.impressions = figure(impressions, "impressions")
        reach.copies = figure(copies, "copies")
        reach.bySex = reach.bySex.filter { $0.value > 0 }
        reach.byAge = reach.byAge.filter { $0.value > 0 }
        if errors.isEmpty, reach.byAge.values.reduce(0, +) > reach.reachedDirectly { errors.add("under18", "campaign.error.ages") }
        return errors.isEmpty ? .success(reach) : .failure(errors)
    }
}

/// A media mention of a campaign as typed.
public struct MentionForm: Codable, Sendable, Equatable {
    public var outlet = ""
    public var publishedOn = ""
    public var link = ""
    public var kind = ""

    public init() {}

    public init(from decoder: any Decoder) throws {
        let form = try decoder.container(keyedBy: CodingKeys.self)
        outlet = try form.text(.outlet)
        publishedOn = try form.text(.publishedOn)
        link = try form.text(.link)
        kind = try form.text(.kind)
    }

    public struct Mention: Sendable, Equatable {
        public let outlet: String
        public let publishedOn: LocalDate
        public let link: String
        public let kind: MediaKind
    }

    public static let maximumLink = 500

    /// An outlet, a day no later than today, a kind, and a link that is an http(s) address
    /// (optional: a radio mention may have none).
    public func validated(today: LocalDate) -> Result<Mention, FieldErrors> {
        var errors = FieldErrors()
        let outlet = clean(outlet, "outlet", limit: CampaignForm.maximumTitle, into: &errors)
        let publishedOn = LocalDate(publishedOn.trimmingCharacters(in: .whitespaces))
        if publishedOn == nil || publishedOn! > today || publishedOn! < today.adding(days: -3_650) { errors.add("publishedOn", "form.error.date") }
        let kind = MediaKind(rawValue: kind)
        if kind == nil { errors.add("kind", "form.error.choose") }
        let link = link.trimmingCharacters(in: .whitespaces)
        if !link.isEmpty, !Self.isWebAddress(link) { errors.add("link", "form.error.url") }
        guard errors.isEmpty, let outlet, let publishedOn, let kind else { return .failure(errors) }
        return .success(Mention(outlet: outlet, publishedOn: publishedOn, link: link, kind: kind))
    }

    /// An absolute http or https address with a host, without spaces, of reasonable length:
    /// never `javascript:` or another scheme a page would run.
    public static func isWebAddress(_ text: String) -> Bool {
        guard text.count <= maximumLink, !text.contains(where: { $0.isWhitespace || $0 == "\"" || $0 == "<" || $0 == ">" }),
              let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = url.host, !host.isEmpty else { return false }
        return true
    }
}
