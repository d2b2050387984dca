import Foundation
import FuqizoCore
import Vapor

/// One event's page: what it is, its sessions, materials, places and registrations, and what
/// the reader may do (register their people, cancel, take attendance, close it).
enum EventPageContext {
    struct Session: Encodable {
        let number: Int
        let when: String
        let href: String?
        let taken: Bool
    }

    struct Registration: Encodable {
        let id: String
        let name: String
        let organisation: String
        let status: String
        let certificateHref: String?
        let canCancel: Bool
        /// An invitation the CSO (or staff) can accept for this person; cancelling it declines.
        let canAccept: Bool
        let personID: String
    }

    struct Candidate: Encodable {
        let id: String
        let label: String
    }

    struct Document: Encodable {
        let href: String
        let label: String
    }

    struct Page: Encodable {
        let id: String
        let reference: String
        let title: String
        let kind: String
        let description: String
        let domains: [String]
        let region: String?
        let place: String
        let dates: String
        let trainers: String
        let places: String
        let waiting: Int
        let sessions: [Session]
        let documents: [Document]
        let canRun: Bool
        let canEdit: Bool
        let canClose: Bool
        let closed: Bool
        let registrations: [Registration]
        let canRegister: Bool
        let candidates: [Candidate]
        let findsPeople: Bool
        let find: String
        let fileErrorKey: String?
        let uploadLimit: String
    }

    static func page(_ req: Request, _ event: CapacityEvent, registrations: [EventService.RegistrationRow], candidates: [Candidate], find: String,
                     trainers: [UUID: String], domains: [CapacityInstrument.Domain], regions: [GeographyDirectory.Region],
                     documents: [Attachment], fileErrorKey: String? = nil) throws -> Page {
        let language = req.language
        let id = try event.requireID()
        let actor = req.actor
        let resource = event.resource
        let canRun = Policy.decide(actor, .runEvent, resource).isAllowed
        let staff = Policy.decide(actor, .manageEvents, resource).isAllowed
        let today = TiranaTime.today(at: req.services.clock.now())
        let over = (LocalDate(event.endsOn).map { $0 < today } ?? false)
        let open = event.closedOn == nil && !over
        let names = Dictionary(domains.map { ($0.key, language.pick($0.nameSq, $0.nameEn)) }, uniquingKeysWith: { a, _ in a })
        let ownOrganisations = actor.organisations(as: .csoUser)
        let taken = registrations.filter { RegistrationStatus(rawValue: $0.status)?.holdsPlace == true }.count
        return Page(
            id: id.uuidString, reference: event.reference, title: event.title(language), kind: req.t(event.kind.catalogKey),
            description: language.pick(event.descriptionSq, event.descriptionEn),
            domains: event.domainKeys.map { names[$0] ?? $0 },
            region: event.regionID.flatMap { region in regions.first { $0.id == region }?.name(language) },
            place: event.online ? (event.venue.isEmpty ? req.t("event.online") : "\(req.t("event.online")) · \(event.venue)") : event.venue,
            dates: EventContext.dates(event.startsOn, event.endsOn, language),
            trainers: event.trainers.compactMap { trainers[$0.userID] }.sorted().joined(separator: ", "),
            places: req.t("event.places", ["taken": Display.count(taken, language), "capacity": Display.count(event.capacity, language)]),
            waiting: registrations.filter { $0.status == RegistrationStatus.waitlisted.rawValue }.count,
            sessions: event.sessions.map { session in
                Session(number: session.number,
                        when: "\(Display.date(iso: session.heldOn, language)), \(session.startsAt)–\(session.endsAt)",
                        href: canRun ? SiteURL.eventSession(event: id, number: session.number).path : nil, taken: session.attendanceTakenAt != nil)
            },
            documents: documents.compactMap { document in
                document.id.map { Document(href: SiteURL.eventDocuments(id).appending($0), label: document.label) }
            },
            canRun: canRun, canEdit: staff && event.closedOn == nil, canClose: staff && event.closedOn == nil && over,
            closed: event.closedOn != nil,
            registrations: registrations.map { row in
                let status = RegistrationStatus(rawValue: row.status)
                let mine = staff || ownOrganisations.contains(row.organisationID)
                return Registration(
                    id: row.id.uuidString, name: row.name, organisation: row.organisation,
                    status: req.t(status?.catalogKey ?? row.status),
                    certificateHref: row.certificateCode != nil && (mine || canRun) ? SiteURL.certificate(event: id, registration: row.id).path : nil,
                    canCancel: open && mine && (status == .registered || status == .waitlisted || status == .invited),
                    canAccept: open && mine && status == .invited, personID: row.personID.uuidString)
            },
            canRegister: open && Policy.decide(actor, .registerForEvent, resource).isAllowed,
            candidates: candidates, findsPeople: staff, find: find, fileErrorKey: fileErrorKey,
            uploadLimit: FileSize.text(Int64(req.services.config.maxUploadBytes)))
    }

