import Foundation
import FuqizoCore
import Vapor

/// Donor reports: made for a period by programme managers, commented, remade while a draft,
/// submitted for good; read (submitted ones only) and exported by donors too.
struct DonorReportsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let reports = routes.grouped("monitoring", "reports")
        reports.get(use: list).access(.viewMonitoring)
        reports.post(use: make).access(.manageLogframe)
        reports.get(":reportID", use: show).access(.viewMonitoring, .donorReport)
        reports.post(":reportID", "remake", use: remake).access(.manageLogframe, .donorReport)
        reports.post(":reportID", "comments", use: comment).access(.manageLogframe, .donorReport)
        reports.post(":reportID", "submit", use: submit).access(.manageLogframe, .donorReport)
        for format in Spreadsheet.Format.allCases {
            reports.get(":reportID", "export", "\(format.rawValue)") { req in try await export(req, format) }.access(.viewMonitoring, .donorReport)
        }
    }

    private func service(_ req: Request) -> DonorReportService {
        DonorReportService(database: req.db, services: req.services)
    }

    struct MakeForm: Content {
        var period: String?
    }

    func list(req: Request) async throws -> Response {
        let runs = Policy.decide(req.actor, .manageLogframe).isAllowed
        let reports = try await service(req).reports(submittedOnly: !runs)
        let logframes = LogframeService(database: req.db, services: req.services)
        let tree = runs ? try await logframes.approved().asyncMap { try await logframes.tree($0) } : nil
        return try await req.page("monitoring/reports", title: "donorReport.title",
                                  DonorReportsListContext.page(req, reports: reports, tree: tree), status: .ok)
    }

    func make(req: Request) async throws -> Response {
        guard let period = try req.form(MakeForm.self).period, !period.isEmpty, period.count <= 12 else { throw AppError.badRequest }
        let report = try await service(req).make(period: period, actor: try req.requireSignedIn().userID)
        return Flash.redirect(req, to: .donorReport(try report.requireID()), flash: "donorReport.madeFlash")
    }

    private func parts(_ req: Request, _ report: DonorReport) async throws -> (LogframeService.Tree, [GeographyDirectory.Region], ProgrammeSettings) {
        let logframes = LogframeService(database: req.db, services: req.services)
        let tree = try await logframes.tree(try await logframes.logframe(report.logframeID))
        let regions = try await WebsiteService(database: req.db, now: req.services.clock.now()).regions()
        return (tree, regions, try await SettingsService(database: req.db, services: req.services).current())
    }

    private func render(_ req: Request, _ report: DonorReport, comments: [String: String]? = nil, errors: FieldErrors = .init(),
                        status: HTTPResponseStatus = .ok) async throws -> Response {
        let (tree, regions, settings) = try await parts(req, report)
        return try await req.page("monitoring/report", title: "donorReport.title",
                                  DonorReportContext.page(req, report: report, tree: tree, regions: regions, settings: settings,
                                                          typedComments: comments, errors: errors), status: status)
    }

    func show(req: Request) async throws -> Response {
        try await render(req, try req.record(DonorReport.self))
    }

    func remake(req: Request) async throws -> Response {
        let report = try req.record(DonorReport.self)
        try await service(req).remake(report, actor: try req.requireSignedIn().userID)
        return Flash.redirect(req, to: .donorReport(try report.requireID()), flash: "donorReport.remadeFlash")
    }

    struct CommentsForm: Content {
        var comments: [String: String]?
    }

    func comment(req: Request) async throws -> Response {
        let report = try req.record(DonorReport.self)
        let typed = try req.form(CommentsForm.self).comments ?? [:]
        let (tree, _, _) = try await parts(req, report)
        switch try await service(req).comment(report, comments: typed, codes: Set(tree.indicators.map(\.code)), actor: try req.requireSignedIn().userID) {
        case .success: return Flash.redirect(req, to: .donorReport(try report.requireID()), flash: "donorReport.commentedFlash")
        case .failure(let errors): return try await render(req, report, comments: typed, errors: errors, status: .badRequest)
        }
    }

    /// Submitting is not undone: the donor reads the report from then on, and it never changes.
    func submit(req: Request) async throws -> Response {
        let report = try req.record(DonorReport.self)
        switch try await req.confirmation({ $0.writtenReason() }, { form, errors in
            ConfirmationContext(title: "donorReport.submitTitle", consequence: req.t("donorReport.submitConsequence", ["period": report.periodCode]),
                                action: req.url.path, cancel: .donorReport(report.id ?? UUID()),
                                fields: [ConfirmationContext.writtenReason(form, errors: errors)], confirm: "donorReport.submit")
        }) {
        case .ask(let page): return page
        case .reason(let reason):
            try await service(req).submit(report, reason: reason, actor: try req.requireSignedIn().userID)
            return Flash.redirect(req, to: .donorReport(try report.requireID()), flash: "donorReport.submittedFlash")
        }
    }

    func export(_ req: Request, _ format: Spreadsheet.Format) async throws -> Response {
        let report = try req.record(DonorReport.self)
        let (tree, regions, settings) = try await parts(req, report)
        let content = DonorReportContext.content(req, report: report, tree: tree, regions: regions,
                                                 threshold: FigureAudience.donor.threshold(in: settings))
        return try Spreadsheet.response(DonorReportContext.sheets(req, content), as: format,
                                        name: "fuqizo-report-\(report.kind.rawValue)-\(report.periodCode.lowercased())")
    }
}
