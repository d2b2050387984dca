import Foundation
import FuqizoCore
import Vapor

/// Capacity-building events: the list, made and edited by the programme's staff, one event's
/// page with its registrations, its materials and signed sheets, and closing it.
struct EventsController: RouteCollection {
    let uploadLimit: Int

    func boot(routes: any RoutesBuilder) throws {
        let events = routes.grouped("events")
        events.get(use: list).access(.viewEvents)
        events.get("new", use: newForm).access(.manageEvents)
        events.post(use: create).access(.manageEvents)
        let event = events.grouped(":eventID")
        event.get(use: show).access(.viewEvent, .capacityEvent)
        event.get("edit", use: edit).access(.manageEvents, .capacityEvent)
        event.post(use: update).access(.manageEvents, .capacityEvent)
        event.post("close", use: close).access(.manageEvents, .capacityEvent)
        event.upload("documents", limit: uploadLimit, use: attach).access(.runEvent, .capacityEvent)
        event.get("documents", ":attachmentID", use: download).access(.viewEvent, .capacityEvent)
    }

    private func service(_ req: Request) -> EventService {
        EventService(database: req.db, services: req.services)
    }

    struct ListQuery: Content {
        var all: String?
        var domain: String?
        var page: Int?
    }

    func list(req: Request) async throws -> Response {
        let query = try? req.query.decode(ListQuery.self)
        let upcoming = query?.all != "yes"
        // A trainer who is not also staff sees the events they run.
        let trainer = req.actor.isProgrammeStaff || req.actor.has(.csoUser) ? nil : req.actor.userID
        let domains = try await CapacityFigures(database: req.db).planDomains(nil)
        // Only a domain of the instrument filters; anything else shows every event.
        let domain = query?.domain.flatMap { typed in domains.contains { $0.key == typed } ? typed : nil }
        let found = try await service(req).events(trainer: trainer, upcoming: upcoming, domain: domain, page: query?.page)
        return try await req.page("events/list", title: "event.list.title",
                                  EventContext.list(req, rows: found.rows, pager: found.pager, upcoming: upcoming, domains: domains, domain: domain))
            .encodeResponse(for: req)
    }

    // MARK: the form

    private func renderForm(_ req: Request, _ form: EventForm, event: CapacityEvent?, errors: FieldErrors = .init(),
                            status: HTTPResponseStatus = .ok) async throws -> Response {
        let action = try event.map { SiteURL.event(try $0.requireID()).path } ?? SiteURL.events.path
        let context = EventContext.form(req, form, action: action, back: try event.map { SiteURL.event(try $0.requireID()).path } ?? SiteURL.events.path,
                                        domains: try await CapacityFigures(database: req.db).planDomains(nil),
                                        regions: try await GeographyDirectory.load(on: req.db).regions, trainers: try await service(req).trainers(), errors: errors)
        return try await req.page("events/form", title: event == nil ? "event.new.title" : "event.edit.title", context, status: status)
    }

    func newForm(req: Request) async throws -> Response {
        var form = EventForm()
        form.kind = EventKind.training.rawValue
        form.capacity = "25"
        return try await renderForm(req, form, event: nil)
    }

    func create(req: Request) async throws -> Response {
        let form = try req.form(EventForm.self)
        switch try await service(req).create(form, actor: try req.requireSignedIn().userID) {
        case .success(let event): return Flash.redirect(req, to: .event(try event.requireID()), flash: "event.createdFlash")
        case .failure(let errors): return try await renderForm(req, form, event: nil, errors: errors, status: .badRequest)
        }
    }

    func edit(req: Request) async throws -> Response {
        let event = try req.record(CapacityEvent.self)
        guard event.closedOn == nil else { throw AppError(status: .conflict, messageKey: "event.error.closed") }
        return try await renderForm(req, EventContext.form(of: event), event: event)
    }

    func update(req: Request) async throws -> Response {
        let event = try req.record(CapacityEvent.self)
        let form = try req.form(EventForm.self)
        switch try await service(req).update(event, form: form, actor: try req.requireSignedIn().userID) {
        case .success: return Flash.redirect(req, to: .event(try event.requireID()), flash: "event.savedFlash")
        case .failure(let errors): return try await renderForm(req, form, event: event, errors: errors, status: .badRequest)
        }
    }

    // MARK: one event

    /// `find`: the words staff typed to find people to register. They come in a posted form
    /// (`intent=find`), never in the address: a person's name stays out of URLs and logs.
    static func render(_ req: Request, _ event: CapacityEvent, find: String = "", fileErrorKey: String? = nil,
                       status: HTTPResponseStatus = .ok) async throws -> Response {
        let service = EventService(database: req.db, services: req.services)
        let actor = req.actor
        let staff = Policy.decide(actor, .manageEvents, event.resource).isAllowed
        let sees: Set<UUID>? = staff || Policy.decide(actor, .runEvent, event.resource).isAllowed ? nil : actor.organisations(as: .csoUser)
        let candidates = try await service.candidates(for: event, organisations: staff ? nil : actor.organisations(as: .csoUser), find: find)
        let context = try EventPageContext.page(
            req, event, registrations: try await service.registrations(of: event, organisations: sees),
            candidates: candidates.map { .init(id: $0.id.uuidString, label: "\($0.name) · \($0.role) · \($0.organisation)") }, find: find,
            trainers: try await service.trainerNames(event), domains: try await CapacityFigures(database: req.db).planDomains(nil),
            regions: try await GeographyDirectory.load(on: req.db).regions,
            documents: try await DocumentStore(database: req.db).attachments(of: .event, try event.requireID()), fileErrorKey: fileErrorKey)
        return try await req.page("events/event", title: "event.title", context, status: status)
    }

    func show(req: Request) async throws -> Response {
        try await Self.render(req, try req.record(CapacityEvent.self))
    }

    func close(req: Request) async throws -> Response {
        let event = try req.record(CapacityEvent.self)
        _ = try await service(req).close(event, actor: try req.requireSignedIn().userID)
        return Flash.redirect(req, to: .event(try event.requireID()), flash: "event.closedFlash")
    }

    struct Upload: Content {
        var file: File?
        var category: String?
    }

    static let categories = ["agenda", "material", "signedSheet"]

    func attach(req: Request) async throws -> Response {
        let event = try req.record(CapacityEvent.self)
        let upload = (try? req.content.decode(Upload.self)) ?? Upload()
        guard let category = upload.category, Self.categories.contains(category) else {
            return try await Self.render(req, event, fileErrorKey: "event.error.category", status: .badRequest)
        }
        switch DocumentStore.check(upload.file, limit: uploadLimit) {
        case .failure(let problem):
            return try await Self.render(req, event, fileErrorKey: problem.catalogKey, status: .badRequest)
        case .success(let (document, bytes)):
            try await service(req).attach(document, bytes: bytes, category: category, to: event, actor: try req.requireSignedIn().userID)
            return Flash.redirect(req, to: .event(try event.requireID()), flash: "document.attached")
        }
    }

    func download(req: Request) async throws -> Response {
        let event = try req.record(CapacityEvent.self)
        return try await DocumentStore(database: req.db).download(try req.id("attachmentID"), of: .event, try event.requireID())
    }
}
