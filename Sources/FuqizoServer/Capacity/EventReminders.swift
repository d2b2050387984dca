import Fluent
import Foundation
import FuqizoCore
import SQLKit
import Vapor

/// Mails each person registered for an event, in the days before its first session
/// (`EventReminder`), once: `event_reminders` keeps who was reminded, whichever instance
/// looks. One instance at a time looks (a lease). People without an e-mail address, those
/// waitlisted or cancelled, and people taken off their CSO's list are not mailed.
enum EventReminders {
    static let leaseName = "lease.eventReminders"
    static let interval: TimeInterval = 600

    private struct Due: Decodable {
        let id: UUID
        let email: String
        let reference: String
        let titleSq: String
        let titleEn: String
        let startsOn: String
        let startsAt: String?
        let venue: String
        let online: Bool
    }

    /// The reminders mailed in this look.
    @discardableResult
    static func run(_ app: Application) async throws -> Int {
        let now = app.clock.now()
        guard try await Lease.claim(leaseName, for: interval, now: now, on: app.db), let sql = app.db as? any SQLDatabase else { return 0 }
        let today = TiranaTime.today(at: now)
        let due = try await sql.raw("""
            SELECT r.id, p.email, e.reference, e.title_sq AS "titleSq", e.title_en AS "titleEn", e.starts_on AS "startsOn",
                   (SELECT s.starts_at FROM event_sessions s WHERE s.event_id = e.id ORDER BY s.number LIMIT 1) AS "startsAt",
                   e.venue, e.online
            FROM event_registrations r JOIN capacity_events e ON e.id = r.event_id JOIN cso_people p ON p.id = r.person_id
            WHERE r.status = \(bind: RegistrationStatus.registered.rawValue) AND e.closed_on IS NULL
              AND e.starts_on > \(bind: today.description) AND e.starts_on <= \(bind: today.adding(days: EventReminder.daysBefore).description)
              AND p.email IS NOT NULL AND p.archived = \(bind: false)
              AND NOT EXISTS (SELECT 1 FROM event_reminders m WHERE m.registration_id = r.id)
            """).all(decoding: Due.self)
        var mailed = 0
        for registration in due {
            guard let startsOn = LocalDate(registration.startsOn), EventReminder.isDue(today: today, startsOn: startsOn) else { continue }
            mailed += try await app.db.writeTransaction { db -> Int in
                guard let claimed = db as? any SQLDatabase else { return 0 }
                let rows = try await claimed.raw("""
                    INSERT INTO event_reminders (registration_id, sent_on) VALUES (\(bind: registration.id), \(bind: today.description))
                    ON CONFLICT DO NOTHING RETURNING registration_id
                    """).all()
                guard !rows.isEmpty else { return 0 }
                let catalog = app.services.catalog
                func values(_ language: Language) -> [String: String] {
                    ["reference": registration.reference, "title": language.pick(registration.titleSq, registration.titleEn),
                     "day": Display.date(startsOn, language), "time": registration.startsAt ?? "",
                     "place": registration.online ? catalog.text("event.online", language) : registration.venue]
                }
                try await Outbox.enqueueInBothLanguages(to: registration.email, mail: "mail.eventReminder", values: values, catalog: catalog,
                                                        now: now, sealedBy: app.services.mailBox, on: db)
                return 1
            }
        }
        return mailed
    }
}

extension Application {
    func remindEvents() async throws {
        try await EventReminders.run(self)
    }
}
