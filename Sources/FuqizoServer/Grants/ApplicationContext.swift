import Foundation
import FuqizoCore
import Vapor

/// One application's page as each audience sees it — the CSO writing it, the grants side
/// reviewing it, an evaluator scoring it — built from the application and what the person
/// typed, without HTTP.
enum ApplicationContext {
    struct ResultView: Encodable {
        let index: Int
        let result: String
        let indicator: String
        let baseline: String
        let target: String
        let errorKey: String?
    }

    struct LineView: Encodable {
        let index: Int
        let headings: [FieldContext.Option]
        let headingKey: String?
        let description: String
        let units: String
        let unitCost: String
        let total: String
        let errorKey: String?
    }

    struct TotalsView: Encodable {
        struct HeadingTotal: Encodable {
            let key: String
            let amount: String
        }

        let headings: [HeadingTotal]
        let direct: String
        let indirect: String
        let total: String
        let requested: String
        let coFinancing: String
        let maximumIndirect: Int
        let minimumGrant: String
        let maximumGrant: String
        let maximumGrantShare: Int
    }

    struct AttachmentView: Encodable {
        let id: String
        let label: String
        let filename: String
        let kind: String
        let size: String
        let uploadedAt: String
        let href: String
    }

    struct ApplicationPage: Encodable {
        let id: String
        let attachments: [AttachmentView]
        let uploadFields: [FieldContext]
        let uploadLimit: String
        let reference: String?
        let callReference: String
        let callTitle: String
        let lot: String
        var organisation: String
        var blind = false
        let stageKey: String
        let statusKey: String
        let deadline: String
        let deadlinePassed: Bool
        let editable: Bool
        let isFull: Bool
        let revision: Int
        let sections: [FieldContext]
        /// One-element lists, so the template can hand them to the field partial.
        let objective: [FieldContext]
        let results: [ResultView]
        let resultsErrorKey: String?
        let lines: [LineView]
        let budgetErrorKey: String?
        let indirectErrorKey: String?
        let requested: [FieldContext]
        let totals: TotalsView
        let hasErrors: Bool
        let conflict: Bool
        let submittedAt: String?
        let digest: String?
        let conceptSubmittedAt: String?
        let conceptDigest: String?
        let back: String
        var officer: OfficerPanelContext.OfficerPanel? = nil
        var evaluator: EvaluatorController.ScorePanel? = nil
        /// For the applicant: the letters sent, and the evaluators' comments (without names)
        /// of each stage whose letter has gone.
        var decision: ApplicantDecision? = nil

        /// The page as a blind review shows it: nothing that names the applicant.
        func hidingApplicant() -> ApplicationPage {
            var copy = self
            copy.organisation = ""
            copy.blind = true
            return copy
        }
    }

    /// Blank rows offered for adding results and budget lines without a script.
    static let blankResultRows = 2
    static let blankLineRows = 3

