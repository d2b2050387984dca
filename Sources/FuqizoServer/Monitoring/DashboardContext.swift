import Foundation
import FuqizoCore
import Vapor

/// The monitoring dashboard: every indicator of the logframe in force against its target for a
/// period, for the whole programme or one region, and one indicator in detail (its values over
/// the periods, its breakdowns). Counts of people pass through small cells at the donor
/// threshold; every chart has its numbers in a table beside it.
enum DashboardContext {
    struct Choice: Encodable {
        let value: String
        let label: String
        let selected: Bool
    }

    struct Row: Encodable {
        let code: String
        let href: String
        let name: String
        let entry: String
        let baseline: String
        let target: String
        let actual: String
        let progress: String
        let progressChart: String
        let selected: Bool
    }

    struct TableRow: Encodable {
        let label: String
        let cells: [String]
    }

    struct Detail: Encodable {
        let heading: String
        let definition: String
        let unit: String
        let source: String
        let linesChart: String
        let periodRows: [TableRow]
        let breakdowns: [Breakdown]
    }

    struct Breakdown: Encodable {
        let id: String
        let caption: String
        let chart: String
        let rows: [TableRow]
    }

    struct Page: Encodable {
        let version: String
        let logframeHref: String
        let periods: [Choice]
        let regions: [Choice]
        let periodLabel: String
        let regionLabel: String?
        let threshold: Int
        let rows: [Row]
        let overviewChart: String
        let detail: Detail?
        let computedAt: String
        let canEnterValues: Bool
        let canMakeReports: Bool
    }

    struct Inputs {
        let tree: LogframeService.Tree
        let table: LogframeFigures.Table
        let period: ReportingPeriod
        let region: String?
        let regions: [GeographyDirectory.Region]
        let threshold: Int
        let detail: String?
        let computedAt: Date
    }

    static func page(_ req: Request, _ inputs: Inputs) -> Page {
        let language = req.language
        let tree = inputs.tree
        let regionNames = Dictionary(uniqueKeysWithValues: inputs.regions.map { ($0.code, $0.name(language)) })
        let entries = Dictionary(uniqueKeysWithValues: tree.entries.compactMap { entry in entry.id.map { ($0, entry.code) } })
        func link(_ items: [(String, String?)]) -> String { SiteURL.monitoring.with(items) }
        func disclosed(_ indicator: LogframeIndicator, _ value: IndicatorValue?) -> DisclosedValue? {
            value.map { DisclosedValue(regional($0, inputs.region), countsPeople: indicator.countsPeople, threshold: inputs.threshold) }
        }
        var bars: [SVGChart.Bar] = []
        let rows = tree.orderedIndicators.map { indicator -> Row in
            let shown = disclosed(indicator, inputs.table[indicator.code]?[inputs.period.code])
            let target = indicator.target(for: inputs.period.code) ?? (inputs.period.kind == .final ? indicator.finalTarget : nil)
            // Targets are the programme's: a region's share of them is not set, so no progress by region.
            let progress = inputs.region == nil
                ? IndicatorProgress.achieved(baseline: indicator.baseline, current: IndicatorText.drawable(shown?.total), target: target,
                                             direction: indicator.direction) : nil
            let progressText = progress.map { Display.percent(basisPoints: Int($0), language) } ?? "—"
            bars.append(.init(label: indicator.code, value: progress, text: progressText))
            return Row(code: indicator.code, href: link([("period", inputs.period.code), ("region", inputs.region), ("indicator", indicator.code)]) + "#detail",
                       name: indicator.name(language), entry: entries[indicator.entryID] ?? "",
                       baseline: IndicatorText.optional(indicator.baseline, indicator.unit, language),
                       target: IndicatorText.optional(target, indicator.unit, language),
                       actual: IndicatorText.cell(shown?.total, indicator.unit, threshold: inputs.threshold, language),
                       progress: progressText,
                       progressChart: SVGChart.progress(basisPoints: progress, label: req.t("dashboard.progressOf", ["code": indicator.code, "share": progressText])),
                       selected: indicator.code == inputs.detail)
        }
        let detail = tree.indicators.first { $0.code == inputs.detail }.map { indicator in
            detailOf(req, indicator, inputs: inputs, regionNames: regionNames)
        }
        return Page(
            version: LogframeContext.heading(req, tree.logframe), logframeHref: SiteURL.logframeVersion(tree.id).path,
            periods: tree.periods.map { Choice(value: $0.code, label: IndicatorText.period($0, language), selected: $0.code == inputs.period.code) },
            regions: inputs.regions.map { Choice(value: $0.code, label: $0.name(language), selected: $0.code == inputs.region) },
            periodLabel: IndicatorText.period(inputs.period, language), regionLabel: inputs.region.map { regionNames[$0] ?? $0 },
            threshold: inputs.threshold, rows: rows,
            overviewChart: inputs.region == nil ? SVGChart.bars(bars, label: req.t("dashboard.overviewChart")) : "",
            detail: detail, computedAt: Display.dateTime(inputs.computedAt),
            canEnterValues: Policy.decide(req.actor, .enterIndicatorValue).isAllowed,
            canMakeReports: Policy.decide(req.actor, .manageLogframe).isAllowed)
    }

