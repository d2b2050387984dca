import Foundation
@testable import FuqizoCore
import PropertyBased
import Testing

@Suite("Capacity assessment: instruments, scores, gains, the needs map")
struct CapacityAssessmentTests {
    static func question(_ key: String) -> CapacityInstrument.Question {
        CapacityInstrument.Question(key: key, textSq: "Pyetje \(key)", textEn: "Question \(key)",
                                    levelsSq: ["Asgjë", "Pak", "Mjaft", "Plotësisht"], levelsEn: ["None", "Some", "Enough", "Fully"])
    }

    /// Two domains: governance with three questions, finance with one.
    static let instrument = CapacityInstrument(domains: [
        .init(key: "governance", nameSq: "Qeverisja", nameEn: "Governance",
              questions: [question("governance.board"), question("governance.statute"), question("governance.conflicts")]),
        .init(key: "finance", nameSq: "Financat", nameEn: "Finance", questions: [question("finance.control")]),
    ])

    @Test("an instrument is usable only with questions in every domain, unique keys, and every text and level in both languages")
    func instrumentProblems() {
        #expect(Self.instrument.problems().isEmpty)
        var empty = Self.instrument
        empty.domains[1].questions = []
        #expect(empty.problems() == ["instrument.error.questions"])
        var duplicate = Self.instrument
        duplicate.domains[1].questions = [Self.question("governance.board")]
        #expect(duplicate.problems() == ["instrument.error.keys"])
        var threeLevels = Self.instrument
        threeLevels.domains[0].questions[0].levelsEn = ["None", "Some", "Fully"]
        #expect(threeLevels.problems() == ["instrument.error.text"])
        var untranslated = Self.instrument
        untranslated.domains[0].nameEn = "  "
        #expect(untranslated.problems() == ["instrument.error.text"])
        #expect(CapacityInstrument(domains: []).problems() == ["instrument.error.domains"])
    }

    @Test("a domain scores the mean of its answered questions; the overall score weighs each domain the same; levels outside 1–4 count for nothing")
    func scores() throws {
        let answers = CapacityAnswers(levels: ["governance.board": 2, "governance.statute": 3, "governance.conflicts": 2,
                                               "finance.control": 4, "unknown": 1])
        let scores = CapacityScoring.domainScores(Self.instrument, answers)
        let governance = try #require(scores["governance"])
        #expect(governance.hundredths == 233 && governance.written(.sq) == "2,33" && governance.written(.en) == "2.33")
        #expect(scores["finance"]?.hundredths == 400)
        // (2.33 + 4) / 2, not (2 + 3 + 2 + 4) / 4 = 2.75.
        #expect(CapacityScoring.overall(scores)?.hundredths == 317)
        #expect(answers.isComplete(for: Self.instrument))

        let partial = CapacityAnswers(levels: ["governance.board": 3, "governance.statute": 9, "finance.control": 0])
        let partialScores = CapacityScoring.domainScores(Self.instrument, partial)
        #expect(partialScores["governance"]?.hundredths == 300 && partialScores["finance"] == nil)
        #expect(!partial.isComplete(for: Self.instrument))
    }

    @Test("a score compares with a threshold exactly: 2.5 is not below 2.5, 2.49 is")
    func thresholds() throws {
        let twoAndHalf = try #require(CapacityScore(total: 5, count: 2))
        #expect(!twoAndHalf.isBelow(hundredths: 250))
        #expect(try #require(CapacityScore(total: 249, count: 100)).isBelow(hundredths: 250))
        #expect(twoAndHalf == CapacityScore(total: 10, count: 4))
        #expect(try #require(CapacityScore(total: 7, count: 3)) < twoAndHalf)
        #expect(CapacityScore(total: 3, count: 0) == nil)
    }

