import Foundation
import FuqizoCore
import Vapor

/// Values of manual indicators: entered with their evidence, approved or given back by a
/// second person.
struct IndicatorValuesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let values = routes.grouped("monitoring", "values")
        values.get(use: list).access(.enterIndicatorValue)
        values.post(use: enter).access(.enterIndicatorValue)
        values.post(":valueID", "approve", use: approve).access(.reviewIndicatorValue, .indicatorValue)
        values.post(":valueID", "return", use: giveBack).access(.reviewIndicatorValue, .indicatorValue)
    }

    private func render(_ req: Request, form: ManualValueForm = .init(), errors: FieldErrors = .init(), status: HTTPResponseStatus = .ok) async throws -> Response {
        let logframes = LogframeService(database: req.db, services: req.services)
        let tree = try await logframes.approved().asyncMap { try await logframes.tree($0) }
        let codes = tree?.indicators.filter { $0.source == .manual }.map(\.code) ?? []
        let values = try await IndicatorValueService(database: req.db, services: req.services).values(codes: codes)
        return try await req.page("monitoring/values", title: "values.title",
                                  IndicatorValuesContext.page(req, tree: tree, values: values, form: form, errors: errors), status: status)
    }

    func list(req: Request) async throws -> Response {
        try await render(req)
    }

    func enter(req: Request) async throws -> Response {
        let form = try req.form(ManualValueForm.self)
        let logframes = LogframeService(database: req.db, services: req.services)
        guard let approved = try await logframes.approved() else { throw AppError(status: .conflict, messageKey: "donorReport.error.noLogframe") }
        switch try await IndicatorValueService(database: req.db, services: req.services)
            .enter(form, in: try await logframes.tree(approved), actor: try req.requireSignedIn().userID) {
        case .success: return Flash.redirect(req, to: .indicatorValues, flash: "values.enteredFlash")
        case .failure(let errors): return try await render(req, form: form, errors: errors, status: .badRequest)
        }
    }

    func approve(req: Request) async throws -> Response {
        let value = try req.record(IndicatorValueEntry.self)
        try await IndicatorValueService(database: req.db, services: req.services).review(value, approve: true, note: "", actor: try req.requireSignedIn().userID)
        return Flash.redirect(req, to: .indicatorValues, flash: "values.approvedFlash")
    }

    /// Giving a value back says why, so the person who entered it knows what to correct.
    func giveBack(req: Request) async throws -> Response {
        let value = try req.record(IndicatorValueEntry.self)
        switch try await req.confirmation({ $0.writtenReason() }, { form, errors in
            ConfirmationContext(title: "values.returnTitle", consequence: req.t("values.returnConsequence", ["indicator": value.indicatorCode, "period": value.periodCode]),
                                action: req.url.path, cancel: .indicatorValues, fields: [ConfirmationContext.writtenReason(form, errors: errors)],
                                confirm: "values.return")
        }) {
        case .ask(let page): return page
        case .reason(let reason):
            try await IndicatorValueService(database: req.db, services: req.services).review(value, approve: false, note: reason, actor: try req.requireSignedIn().userID)
            return Flash.redirect(req, to: .indicatorValues, flash: "values.returnedFlash")
        }
    }
}
