import Foundation
@testable import FuqizoCore
import Testing

@Suite("Application checklist")
struct ApplicationRuleTests {
    static let rules = GrantRules(minimumGrantMinorUnits: 1_000_000, maximumGrantMinorUnits: 6_000_000)

    func concept() -> ApplicationContent {
        var content = ApplicationContent()
        content.title = "Punë për gratë"
        content.summary = "Trajnim dhe punësim."
        content.problem = "Papunësia."
        content.activities = "Trajnime."
        content.requested = "45000"
        return content
    }

    func full() -> ApplicationContent {
        var content = concept()
        content.workPlan = "Muajt 1–12."
        content.partners = "Asnjë."
        content.sustainability = "Punëdhënës vendas."
        content.objective = "40 gra në punë."
        content.results = [.init(result: "Trajnim", indicator: "Certifikata", baseline: "0", target: "40"), .init()]
        content.lines = [
            .init(heading: "humanResources", description: "Trajner", units: "12", unitCost: "2500"),
            .init(heading: "indirect", description: "Zyra", units: "1", unitCost: "2100"),
            .init(),
        ]
        content.requested = "30000"
        return content
    }

    @Test("a concept note needs its four sections and an amount within the lot's range; not the budget")
    func conceptChecklist() {
        #expect(concept().problems(stage: .concept, rules: Self.rules, currency: "EUR").isEmpty)
        var content = concept()
        content.problem = "   "
        content.requested = "5000"
        let problems = content.problems(stage: .concept, rules: Self.rules, currency: "EUR")
        #expect(problems["problem"] == "form.error.required")
        #expect(problems["requested"] == "budget.error.belowMinimum")
        #expect(problems["workPlan"] == nil && problems["budget"] == nil)
        content.requested = "lots"
        #expect(content.problems(stage: .concept, rules: Self.rules, currency: "EUR")["requested"] == "call.error.amount")
    }

    @Test("a full application needs every section, a complete result, and a budget within the rules")
    func fullChecklist() {
        // 30,000 direct, 2,100 indirect = 7 % exactly; 30,000 of 32,100 is 93 % → co-financing missing.
        var content = full()
        var problems = content.problems(stage: .full, rules: Self.rules, currency: "EUR")
        #expect(problems.messages == ["requested": "budget.error.coFinancing"])
        content.requested = "28890"  // exactly 90 % of 32,100
        #expect(content.problems(stage: .full, rules: Self.rules, currency: "EUR").isEmpty)
        content.lines[1].unitCost = "2101"
        #expect(content.problems(stage: .full, rules: Self.rules, currency: "EUR")["indirect"] == "budget.error.indirectTooHigh")

        content = full()
        content.results[1].indicator = "Half a row"
        content.lines[2] = .init(heading: "", description: "No heading", units: "1", unitCost: "10")
        content.sustainability = String(repeating: "x", count: ApplicationContent.maximumSectionLength + 1)
        problems = content.problems(stage: .full, rules: Self.rules, currency: "EUR")
        #expect(problems["result-1"] == "application.error.resultIncomplete")
        #expect(problems["line-2"] == "budget.error.lineHeading")
        #expect(problems["sustainability"] == "form.error.tooLong")
    }

    @Test("a budget error names the row the person typed, even after blank rows")
    func lineErrorsPointAtTheirRow() {
        var content = full()
        content.lines = [.init(), .init(heading: "travel", description: "", units: "2", unitCost: "100"),
                         .init(heading: "travel", description: "Bus", units: "0", unitCost: "100")]
        let problems = content.problems(stage: .full, rules: Self.rules, currency: "EUR")
        #expect(problems["line-1"] == "budget.error.lineDescription")
        #expect(problems["line-2"] == "budget.error.lineAmount")
        #expect(problems["line-0"] == nil)
    }

    @Test("an application with no budget lines is told to add one")
    func emptyBudget() {
        var content = full()
        content.lines = []
        #expect(content.problems(stage: .full, rules: Self.rules, currency: "EUR")["budget"] == "budget.error.empty")
    }

    @Test("the receipt digest is stable, ignores blank rows, and changes with any character")
    func digest() {
        let content = full()
        var withoutBlanks = content
        withoutBlanks.results.removeLast()
        withoutBlanks.lines.removeLast()
        #expect(content.contentDigest() == withoutBlanks.contentDigest())
        var changed = content
        changed.summary += "."
        #expect(changed.contentDigest() != content.contentDigest())
        #expect(content.contentDigest().count == 64)
    }

    @Test("application references follow the call's")
    func references() {
        #expect(GrantReference.application(callReference: "CFP-2019-01", number: 14) == "APP-2019-01-014")
    }
}
