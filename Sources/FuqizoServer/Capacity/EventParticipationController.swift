import Foundation
import FuqizoCore
import Vapor

/// Taking part in an event: registering people and cancelling, each session's attendance and
/// its printable sheet, the certificates; and the public page that verifies a certificate.
struct EventParticipationController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let event = routes.grouped("events", ":eventID")
        event.post("registrations", use: register).access(.registerForEvent, .capacityEvent)
        event.post("registrations", ":registrationID", "cancel", use: cancel).access(.registerForEvent, .capacityEvent)
        event.get("sessions", ":number", use: session).access(.runEvent, .capacityEvent)
        event.post("sessions", ":number", use: record).access(.runEvent, .capacityEvent)
        event.get("sessions", ":number", "sheet", use: sheet).access(.runEvent, .capacityEvent)
        event.get("certificates", ":registrationID", use: certificate).access(.viewEvent, .capacityEvent)
        routes.get("verify", use: verify).access(.viewPublic)
    }

    private func service(_ req: Request) -> EventService {
        EventService(database: req.db, services: req.services)
    }

    /// Staff register anyone; a CSO user only their own organisation's people.
    private func scope(_ req: Request, _ event: CapacityEvent) -> Set<UUID>? {
        Policy.decide(req.actor, .manageEvents, event.resource).isAllowed ? nil : req.actor.organisations(as: .csoUser)
    }

    struct Registering: Content {
        var people: [String]?
        var intent: String?
        var find: String?
    }

    func register(req: Request) async throws -> Response {
        let event = try req.record(CapacityEvent.self)
        let form = try req.form(Registering.self)
        // Finding people registers nobody: the page comes back with the matches.
        if form.intent == "find" { return try await EventsController.render(req, event, find: String((form.find ?? "").prefix(80))) }
        let people = (form.people ?? []).compactMap(UUID.init(uuidString:))
        // Inviting is staff's: a CSO registers its people itself.
        let inviting = form.intent == "invite"
        if inviting, scope(req, event) != nil { throw AppError.forbidden }
        let counts = try await service(req).register(people, for: event, allowed: scope(req, event), inviting: inviting,
                                                     actor: try req.requireSignedIn().userID)
        let flash = inviting ? "registration.invitedFlash" : counts.waitlisted > 0 ? "registration.waitlistedFlash" : "registration.registeredFlash"
        return Flash.redirect(req, to: .event(try event.requireID()), flash: flash)
    }

    func cancel(req: Request) async throws -> Response {
        let event = try req.record(CapacityEvent.self)
        let registration = try await service(req).registration(try req.id("registrationID"), of: event)
        if let allowed = scope(req, event), !allowed.contains(registration.$organisation.id) { throw AppError.notFound }
        try await service(req).cancel(registration, of: event, actor: try req.requireSignedIn().userID)
        return Flash.redirect(req, to: .event(try event.requireID()), flash: "registration.cancelledFlash")
    }

    // MARK: sessions

    private func loaded(_ req: Request) throws -> (CapacityEvent, EventSession) {
        let event = try req.record(CapacityEvent.self)
        guard let number = req.parameters.get("number").flatMap({ Bounded.integer($0, in: 1...EventForm.maximumSessions) }),
              let session = event.sessions.first(where: { $0.number == number }) else { throw AppError.notFound }
        return (event, session)
    }

    private func sessionContext(_ req: Request) async throws -> EventPageContext.SessionPage {
        let (event, session) = try loaded(req)
        return try EventPageContext.session(req, event, session, registrations: try await service(req).registrations(of: event, organisations: nil),
                                            marks: try await service(req).attendance(of: session), trainers: try await service(req).trainerNames(event))
    }

    func session(req: Request) async throws -> Response {
        try await req.page("events/session", title: "attendance.title", try await sessionContext(req)).encodeResponse(for: req)
    }

    func sheet(req: Request) async throws -> Response {
        try await req.page("events/sheet", title: "attendance.sheet.title", try await sessionContext(req)).encodeResponse(for: req)
    }

    struct Marks: Content {
        var mark: [String: String]?
    }

    func record(req: Request) async throws -> Response {
        let (event, session) = try loaded(req)
        let typed = try req.form(Marks.self).mark ?? [:]
        var marks: [UUID: AttendanceMark] = [:]
        for (key, value) in typed {
            guard let id = UUID(uuidString: key), let mark = AttendanceMark(rawValue: value) else { throw AppError.badRequest }
            marks[id] = mark
        }
        try await service(req).record(marks, session: session, of: event, actor: try req.requireSignedIn().userID)
        return Flash.redirect(req, to: .eventSession(event: try event.requireID(), number: session.number), flash: "attendance.savedFlash")
    }

    // MARK: certificates

    func certificate(req: Request) async throws -> Response {
        let event = try req.record(CapacityEvent.self)
        let registration = try await service(req).registration(try req.id("registrationID"), of: event)
        // Its trainers, the staff and the person's own organisation; a certificate not earned is not found.
        let mayRead = Policy.decide(req.actor, .runEvent, event.resource).isAllowed || req.actor.has(.csoUser, in: registration.$organisation.id)
        guard mayRead, registration.certificateCode != nil else { throw AppError.notFound }
        let context = EventPageContext.certificate(req, event, registration, verifyURL: req.services.config.publicURL + SiteURL.verifyCertificate.path)
        return try await req.page("events/certificate", title: "certificate.title", context).encodeResponse(for: req)
    }

    struct VerifyQuery: Content {
        var code: String?
    }

    struct VerifyPage: Encodable {
        let code: String
        let checked: Bool
        let found: Bool
        let name: String
        let title: String
        let dates: String
    }

    /// Anyone may check a code: the page shows only the person's name, the event and its dates.
    func verify(req: Request) async throws -> Response {
        let typed = (try? req.query.decode(VerifyQuery.self))?.code ?? ""
        let code = Certificate.normalisedCode(String(typed.prefix(40)))
        var found: EventRegistration?
        if let code { found = try await service(req).certificate(code: code) }
        let language = req.language
        let context = VerifyPage(code: String(typed.prefix(40)), checked: !typed.isEmpty, found: found != nil, name: found?.person.name ?? "",
                                 title: found.map { $0.event.title(language) } ?? "",
                                 dates: found.map { EventContext.dates($0.event.startsOn, $0.event.endsOn, language) } ?? "")
        let response: Response = try await req.page("events/verify", title: "certificate.verify.title", context).encodeResponse(for: req)
        // A name is shown: never kept by a shared cache.
        response.headers.replaceOrAdd(name: HTTPHeaders.Name.cacheControl, value: "private, no-store")
        return response
    }
}
