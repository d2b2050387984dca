import Foundation

/// The money and reporting rules of grant contracts, all settings of the call (defaults after
/// PRAG and product.md §3), copied into each contract when it is generated so that a later
/// change to the call never rewrites a signed contract.
public struct ContractSettings: Codable, Sendable, Equatable {
    /// The pre-financing paid after signature, as a share of the grant (8000 = 80 %). For a
    /// grant longer than one reporting period it is spread over the periods.
    public var preFinancingBasisPoints: Int
    /// A further pre-financing tranche is paid in full only when this share of the previous
    /// tranche (and all of the earlier ones) is reported as spent (7000 = 70 %).
    public var furtherTrancheSpentBasisPoints: Int
    /// All pre-financing together never exceeds this share of the grant (9000 = 90 %).
    public var preFinancingCapBasisPoints: Int
    /// The length of a reporting period, and the grant length above which pre-financing comes
    /// in several tranches (12 months).
    public var periodMonths: Int
    /// An interim report is due this many days after its period ends.
    public var interimReportDays: Int
    /// The final report is due this many days after the contract ends.
    public var finalReportDays: Int
    /// A transfer into a budget heading above this share of the heading needs an amendment
    /// (2500 = 25 %).
    public var transferWithoutAmendmentBasisPoints: Int
    /// Reminders about a report start this many days before it is due.
    public var reminderDaysBefore: Int

    public init(preFinancingBasisPoints: Int = 8000, furtherTrancheSpentBasisPoints: Int = 7000,
                preFinancingCapBasisPoints: Int = 9000, periodMonths: Int = 12, interimReportDays: Int = 30,
                finalReportDays: Int = 60, transferWithoutAmendmentBasisPoints: Int = 2500, reminderDaysBefore: Int = 7) {
        self.preFinancingBasisPoints = preFinancingBasisPoints
        self.furtherTrancheSpentBasisPoints = furtherTrancheSpentBasisPoints
        self.preFinancingCapBasisPoints = preFinancingCapBasisPoints
        self.periodMonths = periodMonths
        self.interimReportDays = interimReportDays
        self.finalReportDays = finalReportDays
        self.transferWithoutAmendmentBasisPoints = transferWithoutAmendmentBasisPoints
        self.reminderDaysBefore = reminderDaysBefore
    }

    public static let `default` = ContractSettings()

    /// Each setting outside its sensible range, by field (catalog keys). Pre-financing above
    /// the cap could never be paid as planned.
    public var problems: FieldErrors {
        var errors = FieldErrors()
        if !(0...10_000).contains(preFinancingBasisPoints) || preFinancingBasisPoints > preFinancingCapBasisPoints {
            errors.add("preFinancing", "contractSettings.error.preFinancing")
        }
        if !(0...10_000).contains(furtherTrancheSpentBasisPoints) { errors.add("furtherTrancheSpent", "contractSettings.error.share") }
        if !(0...10_000).contains(preFinancingCapBasisPoints) { errors.add("preFinancingCap", "contractSettings.error.share") }
        if !(1...60).contains(periodMonths) { errors.add("periodMonths", "contractSettings.error.period") }
        if !(0...365).contains(interimReportDays) { errors.add("interimReportDays", "contractSettings.error.days") }
        if !(0...365).contains(finalReportDays) { errors.add("finalReportDays", "contractSettings.error.days") }
        if !(0...10_000).contains(transferWithoutAmendmentBasisPoints) { errors.add("transferWithoutAmendment", "contractSettings.error.share") }
        if !(0...60).contains(reminderDaysBefore) { errors.add("reminderDaysBefore", "contractSettings.error.days") }
        return errors
    }
}

