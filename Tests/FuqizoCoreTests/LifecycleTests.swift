import Foundation
@testable import FuqizoCore
import Testing

@Suite("Workflow state machines")
struct LifecycleTests {
    @Test("a call is edited only as a draft; publishing freezes it; its documents stay once published")
    func callLifecycle() {
        #expect(CallStatus.draft.after(.publish) == .success(.published))
        #expect(CallStatus.draft.allows(.edit) && CallStatus.draft.allows(.removeDocument))
        for status in [CallStatus.published, .closed] {
            #expect(status.after(.edit) == .failure(WorkflowRefusal("call.error.frozen")))
            #expect(status.after(.publish) == .failure(WorkflowRefusal("call.error.frozen")))
            #expect(status.after(.removeDocument) == .failure(WorkflowRefusal("call.document.error.published")))
            #expect(status.isPublic)
        }
        #expect(!CallStatus.draft.isPublic && CallStatus.published.isOpen && !CallStatus.closed.isOpen)
    }

    @Test("an application: edited and submitted only as a draft, checked only once submitted, withdrawn only when awarded")
    func applicationLifecycle() {
        #expect(ApplicationStatus.draft.after(.submit) == .success(.submitted))
        #expect(ApplicationStatus.submitted.after(.edit) == .failure(WorkflowRefusal("application.error.submitted")))
        #expect(ApplicationStatus.submitted.after(.submit) == .failure(WorkflowRefusal("application.error.submitted")))
        #expect(ApplicationStatus.submitted.after(.check(passed: false)) == .success(.rejected))
        #expect(ApplicationStatus.submitted.after(.check(passed: true)) == .success(.submitted))
        #expect(ApplicationStatus.draft.after(.check(passed: true)) == .failure(WorkflowRefusal("check.error.notSubmitted")))
        #expect(ApplicationStatus.awarded.after(.withdraw) == .success(.withdrawn))
        #expect(ApplicationStatus.reserve.after(.withdraw) == .failure(WorkflowRefusal("decision.error.notAwarded")))
        #expect(ApplicationStatus.reserve.after(.awardFromReserve) == .success(.awarded))
        #expect(!ApplicationStatus.notAwarded.allows(.awardFromReserve))
        #expect(ApplicationStatus.rejected.after(.decide(.full, .awarded)) == .failure(WorkflowRefusal("ranking.error.decided")))
        // Every status refuses something and nothing is left undefined: each event is answered.
        for status in ApplicationStatus.allCases {
            for event: ApplicationEvent in [.edit, .submit, .check(passed: true), .decide(.full, .awarded), .withdraw, .awardFromReserve] {
                _ = status.after(event)
            }
        }
    }

    @Test("a decision maps each ranking outcome to a status, a stage, a letter and its due date")
    func decisionOutcomes() {
        let preselected = DecisionOutcome(stage: .concept, ranking: .awarded)
        #expect(preselected.status == .draft && preselected.stage == .full && preselected.letter == .submitted && preselected.isSuccessful)
        #expect(DecisionOutcome(stage: .concept, ranking: .reserve).status == .notPreselected)
        #expect(DecisionOutcome(stage: .concept, ranking: .belowThreshold).status == .notPreselected)
        #expect(DecisionOutcome(stage: .full, ranking: .awarded).status == .awarded)
        #expect(DecisionOutcome(stage: .full, ranking: .reserve).status == .reserve)
        #expect(DecisionOutcome(stage: .full, ranking: .belowThreshold).status == .notAwarded)
        #expect(DecisionOutcome(stage: .full, ranking: .withdrawn).status == .withdrawn)
        #expect(ApplicationStatus.submitted.after(.decide(.full, .reserve)) == .success(.reserve))
        let decision = LocalDate("2019-12-20")!
        #expect(DecisionOutcome(stage: .full, ranking: .awarded).letterDue(decision: decision, days: 15).description == "2020-01-04")
        #expect(DecisionOutcome(stage: .full, ranking: .belowThreshold).letterDue(decision: decision, days: 15).description == "2020-01-19")
    }

