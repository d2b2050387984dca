import Foundation

// A grantee's reports on its contract: the narrative (what was done, results against the
// logframe, difficulties) and the financial report (expenditure lines against the budget).

/// An exchange rate as typed: lek per euro ("117.85"), up to four decimals, kept as an integer
/// number of ten-thousandths so that conversions are exact and auditable.
public struct ExchangeRate: Sendable, Equatable, Codable {
    /// Units of the line's currency per unit of the contract's, times 10,000.
    public let tenThousandths: Int64

    public init?(tenThousandths: Int64) {
        guard tenThousandths > 0, tenThousandths <= 100_000_000_000 else { return nil }
        self.tenThousandths = tenThousandths
    }

    /// "117,85" or "117.85"; at most four decimals, above zero and below ten million.
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: ".")
        let parts = trimmed.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = parts.first, !whole.isEmpty, whole.count <= 7,
              whole.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        let fraction = parts.count == 2 ? parts[1] : ""
        guard fraction.count <= 4, fraction.allSatisfy({ $0.isASCII && $0.isNumber }), let units = Int64(whole) else { return nil }
        let decimals = Int64(fraction.padding(toLength: 4, withPad: "0", startingAt: 0)) ?? 0
        self.init(tenThousandths: units * 10_000 + decimals)
    }

    /// An amount in the line's currency, in the contract's currency, rounded half up to the cent.
    public func convert(_ minorUnits: Int64) -> Int64 {
        let scaled = minorUnits.saturatingMultiplied(by: 10_000)
        return (scaled.saturatingAdding(tenThousandths / 2)) / tenThousandths
    }

    public static let one = ExchangeRate(tenThousandths: 10_000)!

    /// "117.85" for forms.
    public var text: String {
        let fraction = tenThousandths % 10_000
        guard fraction != 0 else { return String(tenThousandths / 10_000) }
        var digits = String(fraction)
        digits = String(repeating: "0", count: 4 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(tenThousandths / 10_000).\(digits)"
    }
}

/// One expenditure line as typed: which budget line it is charged to, when, to whom, how much
/// in which currency, and (for lek) the rate used and where it came from.
public struct ExpenditureForm: Codable, Sendable, Equatable {
    public var budgetLine = ""
    public var spentOn = ""
    public var supplier = ""
    public var description = ""
    public var amount = ""
    public var currency = ""
    public var rate = ""
    public var rateSource = ""

    public init(budgetLine: String = "", spentOn: String = "", supplier: String = "", description: String = "", amount: String = "",
                currency: String = "", rate: String = "", rateSource: String = "") {
        (self.budgetLine, self.spentOn, self.supplier, self.description) = (budgetLine, spentOn, supplier, description)
        (self.amount, self.currency, self.rate, self.rateSource) = (amount, currency, rate, rateSource)
    }

    public init(from decoder: any Decoder) throws {
        let form = try decoder.container(keyedBy: CodingKeys.self)
        budgetLine = try form.text(.budgetLine)
        spentOn = try form.text(.spentOn)
        supplier = try form.text(.supplier)
        description = try form.text(.description)
        amount = try form.text(.amount)
        currency = try form.text(.currency)
        rate = try form.text(.rate)
        rateSource = try form.text(.rateSource)
    }

    /// The currencies a line may be paid in: the contract's, and lek.
    public static func currencies(contract: String) -> [String] { contract == "ALL" ? ["ALL"] : [contract, "ALL"] }
    public static let maximumText = 200

    public struct Line: Sendable, Equatable {
        public let budgetLine: Int
        public let heading: BudgetHeading
        public let spentOn: LocalDate
        public let supplier: String
        public let description: String
        public let originalMinorUnits: Int64
        public let currency: String
        public let rate: ExchangeRate
        public let rateSource: String?
        /// In the contract's currency.
        public let minorUnits: Int64
    }