    @Test("any answers score within 1–4 in every domain and overall")
    func scoresStayOnTheScale() async {
        await propertyCheck(input: Gen.int(in: -5...9), Gen.int(in: -5...9), Gen.int(in: -5...9), Gen.int(in: -5...9)) { a, b, c, d in
            let answers = CapacityAnswers(levels: ["governance.board": a, "governance.statute": b, "governance.conflicts": c, "finance.control": d])
            let scores = CapacityScoring.domainScores(Self.instrument, answers)
            for score in scores.values { #expect((100...400).contains(score.hundredths)) }
            if let overall = CapacityScoring.overall(scores) { #expect((100...400).contains(overall.hundredths)) }
        }
    }

    @Test("the gain per domain from baseline to endline, in hundredths, only where both rounds scored it")
    func gains() throws {
        let baseline = ["governance": try #require(CapacityScore(total: 6, count: 3)), "finance": try #require(CapacityScore(total: 3, count: 1))]
        let endline = ["governance": try #require(CapacityScore(total: 10, count: 3)), "finance": try #require(CapacityScore(total: 2, count: 1)),
                       "hr": try #require(CapacityScore(total: 4, count: 1))]
        #expect(CapacityScoring.gains(from: baseline, to: endline) == ["governance": 133, "finance": -100])
    }

    @Test("a self-assessment: draft → submitted → reviewed → confirmed; the CSO may reopen a review it disagrees with; nothing changes once confirmed")
    func selfAssessment() throws {
        #expect(try SelfAssessmentStatus.draft.next(on: .submit) == .submitted)
        #expect(try SelfAssessmentStatus.submitted.next(on: .review) == .reviewed)
        #expect(try SelfAssessmentStatus.reviewed.next(on: .reopen) == .draft)
        #expect(try SelfAssessmentStatus.reviewed.next(on: .confirm) == .confirmed)
        #expect(!SelfAssessmentStatus.submitted.allows(.edit), "the CSO does not edit what the facilitator is reviewing")
        #expect(!SelfAssessmentStatus.draft.allows(.confirm))
        for event in [SelfAssessmentEvent.edit, .submit, .review, .confirm, .reopen] {
            #expect(!SelfAssessmentStatus.confirmed.allows(event))
        }
    }

    @Test("a facilitator's change names a question and a level, differs from the answer, and gives a reason")
    func facilitatorChange() {
        let instrument = Self.instrument
        func refusal(_ result: Result<FacilitatorChange, WorkflowRefusal>) -> String? {
            if case .failure(let refusal) = result { return refusal.messageKey }
            return nil
        }
        #expect(refusal(FacilitatorChange.validated(question: "governance.board", from: 3, to: 2, reason: "  ", instrument: instrument))
            == "assessment.error.reason")
        #expect(refusal(FacilitatorChange.validated(question: "governance.board", from: 2, to: 2, reason: "x", instrument: instrument))
            == "assessment.error.unchanged")
        #expect(refusal(FacilitatorChange.validated(question: "governance.board", from: 2, to: 5, reason: "x", instrument: instrument))
            == "assessment.error.level")
        #expect(refusal(FacilitatorChange.validated(question: "nowhere", from: 2, to: 3, reason: "x", instrument: instrument))
            == "assessment.error.level")
        let change = try? FacilitatorChange.validated(question: "governance.board", from: 3, to: 2, reason: " Nuk ka procesverbale. ",
                                                      instrument: instrument).get()
        #expect(change == FacilitatorChange(question: "governance.board", from: 3, to: 2, reason: "Nuk ka procesverbale."))
    }

    @Test("the needs map: per domain and region the mean score and how many CSOs are below 2.5; priorities put the most CSOs below first")
    func needsMap() throws {
        let (tirana, kukes) = (UUID(), UUID())
        func score(_ hundredths: Int) -> CapacityScore { CapacityScore(total: hundredths, count: 100)! }
        let assessed = [
            NeedsMap.Assessed(region: tirana, scores: ["governance": score(200), "finance": score(300)]),
            NeedsMap.Assessed(region: tirana, scores: ["governance": score(250), "finance": score(350)]),
            NeedsMap.Assessed(region: kukes, scores: ["governance": score(300), "finance": score(150)]),
            NeedsMap.Assessed(region: kukes, scores: ["governance": score(350)]),
        ]
        let cells = NeedsMap.cells(assessed, domains: ["governance", "finance"])
        let tiranaGovernance = try #require(cells.first { $0.domain == "governance" && $0.region == tirana })
        #expect(tiranaGovernance.mean.hundredths == 225 && tiranaGovernance.organisations == 2 && tiranaGovernance.below == 1)
        #expect(tiranaGovernance.percentBelow == 50)
        let kukesFinance = try #require(cells.first { $0.domain == "finance" && $0.region == kukes })
        #expect(kukesFinance.organisations == 1 && kukesFinance.below == 1 && kukesFinance.percentBelow == 100)
        #expect(cells.count == 4)
        // Finance: 1 of 3 below (33 %); governance: 1 of 4 (25 %).
        #expect(NeedsMap.priorities(cells) == ["finance", "governance"])
    }