    @Test("checks: once each, eligibility only after a passed administrative check, only on a submitted application")
    func checkRule() {
        #expect(CheckRule.refusal(recording: .administrative, status: .submitted, done: []) == nil)
        #expect(CheckRule.refusal(recording: .eligibility, status: .submitted, done: [])?.messageKey == "check.error.administrativeFirst")
        #expect(CheckRule.refusal(recording: .eligibility, status: .submitted, done: [(.administrative, false)])?.messageKey
            == "check.error.administrativeFirst")
        #expect(CheckRule.refusal(recording: .eligibility, status: .submitted, done: [(.administrative, true)]) == nil)
        #expect(CheckRule.refusal(recording: .administrative, status: .submitted, done: [(.administrative, true)])?.messageKey == "check.error.done")
        #expect(CheckRule.refusal(recording: .administrative, status: .rejected, done: [])?.messageKey == "check.error.notSubmitted")
    }

    @Test("an assignment: declare once, then score until submitted; a conflict ends it")
    func assignmentLifecycle() {
        #expect(AssignmentStatus.assigned.after(.declare(conflict: false)) == .success(.declared))
        #expect(AssignmentStatus.assigned.after(.declare(conflict: true)) == .success(.conflict))
        #expect(AssignmentStatus.declared.after(.declare(conflict: false)) == .failure(WorkflowRefusal("evaluation.error.declared")))
        #expect(AssignmentStatus.declared.after(.score(submit: false)) == .success(.declared))
        #expect(AssignmentStatus.declared.after(.score(submit: true)) == .success(.submitted))
        for status in [AssignmentStatus.assigned, .conflict, .submitted] {
            #expect(status.after(.score(submit: false)) == .failure(WorkflowRefusal("evaluation.error.notOpen")))
        }
        #expect(AssignmentStatus.submitted.isDeclared && !AssignmentStatus.conflict.isDeclared)
    }

    @Test("scores stay hidden from someone still scoring the application; a further evaluator is needed after a conflict or a divergence")
    func evaluationRules() {
        let me = UUID(), other = UUID()
        func score(_ evaluator: UUID, _ status: AssignmentStatus, _ position: Int, _ total: Double? = nil) -> AssignmentScore {
            AssignmentScore(evaluator: evaluator, status: status, position: position, total: total, relevance: nil)
        }
        #expect(!ScoreVisibility.showsScores(to: me, of: [score(me, .declared, 1), score(other, .submitted, 2, 80)]))
        #expect(!ScoreVisibility.showsScores(to: me, of: [score(me, .assigned, 1)]))
        #expect(ScoreVisibility.showsScores(to: me, of: [score(me, .submitted, 1, 70), score(other, .submitted, 2, 80)]))
        #expect(ScoreVisibility.showsScores(to: me, of: [score(me, .conflict, 1), score(other, .submitted, 2, 80)]))
        #expect(ScoreVisibility.showsScores(to: UUID(), of: [score(me, .declared, 1)]))
        let afterConflict = EvaluationStanding([score(me, .conflict, 1), score(other, .declared, 2)], required: 2, divergenceShare: 0.2)
        #expect(afterConflict.needsEvaluator && !afterConflict.needsFurtherEvaluator)
        let diverging = EvaluationStanding([score(me, .submitted, 1, 90), score(other, .submitted, 2, 50)], required: 2, divergenceShare: 0.2)
        #expect(diverging.needsEvaluator && diverging.needsFurtherEvaluator)
        let agreeing = EvaluationStanding([score(me, .submitted, 1, 80), score(other, .submitted, 2, 78)], required: 2, divergenceShare: 0.2)
        #expect(!agreeing.needsEvaluator && agreeing.isComplete)
        #expect(!EvaluationStanding([], required: 2, divergenceShare: 0.2).needsEvaluator, "nothing assigned yet: the start assigns")
    }

    @Test("a ranking is approved once, only when complete, then decided once")
    func rankingLifecycle() {
        #expect(RankingState.notStarted.after(.approve(complete: true)) == .failure(WorkflowRefusal("evaluation.error.notStarted")))
        #expect(RankingState.started.after(.approve(complete: false)) == .failure(WorkflowRefusal("ranking.error.incomplete")))
        #expect(RankingState.started.after(.approve(complete: true)) == .success(.approved))
        #expect(RankingState.approved.after(.approve(complete: true)) == .failure(WorkflowRefusal("ranking.error.approved")))
        #expect(RankingState.started.after(.decide) == .failure(WorkflowRefusal("ranking.error.notApproved")))
        #expect(RankingState.approved.after(.decide) == .success(.decided))
        #expect(RankingState.decided.after(.decide) == .failure(WorkflowRefusal("ranking.error.decided")))
        #expect(RankingState(started: true, approved: true, decided: false) == .approved)
    }
}
