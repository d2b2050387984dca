import Foundation

/// What the open-data files need that the programme's settings do not hold: the publisher's
/// and the funder's IATI identifiers, the activity's identifier, its sectors, its budget, the
/// funds received from the donor, and the 360Giving prefix. Set by the administrator.
public struct OpenDataSettings: Codable, Sendable, Equatable {
    public struct Sector: Codable, Sendable, Equatable {
        public let code: String
        public let percentage: Int
    }

    public struct Funds: Codable, Sendable, Equatable {
        public let receivedOn: LocalDate
        public let minorUnits: Int64
    }

    public var publisherRef: String
    public var publisherType: String
    public var funderRef: String
    public var funderType: String
    public var activityIdentifier: String
    public var sectors: [Sector]
    public var budgetMinorUnits: Int64
    public var incomingFunds: [Funds]
    public var givingPrefix: String

    public static let none = OpenDataSettings(publisherRef: "", publisherType: "", funderRef: "", funderType: "", activityIdentifier: "",
                                              sectors: [], budgetMinorUnits: 0, incomingFunds: [], givingPrefix: "")

    /// The files are published once the publisher and the funder are named.
    public var isSet: Bool { !publisherRef.isEmpty && !funderRef.isEmpty && !activityIdentifier.isEmpty }
}

/// The codes the open-data settings offer, from the IATI codelists (the tests check each one is
/// in the copied codelist): the kinds of organisation, and the DAC sectors this programme's work
/// falls under.
public enum OpenDataCodes {
    /// IATI OrganisationType.
    public static let organisationTypes = ["10", "11", "15", "21", "22", "23", "24", "30", "40", "60", "70", "71", "72", "73", "80", "90"]
    /// DAC 5-digit purpose codes: gender equality and ending violence against women, social
    /// protection, employment, and the civil society they work through.
    public static let sectors = ["15150", "15160", "15170", "15180", "15190", "16010", "16020", "16015", "11330", "25030"]
}

/// The open-data settings as typed: identifiers, one sector per line ("15180 | 60"), the budget,
/// and one donor payment per line ("2025-03-15 | 500000").
public struct OpenDataSettingsForm: Codable, Sendable, Equatable {
    public var publisherRef = ""
    public var publisherType = ""
    public var funderRef = ""
    public var funderType = ""
    public var activityIdentifier = ""
    public var sectors = ""
    public var budget = ""
    public var incomingFunds = ""
    public var givingPrefix = ""

    public init() {}

    public init(from decoder: any Decoder) throws {
        let form = try decoder.container(keyedBy: CodingKeys.self)
        publisherRef = try form.text(.publisherRef)
        publisherType = try form.text(.publisherType)
        funderRef = try form.text(.funderRef)
        funderType = try form.text(.funderType)
        activityIdentifier = try form.text(.activityIdentifier)
        sectors = try form.text(.sectors)
        budget = try form.text(.budget)
        incomingFunds = try form.text(.incomingFunds)
        givingPrefix = try form.text(.givingPrefix)
    }

    public init(_ settings: OpenDataSettings) {
        (publisherRef, publisherType, funderRef, funderType) = (settings.publisherRef, settings.publisherType, settings.funderRef, settings.funderType)
        activityIdentifier = settings.activityIdentifier
        sectors = settings.sectors.map { "\($0.code) | \($0.percentage)" }.joined(separator: "\n")
        budget = settings.budgetMinorUnits == 0 ? "" : NumberWriting.plain(settings.budgetMinorUnits)
        incomingFunds = settings.incomingFunds.map { "\($0.receivedOn) | \(NumberWriting.plain($0.minorUnits))" }.joined(separator: "\n")
        givingPrefix = settings.givingPrefix
    }

    /// An organisation identifier as IATI writes it: an agency prefix and the registration
    /// ("AL-QKB-L12345678A", "XI-IATI-EC_NEAR"): letters, digits, hyphens, underscores, dots.
    public static func isIdentifier(_ text: String) -> Bool {
        (5...100).contains(text.count) && text.contains("-")
            && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }
    }

    private func lines(_ text: String) -> [[String]] {
        text.split(whereSeparator: \.isNewline).compactMap { line in
            Text.clean(String(line)).map { $0.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) } }
        }
    }

    public func validated(programme: ClosedRange<LocalDate>?) -> Result<OpenDataSettings, FieldErrors> {
        var errors = FieldErrors()
        let publisher = publisherRef.trimmingCharacters(in: .whitespaces), funder = funderRef.trimmingCharacters(in: .whitespaces)
        if !Self.isIdentifier(publisher) { errors.add("publisherRef", "openData.error.identifier") }
        if !Self.isIdentifier(funder) { errors.add("funderRef", "openData.error.identifier") }
        if !OpenDataCodes.organisationTypes.contains(publisherType) { errors.add("publisherType", "form.error.choose") }
        if !OpenDataCodes.organisationTypes.contains(funderType) { errors.add("funderType", "form.error.choose") }
        let activity = activityIdentifier.trimmingCharacters(in: .whitespaces)
        // IATI: an activity's identifier begins with its reporting organisation's.
        if !Self.isIdentifier(activity) || !activity.hasPrefix(publisher + "-") { errors.add("activityIdentifier", "openData.error.activity") }
        var sectors: [OpenDataSettings.Sector] = []
        for line in lines(self.sectors) {
            guard line.count == 2, OpenDataCodes.sectors.contains(line[0]), let share = Bounded.integer(line[1], in: 1...100),
                  !sectors.contains(where: { $0.code == line[0] }) else {
                errors.add("sectors", "openData.error.sectors")
                break
            }
            sectors.append(.init(code: line[0], percentage: share))
        }
        if sectors.isEmpty || sectors.map(\.percentage).reduce(0, +) != 100 { errors.add("sectors", "openData.error.sectors") }
        let budget = Money(parsing: budget.isEmpty ? "0" : budget, currency: "EUR")
        if budget == nil { errors.add("budget", "form.error.amount") }
        var funds: [OpenDataSettings.Funds] = []
        let fundLines = lines(incomingFunds)
        if fundLines.count > 50 { errors.add("incomingFunds", "openData.error.funds") }
        for line in fundLines.prefix(50) {
            guard line.count == 2, let day = LocalDate(line[0]), programme.map({ $0.contains(day) }) ?? true,
                  let amount = Money(parsing: line[1], currency: "EUR"), amount.minorUnits > 0 else {
                errors.add("incomingFunds", "openData.error.funds")
                break
            }
            funds.append(.init(receivedOn: day, minorUnits: amount.minorUnits))
        }
        let prefix = givingPrefix.trimmingCharacters(in: .whitespaces)
        if !prefix.hasPrefix("360G-") || !Self.isIdentifier(prefix) { errors.add("givingPrefix", "openData.error.prefix") }
        guard errors.isEmpty, let budget else { return .failure(errors) }
        return .success(OpenDataSettings(publisherRef: publisher, publisherType: publisherType, funderRef: funder, funderType: funderType,
                                         activityIdentifier: activity, sectors: sectors, budgetMinorUnits: budget.minorUnits,
                                         incomingFunds: funds.sorted { $0.receivedOn < $1.receivedOn }, givingPrefix: prefix))
    }
}
