import Foundation
import FuqizoCore
import Vapor

/// A donor report as its page, its print and its export show it: the logframe with baseline,
/// value, target and comment per indicator, then the grant, capacity, visibility and financial
/// summaries by region. Everything comes from the figures frozen with the report; counts of
/// people pass through small cells at the donor threshold.
enum DonorReportContext {
    struct IndicatorLine: Encodable {
        let code: String
        let name: String
        let unit: String
        let baseline: String
        let value: String
        let target: String
        let finalTarget: String
        let progress: String
        let comment: String
        /// The value as the export writes it: a number where it is shown, the mark where not.
        let sheetValue: SpreadsheetSheet.Cell

        private enum CodingKeys: String, CodingKey {
            case code, name, unit, baseline, value, target, finalTarget, progress, comment
        }
    }

    struct EntryBlock: Encodable {
        let heading: String
        let depth: Int
        let indicators: [IndicatorLine]
    }

    struct SummaryTable: Encodable {
        let id: String
        let caption: String
        let columns: [String]
        let rows: [Row]
    }

    struct Row: Encodable {
        let label: String
        let cells: [String]
        let sheetCells: [SpreadsheetSheet.Cell]

        private enum CodingKeys: String, CodingKey {
            case label, cells
        }
    }

    /// A disclosed cell as a spreadsheet keeps it: amounts and shares as numbers, counts as
    /// counts, a suppressed or withheld count as its mark.
    static func sheetCell(_ cell: SmallCells.Cell?, _ unit: IndicatorUnit, threshold: Int) -> SpreadsheetSheet.Cell {
        switch cell {
        case .shown(let number): unit == .count ? .count(number) : .amount(Int64(number))
        case .suppressed: .text("<\(threshold)")
        case .withheld: .text(SmallCells.Cell.withheldMark)
        case nil: .empty
        }
    }

    struct CommentField: Encodable {
        let name: String
        let anchor: String
        let label: String
        let value: String
        let errorKey: String?
    }

    struct Page: Encodable {
        let id: String
        let heading: String
        let programme: String
        let lines: [String]
        let status: String
        let isDraft: Bool
        let canManage: Bool
        let blocks: [EntryBlock]
        let summaries: [SummaryTable]
        let comments: [CommentField]
        let hasErrors: Bool
        let threshold: Int
        let csvHref: String
        let xlsxHref: String
    }

    /// What the page, the export and the tests read: the report's content in the reader's language.
    struct Content {
        let blocks: [EntryBlock]
        let summaries: [SummaryTable]
    }

    static func heading(_ req: Request, _ report: DonorReport) -> String {
        req.t("donorReport.heading", ["kind": req.t(report.kind.catalogKey), "period": report.periodCode])
    }

    static func content(_ req: Request, report: DonorReport, tree: LogframeService.Tree, regions: [GeographyDirectory.Region],
                        threshold: Int) -> Content {
        let language = req.language
        let figures = report.figures
        let comments = report.comments
        let depths = Dictionary(uniqueKeysWithValues: LogframeLevel.allCases.enumerated().map { ($1, $0) })
        let period = tree.period(report.periodCode)
        let blocks = tree.ordered.map { entry in
            EntryBlock(heading: "\(entry.code) · \(req.t(entry.level.catalogKey)) · \(entry.title(language))", depth: depths[entry.level] ?? 0,
                       indicators: tree.indicators(of: entry).map { indicator in
                let value = figures?.value(indicator: indicator.code, period: report.periodCode)
                let shown = value.map { DisclosedValue($0, countsPeople: indicator.countsPeople, threshold: threshold) }
                let target = indicator.target(for: report.periodCode) ?? (period?.kind == .final ? indicator.finalTarget : nil)
                let progress = IndicatorProgress.achieved(baseline: indicator.baseline, current: IndicatorText.drawable(shown?.total), target: target,
                                                          direction: indicator.direction)
                return IndicatorLine(
                    code: indicator.code, name: indicator.name(language), unit: req.t(indicator.unit.catalogKey),
                    baseline: indicator.baseline.map { IndicatorText.value($0, indicator.unit, language) + (indicator.baselineYear.map { " (\($0))" } ?? "") } ?? "—",
                    value: IndicatorText.cell(shown?.total, indicator.unit, threshold: threshold, language),
                    target: IndicatorText.optional(target, indicator.unit, language),
                    finalTarget: IndicatorText.value(indicator.finalTarget, indicator.unit, language),
                    progress: progress.map { Display.percent(basisPoints: Int($0), language) } ?? "—",
                    comment: comments[indicator.code] ?? "", sheetValue: sheetCell(shown?.total, indicator.unit, threshold: threshold))
            })
        }
        let regionCodes = regions.map(\.code) + [IndicatorValue.elsewhere]
        let columns = regions.map { $0.name(language) } + [req.t("results.elsewhere"), req.t("statistics.total")]
        let summaries = ReportSummary.allCases.map { summary in
            SummaryTable(id: "s-\(summary.rawValue)", caption: req.t(summary.catalogKey), columns: columns, rows: summary.measures.map { measure in
                let shown = figures?.measure(measure).map { DisclosedValue($0, countsPeople: measure.countsPeople, threshold: threshold) }
                let byRegion = shown?.breakdowns.first { $0.by == .region }
                // A region with nothing has no cell of its own: it reads as zero.
                let regionCells: [SmallCells.Cell?] = regionCodes.map { code in
                    byRegion.map { $0.cells.first { $0.key == code }?.cell ?? .shown(0) }
                }
                return Row(label: req.t(measure.catalogKey),
                           cells: regionCells.map { $0.map { IndicatorText.cell($0, measure.unit, threshold: threshold, language) } ?? "" }
                               + [IndicatorText.cell(shown?.total, measure.unit, threshold: threshold, language)],
                           sheetCells: (regionCells + [shown?.total]).map { sheetCell($0, measure.unit, threshold: threshold) })
            })
        }
        return Content(blocks: blocks, summaries: summaries)
    }