    @Test("a plan's priority domains: those below 2,5, lowest first, ties in the instrument's order; exactly 2,5 is not below")
    func priorityDomains() {
        let scores = ["governance": CapacityScore(total: 11, count: 5)!, "finance": CapacityScore(total: 5, count: 2)!,
                      "people": CapacityScore(total: 9, count: 5)!, "programmes": CapacityScore(total: 11, count: 5)!]
        let order = ["governance", "finance", "programmes", "people", "monitoring"]
        #expect(ActionPlan.priorityDomains(scores, order: order) == ["people", "governance", "programmes"])
        #expect(ActionPlan.priorityDomains([:], order: order).isEmpty)
    }

    @Test("the trainings a plan shows: its priority domains first, then its open actions' domains in the instrument's order, each once")
    func trainingDomains() {
        let order = ["governance", "finance", "programmes", "people", "monitoring"]
        #expect(ActionPlan.trainingDomains(priorities: ["people", "governance"], openActions: ["monitoring", "governance", "finance"], order: order)
            == ["people", "governance", "finance", "monitoring"])
        #expect(ActionPlan.trainingDomains(priorities: [], openActions: ["unknown", "finance", "finance"], order: order) == ["finance"])
        #expect(ActionPlan.trainingDomains(priorities: [], openActions: [], order: order).isEmpty)
    }
}

@Suite("Capacity-building events: places, attendance, certificates, tests")
struct CapacityEventTests {
    @Test("a reminder is due in the two days before the first session, never earlier, never on the day or after")
    func reminderDays() {
        let starts = LocalDate("2027-02-10")!
        #expect(!EventReminder.isDue(today: LocalDate("2027-02-07")!, startsOn: starts))
        #expect(EventReminder.isDue(today: LocalDate("2027-02-08")!, startsOn: starts))
        #expect(EventReminder.isDue(today: LocalDate("2027-02-09")!, startsOn: starts))
        #expect(!EventReminder.isDue(today: starts, startsOn: starts))
        #expect(!EventReminder.isDue(today: LocalDate("2027-02-11")!, startsOn: starts))
        // Across a month's end.
        #expect(EventReminder.isDue(today: LocalDate("2027-02-27")!, startsOn: LocalDate("2027-03-01")!))
    }

    @Test("registering takes a free place or waits; twice is refused; a cancelled person may ask again; after the event, attendance decides")
    func registrationLifecycle() throws {
        #expect(try RegistrationStatus.invited.next(on: .register(placeFree: true)) == .registered)
        #expect(try RegistrationStatus.invited.next(on: .register(placeFree: false)) == .waitlisted)
        #expect(try RegistrationStatus.waitlisted.next(on: .promote) == .registered)
        #expect(try RegistrationStatus.registered.next(on: .cancel) == .cancelled)
        #expect(try RegistrationStatus.cancelled.next(on: .register(placeFree: false)) == .waitlisted)
        #expect(try RegistrationStatus.registered.next(on: .close(attended: false)) == .noShow)
        #expect(try RegistrationStatus.registered.next(on: .close(attended: true)) == .attended)
        #expect(throws: WorkflowRefusal("registration.error.twice")) { try RegistrationStatus.registered.next(on: .register(placeFree: true)) }
        #expect(throws: WorkflowRefusal("registration.error.eventOver")) { try RegistrationStatus.attended.next(on: .cancel) }
        // Staff invite: someone who cancelled may be invited again; an open invitation or a
        // place already taken is refused.
        #expect(try RegistrationStatus.cancelled.next(on: .invite) == .invited)
        #expect(try RegistrationStatus.invited.next(on: .cancel) == .cancelled)
        #expect(throws: WorkflowRefusal("registration.error.twice")) { try RegistrationStatus.invited.next(on: .invite) }
        #expect(throws: WorkflowRefusal("registration.error.twice")) { try RegistrationStatus.waitlisted.next(on: .invite) }
        #expect(!RegistrationStatus.attended.allows(.invite))
        #expect(!RegistrationStatus.invited.holdsPlace)
        #expect(!RegistrationStatus.invited.allows(.promote))
        #expect(!RegistrationStatus.waitlisted.allows(.close(attended: true)))
    }

