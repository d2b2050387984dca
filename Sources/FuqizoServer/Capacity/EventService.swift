import Fluent
import Foundation
import FuqizoCore
import SQLKit
import Vapor

/// Capacity-building events: made and edited by the programme's staff, run by their trainers;
/// people registered up to the places, then waitlisted and promoted in the order they asked
/// when a place frees up (and told by mail); attendance per session; closed with the
/// certificates earned. Every change audited, with ids only.
struct EventService {
    let database: any Database
    let services: AppServices

    var now: Date { services.clock.now() }
    var today: LocalDate { TiranaTime.today(at: now) }

    private func audit(_ action: String, _ event: CapacityEvent, _ details: [String: String] = [:], actor: UUID, on db: any Database) async throws {
        try await services.audit.record(.init(action, target: ("event", try event.requireID().uuidString),
                                              details: details.merging(["reference": event.reference]) { $1 }), actor: actor, at: now, on: db)
    }

    // MARK: events

    /// The people who may train: active users with the trainer role, by name.
    func trainers() async throws -> [(id: UUID, name: String)] {
        let ids = Set(try await RoleAssignment.query(on: database).filter(\.$role == Role.trainer.rawValue).all().map { $0.$user.id })
        guard !ids.isEmpty else { return [] }
        return try await User.query(on: database).filter(\.$id ~~ ids).filter(\.$isActive == true).sort(\.$displayName).all()
            .compactMap { user in user.id.map { ($0, user.displayName) } }
    }

    func event(_ id: UUID) async throws -> CapacityEvent {
        guard let event = try await CapacityEvent.query(on: database).filter(\.$id == id).with(\.$sessions).with(\.$trainers).first() else {
            throw AppError.notFound
        }
        event.$sessions.value?.sort { $0.number < $1.number }
        return event
    }

    struct EventRow: Decodable {
        let id: UUID
        let reference: String
        let kind: String
        let titleSq: String
        let titleEn: String
        let startsOn: String
        let endsOn: String
        let capacity: Int
        let taken: Int
        let closedOn: String?
    }

    /// A page of events, the soonest first from those still to come, or the newest first from
    /// all; `trainer`: only theirs; `domain`: only those addressing it.
    func events(trainer: UUID?, upcoming: Bool, domain: String? = nil, page: Int?) async throws -> (rows: [EventRow], pager: Pager) {
        guard let sql = database as? any SQLDatabase else { throw AppError.server }
        var conditions: [SQLQueryString] = []
        // Keys are letters only (the instrument's), so the pattern matches whole keys.
        if let domain { conditions.append("(',' || e.domains || ',') LIKE \(bind: CapacityEvent.domainPattern(domain))") }
        if let trainer { conditions.append("e.id IN (SELECT t.event_id FROM event_trainers t WHERE t.user_id = \(bind: trainer))") }
        if upcoming { conditions.append("e.ends_on >= \(bind: today.description)") }
        let filter: SQLQueryString = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let total = try await sql.raw("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM capacity_events e \(filter)").first(decoding: Count.self)?.n ?? 0
        let pager = Pager(requested: page, total: total, pageSize: 30)
        // Named columns: a hot list (docs/module-guide.md §4).
        let rows = try await sql.raw("""
            SELECT e.id, e.reference, e.kind, e.title_sq AS "titleSq", e.title_en AS "titleEn", e.starts_on AS "startsOn", e.ends_on AS "endsOn",
                   e.capacity, e.closed_on AS "closedOn",
                   \(CapacityEvent.placesTaken) AS taken
            FROM capacity_events e \(filter)
            ORDER BY e.starts_on \(unsafeRaw: upcoming ? "ASC" : "DESC"), e.reference LIMIT \(literal: pager.pageSize) OFFSET \(literal: pager.offset)
            """).all(decoding: EventRow.self)
        return (rows, pager)
    }

    private struct Count: Decodable { let n: Int }

    private func fill(_ event: CapacityEvent, _ value: EventForm.Event) {
        event.kind = value.kind
        event.titleSq = value.titleSq
        event.titleEn = value.titleEn
        event.descriptionSq = value.descriptionSq
        event.descriptionEn = value.descriptionEn
        event.domains = value.domains.joined(separator: ",")
        event.regionID = value.region
        event.venue = value.venue
        event.online = value.online
        event.capacity = value.capacity
        event.startsOn = value.sessions.first?.day.description ?? ""
        event.endsOn = value.sessions.last?.day.description ?? ""
    }

