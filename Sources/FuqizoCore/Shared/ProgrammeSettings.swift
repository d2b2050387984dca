import Foundation

/// The programme's own settings, edited by an administrator. Later modules read their
/// thresholds from here; nothing in code hard-wires them.
public struct ProgrammeSettings: Codable, Sendable, Equatable {
    public var programmeNameSq: String
    public var programmeNameEn: String
    public var reference: String
    public var implementingOrganisation: String
    public var donor: String
    /// ISO 4217 code of the programme's accounts.
    public var currency: String
    /// Calendar dates, yyyy-MM-dd.
    public var startDate: String
    public var endDate: String
    /// Counts below these are suppressed in donor reports and on the public site.
    public var smallCellDonor: Int
    public var smallCellPublic: Int
    /// Months after case closure before identity data is destroyed.
    public var retentionMonths: Int
    /// What the public website shows. Optional in the stored document, which predates them:
    /// a document saved before reads with the defaults below.
    public var helplines: [Helpline]?
    public var contactEmail: String?
    public var contactPhone: String?
    public var contactAddress: String?
    public var partners: [String]?

    public static let defaults = ProgrammeSettings(
        programmeNameSq: "Fuqizo", programmeNameEn: "Fuqizo", reference: "", implementingOrganisation: "",
        donor: "European Union", currency: "EUR", startDate: "", endDate: "",
        smallCellDonor: 5, smallCellPublic: 11, retentionMonths: 24, helplines: Helpline.defaults)

    public init(programmeNameSq: String, programmeNameEn: String, reference: String, implementingOrganisation: String,
                donor: String, currency: String, startDate: String, endDate: String, smallCellDonor: Int,
                smallCellPublic: Int, retentionMonths: Int, helplines: [Helpline]? = nil, contactEmail: String? = nil,
                contactPhone: String? = nil, contactAddress: String? = nil, partners: [String]? = nil) {
        self.programmeNameSq = programmeNameSq
        self.programmeNameEn = programmeNameEn
        self.reference = reference
        self.implementingOrganisation = implementingOrganisation
        self.donor = donor
        self.currency = currency
        self.startDate = startDate
        self.endDate = endDate
        self.smallCellDonor = smallCellDonor
        self.smallCellPublic = smallCellPublic
        self.retentionMonths = retentionMonths
        self.helplines = helplines
        self.contactEmail = contactEmail
        self.contactPhone = contactPhone
        self.contactAddress = contactAddress
        self.partners = partners
    }

    /// The helplines the public pages show: the administrator's, or the national ones.
    public var publicHelplines: [Helpline] { helplines ?? Helpline.defaults }

    public func name(_ language: Language) -> String { language == .sq ? programmeNameSq : programmeNameEn }
}

/// The settings form as typed.
public struct ProgrammeSettingsForm: Codable, Sendable {
    public var programmeNameSq = ""
    public var programmeNameEn = ""
    public var reference = ""
    public var implementingOrganisation = ""
    public var donor = ""
    public var currency = ""
    public var startDate = ""
    public var endDate = ""
    public var smallCellDonor = ""
    public var smallCellPublic = ""
    public var retentionMonths = ""
    /// One helpline per line: Albanian name | English name | number.
    public var helplines = ""
    public var contactEmail = ""
    public var contactPhone = ""
    public var contactAddress = ""
    /// One partner per line.
    public var partners = ""

    public init() {}

    public init(from decoder: any Decoder) throws {
        let form = try decoder.container(keyedBy: CodingKeys.self)
        programmeNameSq = try form.text(.programmeNameSq)
        programmeNameEn = try form.text(.programmeNameEn)
        reference = try form.text(.reference)
        implementingOrganisation = try form.text(.implementingOrganisation)
        donor = try form.text(.donor)
        currency = try form.text(.currency)
        startDate = try form.text(.startDate)
        endDate = try form.text(.endDate)
        smallCellDonor = try form.text(.smallCellDonor)
        smallCellPublic = try form.text(.smallCellPublic)
        retentionMonths = try form.text(.retentionMonths)
        helplines = try form.text(.helplines)
        contactEmail = try form.text(.contactEmail)
        contactPhone = try form.text(.contactPhone)
        contactAddress = try form.text(.contactAddress)
        partners = try form.text(.partners)
    }

    public init(_ settings: ProgrammeSettings) {
        programmeNameSq = settings.programmeNameSq
        programmeNameEn = settings.programmeNameEn
        reference = settings.reference
        implementingOrganisation = settings.implementingOrganisation
        donor = settings.donor
        currency = settings.currency
        startDate = settings.startDate
        endDate = settings.endDate
        smallCellDonor = String(settings.smallCellDonor)
        smallCellPublic = String(settings.smallCellPublic)
        retentionMonths = String(settings.retentionMonths)
        helplines = settings.publicHelplines.map { "\($0.nameSq) | \($0.nameEn) | \($0.number)" }.joined(separator: "\n")
        contactEmail = settings.contactEmail ?? ""
        contactPhone = settings.contactPhone ?? ""
        contactAddress = settings.contactAddress ?? ""
        partners = (settings.partners ?? []).joined(separator: "\n")
    }