    @Test("a freed place goes to the first who asked; never more promotions than free places; a lowered capacity frees nothing")
    func promotions() {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let (early, later, last) = (UUID(), UUID(), UUID())
        let registrations = [
            Places.Registration(id: UUID(), status: .registered, askedAt: start),
            Places.Registration(id: UUID(), status: .cancelled, askedAt: start),
            Places.Registration(id: later, status: .waitlisted, askedAt: start.addingTimeInterval(60)),
            Places.Registration(id: last, status: .waitlisted, askedAt: start.addingTimeInterval(120)),
            Places.Registration(id: early, status: .waitlisted, askedAt: start.addingTimeInterval(30)),
        ]
        #expect(Places.free(capacity: 2, registrations) == 1)
        #expect(Places.promotions(capacity: 2, registrations) == [early])
        #expect(Places.promotions(capacity: 3, registrations) == [early, later])
        #expect(Places.promotions(capacity: 10, registrations) == [early, later, last])
        #expect(Places.promotions(capacity: 0, registrations).isEmpty && Places.free(capacity: 0, registrations) == 0)
    }

    @Test("a certificate for attending at least 80 % of the sessions: late counts, excused does not")
    func certificates() {
        let fourOfFive: [AttendanceMark] = [.present, .late, .present, .present, .excused]
        #expect(Certificate.isEligible(marks: fourOfFive, sessions: 5))
        #expect(!Certificate.isEligible(marks: [.present, .present, .present, .absent, .excused], sessions: 5))
        #expect(Certificate.isEligible(marks: [.present, .present, .present], sessions: 5, minimumPercent: 60))
        #expect(!Certificate.isEligible(marks: [.present], sessions: 0))
        #expect(Certificate.isEligible(marks: Array(repeating: .present, count: 9), sessions: 10))
        #expect(!Certificate.isEligible(marks: Array(repeating: .present, count: 9), sessions: 10, minimumPercent: 95))
        #expect(!Certificate.isEligible(marks: Array(repeating: .present, count: 12), sessions: 10, minimumPercent: 101), "a setting out of range certifies nobody")
    }

    @Test("a verification code: ten characters people can read aloud, typed back in any case with O for 0 and spaces")
    func verificationCodes() throws {
        let code = try #require(Certificate.verificationCode(random: [0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC, 0xDE]))
        #expect(code.count == 11 && code.dropFirst(5).first == "-")
        #expect(Certificate.normalisedCode(code.lowercased().replacingOccurrences(of: "-", with: " ")) == code)
        #expect(Certificate.normalisedCode("0O0O0-IL111") == "00000-11111")
        #expect(Certificate.normalisedCode("ABCDE-FGHJU") == nil, "U is not in the alphabet")
        #expect(Certificate.normalisedCode("ABCD") == nil)
        #expect(Certificate.verificationCode(random: [1, 2, 3]) == nil)
    }

    @Test("a test scores right answers of all questions; blanks and impossible options are wrong; the gain counts only those who took both")
    func knowledgeTests() {
        let test = KnowledgeTest(questions: [
            .init(text: "Sa tranche?", options: ["1", "2"], answer: 1),
            .init(text: "Kush miraton?", options: ["A", "B", "C"], answer: 2),
            .init(text: "Afati?", options: ["7", "14"], answer: 0),
        ])
        #expect(test.isUsable)
        #expect(test.percent([1, 2, 0]) == 100)
        #expect(test.percent([1, nil, 9]) == 33)
        #expect(test.percent([1, 2]) == 67)
        #expect(!KnowledgeTest(questions: [.init(text: "?", options: ["a"], answer: 0)]).isUsable)
        #expect(!KnowledgeTest(questions: [.init(text: "?", options: ["a", "b"], answer: 2)]).isUsable)
        let (a, b, c) = (UUID(), UUID(), UUID())
        #expect(TestGain.tenths(pre: [a: 40, b: 60, c: 50], post: [a: 80, b: 65]) == 225, "(40 + 5) / 2 = 22.5 points")
        #expect(TestGain.tenths(pre: [a: 90], post: [a: 85]) == -50)
        #expect(TestGain.tenths(pre: [a: 90], post: [b: 85]) == nil)
        #expect(Satisfaction.meanTenths([5, 4, 4, 0, 7]) == 43)
        #expect(Satisfaction.meanTenths([]) == nil)
    }