    static func build(_ req: Request, _ application: GrantApplication, content typed: ApplicationContent? = nil,
                            errors: FieldErrors = .init(), revision: Int? = nil, conflict: Bool = false, editable: Bool,
                            back: String, attachments: [Attachment], attachmentBase: String,
                            upload: (label: String, errors: FieldErrors) = ("", .init()), shownStage: ApplicationStage? = nil,
                            officer: OfficerPanelContext.OfficerPanel? = nil) throws -> ApplicationPage {
        let call = application.call
        let stage = shownStage ?? application.stage
        let content = typed ?? application.content(stage)
        let rules = try call.grantRules()
        let currency = call.currency
        let language = req.language
        func money(_ minor: Int64) -> String { Money(minorUnits: minor, currency: currency).written(in: req.language) }
        let sections = ApplicationContent.Section.allCases.filter { stage == .full || $0.inConceptNote }.map { section in
            FieldContext(section.rawValue, label: section.catalogKey, kind: section == .title ? "text" : "textarea",
                         value: content[section], errors: errors, required: true, hint: "\(section.catalogKey).hint")
        }
        var results = content.results
        var lines = content.lines
        if editable {
            results += Array(repeating: .init(), count: Self.blankResultRows)
            lines += Array(repeating: .init(), count: Self.blankLineRows)
        }
        let (budget, _) = content.budget(currency: currency)
        let lineTotals: [Int64?] = lines.map { line in
            BudgetLine.parse(units: line.units, unitCost: line.unitCost, currency: currency).map { Int64($0.units).saturatingMultiplied(by: $0.cost.minorUnits) }
        }
        let headingOptions = { (selected: String) in
            BudgetHeading.allCases.map { FieldContext.Option(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0.rawValue == selected) }
        }
        let deadline = ApplicationService.deadline(of: call, for: stage)
        return ApplicationPage(
            id: application.id!.uuidString,
            attachments: attachments.map {
                AttachmentView(id: $0.id!.uuidString, label: $0.label, filename: $0.filename, kind: $0.kind.uppercased(),
                               size: FileSize.text($0.size), uploadedAt: Display.dateTime($0.uploadedAt),
                               href: "\(attachmentBase)/\($0.id!.uuidString)")
            },
            uploadFields: [
                // They belong to the application's form: attaching a file sends the text typed since the last save with it.
                FieldContext("label", label: "document.label", value: upload.label, errors: upload.errors, required: true, hint: "document.label.hint")
                    .belonging(to: "application-form"),
                FieldContext("file", label: "document.file", kind: "file", errors: upload.errors, required: true, hint: "document.file.hint")
                    .belonging(to: "application-form"),
            ],
            uploadLimit: FileSize.text(Int64(req.services.config.maxUploadBytes)),
            reference: application.reference, callReference: call.reference,
            callTitle: language.pick(call.titleSq, call.titleEn),
            lot: language.pick(application.lot.nameSq, application.lot.nameEn),
            organisation: application.organisation.nameSq, stageKey: stage.catalogKey, statusKey: application.status.catalogKey,
            deadline: Display.dateTime(deadline), deadlinePassed: deadline <= req.now, editable: editable, isFull: stage == .full,
            revision: revision ?? application.revision, sections: sections,
            objective: [FieldContext("objective", label: "application.objective", kind: "textarea", value: content.objective, errors: errors,
                                     required: true, hint: "application.objective.hint")],
            results: results.enumerated().map { index, row in
                ResultView(index: index, result: row.result, indicator: row.indicator, baseline: row.baseline, target: row.target,
                           errorKey: errors["result-\(index)"])
            },
            resultsErrorKey: errors["results"],
            lines: lines.enumerated().map { index, line in
                LineView(index: index, headings: headingOptions(line.heading), headingKey: BudgetHeading(rawValue: line.heading)?.catalogKey,
                         description: line.description, units: line.units, unitCost: line.unitCost,
                         total: lineTotals[index].map(money) ?? "", errorKey: errors["line-\(index)"])
            },
            budgetErrorKey: errors["budget"], indirectErrorKey: errors["indirect"],
            requested: [FieldContext("requested", label: "application.requested", value: content.requested, errors: errors, required: true,
                                     hint: stage == .full ? "application.requested.hint" : "application.requested.conceptHint")],
            totals: TotalsView(
                headings: BudgetHeading.allCases.map { .init(key: $0.catalogKey, amount: money(budget.total(of: $0))) },
                direct: money(budget.directMinorUnits), indirect: money(budget.indirectMinorUnits), total: money(budget.totalMinorUnits),
                requested: money(budget.requestedMinorUnits), coFinancing: money(max(0, budget.coFinancingMinorUnits)),
                maximumIndirect: rules.maximumIndirectBasisPoints / 100, minimumGrant: money(rules.minimumGrantMinorUnits),
                maximumGrant: money(rules.maximumGrantMinorUnits), maximumGrantShare: rules.maximumGrantShareBasisPoints / 100),
            hasErrors: !errors.isEmpty, conflict: conflict,
            submittedAt: application.submittedAt(stage).map(Display.timestamp), digest: application.digest(stage),
            conceptSubmittedAt: stage == .full ? application.conceptSubmittedAt.map(Display.timestamp) : nil,
            conceptDigest: stage == .full ? application.conceptDigest : nil,
            back: back, officer: officer)
    }
}