    // MARK: a session's attendance and its sheet

    struct Participant: Encodable {
        let id: String
        let number: Int
        let name: String
        let organisation: String
        let role: String
        let marks: [FieldContext.Option]
    }

    struct SessionPage: Encodable {
        let eventID: String
        let reference: String
        let title: String
        let number: Int
        let when: String
        let place: String
        let action: String
        let sheetHref: String
        let participants: [Participant]
        let canRecord: Bool
        let trainers: String
    }

    static func session(_ req: Request, _ event: CapacityEvent, _ session: EventSession, registrations: [EventService.RegistrationRow],
                        marks: [UUID: AttendanceMark], trainers: [UUID: String]) throws -> SessionPage {
        let language = req.language
        let id = try event.requireID()
        let today = TiranaTime.today(at: req.services.clock.now())
        let holding = registrations.filter { RegistrationStatus(rawValue: $0.status)?.holdsPlace == true }
        return SessionPage(
            eventID: id.uuidString, reference: event.reference, title: event.title(language), number: session.number,
            when: "\(Display.date(iso: session.heldOn, language)), \(session.startsAt)–\(session.endsAt)",
            place: event.online ? req.t("event.online") : event.venue,
            action: SiteURL.eventSession(event: id, number: session.number).path,
            sheetHref: SiteURL.attendanceSheet(event: id, number: session.number).path,
            participants: holding.sorted { $0.name < $1.name }.enumerated().map { index, row in
                Participant(id: row.id.uuidString, number: index + 1, name: row.name, organisation: row.organisation, role: row.role,
                            marks: AttendanceMark.allCases.map { mark in
                                .init(value: mark.rawValue, label: req.t(mark.catalogKey), selected: marks[row.id] == mark)
                            })
            },
            canRecord: event.closedOn == nil && (LocalDate(session.heldOn).map { $0 <= today } ?? false),
            trainers: event.trainers.compactMap { trainers[$0.userID] }.sorted().joined(separator: ", "))
    }

    // MARK: certificates

    struct CertificateSide: Encodable {
        let lang: String
        let heading: String
        let statement: String
        let verify: String
    }

    struct CertificatePage: Encodable {
        let name: String
        let code: String
        let sides: [CertificateSide]
    }

    static func certificate(_ req: Request, _ event: CapacityEvent, _ registration: EventRegistration, verifyURL: String) -> CertificatePage {
        let catalog = req.services.catalog
        let sides = Language.allCases.map { language in
            CertificateSide(lang: language.rawValue, heading: catalog.text("certificate.heading", language),
                            statement: catalog.format("certificate.statement", language, [
                                "title": event.title(language), "kind": catalog.text(event.kind.catalogKey, language),
                                "dates": EventContext.dates(event.startsOn, event.endsOn, language),
                            ]),
                            verify: catalog.format("certificate.verify", language, ["code": registration.certificateCode ?? "", "url": verifyURL]))
        }
        return CertificatePage(name: registration.person.name, code: registration.certificateCode ?? "", sides: sides)
    }
}
