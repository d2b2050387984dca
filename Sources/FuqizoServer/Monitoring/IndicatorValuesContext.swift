import Foundation
import FuqizoCore
import Vapor

/// The page of manual indicators: what each needs per period, the values entered with their
/// evidence and review, and the form to enter one.
enum IndicatorValuesContext {
    struct Line: Encodable {
        let id: String
        let indicator: String
        let period: String
        let value: String
        let evidence: String
        let status: String
        let statusKey: String
        let entered: String
        let review: String?
        let canReview: Bool
        let evidenceHref: String?
        let evidenceFile: String?
    }

    struct Page: Encodable {
        let hasLogframe: Bool
        let manualCount: Int
        let lines: [Line]
        let fields: [FieldContext]
        let hasErrors: Bool
        let fileError: String?
        let uploadLimit: String
    }

    static func page(_ req: Request, tree: LogframeService.Tree?, values: [IndicatorValueEntry], files: [UUID: Attachment], form: ManualValueForm,
                     errors: FieldErrors, uploadLimit: Int) -> Page {
        let language = req.language
        let manual = tree?.indicators.filter { $0.source == .manual } ?? []
        let units = Dictionary(manual.map { ($0.code, $0.unit) }, uniquingKeysWith: { first, _ in first })
        let names = Dictionary(manual.map { ($0.code, $0.name(language)) }, uniquingKeysWith: { first, _ in first })
        return Page(
            hasLogframe: tree != nil, manualCount: manual.count,
            lines: values.map { value in
                Line(id: value.id?.uuidString ?? "", indicator: "\(value.indicatorCode) · \(names[value.indicatorCode] ?? "")", period: value.periodCode,
                     value: IndicatorText.value(value.value, units[value.indicatorCode] ?? .count, language), evidence: value.evidence,
                     status: req.t(value.status.catalogKey), statusKey: value.status.rawValue, entered: Display.dateTime(value.enteredAt),
                     review: value.reviewNote,
                     canReview: value.status == .submitted && Policy.decide(req.actor, .reviewIndicatorValue, value.resource).isAllowed,
                     evidenceHref: value.id.flatMap { id in files[id].map { _ in SiteURL.indicatorValues.path + "/\(id.uuidString)/evidence" } },
                     evidenceFile: value.id.flatMap { files[$0] }.map { "\($0.kind.uppercased()), \(FileSize.text($0.size))" })
            },
            fields: manual.isEmpty ? [] : [
                FieldContext("indicator", label: "values.field.indicator", kind: "select", value: form.indicator,
                             options: manual.map { .init(value: $0.code, label: "\($0.code) · \($0.name(language)) (\(req.t($0.unit.catalogKey)))", selected: $0.code == form.indicator) },
                             errors: errors, required: true),
                FieldContext("period", label: "values.field.period", kind: "select", value: form.period,
                             options: (tree?.periods ?? []).map { .init(value: $0.code, label: IndicatorText.period($0, language), selected: $0.code == form.period) },
                             errors: errors, required: true),
                FieldContext("value", label: "values.field.value", value: form.value, errors: errors, required: true, hint: "values.field.value.hint"),
                FieldContext("evidence", label: "values.field.evidence", kind: "textarea", value: form.evidence, errors: errors, required: true,
                             hint: "values.field.evidence.hint"),
            ],
            hasErrors: !errors.isEmpty, fileError: errors["file"], uploadLimit: FileSize.text(Int64(uploadLimit)))
    }
}
