import Fluent
import Foundation
import FuqizoCore
import Vapor

/// Calls for proposals: the grants officer's pages, and the public pages of published calls.
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
        calls.get(":callID", "questions", use: questions).access(.manageCalls)
        calls.post(":callID", "questions", ":questionID", use: answer).access(.manageCalls)
        calls.upload(":callID", "documents", limit: uploadLimit, use: addDocument).access(.manageCalls)
        calls.post(":callID", "documents", ":documentID", "delete", use: removeDocument).access(.manageCalls)
        calls.get(":callID", "documents", ":documentID", use: officerDocument).access(.manageCalls)
        routes.get("calls", use: publicList).access(.viewPublic)
        routes.get("calls", ":callID", use: publicShow).access(.viewPublic)
        routes.get("calls", ":callID", "documents", ":documentID", use: publicDocument).access(.viewPublic)
        routes.post("calls", ":callID", "questions", use: ask).access(.askCallQuestion)
    }

    /// The largest document an officer may upload (`FUQIZO_MAX_UPLOAD_MB`).
    let uploadLimit: Int

    private func service(_ req: Request) -> CallService {
        CallService(database: req.db, services: req.services)
    }

    private func callID(_ req: Request) throws -> UUID {
        guard let id = req.parameters.get("callID", as: UUID.self) else { throw AppError.notFound }
        return id
    }

    // MARK: what a call says, for the officer and the public alike

    struct LotLine: Encodable {
        let name: String
        let envelope: String
    }

    struct GridSection: Encodable {
        let title: String
        let maximum: Int
        let carriedOver: Bool
        let criteria: [GridCriterion]
    }

    struct GridCriterion: Encodable {
        let code: String
        let title: String
        let weight: Int
        let maximum: Int
    }

    struct CallFacts: Encodable {
        let id: String
        let reference: String
        let title: String
        let summary: String
        let stagesKey: String
        let statusKey: String
        let questionsDeadline: String
        let conceptDeadline: String?
        let fullDeadline: String
        let minimumGrant: String
        let maximumGrant: String
        let maximumGrantShare: Int
        let maximumIndirect: Int
        let divergence: Int
        let blindReview: Bool
        let evaluatorsPerApplication: Int
        let letterDays: Int
        let eligibleApplicants: [String]
        let eligibleActivities: [String]
        let lots: [LotLine]
        let totalEnvelope: String
        let conceptGrid: [GridSection]?
        let conceptThreshold: Int?
        let fullGrid: [GridSection]
        let isDraft: Bool
        let isOpen: Bool
        var questions: [QuestionLine] = []
        var documents: [DocumentLine] = []
        /// The upload form, on the officer's page.
        var documentFields: [FieldContext]? = nil
        var hasErrors = false
        /// The question form, for a CSO user while questions are accepted.
        var askFields: [FieldContext]? = nil
    }

    struct DocumentLine: Encodable {
        let id: String
        let title: String
        let categoryKey: String
        let filename: String
        let kind: String
        let size: String
        let addedAt: String
        let href: String
    }

    /// The call's documents, linked for the officer's pages or the public ones.
    private func documents(_ req: Request, callID: UUID, base: String) async throws -> [DocumentLine] {
        try await DocumentStore(database: req.db).attachments(of: .call, callID).map {
            DocumentLine(id: $0.id!.uuidString, title: $0.label,
                         categoryKey: CallService.DocumentCategory(rawValue: $0.category ?? "")?.catalogKey ?? "call.document.annex",
                         filename: $0.filename, kind: $0.kind.uppercased(), size: FileSize.text($0.size),
                         addedAt: Display.dateTime($0.uploadedAt), href: "\(base)/\($0.id!.uuidString)")
        }
    }

    struct QuestionLine: Encodable {
        let id: String
        let question: String
        let answer: String?
        let askedAt: String
        let fields: [FieldContext]
    }

    static func facts(_ call: GrantCall, _ req: Request) throws -> CallFacts {
        let language = req.language
        let rules = try call.grantRules()
        func money(_ minor: Int64) -> String { Money(minorUnits: minor, currency: call.currency).description }
        func grid(_ text: String) -> EvaluationGrid? { try? StoredJSON.decode(EvaluationGrid.self, from: text) }
        func sections(_ grid: EvaluationGrid) -> [GridSection] {
            grid.sections.map { section in
                GridSection(title: language == .sq ? section.titleSq : section.titleEn, maximum: section.maximum,
                            carriedOver: section.carriedOver,
                            criteria: section.criteria.map {
                                GridCriterion(code: $0.code, title: language == .sq ? $0.titleSq : $0.titleEn, weight: $0.weight, maximum: $0.maximum)
                            })
            }
        }
        let twoStage = call.stages == .two
        let concept = twoStage ? grid(call.conceptGrid) : nil
        let lots = call.lots.sorted { $0.position < $1.position }
        return CallFacts(
            id: call.id!.uuidString, reference: call.reference,
            title: language == .sq ? call.titleSq : call.titleEn,
            summary: language == .sq ? call.summarySq : call.summaryEn,
            stagesKey: call.stages.catalogKey,
            statusKey: call.status.catalogKey,
            questionsDeadline: Display.dateTime(call.questionsDeadline),
            conceptDeadline: call.conceptDeadline.map(Display.dateTime),
            fullDeadline: Display.dateTime(call.fullDeadline),
            minimumGrant: money(rules.minimumGrantMinorUnits), maximumGrant: money(rules.maximumGrantMinorUnits),
            maximumGrantShare: rules.maximumGrantShareBasisPoints / 100, maximumIndirect: rules.maximumIndirectBasisPoints / 100,
            divergence: call.divergenceBasisPoints / 100, blindReview: call.blindReview,
            evaluatorsPerApplication: call.evaluatorsPerApplication, letterDays: call.letterDays,
            eligibleApplicants: (try? StoredJSON.decode([String].self, from: call.eligibleApplicants)) ?? [],
            eligibleActivities: (try? StoredJSON.decode([String].self, from: call.eligibleActivities)) ?? [],
            lots: lots.map { LotLine(name: language == .sq ? $0.nameSq : $0.nameEn, envelope: money($0.envelopeMinorUnits)) },
            totalEnvelope: money(lots.reduce(0) { $0 + $1.envelopeMinorUnits }),
            conceptGrid: concept.map(sections), conceptThreshold: concept?.threshold,
            fullGrid: grid(call.fullGrid).map(sections) ?? [],
            isDraft: call.status.allows(.edit),
            isOpen: call.status.isOpen && call.fullDeadline > req.now)
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
            ListRow(id: call.id!.uuidString, reference: call.reference, title: req.language == .sq ? call.titleSq : call.titleEn,
                    statusKey: call.status.catalogKey, fullDeadline: Display.dateTime(call.fullDeadline),
                    lots: call.lots.count)
        }
        return try await req.page("grants/calls", title: "call.list.title", ["rows": rows])
    }

    func show(req: Request) async throws -> Response {
        try await renderShow(req, id: try callID(req))
    }

    private func renderShow(_ req: Request, id: UUID, upload: (title: String, category: String, errors: FieldErrors) = ("", "", .init()),
                            status: HTTPResponseStatus = .ok) async throws -> Response {
        let call = try await service(req).find(id)
        var facts = try Self.facts(call, req)
        facts.documents = try await documents(req, callID: id, base: "/grants/calls/\(id.uuidString)/documents")
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

    private func documentID(_ req: Request) throws -> UUID {
        guard let id = req.parameters.get("documentID", as: UUID.self) else { throw AppError.notFound }
        return id
    }

    func addDocument(req: Request) async throws -> Response {
        let id = try callID(req)
        let form = (try? req.content.decode(DocumentForm.self)) ?? DocumentForm()
        switch try await service(req).addDocument(callID: id, title: form.title ?? "", category: form.category ?? "", file: form.file,
                                                  actor: try req.requireSignedIn().userID) {
        case .success: return Flash.redirect(req, to: "/grants/calls/\(id.uuidString)", flash: "document.attached")
        case .failure(let errors):
            return try await renderShow(req, id: id, upload: (form.title ?? "", form.category ?? "", errors), status: .badRequest)
        }
    }

    func removeDocument(req: Request) async throws -> Response {
        let id = try callID(req)
        try await service(req).removeDocument(callID: id, documentID: try documentID(req), actor: try req.requireSignedIn().userID)
        return Flash.redirect(req, to: "/grants/calls/\(id.uuidString)", flash: "document.removed")
    }

    func officerDocument(req: Request) async throws -> Response {
        return try await DocumentStore(database: req.db).download(try documentID(req), of: .call, try callID(req))
    }

    func publicDocument(req: Request) async throws -> Response {
        let call = try await service(req).find(try callID(req))
        guard call.status.isPublic else { throw AppError.notFound }
        return try await DocumentStore(database: req.db).download(try documentID(req), of: .call, call.id!)
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
        let stages = CallStages.allCases.map { FieldContext.Option(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0.rawValue == form.stages) }
        let fields = [
            FieldContext("reference", label: "call.field.reference", value: form.reference, errors: errors, required: true, hint: "call.reference.hint"),
            FieldContext("titleSq", label: "call.field.titleSq", value: form.titleSq, errors: errors, required: true),
            FieldContext("titleEn", label: "call.field.titleEn", value: form.titleEn, errors: errors, required: true),
            FieldContext("summarySq", label: "call.field.summarySq", kind: "textarea", value: form.summarySq, errors: errors),
            FieldContext("summaryEn", label: "call.field.summaryEn", kind: "textarea", value: form.summaryEn, errors: errors),
            FieldContext("stages", label: "call.field.stages", kind: "select", value: form.stages, options: stages, errors: errors, required: true),
            FieldContext("currency", label: "field.currency", value: form.currency, errors: errors, required: true),
            FieldContext("minimumGrant", label: "call.field.minimumGrant", value: form.minimumGrant, errors: errors, required: true),
            FieldContext("maximumGrant", label: "call.field.maximumGrant", value: form.maximumGrant, errors: errors, required: true),
            FieldContext("maximumGrantShare", label: "call.field.maximumGrantShare", kind: "number", value: form.maximumGrantShare, errors: errors, required: true, hint: "call.share.hint"),
            FieldContext("maximumIndirect", label: "call.field.maximumIndirect", kind: "number", value: form.maximumIndirect, errors: errors, required: true),
            FieldContext("divergence", label: "call.field.divergence", kind: "number", value: form.divergence, errors: errors, required: true, hint: "call.divergence.hint"),
            FieldContext("blindReview", label: "call.field.blindReview", kind: "checkbox", value: form.blindReview, errors: errors, hint: "call.blindReview.hint"),
            FieldContext("evaluatorsPerApplication", label: "call.field.evaluatorsPerApplication", kind: "number", value: form.evaluatorsPerApplication,
                         errors: errors, required: true, hint: "call.evaluatorsPerApplication.hint"),
            FieldContext("letterDays", label: "call.field.letterDays", kind: "number", value: form.letterDays, errors: errors, required: true,
                         hint: "call.letterDays.hint"),
            FieldContext("eligibleApplicants", label: "call.field.eligibleApplicants", kind: "textarea", value: form.eligibleApplicants, errors: errors, required: true, hint: "call.list.hint"),
            FieldContext("eligibleActivities", label: "call.field.eligibleActivities", kind: "textarea", value: form.eligibleActivities, errors: errors, required: true, hint: "call.list.hint"),
            FieldContext("questionsDate", label: "call.field.questionsDate", kind: "date", value: form.questionsDate, errors: errors, required: true),
            FieldContext("questionsTime", label: "call.field.time", kind: "time", value: form.questionsTime, errors: errors),
            FieldContext("conceptDate", label: "call.field.conceptDate", kind: "date", value: form.conceptDate, errors: errors, hint: "call.concept.hint"),
            FieldContext("conceptTime", label: "call.field.time", kind: "time", value: form.conceptTime, errors: errors),
            FieldContext("fullDate", label: "call.field.fullDate", kind: "date", value: form.fullDate, errors: errors, required: true),
            FieldContext("fullTime", label: "call.field.time", kind: "time", value: form.fullTime, errors: errors),
        ]
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
        let action = id.map { "/grants/calls/\($0.uuidString)" } ?? "/grants/calls"
        return try await req.page("grants/call-form", title: id == nil ? "call.new.title" : "call.edit.title",
                                  FormPage(action: action, cancel: id.map { "/grants/calls/\($0.uuidString)" } ?? "/grants/calls",
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
        case .success(let id): return Flash.redirect(req, to: "/grants/calls/\(id.uuidString)", flash: "form.saved")
        }
    }

    func editForm(req: Request) async throws -> Response {
        let call = try await service(req).find(try callID(req))
        _ = try call.status.transition(.edit)
        return try await renderForm(req, form: try CallService.form(from: call), id: call.id)
    }

    func update(req: Request) async throws -> Response {
        let id = try callID(req)
        let form = try req.form(CallForm.self)
        switch try await service(req).save(form, id: id, actor: try req.requireSignedIn().userID) {
        case .failure(let errors): return try await renderForm(req, form: form, id: id, errors: errors, status: .badRequest)
        case .success: return Flash.redirect(req, to: "/grants/calls/\(id.uuidString)", flash: "form.saved")
        }
    }

    func publish(req: Request) async throws -> Response {
        let id = try callID(req)
        try await service(req).publish(id, actor: try req.requireSignedIn().userID)
        return Flash.redirect(req, to: "/grants/calls/\(id.uuidString)", flash: "call.published")
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

    private func stage(_ req: Request) throws -> CallService.GridStage {
        guard let stage = req.parameters.get("stage").flatMap(CallService.GridStage.init(rawValue:)) else { throw AppError.notFound }
        return stage
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
        try await renderGrid(req, call: try await service(req).find(try callID(req)), stage: try stage(req))
    }

    func saveGrid(req: Request) async throws -> Response {
        let id = try callID(req), stage = try stage(req)
        let form = try req.form(GridForm.self)
        switch try await service(req).updateGrid(callID: id, stage: stage, form: form, actor: try req.requireSignedIn().userID) {
        case .failure(let errors):
            return try await renderGrid(req, call: try await service(req).find(id), stage: stage, form: form, errors: errors, status: .badRequest)
        case .success:
            return Flash.redirect(req, to: "/grants/calls/\(id.uuidString)", flash: "form.saved")
        }
    }

    // MARK: public

    func publicList(req: Request) async throws -> View {
        let rows = try await service(req).published().map { call in
            let facts = try Self.facts(call, req)
            return ListRow(id: facts.id, reference: facts.reference, title: facts.title,
                           statusKey: facts.isOpen ? "call.public.open" : "call.public.closed", fullDeadline: facts.fullDeadline,
                           lots: call.lots.count)
        }
        return try await req.page("grants/public-calls", title: "call.public.title", ["rows": rows])
    }

    func publicShow(req: Request) async throws -> Response {
        try await renderPublic(req, id: try callID(req))
    }

    private func renderPublic(_ req: Request, id: UUID, question: String = "", errors: FieldErrors = .init(),
                              status: HTTPResponseStatus = .ok) async throws -> Response {
        let call = try await service(req).find(id)
        // Drafts do not exist for the public.
        guard call.status.isPublic else { throw AppError.notFound }
        var facts = try Self.facts(call, req)
        facts.documents = try await documents(req, callID: id, base: "/calls/\(id.uuidString)/documents")
        facts.questions = try await service(req).questions(callID: id, publishedOnly: true).map {
            QuestionLine(id: $0.id!.uuidString, question: $0.question, answer: $0.answer,
                         askedAt: Display.dateTime($0.publishedAt), fields: [])
        }
        // The form shows while questions are accepted, and with its error when one came too late.
        if Policy.decide(req.actor, .askCallQuestion).isAllowed, call.questionsDeadline > req.now || !errors.isEmpty {
            facts.askFields = [FieldContext("question", label: "call.question.field", kind: "textarea", value: question,
                                            errors: errors, required: true, hint: "call.question.hint")]
        }
        return try await req.page("grants/public-call", title: "call.public.detail", facts, status: status)
    }

    struct QuestionForm: Content {
        var question: String?
        var answer: String?
    }

    func ask(req: Request) async throws -> Response {
        let id = try callID(req)
        let form = try req.form(QuestionForm.self)
        let signedIn = try req.requireSignedIn()
        let organisation = signedIn.actor.grants.first { $0.role == .csoUser }?.organisationID
        switch try await service(req).ask(callID: id, question: form.question ?? "", organisationID: organisation, actor: signedIn.userID) {
        case .failure(let errors): return try await renderPublic(req, id: id, question: form.question ?? "", errors: errors, status: .badRequest)
        case .success: return Flash.redirect(req, to: "/calls/\(id.uuidString)", flash: "call.question.sent")
        }
    }

    struct QuestionsPage: Encodable {
        let id: String
        let reference: String
        let questions: [QuestionLine]
    }

    private func renderQuestions(_ req: Request, id: UUID, failed: (UUID, FieldErrors, QuestionForm)? = nil,
                                 status: HTTPResponseStatus = .ok) async throws -> Response {
        let call = try await service(req).find(id)
        let questions = try await service(req).questions(callID: id, publishedOnly: false).map { question in
            let typed = failed?.0 == question.id ? failed?.2 : nil
            let errors = failed?.0 == question.id ? failed!.1 : FieldErrors()
            return QuestionLine(
                id: question.id!.uuidString, question: question.question, answer: question.answer,
                askedAt: Display.dateTime(question.askedAt),
                fields: [
                    FieldContext("question", label: "call.question.field", kind: "textarea", value: typed?.question ?? question.question,
                                 errors: errors, required: true, hint: "call.question.rewordHint"),
                    FieldContext("answer", label: "call.answer.field", kind: "textarea", value: typed?.answer ?? question.answer ?? "",
                                 errors: errors, required: true),
                ])
        }
        return try await req.page("grants/questions", title: "call.questions.title",
                                  QuestionsPage(id: id.uuidString, reference: call.reference, questions: questions), status: status)
    }

    func questions(req: Request) async throws -> Response {
        try await renderQuestions(req, id: try callID(req))
    }

    func answer(req: Request) async throws -> Response {
        let id = try callID(req)
        guard let questionID = req.parameters.get("questionID", as: UUID.self) else { throw AppError.notFound }
        let form = try req.form(QuestionForm.self)
        switch try await service(req).answer(questionID: questionID, callID: id, question: form.question ?? "", answer: form.answer ?? "",
                                             actor: try req.requireSignedIn().userID) {
        case .failure(let errors): return try await renderQuestions(req, id: id, failed: (questionID, errors, form), status: .badRequest)
        case .success: return Flash.redirect(req, to: "/grants/calls/\(id.uuidString)/questions", flash: "call.answer.published")
        }
    }
}
