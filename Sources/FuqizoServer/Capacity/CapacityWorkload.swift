import Fluent
import Foundation
import FuqizoCore
import SQLKit
import Vapor

/// Capacity building's part of people's work lists: the self-assessments a CSO user's
/// organisations must fill or confirm, the invitations to events they must answer and the
/// registered people without an e-mail address they must remind by phone, what
/// waits for a facilitator's review (per round), the attendance a trainer must take, and the
/// events a programme manager must close. References, dates and counts only.
struct CapacityWorkload: WorkSource {
    func items(for actor: Actor, today: LocalDate, now: Date, on database: any Database) async throws -> [WorkItem] {
        guard let sql = database as? any SQLDatabase, let user = actor.userID else { return [] }
        var items: [WorkItem] = []
        let organisations = Array(actor.organisations(as: .csoUser))
        if !organisations.isEmpty {
            // Read on every page for the menu's counts: named columns (docs/module-guide.md §4).
            let rows = try await sql.raw("""
                SELECT a.id, r.reference, a.status, r.due_on AS "dueOn" FROM capacity_assessments a JOIN capacity_rounds r ON r.id = a.round_id
                WHERE a.organisation_id IN (\(binds: organisations)) AND a.status IN ('draft', 'reviewed')
                """).all(decoding: OwnRow.self)
            items += CapacityWork.organisation(rows.compactMap { row in
                SelfAssessmentStatus(rawValue: row.status).map { .init(id: row.id, round: row.reference, status: $0, dueOn: LocalDate(row.dueOn)) }
            })
            let invited = try await sql.raw("""
                SELECT e.id, e.reference, e.starts_on AS "startsOn", CAST(COUNT(*) AS BIGINT) AS people
                FROM event_registrations r JOIN capacity_events e ON e.id = r.event_id
                WHERE r.organisation_id IN (\(binds: organisations)) AND r.status = \(bind: RegistrationStatus.invited.rawValue)
                  AND e.closed_on IS NULL AND e.ends_on >= \(bind: today.description)
                GROUP BY e.id, e.reference, e.starts_on
                """).all(decoding: InvitedRow.self)
            items += CapacityWork.invitations(invited.map { .init(event: $0.id, reference: $0.reference, people: $0.people, startsOn: LocalDate($0.startsOn)) })
            // Registered people whom no reminder mail can reach, in the days reminders go out.
            let phoneOnly = try await sql.raw("""
                SELECT e.id, e.reference, e.starts_on AS "startsOn", CAST(COUNT(*) AS BIGINT) AS people
                FROM event_registrations r JOIN capacity_events e ON e.id = r.event_id JOIN cso_people p ON p.id = r.person_id
                WHERE r.organisation_id IN (\(binds: organisations)) AND r.status = \(bind: RegistrationStatus.registered.rawValue)
                  AND p.email IS NULL AND p.archived = \(bind: false) AND e.closed_on IS NULL
                  AND e.starts_on > \(bind: today.description) AND e.starts_on <= \(bind: today.adding(days: EventReminder.daysBefore).description)
                GROUP BY e.id, e.reference, e.starts_on
                """).all(decoding: InvitedRow.self)
            items += CapacityWork.phoneReminders(phoneOnly.map { .init(event: $0.id, reference: $0.reference, people: $0.people, startsOn: LocalDate($0.startsOn)) },
                                                 today: today)
        }
        if Policy.decide(actor, .facilitateAssessment).isAllowed {
            let rows = try await sql.raw("""
                SELECT r.id, r.reference, r.due_on AS "dueOn",
                       (SELECT CAST(COUNT(*) AS BIGINT) FROM capacity_assessments a WHERE a.round_id = r.id AND a.status = 'submitted') AS submitted
                FROM capacity_rounds r WHERE r.facilitator_id = \(bind: user)
                """).all(decoding: RoundRow.self)
            items += CapacityWork.facilitator(rows.map { .init(round: $0.id, reference: $0.reference, submitted: $0.submitted, dueOn: LocalDate($0.dueOn)) })
        }
        if actor.has(.trainer) {
            let from = today.adding(days: -CapacityWork.attendanceDays).description
            let rows = try await sql.raw("""
                SELECT e.id AS event, e.reference, s.number, s.held_on AS "heldOn" FROM event_sessions s
                JOIN capacity_events e ON e.id = s.event_id JOIN event_trainers t ON t.event_id = e.id
                WHERE t.user_id = \(bind: user) AND s.attendance_taken_at IS NULL AND e.closed_on IS NULL
                  AND s.held_on >= \(bind: from) AND s.held_on <= \(bind: today.description)
                """).all(decoding: SessionRow.self)
            items += CapacityWork.trainer(rows.compactMap { row in
                LocalDate(row.heldOn).map { .init(event: row.event, reference: row.reference, number: row.number, heldOn: $0) }
            }, today: today)
        }
        if actor.has(.programmeManager) {
            let row = try await sql.raw("""
                SELECT CAST(COUNT(*) AS BIGINT) AS waiting, MIN(ends_on) AS earliest FROM capacity_events
                WHERE closed_on IS NULL AND ends_on < \(bind: today.description)
                """).first(decoding: OverRow.self)
            items += CapacityWork.closing(over: row?.waiting ?? 0, earliest: row?.earliest.flatMap(LocalDate.init))
        }
        return items
    }

    private struct SessionRow: Decodable {
        let event: UUID
        let reference: String
        let number: Int
        let heldOn: String
    }

    private struct InvitedRow: Decodable {
        let id: UUID
        let reference: String
        let startsOn: String
        let people: Int
    }

    private struct OverRow: Decodable {
        let waiting: Int
        let earliest: String?
    }

    private struct OwnRow: Decodable {
        let id: UUID
        let reference: String
        let status: String
        let dueOn: String
    }

    private struct RoundRow: Decodable {
        let id: UUID
        let reference: String
        let dueOn: String
        let submitted: Int
    }
}