extension ContractSettings {
    /// Settings stored before a field existed read as its default: the JSON grows, old rows stay valid.
    public init(from decoder: any Decoder) throws {
        let stored = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = ContractSettings.default
        func value(_ key: CodingKeys, _ fallback: Int) throws -> Int { try stored.decodeIfPresent(Int.self, forKey: key) ?? fallback }
        self.init(preFinancingBasisPoints: try value(.preFinancingBasisPoints, defaults.preFinancingBasisPoints),
                  furtherTrancheSpentBasisPoints: try value(.furtherTrancheSpentBasisPoints, defaults.furtherTrancheSpentBasisPoints),
                  preFinancingCapBasisPoints: try value(.preFinancingCapBasisPoints, defaults.preFinancingCapBasisPoints),
                  periodMonths: try value(.periodMonths, defaults.periodMonths),
                  interimReportDays: try value(.interimReportDays, defaults.interimReportDays),
                  finalReportDays: try value(.finalReportDays, defaults.finalReportDays),
                  transferWithoutAmendmentBasisPoints: try value(.transferWithoutAmendmentBasisPoints, defaults.transferWithoutAmendmentBasisPoints),
                  reminderDaysBefore: try value(.reminderDaysBefore, defaults.reminderDaysBefore))
    }
}

/// `APP-2019-01-014` gives the contract number `GC-2019-01-014`: one number per award, which
/// the grantee recognises from the application.
public enum ContractNumber {
    public static func of(application reference: String) -> String? {
        guard reference.hasPrefix("APP-"), reference.count > 4 else { return nil }
        return "GC-\(reference.dropFirst(4))"
    }
}

/// The length of a contract in whole months, counting a started month as one: 1 Jan – 31 Dec
/// is 12 months, 1 Jan – 1 Jan a year later 13.
public enum ContractDuration {
    public static func months(from start: LocalDate, to end: LocalDate) -> Int {
        guard end >= start else { return 0 }
        var months = (end.year - start.year) * 12 + (end.month - start.month)
        if end.day >= start.day { months += 1 }
        return max(1, months)
    }
}

/// One tranche the contract plans to pay.
public struct PlannedTranche: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// After signature.
        case preFinancing
        /// After an interim report shows the previous tranches spent.
        case furtherPreFinancing
        /// After the final report: what eligible expenditure leaves of the grant.
        case balance

        public var catalogKey: String { "tranche.kind.\(rawValue)" }
    }

    public let number: Int
    public let kind: Kind
    public let amountMinorUnits: Int64

    public init(number: Int, kind: Kind, amountMinorUnits: Int64) {
        self.number = number
        self.kind = kind
        self.amountMinorUnits = amountMinorUnits
    }

    /// Its share of the grant, in basis points (4000 = 40 %).
    public func shareBasisPoints(ofGrant grant: Int64) -> Int {
        Int(clamping: amountMinorUnits.saturatingMultiplied(by: 10_000) / max(1, grant))
    }
}

/// A report the contract asks for.
public struct PlannedReport: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case interim
        case final

        public var catalogKey: String { "report.kind.\(rawValue)" }
    }

    public let number: Int
    public let kind: Kind
    /// The last day of the period it covers.
    public let periodEnd: LocalDate
    public let due: LocalDate

    public init(number: Int, kind: Kind, periodEnd: LocalDate, due: LocalDate) {
        self.number = number
        self.kind = kind
        self.periodEnd = periodEnd
        self.due = due
    }
}

public enum ContractPlan {
    /// The tranches of a grant. Pre-financing is the set share of the grant; for a grant longer
    /// than one period it is spread over the periods in proportion to their months, each
    /// period's tranche paid after the report on the one before. The balance is the rest.
    /// Cents are never lost: tranches are differences of rounded running totals, and they add
    /// up to the grant exactly.
    public static func tranches(grant: Int64, months: Int, settings: ContractSettings) -> [PlannedTranche] {
        let grant = max(0, grant)
        // A century of months is far beyond any contract; the clamp keeps the arithmetic exact.
        let months = Int64(min(1200, max(1, months)))
        let period = Int64(min(1200, max(1, settings.periodMonths)))
        let share = min(settings.preFinancingBasisPoints, settings.preFinancingCapBasisPoints)
        let preFinancing = Money(minorUnits: grant, currency: "EUR").share(basisPoints: share).minorUnits
        var tranches: [PlannedTranche] = []
        var paidSoFar: Int64 = 0
        var monthsCovered: Int64 = 0
        while monthsCovered < months {
            monthsCovered = min(months, monthsCovered + period)
            // preFinancing × covered / months, split so that no product can overflow.
            let runningTotal = preFinancing / months * monthsCovered + preFinancing % months * monthsCovered / months
            tranches.append(PlannedTranche(number: tranches.count + 1, kind: tranches.isEmpty ? .preFinancing : .furtherPreFinancing,
                                           amountMinorUnits: runningTotal - paidSoFar))
            paidSoFar = runningTotal
        }
        tranches.append(PlannedTranche(number: tranches.count + 1, kind: .balance, amountMinorUnits: grant - paidSoFar))
        return tranches
    }

