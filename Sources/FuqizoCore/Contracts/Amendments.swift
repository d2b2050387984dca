import Foundation

/// What an amendment changes: the end date, the budget (each line's new total), the eligible
/// activities, or several at once. The grant's amount never changes by amendment.
public struct AmendmentChanges: Codable, Sendable, Equatable {
    public var endDate: LocalDate?
    /// The new total of each budget line, in the order of the contract's budget.
    public var lineTotals: [Int64]?
    public var activities: String?

    public init(endDate: LocalDate? = nil, lineTotals: [Int64]? = nil, activities: String? = nil) {
        self.endDate = endDate
        self.lineTotals = lineTotals
        self.activities = activities
    }

    public var isEmpty: Bool { endDate == nil && lineTotals == nil && activities == nil }
}

/// An amendment as typed by the grantee or the grants officer.
public struct AmendmentForm: Codable, Sendable, Equatable {
    public var endDate = ""
    /// One amount per budget line; blank keeps the line as it is.
    public var lines: [String] = []
    public var activities = ""
    public var reason = ""

    public init(endDate: String = "", lines: [String] = [], activities: String = "", reason: String = "") {
        (self.endDate, self.lines, self.activities, self.reason) = (endDate, lines, activities, reason)
    }

    public init(from decoder: any Decoder) throws {
        let form = try decoder.container(keyedBy: CodingKeys.self)
        endDate = try form.text(.endDate)
        lines = try form.decodeIfPresent([String].self, forKey: .lines) ?? []
        activities = try form.text(.activities)
        reason = try form.text(.reason)
    }

    /// The changes and the reason, or one message per field. A new end date comes after the
    /// start and the contract stays within the longest length; new line totals are amounts
    /// adding up to the same budget total; at least one thing changes.
    public func validated(terms: ContractTerms, start: LocalDate, end: LocalDate, currency: String)
        -> Result<(changes: AmendmentChanges, reason: String), FieldErrors> {
        var errors = FieldErrors()
        var changes = AmendmentChanges()
        if Text.clean(endDate) != nil {
            if let day = ContractForm.date(endDate) {
                if day <= start { errors.add("endDate", "contract.error.endBeforeStart") }
                else if ContractDuration.months(from: start, to: day) > ContractForm.maximumMonths { errors.add("endDate", "contract.error.tooLong") }
                else if day != end { changes.endDate = day }
            } else { errors.add("endDate", "form.error.date") }
        }
        if lines.contains(where: { Text.clean($0) != nil }) {
            var totals = terms.budget.map(\.totalMinorUnits)
            for (index, text) in lines.enumerated() where Text.clean(text) != nil {
                guard totals.indices.contains(index) else { continue }
                if let money = Money(parsing: text, currency: currency) { totals[index] = money.minorUnits }
                else { errors.add("line-\(index)", "form.error.amount") }
            }
            // The grant never changes by amendment, so neither does the budget's total:
            // an amendment moves money between lines.
            let before = terms.budget.map(\.totalMinorUnits).saturatingSum()
            if errors.isEmpty, totals.saturatingSum() != before {
                errors.add("line-0", "amendment.error.budgetTotal")
            } else if totals != terms.budget.map(\.totalMinorUnits) { changes.lineTotals = totals }
        }
        if let text = Text.clean(activities), text != Text.clean(terms.activities) {
            if text.count > ApplicationContent.maximumSectionLength { errors.add("activities", "form.error.tooLong") }
            else { changes.activities = text }
        }
        let why = ConfirmationForm(confirmed: "yes", reason: reason).writtenReason()
        if case .failure(let problems) = why { errors.merge(problems) }
        if errors.isEmpty, changes.isEmpty { errors.add("amendment", "amendment.error.nothing") }
        guard errors.isEmpty, case .success(let reason) = why else { return .failure(errors) }
        return .success((changes, reason))
    }
}

extension ContractTerms {
    /// The terms after an amendment: new line totals (each line becomes one unit at its new
    /// total), new activities, and for a new end date the reporting calendar and tranche plan
    /// of the new length, keeping the first `requestedTranches` tranches (already asked for or
    /// paid) as they were.
    public func amended(by changes: AmendmentChanges, amountMinorUnits: Int64, start: LocalDate, end: LocalDate,
                        requestedTranches: Int = 0) -> ContractTerms {
        var terms = self
        if let totals = changes.lineTotals {
            terms.budget = zip(budget, totals).map { line, total in
                BudgetLine(heading: line.heading, description: line.description, units: 1, unitCostMinorUnits: total)
            }
        }
        if let activities = changes.activities { terms.activities = activities }
        let newEnd = changes.endDate ?? end
        if changes.endDate != nil {
            terms.tranches = ContractPlan.replanned(tranches, keeping: requestedTranches, grant: amountMinorUnits,
                                                    months: ContractDuration.months(from: start, to: newEnd), settings: settings)
            terms.reports = ContractPlan.reports(start: start, end: newEnd, settings: settings)
        }
        return terms
    }
}
