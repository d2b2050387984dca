import Foundation
@testable import FuqizoCore
import Testing

@Suite("Work lists: what waits for each person")
struct WorkTests {
    let today = LocalDate("2026-12-03")!

    func day(_ offset: Int) -> LocalDate { today.adding(days: offset) }

    @Test("most urgent first: overdue, then by due date, undated last; counts add up per menu entry")
    func ordering() {
        let link = WorkLink("home")
        let items = [
            WorkItem("work.b", reference: "undated", link: link, section: "nav.a"),
            WorkItem("work.a", reference: "later", due: day(30), link: link, section: "nav.a"),
            WorkItem("work.a", reference: "soon", due: day(2), link: link, section: "nav.b"),
            WorkItem("work.a", reference: "late", due: day(-1), count: 4, link: link, section: "nav.b"),
            WorkItem("work.a", reference: "today", due: today, link: link, section: "nav.b"),
        ]
        #expect(WorkList.ordered(items, today: today).map(\.reference) == ["late", "today", "soon", "later", "undated"])
        #expect(WorkList.counts(items) == ["nav.a": 2, "nav.b": 6])
        #expect(WorkUrgency(due: day(-1), today: today) == .overdue)
        #expect(WorkUrgency(due: day(7), today: today) == .soon)
        #expect(WorkUrgency(due: day(8), today: today) == .later)
        #expect(WorkUrgency(due: nil, today: today) == .undated)
    }

    @Test("an evaluator declares, then scores; a conflict or a submitted card leaves the list")
    func evaluator() {
        let ids = (0..<4).map { _ in UUID() }
        let items = GrantWork.evaluator(zip(ids, [AssignmentStatus.assigned, .declared, .conflict, .submitted]).map {
            GrantWork.Assignment(id: $0, call: "CFP-2026-01", application: "APP-\($1.rawValue)", status: $1, deadline: day(5))
        })
        #expect(items.map(\.kind) == ["work.declare", "work.score"])
        #expect(items.map(\.reference) == ["CFP-2026-01", "APP-declared"], "nothing of the application before the declaration")
        #expect(items.map(\.link) == [WorkLink("assignment", ids[0].uuidString), WorkLink("assignment", ids[1].uuidString)])
        #expect(items.allSatisfy { $0.due == day(5) && $0.section == "nav.evaluation" })
    }

    @Test("the chair approves only a complete, unapproved ranking; the officer checks, adds evaluators, decides and sends letters")
    func chairAndOfficer() {
        let call = UUID()
        func stage(_ ranking: RankingState, complete: Bool = false, unchecked: Int = 0, needing: Int = 0) -> GrantWork.Stage {
            GrantWork.Stage(call: call, reference: "CFP-2026-01", stage: .full, ranking: ranking, complete: complete,
                            unchecked: unchecked, needingEvaluator: needing, deadline: day(10))
        }
        #expect(GrantWork.chair([stage(.started, complete: false)]).isEmpty)
        #expect(GrantWork.chair([stage(.approved, complete: true)]).isEmpty)
        let approve = GrantWork.chair([stage(.started, complete: true)])
        #expect(approve.map(\.kind) == ["work.approveRanking"] && approve.first?.link == WorkLink("ranking", call.uuidString, "full"))

        let officer = GrantWork.officer([stage(.notStarted, unchecked: 12), stage(.started, needing: 2), stage(.approved)],
                                        letters: [GrantWork.Letters(call: call, reference: "CFP-2026-01", unsent: 3, due: day(-2)),
                                                  GrantWork.Letters(call: call, reference: "CFP-2026-02", unsent: 0, due: nil)])
        #expect(officer.map(\.kind) == ["work.check", "work.addEvaluator", "work.decide", "work.sendLetters"])
        #expect(officer.map(\.count) == [12, 2, 1, 3])
        #expect(officer.last?.urgency(today: today) == .overdue)
        // Checks are done before evaluation starts; nothing to check once it has.
        #expect(GrantWork.officer([stage(.started, unchecked: 5)], letters: []).isEmpty)
    }

