import Foundation
import FuqizoCore
import Vapor

/// The programme's open data for anyone (IATI 2.03 activity and organisation files, the
/// sub-grants as 360Giving), and the administrator's page that names the publisher and funder.
struct OpenDataController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let files = routes.grouped("open-data")
        files.get("iati-activities.xml") { req in try await file(req, \.activities) }.access(.viewPublic)
        files.get("iati-organisations.xml") { req in try await file(req, \.organisations) }.access(.viewPublic)
        files.get("360giving.json", use: giving).access(.viewPublic)
        routes.get("admin", "settings", "open-data", use: settings).access(.manageSettings)
        routes.post("admin", "settings", "open-data", use: save).access(.manageSettings)
    }

    private func service(_ req: Request) -> OpenDataService {
        OpenDataService(database: req.db, services: req.services)
    }

    /// Not published until the administrator has named the publisher and the funder.
    private func files(_ req: Request) async throws -> OpenDataFiles {
        guard let files = try await service(req).files() else { throw AppError.notFound }
        return files
    }

    func file(_ req: Request, _ part: KeyPath<OpenDataFiles, String>) async throws -> Response {
        let response = Response(status: .ok, body: .init(string: try await files(req)[keyPath: part]))
        response.headers.contentType = HTTPMediaType(type: "application", subType: "xml", parameters: ["charset": "utf-8"])
        return response
    }

    func giving(req: Request) async throws -> Response {
        guard let giving = try await files(req).giving else { throw AppError(status: .notFound, messageKey: "openData.noGrants") }
        let response = Response(status: .ok, body: .init(data: giving))
        response.headers.contentType = .json
        return response
    }

    struct Page: Encodable {
        let fields: [FieldContext]
        let hasErrors: Bool
        let links: [String]
    }

    private func render(_ req: Request, form: OpenDataSettingsForm, errors: FieldErrors = .init(), status: HTTPResponseStatus = .ok) async throws -> Response {
        func options(_ codes: [String], _ chosen: String, prefix: String) -> [FieldContext.Option] {
            codes.map { .init(value: $0, label: "\($0) · \(req.t(prefix + $0))", selected: $0 == chosen) }
        }
        let fields = [
            FieldContext("publisherRef", label: "openData.field.publisherRef", value: form.publisherRef, errors: errors, required: true, hint: "openData.field.publisherRef.hint"),
            FieldContext("publisherType", label: "openData.field.publisherType", kind: "select", value: form.publisherType,
                         options: options(OpenDataCodes.organisationTypes, form.publisherType, prefix: "openData.organisationType."), errors: errors, required: true),
            FieldContext("funderRef", label: "openData.field.funderRef", value: form.funderRef, errors: errors, required: true, hint: "openData.field.funderRef.hint"),
            FieldContext("funderType", label: "openData.field.funderType", kind: "select", value: form.funderType,
                         options: options(OpenDataCodes.organisationTypes, form.funderType, prefix: "openData.organisationType."), errors: errors, required: true),
            FieldContext("activityIdentifier", label: "openData.field.activityIdentifier", value: form.activityIdentifier, errors: errors, required: true,
                         hint: "openData.field.activityIdentifier.hint"),
            FieldContext("sectors", label: "openData.field.sectors", kind: "textarea", value: form.sectors, errors: errors, required: true,
                         hint: "openData.field.sectors.hint"),
            FieldContext("budget", label: "openData.field.budget", value: form.budget, errors: errors, hint: "openData.field.budget.hint"),
            FieldContext("incomingFunds", label: "openData.field.incomingFunds", kind: "textarea", value: form.incomingFunds, errors: errors,
                         hint: "openData.field.incomingFunds.hint"),
            FieldContext("givingPrefix", label: "openData.field.givingPrefix", value: form.givingPrefix, errors: errors, required: true,
                         hint: "openData.field.givingPrefix.hint"),
        ]
        return try await req.page("admin/open-data", title: "openData.title",
                                  Page(fields: fields, hasErrors: !errors.isEmpty,
                                       links: ["/open-data/iati-activities.xml", "/open-data/iati-organisations.xml", "/open-data/360giving.json"]),
                                  status: status)
    }

    func settings(req: Request) async throws -> Response {
        try await render(req, form: OpenDataSettingsForm(try await service(req).settings()))
    }

    func save(req: Request) async throws -> Response {
        let form = try req.form(OpenDataSettingsForm.self)
        switch try await service(req).update(form, actor: try req.requireSignedIn().userID) {
        case .failure(let errors): return try await render(req, form: form, errors: errors, status: .badRequest)
        case .success: return Flash.redirect(req, to: .openDataSettings, flash: "form.saved")
        }
    }
}
