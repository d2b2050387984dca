import Fluent
import Foundation
import FuqizoCore
import Vapor

/// Applications: the CSO's pages to start, write and submit them, and the grants side's pages
/// to read what was submitted.
struct ApplicationsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let mine = routes.grouped("applications")
        mine.get(use: list).access(.applyForGrants)
        mine.post(use: start).access(.applyForGrants)
        mine.get(":applicationID", use: show).access(.viewApplication, .application)
        mine.post(":applicationID", use: save).access(.editApplication, .application)
        mine.post(":applicationID", "autosave", use: autosave).access(.editApplication, .application)
        mine.get(":applicationID", "receipt", use: receipt).access(.viewApplication, .application)
        mine.upload(":applicationID", "attachments", limit: uploadLimit, use: attach).access(.editApplication, .application)
        mine.post(":applicationID", "attachments", ":attachmentID", "delete", use: detach).access(.editApplication, .application)
        mine.get(":applicationID", "attachments", ":attachmentID", use: download).access(.viewApplication, .application)
        routes.get("grants", "calls", ":callID", "applications", use: callApplications).access(.reviewApplication, .committee)
        routes.get("grants", "applications", ":applicationID", use: officerShow).access(.reviewApplication, .application)
        routes.get("grants", "applications", ":applicationID", "attachments", ":attachmentID", use: officerDownload)
            .access(.reviewApplication, .application)
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

    private func name(_ req: Request, sq: String, en: String) -> String { req.language == .sq ? sq : en }

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
                callTitle: name(req, sq: call.titleSq, en: call.titleEn), lot: name(req, sq: application.lot.nameSq, en: application.lot.nameEn),
                organisation: application.organisation.nameSq, stageKey: application.stage.catalogKey,
                statusKey: application.status.catalogKey,
                deadline: Display.dateTime(ApplicationService.deadline(of: call, for: application.stage)))
        }
        let names = try await Organisation.query(on: req.db).filter(\.$id ~~ orgIDs).all()
        let openCalls = try await service.openCalls().map { call in
            let lots = call.lots.sorted { $0.position < $1.position }.map {
                FieldContext.Option(value: $0.id!.uuidString, label: name(req, sq: $0.nameSq, en: $0.nameEn), selected: false)
            }
            let callErrors = failedCall == call.id ? errors : FieldErrors()
            var fields = [FieldContext("lotID", label: "application.field.lot", kind: "select", options: lots, errors: callErrors, required: true)]
            if names.count > 1 {
                let options = names.map { FieldContext.Option(value: $0.id!.uuidString, label: $0.nameSq, selected: false) }
                fields.append(FieldContext("organisationID", label: "application.field.organisation", kind: "select", options: options,
                                           errors: callErrors, required: true))
            }
            return OpenCall(id: call.id!.uuidString, reference: call.reference, title: name(req, sq: call.titleSq, en: call.titleEn),
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
        return req.redirect(to: "/applications/\(id.uuidString)")
    }

    // MARK: one application

    struct ResultView: Encodable {
        let index: Int
        let result: String
        let indicator: String
        let baseline: String
        let target: String
        let errorKey: String?
    }

    struct LineView: Encodable {
        let index: Int
        let headings: [FieldContext.Option]
        let headingKey: String?
        let description: String
        let units: String
        let unitCost: String
        let total: String
        let errorKey: String?
    }

    struct TotalsView: Encodable {
        struct HeadingTotal: Encodable {
            let key: String
            let amount: String
        }

        let headings: [HeadingTotal]
        let direct: String
        let indirect: String
        let total: String
        let requested: String
        let coFinancing: String
        let maximumIndirect: Int
        let minimumGrant: String
        let maximumGrant: String
        let maximumGrantShare: Int
    }

    struct AttachmentView: Encodable {
        let id: String
        let label: String
        let filename: String
        let kind: String
        let size: String
        let uploadedAt: String
        let href: String
    }

    struct ApplicationPage: Encodable {
        let id: String
        let attachments: [AttachmentView]
        let uploadFields: [FieldContext]
        let uploadLimit: String
        let reference: String?
        let callReference: String
        let callTitle: String
        let lot: String
        var organisation: String
        var blind = false
        let stageKey: String
        let statusKey: String
        let deadline: String
        let deadlinePassed: Bool
        let editable: Bool
        let isFull: Bool
        let revision: Int
        let sections: [FieldContext]
        /// One-element lists, so the template can hand them to the field partial.
        let objective: [FieldContext]
        let results: [ResultView]
        let resultsErrorKey: String?
        let lines: [LineView]
        let budgetErrorKey: String?
        let indirectErrorKey: String?
        let requested: [FieldContext]
        let totals: TotalsView
        let hasErrors: Bool
        let conflict: Bool
        let submittedAt: String?
        let digest: String?
        let conceptSubmittedAt: String?
        let conceptDigest: String?
        let back: String
        var officer: OfficerPanel? = nil
        var evaluator: EvaluationController.ScorePanel? = nil

        /// The page as a blind review shows it: nothing that names the applicant.
        func hidingApplicant() -> ApplicationPage {
            var copy = self
            copy.organisation = ""
            copy.blind = true
            return copy
        }
    }

    /// Blank rows offered for adding results and budget lines without a script.
    static let blankResultRows = 2
    static let blankLineRows = 3

    static func pageContent(_ req: Request, _ application: GrantApplication, content typed: ApplicationContent? = nil,
                            errors: FieldErrors = .init(), revision: Int? = nil, conflict: Bool = false, editable: Bool,
                            back: String, attachments: [Attachment], attachmentBase: String,
                            upload: (label: String, errors: FieldErrors) = ("", .init()), shownStage: ApplicationStage? = nil,
                            officer: OfficerPanel? = nil) throws -> ApplicationPage {
        let call = application.call
        let stage = shownStage ?? application.stage
        let content = typed ?? application.content(stage)
        let rules = try call.grantRules()
        let currency = call.currency
        let language = req.language
        func money(_ minor: Int64) -> String { Money(minorUnits: minor, currency: currency).description }
        let sections = ApplicationContent.Section.allCases.filter { stage == .full || $0.inConceptNote }.map { section in
            FieldContext(section.rawValue, label: section.catalogKey, kind: section == .title ? "text" : "textarea",
                         value: content[section], errors: errors, required: true, hint: "\(section.catalogKey).hint")
        }
        var results = content.results
        var lines = content.lines
        if editable {
            results += Array(repeating: .init(), count: Self.blankResultRows)
            lines += Array(repeating: .init(), count: Self.blankLineRows)
        }
        let (budget, _) = content.budget(currency: currency)
        let lineTotals: [Int64?] = lines.map { line in
            BudgetLine.parse(units: line.units, unitCost: line.unitCost, currency: currency).map { Int64($0.units).saturatingMultiplied(by: $0.cost.minorUnits) }
        }
        let headingOptions = { (selected: String) in
            BudgetHeading.allCases.map { FieldContext.Option(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0.rawValue == selected) }
        }
        let deadline = ApplicationService.deadline(of: call, for: stage)
        return ApplicationPage(
            id: application.id!.uuidString,
            attachments: attachments.map {
                AttachmentView(id: $0.id!.uuidString, label: $0.label, filename: $0.filename, kind: $0.kind.uppercased(),
                               size: FileSize.text($0.size), uploadedAt: Display.dateTime($0.uploadedAt),
                               href: "\(attachmentBase)/\($0.id!.uuidString)")
            },
            uploadFields: [
                FieldContext("label", label: "document.label", value: upload.label, errors: upload.errors, required: true, hint: "document.label.hint"),
                FieldContext("file", label: "document.file", kind: "file", errors: upload.errors, required: true, hint: "document.file.hint"),
            ],
            uploadLimit: FileSize.text(Int64(req.services.config.maxUploadBytes)),
            reference: application.reference, callReference: call.reference,
            callTitle: language == .sq ? call.titleSq : call.titleEn,
            lot: language == .sq ? application.lot.nameSq : application.lot.nameEn,
            organisation: application.organisation.nameSq, stageKey: stage.catalogKey, statusKey: application.status.catalogKey,
            deadline: Display.dateTime(deadline), deadlinePassed: deadline <= req.now, editable: editable, isFull: stage == .full,
            revision: revision ?? application.revision, sections: sections,
            objective: [FieldContext("objective", label: "application.objective", kind: "textarea", value: content.objective, errors: errors,
                                     required: true, hint: "application.objective.hint")],
            results: results.enumerated().map { index, row in
                ResultView(index: index, result: row.result, indicator: row.indicator, baseline: row.baseline, target: row.target,
                           errorKey: errors["result-\(index)"])
            },
            resultsErrorKey: errors["results"],
            lines: lines.enumerated().map { index, line in
                LineView(index: index, headings: headingOptions(line.heading), headingKey: BudgetHeading(rawValue: line.heading)?.catalogKey,
                         description: line.description, units: line.units, unitCost: line.unitCost,
                         total: lineTotals[index].map(money) ?? "", errorKey: errors["line-\(index)"])
            },
            budgetErrorKey: errors["budget"], indirectErrorKey: errors["indirect"],
            requested: [FieldContext("requested", label: "application.requested", value: content.requested, errors: errors, required: true,
                                     hint: stage == .full ? "application.requested.hint" : "application.requested.conceptHint")],
            totals: TotalsView(
                headings: BudgetHeading.allCases.map { .init(key: $0.catalogKey, amount: money(budget.total(of: $0))) },
                direct: money(budget.directMinorUnits), indirect: money(budget.indirectMinorUnits), total: money(budget.totalMinorUnits),
                requested: money(budget.requestedMinorUnits), coFinancing: money(max(0, budget.coFinancingMinorUnits)),
                maximumIndirect: rules.maximumIndirectBasisPoints / 100, minimumGrant: money(rules.minimumGrantMinorUnits),
                maximumGrant: money(rules.maximumGrantMinorUnits), maximumGrantShare: rules.maximumGrantShareBasisPoints / 100),
            hasErrors: !errors.isEmpty, conflict: conflict,
            submittedAt: application.submittedAt(stage).map(Display.timestamp), digest: application.digest(stage),
            conceptSubmittedAt: stage == .full ? application.conceptSubmittedAt.map(Display.timestamp) : nil,
            conceptDigest: stage == .full ? application.conceptDigest : nil,
            back: back, officer: officer)
    }

    private func render(_ req: Request, _ application: GrantApplication, content: ApplicationContent? = nil, errors: FieldErrors = .init(),
                        revision: Int? = nil, conflict: Bool = false, upload: (label: String, errors: FieldErrors) = ("", .init()),
                        status: HTTPResponseStatus = .ok) async throws -> Response {
        let editable = application.status.allows(.edit)
            && Policy.decide(req.actor, .editApplication, .organisation(application.$organisation.id)).isAllowed
        let id = application.id!.uuidString
        let attachments = try await DocumentStore(database: req.db).attachments(of: .application, application.id!)
        return try await req.page("grants/application", title: "application.title",
                                  try Self.pageContent(req, application, content: content, errors: errors, revision: revision,
                                                   conflict: conflict, editable: editable, back: "/applications",
                                                   attachments: attachments, attachmentBase: "/applications/\(id)/attachments", upload: upload),
                                  status: status)
    }

    struct UploadForm: Content {
        var label: String?
        var file: File?
    }

    func attach(req: Request) async throws -> Response {
        let application = try application(req)
        let form = (try? req.content.decode(UploadForm.self)) ?? UploadForm()
        switch try await service(req).attach(application, label: form.label ?? "", file: form.file, actor: try req.requireSignedIn().userID) {
        case .success: return Flash.redirect(req, to: "/applications/\(application.id!.uuidString)", flash: "document.attached")
        case .failure(let errors): return try await render(req, application, upload: (form.label ?? "", errors), status: .badRequest)
        }
    }

    private func attachmentID(_ req: Request) throws -> UUID {
        guard let id = req.parameters.get("attachmentID", as: UUID.self) else { throw AppError.notFound }
        return id
    }

    func detach(req: Request) async throws -> Response {
        let application = try application(req)
        try await service(req).detach(application, attachmentID: try attachmentID(req), actor: try req.requireSignedIn().userID)
        return Flash.redirect(req, to: "/applications/\(application.id!.uuidString)", flash: "document.removed")
    }

    func download(req: Request) async throws -> Response {
        let application = try application(req)
        return try await DocumentStore(database: req.db).download(try attachmentID(req), of: .application, application.id!)
    }

    func officerDownload(req: Request) async throws -> Response {
        let application = try application(req)
        return try await DocumentStore(database: req.db).download(try attachmentID(req), of: .application, application.id!)
    }

    func show(req: Request) async throws -> Response {
        try await render(req, try application(req))
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
        let id = application.id!.uuidString
        if form.intent == "submit" {
            let email = try await signedIn.user(on: req.db).email
            switch try await service.submit(application, content: form.content, revision: form.revision, actor: signedIn.userID, mailTo: email) {
            case .success:
                return Flash.redirect(req, to: "/applications/\(id)/receipt", flash: "application.submitted")
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
        case .success: return Flash.redirect(req, to: "/applications/\(id)", flash: "application.saved")
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

    struct AutosaveAnswer: Content {
        let saved: Bool
        let revision: Int
        let message: String
    }

    /// The small script's save as the person types: JSON in, JSON out, never a page.
    func autosave(req: Request) async throws -> Response {
        let application = try application(req)
        let form = try req.form(SaveForm.self)
        let result = try await service(req).save(application, content: form.content, revision: form.revision,
                                                 actor: try req.requireSignedIn().userID)
        let answer: AutosaveAnswer
        let status: HTTPResponseStatus
        switch result {
        case .success(let revision):
            answer = AutosaveAnswer(saved: true, revision: revision,
                                    message: req.services.catalog.format("application.autosaved", req.language, ["time": Display.dateTime(req.now)]))
            status = .ok
        case .failure(.changedMeanwhile(let revision)):
            answer = AutosaveAnswer(saved: false, revision: revision, message: req.t("application.error.changedMeanwhile"))
            status = .conflict
        case .failure(.notEditable):
            answer = AutosaveAnswer(saved: false, revision: application.revision, message: req.t("application.error.submitted"))
            status = .conflict
        }
        let response = try await answer.encodeResponse(for: req)
        response.status = status
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
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
            callTitle: name(req, sq: application.call.titleSq, en: application.call.titleEn),
            lot: name(req, sq: application.lot.nameSq, en: application.lot.nameEn), organisation: application.organisation.nameSq,
            stageKey: stage.catalogKey, submittedAt: Display.timestamp(submittedAt), digest: digest))
    }

    // MARK: the grants side

    struct OfficerRow: Encodable {
        let id: String
        let reference: String
        let organisation: String
        let lot: String
        /// Translated here rather than by a tag a row.
        let stage: String
        let status: String
        let requested: String
        let submittedAt: String
    }

    struct OfficerList: Encodable {
        let callID: String
        let callReference: String
        let rows: [OfficerRow]
        let fields: [FieldContext]
        let total: Int
        let page: Int
        let pageCount: Int
        let previousPage: String?
        let nextPage: String?
    }

    struct OfficerQuery: Decodable {
        var lot: String?
        var status: String?
        var page: Int?
    }

    func callApplications(req: Request) async throws -> View {
        guard let callID = req.parameters.get("callID", as: UUID.self) else { throw AppError.notFound }
        let call = try await CallService(database: req.db, services: req.services).find(callID)
        let query = (try? req.query.decode(OfficerQuery.self)) ?? OfficerQuery()
        let lot = query.lot.flatMap(UUID.init(uuidString:)), status = query.status.flatMap(ApplicationStatus.init(rawValue:))
        let found = try await service(req).submitted(toCall: callID, lot: lot, status: status, page: query.page)
        let pager = found.pager
        let rows = found.rows.map { row in
            OfficerRow(id: row.id.uuidString, reference: row.reference, organisation: row.organisation,
                       lot: name(req, sq: row.lotSq, en: row.lotEn),
                       stage: req.t(row.stage.catalogKey), status: req.t(row.status.catalogKey),
                       requested: Money(minorUnits: row.requestedMinorUnits, currency: call.currency).description,
                       submittedAt: Display.dateTime(row.fullSubmittedAt ?? row.conceptSubmittedAt))
        }
        let lots = call.lots.sorted { $0.position < $1.position }.map {
            FieldContext.Option(value: $0.id!.uuidString, label: name(req, sq: $0.nameSq, en: $0.nameEn), selected: $0.id == lot)
        }
        let statuses = ApplicationStatus.allCases.filter { $0 != .draft }.map {
            FieldContext.Option(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0 == status)
        }
        func link(_ page: Int) -> String {
            var parts = ["page=\(page)"]
            if let lot { parts.append("lot=\(lot.uuidString)") }
            if let status { parts.append("status=\(status.rawValue)") }
            return "/grants/calls/\(callID.uuidString)/applications?" + parts.joined(separator: "&")
        }
        return try await req.page("grants/call-applications", title: "application.officer.title", OfficerList(
            callID: callID.uuidString, callReference: call.reference, rows: rows,
            fields: [FieldContext("lot", label: "application.field.lot", kind: "select", value: lot?.uuidString ?? "", options: lots),
                     FieldContext("status", label: "field.status", kind: "select", value: status?.rawValue ?? "", options: statuses)],
            total: pager.total, page: pager.page, pageCount: pager.pageCount,
            previousPage: pager.previous.map(link), nextPage: pager.next.map(link)))
    }

    func officerShow(req: Request) async throws -> Response {
        try await Self.renderOfficer(req, try application(req))
    }

    // MARK: the officer's panel: checks, evaluators, decision

    struct CheckItemView: Encodable {
        let code: String
        let labelKey: String
        let answer: String
        let reason: String
        let errorKey: String?
    }

    struct CheckBlock: Encodable {
        let kind: String
        let titleKey: String
        let done: Bool
        let passed: Bool
        let checkedAt: String?
        let canRecord: Bool
        let items: [CheckItemView]
    }

    struct AssignmentView: Encodable {
        let evaluator: String
        let statusKey: String
        let total: String?
    }

    struct OfficerPanel: Encodable {
        let checks: [CheckBlock]
        let assignments: [AssignmentView]
        let evaluationStarted: Bool
        let needsEvaluator: Bool
        let divergence: Bool
        let finalScore: String?
        let evaluatorOptions: [FieldContext]
        let canWithdraw: Bool
        let letters: [LetterLink]
        let hasErrors: Bool
    }

    struct LetterLink: Encodable {
        let href: String
        let outcomeKey: String
        let dueDate: String
        let sentAt: String?
    }

    static func renderOfficer(_ req: Request, _ application: GrantApplication, check failed: (CheckKind, CheckForm, FieldErrors)? = nil,
                              evaluatorErrors: FieldErrors = .init(), status: HTTPResponseStatus = .ok) async throws -> Response {
        let evaluation = EvaluationService(database: req.db, services: req.services)
        let id = application.id!
        let stage = application.status == .draft ? ApplicationStage.concept : application.stage
        let checks = try await evaluation.checks(of: id).filter { $0.stage == stage }
        let done = checks.map { (kind: $0.kind, passed: $0.passed) }
        let blocks = CheckKind.allCases.map { kind -> CheckBlock in
            let check = checks.first { $0.kind == kind }
            let result = check?.checkResult
            let typed = failed?.0 == kind ? failed : nil
            return CheckBlock(
                kind: kind.rawValue, titleKey: kind.catalogKey, done: check != nil, passed: check?.passed ?? false,
                checkedAt: check.map { Display.dateTime($0.checkedAt) },
                canRecord: CheckRule.refusal(recording: kind, status: application.status, done: done) == nil,
                items: kind.items(at: stage).map { code in
                    let failure = result?.failures[code]
                    return CheckItemView(code: code, labelKey: CheckKind.itemKey(code),
                                         answer: typed?.1.answers[code] ?? (check == nil ? "" : (failure == nil ? "yes" : "no")),
                                         reason: typed?.1.reasons[code] ?? failure ?? "", errorKey: typed?.2["item-\(code)"])
                })
        }
        let assignments = try await evaluation.assignments(of: id, at: stage)
        let scores = assignments.map(\.score)
        let showsScores = ScoreVisibility.showsScores(to: req.actor.userID, of: scores)
        let standing = evaluation.standing(assignments, call: application.call)
        // The committee comes with its users: the panel's names need no further query.
        let taken = Set(assignments.map { $0.$evaluator.id })
        let options = try await evaluation.committee(of: application.$call.id)
            .filter { $0.role == .evaluator && !taken.contains($0.$user.id) }
            .map { FieldContext.Option(value: $0.$user.id.uuidString, label: $0.user.displayName, selected: false) }
        let letters = try await DecisionLetter.query(on: req.db).filter(\.$application.$id == id).sort(\.$createdAt).all().map {
            LetterLink(href: "/grants/applications/\(id.uuidString)/letters/\($0.id!.uuidString)",
                       outcomeKey: EvaluationController.outcomeKey($0.outcome), dueDate: $0.dueDate, sentAt: $0.sentAt.map(Display.dateTime))
        }
        let officer = OfficerPanel(
            checks: blocks,
            assignments: assignments.map {
                AssignmentView(evaluator: $0.evaluator.displayName, statusKey: $0.status.catalogKey,
                               total: showsScores ? $0.total.map { String(format: "%.2f", $0) } : nil)
            },
            evaluationStarted: try await evaluation.round(application.$call.id, stage) != nil,
            needsEvaluator: standing.needsEvaluator,
            divergence: standing.needsFurtherEvaluator,
            finalScore: showsScores ? standing.finalScore.map { String(format: "%.2f", $0) } : nil,
            evaluatorOptions: [FieldContext("evaluator", label: "evaluation.addEvaluator.who", kind: "select", options: options,
                                            errors: evaluatorErrors, hint: "evaluation.addEvaluator.hint")],
            canWithdraw: application.status.allows(.withdraw), letters: letters,
            hasErrors: failed != nil || !evaluatorErrors.isEmpty)
        let attachments = try await DocumentStore(database: req.db).attachments(of: .application, id)
        return try await req.page("grants/application", title: "application.title",
                                  try pageContent(req, application, editable: false,
                                              back: "/grants/calls/\(application.$call.id.uuidString)/applications",
                                              attachments: attachments, attachmentBase: "/grants/applications/\(id.uuidString)/attachments",
                                              shownStage: stage, officer: officer),
                                  status: status)
    }

}
