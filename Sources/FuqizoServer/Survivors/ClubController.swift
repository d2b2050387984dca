import Fluent
import Foundation
import FuqizoCore
import Vapor

/// The Social Cause Club's sessions. Case workers plan sessions and invite members; the
/// facilitator of a session sees its list (code and first name) and records attendance.
struct ClubController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let club = routes.grouped("club")
        club.get(use: list).access(.runClub)
        club.post("sessions", use: create).access(.manageClub)
        club.get("sessions", ":sessionID", use: show).access(.takeAttendance, .clubSession)
        club.post("sessions", ":sessionID", "members", use: invite).access(.manageClub, .clubSession)
        club.post("sessions", ":sessionID", "attendance", use: attendance).access(.takeAttendance, .clubSession)
    }

    private func service(_ req: Request) -> ClubService { ClubService(database: req.db, services: req.services) }

    /// The organisations of a case worker, in a stable order: sessions are planned for the first.
    private static func caseOrganisations(_ actor: Actor) -> [UUID] {
        actor.organisations(as: .caseWorker).sorted { $0.uuidString < $1.uuidString }
    }

    struct Row: Encodable {
        let id: String
        let date: String
        let kind: String
        let place: String
        let facilitator: String
    }

    struct ListPage: Encodable {
        let sessions: [Row]
        let canPlan: Bool
        let fields: [FieldContext]
        let hasErrors: Bool
    }

    private func renderList(_ req: Request, form: ClubSessionForm = ClubSessionForm(), errors: FieldErrors = .init(),
                            status: HTTPResponseStatus = .ok) async throws -> Response {
        let actor = req.actor
        let organisations = Self.caseOrganisations(actor)
        let sessions = organisations.isEmpty
            ? try await service(req).sessions(organisations: [], facilitator: actor.userID)
            : try await service(req).sessions(organisations: Set(organisations), facilitator: nil)
        let names = try await service(req).facilitatorNames(of: sessions)
        var fields: [FieldContext] = []
        if let organisation = organisations.first {
            let facilitators = try await service(req).facilitators(of: organisation)
            fields = [
                FieldContext("kind", label: "club.field.kind", kind: "select", value: form.kind,
                             options: CaseWorkContext.options(ClubSessionKind.self, \.catalogKey, selected: [form.kind], req), errors: errors, required: true),
                FieldContext("date", label: "club.field.date", kind: "date", value: form.date, errors: errors, required: true),
                FieldContext("place", label: "club.field.place", value: form.place, errors: errors, required: true),
                FieldContext("facilitatorID", label: "club.field.facilitator", kind: "select", value: form.facilitatorID,
                             options: facilitators.map { .init(value: $0.id!.uuidString, label: $0.displayName, selected: $0.id!.uuidString == form.facilitatorID) },
                             errors: errors, required: true),
            ]
        }
        let rows = sessions.map { session in
            Row(id: session.id!.uuidString, date: session.heldOn, kind: ClubSessionKind(rawValue: session.kind).map { req.t($0.catalogKey) } ?? "",
                place: session.place, facilitator: names[session.facilitatorID] ?? "")
        }
        return try await req.page("club/list", title: "club.list.title",
                                  ListPage(sessions: rows, canPlan: !organisations.isEmpty, fields: fields, hasErrors: !errors.isEmpty), status: status)
    }

    func list(req: Request) async throws -> Response {
        try await renderList(req)
    }

    func create(req: Request) async throws -> Response {
        guard let organisation = Self.caseOrganisations(req.actor).first else { throw AppError.forbidden }
        try req.authorize(.manageClub, .organisation(organisation))
        let form = try req.form(ClubSessionForm.self)
        switch try await service(req).createSession(form, organisationID: organisation, actor: req.requireSignedIn().actor.userID!) {
        case .failure(let errors): return try await renderList(req, form: form, errors: errors, status: .badRequest)
        case .success(let id): return Flash.redirect(req, to: .clubSession(id), flash: "club.sessionCreated")
        }
    }

    struct Attendee: Encodable {
        let id: String
        let code: String
        let firstName: String?
        let present: Bool
    }

    struct SessionPage: Encodable {
        let id: String
        let date: String
        let kind: String
        let place: String
        let attendees: [Attendee]
        let invitable: [FieldContext]
        let canInvite: Bool
        /// Nil when attendance may be recorded; otherwise why not (a session to come).
        let attendanceRefusalKey: String?
    }

    /// The session named in the path, as the policy allowed it for the route's action.
    private func session(_ req: Request) throws -> ClubSession {
        try req.record(ClubSession.self)
    }

    func show(req: Request) async throws -> View {
        let session = try session(req)
        let attendees = try await service(req).attendees(of: session, actor: req.requireSignedIn().actor.userID!)
        let canInvite = Policy.decide(req.actor, .manageClub, session.resource).isAllowed
        let invitable = canInvite ? try await service(req).invitable(to: session) : []
        return try await req.page("club/session", title: "club.session.title", SessionPage(
            id: session.id!.uuidString, date: session.heldOn, kind: ClubSessionKind(rawValue: session.kind).map { req.t($0.catalogKey) } ?? "",
            place: session.place,
            attendees: attendees.map { Attendee(id: $0.attendanceID.uuidString, code: $0.code, firstName: $0.firstName, present: $0.present) },
            invitable: invitable.isEmpty ? [] : [FieldContext("codes", label: "club.field.members", kind: "checkboxes",
                                                              options: invitable.map { .init(value: $0, label: $0, selected: false) })],
            canInvite: canInvite, attendanceRefusalKey: ClubService.attendanceRefusal(session, now: req.now)?.messageKey))
    }

    struct InviteForm: Content {
        var codes: [String]?
    }

    func invite(req: Request) async throws -> Response {
        let session = try session(req)
        _ = try await service(req).invite(codes: try req.form(InviteForm.self).codes ?? [], to: session, actor: req.requireSignedIn().actor.userID!)
        return Flash.redirect(req, to: .clubSession(session.id!), flash: "club.invited")
    }

    struct AttendanceForm: Content {
        var present: [String]?
    }

    func attendance(req: Request) async throws -> Response {
        let session = try session(req)
        let present = Set((try req.form(AttendanceForm.self).present ?? []).compactMap(UUID.init(uuidString:)))
        try await service(req).recordAttendance(present: present, in: session, actor: req.requireSignedIn().actor.userID!)
        return Flash.redirect(req, to: .clubSession(session.id!), flash: "club.attendanceSaved")
    }
}