    private func validate(_ form: EventForm) async throws -> Result<EventForm.Event, FieldErrors> {
        let domains = Set(try await CapacityFigures(database: database).planDomains(nil).map(\.key))
        let regions = Set(try await GeographyDirectory.load(on: database).regions.map(\.id))
        return form.validated(domains: domains, regions: regions, trainers: Set(try await trainers().map(\.id)), today: today)
    }

    private func writeSessionsAndTrainers(_ event: CapacityEvent, _ value: EventForm.Event, on db: any Database) async throws {
        let id = try event.requireID()
        try await EventTrainer.query(on: db).filter(\.$event.$id == id).delete()
        for trainer in value.trainers.sorted(by: { $0.uuidString < $1.uuidString }) {
            let row = EventTrainer()
            row.userID = trainer
            row.$event.id = id
            try await row.create(on: db)
        }
        try await EventSession.query(on: db).filter(\.$event.$id == id).delete()
        for (index, session) in value.sessions.enumerated() {
            let row = EventSession()
            row.number = index + 1
            row.heldOn = session.day.description
            row.startsAt = session.starts
            row.endsAt = session.ends
            row.$event.id = id
            try await row.create(on: db)
        }
    }

    func create(_ form: EventForm, actor: UUID) async throws -> Result<CapacityEvent, FieldErrors> {
        switch try await validate(form) {
        case .failure(let errors): return .failure(errors)
        case .success(let value):
            let event = CapacityEvent()
            fill(event, value)
            event.minimumPercent = Certificate.defaultMinimumPercent
            try await database.writeTransaction { db in
                let year = today.year
                event.reference = String(format: "EV-%04d-%03d", year, try await ReferenceCounter.next("capacity-event-\(year)", on: db))
                try await event.create(on: db)
                try await writeSessionsAndTrainers(event, value, on: db)
                try await audit("event.created", event, actor: actor, on: db)
            }
            return .success(event)
        }
    }

    /// Rewrites an event. Its sessions can change only until attendance is taken in one of them;
    /// a closed event does not change.
    func update(_ event: CapacityEvent, form: EventForm, actor: UUID) async throws -> Result<Void, FieldErrors> {
        guard event.closedOn == nil else { throw AppError(status: .conflict, messageKey: "event.error.closed") }
        switch try await validate(form) {
        case .failure(let errors): return .failure(errors)
        case .success(let value):
            let sessions = event.sessions
            let unchanged = sessions.count == value.sessions.count && zip(sessions, value.sessions).allSatisfy { old, new in
                old.heldOn == new.day.description && old.startsAt == new.starts && old.endsAt == new.ends
            }
            if !unchanged, sessions.contains(where: { $0.attendanceTakenAt != nil }) {
                var errors = FieldErrors()
                errors.add("sessions", "event.error.attendanceTaken")
                return .failure(errors)
            }
            fill(event, value)
            try await database.writeTransaction { db in
                try await event.update(on: db)
                if unchanged {
                    try await EventTrainer.query(on: db).filter(\.$event.$id == event.requireID()).delete()
                    for trainer in value.trainers.sorted(by: { $0.uuidString < $1.uuidString }) {
                        let row = EventTrainer()
                        row.userID = trainer
                        row.$event.id = try event.requireID()
                        try await row.create(on: db)
                    }
                } else {
                    try await writeSessionsAndTrainers(event, value, on: db)
                }
                try await audit("event.edited", event, actor: actor, on: db)
                // More places may let the waitlisted in.
                try await promote(event, on: db)
            }
            return .success(())
        }
    }

    // MARK: registrations

    struct RegistrationRow: Decodable {
        let id: UUID
        let personID: UUID
        let name: String
        let role: String
        let organisationID: UUID
        let organisation: String
        let status: String
        let askedAt: Date
        let certificateCode: String?
    }

