import Foundation
import FuqizoCore
import Vapor

/// One report's page: the narrative against the logframe, the expenditure lines and their
/// totals by heading against the budget, the evidence, and the review.
enum ReportContext {
    struct ResultRow: Encodable {
        let result: String
        let indicator: String
        let baseline: String
        let target: String
        let actual: FieldContext
    }

    struct LineRow: Encodable {
        let id: String
        let spentOn: String
        let supplier: String
        let description: String
        let budgetLine: String
        let original: String
        /// "117.85 ALL/EUR · Banka e Shqipërisë", for lines in another currency.
        let rate: String?
        let amount: String
        let comment: String?
    }

    struct HeadingRow: Encodable {
        let headingKey: String
        let budget: String
        let before: String
        let this: String
        let variance: String
        let share: String
        let needsAmendment: Bool
    }

    struct Document: Encodable {
        let href: String
        let filename: String
        let size: String
    }

    struct View: Encodable {
        let contractID: String
        let contractNumber: String
        let number: Int
        let kindKey: String
        let statusKey: String
        let periodEnd: String
        let due: String
        let overdue: Bool
        let reviewComment: String?
        let canEdit: Bool
        let canSubmit: Bool
        let canReview: Bool
        let narrativeFields: [FieldContext]
        let results: [ResultRow]
        /// One page of the lines (a year of receipts can run to thousands); the totals count them all.
        let lines: [LineRow]
        let pages: PageLinks
        let total: String
        let headings: [HeadingRow]
        let needsAmendment: Bool
        let trancheShare: String?
        let lineFields: [FieldContext]
        let documents: [Document]
        let uploadErrorKey: String?
        let commentField: FieldContext
        /// The financial report as CSV and XLSX.
        let csv: String
        let xlsx: String
        let hasErrors: Bool
    }

    /// What was typed on the page, when it comes back with errors.
    struct Typed {
        var narrative: NarrativeForm?
        var line: ExpenditureForm?
        var comment: String?
        var errors = FieldErrors()
    }

    /// "98,35" in Albanian, "98.35" in English.
    static func rateText(_ tenThousandths: Int64, _ language: Language) -> String {
        let text = ExchangeRate(tenThousandths: tenThousandths)?.text ?? ""
        return language == .sq ? text.replacingOccurrences(of: ".", with: ",") : text
    }

    /// Lines shown on one page of a report.
    static let linesPerPage = 50