    /// The tranche plan for a new length when the first `requested` tranches are already asked
    /// for or paid: those stay as they were; the pre-financing still to come follows the new
    /// plan's running total, never below what was already given; the balance is the rest, so
    /// the tranches still add up to the grant.
    public static func replanned(_ old: [PlannedTranche], keeping requested: Int, grant: Int64, months: Int,
                                 settings: ContractSettings) -> [PlannedTranche] {
        let fresh = tranches(grant: grant, months: months, settings: settings)
        let kept = Array(old.prefix(max(0, requested)).filter { $0.kind != .balance })
        guard !kept.isEmpty else { return fresh }
        var plan = kept
        var covered = min(max(0, grant), kept.map(\.amountMinorUnits).saturatingSum())
        var running: Int64 = 0
        for (index, tranche) in fresh.enumerated() where tranche.kind != .balance {
            running += tranche.amountMinorUnits
            guard index >= kept.count, running > covered else { continue }
            plan.append(PlannedTranche(number: plan.count + 1, kind: .furtherPreFinancing, amountMinorUnits: running - covered))
            covered = running
        }
        plan.append(PlannedTranche(number: plan.count + 1, kind: .balance, amountMinorUnits: max(0, grant) - covered))
        return plan
    }

    /// An interim report after each period but the last, due the set days after the period;
    /// the final report the set days after the end.
    public static func reports(start: LocalDate, end: LocalDate, settings: ContractSettings) -> [PlannedReport] {
        let months = ContractDuration.months(from: start, to: end)
        let period = min(1200, max(1, settings.periodMonths))
        var reports: [PlannedReport] = []
        var covered = period
        while covered < months {
            let periodEnd = start.adding(months: covered).adding(days: -1)
            reports.append(PlannedReport(number: reports.count + 1, kind: .interim, periodEnd: periodEnd,
                                         due: periodEnd.adding(days: settings.interimReportDays)))
            covered += period
        }
        reports.append(PlannedReport(number: reports.count + 1, kind: .final, periodEnd: end, due: end.adding(days: settings.finalReportDays)))
        return reports
    }
}

/// What a contract fixes beyond its amount and dates, copied from the award when it is
/// generated: the budget by heading and line, the logframe its reports answer, the rules, and
/// the schedules those give. An amendment replaces it with a new version.
public struct ContractTerms: Codable, Sendable, Equatable {
    public var settings: ContractSettings
    public var budget: [BudgetLine]
    /// The results and indicators of the application's logframe, with their baselines and targets.
    public var results: [ApplicationContent.ResultRow]
    /// The activities the grant pays for, as the application describes them.
    public var activities: String
    public var tranches: [PlannedTranche]
    public var reports: [PlannedReport]

    public init(settings: ContractSettings, budget: [BudgetLine], results: [ApplicationContent.ResultRow], activities: String,
                amountMinorUnits: Int64, start: LocalDate, end: LocalDate) {
        self.settings = settings
        self.budget = budget
        self.results = results
        self.activities = activities
        tranches = ContractPlan.tranches(grant: amountMinorUnits, months: ContractDuration.months(from: start, to: end), settings: settings)
        reports = ContractPlan.reports(start: start, end: end, settings: settings)
    }

    /// The budget's total per heading.
    public var budgetByHeading: [BudgetHeading: Int64] {
        Dictionary(grouping: budget, by: \.heading).mapValues { $0.map(\.totalMinorUnits).saturatingSum() }
    }
}