    static func page(_ req: Request, report: DonorReport, tree: LogframeService.Tree, regions: [GeographyDirectory.Region],
                     settings: ProgrammeSettings, typedComments: [String: String]? = nil, errors: FieldErrors = .init()) -> Page {
        let language = req.language
        let threshold = FigureAudience.donor.threshold(in: settings)
        let content = content(req, report: report, tree: tree, regions: regions, threshold: threshold)
        let id = report.id ?? UUID()
        let manage = Policy.decide(req.actor, .manageLogframe, report.resource).isAllowed
        let isDraft = report.status == .draft
        let comments = typedComments ?? report.comments
        var lines = [
            LogframeContext.heading(req, tree.logframe),
            tree.period(report.periodCode).map { IndicatorText.period($0, language) } ?? report.periodCode,
            req.t("donorReport.frozenAt", ["when": Display.dateTime(report.figures?.frozenAt ?? report.madeAt),
                                            "version": String(report.figures?.definitionsVersion ?? 0)]),
        ]
        if let submitted = report.submittedAt { lines.append(req.t("donorReport.submittedOn", ["when": Display.dateTime(submitted)])) }
        return Page(
            id: id.uuidString, heading: heading(req, report),
            programme: [language.pick(settings.programmeNameSq, settings.programmeNameEn), settings.reference, settings.donor]
                .filter { !$0.isEmpty }.joined(separator: " · "),
            lines: lines, status: req.t(report.status.catalogKey), isDraft: isDraft, canManage: manage && isDraft,
            blocks: content.blocks, summaries: content.summaries,
            comments: manage && isDraft ? tree.orderedIndicators.map { indicator in
                CommentField(name: "comments[\(indicator.code)]", anchor: "comment-\(indicator.code)",
                             label: "\(indicator.code) · \(indicator.name(language))", value: comments[indicator.code] ?? "",
                             errorKey: errors["comments[\(indicator.code)]"])
            } : [],
            hasErrors: !errors.isEmpty, threshold: threshold,
            csvHref: SiteURL.donorReportExport(id, .csv).path, xlsxHref: SiteURL.donorReportExport(id, .xlsx).path)
    }

    /// The report as sheets: the logframe, then each summary; the file carries the same figures as the page.
    static func sheets(_ req: Request, _ content: Content) -> [SpreadsheetSheet] {
        let logframe = SpreadsheetSheet(
            name: req.t("donorReport.logframeSheet"),
            headings: ["logframe.field.code", "indicator.title", "indicator.field.unit", "indicator.field.baseline", "dashboard.actual",
                       "dashboard.target", "indicator.field.finalTarget", "dashboard.progress", "donorReport.comment"].map { req.t($0) },
            rows: content.blocks.flatMap { block in
                [[SpreadsheetSheet.Cell.text(block.heading)]] + block.indicators.map { line in
                    [.text(line.code), .text(line.name), .text(line.unit), .text(line.baseline), line.sheetValue, .text(line.target),
                     .text(line.finalTarget), .text(line.progress), .text(line.comment)]
                }
            })
        return [logframe] + content.summaries.map { table in
            SpreadsheetSheet(name: table.caption, headings: [""] + table.columns,
                             rows: table.rows.map { row in [.text(row.label)] + row.sheetCells })
        }
    }
}
