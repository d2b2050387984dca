import Foundation
@testable import FuqizoCore
import Testing

@Suite("Calls for proposals: the call form")
struct CallFormTests {
    func validForm() -> CallForm {
        var form = CallForm()
        form.reference = "cfp-2019-01"
        form.titleSq = "Mbështetje për OSHC-të"
        form.titleEn = "Support to CSOs"
        form.eligibleApplicants = "Associations registered in Albania\n\nFoundations registered in Albania\n"
        form.eligibleActivities = "Economic empowerment of survivors"
        form.eligibleApplicantsEn = "Associations registered in Albania"
        form.eligibleActivitiesEn = "Economic empowerment of survivors"
        form.questionsDate = "2019-05-20"
        form.conceptDate = "2019-06-03"
        form.fullDate = "2019-08-01"
        form.lots = [LotForm(regionID: UUID().uuidString, nameSq: "Kukës", nameEn: "Kukës", envelope: "150 000"),
                     LotForm(nameSq: "", envelope: "")]
        return form
    }

    @Test("deadlines are Tirana wall-clock times, stored as instants")
    func tiranaTime() throws {
        let summer = try #require(TiranaTime.instant(date: "2019-06-03", time: "16:00"))
        #expect(summer.timeIntervalSince1970 == 1_559_570_400, "16:00 CEST is 14:00 UTC")
        let winter = try #require(TiranaTime.instant(date: "2019-12-03", time: "16:00"))
        #expect(Int(winter.timeIntervalSince1970) % 86_400 == 15 * 3600, "16:00 CET is 15:00 UTC")
        #expect(TiranaTime.parts(of: summer) == ("2019-06-03", "16:00"))
        #expect(TiranaTime.instant(date: "2019-02-30", time: "16:00") == nil)
        #expect(TiranaTime.instant(date: "2019-06-03", time: "25:00") == nil)
    }

    @Test("a valid two-stage call is cleaned and carries its rules as settings")
    func valid() throws {
        let draft = try validForm().validated().get()
        #expect(draft.reference == "CFP-2019-01")
        #expect(draft.stages == .two && draft.conceptDeadline != nil)
        #expect(draft.rules == GrantRules(minimumGrantMinorUnits: 1_000_000, maximumGrantMinorUnits: 6_000_000))
        #expect(draft.divergenceBasisPoints == 3000)
        #expect(draft.eligibleApplicants.count == 2)
        #expect(draft.lots.count == 1 && draft.lots[0].envelopeMinorUnits == 15_000_000)
    }

    @Test("each problem is reported against its field")
    func invalid() {
        var form = validForm()
        form.reference = "CALL-1"
        form.maximumGrant = "5000"
        form.eligibleActivities = "  "
        form.eligibleActivitiesEn = ""
        form.questionsDate = "2019-06-10"
        form.fullDate = "2019-06-01"
        form.lots = [LotForm(nameSq: "Dibër", envelope: "zero")]
        guard case .failure(let errors) = form.validated() else {
            Issue.record("expected errors")
            return
        }
        #expect(errors["reference"] == "call.error.reference")
        #expect(errors["maximumGrant"] == "call.error.maximumBelowMinimum")
        #expect(errors["eligibleActivities"] == "call.error.list")
        #expect(errors["eligibleActivitiesEn"] == "call.error.list", "both languages are required")
        #expect(errors["questionsDate"] == "call.error.questionsAfterDeadline")
        #expect(errors["fullDate"] == "call.error.fullBeforeConcept")
        #expect(errors["lot-0"] == "call.error.envelope")
    }

    @Test("a single-stage call needs no concept-note deadline; a call needs a lot")
    func singleStage() throws {
        var form = validForm()
        form.stages = "single"
        form.conceptDate = ""
        #expect(try form.validated().get().conceptDeadline == nil)
        form.lots = []
        guard case .failure(let errors) = form.validated() else {
            Issue.record("expected errors")
            return
        }
        #expect(errors["lots"] == "call.error.noLots")
    }

    @Test("evaluators per application and the letters' period are settings of the call, with PRAG's defaults")
    func evaluationSettings() throws {
        var form = validForm()
        let draft = try form.validated().get()
        #expect(draft.evaluatorsPerApplication == 2 && draft.letterDays == 15 && !draft.blindReview)
        form.evaluatorsPerApplication = "1"
        form.letterDays = "a fortnight"
        guard case .failure(let errors) = form.validated() else { Issue.record("accepted"); return }
        #expect(errors["evaluatorsPerApplication"] == "settings.error.range" && errors["letterDays"] == "settings.error.range")
        form.evaluatorsPerApplication = "3"
        form.letterDays = "10"
        form.blindReview = "yes"
        let changed = try form.validated().get()
        #expect(changed.evaluatorsPerApplication == 3 && changed.letterDays == 10 && changed.blindReview)
    }
}