    /// The value for one region: its cell of the region breakdown, or nothing when the
    /// indicator is not broken down by region.
    static func regional(_ value: IndicatorValue, _ region: String?) -> IndicatorValue {
        guard let region else { return value }
        guard let cells = value.breakdown(by: .region)?.cells else { return IndicatorValue(total: nil) }
        return IndicatorValue(total: cells.first { $0.key == region }?.value ?? 0)
    }

    static func detailOf(_ req: Request, _ indicator: LogframeIndicator, inputs: Inputs, regionNames: [String: String]) -> Detail {
        let language = req.language
        let unit = indicator.unit
        let values = inputs.table[indicator.code] ?? [:]
        let points = inputs.tree.periods.map { period -> (label: String, actual: Int64?, target: Int64?, shown: String) in
            let shown = values[period.code].map { DisclosedValue(regional($0, inputs.region), countsPeople: indicator.countsPeople, threshold: inputs.threshold) }
            let target = inputs.region == nil ? indicator.target(for: period.code) : nil
            return (period.code, IndicatorText.drawable(shown?.total), target, IndicatorText.cell(shown?.total, unit, threshold: inputs.threshold, language))
        }
        let current = values[inputs.period.code].map { DisclosedValue($0, countsPeople: indicator.countsPeople, threshold: inputs.threshold) }
        let breakdowns: [Breakdown] = inputs.region != nil ? [] : (current?.breakdowns ?? []).map { breakdown in
            let rows = breakdown.cells.map { key, cell in
                TableRow(label: IndicatorText.key(key, by: breakdown.by, regions: regionNames, req),
                         cells: [IndicatorText.cell(cell, unit, threshold: inputs.threshold, language)])
            }
            let caption = "\(indicator.code) · \(req.t(breakdown.by.catalogKey))"
            return Breakdown(id: "b-\(breakdown.by.rawValue)", caption: caption,
                             chart: SVGChart.bars(zip(rows, breakdown.cells).map { row, cell in
                                 SVGChart.Bar(label: row.label, value: IndicatorText.drawable(cell.cell), text: row.cells.first ?? "")
                             }, label: caption),
                             rows: rows)
        }
        return Detail(
            heading: "\(indicator.code) · \(indicator.name(language))",
            definition: language.pick(indicator.definitionSq, indicator.definitionEn), unit: req.t(unit.catalogKey),
            source: IndicatorText.source(indicator.source, req),
            linesChart: SVGChart.lines(points.map { ($0.label, $0.actual, $0.target) }, label: req.t("dashboard.linesChart", ["code": indicator.code]),
                                       written: { IndicatorText.value($0, unit, language) }),
            periodRows: points.map { TableRow(label: $0.label, cells: [$0.shown, IndicatorText.optional($0.target, unit, language)]) },
            breakdowns: breakdowns)
    }
}
