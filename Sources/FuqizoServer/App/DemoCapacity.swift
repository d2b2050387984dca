import Fluent
import Foundation
import FuqizoCore
import Vapor

extension DemoData {
    /// Runs one of the demo's writes again when SQLite answers "busy": the demo may load into
    /// the database of a running server, whose background work (sending the mails these
    /// loaders queue) writes meanwhile, and a transaction that read before such a write cannot
    /// then write itself. Each service call is one transaction, so running it again is safe.
    static func settled<T>(_ body: () async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            do { return try await body() } catch where attempt < 50 && String(describing: error).lowercased().contains("busy") {
                attempt += 1
                try await Task.sleep(nanoseconds: 40_000_000)
            }
        }
    }
    /// Two rounds of capacity assessment over the demo's CSOs, through the module's services: a
    /// baseline every CSO has confirmed, and a midline in every state. The demo CSO user's
    /// organisation has its midline reviewed, with a facilitator's change to confirm; the
    /// second organisation's is still to fill; a few wait for the facilitator; the rest are
    /// confirmed, so the needs map and the gains have figures.
    static func loadCapacity(app: Application, organisations order: [UUID]) async throws {
        guard let facilitator = try await User.query(on: app.db).filter(\.$email == "programmemanager@demo.fuqizo.invalid").first()?.id,
              let instrument = try await InstrumentRecord.query(on: app.db).sort(\.$createdAt).first() else { return }
        let service = AssessmentService(database: app.db, services: app.services)
        let questions = try instrument.instrument().questions
        var members = Dictionary(try await RoleAssignment.query(on: app.db).filter(\.$role == Role.csoUser.rawValue).sort(\.$user.$id).all()
            .compactMap { assignment in assignment.$organisation.id.map { ($0, assignment.$user.id) } }, uniquingKeysWith: { first, _ in first })
        let unusable = try await app.passwordHasher.hash(SecretToken.generate(byteCount: 24))
        let due = service.today.adding(days: 45).description

        for (roundIndex, kind) in [RoundKind.baseline, .midline].enumerated() {
            let form = RoundForm(kind: kind.rawValue, instrument: try instrument.requireID().uuidString, dueOn: due, facilitator: facilitator.uuidString)
            guard case .success(let round) = try await settled({ try await service.open(form, actor: facilitator) }) else { continue }
            let assessments = Dictionary(try await SelfAssessment.query(on: app.db).filter(\.$round.$id == round.requireID()).all()
                .map { ($0.$organisation.id, $0) }, uniquingKeysWith: { first, _ in first })
            for (index, organisation) in order.enumerated() {
                guard let draft = assessments[organisation] else { continue }
                // Midline: the second organisation fills it still, and one in five of the rest.
                if kind == .midline, index == 1 || (index > 3 && index % 5 == 0) { continue }
                let member: UUID
                if let known = members[organisation] { member = known } else {
                    member = try await settled { try await demoColleague(app: app, of: organisation, hash: unusable) }
                    members[organisation] = member
                }
                // Levels that differ by organisation and question; the midline a little higher.
                var levels: [String: String] = [:]
                for (questionIndex, question) in questions.enumerated() {
                    let base = 1 + (index * 7 + questionIndex) % 3
                    levels[question.key] = String(min(4, base + roundIndex * ((index + questionIndex) % 2)))
                }
                let loaded = try await service.assessment(try draft.requireID())
                _ = try await settled { try await service.save(loaded, form: SelfAssessmentForm(level: levels, intent: "submit"), actor: member) }
                if kind == .midline, index == 2 || index == 3 { continue }
                if kind == .midline, index == 0, let first = questions.first {
                    let current = Int(levels[first.key] ?? "") ?? 1
                    _ = try await settled { try await service.change(loaded, form: ChangeForm(question: first.key, level: String(current == 4 ? 3 : current + 1),
                                                                                              reason: "Dokumentet u panë gjatë vizitës së lehtësuesit."), actor: facilitator) }
                }
                try await settled { try await service.review(loaded, actor: facilitator) }
                if kind == .midline, index == 0 { continue }
                try await settled { try await service.confirm(loaded, actor: member) }
            }
        }
    }

    /// Fictional people for each demo CSO (staff, board, volunteers) and an action plan for
    /// the first organisations, through the services.
    static func loadCsoPeople(app: Application, organisations: [UUID]) async throws {
        guard let actor = try await User.query(on: app.db).filter(\.$email == "programmemanager@demo.fuqizo.invalid").first()?.id else { return }
        let service = PeopleService(database: app.db, services: app.services)
        let given = ["Arta", "Besnik", "Drita", "Erion", "Fatjona", "Gentiana", "Ilir", "Jonida", "Klodiana", "Lindita", "Mirela", "Ndriçim"]
        let family = ["Hoxha", "Krasniqi", "Dervishi", "Shehu", "Leka", "Gjoka", "Bajrami", "Muça"]
        let roles = ["Drejtuese ekzekutive", "Kontabiliste", "Koordinator projekti", "Anëtare e bordit", "Vullnetar", "Punonjëse sociale"]
        let bands: [AgeBand] = [.from18to24, .from25to34, .from35to44, .from45to54, .from55]
        for (index, organisation) in organisations.enumerated() {
            for person in 0..<(4 + index % 5) {
                let number = index * 11 + person
                let name = "\(given[number % given.count]) \(family[(number / given.count + person) % family.count])"
                let form = CsoPersonForm(name: name, role: roles[person % roles.count],
                                         email: person % 3 == 2 ? "" : "person\(number)@demo.fuqizo.invalid",
                                         phone: person % 3 == 2 ? "+355 69 \(String(format: "%03d", number % 1_000)) \(String(format: "%04d", number))" : "",
                                         sex: person % 4 == 1 ? PersonSex.male.rawValue : PersonSex.female.rawValue, ageBand: bands[number % bands.count].rawValue)
                _ = try await settled { try await service.add(form, to: organisation, actor: actor) }
            }
            guard index < 6 else { continue }
            let today = service.today
            let plan = [("finance", "Procedurë e shkruar për kontrollin e brendshëm të pagesave", "Kontabiliste", 30, PlanActionStatus.inProgress),
                        ("monitoring", "Plan monitorimi me tregues për çdo projekt", "Koordinator projekti", 60, .planned),
                        ("sustainability", "Strategji e fundraising-ut për tre vjet", "Drejtuese ekzekutive", -10, .planned)]
            for (domain, action, owner, days, status) in plan {
                _ = try await settled { try await service.save(PlanActionForm(domain: domain, action: action, owner: owner, dueOn: today.adding(days: days).description,
                                                          status: status.rawValue), existing: nil, of: organisation,
                                           domains: ["finance", "monitoring", "sustainability"], actor: actor) }
            }
        }
    }

    /// A year of capacity-building events, through the services: nine months past (each
    /// registered, attended and closed on its days, so the clock is moved back and restored)
    /// and three to come. Eight places each, so some people wait and one is promoted when
    /// another cancels.
    static func loadEvents(app: Application, organisations: [UUID]) async throws {
        guard let staff = try await User.query(on: app.db).filter(\.$email == "programmemanager@demo.fuqizo.invalid").first()?.id,
              let trainer = try await User.query(on: app.db).filter(\.$email == "trainer@demo.fuqizo.invalid").first()?.id else { return }
        let service = EventService(database: app.db, services: app.services)
        // The training centre is in Tirana: its events count there on the public results page.
        let tirana = try await GeographyDirectory.load(on: app.db).regions.first { $0.code == "TR" }?.id.uuidString ?? ""
        let people = try await CsoPerson.query(on: app.db).filter(\.$organisation.$id ~~ organisations).filter(\.$archived == false).sort(\.$name).all()
        guard !people.isEmpty else { return }
        let topics: [(String, String, String, [String])] = [
            ("Menaxhimi financiar për OSHC-të", "Financial management for CSOs", "finance", ["finance"]),
            ("Monitorimi dhe vlerësimi i projekteve", "Project monitoring and evaluation", "monitoring", ["monitoring"]),
            ("Qeverisja e mirë dhe bordi", "Good governance and the board", "governance", ["governance"]),
            ("Strategjia e fundraising-ut", "Fundraising strategy", "sustainability", ["sustainability"]),
        ]
        let kinds: [EventKind] = [.training, .workshop, .training, .mentoring, .studyVisit]
        let start = app.clock.offsetSeconds
        defer { app.clock.advance(by: start - app.clock.offsetSeconds) }
        for index in 0..<12 {
            let monthsAgo = 9 - index
            let topic = topics[index % topics.count]
            // Go back to ten days before the event, so that it is made and filled before it happens.
            let eventDay = Double(-monthsAgo * 30 + 3)
            app.clock.advance(by: start + (eventDay - 10) * 86_400 - app.clock.offsetSeconds)
            let first = service.today.adding(days: 10)
            var form = EventForm()
            form.kind = kinds[index % kinds.count].rawValue
            form.titleSq = topic.0
            form.titleEn = topic.1
            form.descriptionSq = "Dy ditë pune praktike për stafin dhe bordin e OSHC-ve, me shembuj nga projektet e tyre."
            form.descriptionEn = "Two practical days for CSOs' staff and boards, with examples from their own projects."
            form.domains = topic.3
            form.venue = index % 3 == 2 ? "" : "Qendra e Trajnimeve, Tiranë"
            form.online = index % 3 == 2 ? "yes" : ""
            form.region = index % 3 == 2 ? "" : tirana
            form.capacity = "8"
            form.trainers = [trainer.uuidString]
            form.sessions = [EventForm.SessionRow(day: first.description, starts: "09:30", ends: "13:30"),
                             EventForm.SessionRow(day: first.adding(days: 1).description, starts: "09:30", ends: "13:30")]
            guard case .success(let created) = try await settled({ try await service.create(form, actor: staff) }) else { continue }
            let event = try await service.event(try created.requireID())
            // Ten people: eight places, two waiting.
            let chosen = (0..<10).map { people[(index * 7 + $0 * 3) % people.count] }
            _ = try await settled { try await service.register(Array(Set(chosen.compactMap(\.id))), for: event, allowed: nil, actor: staff) }
            let registrations = try await service.registrations(of: event, organisations: nil)
            if let leaving = registrations.first(where: { $0.status == RegistrationStatus.registered.rawValue }) {
                let registration = try await service.registration(leaving.id, of: event)
                try await settled { try await service.cancel(registration, of: event, actor: staff) }
            }
            guard monthsAgo > 0 else {
                // To come: staff also invite two people of the first CSO, whose answer waits
                // on its home page.
                let asked = Set(chosen.compactMap(\.id))
                let invited = people.filter { person in person.$organisation.id == organisations.first && !asked.contains(person.id ?? UUID()) }.prefix(2)
                _ = try await settled { try await service.register(invited.compactMap(\.id), for: event, allowed: nil, inviting: true, actor: staff) }
                continue
            }
            // The days themselves: attendance, most present; then closed the day after.
            let holding = try await service.registrations(of: event, organisations: nil).filter { $0.status == RegistrationStatus.registered.rawValue }
            for session in event.sessions {
                app.clock.advance(by: 86_400 * Double(session.number == 1 ? 10 : 1))
                var marks: [UUID: AttendanceMark] = [:]
                for (position, row) in holding.enumerated() {
                    marks[row.id] = position % 7 == 3 && session.number == 2 ? .absent : position % 5 == 4 ? .late : .present
                }
                try await settled { try await service.record(marks, session: session, of: event, actor: trainer) }
            }
            try await loadQuestionnaires(app: app, event: event, trainer: trainer, seed: index)
            app.clock.advance(by: 86_400)
            let finished = try await service.event(try event.requireID())
            _ = try await settled { try await service.close(finished, actor: staff) }
        }
    }

    /// A pre- and a post-test of two questions and the survey, answered by most participants
    /// through their links (the codes as the printed slips would give them).
    static func loadQuestionnaires(app: Application, event: CapacityEvent, trainer: UUID, seed: Int) async throws {
        let service = QuestionnaireService(database: app.db, services: app.services)
        let test = TestForm(rows: [
            .init(text: "Cili dokument tregon si do të shpenzohen paratë e projektit?", options: ["Buxheti", "Statuti", "Raporti vjetor"], answer: "1"),
            .init(text: "Kush e miraton planin vjetor të organizatës?", options: ["Bordi", "Donatori", "Kontabilisti"], answer: "1"),
        ])
        for phase in [LinkPurpose.preTest, .postTest] { _ = try await settled { try await service.saveTest(test, phase: phase, for: event, actor: trainer) } }
        for purpose in LinkPurpose.allCases {
            let slips = try await settled { try await service.issue(purpose, for: event, actor: trainer) }
            for (position, slip) in slips.enumerated() where position % 4 != 3 {
                guard let link = try await service.link(code: slip.code) else { continue }
                let right = purpose == .postTest ? 2 : (position + seed) % 3 == 0 ? 2 : 1
                let form = purpose.isTest
                    ? AnswerForm(choice: ["1": "1", "2": right == 2 ? "1" : "2"])
                    : AnswerForm(rating: Dictionary(uniqueKeysWithValues: SurveyItem.allCases.enumerated().map { ($1.rawValue, String(3 + ($0 + position) % 3)) }),
                                 comment: position == 0 ? "Shembujt praktikë ndihmuan shumë." : "")
                _ = try await settled { try await service.answer(link, form: form) }
            }
        }
    }
}
