import Fluent
import Foundation
import FuqizoCore
import SQLKit
import Vapor

extension DemoData {
    /// For the benchmark: `events` further events (two sessions each, the demo's trainer) spread
    /// over the last two years and the next, and `registrations` registrations of people of the
    /// demo's CSOs (twenty people a CSO, added here), with attendance for the past events —
    /// batched inserts, as the services would take hours for this many.
    static func loadBulkEvents(app: Application, events: Int, registrations: Int, organisations: [UUID]) async throws {
        guard events > 0, let sql = app.db as? any SQLDatabase,
              let trainer = try await User.query(on: app.db).filter(\.$email == "trainer@demo.fuqizo.invalid").first()?.id,
              let staff = try await User.query(on: app.db).filter(\.$email == "programmemanager@demo.fuqizo.invalid").first()?.id else { return }
        let today = TiranaTime.today(at: app.clock.now())
        let now = app.clock.now()
        let domains = ["governance", "finance", "administration", "people", "programmes", "monitoring", "sustainability"]
        // People: twenty per CSO, enough for the registrations.
        let perOrganisation = 20
        var people: [(id: UUID, organisation: UUID)] = []
        var rows: [[SQLBind]] = []
        for (index, organisation) in organisations.enumerated() {
            for number in 0..<perOrganisation {
                let id = UUID()
                people.append((id, organisation))
                rows.append([SQLBind(id), SQLBind("Pjesëmarrëse \(index)-\(number)"), SQLBind("Staf"), SQLBind("p\(index)-\(number)@bench.fuqizo.invalid"),
                             SQLBind(String?.none), SQLBind(number % 4 == 1 ? "male" : "female"), SQLBind("from25to34"), SQLBind(false),
                             SQLBind(organisation), SQLBind(now), SQLBind(now)])
                if rows.count == 500 { try await insertPeople(sql, rows); rows = [] }
            }
        }
        if !rows.isEmpty { try await insertPeople(sql, rows) }

        var eventRows: [[SQLBind]] = [], trainerRows: [[SQLBind]] = [], sessionRows: [[SQLBind]] = []
        var registrationRows: [[SQLBind]] = [], attendanceRows: [[SQLBind]] = []
        let perEvent = max(1, registrations / events)
        var cursor = 0
        for index in 0..<events {
            let id = UUID()
            // From two years back to a year ahead, a day apart in turn.
            let first = today.adding(days: -730 + (index * 1_095) / events)
            let past = first.adding(days: 1) < today
            eventRows.append([SQLBind(id), SQLBind(String(format: "EV-BENCH-%05d", index + 1)), SQLBind(["training", "workshop", "mentoring", "studyVisit"][index % 4]),
                              SQLBind("Trajnim \(index + 1)"), SQLBind("Training \(index + 1)"), SQLBind("Përshkrim."), SQLBind("Description."),
                              SQLBind(domains[index % domains.count]), SQLBind(UUID?.none), SQLBind("Tiranë"), SQLBind(false), SQLBind(perEvent),
                              SQLBind(Certificate.defaultMinimumPercent), SQLBind(first.description), SQLBind(first.adding(days: 1).description),
                              SQLBind(past ? first.adding(days: 2).description : String?.none), SQLBind(now), SQLBind(now)])
            trainerRows.append([SQLBind(UUID()), SQLBind(trainer), SQLBind(id)])
            let sessions = [UUID(), UUID()]
            for (number, session) in sessions.enumerated() {
                sessionRows.append([SQLBind(session), SQLBind(number + 1), SQLBind(first.adding(days: number).description), SQLBind("09:00"), SQLBind("13:00"),
                                    SQLBind(past ? now : Date?.none), SQLBind(id)])
            }
            for _ in 0..<perEvent where cursor < registrations {
                let person = people[cursor % people.count]
                // Each person once per event: the cursor walks the people in order.
                cursor += 1
                let registration = UUID()
                registrationRows.append([SQLBind(registration), SQLBind(past ? "attended" : "registered"), SQLBind(now), SQLBind(staff),
                                         SQLBind(String?.none), SQLBind(String?.none), SQLBind(id), SQLBind(person.id), SQLBind(person.organisation)])
                if past {
                    for session in sessions {
                        attendanceRows.append([SQLBind(UUID()), SQLBind("present"), SQLBind(trainer), SQLBind(registration), SQLBind(session)])
                    }
                }
            }
            if eventRows.count == 200 || index == events - 1 {
                try await sql.insert(into: "capacity_events").columns("id", "reference", "kind", "title_sq", "title_en", "description_sq", "description_en",
                                                                     "domains", "region_id", "venue", "online", "capacity", "minimum_percent", "starts_on",
                                                                     "ends_on", "closed_on", "created_at", "updated_at").bulk(eventRows).run()
                try await sql.insert(into: "event_trainers").columns("id", "user_id", "event_id").bulk(trainerRows).run()
                try await sql.insert(into: "event_sessions").columns("id", "number", "held_on", "starts_at", "ends_at", "attendance_taken_at", "event_id")
                    .bulk(sessionRows).run()
                for batch in stride(from: 0, to: registrationRows.count, by: 500) {
                    try await sql.insert(into: "event_registrations").columns("id", "status", "asked_at", "registered_by", "certificate_code", "certified_on",
                                                                             "event_id", "person_id", "organisation_id")
                        .bulk(Array(registrationRows[batch..<min(batch + 500, registrationRows.count)])).run()
                }
                for batch in stride(from: 0, to: attendanceRows.count, by: 500) {
                    try await sql.insert(into: "event_attendance").columns("id", "mark", "recorded_by", "registration_id", "session_id")
                        .bulk(Array(attendanceRows[batch..<min(batch + 500, attendanceRows.count)])).run()
                }
                (eventRows, trainerRows, sessionRows, registrationRows, attendanceRows) = ([], [], [], [], [])
            }
        }
    }

    private static func insertPeople(_ sql: any SQLDatabase, _ rows: [[SQLBind]]) async throws {
        try await sql.insert(into: "cso_people").columns("id", "name", "role", "email", "phone", "sex", "age_band", "archived", "organisation_id",
                                                         "created_at", "updated_at").bulk(rows).run()
    }
}
