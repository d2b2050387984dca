import Foundation
import FuqizoCore
import Vapor

/// The list of donor reports, and the form that makes one for a period of the logframe in force.
enum DonorReportsListContext {
    struct Line: Encodable {
        let href: String
        let heading: String
        let status: String
        let made: String
    }

    struct Page: Encodable {
        let lines: [Line]
        let periods: [FieldContext.Option]
        let canMake: Bool
    }

    static func page(_ req: Request, reports: [DonorReport], tree: LogframeService.Tree?) -> Page {
        Page(
            lines: reports.compactMap { report in
                report.id.map { id in
                    Line(href: SiteURL.donorReport(id).path, heading: DonorReportContext.heading(req, report), status: req.t(report.status.catalogKey),
                         made: req.t("donorReport.madeOn", ["when": Display.dateTime(report.madeAt)]))
                }
            },
            periods: (tree?.periods ?? []).map { .init(value: $0.code, label: "\(IndicatorText.period($0, req.language)) · \(req.t($0.kind.catalogKey))", selected: false) },
            canMake: tree != nil && Policy.decide(req.actor, .manageLogframe).isAllowed)
    }
}
