import Foundation
import FuqizoCore
import Vapor

/// The logframe's pages: a version read as a table (objectives, results, activities, and the
/// indicators under each with baseline and targets), the forms that build a draft, and the list
/// of versions.
enum LogframeContext {
    struct IndicatorRow: Encodable {
        let id: String
        let code: String
        let name: String
        let definition: String
        let unit: String
        let direction: String
        let source: String
        let baseline: String
        let targets: [String]
        let finalTarget: String
        let verification: String
        let breakdowns: String
    }

    struct EntryRow: Encodable {
        let id: String
        let code: String
        let level: String
        let depth: Int
        let title: String
        let assumptions: String
        let canAddChild: Bool
        let indicators: [IndicatorRow]
    }

    struct PeriodRow: Encodable {
        let code: String
        let kind: String
        let dates: String
    }

    struct VersionRow: Encodable {
        let href: String
        let label: String
        let status: String
        let current: Bool
    }

    struct Page: Encodable {
        let id: String
        let heading: String
        let status: String
        let approved: String?
        let isDraft: Bool
        let canEdit: Bool
        let periods: [PeriodRow]
        let rows: [EntryRow]
        let periodFields: [FieldContext]
        let hasErrors: Bool
        let versions: [VersionRow]
        let canStartDraft: Bool
        let draftHref: String?
        let hasOverall: Bool
    }

    static func heading(_ req: Request, _ logframe: Logframe) -> String {
        req.t("logframe.version", ["number": String(logframe.version)])
    }

    static func indicatorRow(_ req: Request, _ indicator: LogframeIndicator, periods: [ReportingPeriod]) -> IndicatorRow {
        let language = req.language
        let unit = indicator.unit
        return IndicatorRow(
            id: indicator.id?.uuidString ?? "", code: indicator.code, name: indicator.name(language),
            definition: language.pick(indicator.definitionSq, indicator.definitionEn), unit: req.t(unit.catalogKey),
            direction: req.t(indicator.direction.catalogKey), source: IndicatorText.source(indicator.source, req),
            baseline: indicator.baseline.map { value in
                IndicatorText.value(value, unit, language) + (indicator.baselineYear.map { " (\($0))" } ?? "")
            } ?? req.t("indicator.noBaseline"),
            targets: periods.map { period in "\(period.code): \(IndicatorText.optional(indicator.target(for: period.code), unit, language))" },
            finalTarget: IndicatorText.value(indicator.finalTarget, unit, language),
            verification: language.pick(indicator.verificationSq, indicator.verificationEn),
            breakdowns: indicator.disaggregations.map { req.t($0.catalogKey) }.joined(separator: ", "))
    }

    static func page(_ req: Request, tree: LogframeService.Tree, versions: [Logframe], periodForm: ReportingPeriodForm = .init(),
                     errors: FieldErrors = .init()) -> Page {
        let language = req.language
        let logframe = tree.logframe
        let manage = Policy.decide(req.actor, .manageLogframe, .logframe).isAllowed
        let isDraft = logframe.status == .draft
        let depths = Dictionary(uniqueKeysWithValues: LogframeLevel.allCases.enumerated().map { ($1, $0) })
        let draft = versions.first { $0.status == .draft }
        return Page(
            id: tree.id.uuidString, heading: heading(req, logframe), status: req.t(logframe.status.catalogKey),
            approved: logframe.approvedAt.map { req.t("logframe.approvedOn", ["when": Display.day($0, language)]) },
            isDraft: isDraft, canEdit: manage && isDraft,
            periods: tree.periods.map { PeriodRow(code: $0.code, kind: req.t($0.kind.catalogKey), dates: IndicatorText.period($0, language)) },
            rows: tree.ordered.map { entry in
                EntryRow(id: entry.id?.uuidString ?? "", code: entry.code, level: req.t(entry.level.catalogKey), depth: depths[entry.level] ?? 0,
                         title: entry.title(language), assumptions: language.pick(entry.assumptionsSq, entry.assumptionsEn),
                         canAddChild: manage && isDraft && entry.level != .activity,
                         indicators: tree.indicators(of: entry).map { indicatorRow(req, $0, periods: tree.periods) })
            },
            periodFields: manage && isDraft ? periodFields(req, periodForm, errors: errors) : [], hasErrors: !errors.isEmpty,
            versions: versions.compactMap { version in
                version.id.map { id in
                    VersionRow(href: SiteURL.logframeVersion(id).path, label: heading(req, version), status: req.t(version.status.catalogKey),
                               current: id == logframe.id)
                }
            },
            canStartDraft: manage && draft == nil, draftHref: draft?.id.map { SiteURL.logframeVersion($0).path },
            hasOverall: tree.entries.contains { $0.level == .overallObjective })
    }

