import Foundation
import FuqizoCore
import Vapor

/// Values of manual indicators: entered with their evidence, approved or given back by a
/// second person.
struct IndicatorValuesController: RouteCollection {
    let uploadLimit: Int

    func boot(routes: any RoutesBuilder) throws {
        let values = routes.grouped("monitoring", "values")
        values.get(use: list).access(.enterIndicatorValue)
        values.upload(limit: uploadLimit, use: enter).access(.enterIndicatorValue)
        values.get(":valueID", "evidence", use: evidence).access(.enterIndicatorValue, .indicatorValue)
        values.post(":valueID", "approve", use: approve).access(.reviewIndicatorValue, .indicatorValue)
        values.post(":valueID", "return", use: giveBack).access(.reviewIndicatorValue, .indicatorValue)
    }

    private func render(_ req: Request, form: ManualValueForm = .init(), errors: FieldErrors = .init(), status: HTTPResponseStatus = .ok) async throws -> Response {
        let logframes = LogframeService(database: req.db, services: req.services)
        let tree = try await logframes.approved().asyncMap { try await logframes.tree($0) }
        let codes = tree?.indicators.filter { $0.source == .manual }.map(\.code) ?? []
        let service = IndicatorValueService(database: req.db, services: req.services)
        let values = try await service.values(codes: codes)
        return try await req.page("monitoring/values", title: "values.title",
                                  IndicatorValuesContext.page(req, tree: tree, values: values, files: try await service.evidence(of: values), form: form,
                                                              errors: errors, uploadLimit: uploadLimit), status: status)
    }

    func list(req: Request) async throws -> Response {
        try await render(req)
    }

    /// The form's fields beside the file; decoded apart, so a missing file still shows them back.
    struct Upload: Content {
        var file: File?
    }

    func enter(req: Request) async throws -> Response {
        let form = (try? req.content.decode(ManualValueForm.self)) ?? ManualValueForm()
        let logframes = LogframeService(database: req.db, services: req.services)
        guard let approved = try await logframes.approved() else { throw AppError(status: .conflict, messageKey: "donorReport.error.noLogframe") }
        // The file is optional: a form sent without one carries an empty part.
        var evidence: (CheckedDocument, [UInt8])?
        if let file = (try? req.content.decode(Upload.self))?.file, file.data.readableBytes > 0 || !file.filename.isEmpty {
            switch DocumentStore.check(file, limit: uploadLimit) {
            case .success(let checked): evidence = checked
            case .failure(let problem):
                var errors = FieldErrors()
                errors.add("file", problem.catalogKey)
                return try await render(req, form: form, errors: errors, status: .badRequest)
            }
        }
        switch try await IndicatorValueService(database: req.db, services: req.services)
            .enter(form, in: try await logframes.tree(approved), evidence: evidence, actor: try req.requireSignedIn().userID) {
        case .success: return Flash.redirect(req, to: .indicatorValues, flash: "values.enteredFlash")
        case .failure(let errors): return try await render(req, form: form, errors: errors, status: .badRequest)
        }
    }

    func evidence(req: Request) async throws -> Response {
        let value = try req.record(IndicatorValueEntry.self)
        let files = try await IndicatorValueService(database: req.db, services: req.services).evidence(of: [value])
        guard let file = files[try value.requireID()] else { throw AppError.notFound }
        return try await DocumentStore(database: req.db).download(file)
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