    public func validated() -> Result<ProgrammeSettings, FieldErrors> {
        var errors = FieldErrors()
        for (field, value) in [("programmeNameSq", programmeNameSq), ("programmeNameEn", programmeNameEn)] where Text.clean(value) == nil {
            errors.add(field, "form.error.required")
        }
        let code = currency.trimmingCharacters(in: .whitespaces).uppercased()
        if code.count != 3 || !code.allSatisfy({ $0.isASCII && $0.isLetter }) { errors.add("currency", "settings.error.currency") }
        let start = Text.clean(startDate), end = Text.clean(endDate)
        if let start, LocalDate(start) == nil { errors.add("startDate", "form.error.date") }
        if let end, LocalDate(end) == nil { errors.add("endDate", "form.error.date") }
        if let start = start.flatMap(LocalDate.init), let end = end.flatMap(LocalDate.init), end < start {
            errors.add("endDate", "settings.error.endBeforeStart")
        }
        func whole(_ text: String, _ field: String, _ range: ClosedRange<Int>) -> Int {
            guard let value = Bounded.integer(text, in: range) else {
                errors.add(field, "settings.error.range")
                return 0
            }
            return value
        }
        let donorCell = whole(smallCellDonor, "smallCellDonor", SmallCells.floor...100)
        let publicCell = whole(smallCellPublic, "smallCellPublic", SmallCells.floor...100)
        let retention = whole(retentionMonths, "retentionMonths", 1...120)
        let lines = Helpline.parse(helplines)
        if lines == nil { errors.add("helplines", "settings.error.helplines") }
        else if lines?.isEmpty == true { errors.add("helplines", "settings.error.helplineRequired") }
        let email = Text.clean(contactEmail)
        if let email, !Text.isEmail(email) { errors.add("contactEmail", "form.error.email") }
        let phone = Text.clean(contactPhone)
        if let phone, !Helpline.isNumber(phone) { errors.add("contactPhone", "settings.error.phone") }
        let address = Text.clean(contactAddress)
        if (address?.count ?? 0) > 300 { errors.add("contactAddress", "form.error.tooLong") }
        let partnerNames = partners.split(whereSeparator: \.isNewline).compactMap { Text.clean(String($0)) }
        if partnerNames.count > 30 || partnerNames.contains(where: { $0.count > 150 }) { errors.add("partners", "settings.error.partners") }
        guard errors.isEmpty else { return .failure(errors) }
        return .success(ProgrammeSettings(
            programmeNameSq: Text.clean(programmeNameSq)!, programmeNameEn: Text.clean(programmeNameEn)!,
            reference: Text.clean(reference) ?? "", implementingOrganisation: Text.clean(implementingOrganisation) ?? "",
            donor: Text.clean(donor) ?? "", currency: code, startDate: start ?? "", endDate: end ?? "",
            smallCellDonor: donorCell, smallCellPublic: publicCell, retentionMonths: retention, helplines: lines,
            contactEmail: email.map(Text.normalisedEmail), contactPhone: phone, contactAddress: address,
            partners: partnerNames.isEmpty ? nil : partnerNames))
    }
}

/// A telephone line the public website shows to someone who may be in danger.
public struct Helpline: Codable, Sendable, Equatable {
    public var nameSq: String
    public var nameEn: String
    public var number: String

    public init(nameSq: String, nameEn: String, number: String) {
        self.nameSq = nameSq
        self.nameEn = nameEn
        self.number = number
    }

    public func name(_ language: Language) -> String { language == .sq ? nameSq : nameEn }

    /// The number as a `tel:` address: its digits and a leading plus.
    public var dialable: String { "tel:" + number.filter { $0 == "+" || $0.isASCII && $0.isNumber } }

    /// Albania's free national line for women and girls, and the State Police. The
    /// administrator checks and completes them in the settings.
    public static let defaults = [
        Helpline(nameSq: "Linja Kombëtare e Këshillimit për Gra dhe Vajza", nameEn: "National counselling line for women and girls", number: "116 117"),
        Helpline(nameSq: "Policia e Shtetit", nameEn: "State Police", number: "129"),
    ]

    /// Digits with spaces, hyphens and a leading plus; 3 to 20 characters.
    public static func isNumber(_ text: String) -> Bool {
        guard (3...20).contains(text.count), text.first.map({ $0 == "+" || $0.isASCII && $0.isNumber }) == true else { return false }
        return text.dropFirst().allSatisfy { $0 == " " || $0 == "-" || $0.isASCII && $0.isNumber }
    }

    /// The settings' lines ("Albanian name | English name | number"), blank lines skipped; nil
    /// when a line does not read or there are more than eight.
    public static func parse(_ text: String) -> [Helpline]? {
        var found: [Helpline] = []
        for line in text.split(whereSeparator: \.isNewline) where Text.clean(String(line)) != nil {
            let parts = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty, parts[0].count <= 100, parts[1].count <= 100,
                  isNumber(parts[2]) else { return nil }
            found.append(Helpline(nameSq: parts[0], nameEn: parts[1], number: parts[2]))
        }
        return found.count <= 8 ? found : nil
    }
}

/// A calendar date without a time zone (yyyy-MM-dd), for dates people mean as days.
public struct LocalDate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, let year = Int(parts[0]), let month = Int(parts[1]),
              let day = Int(parts[2]), (1...12).contains(month), (1...31).contains(day) else { return nil }
        var components = DateComponents()
        components.year = year
        components.month = month
        components.day = day
        let calendar = Calendar(identifier: .gregorian)
        guard let date = calendar.date(from: components),
              calendar.component(.day, from: date) == day, calendar.component(.month, from: date) == month else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    public var description: String { String(format: "%04d-%02d-%02d", year, month, day) }

    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }
}
