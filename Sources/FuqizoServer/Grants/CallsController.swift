import Fluent
import Foundation
import FuqizoCore
import Vapor

/// Calls for proposals as the grants officer drafts, publishes and keeps them: the call, its
/// lots and rules, its grids and its documents.
struct CallsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let calls = routes.grouped("grants", "calls")
        calls.get(use: list).access(.manageCalls)
        calls.get("new", use: newForm).access(.manageCalls)
        calls.post(use: create).access(.manageCalls)
        calls.get(":callID", use: show).access(.manageCalls)
        calls.get(":callID", "edit", use: editForm).access(.manageCalls)
        calls.post(":callID", use: update).access(.manageCalls)
        calls.post(":callID", "publish", use: publish).access(.manageCalls)
        calls.get(":callID", "grid", ":stage", use: gridForm).access(.manageCalls)
        calls.post(":callID", "grid", ":stage", use: saveGrid).access(.manageCalls)
        calls.upload(":callID", "documents", limit: uploadLimit, use: addDocument).access(.manageCalls)
        calls.post(":callID", "documents", ":documentID", "delete", use: removeDocument).access(.manageCalls)
        calls.get(":callID", "documents", ":documentID", use: officerDocument).access(.manageCalls)
    }

    /// The largest document an officer may upload (`FUQIZO_MAX_UPLOAD_MB`).
    let uploadLimit: Int

    private func service(_ req: Request) -> CallService {
        CallService(database: req.db, services: req.services)
    }

    // MARK: officer

    struct ListRow: Encodable {
        let id: String
        let reference: String
        let title: String
        let statusKey: String
        let fullDeadline: String
        let lots: Int
    }

    func list(req: Request) async throws -> View {
        let rows = try await service(req).all().map { call in
            ListRow(id: call.id!.uuidString, reference: call.reference, title: req.language.pick(call.titleSq, call.titleEn),
                    statusKey: call.status.catalogKey, fullDeadline: Display.dateTime(call.fullDeadline),
                    lots: call.lots.count)
        }
        return try await req.page("grants/calls", title: "call.list.title", ["rows": rows])
    }

    func show(req: Request) async throws -> Response {
        try await renderShow(req, id: try req.id("callID"))
    }

    private func renderShow(_ req: Request, id: UUID, upload: (title: String, category: String, errors: FieldErrors) = ("", "", .init()),
                            status: HTTPResponseStatus = .ok) async throws -> Response {
        let call = try await service(req).find(id)
        var facts = try CallContext.facts(call, req)
        facts.documents = try await CallContext.documents(req, callID: id, base: SiteURL.callDocuments(id).path)
        let categories = CallService.DocumentCategory.allCases.map {
            FieldContext.Option(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0.rawValue == upload.category)
        }
        facts.documentFields = [
            FieldContext("title", label: "call.document.title", value: upload.title, errors: upload.errors, required: true),
            FieldContext("category", label: "call.document.category", kind: "select", value: upload.category, options: categories,
                         errors: upload.errors, required: true),
            FieldContext("file", label: "document.file", kind: "file", errors: upload.errors, required: true),
        ]
        facts.hasErrors = !upload.errors.isEmpty
        return try await req.page("grants/call", title: "call.detail.title", facts, status: status)
    }

    struct DocumentForm: Content {
        var title: String?
        var category: String?
        var file: File?
    }

    func addDocument(req: Request) async throws -> Response {
        let id = try req.id("callID")
        let form = (try? req.content.decode(DocumentForm.self)) ?? DocumentForm()
        switch try await service(req).addDocument(callID: id, title: form.title ?? "", category: form.category ?? "", file: form.file,
                                                  actor: try req.requireSignedIn().userID) {
        case .success: return Flash.redirect(req, to: .call(id), flash: "document.attached")
        case .failure(let errors):
            return try await renderShow(req, id: id, upload: (form.title ?? "", form.category ?? "", errors), status: .badRequest)
        }
    }

    func removeDocument(req: Request) async throws -> Response {
        let id = try req.id("callID")
        try await service(req).removeDocument(callID: id, documentID: try req.id("documentID"), actor: try req.requireSignedIn().userID)
        return Flash.redirect(req, to: .call(id), flash: "document.removed")
    }

    func officerDocument(req: Request) async throws -> Response {
        return try await DocumentStore(database: req.db).download(try req.id("documentID"), of: .call, try req.id("callID"))
    }

    struct LotRow: Encodable {
        let index: Int
        let regionID: String
        let nameSq: String
        let nameEn: String
        let envelope: String
        let errorKey: String?
    }

    struct FormPage: Encodable {
        let action: String
        let cancel: String
        let fields: [FieldContext]
        let lots: [LotRow]
        let lotsErrorKey: String?
        let hasErrors: Bool
    }

    private func renderForm(_ req: Request, form: CallForm, id: UUID?, errors: FieldErrors = .init(),
                            status: HTTPResponseStatus = .ok) async throws -> Response {
        let fields = form.fields(req, errors: errors)
        var lots = form.lots
        if lots.isEmpty {
            // A new call offers one lot per programme region.
            lots = try await GeographyDirectory.load(on: req.db).regions.map {
                LotForm(regionID: $0.id.uuidString, nameSq: $0.nameSq, nameEn: $0.nameEn, envelope: "")
            }
        }
        let rows = lots.enumerated().map { index, lot in
            LotRow(index: index, regionID: lot.regionID, nameSq: lot.nameSq, nameEn: lot.nameEn, envelope: lot.envelope,
                   errorKey: errors["lot-\(index)"])
        }
        let action = id.map { SiteURL.call($0).path } ?? SiteURL.calls.path
        return try await req.page("grants/call-form", title: id == nil ? "call.new.title" : "call.edit.title",
                                  FormPage(action: action, cancel: id.map { SiteURL.call($0).path } ?? SiteURL.calls.path,
                                           fields: fields, lots: rows, lotsErrorKey: errors["lots"], hasErrors: !errors.isEmpty),
                                  status: status)
    }

    func newForm(req: Request) async throws -> Response {
        try await renderForm(req, form: CallForm(), id: nil)
    }

    func create(req: Request) async throws -> Response {
        let form = try req.form(CallForm.self)
        switch try await service(req).save(form, id: nil, actor: try req.requireSignedIn().userID) {
        case .failure(let errors): return try await renderForm(req, form: form, id: nil, errors: errors, status: .badRequest)
        case .success(let id): return Flash.redirect(req, to: .call(id), flash: "form.saved")
        }
    }

    func editForm(req: Request) async throws -> Response {
        let call = try await service(req).find(try req.id("callID"))
        _ = try call.status.transition(.edit)
        return try await renderForm(req, form: try CallService.form(from: call), id: call.id)
    }

    func update(req: Request) async throws -> Response {
        let id = try req.id("callID")
        let form = try req.form(CallForm.self)
        switch try await service(req).save(form, id: id, actor: try req.requireSignedIn().userID) {
        case .failure(let errors): return try await renderForm(req, form: form, id: id, errors: errors, status: .badRequest)
        case .success: return Flash.redirect(req, to: .call(id), flash: "form.saved")
        }
    }

    func publish(req: Request) async throws -> Response {
        let id = try req.id("callID")
        try await service(req).publish(id, actor: try req.requireSignedIn().userID)
        return Flash.redirect(req, to: .call(id), flash: "call.published")
    }

    // MARK: grids

    struct GridCriterionRow: Encodable {
        let index: Int
        let code: String
        let titleSq: String
        let titleEn: String
        let weight: String
        let errorKey: String?
    }

    struct GridSectionRow: Encodable {
        let index: Int
        let code: String
        let titleSq: String
        let titleEn: String
        let carriedOver: Bool
        let criteria: [GridCriterionRow]
        let errorKey: String?
    }

    struct GridPage: Encodable {
        let callID: String
        let stage: String
        let titleKey: String
        let fields: [FieldContext]
        let sections: [GridSectionRow]
        let errorKey: String?
        let hasErrors: Bool
    }

    private func renderGrid(_ req: Request, call: GrantCall, stage: CallService.GridStage, form: GridForm? = nil,
                            errors: FieldErrors = .init(), status: HTTPResponseStatus = .ok) async throws -> Response {
        _ = try call.status.transition(.edit)
        if stage == .concept, call.stages != .two { throw AppError.notFound }
        let grid = try service(req).grid(of: call, stage)
        let typed = form ?? GridForm(grid)
        let sections = grid.sections.enumerated().map { i, section in
            let typedSection = i < typed.sections.count ? typed.sections[i] : GridForm.SectionForm()
            return GridSectionRow(
                index: i, code: section.code, titleSq: typedSection.titleSq, titleEn: typedSection.titleEn, carriedOver: section.carriedOver,
                criteria: typedSection.criteria.enumerated().map { j, criterion in
                    GridCriterionRow(index: j, code: criterion.code, titleSq: criterion.titleSq, titleEn: criterion.titleEn,
                                     weight: criterion.weight, errorKey: errors["criterion-\(i)-\(j)"])
                },
                errorKey: errors["section-\(i)"])
        }
        let fields = [FieldContext("threshold", label: "grid.threshold", kind: "number", value: typed.threshold, errors: errors,
                                   required: true, hint: stage == .concept ? "grid.threshold.conceptHint" : "grid.threshold.fullHint")]
        return try await req.page("grants/grid-form", title: "grid.title", GridPage(
            callID: call.id!.uuidString, stage: stage.rawValue, titleKey: stage == .concept ? "call.grid.concept" : "call.grid.full",
            fields: fields, sections: sections, errorKey: errors["sections"], hasErrors: !errors.isEmpty), status: status)
    }

    func gridForm(req: Request) async throws -> Response {
        try await renderGrid(req, call: try await service(req).find(try req.id("callID")), stage: try req.parameter("stage", as: CallService.GridStage.self))
    }

    func saveGrid(req: Request) async throws -> Response {
        let id = try req.id("callID"), stage = try req.parameter("stage", as: CallService.GridStage.self)
        let form = try req.form(GridForm.self)
        switch try await service(req).updateGrid(callID: id, stage: stage, form: form, actor: try req.requireSignedIn().userID) {
        case .failure(let errors):
            return try await renderGrid(req, call: try await service(req).find(id), stage: stage, form: form, errors: errors, status: .badRequest)
        case .success:
            return Flash.redirect(req, to: .call(id), flash: "form.saved")
        }
    }
}