    static func periodFields(_ req: Request, _ form: ReportingPeriodForm, errors: FieldErrors) -> [FieldContext] {
        [
            FieldContext("code", label: "period.field.code", value: form.code, errors: errors, required: true, hint: "logframe.code.hint"),
            FieldContext("kind", label: "period.field.kind", kind: "select", value: form.kind,
                         options: ReportingPeriodKind.allCases.map { .init(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0.rawValue == form.kind) },
                         errors: errors, required: true),
            FieldContext("startsOn", label: "period.field.startsOn", kind: "date", value: form.startsOn, errors: errors, required: true),
            FieldContext("endsOn", label: "period.field.endsOn", kind: "date", value: form.endsOn, errors: errors, required: true),
        ]
    }

    // MARK: the entry form

    struct EntryPage: Encodable {
        let heading: String
        let action: String
        let fields: [FieldContext]
        let hasErrors: Bool
        let back: String
    }

    static func entryPage(_ req: Request, tree: LogframeService.Tree, form: LogframeEntryForm, errors: FieldErrors, action: String,
                          editing: LogframeEntry?) -> EntryPage {
        let language = req.language
        let parents = tree.ordered.filter { $0.level != .activity && $0.id != editing?.id }
        return EntryPage(
            heading: editing.map { req.t("logframe.entry.editTitle", ["code": $0.code]) } ?? req.t("logframe.entry.new"),
            action: action,
            fields: [
                FieldContext("level", label: "logframe.field.level", kind: "select", value: form.level,
                             options: LogframeLevel.allCases.map { .init(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0.rawValue == form.level) },
                             errors: errors, required: true),
                FieldContext("parent", label: "logframe.field.parent", kind: "select", value: form.parent,
                             options: parents.compactMap { entry in
                                 entry.id.map { .init(value: $0.uuidString, label: "\(entry.code) · \(req.t(entry.level.catalogKey)) · \(entry.title(language).prefix(80))",
                                                      selected: $0.uuidString == form.parent) }
                             }, errors: errors, hint: "logframe.field.parent.hint"),
                FieldContext("code", label: "logframe.field.code", value: form.code, errors: errors, required: true, hint: "logframe.code.hint"),
                FieldContext("titleSq", label: "logframe.field.titleSq", kind: "textarea", value: form.titleSq, errors: errors, required: true),
                FieldContext("titleEn", label: "logframe.field.titleEn", kind: "textarea", value: form.titleEn, errors: errors, required: true),
                FieldContext("assumptionsSq", label: "logframe.field.assumptionsSq", kind: "textarea", value: form.assumptionsSq, errors: errors),
                FieldContext("assumptionsEn", label: "logframe.field.assumptionsEn", kind: "textarea", value: form.assumptionsEn, errors: errors),
            ],
            hasErrors: !errors.isEmpty, back: SiteURL.logframeVersion(tree.id).path)
    }

    // MARK: the indicator form

    struct TargetField: Encodable {
        let name: String
        let anchor: String
        let label: String
        let value: String
        let errorKey: String?
    }

