import Foundation
import FuqizoCore
import Vapor

/// Monitoring visits of a contract: planned, recorded with findings and a risk rating,
/// followed up by actions with owners and due days, documented with photos and files.
struct MonitoringController: RouteCollection {
    let uploadLimit: Int

    func boot(routes: any RoutesBuilder) throws {
        let visits = routes.grouped("contracts", ":contractID", "visits")
        visits.get("new", use: newForm).access(.manageContract, .contract)
        visits.post(use: plan).access(.manageContract, .contract)
        let visit = visits.grouped(":number")
        visit.get(use: show).access(.viewContract, .contract)
        visit.post(use: record).access(.manageContract, .contract)
        visit.post("cancel", use: cancel).access(.manageContract, .contract)
        visit.post("actions", use: addAction).access(.manageContract, .contract)
        visit.post("actions", ":actionID", "done", use: completeAction).access(.closeFollowUp, .contract)
        visit.post("actions", ":actionID", "cancel", use: cancelAction).access(.manageContract, .contract)
        visit.upload("documents", limit: uploadLimit, use: attach).access(.manageContract, .contract)
        visit.get("documents", ":attachmentID", use: download).access(.viewContract, .contract)
    }

    private func service(_ req: Request) -> MonitoringService {
        MonitoringService(database: req.db, services: req.services)
    }

    /// The contract the policy allowed, and its visit the path numbers.
    private func loaded(_ req: Request) async throws -> (GrantContract, MonitoringVisit) {
        let contract = try req.record(GrantContract.self)
        guard let number = req.parameters.get("number").flatMap({ Bounded.integer($0, in: 1...1_000) }) else { throw AppError.notFound }
        return (contract, try await service(req).find(number, of: contract))
    }

    private func back(_ req: Request, _ contract: GrantContract, _ visit: MonitoringVisit, flash: String) -> Response {
        Flash.redirect(req, to: .visit(contract: contract.id!, number: visit.number), flash: flash)
    }

    // MARK: planning

    private func renderPlan(_ req: Request, _ contract: GrantContract, form: VisitPlanForm, errors: FieldErrors = .init(),
                            status: HTTPResponseStatus = .ok) async throws -> Response {
        try await req.page("contracts/visit-plan", title: "visit.plan.title",
                           VisitContext.planPage(req, contract, staff: try await service(req).staff(), form: form, errors: errors), status: status)
    }

    func newForm(req: Request) async throws -> Response {
        let contract = try req.record(GrantContract.self)
        return try await renderPlan(req, contract, form: VisitPlanForm(visitor: req.actor.userID?.uuidString ?? ""))
    }

    func plan(req: Request) async throws -> Response {
        let contract = try req.record(GrantContract.self)
        let form = try req.form(VisitPlanForm.self)
        switch try await service(req).plan(contract, form: form, actor: try req.requireSignedIn().userID) {
        case .success(let visit): return back(req, contract, visit, flash: "visit.plannedFlash")
        case .failure(let errors): return try await renderPlan(req, contract, form: form, errors: errors, status: .badRequest)
        }
    }

    // MARK: one visit

    static func render(_ req: Request, _ contract: GrantContract, _ visit: MonitoringVisit, report: (VisitReportForm, FieldErrors)? = nil,
                       action: (FollowUpForm, FieldErrors)? = nil, fileErrorKey: String? = nil, status: HTTPResponseStatus = .ok) async throws -> Response {
        let service = MonitoringService(database: req.db, services: req.services)
        let documents = try await DocumentStore(database: req.db).attachments(of: .visit, try visit.requireID())
        let context = try VisitContext.build(req, contract, visit, actions: try await service.actions(of: visit), staff: try await service.staff(),
                                             documents: documents, report: report, action: action, fileErrorKey: fileErrorKey)
        return try await req.page("contracts/visit", title: "visit.title", context, status: status)
    }

    func show(req: Request) async throws -> Response {
        let (contract, visit) = try await loaded(req)
        return try await Self.render(req, contract, visit)
    }