    /// The line, or one message per field. Dates within the contract's period (and not in the
    /// future); a foreign-currency amount needs its rate and the rate's source.
    public func validated(budget: [BudgetLine], contractCurrency: String, start: LocalDate, end: LocalDate, today: LocalDate)
        -> Result<Line, FieldErrors> {
        var errors = FieldErrors()
        let index = Bounded.integer(budgetLine, in: 0...max(0, budget.count - 1))
        if index == nil || budget.isEmpty { errors.add("budgetLine", "form.error.choose") }
        let day = ContractForm.date(spentOn)
        if let day {
            if today < day { errors.add("spentOn", "expenditure.error.future") }
            else if day < start || end < day { errors.add("spentOn", "expenditure.error.outsidePeriod") }
        } else { errors.add("spentOn", "form.error.date") }
        let supplierText = Text.clean(supplier)
        if supplierText == nil { errors.add("supplier", "form.error.required") }
        else if supplierText!.count > Self.maximumText { errors.add("supplier", "form.error.tooLong") }
        let descriptionText = Text.clean(description) ?? ""
        if descriptionText.count > Self.maximumText { errors.add("description", "form.error.tooLong") }
        let code = currency.trimmingCharacters(in: .whitespaces).uppercased()
        if !Self.currencies(contract: contractCurrency).contains(code) { errors.add("currency", "form.error.choose") }
        let money = Money(parsing: amount, currency: code)
        if money == nil || money!.minorUnits == 0 { errors.add("amount", "form.error.amount") }
        var exchange = ExchangeRate.one
        var source: String?
        if code != contractCurrency, Self.currencies(contract: contractCurrency).contains(code) {
            if let parsed = ExchangeRate(parsing: rate) { exchange = parsed } else { errors.add("rate", "expenditure.error.rate") }
            source = Text.clean(rateSource)
            if source == nil { errors.add("rateSource", "expenditure.error.rateSource") }
            else if source!.count > Self.maximumText { errors.add("rateSource", "form.error.tooLong") }
        }
        guard errors.isEmpty, let index, let day, let supplierText, let money else { return .failure(errors) }
        return .success(Line(budgetLine: index, heading: budget[index].heading, spentOn: day, supplier: supplierText, description: descriptionText,
                             originalMinorUnits: money.minorUnits, currency: code, rate: exchange, rateSource: source,
                             minorUnits: exchange.convert(money.minorUnits)))
    }
}

/// The narrative report as typed: activities, each logframe result's actual value, difficulties.
public struct NarrativeForm: Codable, Sendable, Equatable {
    public var activities = ""
    public var difficulties = ""
    /// The actual value reached for each result row of the contract's logframe, in order.
    public var actuals: [String] = []

    public init(activities: String = "", difficulties: String = "", actuals: [String] = []) {
        (self.activities, self.difficulties, self.actuals) = (activities, difficulties, actuals)
    }

    public init(from decoder: any Decoder) throws {
        let form = try decoder.container(keyedBy: CodingKeys.self)
        activities = try form.text(.activities)
        difficulties = try form.text(.difficulties)
        actuals = try form.decodeIfPresent([String].self, forKey: .actuals) ?? []
    }

    public static let maximumLength = 12_000

    /// What must be there before the report is submitted: the activities, and an actual value
    /// for every result (a number or words, as the indicator says).
    public func problems(results: Int) -> FieldErrors {
        var errors = FieldErrors()
        if Text.clean(activities) == nil { errors.add("activities", "form.error.required") }
        for (field, text) in [("activities", activities), ("difficulties", difficulties)] where text.count > Self.maximumLength {
            errors.add(field, "form.error.tooLong")
        }
        for index in 0..<results where Text.clean(actuals.indices.contains(index) ? actuals[index] : "") == nil {
            errors.add("actual-\(index)", "report.error.actual")
        }
        return errors
    }

    /// Stored as typed, with as many actual values as results and each one bounded.
    public func trimmed(results: Int) -> NarrativeForm {
        var copy = self
        copy.activities = String(activities.prefix(Self.maximumLength))
        copy.difficulties = String(difficulties.prefix(Self.maximumLength))
        copy.actuals = (0..<max(0, results)).map { actuals.indices.contains($0) ? String(actuals[$0].prefix(200)) : "" }
        return copy
    }
}

/// When a grantee may submit a report: once its period has ended (the final one from 30 days
/// before the contract's end), after the reports before it are approved, while the contract runs.
public enum ReportRule {
    public static func maySubmit(_ report: PlannedReport, contract: ContractStatus, today: LocalDate,
                               earlierApproved: Bool) -> WorkflowRefusal? {
        guard contract == .inImplementation || contract == .signed else { return WorkflowRefusal("report.error.contractNotRunning") }
        guard report.periodEnd <= today || report.kind == .final && report.periodEnd.adding(days: -30) <= today else {
            return WorkflowRefusal("report.error.periodNotOver")
        }
        return earlierApproved ? nil : WorkflowRefusal("report.error.earlierFirst")
    }

    /// A report not yet submitted is reminded of once on its first reminder day (the set days
    /// before it is due), and on each day it is overdue.
    public static func remindsOn(_ today: LocalDate, remindFrom: LocalDate, due: LocalDate) -> Bool {
        today == remindFrom || due < today
    }
}