    struct IndicatorPage: Encodable {
        let heading: String
        let entry: String
        let action: String
        let fields: [FieldContext]
        let measureFields: [FieldContext]
        let targets: [TargetField]
        let textFields: [FieldContext]
        let hasErrors: Bool
        let back: String
        let removeAction: String?
    }

    static func indicatorPage(_ req: Request, tree: LogframeService.Tree, entry: LogframeEntry, form: IndicatorForm, errors: FieldErrors,
                              action: String, editing: LogframeIndicator?) -> IndicatorPage {
        let language = req.language
        let sources: [FieldContext.Option] = ComputedIndicator.allCases.map {
            .init(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0.rawValue == form.source)
        } + [.init(value: IndicatorSource.manualCode, label: req.t("indicator.source.manual"), selected: form.source == IndicatorSource.manualCode)]
        return IndicatorPage(
            heading: editing.map { req.t("indicator.editTitle", ["code": $0.code]) } ?? req.t("indicator.new"),
            entry: "\(entry.code) · \(entry.title(language))", action: action,
            fields: [
                FieldContext("code", label: "indicator.field.code", value: form.code, errors: errors, required: true, hint: "logframe.code.hint"),
                FieldContext("nameSq", label: "indicator.field.nameSq", kind: "textarea", value: form.nameSq, errors: errors, required: true),
                FieldContext("nameEn", label: "indicator.field.nameEn", kind: "textarea", value: form.nameEn, errors: errors, required: true),
                FieldContext("definitionSq", label: "indicator.field.definitionSq", kind: "textarea", value: form.definitionSq, errors: errors, required: true),
                FieldContext("definitionEn", label: "indicator.field.definitionEn", kind: "textarea", value: form.definitionEn, errors: errors, required: true),
                FieldContext("source", label: "indicator.field.source", kind: "select", value: form.source, options: sources, errors: errors,
                             required: true, hint: "indicator.field.source.hint"),
                FieldContext("unit", label: "indicator.field.unit", kind: "select", value: form.unit,
                             options: IndicatorUnit.allCases.map { .init(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0.rawValue == form.unit) },
                             errors: errors, hint: "indicator.field.unit.hint"),
                FieldContext("direction", label: "indicator.field.direction", kind: "select", value: form.direction,
                             options: IndicatorDirection.allCases.map { .init(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0.rawValue == form.direction) },
                             errors: errors, required: true),
            ],
            measureFields: [
                FieldContext("baseline", label: "indicator.field.baseline", value: form.baseline, errors: errors, hint: "indicator.field.baseline.hint"),
                FieldContext("baselineYear", label: "indicator.field.baselineYear", kind: "number", value: form.baselineYear, errors: errors),
                FieldContext("finalTarget", label: "indicator.field.finalTarget", value: form.finalTarget, errors: errors, required: true),
            ],
            targets: tree.periods.map { period in
                TargetField(name: "targets[\(period.code)]", anchor: "target-\(period.code)",
                            label: req.t("indicator.field.target", ["period": IndicatorText.period(period, language)]),
                            value: form.targets[period.code] ?? "", errorKey: errors["targets[\(period.code)]"])
            },
            textFields: [
                FieldContext("verificationSq", label: "indicator.field.verificationSq", kind: "textarea", value: form.verificationSq, errors: errors, required: true),
                FieldContext("verificationEn", label: "indicator.field.verificationEn", kind: "textarea", value: form.verificationEn, errors: errors, required: true),
                FieldContext("disaggregations", label: "indicator.field.disaggregations", kind: "checkboxes", value: "",
                             options: Disaggregation.allCases.map { .init(value: $0.rawValue, label: req.t($0.catalogKey), selected: form.disaggregations.contains($0.rawValue)) },
                             errors: errors, hint: "indicator.field.disaggregations.hint"),
            ],
            hasErrors: !errors.isEmpty, back: SiteURL.logframeVersion(tree.id).path,
            removeAction: editing?.id.map { SiteURL.logframeIndicator($0).path + "/remove" })
    }
}
