import Fluent
import Foundation
import FuqizoCore
import Vapor

/// "Ask for an account" on the public site, and the grants officer's pages that answer it.
struct AccountRequestsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("register", use: form).access(.viewPublic)
        routes.post("register", use: submit).access(.viewPublic)
        let requests = routes.grouped("organisations", "requests")
        requests.get(use: list).access(.reviewAccountRequests)
        requests.get(":requestID", use: show).access(.reviewAccountRequests)
        requests.post(":requestID", "approve", use: approve).access(.reviewAccountRequests)
        requests.post(":requestID", "refuse", use: refuse).access(.reviewAccountRequests)
    }

    private func service(_ req: Request) -> AccountRequestService {
        AccountRequestService(database: req.db, services: req.services)
    }

    struct FormPage: Encodable {
        let fields: [FieldContext]
        let hasErrors: Bool
        let received: Bool
        let throttled: Bool
    }

    private func render(_ req: Request, _ form: AccountRequestForm = .init(), errors: FieldErrors = .init(), received: Bool = false,
                        throttled: Bool = false, status: HTTPResponseStatus = .ok) async throws -> Response {
        let geography = try await GeographyDirectory.load(on: req.db)
        let municipalities = geography.sortedPlaces.map {
            FieldContext.Option(value: $0.municipalityID.uuidString, label: "\($0.municipality) (\($0.county))",
                                selected: $0.municipalityID.uuidString == form.municipalityID)
        }
        let fields = received ? [] : [
            FieldContext("organisationName", label: "accountRequest.field.organisationName", value: form.organisationName, errors: errors, required: true),
            FieldContext("registrationNumber", label: "field.nuis", value: form.registrationNumber, errors: errors, required: true, hint: "accountRequest.nuis.hint"),
            FieldContext("municipalityID", label: "field.municipality", kind: "select", value: form.municipalityID, options: municipalities,
                         errors: errors, required: true),
            FieldContext("contactName", label: "accountRequest.field.contactName", value: form.contactName, errors: errors, required: true, autocomplete: "name"),
            FieldContext("email", label: "field.email", kind: "email", value: form.email, errors: errors, required: true, autocomplete: "email"),
            FieldContext("phone", label: "accountRequest.field.phone", kind: "tel", value: form.phone, errors: errors, autocomplete: "tel"),
            FieldContext("message", label: "accountRequest.field.message", kind: "textarea", value: form.message, errors: errors, hint: "accountRequest.message.hint"),
        ]
        return try await req.page("organisations/register", title: "accountRequest.title",
                                  FormPage(fields: fields, hasErrors: !errors.isEmpty, received: received, throttled: throttled), status: status)
    }

    func form(req: Request) async throws -> Response {
        try await render(req)
    }

    func submit(req: Request) async throws -> Response {
        let form = try req.form(AccountRequestForm.self)
        let address = SignInController.identity(req).addressKey(req.clientAddress)
        switch try await service(req).submit(form, language: req.language, addressDigest: address) {
        case .received: return try await render(req, received: true)
        case .invalid(let errors): return try await render(req, form, errors: errors, status: .badRequest)
        case .throttled: return try await render(req, form, throttled: true, status: .tooManyRequests)
        }
    }

    struct Row: Encodable {
        let href: String
        let organisation: String
        let nuis: String
        let municipality: String
        let requested: String
        let statusKey: String
    }

    struct ListPage: Encodable {
        let pending: [Row]
        let decided: [Row]
    }

    private func row(_ req: Request, _ request: AccountRequest, _ geography: GeographyDirectory) -> Row {
        Row(href: SiteURL.accountRequest(request.id!).path, organisation: request.organisationName, nuis: request.registrationNumber,
            municipality: geography.places[request.municipalityID]?.municipality ?? "", requested: Display.day(request.requestedAt, req.language),
            statusKey: request.status.catalogKey)
    }

    func list(req: Request) async throws -> View {
        let geography = try await GeographyDirectory.load(on: req.db)
        return try await req.page("organisations/requests", title: "accountRequest.list.title", ListPage(
            pending: try await service(req).pending().map { row(req, $0, geography) },
            decided: try await service(req).recent().map { row(req, $0, geography) }))
    }

    struct RequestPage: Encodable {
        let id: String
        let facts: [RecordFact]
        let statusKey: String
        let pending: Bool
        let registeredHref: String?
        let registeredName: String?
        let registerHref: String
        let problemKey: String?
        let refusalReason: String?
    }

    private func renderRequest(_ req: Request, _ request: AccountRequest, problem: String? = nil, status: HTTPResponseStatus = .ok) async throws -> Response {
        let geography = try await GeographyDirectory.load(on: req.db)
        let registered = try await service(req).registered(request)
        let blocking = AccountRequestRule.approvalProblem(status: request.status, inRegistry: registered != nil,
                                                          emailTaken: try await service(req).emailTaken(request))
        let place = geography.places[request.municipalityID]
        let facts = [
            RecordFact(labelKey: "accountRequest.field.organisationName", value: request.organisationName),
            RecordFact(labelKey: "field.nuis", value: request.registrationNumber),
            RecordFact(labelKey: "field.municipality", value: place.map { "\($0.municipality) (\($0.county))" } ?? ""),
            RecordFact(labelKey: "accountRequest.field.contactName", value: request.contactName),
            RecordFact(labelKey: "field.email", value: request.email),
            RecordFact(labelKey: "accountRequest.field.phone", value: request.phone ?? ""),
            RecordFact(labelKey: "accountRequest.field.message", value: request.message ?? ""),
            RecordFact(labelKey: "accountRequest.requested", value: Display.dateTime(request.requestedAt)),
        ]
        return try await req.page("organisations/request", title: "accountRequest.detail.title", RequestPage(
            id: request.id!.uuidString, facts: facts, statusKey: request.status.catalogKey, pending: request.status == .pending,
            registeredHref: registered?.id.map { SiteURL.organisation($0).path }, registeredName: registered?.nameSq,
            registerHref: SiteURL.newOrganisation.with([("request", request.id!.uuidString)]),
            problemKey: problem ?? (request.status == .pending ? blocking : nil), refusalReason: request.refusalReason), status: status)
    }

    private func request(_ req: Request) async throws -> AccountRequest {
        try await service(req).find(try req.id("requestID"))
    }

    func show(req: Request) async throws -> Response {
        try await renderRequest(req, try await request(req))
    }

    func approve(req: Request) async throws -> Response {
        let request = try await request(req)
        switch try await service(req).approve(request, actor: try req.requireSignedIn().userID, passwords: req.application.passwordHasher) {
        case .success: return Flash.redirect(req, to: .accountRequests, flash: "accountRequest.approved")
        case .failure(let problem): return try await renderRequest(req, request, problem: problem, status: .conflict)
        }
    }

    /// Refusing tells the contact why: the officer confirms and writes the reason.
    func refuse(req: Request) async throws -> Response {
        let request = try await request(req)
        guard request.status == .pending else { throw AppError(status: .conflict, messageKey: "accountRequest.error.decided") }
        let id = try request.requireID()
        switch try await req.confirmation({ $0.writtenReason() }, { form, errors in
            ConfirmationContext(title: "accountRequest.refuse.confirmTitle",
                                consequence: req.t("accountRequest.refuse.consequence", ["organisation": request.organisationName]),
                                action: req.url.path, cancel: .accountRequest(id), fields: [ConfirmationContext.writtenReason(form, errors: errors)],
                                confirm: "accountRequest.refuse")
        }) {
        case .ask(let response): return response
        case .reason(let reason):
            try await service(req).refuse(request, reason: reason, actor: try req.requireSignedIn().userID)
            return Flash.redirect(req, to: .accountRequests, flash: "accountRequest.refused")
        }
    }
}
