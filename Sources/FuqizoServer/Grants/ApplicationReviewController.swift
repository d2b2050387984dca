import Foundation
import FuqizoCore
import Vapor

/// The grants side's pages of submitted applications: a call's list, one application with the
/// officer's panel (checks, evaluators, letters), its documents.
struct ApplicationReviewController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("grants", "calls", ":callID", "applications", use: callApplications).access(.reviewApplication, .committee)
        routes.get("grants", "applications", ":applicationID", use: officerShow).access(.reviewApplication, .application)
        routes.get("grants", "applications", ":applicationID", "attachments", ":attachmentID", use: officerDownload)
            .access(.reviewApplication, .application)
    }

    private func service(_ req: Request) -> ApplicationService {
        ApplicationService(database: req.db, services: req.services)
    }

    /// The submitted application named in the path, as the policy allowed it.
    private func application(_ req: Request) throws -> GrantApplication {
        try req.record(GrantApplication.self)
    }

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
        let pages: PageLinks
    }

    struct OfficerQuery: Decodable {
        var lot: String?
        var status: String?
        var page: Int?
    }

    func callApplications(req: Request) async throws -> View {
        let callID = try req.id("callID")
        let call = try await CallService(database: req.db, services: req.services).find(callID)
        let query = (try? req.query.decode(OfficerQuery.self)) ?? OfficerQuery()
        let lot = query.lot.flatMap(UUID.init(uuidString:)), status = query.status.flatMap(ApplicationStatus.init(rawValue:))
        let found = try await service(req).submitted(toCall: callID, lot: lot, status: status, page: query.page)
        let pager = found.pager
        let rows = found.rows.map { row in
            OfficerRow(id: row.id.uuidString, reference: row.reference, organisation: row.organisation,
                       lot: req.language.pick(row.lotSq, row.lotEn),
                       stage: req.t(row.stage.catalogKey), status: req.t(row.status.catalogKey),
                       requested: Money(minorUnits: row.requestedMinorUnits, currency: call.currency).written(in: req.language),
                       submittedAt: Display.dateTime(row.fullSubmittedAt ?? row.conceptSubmittedAt))
        }
        let lots = call.lots.sorted { $0.position < $1.position }.map {
            FieldContext.Option(value: $0.id!.uuidString, label: req.language.pick($0.nameSq, $0.nameEn), selected: $0.id == lot)
        }
        let statuses = ApplicationStatus.allCases.filter { $0 != .draft }.map {
            FieldContext.Option(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0 == status)
        }
        func link(_ page: Int) -> String {
            SiteURL.callApplications(callID).with([("page", String(page)), ("lot", lot?.uuidString), ("status", status?.rawValue)])
        }
        return try await req.page("grants/call-applications", title: "application.officer.title", OfficerList(
            callID: callID.uuidString, callReference: call.reference, rows: rows,
            fields: [FieldContext("lot", label: "application.field.lot", kind: "select", value: lot?.uuidString ?? "", options: lots),
                     FieldContext("status", label: "field.status", kind: "select", value: status?.rawValue ?? "", options: statuses)],
            pages: PageLinks(pager, link: link)))
    }

    func officerShow(req: Request) async throws -> Response {
        try await Self.render(req, try application(req))
    }

    func officerDownload(req: Request) async throws -> Response {
        let application = try application(req)
        return try await DocumentStore(database: req.db).download(try req.id("attachmentID"), of: .application, application.id!)
    }


    /// The application with the officer's panel; a failed check or evaluator choice comes back
    /// with what was typed.
    static func render(_ req: Request, _ application: GrantApplication, check failed: (CheckKind, CheckForm, FieldErrors)? = nil,
                       evaluatorErrors: FieldErrors = .init(), status: HTTPResponseStatus = .ok) async throws -> Response {
        let panel = try await OfficerPanelContext.build(req, application, check: failed, evaluatorErrors: evaluatorErrors)
        let attachments = try await DocumentStore(database: req.db).attachments(of: .application, panel.id)
        return try await req.page("grants/application", title: "application.title",
                                  try ApplicationContext.build(req, application, editable: false,
                                                               back: SiteURL.callApplications(application.$call.id).path,
                                                               attachments: attachments,
                                                               attachmentBase: SiteURL.reviewAttachments(panel.id).path,
                                                               shownStage: panel.stage, officer: panel.panel),
                                  status: status)
    }
}