    @Test("a CSO fills a draft by the round's day and confirms a reviewed one; the facilitator reviews what was submitted, per round")
    func work() {
        let day = LocalDate("2027-02-01")!
        let ids = (0..<4).map { _ in UUID() }
        let items = CapacityWork.organisation([
            .init(id: ids[0], round: "CA-2027-01", status: .draft, dueOn: day),
            .init(id: ids[1], round: "CA-2027-02", status: .submitted, dueOn: day),
            .init(id: ids[2], round: "CA-2027-03", status: .reviewed, dueOn: day),
            .init(id: ids[3], round: "CA-2027-04", status: .confirmed, dueOn: day),
        ])
        #expect(items.map(\.kind) == ["work.capacity.fill", "work.capacity.confirm"])
        #expect(items.map(\.link) == [WorkLink("selfAssessment", ids[0].uuidString), WorkLink("selfAssessment", ids[2].uuidString)])
        #expect(items.allSatisfy { $0.announced && $0.section == "nav.capacity" })
        let round = UUID()
        let review = CapacityWork.facilitator([.init(round: round, reference: "CA-2027-01", submitted: 12, dueOn: day),
                                               .init(round: UUID(), reference: "CA-2027-02", submitted: 0, dueOn: day)])
        #expect(review.count == 1)
        #expect(review.first?.count == 12 && review.first?.due == day.adding(days: 14))
        #expect(review.first?.link == WorkLink("capacityRound", round.uuidString))
    }

    @Test("a trainer takes the attendance of sessions held this month without it; events over and open are counted for closing")
    func eventWork() {
        let today = LocalDate("2027-03-10")!
        let event = UUID()
        let items = CapacityWork.trainer([
            .init(event: event, reference: "EV-2027-001", number: 1, heldOn: today.adding(days: -2)),
            .init(event: event, reference: "EV-2027-001", number: 2, heldOn: today.adding(days: 1)),
            .init(event: event, reference: "EV-2027-001", number: 3, heldOn: today.adding(days: -31)),
        ], today: today)
        #expect(items.map(\.reference) == ["EV-2027-001/1"])
        #expect(items.first?.link == WorkLink("eventSession", event.uuidString, "1") && items.first?.due == today.adding(days: -2))
        #expect(CapacityWork.closing(over: 0, earliest: nil).isEmpty)
        let closing = CapacityWork.closing(over: 3, earliest: today.adding(days: -9))
        #expect(closing.first?.count == 3 && closing.first?.due == today.adding(days: -2))
        let invitations = CapacityWork.invitations([.init(event: event, reference: "EV-2027-001", people: 2, startsOn: today.adding(days: 6)),
                                                    .init(event: UUID(), reference: "EV-2027-002", people: 0, startsOn: today)])
        #expect(invitations.count == 1 && invitations.first?.count == 2 && invitations.first?.due == today.adding(days: 5))
        #expect(invitations.first?.link == WorkLink("event", event.uuidString) && invitations.first?.kind == "work.event.invitations")
        // People to remind by phone: only while the reminders are due (the two days before), never on the day.
        let phone = { (days: Int) in
            CapacityWork.phoneReminders([.init(event: event, reference: "EV-2027-003", people: 1, startsOn: today.adding(days: days))], today: today)
        }
        #expect(phone(3).isEmpty && phone(0).isEmpty && phone(-1).isEmpty)
        #expect(phone(2).first?.kind == "work.event.phoneReminders" && phone(1).first?.due == today && phone(1).first?.count == 1)
        #expect(CapacityWork.phoneReminders([.init(event: event, reference: "EV-2027-003", people: 0, startsOn: today.adding(days: 1))], today: today).isEmpty)
    }
}