    static func build(_ req: Request, contract: GrantContract, report: ContractReport, lines: ReportService.LinePage,
                      spentBefore: [BudgetHeading: Int64], paid: Int64, documents: [Attachment], typed: Typed = Typed()) throws -> View {
        let language = req.language
        let terms = try contract.contractTerms()
        let today = TiranaTime.today(at: req.services.clock.now())
        let resource = contract.resource
        func money(_ minorUnits: Int64, _ currency: String? = nil) -> String {
            Money(minorUnits: minorUnits, currency: currency ?? contract.currency).written(in: language)
        }
        let running = contract.status == .signed || contract.status == .inImplementation
        let canEdit = Policy.decide(req.actor, .reportOnGrant, resource).isAllowed && report.status.allows(.edit) && running
        let canReview = Policy.decide(req.actor, .manageContract, resource).isAllowed && report.status == .submitted
        let narrative = typed.narrative ?? report.narrativeForm()
        let errors = typed.errors
        func budgetLabel(_ index: Int) -> String {
            guard terms.budget.indices.contains(index) else { return "" }
            return "\(req.t(terms.budget[index].heading.catalogKey)) — \(terms.budget[index].description)"
        }
        let thisReport = lines.byHeading
        let cumulative = spentBefore.merging(thisReport, uniquingKeysWith: { $0.saturatingAdding($1) })
        let variance = BudgetVariance(budget: terms.budgetByHeading, spent: cumulative, settings: terms.settings)
        let line = typed.line ?? ExpenditureForm(currency: contract.currency)
        let total = Array(thisReport.values).saturatingSum()
        let spentInAll = cumulative.values.map { $0 }.saturatingSum()
        let pager = lines.pager
        let path = SiteURL.report(contract: try contract.requireID(), number: report.number).path
        return View(
            contractID: try contract.requireID().uuidString, contractNumber: contract.number, number: report.number,
            kindKey: report.kind.catalogKey, statusKey: report.status.catalogKey,
            periodEnd: Display.date(iso: report.periodEnd, language), due: Display.date(iso: report.dueDate, language),
            overdue: (report.status == .draft || report.status == .returned) && (report.due.map { $0 < today } ?? false),
            reviewComment: report.status == .returned ? report.reviewComment : nil,
            canEdit: canEdit, canSubmit: canEdit, canReview: canReview,
            narrativeFields: [
                FieldContext("activities", label: "report.field.activities", kind: "textarea", value: narrative.activities, errors: errors,
                             required: true, hint: "report.activities.hint"),
                FieldContext("difficulties", label: "report.field.difficulties", kind: "textarea", value: narrative.difficulties, errors: errors),
            ],
            results: terms.results.enumerated().map { index, row in
                ResultRow(result: row.result, indicator: row.indicator, baseline: row.baseline, target: row.target,
                          actual: FieldContext("actuals[\(index)]", label: "report.field.actual",
                                               value: narrative.actuals.indices.contains(index) ? narrative.actuals[index] : "",
                                               errors: errors, anchor: "actual-\(index)"))
            },
            lines: lines.rows.map { line in
                LineRow(id: line.id.uuidString, spentOn: Display.date(iso: line.spentOn, language), supplier: line.supplier,
                        description: line.description, budgetLine: budgetLabel(line.budgetLine), original: money(line.originalMinorUnits, line.currency),
                        rate: line.currency == contract.currency ? nil
                            : "\(rateText(line.rate, language)) \(line.currency)/\(contract.currency) · \(line.rateSource ?? "")",
                        amount: money(line.minorUnits), comment: line.comment)
            },
            pages: PageLinks(pager) { "\(path)?page=\($0)#lines-caption" },
            total: money(total),
            headings: variance.rows.filter { $0.budgetMinorUnits > 0 || $0.spentMinorUnits > 0 }.map { row in
                HeadingRow(headingKey: row.heading.catalogKey, budget: money(row.budgetMinorUnits), before: money(spentBefore[row.heading] ?? 0),
                           this: money(thisReport[row.heading] ?? 0), variance: money(row.varianceMinorUnits),
                           share: row.spentBasisPoints.map { Display.percent(basisPoints: $0, language) } ?? "—", needsAmendment: row.needsAmendment)
            },
            needsAmendment: variance.needsAmendment,
            trancheShare: paid > 0 ? req.t("report.trancheShare", [
                "share": Display.percent(basisPoints: Int(min(Int64(Int32.max), spentInAll.saturatingMultiplied(by: 10_000) / paid)), language),
                "paid": money(paid)]) : nil,
            lineFields: [
                FieldContext("budgetLine", label: "expenditure.field.budgetLine", kind: "select", value: line.budgetLine,
                             options: terms.budget.indices.map { .init(value: String($0), label: budgetLabel($0), selected: String($0) == line.budgetLine) },
                             errors: errors, required: true),
                FieldContext("spentOn", label: "expenditure.field.spentOn", kind: "date", value: line.spentOn, errors: errors, required: true),
                FieldContext("supplier", label: "expenditure.field.supplier", value: line.supplier, errors: errors, required: true),
                FieldContext("description", label: "expenditure.field.description", value: line.description, errors: errors),
                FieldContext("amount", label: "expenditure.field.amount", value: line.amount, errors: errors, required: true),
                FieldContext("currency", label: "field.currency", kind: "select", value: line.currency,
                             options: ExpenditureForm.currencies(contract: contract.currency).map { .init(value: $0, label: $0, selected: $0 == line.currency) },
                             errors: errors, required: true),
                FieldContext("rate", label: "expenditure.field.rate", value: line.rate, errors: errors, hint: "expenditure.rate.hint"),
                FieldContext("rateSource", label: "expenditure.field.rateSource", value: line.rateSource, errors: errors, hint: "expenditure.rateSource.hint"),
            ],
            documents: try documents.map {
                Document(href: SiteURL.report(contract: try contract.requireID(), number: report.number).path + "/documents/\($0.id!.uuidString)",
                         filename: $0.filename, size: FileSize.text($0.size))
            },
            uploadErrorKey: errors["file"],
            commentField: FieldContext("comment", label: "report.field.comment", kind: "textarea", value: typed.comment ?? "", errors: errors,
                                       required: true, hint: "report.comment.hint"),
            csv: SiteURL.reportExport(contract: try contract.requireID(), number: report.number, .csv).path,
            xlsx: SiteURL.reportExport(contract: try contract.requireID(), number: report.number, .xlsx).path,
            hasErrors: !errors.isEmpty)
    }
}
