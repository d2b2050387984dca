import Foundation
import FuqizoCore
import Vapor

/// A contract's reports: the grantee writes the narrative, records expenditure lines and
/// attaches evidence, then submits; the grants officer returns it with comments or approves it.
struct ReportsController: RouteCollection {
    let uploadLimit: Int

    func boot(routes: any RoutesBuilder) throws {
        let report = routes.grouped("contracts", ":contractID", "reports", ":number")
        report.get(use: show).access(.viewContract, .contract)
        report.post(use: saveNarrative).access(.reportOnGrant, .contract)
        report.post("lines", use: addLine).access(.reportOnGrant, .contract)
        report.post("lines", ":lineID", "delete", use: removeLine).access(.reportOnGrant, .contract)
        report.post("submit", use: submit).access(.reportOnGrant, .contract)
        report.upload("documents", limit: uploadLimit, use: attach).access(.reportOnGrant, .contract)
        report.get("documents", ":attachmentID", use: download).access(.viewContract, .contract)
        report.post("return", use: returnForChanges).access(.manageContract, .contract)
        report.post("approve", use: approve).access(.manageContract, .contract)
    }

    private func service(_ req: Request) -> ReportService {
        ReportService(database: req.db, services: req.services)
    }

    /// The contract the policy allowed, and its report the path numbers.
    private func loaded(_ req: Request) async throws -> (GrantContract, ContractReport) {
        let contract = try req.record(GrantContract.self)
        guard let number = req.parameters.get("number").flatMap({ Bounded.integer($0, in: 1...1_000) }) else { throw AppError.notFound }
        return (contract, try await service(req).find(number, of: contract))
    }

    private func back(_ req: Request, _ contract: GrantContract, _ report: ContractReport, flash: String) -> Response {
        Flash.redirect(req, to: .report(contract: contract.id!, number: report.number), flash: flash)
    }

    static func render(_ req: Request, _ contract: GrantContract, _ report: ContractReport, typed: ReportContext.Typed = .init(),
                       linesPage: Int? = nil, status: HTTPResponseStatus = .ok) async throws -> Response {
        let reports = ReportService(database: req.db, services: req.services)
        let lines = try await reports.linePage(of: report, page: linesPage, pageSize: ReportContext.linesPerPage)
        // What the other approved reports spent (this one's own lines are shown apart).
        let before = try await reports.spending(of: contract, excluding: report)
        let paid = PaymentService.paid(try await PaymentService(database: req.db, services: req.services).payments(of: contract))
        let documents = try await DocumentStore(database: req.db).attachments(of: .report, try report.requireID())
        return try await req.page("contracts/report", title: "report.title",
                                  ReportContext.build(req, contract: contract, report: report, lines: lines, spentBefore: before, paid: paid,
                                                      documents: documents, typed: typed), status: status)
    }

    struct LinesQuery: Content {
        var page: Int?
    }

    func show(req: Request) async throws -> Response {
        let (contract, report) = try await loaded(req)
        return try await Self.render(req, contract, report, linesPage: (try? req.query.decode(LinesQuery.self))?.page)
    }

    func saveNarrative(req: Request) async throws -> Response {
        let (contract, report) = try await loaded(req)
        try await service(req).saveNarrative(report, of: contract, form: try req.form(NarrativeForm.self), actor: try req.requireSignedIn().userID)
        return back(req, contract, report, flash: "report.savedFlash")
    }

    func addLine(req: Request) async throws -> Response {
        let (contract, report) = try await loaded(req)
        let form = try req.form(ExpenditureForm.self)
        switch try await service(req).addLine(report, of: contract, form: form, actor: try req.requireSignedIn().userID) {
        case .success: return back(req, contract, report, flash: "expenditure.addedFlash")
        case .failure(let errors): return try await Self.render(req, contract, report, typed: .init(line: form, errors: errors), status: .badRequest)
        }
    }

    func removeLine(req: Request) async throws -> Response {
        let (contract, report) = try await loaded(req)
        try await service(req).removeLine(try req.id("lineID"), from: report, of: contract, actor: try req.requireSignedIn().userID)
        return back(req, contract, report, flash: "expenditure.removedFlash")
    }

    func submit(req: Request) async throws -> Response {
        let (contract, report) = try await loaded(req)
        switch try await service(req).submit(report, of: contract, actor: try req.requireSignedIn().userID) {
        case .success: return back(req, contract, report, flash: "report.submittedFlash")
        case .failure(let errors): return try await Self.render(req, contract, report, typed: .init(errors: errors), status: .badRequest)
        }
    }

    struct Upload: Content {
        var label: String?
        var file: File?
    }

    /// Evidence: photos of activities, visibility material, receipts.
    func attach(req: Request) async throws -> Response {
        let (contract, report) = try await loaded(req)
        _ = try report.status.transition(.edit)
        let upload = (try? req.content.decode(Upload.self)) ?? Upload()
        switch DocumentStore.check(upload.file, limit: uploadLimit) {
        case .failure(let problem):
            var errors = FieldErrors()
            errors.add("file", problem.catalogKey)
            return try await Self.render(req, contract, report, typed: .init(errors: errors), status: .badRequest)
        case .success(let (document, bytes)):
            try await service(req).attachEvidence(document, bytes: bytes, to: report, of: contract, actor: try req.requireSignedIn().userID)
            return back(req, contract, report, flash: "document.attached")
        }
    }

    func download(req: Request) async throws -> Response {
        let (_, report) = try await loaded(req)
        return try await DocumentStore(database: req.db).download(try req.id("attachmentID"), of: .report, try report.requireID())
    }

    struct Review: Content {
        var comment: String?
        var lines: [String: String]?
    }

    func returnForChanges(req: Request) async throws -> Response {
        let (contract, report) = try await loaded(req)
        let review = try req.form(Review.self)
        let comments = Dictionary((review.lines ?? [:]).compactMap { key, value in UUID(uuidString: key).map { ($0, value) } },
                                  uniquingKeysWith: { first, _ in first })
        switch try await service(req).returnForChanges(report, of: contract, comment: review.comment ?? "", lineComments: comments,
                                                       actor: try req.requireSignedIn().userID) {
        case .success: return back(req, contract, report, flash: "report.returnedFlash")
        case .failure(let errors):
            return try await Self.render(req, contract, report, typed: .init(comment: review.comment, errors: errors), status: .badRequest)
        }
    }

    func approve(req: Request) async throws -> Response {
        let (contract, report) = try await loaded(req)
        try await service(req).approve(report, of: contract, actor: try req.requireSignedIn().userID)
        return back(req, contract, report, flash: "report.approvedFlash")
    }
}
