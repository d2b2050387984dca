import Fluent
import Foundation
@testable import FuqizoCore
@testable import FuqizoServer
import Testing
import Vapor
import VaporTesting

/// Capacity-building events through the pages: made by staff, filled up to their places with a
/// waitlist promoted in order (and told by mail), attended session by session, closed with
/// certificates that anyone can verify by code, and nothing else about the person.
@Suite("Capacity-building events")
struct EventTests {
    func browser(_ app: Application, _ user: User) async throws -> Browser {
        Browser(app, session: try await TestFixtures.session(app, for: user))
    }

    func person(_ app: Application, _ name: String, email: String?, of organisation: UUID) async throws -> CsoPerson {
        let service = PeopleService(database: app.db, services: app.services)
        guard case .success(let person) = try await service.add(CsoPersonForm(name: name, role: "Staf", email: email ?? "", phone: email == nil ? "069 000 0000" : "",
                                                                              sex: "female", ageBand: "from25to34"), to: organisation, actor: UUID()) else {
            Issue.record("could not add \(name)")
            throw Abort(.internalServerError)
        }
        return person
    }

    /// A CSO with a user of its own, a programme manager, and a one-session event (made
    /// through the form) that starts in `days` days.
    func oneSessionEvent(_ app: Application, organisation name: String, kind: String, title: (String, String), domain: String,
                         capacity: Int, inDays days: Int) async throws -> (organisation: Organisation, staff: Browser, cso: Browser, event: CapacityEvent) {
        let organisation = try await TestFixtures.organisation(app, name: name)
        let staff = try await browser(app, try await TestFixtures.user(app, grants: [RoleGrant(role: .programmeManager)]))
        let trainer = try await TestFixtures.user(app, grants: [RoleGrant(role: .trainer)])
        let cso = try await browser(app, try await TestFixtures.user(app, grants: [RoleGrant(role: .csoUser, organisationID: organisation.id!)]))
        let day = TiranaTime.today(at: app.clock.now()).adding(days: days)
        try await staff.get("/events/new")
        #expect(try await staff.post("/events", [
            ("kind", kind), ("titleSq", title.0), ("titleEn", title.1), ("descriptionSq", "Një ditë."), ("descriptionEn", "One day."),
            ("domains[]", domain), ("venue", "Dibër, salla e bashkisë"), ("capacity", String(capacity)),
            ("sessions[0][day]", day.description), ("sessions[0][starts]", "10:00"), ("sessions[0][ends]", "12:00"),
            ("trainers[]", trainer.id!.uuidString)]).status == .seeOther)
        return (organisation, staff, cso, try #require(try await CapacityEvent.query(on: app.db).first()))
    }

    @Test("create → register over capacity (one waits) → twice and another CSO's person refused → a cancellation promotes and mails → attendance → close → certificate verified publicly")
    func eventCycle() async throws {
        try await withFuqizo { app in
            let catalog = app.services.catalog
            let mine = try await TestFixtures.organisation(app, name: "Shoqata Trajnim")
            let theirs = try await TestFixtures.organisation(app, name: "Shoqata Tjetër", municipality: "Tiranë")
            let staffUser = try await TestFixtures.user(app, grants: [RoleGrant(role: .programmeManager)])
            let trainerUser = try await TestFixtures.user(app, grants: [RoleGrant(role: .trainer)])
            let otherTrainer = try await TestFixtures.user(app, grants: [RoleGrant(role: .trainer)])
            let csoUser = try await TestFixtures.user(app, grants: [RoleGrant(role: .csoUser, organisationID: mine.id!)])
            let otherUser = try await TestFixtures.user(app, grants: [RoleGrant(role: .csoUser, organisationID: theirs.id!)])
            let staff = try await browser(app, staffUser), cso = try await browser(app, csoUser), other = try await browser(app, otherUser)
            let today = TiranaTime.today(at: app.clock.now())

            // A form without a trainer comes back as typed; nothing is stored.
            var fields: [(String, String)] = [("kind", "training"), ("titleSq", "Menaxhimi financiar"), ("titleEn", "Financial management"),
                                              ("descriptionSq", "Dy ditë."), ("descriptionEn", "Two days."), ("domains[]", "finance"),
                                              ("venue", "Tiranë"), ("capacity", "2"),
                                              ("sessions[0][day]", today.adding(days: 5).description), ("sessions[0][starts]", "9:30"), ("sessions[0][ends]", "13:00"),
                                              ("sessions[1][day]", today.adding(days: 6).description), ("sessions[1][starts]", "09:30"), ("sessions[1][ends]", "13:00")]
            try await staff.get("/events/new")
            let missing = try await staff.post("/events", fields)
            #expect(missing.status == .badRequest && missing.body.string.contains(catalog.text("event.error.trainers", .sq)))
            #expect(missing.body.string.contains("Menaxhimi financiar"))
            #expect(try await CapacityEvent.query(on: app.db).count() == 0)
            fields.append(("trainers[]", trainerUser.id!.uuidString))
            #expect(try await staff.post("/events", fields).status == .seeOther)
            let event = try #require(try await CapacityEvent.query(on: app.db).first())
            #expect(event.reference.hasPrefix("EV-") && event.startsOn == today.adding(days: 5).description)
            let page = "/events/\(event.id!)"

            // Three of the CSO's people for two places: the third waits.
            let arta = try await person(app, "Arta Hoxha", email: "arta@example.org", of: mine.id!)
            let besa = try await person(app, "Besa Leka", email: nil, of: mine.id!)
            let drita = try await person(app, "Drita Muça", email: "drita@example.org", of: mine.id!)
            let stranger = try await person(app, "Elira Shehu", email: nil, of: theirs.id!)
            let shown = try await cso.get(page).body.string
            #expect(shown.contains("Arta Hoxha") && !shown.contains("Elira Shehu"), "a CSO registers its own people only")
            #expect(try await cso.post("\(page)/registrations", [("people[]", arta.id!.uuidString), ("people[]", besa.id!.uuidString)]).status == .seeOther)
            #expect(try await cso.post("\(page)/registrations", [("people[]", drita.id!.uuidString)]).status == .seeOther)
            let statuses = Dictionary(try await EventRegistration.query(on: app.db).all().map { ($0.$person.id, $0.status) }, uniquingKeysWith: { a, _ in a })
            #expect(statuses[arta.id!] == .registered && statuses[besa.id!] == .registered && statuses[drita.id!] == .waitlisted)
            // Twice, and another CSO's person: refused, nothing added.
            #expect(try await cso.post("\(page)/registrations", [("people[]", arta.id!.uuidString)]).status == .conflict)
            try await other.get(page)
            #expect(try await other.post("\(page)/registrations", [("people[]", arta.id!.uuidString)]).status == .notFound)
            #expect(try await cso.post("\(page)/registrations", [("people[]", stranger.id!.uuidString)]).status == .notFound)
            #expect(try await EventRegistration.query(on: app.db).count() == 3)
            // Staff find anyone by name through a posted form: the name never enters the address, nothing is registered.
            try await staff.get(page)
            let found = try await staff.post("\(page)/registrations", [("intent", "find"), ("find", "shehu")])
            #expect(found.status == .ok && found.body.string.contains("Elira Shehu"))
            #expect(try await EventRegistration.query(on: app.db).count() == 3)
            // Another CSO sees none of these registrations.
            #expect(!(try await other.get(page).body.string.contains("Arta Hoxha")))

            // Besa cancels: Drita, first waiting, takes the place and is told by mail, in both languages.
            let besaRegistration = try #require(try await EventRegistration.query(on: app.db).filter(\.$person.$id == besa.id!).first())
            try await cso.get(page)
            #expect(try await other.post("\(page)/registrations/\(besaRegistration.id!)/cancel").status == .notFound, "not another CSO's to cancel")
            #expect(try await cso.post("\(page)/registrations/\(besaRegistration.id!)/cancel").status == .seeOther)
            #expect(try await EventRegistration.query(on: app.db).filter(\.$person.$id == drita.id!).first()?.status == .registered)
            let mail = try #require(try await OutboxMessage.query(on: app.db).filter(\.$recipient == "drita@example.org").first())
            #expect(mail.subject.contains(event.reference))

            // Trainers: the event's own runs it; another trainer is told it does not exist.
            #expect(try await (try await browser(app, otherTrainer)).get(page).status == .notFound)
            let trainer = try await browser(app, trainerUser)
            #expect(try await trainer.get("\(page)/sessions/1").status == .ok)
            #expect(try await cso.get("\(page)/sessions/1").status == .forbidden)
            let artaRegistration = try #require(try await EventRegistration.query(on: app.db).filter(\.$person.$id == arta.id!).first())
            let dritaRegistration = try #require(try await EventRegistration.query(on: app.db).filter(\.$person.$id == drita.id!).first())
            #expect(try await trainer.post("\(page)/sessions/1", [("mark[\(artaRegistration.id!)]", "present")]).status == .conflict,
                    "no attendance before the session's day")
            #expect(try await staff.post("\(page)/close").status == .conflict, "not closed before its last day")
            let sheet = try await trainer.get("\(page)/sessions/1/sheet").body.string
            #expect(sheet.contains("Arta Hoxha") && sheet.contains("Drita Muça") && !sheet.contains("Besa Leka"), "the sheet lists those with a place")

            // The days come: Arta at both sessions, Drita at one (50 %: no certificate).
            app.clock.advance(by: 7 * 86_400)
            let trainerLater = try await browser(app, trainerUser), staffLater = try await browser(app, staffUser)
            try await trainerLater.get("\(page)/sessions/1")
            #expect(try await trainerLater.post("\(page)/sessions/1", [("mark[\(artaRegistration.id!)]", "present"),
                                                                       ("mark[\(dritaRegistration.id!)]", "late")]).status == .seeOther)
            #expect(try await trainerLater.post("\(page)/sessions/2", [("mark[\(artaRegistration.id!)]", "present"),
                                                                       ("mark[\(dritaRegistration.id!)]", "absent")]).status == .seeOther)
            #expect(try await trainerLater.post("\(page)/sessions/2", [("mark[\(artaRegistration.id!)]", "sleeping")]).status == .badRequest)
            try await staffLater.get(page)
            #expect(try await staffLater.post("\(page)/close").status == .seeOther)
            let closed = Dictionary(try await EventRegistration.query(on: app.db).all().map { ($0.$person.id, $0) }, uniquingKeysWith: { a, _ in a })
            #expect(closed[arta.id!]?.status == .attended && closed[drita.id!]?.status == .attended && closed[besa.id!]?.status == .cancelled)
            let code = try #require(closed[arta.id!]?.certificateCode)
            #expect(closed[drita.id!]?.certificateCode == nil)
            // Registering after the event: refused.
            let csoLater = try await browser(app, csoUser)
            try await csoLater.get(page)
            #expect(try await csoLater.post("\(page)/registrations", [("people[]", besa.id!.uuidString)]).status == .conflict)

            // The certificate: its page for the CSO, and the public check by code (typed loosely).
            let certificate = try await csoLater.get("\(page)/certificates/\(closed[arta.id!]!.id!)").body.string
            #expect(certificate.contains("Arta Hoxha") && certificate.contains(code) && certificate.contains("Financial management"))
            let anonymous = Browser(app)
            let loose = code.lowercased().replacingOccurrences(of: "-", with: " ").replacingOccurrences(of: "0", with: "o")
            let verified = try await anonymous.get("/verify?code=\(Browser.escape(loose))")
            #expect(verified.status == .ok && verified.body.string.contains("Arta Hoxha") && verified.body.string.contains("Menaxhimi financiar"))
            #expect(!verified.body.string.contains("Shoqata Trajnim") && !verified.body.string.contains("arta@example.org"),
                    "only the name, the event and its dates")
            #expect(verified.headers.first(name: .cacheControl) == "private, no-store")
            let unknown = try await anonymous.get("/verify?code=ZZZZZ-ZZZZZ").body.string
            #expect(unknown.contains(catalog.text("certificate.verify.unknown", .sq)) && !unknown.contains("Arta"))
        }
    }

    /// The codes printed on a slips page.
    func codes(_ body: String) -> [String] {
        let pattern = try! NSRegularExpression(pattern: "slip-code\">([0-9A-Z]{5}-[0-9A-Z]{5})<")
        return pattern.matches(in: body, range: NSRange(body.startIndex..., in: body)).compactMap { match in
            Range(match.range(at: 1), in: body).map { String(body[$0]) }
        }
    }

    @Test("pre- and post-tests and the survey through single-use links: a used link and an answered test are refused; the gain and the survey are summarised")
    func questionnaires() async throws {
        try await withFuqizo { app in
            let catalog = app.services.catalog
            let mine = try await TestFixtures.organisation(app, name: "Shoqata Test")
            let staffUser = try await TestFixtures.user(app, grants: [RoleGrant(role: .programmeManager)])
            let trainerUser = try await TestFixtures.user(app, grants: [RoleGrant(role: .trainer)])
            let today = TiranaTime.today(at: app.clock.now())
            var form = EventForm()
            form.kind = "workshop"
            (form.titleSq, form.titleEn, form.descriptionSq, form.descriptionEn) = ("Buxheti", "Budgeting", "Një ditë.", "One day.")
            (form.domains, form.venue, form.capacity, form.trainers) = (["finance"], "Kukës", "10", [trainerUser.id!.uuidString])
            form.sessions = [.init(day: today.description, starts: "10:00", ends: "14:00")]
            guard case .success(let event) = try await EventService(database: app.db, services: app.services).create(form, actor: staffUser.id!) else {
                Issue.record("no event")
                return
            }
            let arta = try await person(app, "Arta Hoxha", email: "arta@example.org", of: mine.id!)
            let besa = try await person(app, "Besa Leka", email: nil, of: mine.id!)
            _ = try await EventService(database: app.db, services: app.services).register([arta.id!, besa.id!], for: try await EventService(database: app.db, services: app.services).event(event.id!), allowed: nil, actor: staffUser.id!)
            let trainer = try await browser(app, trainerUser)
            let base = "/events/\(event.id!)"

            // No links before the test exists; a question whose right answer is not among its options is refused.
            try await trainer.get("\(base)/questionnaires")
            #expect(try await trainer.post("\(base)/questionnaires/preTest/links").status == .conflict)
            let wrong = try await trainer.post("\(base)/tests/preTest", [("rows[0][text]", "Çfarë është një buxhet?"), ("rows[0][options][]", "Një plan"),
                                                                        ("rows[0][options][]", "Një faturë"), ("rows[0][answer]", "3")])
            #expect(wrong.status == .badRequest && wrong.body.string.contains("Çfarë është një buxhet?"))
            let test: [(String, String)] = [("rows[0][text]", "Çfarë është një buxhet?"), ("rows[0][options][]", "Një plan"), ("rows[0][options][]", "Një faturë"),
                                            ("rows[0][answer]", "1"), ("rows[1][text]", "Kush e miraton?"), ("rows[1][options][]", "Bordi"),
                                            ("rows[1][options][]", "Askush"), ("rows[1][answer]", "1")]
            #expect(try await trainer.post("\(base)/tests/preTest", test).status == .seeOther)
            #expect(try await trainer.post("\(base)/tests/postTest", test).status == .seeOther)

            // Links: mailed to Arta, and every code printed once.
            let slips = try await trainer.post("\(base)/questionnaires/preTest/links")
            #expect(slips.status == .ok && slips.headers.first(name: .cacheControl) == "private, no-store")
            let preCodes = codes(slips.body.string)
            #expect(preCodes.count == 2)
            let mail = try #require(try await OutboxMessage.query(on: app.db).filter(\.$recipient == "arta@example.org").first())
            #expect(mail.subject.contains(event.reference))
            #expect(try await ParticipantLink.query(on: app.db).all().allSatisfy { !preCodes.contains($0.codeDigest) }, "only digests are kept")

            // A participant, without an account, types a code loosely; answers once; the second time is refused.
            let anonymous = Browser(app)
            let opened = try await anonymous.get("/answer?code=\(preCodes[0].lowercased().replacingOccurrences(of: "-", with: "+"))")
            #expect(opened.status == .seeOther && opened.headers.first(name: .location) == "/answer/\(preCodes[0])")
            try await anonymous.get("/answer/\(preCodes[0])")
            #expect(try await anonymous.post("/answer/\(preCodes[0])", [("choice[1]", "1"), ("choice[2]", "2")]).status == .ok)
            #expect(try await anonymous.post("/answer/\(preCodes[0])", [("choice[1]", "1"), ("choice[2]", "1")]).status == .conflict)
            #expect(try await anonymous.get("/answer/\(preCodes[0])").status == .conflict)
            #expect(try await anonymous.get("/answer/ZZZZZ-ZZZZZ").status == .notFound)
            try await anonymous.get("/answer/\(preCodes[1])")
            #expect(try await anonymous.post("/answer/\(preCodes[1])", [("choice[1]", "2")]).status == .ok)
            // Answered: the pre-test no longer changes.
            try await trainer.get("\(base)/tests/preTest")
            #expect(try await trainer.post("\(base)/tests/preTest", test).status == .conflict)

            // The post-test: both right. Scores 50 % and 0 % before, 100 % after: a gain of 75 points.
            let postCodes = codes(try await trainer.post("\(base)/questionnaires/postTest/links").body.string)
            for code in postCodes {
                try await anonymous.get("/answer/\(code)")
                #expect(try await anonymous.post("/answer/\(code)", [("choice[1]", "1"), ("choice[2]", "1")]).status == .ok)
            }
            // The survey: every item is required; what was typed comes back.
            let surveyCodes = codes(try await trainer.post("\(base)/questionnaires/survey/links").body.string)
            try await anonymous.get("/answer/\(surveyCodes[0])")
            let partial = try await anonymous.post("/answer/\(surveyCodes[0])", [("rating[relevance]", "5"), ("comment", "Shumë praktike")])
            #expect(partial.status == .badRequest && partial.body.string.contains("Shumë praktike")
                    && partial.body.string.contains(catalog.text("survey.error.rating", .sq)))
            let ratings = SurveyItem.allCases.map { ("rating[\($0.rawValue)]", "4") } + [("comment", "Shumë praktike")]
            #expect(try await anonymous.post("/answer/\(surveyCodes[0])", ratings).status == .ok)
            let summary = try await trainer.get("\(base)/questionnaires").body.string
            #expect(summary.contains("25 %") && summary.contains("100 %") && summary.contains("75,0"))
            #expect(summary.contains("4,0 / 5") && summary.contains("Shumë praktike"))
            // Nobody else's: a CSO user cannot read the results.
            let cso = try await browser(app, try await TestFixtures.user(app, grants: [RoleGrant(role: .csoUser, organisationID: mine.id!)]))
            #expect(try await cso.get("\(base)/questionnaires").status == .forbidden)
        }
    }

    @Test("those registered are reminded by mail in the two days before the first session, once; the waitlisted and those without an address are not")
    func reminders() async throws {
        try await withFuqizo { app in
            let (mine, _, cso, event) = try await oneSessionEvent(app, organisation: "Shoqata Kujtesë", kind: "workshop",
                                                                   title: ("Raportimi narrativ", "Narrative reporting"), domain: "monitoring",
                                                                   capacity: 2, inDays: 5)
            let arta = try await person(app, "Arta Hoxha", email: "arta@example.org", of: mine.id!)
            let besa = try await person(app, "Besa Leka", email: nil, of: mine.id!)
            let drita = try await person(app, "Drita Muça", email: "drita@example.org", of: mine.id!)
            try await cso.get("/events/\(event.id!)")
            #expect(try await cso.post("/events/\(event.id!)/registrations",
                                       [("people[]", arta.id!.uuidString), ("people[]", besa.id!.uuidString), ("people[]", drita.id!.uuidString)]).status == .seeOther)
            #expect(try await EventRegistration.query(on: app.db).filter(\.$status == .waitlisted).count() == 1)
            func look() async throws -> [String] {
                try await SystemValue.find(EventReminders.leaseName, on: app.db)?.delete(on: app.db)
                let before = Set(try await OutboxMessage.query(on: app.db).all().compactMap(\.id))
                try await EventReminders.run(app)
                return try await OutboxMessage.query(on: app.db).all().filter { !before.contains($0.id!) }.map(\.recipient).sorted()
            }
            #expect(try await look().isEmpty, "five days before: too early")
            app.clock.advance(by: 3 * 86_400)
            let waitlisted = try #require(try await EventRegistration.query(on: app.db).filter(\.$status == .waitlisted).with(\.$person).first())
            let reminded = try await look()
            #expect(reminded == [arta.email, drita.email].compactMap { $0 }.filter { $0 != waitlisted.person.email }, "the registered with an address, once")
            let mail = try #require(try await OutboxMessage.query(on: app.db).filter(\.$recipient == "arta@example.org").all().last)
            #expect(mail.subject.contains(event.reference) && mail.subject.contains("Kujtesë") && mail.subject.contains("Reminder"))
            #expect(!mail.subject.contains("Arta"), "no name in the subject")
            #expect(try await look().isEmpty, "once")
            app.clock.advance(by: 86_400)
            #expect(try await look().isEmpty, "the day before: already reminded")
            app.clock.advance(by: 86_400)
            #expect(try await look().isEmpty, "never on the day itself")
        }
    }

    @Test("a registered person without an e-mail address is the CSO's to remind by phone: its home page says so while reminders are due, and no longer once the registration is cancelled")
    func phoneReminders() async throws {
        try await withFuqizo { app in
            let (mine, _, cso, event) = try await oneSessionEvent(app, organisation: "Shoqata Telefon", kind: "workshop",
                                                                   title: ("Buxhetimi", "Budgeting"), domain: "finance", capacity: 2, inDays: 5)
            let besa = try await person(app, "Besa Leka", email: nil, of: mine.id!)
            let arta = try await person(app, "Arta Hoxha", email: "arta@example.org", of: mine.id!)
            try await cso.get("/events/\(event.id!)")
            #expect(try await cso.post("/events/\(event.id!)/registrations", [("people[]", besa.id!.uuidString), ("people[]", arta.id!.uuidString)]).status == .seeOther)
            let task = app.services.catalog.counted("work.event.phoneReminders", 1, .sq).replacingOccurrences(of: "'", with: "&#39;")
            #expect(!(try await cso.get("/").body.string.contains(task)), "five days before: not yet")
            app.clock.advance(by: 3 * 86_400)
            // Three days on, the CSO user signs in again.
            let member = try #require(try await RoleAssignment.query(on: app.db).filter(\.$organisation.$id == mine.id!)
                .filter(\.$role == Role.csoUser.rawValue).with(\.$user).first()).user
            let later = try await browser(app, member)
            let page = try await later.get("/").body.string
            #expect(page.contains(task) && page.contains(event.reference), "one person to call: Besa, not Arta, whom the server mails")
            #expect(!page.contains("Besa"), "the home page counts; the event's page names")
            let registration = try #require(try await EventRegistration.query(on: app.db).filter(\.$person.$id == besa.id!).first())
            try await later.get("/events/\(event.id!)")
            #expect(try await later.post("/events/\(event.id!)/registrations/\(registration.id!)/cancel").status == .seeOther)
            #expect(!(try await later.get("/").body.string.contains(task)))
        }
    }

    @Test("staff invite a CSO's people: no place is held; the CSO sees it on its home page, accepts one and declines another; a CSO cannot invite")
    func invitations() async throws {
        try await withFuqizo { app in
            let catalog = app.services.catalog
            let (mine, staff, cso, event) = try await oneSessionEvent(app, organisation: "Shoqata Ftesë", kind: "mentoring",
                                                                       title: ("Mentorim për drejtuesit", "Mentoring for managers"), domain: "governance",
                                                                       capacity: 1, inDays: 9)
            let page = "/events/\(event.id!)"
            let arta = try await person(app, "Arta Hoxha", email: "arta@example.org", of: mine.id!)
            let besa = try await person(app, "Besa Leka", email: nil, of: mine.id!)
            try await staff.get(page)
            #expect(try await staff.post("\(page)/registrations", [("intent", "invite"), ("people[]", arta.id!.uuidString), ("people[]", besa.id!.uuidString)]).status == .seeOther)
            func status(_ person: CsoPerson) async throws -> RegistrationStatus? {
                try await EventRegistration.query(on: app.db).filter(\.$person.$id == person.id!).first()?.status
            }
            let invited = (try await status(arta), try await status(besa))
            #expect(invited.0 == .invited && invited.1 == .invited)
            #expect(try await staff.post("\(page)/registrations", [("intent", "invite"), ("people[]", arta.id!.uuidString)]).status == .conflict, "invited twice")
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "event.invited").count() == 2)

            // The CSO's home page asks it to answer; it cannot invite on its own.
            let home = try await cso.get("/").body.string
            let task = catalog.format("work.event.invitations.other", .sq, ["count": "2"]).replacingOccurrences(of: "'", with: "&#39;")
            #expect(home.contains(task) && home.contains(event.reference))
            let shown = try await cso.get(page).body.string
            #expect(shown.contains(catalog.text("registration.accept", .sq)) && shown.contains(catalog.text("registration.decline", .sq)))
            #expect(try await cso.post("\(page)/registrations", [("intent", "invite"), ("people[]", arta.id!.uuidString)]).status == .forbidden)
            // Accepted: the one place; declined: cancelled, and the task is gone.
            #expect(try await cso.post("\(page)/registrations", [("people[]", arta.id!.uuidString)]).status == .seeOther)
            #expect(try await status(arta) == .registered)
            let besaRegistration = try #require(try await EventRegistration.query(on: app.db).filter(\.$person.$id == besa.id!).first())
            #expect(try await cso.post("\(page)/registrations/\(besaRegistration.id!)/cancel").status == .seeOther)
            #expect(try await status(besa) == .cancelled)
            app.clock.advance(by: 31)
            #expect(!(try await cso.get("/").body.string.contains(event.reference)), "nothing left to answer")
        }
    }
}
