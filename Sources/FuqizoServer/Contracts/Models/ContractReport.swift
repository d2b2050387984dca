import Fluent
import Foundation
import FuqizoCore
import SQLKit

/// One report a contract asks for (interim or final), from its planned due date to its
/// approval: the narrative as the grantee wrote it, its expenditure lines, the review.
final class ContractReport: Model, @unchecked Sendable {
    static let schema = "contract_reports"

    // managed fields
    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    // data fields
    /// Its place in the contract's reporting calendar (1, 2, …).
    @Field(key: "number") var number: Int
    @Enum(key: "kind") var kind: PlannedReport.Kind
    @Field(key: "period_end") var periodEnd: String
    @Field(key: "due_date") var dueDate: String
    /// The first reminder's day: the contract's reminder days before the due date.
    @Field(key: "remind_from") var remindFrom: String
    /// Its lifecycle: a value no case names fails to load, never falls back.
    @Enum(key: "status") var status: ReportStatus
    /// `NarrativeForm` as JSON, as typed.
    @OptionalField(key: "narrative") var narrative: String?
    @OptionalField(key: "submitted_on") var submittedOn: String?
    @OptionalField(key: "submitted_by") var submittedBy: UUID?
    @OptionalField(key: "reviewed_on") var reviewedOn: String?
    @OptionalField(key: "reviewed_by") var reviewedBy: UUID?
    /// The officer's general comment when returning it.
    @OptionalField(key: "review_comment") var reviewComment: String?

    // relationships
    @Parent(key: "contract_id") var contract: GrantContract

    init() {}

    /// A draft report of this contract's calendar.
    convenience init(contract: UUID, planned: PlannedReport, settings: ContractSettings) {
        self.init()
        $contract.id = contract
        number = planned.number
        status = .draft
        follow(planned, settings: settings)
    }

    /// Takes the calendar's kind, period, due day and first reminder day (at signature, or
    /// after an amendment moved the end).
    func follow(_ planned: PlannedReport, settings: ContractSettings) {
        kind = planned.kind
        periodEnd = planned.periodEnd.description
        dueDate = planned.due.description
        remindFrom = planned.due.adding(days: -max(0, settings.reminderDaysBefore)).description
    }

    var due: LocalDate? { LocalDate(dueDate) }
    var planned: PlannedReport? {
        guard let end = LocalDate(periodEnd), let due else { return nil }
        return PlannedReport(number: number, kind: kind, periodEnd: end, due: due)
    }

    func narrativeForm() -> NarrativeForm {
        narrative.flatMap { try? StoredJSON.decode(NarrativeForm.self, from: $0) } ?? NarrativeForm()
    }
}

/// One expenditure line of a financial report, charged to one line of the contract's budget.
final class ExpenditureLine: Model, @unchecked Sendable {
    /// A line as the report's page and exports read it, with plain SQL: decoding a model by
    /// reflection cost more than the query.
    struct Row: Decodable, Sendable {
        let id: UUID
        let budgetLine: Int
        let heading: BudgetHeading
        let spentOn: String
        let supplier: String
        let description: String
        let originalMinorUnits: Int64
        let currency: String
        let rate: Int64
        let rateSource: String?
        let minorUnits: Int64
        let comment: String?

        enum CodingKeys: String, CodingKey {
            case id, heading, supplier, description, currency, rate, comment
            case budgetLine = "budget_line", spentOn = "spent_on", originalMinorUnits = "original_minor_units"
            case rateSource = "rate_source", minorUnits = "minor_units"
        }

        static let select: SQLQueryString = """
            SELECT id, budget_line, heading, spent_on, supplier, description, original_minor_units, currency, rate, rate_source,
                   minor_units, comment FROM expenditure_lines
            """
    }

    static let schema = "expenditure_lines"

    // managed fields
    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    // data fields
    /// The index of the budget line in the contract's terms.
    @Field(key: "budget_line") var budgetLine: Int
    @Enum(key: "heading") var heading: BudgetHeading
    @Field(key: "spent_on") var spentOn: String
    @Field(key: "supplier") var supplier: String
    @Field(key: "description") var description: String
    /// As paid, in `currency`.
    @Field(key: "original_minor_units") var originalMinorUnits: Int64
    @Field(key: "currency") var currency: String
    /// Units of `currency` per unit of the contract's currency, times 10,000.
    @Field(key: "rate") var rate: Int64
    @OptionalField(key: "rate_source") var rateSource: String?
    /// In the contract's currency.
    @Field(key: "minor_units") var minorUnits: Int64
    /// The grants officer's comment on this line when the report was returned.
    @OptionalField(key: "comment") var comment: String?
    @Field(key: "created_by") var createdBy: UUID

    // relationships
    @Parent(key: "report_id") var report: ContractReport
    /// Kept on the line so that a contract's spending is summed without a join.
    @Field(key: "contract_id") var contractID: UUID

    init() {}
}
