import Fluent
import Foundation
import FuqizoCore
import Vapor

/// The CSO's pages for its applications: the list with the open calls, starting one, writing
/// and submitting it, its documents and its receipt.
struct ApplicantController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let mine = routes.grouped("applications")
        mine.get(use: list).access(.applyForGrants)
        mine.post(use: start).access(.applyForGrants)
        mine.get(":applicationID", use: show).access(.viewApplication, .application)
        mine.post(":applicationID", use: save).access(.editApplication, .application)
        mine.post(":applicationID", "autosave", use: autosave).access(.editApplication, .application)
        mine.get(":applicationID", "receipt", use: receipt).access(.viewApplication, .application)
        mine.get(":applicationID", "letters", ":letterID", use: letter).access(.viewApplication, .application)
        mine.upload(":applicationID", "attachments", limit: uploadLimit, use: attach).access(.editApplication, .application)
        mine.post(":applicationID", "attachments", ":attachmentID", "delete", use: detach).access(.editApplication, .application)
        mine.get(":applicationID", "attachments", ":attachmentID", use: download).access(.viewApplication, .application)
    }

    /// The largest document an applicant may upload (`FUQIZO_MAX_UPLOAD_MB`).
    let uploadLimit: Int

    private func service(_ req: Request) -> ApplicationService {
        ApplicationService(database: req.db, services: req.services)
    }

    /// The application named in the path, as the policy allowed it (see `ResourceSource.application`).
    private func application(_ req: Request) throws -> GrantApplication {
        try req.record(GrantApplication.self)
    }

    // MARK: the CSO's list and start

    struct ApplicationRow: Encodable {
        let id: String
        let reference: String?
        let callReference: String
        let callTitle: String
        let lot: String
        let organisation: String
        let stageKey: String
        let statusKey: String
        let deadline: String
    }

    struct OpenCall: Encodable {
        let id: String
        let reference: String
        let title: String
        let deadline: String
        let fields: [FieldContext]
    }

    struct ListPage: Encodable {
        let applications: [ApplicationRow]
        let openCalls: [OpenCall]
        let hasErrors: Bool
    }

    private func organisations(_ req: Request) -> [UUID] {
        req.actor.grants.filter { $0.role == .csoUser }.compactMap(\.organisationID).sorted { $0.uuidString < $1.uuidString }
    }

    func list(req: Request) async throws -> Response {
        try await renderList(req)
    }

    private func renderList(_ req: Request, failedCall: UUID? = nil, errors: FieldErrors = .init(),
                            status: HTTPResponseStatus = .ok) async throws -> Response {
        let service = service(req)
        let orgIDs = organisations(req)
        let applications = try await service.applications(of: Set(orgIDs)).map { application in
            let call = application.call
            return ApplicationRow(
                id: application.id!.uuidString, reference: application.reference, callReference: call.reference,
                callTitle: req.language.pick(call.titleSq, call.titleEn), lot: req.language.pick(application.lot.nameSq, application.lot.nameEn),
                organisation: application.organisation.nameSq, stageKey: application.stage.catalogKey,
                statusKey: application.status.catalogKey,
                deadline: Display.dateTime(ApplicationService.deadline(of: call, for: application.stage)))
        }
        let names = try await OrganisationService(database: req.db, services: req.services).named(orgIDs)
        // The call an "Apply" button led here from comes first.
        let chosen = req.query[String.self, at: "call"].flatMap(UUID.init(uuidString:)) ?? failedCall
        let openCalls = try await service.openCalls().sorted { first, _ in first.id == chosen }.map { call in
            let lots = call.lots.sorted { $0.position < $1.position }.map {
                FieldContext.Option(value: $0.id!.uuidString, label: req.language.pick($0.nameSq, $0.nameEn), selected: false)
            }
            let callErrors = failedCall == call.id ? errors : FieldErrors()
            var fields = [FieldContext("lotID", label: "application.field.lot", kind: "select", options: lots, errors: callErrors, required: true)]
            if names.count > 1 {
                let options = names.map { FieldContext.Option(value: $0.id!.uuidString, label: $0.nameSq, selected: false) }
                fields.append(FieldContext("organisationID", label: "application.field.organisation", kind: "select", options: options,
                                           errors: callErrors, required: true))
            }
            return OpenCall(id: call.id!.uuidString, reference: call.reference, title: req.language.pick(call.titleSq, call.titleEn),
                            deadline: Display.dateTime(ApplicationService.deadline(of: call, for: ApplicationService.firstStage(of: call))),
                            fields: fields)
        }
        return try await req.page("grants/applications", title: "application.list.title",
                                  ListPage(applications: applications, openCalls: openCalls, hasErrors: !errors.isEmpty), status: status)
    }

    struct StartForm: Content {
        var callID: String?
        var lotID: String?
        var organisationID: String?
    }

    func start(req: Request) async throws -> Response {
        let form = try req.form(StartForm.self)
        let orgIDs = organisations(req)
        guard let callID = form.callID.flatMap(UUID.init(uuidString:)) else { throw AppError.badRequest }
        var errors = FieldErrors()
        let lotID = form.lotID.flatMap(UUID.init(uuidString:))
        if lotID == nil { errors.add("lotID", "form.error.choose") }
        let organisationID = orgIDs.count == 1 ? orgIDs.first : form.organisationID.flatMap(UUID.init(uuidString:))
        if organisationID == nil { errors.add("organisationID", "form.error.choose") }
        guard errors.isEmpty, let lotID, let organisationID else {
            return try await renderList(req, failedCall: callID, errors: errors, status: .badRequest)
        }
        try req.authorize(.editApplication, .organisation(organisationID))
        let id = try await service(req).start(callID: callID, lotID: lotID, organisationID: organisationID, language: req.language,
                                              actor: try req.requireSignedIn().userID)
        return req.redirect(to: .application(id))
    }

    private func render(_ req: Request, _ application: GrantApplication, content: ApplicationContent? = nil, errors: FieldErrors = .init(),
                        revision: Int? = nil, conflict: Bool = false, upload: (label: String, errors: FieldErrors) = ("", .init()),
                        status: HTTPResponseStatus = .ok) async throws -> Response {
        let editable = application.status.allows(.edit)
            && Policy.decide(req.actor, .editApplication, .organisation(application.$organisation.id)).isAllowed
        let attachments = try await DocumentStore(database: req.db).attachments(of: .application, application.id!)
        var page = try ApplicationContext.build(req, application, content: content, errors: errors, revision: revision,
                                                conflict: conflict, editable: editable, back: SiteURL.applications.path,
                                                attachments: attachments, attachmentBase: SiteURL.applicationAttachments(application.id!).path, upload: upload)
        page.decision = try await ApplicantDecision.build(req, application)
        return try await req.page("grants/application", title: "application.title", page, status: status)
    }

    struct UploadForm: Content {
        var label: String?
        var file: File?
    }

    func attach(req: Request) async throws -> Response {
        let application = try application(req)
        let form = (try? req.content.decode(UploadForm.self)) ?? UploadForm()
        let actor = try req.requireSignedIn().userID
        // The button belongs to the application's form: what was typed since the last save
        // comes with the file and is saved first, so attaching loses none of it.
        var typed: (content: ApplicationContent, revision: Int)?
        if (try? req.content.get(String.self, at: "revision")) != nil, let sent = try? req.content.decode(SaveForm.self) {
            switch try await service(req).save(application, content: sent.content, revision: sent.revision, actor: actor) {
            case .success(let revision): typed = (sent.content, revision)
            case .failure(let problem): return try await saveProblem(req, application, sent, problem)
            }
        }
        switch try await service(req).attach(application, label: form.label ?? "", file: form.file, actor: actor) {
        case .success: return Flash.redirect(req, to: .application(application.id!), flash: "document.attached")
        case .failure(let errors):
            return try await render(req, application, content: typed?.content, revision: typed?.revision, upload: (form.label ?? "", errors),
                                    status: .badRequest)
        }
    }

    func detach(req: Request) async throws -> Response {
        let application = try application(req)
        try await service(req).detach(application, attachmentID: try req.id("attachmentID"), actor: try req.requireSignedIn().userID)
        return Flash.redirect(req, to: .application(application.id!), flash: "document.removed")
    }

    func download(req: Request) async throws -> Response {
        let application = try application(req)
        return try await DocumentStore(database: req.db).download(try req.id("attachmentID"), of: .application, application.id!)
    }

    func show(req: Request) async throws -> Response {
        try await render(req, try application(req))
    }

    func letter(req: Request) async throws -> View {
        try await ApplicantDecision.letterPage(req, try application(req), letterID: try req.id("letterID"))
    }

    struct SaveForm: Decodable {
        var content: ApplicationContent
        var revision: Int
        var intent: String

        enum CodingKeys: String, CodingKey { case revision, intent }

        init(from decoder: any Decoder) throws {
            content = try ApplicationContent(from: decoder)
            let form = try decoder.container(keyedBy: CodingKeys.self)
            revision = Int(try form.text(.revision)) ?? 0
            intent = try form.text(.intent)
        }
    }

    func save(req: Request) async throws -> Response {
        let application = try application(req)
        let form = try req.form(SaveForm.self)
        let signedIn = try req.requireSignedIn()
        let service = service(req)
        if form.intent == "submit" {
            let email = try await signedIn.user(on: req.db).email
            switch try await service.submit(application, content: form.content, revision: form.revision, actor: signedIn.userID, mailTo: email) {
            case .success:
                return Flash.redirect(req, to: .applicationReceipt(application.id!), flash: "application.submitted")
            case .failure(.checklist(let errors)):
                return try await render(req, application, content: form.content, errors: errors, status: .unprocessableEntity)
            case .failure(.late):
                var errors = FieldErrors()
                errors.add("deadline", "application.error.late")
                return try await render(req, application, content: form.content, errors: errors, status: .unprocessableEntity)
            case .failure(.save(let problem)):
                return try await saveProblem(req, application, form, problem)
            }
        }
        switch try await service.save(application, content: form.content, revision: form.revision, actor: signedIn.userID) {
        case .success: return Flash.redirect(req, to: .application(application.id!), flash: "application.saved")
        case .failure(let problem): return try await saveProblem(req, application, form, problem)
        }
    }

    private func saveProblem(_ req: Request, _ application: GrantApplication, _ form: SaveForm,
                             _ problem: ApplicationService.SaveProblem) async throws -> Response {
        switch problem {
        case .notEditable:
            throw AppError(status: .conflict, messageKey: "application.error.submitted")
        case .changedMeanwhile(let revision):
            // Their text comes back with the newer revision: saving again keeps theirs.
            return try await render(req, application, content: form.content, revision: revision, conflict: true, status: .conflict)
        }
    }

    /// The small script's save as the person types: JSON in, JSON out, never a page.
    func autosave(req: Request) async throws -> Response {
        let application = try application(req)
        let form = try req.form(SaveForm.self)
        let result = try await service(req).save(application, content: form.content, revision: form.revision,
                                                 actor: try req.requireSignedIn().userID)
        switch result {
        case .success(let revision):
            return try await AutosaveAnswer(saved: true, revision: revision, message: AutosaveAnswer.savedLine(req)).response(.ok, for: req)
        case .failure(.changedMeanwhile(let revision)):
            return try await AutosaveAnswer(saved: false, revision: revision, message: req.t("application.error.changedMeanwhile"))
                .response(.conflict, for: req)
        case .failure(.notEditable):
            return try await AutosaveAnswer(saved: false, revision: application.revision, message: req.t("application.error.submitted"))
                .response(.conflict, for: req)
        }
    }

    struct ReceiptPage: Encodable {
        let id: String
        let reference: String
        let callReference: String
        let callTitle: String
        let lot: String
        let organisation: String
        let stageKey: String
        let submittedAt: String
        let digest: String
    }

    func receipt(req: Request) async throws -> View {
        let application = try application(req)
        let stage = application.stage
        guard let reference = application.reference, let submittedAt = application.submittedAt(stage),
              let digest = application.digest(stage) else { throw AppError.notFound }
        return try await req.page("grants/receipt", title: "receipt.title", ReceiptPage(
            id: application.id!.uuidString, reference: reference, callReference: application.call.reference,
            callTitle: req.language.pick(application.call.titleSq, application.call.titleEn),
            lot: req.language.pick(application.lot.nameSq, application.lot.nameEn), organisation: application.organisation.nameSq,
            stageKey: stage.catalogKey, submittedAt: Display.timestamp(submittedAt), digest: digest))
    }
}
