import Foundation
import FuqizoCore
import Vapor

/// Capacity-building events as people read them: the list, the form, an event's page with its
/// sessions, materials and registrations, a session's attendance and its printable sheet.
enum EventContext {
    // MARK: the list

    struct Line: Encodable {
        let href: String
        let reference: String
        let title: String
        let kind: String
        let dates: String
        let places: String
        let closed: Bool
    }

    struct ListPage: Encodable {
        let canCreate: Bool
        let upcoming: Bool
        let otherHref: String
        /// The domain filter: every domain of the newest instrument, the chosen one selected.
        let domainOptions: [FieldContext.Option]
        let all: String?
        let rows: [Line]
        let pages: PageLinks
    }

    static func dates(_ from: String, _ to: String, _ language: Language) -> String {
        from == to ? Display.date(iso: from, language) : "\(Display.date(iso: from, language)) – \(Display.date(iso: to, language))"
    }

    static func list(_ req: Request, rows: [EventService.EventRow], pager: Pager, upcoming: Bool,
                     domains: [CapacityInstrument.Domain], domain: String?) -> ListPage {
        let language = req.language
        return ListPage(
            canCreate: Policy.decide(req.actor, .manageEvents).isAllowed, upcoming: upcoming,
            otherHref: SiteURL.events.with([("all", upcoming ? "yes" : nil), ("domain", domain)]),
            domainOptions: [.init(value: "", label: req.t("event.list.anyDomain"), selected: domain == nil)]
                + domains.map { .init(value: $0.key, label: language.pick($0.nameSq, $0.nameEn), selected: $0.key == domain) },
            all: upcoming ? nil : "yes",
            rows: rows.map { row in
                Line(href: SiteURL.event(row.id).path, reference: row.reference, title: language.pick(row.titleSq, row.titleEn),
                     kind: req.t(EventKind(rawValue: row.kind)?.catalogKey ?? row.kind), dates: dates(row.startsOn, row.endsOn, language),
                     places: req.t("event.places", ["taken": Display.count(row.taken, language), "capacity": Display.count(row.capacity, language)]),
                     closed: row.closedOn != nil)
            },
            pages: PageLinks(pager) { SiteURL.events.with([("all", upcoming ? nil : "yes"), ("domain", domain), ("page", String($0))]) })
    }

    // MARK: the form

    struct FormPage: Encodable {
        let action: String
        let back: String
        let fields: [FieldContext]
        let sessions: [SessionRow]
        let sessionsError: String?
        let hasErrors: Bool
    }

    struct SessionRow: Encodable {
        let index: Int
        let number: Int
        let day: String
        let starts: String
        let ends: String
    }

    static func form(_ req: Request, _ form: EventForm, action: String, back: String, domains: [CapacityInstrument.Domain],
                     regions: [GeographyDirectory.Region], trainers: [(id: UUID, name: String)], errors: FieldErrors) -> FormPage {
        let language = req.language
        // Every session typed, and room for three more.
        let rows = form.sessions + Array(repeating: EventForm.SessionRow(), count: 3)
        return FormPage(
            action: action, back: back,
            fields: [
                FieldContext("kind", label: "event.field.kind", kind: "radios", value: form.kind,
                             options: EventKind.allCases.map { .init(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0.rawValue == form.kind) },
                             errors: errors, required: true),
                FieldContext("titleSq", label: "event.field.titleSq", value: form.titleSq, errors: errors, required: true),
                FieldContext("titleEn", label: "event.field.titleEn", value: form.titleEn, errors: errors, required: true),
                FieldContext("descriptionSq", label: "event.field.descriptionSq", kind: "textarea", value: form.descriptionSq, errors: errors, required: true),
                FieldContext("descriptionEn", label: "event.field.descriptionEn", kind: "textarea", value: form.descriptionEn, errors: errors, required: true),
                FieldContext("domains", label: "event.field.domains", kind: "checkboxes",
                             options: domains.map { .init(value: $0.key, label: language.pick($0.nameSq, $0.nameEn), selected: form.domains.contains($0.key)) },
                             errors: errors, required: true),
                FieldContext("region", label: "event.field.region", kind: "select", value: form.region,
                             options: regions.map { .init(value: $0.id.uuidString, label: $0.name(language), selected: $0.id.uuidString == form.region) },
                             errors: errors, hint: "event.region.hint"),
                FieldContext("online", label: "event.field.online", kind: "checkbox", value: form.online, errors: errors),
                FieldContext("venue", label: "event.field.venue", value: form.venue, errors: errors, hint: "event.venue.hint"),
                FieldContext("capacity", label: "event.field.capacity", kind: "number", value: form.capacity, errors: errors, required: true),
                FieldContext("trainers", label: "event.field.trainers", kind: "checkboxes",
                             options: trainers.map { .init(value: $0.id.uuidString, label: $0.name, selected: form.trainers.contains($0.id.uuidString)) },
                             errors: errors, required: true),
            ],
            sessions: rows.enumerated().map { index, row in
                SessionRow(index: index, number: index + 1, day: row.day, starts: row.starts, ends: row.ends)
            },
            sessionsError: errors["sessions"], hasErrors: !errors.isEmpty)
    }

    static func form(of event: CapacityEvent) -> EventForm {
        var form = EventForm()
        form.kind = event.kind.rawValue
        form.titleSq = event.titleSq
        form.titleEn = event.titleEn
        form.descriptionSq = event.descriptionSq
        form.descriptionEn = event.descriptionEn
        form.domains = event.domainKeys
        form.region = event.regionID?.uuidString ?? ""
        form.venue = event.venue
        form.online = event.online ? "yes" : ""
        form.capacity = String(event.capacity)
        form.trainers = event.trainers.map(\.userID.uuidString)
        form.sessions = event.sessions.map { EventForm.SessionRow(day: $0.heldOn, starts: $0.startsAt, ends: $0.endsAt) }
        return form
    }
}