    /// An event's registrations (only those of `organisations` when given), waitlist in its order.
    func registrations(of event: CapacityEvent, organisations: Set<UUID>?) async throws -> [RegistrationRow] {
        guard let sql = database as? any SQLDatabase else { throw AppError.server }
        if let organisations, organisations.isEmpty { return [] }
        let scope: SQLQueryString = organisations.map { "AND r.organisation_id IN (\(binds: Array($0)))" } ?? ""
        return try await sql.raw("""
            SELECT r.id, r.person_id AS "personID", p.name, p.role, r.organisation_id AS "organisationID", o.name_sq AS organisation,
                   r.status, r.asked_at AS "askedAt", r.certificate_code AS "certificateCode"
            FROM event_registrations r JOIN cso_people p ON p.id = r.person_id JOIN organisations o ON o.id = r.organisation_id
            WHERE r.event_id = \(bind: try event.requireID()) \(scope)
            ORDER BY r.asked_at, r.id
            """).all(decoding: RegistrationRow.self)
    }

    struct CandidateRow: Decodable {
        let id: UUID
        let name: String
        let role: String
        let organisation: String
    }

    /// People who could still be registered: of `organisations` (a CSO's own), or, for staff,
    /// those whose name contains `find` (at most 20); never those already registered or waiting.
    func candidates(for event: CapacityEvent, organisations: Set<UUID>?, find: String?) async throws -> [CandidateRow] {
        guard let sql = database as? any SQLDatabase else { throw AppError.server }
        var scope: SQLQueryString
        if let organisations {
            guard !organisations.isEmpty else { return [] }
            scope = "p.organisation_id IN (\(binds: Array(organisations)))"
        } else {
            guard let words = find.flatMap(Text.clean), words.count >= 2, words.count <= 80 else { return [] }
            let pattern = "%" + words.lowercased().replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "") + "%"
            scope = "LOWER(p.name) LIKE \(bind: pattern)"
        }
        return try await sql.raw("""
            SELECT p.id, p.name, p.role, o.name_sq AS organisation FROM cso_people p JOIN organisations o ON o.id = p.organisation_id
            WHERE \(scope) AND p.archived = \(bind: false)
              AND NOT EXISTS (SELECT 1 FROM event_registrations r WHERE r.event_id = \(bind: try event.requireID()) AND r.person_id = p.id
                              AND r.status IN ('registered', 'waitlisted', 'attended', 'noShow'))
            ORDER BY p.name, p.id LIMIT \(literal: organisations == nil ? 20 : 500)
            """).all(decoding: CandidateRow.self)
    }

    /// The names of the event's trainers.
    func trainerNames(_ event: CapacityEvent) async throws -> [UUID: String] {
        let ids = Set(event.trainers.map(\.userID))
        guard !ids.isEmpty else { return [:] }
        guard let sql = database as? any SQLDatabase else { throw AppError.server }
        // Two columns of the users table, not the whole account (read on every event page).
        return Dictionary(try await sql.raw("SELECT id, display_name AS \"name\" FROM users WHERE id IN (\(binds: Array(ids)))")
            .all(decoding: NameRow.self).map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
    }

    private struct NameRow: Decodable {
        let id: UUID
        let name: String
    }

    func attach(_ document: CheckedDocument, bytes: [UInt8], category: String, to event: CapacityEvent, actor: UUID) async throws {
        let existing = try await DocumentStore(database: database).attachments(of: .event, try event.requireID())
        guard existing.count < DocumentStore.maximumPerOwner else { throw AppError(status: .conflict, messageKey: "document.error.tooMany") }
        try await database.writeTransaction { db in
            let attachment = try await DocumentStore.attach(document, bytes: bytes, to: .event, try event.requireID(), label: document.filename,
                                                            category: category, actor: actor, at: now, on: db)
            try await audit("event.documentAdded", event, ["document": try attachment.requireID().uuidString, "category": category], actor: actor, on: db)
        }
    }

    func registration(_ id: UUID, of event: CapacityEvent) async throws -> EventRegistration {
        guard let registration = try await EventRegistration.query(on: database).filter(\.$id == id).filter(\.$event.$id == event.requireID())
            .with(\.$person).first() else { throw AppError.notFound }
        return registration
    }

    /// Serialises registrations of one event: on PostgreSQL the UPDATE holds the event's row
    /// until commit, so two people never take the last place at once; SQLite has one writer.
    private func lock(_ event: CapacityEvent, on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { throw AppError.server }
        try await sql.raw("UPDATE capacity_events SET capacity = capacity WHERE id = \(bind: try event.requireID())").run()
    }

    private func places(_ event: CapacityEvent, on db: any Database) async throws -> [Places.Registration] {
        try await EventRegistration.query(on: db).filter(\.$event.$id == event.requireID()).all().compactMap { row in
            row.id.map { Places.Registration(id: $0, status: row.status, askedAt: row.askedAt) }
        }
    }

    /// Registers these people (of `allowed` organisations only, when given: a CSO's own), each
    /// in a free place or on the waitlist; an invited person registered this way has accepted.
    /// `inviting` (staff): invites them instead, holding no place until their CSO accepts.
    /// Refused after the event has begun its last day, for someone invited, registered or
    /// waitlisted already (or invited twice), and for a person off the allowed list.
    func register(_ people: [UUID], for event: CapacityEvent, allowed: Set<UUID>?, inviting: Bool = false, actor: UUID) async throws -> (registered: Int, waitlisted: Int) {
        guard event.closedOn == nil, let lastDay = LocalDate(event.endsOn), today <= lastDay else {
            throw AppError(status: .conflict, messageKey: "registration.error.eventOver")
        }
        let wanted = Array(Set(people))
        guard !wanted.isEmpty, wanted.count <= 200 else { throw AppError(status: .badRequest, messageKey: "registration.error.nobody") }
        let persons = try await CsoPerson.query(on: database).filter(\.$id ~~ wanted).filter(\.$archived == false).all()
        guard persons.count == wanted.count, allowed.map({ scope in persons.allSatisfy { scope.contains($0.$organisation.id) } }) ?? true else {
            throw AppError.notFound
        }
        return try await database.writeTransaction { db -> (registered: Int, waitlisted: Int) in
            var counts = (registered: 0, waitlisted: 0)
            try await lock(event, on: db)
            var current = try await places(event, on: db)
            let existing = Dictionary(try await EventRegistration.query(on: db).filter(\.$event.$id == event.requireID())
                .filter(\.$person.$id ~~ wanted).all().map { ($0.$person.id, $0) }, uniquingKeysWith: { a, _ in a })
            for person in persons.sorted(by: { $0.name < $1.name }) {
                let free = Places.free(capacity: event.capacity, current) > 0
                let registration = existing[try person.requireID()] ?? EventRegistration()
                let from = registration.id == nil ? nil : registration.status
                if inviting {
                    registration.status = try from.map { try $0.transition(.invite) } ?? .invited
                } else {
                    registration.status = try (from ?? .invited).transition(.register(placeFree: free))
                }
                registration.askedAt = now
                registration.registeredBy = actor
                registration.$event.id = try event.requireID()
                registration.$person.id = try person.requireID()
                registration.$organisation.id = person.$organisation.id
                try await registration.save(on: db)
                current.removeAll { $0.id == registration.id }
                current.append(Places.Registration(id: try registration.requireID(), status: registration.status, askedAt: now))
                if registration.status == .registered { counts.registered += 1 }
                if registration.status == .waitlisted { counts.waitlisted += 1 }
                try await audit(inviting ? "event.invited" : "event.registered", event, ["registration": try registration.requireID().uuidString, "state": registration.status.rawValue],
                                actor: actor, on: db)
            }
            return counts
        }
    }

    /// Cancels a registration; the first on the waitlist takes the place freed, and is told.
    func cancel(_ registration: EventRegistration, of event: CapacityEvent, actor: UUID) async throws {
        guard event.closedOn == nil else { throw AppError(status: .conflict, messageKey: "registration.error.eventOver") }
        try await database.writeTransaction { db in
            try await lock(event, on: db)
            guard let fresh = try await EventRegistration.find(registration.id, on: db) else { throw AppError.notFound }
            fresh.status = try fresh.status.transition(.cancel)
            try await fresh.update(on: db)
            try await audit("event.cancelled", event, ["registration": try fresh.requireID().uuidString], actor: actor, on: db)
            try await promote(event, on: db)
        }
    }

    /// The waitlisted who now have a place are registered, first asked first, and mailed.
    private func promote(_ event: CapacityEvent, on db: any Database) async throws {
        let promoted = Places.promotions(capacity: event.capacity, try await places(event, on: db))
        guard !promoted.isEmpty else { return }
        let catalog = services.catalog
        for registration in try await EventRegistration.query(on: db).filter(\.$id ~~ promoted).with(\.$person).all() {
            registration.status = try registration.status.transition(.promote)
            try await registration.update(on: db)
            try await audit("event.promoted", event, ["registration": try registration.requireID().uuidString], actor: registration.registeredBy, on: db)
            guard let email = registration.person.email else { continue }
            let values = ["reference": event.reference, "titleSq": event.titleSq, "titleEn": event.titleEn,
                          "daySq": Display.date(iso: event.startsOn, .sq), "dayEn": Display.date(iso: event.startsOn, .en)]
            try await Outbox.enqueueInBothLanguages(to: email, mail: "mail.eventPlace", values: { _ in values }, catalog: catalog,
                                                    now: now, sealedBy: services.mailBox, on: db)
        }
    }

    // MARK: attendance and closing

    func attendance(of session: EventSession) async throws -> [UUID: AttendanceMark] {
        Dictionary(try await SessionAttendance.query(on: database).filter(\.$session.$id == session.requireID()).all()
            .map { ($0.$registration.id, $0.mark) }, uniquingKeysWith: { a, _ in a })
    }

    /// Records the marks of one session, for those holding a place; not before its day.
    func record(_ marks: [UUID: AttendanceMark], session: EventSession, of event: CapacityEvent, actor: UUID) async throws {
        guard event.closedOn == nil else { throw AppError(status: .conflict, messageKey: "event.error.closed") }
        guard let day = LocalDate(session.heldOn), day <= today else { throw AppError(status: .conflict, messageKey: "attendance.error.future") }
        let holding = Set(try await EventRegistration.query(on: database).filter(\.$event.$id == event.requireID())
            .filter(\.$status == .registered).all().compactMap(\.id))
        try await database.writeTransaction { db in
            let sessionID = try session.requireID()
            for (registration, mark) in marks where holding.contains(registration) {
                let row = try await SessionAttendance.query(on: db).filter(\.$session.$id == sessionID)
                    .filter(\.$registration.$id == registration).first() ?? SessionAttendance()
                row.mark = mark
                row.recordedBy = actor
                row.$session.id = sessionID
                row.$registration.id = registration
                try await row.save(on: db)
            }
            if session.attendanceTakenAt == nil {
                session.attendanceTakenAt = now
                try await session.update(on: db)
            }
            try await audit("event.attendance", event, ["session": String(session.number)], actor: actor, on: db)
        }
    }

    /// Closes an event after its last day: each person registered attended or did not show,
    /// and those who attended enough sessions get a certificate with a verification code.
    func close(_ event: CapacityEvent, actor: UUID) async throws -> Int {
        guard event.closedOn == nil else { throw AppError(status: .conflict, messageKey: "event.error.closed") }
        guard let lastDay = LocalDate(event.endsOn), lastDay <= today else { throw AppError(status: .conflict, messageKey: "event.error.notOver") }
        let sessions = event.sessions.compactMap(\.id)
        return try await database.writeTransaction { db -> Int in
            var certified = 0
            let registrations = try await EventRegistration.query(on: db).filter(\.$event.$id == event.requireID()).filter(\.$status == .registered).all()
            let marks = Dictionary(grouping: try await SessionAttendance.query(on: db).filter(\.$session.$id ~~ sessions).all(), by: { $0.$registration.id })
            for registration in registrations {
                let own = (marks[try registration.requireID()] ?? []).map(\.mark)
                registration.status = try registration.status.transition(.close(attended: own.contains(where: \.attended)))
                if Certificate.isEligible(marks: own, sessions: sessions.count, minimumPercent: event.minimumPercent) {
                    var generator = SystemRandomNumberGenerator()
                    registration.certificateCode = Certificate.verificationCode(random: (0..<8).map { _ in UInt8.random(in: 0...255, using: &generator) })
                    registration.certifiedOn = today.description
                    certified += 1
                }
                try await registration.update(on: db)
            }
            event.closedOn = today.description
            try await event.update(on: db)
            try await audit("event.closed", event, ["certificates": String(certified)], actor: actor, on: db)
            return certified
        }
    }

    /// A certificate by its code, for the public verification page.
    func certificate(code: String) async throws -> EventRegistration? {
        try await EventRegistration.query(on: database).filter(\.$certificateCode == code).with(\.$person).with(\.$event).first()
    }
}