    func record(req: Request) async throws -> Response {
        let (contract, visit) = try await loaded(req)
        let form = try req.form(VisitReportForm.self)
        switch try await service(req).record(visit, of: contract, form: form, actor: try req.requireSignedIn().userID) {
        case .success: return back(req, contract, visit, flash: "visit.recordedFlash")
        case .failure(let errors): return try await Self.render(req, contract, visit, report: (form, errors), status: .badRequest)
        }
    }

    /// Cancelling a visit is final: it asks for the reason.
    func cancel(req: Request) async throws -> Response {
        let (contract, visit) = try await loaded(req)
        _ = try visit.status.transition(.cancel)
        switch try await req.confirmation({ $0.writtenReason() }, { form, errors in
            ConfirmationContext(title: "visit.cancel.confirmTitle",
                                consequence: req.t("visit.cancel.consequence", ["number": contract.number, "visit": String(visit.number)]),
                                action: req.url.path, cancel: .visit(contract: contract.id!, number: visit.number),
                                fields: [ConfirmationContext.writtenReason(form, errors: errors)], confirm: "visit.cancel")
        }) {
        case .ask(let response): return response
        case .reason(let reason):
            try await service(req).cancel(visit, of: contract, reason: reason, actor: try req.requireSignedIn().userID)
            return back(req, contract, visit, flash: "visit.cancelledFlash")
        }
    }

    // MARK: follow-up actions

    func addAction(req: Request) async throws -> Response {
        let (contract, visit) = try await loaded(req)
        let form = try req.form(FollowUpForm.self)
        switch try await service(req).addAction(to: visit, of: contract, form: form, actor: try req.requireSignedIn().userID) {
        case .success: return back(req, contract, visit, flash: "followUp.addedFlash")
        case .failure(let errors): return try await Self.render(req, contract, visit, action: (form, errors), status: .badRequest)
        }
    }

    struct DoneForm: Content {
        var note: String?
    }

    func completeAction(req: Request) async throws -> Response {
        let (contract, visit) = try await loaded(req)
        let action = try await service(req).findAction(try req.id("actionID"), of: visit)
        let note = (try? req.content.decode(DoneForm.self))?.note.flatMap(Text.clean).map { String($0.prefix(MonitoringService.maximumNote)) }
        try await service(req).close(action, of: visit, contract: contract, event: .complete, note: note, actor: req.actor)
        return back(req, contract, visit, flash: "followUp.doneFlash")
    }

    /// Cancelling an action is final: it asks for the reason.
    func cancelAction(req: Request) async throws -> Response {
        let (contract, visit) = try await loaded(req)
        let action = try await service(req).findAction(try req.id("actionID"), of: visit)
        _ = try action.status.transition(.cancel)
        switch try await req.confirmation({ $0.writtenReason() }, { form, errors in
            ConfirmationContext(title: "followUp.cancel.confirmTitle", consequence: req.t("followUp.cancel.consequence", ["action": action.action]),
                                action: req.url.path, cancel: .visit(contract: contract.id!, number: visit.number),
                                fields: [ConfirmationContext.writtenReason(form, errors: errors)], confirm: "followUp.cancel")
        }) {
        case .ask(let response): return response
        case .reason(let reason):
            try await service(req).close(action, of: visit, contract: contract, event: .cancel, note: reason, actor: req.actor)
            return back(req, contract, visit, flash: "followUp.cancelledFlash")
        }
    }

    // MARK: documents

    struct Upload: Content {
        var file: File?
    }

    /// Photos and documents of the visit: the signed visit sheet, pictures of the activities.
    func attach(req: Request) async throws -> Response {
        let (contract, visit) = try await loaded(req)
        let upload = (try? req.content.decode(Upload.self)) ?? Upload()
        switch DocumentStore.check(upload.file, limit: uploadLimit) {
        case .failure(let problem):
            return try await Self.render(req, contract, visit, fileErrorKey: problem.catalogKey, status: .badRequest)
        case .success(let (document, bytes)):
            try await service(req).attach(document, bytes: bytes, to: visit, of: contract, actor: try req.requireSignedIn().userID)
            return back(req, contract, visit, flash: "document.attached")
        }
    }

    func download(req: Request) async throws -> Response {
        let (_, visit) = try await loaded(req)
        return try await DocumentStore(database: req.db).download(try req.id("attachmentID"), of: .visit, try visit.requireID())
    }
}