    @Test("a CSO: drafts until their deadline, answers and letters for two weeks")
    func applicant() {
        let open = UUID(), late = UUID(), call = UUID(), application = UUID()
        let items = GrantWork.applicant(
            drafts: [GrantWork.Draft(application: open, call: "CFP-2026-01", deadline: day(3)),
                     GrantWork.Draft(application: late, call: "CFP-2026-02", deadline: day(-1))],
            news: [GrantWork.News(.questionAnswered, record: call, reference: "CFP-2026-01", on: day(-14)),
                   GrantWork.News(.letterReceived, record: application, reference: "CFP-2025-01", on: day(-2)),
                   GrantWork.News(.letterReceived, record: application, reference: "CFP-2024-01", on: day(-15))],
            today: today)
        #expect(items.map(\.kind) == ["work.submitDraft", "work.questionAnswered", "work.letterReceived"])
        #expect(items.map(\.link) == [WorkLink("application", open.uuidString), WorkLink("publicCall", call.uuidString),
                                      WorkLink("application", application.uuidString)])
    }

    @Test("a case worker: follow-ups within a week, steps past their date, referrals to answer; a facilitator: this week's sessions and missing attendance")
    func caseWork() {
        func dated(_ code: String, _ offset: Int) -> SurvivorWork.Dated { SurvivorWork.Dated(record: code, code: code, on: day(offset)) }
        let items = SurvivorWork.caseWorker(
            followUps: [dated("DI-2026-0001", 7), dated("DI-2026-0002", 8), dated("DI-2026-0003", -20)],
            overdueSteps: [dated("DI-2026-0004", -1), dated("DI-2026-0005", 0)],
            referralsReceived: [SurvivorWork.Dated(record: UUID().uuidString, code: "DI-2026-0006", on: day(-10))], today: today)
        #expect(items.map(\.reference) == ["DI-2026-0001", "DI-2026-0003", "DI-2026-0004", "DI-2026-0006"])
        #expect(items.last?.kind == "work.answerReferral" && items.last?.urgency(today: today) == .overdue)
        #expect(items.first?.link == WorkLink("survivor", "DI-2026-0001"))

        let sessions = [UUID(), UUID(), UUID(), UUID()]
        let club = SurvivorWork.facilitator([
            SurvivorWork.Session(id: sessions[0], on: day(2), attendanceTaken: false),
            SurvivorWork.Session(id: sessions[1], on: day(9), attendanceTaken: false),
            SurvivorWork.Session(id: sessions[2], on: day(-3), attendanceTaken: false),
            SurvivorWork.Session(id: sessions[3], on: day(-3), attendanceTaken: true),
        ], today: today)
        #expect(club.map(\.kind) == ["work.session", "work.attendance"])
        #expect(club.map(\.link) == [WorkLink("clubSession", sessions[0].uuidString), WorkLink("clubSession", sessions[2].uuidString)])
        #expect(club.allSatisfy { $0.reference.isEmpty })
    }

    @Test("administrators hear of mail the outbox gave up on")
    func administration() {
        #expect(AdministrationWork.administrator(undeliveredMail: 0).isEmpty)
        #expect(AdministrationWork.administrator(undeliveredMail: 2).map(\.count) == [2])
    }

    @Test("sentences about a number take the right plural form in both languages")
    func plurals() {
        let catalog = Catalog(strings: [
            .sq: ["x.one": "{count} aplikim", "x.other": "{count} aplikime"],
            .en: ["x.one": "{count} application", "x.other": "{count} applications"],
        ])
        #expect(catalog.counted("x", 1, .sq) == "1 aplikim")
        #expect(catalog.counted("x", 2, .sq) == "2 aplikime")
        #expect(catalog.counted("x", 0, .en) == "0 applications")
        #expect(catalog.counted("x", 1, .en) == "1 application")
    }

    @Test("monitoring: values others entered to review, a report due 60 days after its period, the draft in progress unannounced")
    func monitoringWork() {
        let today = LocalDate("2026-12-05")!
        let draft = UUID()
        let items = MonitoringWork.manager(valuesToReview: 3, periods: [
            .init(code: "P1", endsOn: LocalDate("2026-06-30")!, submitted: true),
            .init(code: "P2", endsOn: LocalDate("2026-11-30")!, submitted: false),
            .init(code: "P3", endsOn: LocalDate("2027-12-31")!, submitted: false),
        ], draft: (draft, 2), today: today)
        #expect(items.map(\.kind) == ["work.monitoring.values", "work.monitoring.report", "work.monitoring.draft"])
        #expect(items[0].count == 3 && items[0].link == WorkLink("indicatorValues"))
        #expect(items[1].reference == "P2" && items[1].due == LocalDate("2027-01-29"), "a period not yet over is not due; one submitted is done")
        #expect(items[2].link == WorkLink("logframeVersion", draft.uuidString) && !items[2].announced)
        #expect(MonitoringWork.manager(valuesToReview: 0, periods: [], draft: nil, today: today).isEmpty)
    }
}
