import Foundation

/// The terms the grants officer sets when generating a contract from an award, as typed.
public struct ContractForm: Codable, Sendable, Equatable {
    public var amount = ""
    public var startDate = ""
    public var endDate = ""
    /// The language the contract is printed in: the grantee's.
    public var language = ""

    public init(amount: String = "", startDate: String = "", endDate: String = "", language: String = "") {
        (self.amount, self.startDate, self.endDate, self.language) = (amount, startDate, endDate, language)
    }

    public init(from decoder: any Decoder) throws {
        let form = try decoder.container(keyedBy: CodingKeys.self)
        amount = try form.text(.amount)
        startDate = try form.text(.startDate)
        endDate = try form.text(.endDate)
        language = try form.text(.language)
    }

    /// The longest contract the programme signs, in months.
    public static let maximumMonths = 60
    /// Contract dates fall in these years: anything else is a typing mistake.
    public static let years = 2000...2100

    public struct Terms: Sendable, Equatable {
        public let amountMinorUnits: Int64
        public let start: LocalDate
        public let end: LocalDate
        public let language: Language

        public var months: Int { ContractDuration.months(from: start, to: end) }
    }

    /// The typed terms, or one message per field. The amount is never above the award nor the
    /// call's cap per CSO; the end comes after the start, within the longest duration.
    public func validated(awardedMinorUnits: Int64, capMinorUnits: Int64, currency: String) -> Result<Terms, FieldErrors> {
        var errors = FieldErrors()
        let money = Money(parsing: amount, currency: currency)
        if let money {
            if money.minorUnits <= 0 { errors.add("amount", "contract.error.amountZero") }
            else if money.minorUnits > awardedMinorUnits { errors.add("amount", "contract.error.aboveAward") }
            else if money.minorUnits > capMinorUnits { errors.add("amount", "contract.error.aboveCap") }
        } else {
            errors.add("amount", "form.error.amount")
        }
        let start = Self.date(startDate), end = Self.date(endDate)
        if start == nil { errors.add("startDate", "form.error.date") }
        if end == nil { errors.add("endDate", "form.error.date") }
        if let start, let end {
            if end <= start { errors.add("endDate", "contract.error.endBeforeStart") }
            else if ContractDuration.months(from: start, to: end) > Self.maximumMonths { errors.add("endDate", "contract.error.tooLong") }
        }
        let language = Language(rawValue: language)
        if language == nil { errors.add("language", "form.error.choose") }
        guard errors.isEmpty, let money, let start, let end, let language else { return .failure(errors) }
        return .success(Terms(amountMinorUnits: money.minorUnits, start: start, end: end, language: language))
    }

    static func date(_ text: String) -> LocalDate? {
        guard let date = LocalDate(text.trimmingCharacters(in: .whitespaces)), years.contains(date.year) else { return nil }
        return date
    }
}

/// The two signatures of a contract and the day each party signed, as typed.
public struct SignatureForm: Codable, Sendable, Equatable {
    public var grantee = ""
    public var programme = ""

    public init(grantee: String = "", programme: String = "") {
        (self.grantee, self.programme) = (grantee, programme)
    }

    public init(from decoder: any Decoder) throws {
        let form = try decoder.container(keyedBy: CodingKeys.self)
        grantee = try form.text(.grantee)
        programme = try form.text(.programme)
    }

    /// Both dates, neither in the future nor before the contract was sent.
    public func validated(sentOn: LocalDate, today: LocalDate) -> Result<(grantee: LocalDate, programme: LocalDate), FieldErrors> {
        var errors = FieldErrors()
        func check(_ text: String, _ field: String) -> LocalDate? {
            guard let date = ContractForm.date(text) else { errors.add(field, "form.error.date"); return nil }
            if today < date { errors.add(field, "contract.error.signedInFuture"); return nil }
            if date < sentOn { errors.add(field, "contract.error.signedBeforeSent"); return nil }
            return date
        }
        let grantee = check(self.grantee, "grantee"), programme = check(self.programme, "programme")
        guard let grantee, let programme else { return .failure(errors) }
        return .success((grantee, programme))
    }
}
