import Foundation
@testable import FuqizoCore
import Testing

@Suite("Grant rules: grids, scoring, consensus, committee")
struct GrantScoringTests {
    @Test("the default grids add up as the EU grids do")
    func defaultGrids() {
        let concept = EvaluationGrid.conceptNote
        #expect(concept.maximum == 50 && concept.threshold == 30)
        #expect(concept.sections.map(\.maximum) == [30, 20])
        let full = EvaluationGrid.fullApplication
        #expect(full.maximum == 100)
        #expect(full.sections.map(\.maximum) == [20, 30, 20, 15, 15])
        #expect(full.sections.first { $0.code == "relevance" }?.carriedOver == true)
        #expect(!full.scoredCriteria.contains { $0.code == "1.1" })
        #expect(concept.problems.isEmpty && full.problems.isEmpty)
    }

    @Test("an edited grid with duplicate codes, bad weights or an impossible threshold is refused")
    func gridProblems() {
        var grid = EvaluationGrid.conceptNote
        grid.sections[1].criteria[0].code = "1.1"
        grid.sections[0].criteria[2].weight = 0
        grid.threshold = 60
        #expect(grid.problems.contains(.duplicateCode("1.1")))
        #expect(grid.problems.contains(.invalidWeight("1.3")))
        #expect(grid.problems.contains(.thresholdOutOfRange))
    }

    @Test("a scorecard is complete only with a score 1–5 and a comment for every criterion")
    func scorecardCompleteness() {
        let grid = EvaluationGrid.conceptNote
        var card = Scorecard()
        for criterion in grid.scoredCriteria {
            card.scores[criterion.code] = 4
            card.comments[criterion.code] = "Clear and well argued."
        }
        #expect(card.problems(against: grid).isEmpty)
        #expect(card.total(on: grid) == 40)
        card.scores["1.1"] = 6
        card.comments["2.2"] = "  "
        card.scores["1.4"] = nil
        let problems = card.problems(against: grid)
        #expect(problems["score-1.1"] == "evaluation.error.scoreRange")
        #expect(problems["comment-2.2"] == "evaluation.error.commentMissing")
        #expect(problems["score-1.4"] == "evaluation.error.scoreMissing")
    }

    @Test("the full application adds the relevance score carried over from the concept note")
    func carriedOver() {
        let grid = EvaluationGrid.fullApplication
        var card = Scorecard()
        for criterion in grid.scoredCriteria {
            card.scores[criterion.code] = 3
            card.comments[criterion.code] = "Adequate."
        }
        #expect(card.total(on: grid) == 42)
        #expect(card.total(on: grid, carried: ["relevance": 24.5]) == 66.5)
    }

    @Test("a difference of more than 30 % of the higher total calls for a further evaluator", arguments: [
        ([70.0, 50.0], false), ([70.0, 48.0], true), ([80.0, 56.0], false), ([80.0, 55.9], true), ([40.0, 40.0, 10.0], true),
    ])
    func divergence(totals: [Double], diverges: Bool) {
        #expect(Consensus.diverges(totals, share: 0.30) == diverges)
    }

    @Test("the final score averages the scores used")
    func finalScore() {
        #expect(Consensus.finalScore([70, 60], share: 0.3) == 65)
        #expect(Consensus.finalScore([], share: 0.3) == nil)
        // Divergent pair, further evaluator close to the higher: the two closest are used.
        #expect(Consensus.finalScore([80, 40, 76], share: 0.3) == 78)
        // Three evaluators from the start and no divergence: all three.
        #expect(Consensus.finalScore([70, 66, 68], share: 0.3) == 68)
        #expect(Consensus.rounded(66.666) == 66.67)
    }

    @Test("the committee needs a chair, a secretary and an odd number of at least three voting evaluators")
    func committee() {
        #expect(CommitteeComposition(chair: "c", secretary: "s", evaluators: ["a", "b", "d"]).problems.isEmpty)
        #expect(CommitteeComposition(chair: "c", secretary: "s", evaluators: ["a", "b", "d", "e"]).problems == [.evenNumberOfEvaluators])
        #expect(CommitteeComposition(chair: "c", secretary: "s", evaluators: ["a"]).problems == [.tooFewEvaluators])
        #expect(CommitteeComposition(chair: nil, secretary: "s", evaluators: ["a", "b"]).problems
                == [.noChair, .tooFewEvaluators, .evenNumberOfEvaluators])
        #expect(CommitteeComposition(chair: "a", secretary: "s", evaluators: ["a", "b", "d"]).problems == [.nonVotingMemberVotes])
        #expect(CommitteeComposition(chair: "c", secretary: "s", evaluators: ["a", "a", "b"]).problems == [.duplicateEvaluator])
    }
}

@Suite("Grant rules: ranking and award within the envelope")
struct RankingTests {
    let day = Date(timeIntervalSince1970: 1_560_000_000)

    func candidate(_ reference: String, _ score: Double, relevance: Double = 20, euros: Int64, minutesLate: Double = 0,
                   withdrawn: Bool = false) -> Ranking.Candidate {
        Ranking.Candidate(id: reference, reference: reference, score: score, relevance: relevance,
                          requestedMinorUnits: euros * 100, submittedAt: day.addingTimeInterval(minutesLate * 60), withdrawn: withdrawn)
    }

    @Test("an empty lot awards nothing and keeps its envelope")
    func emptyLot() {
        let result = Ranking.rank([], envelopeMinorUnits: 100_000_00, threshold: 50)
        #expect(result.entries.isEmpty && result.remainingMinorUnits == 100_000_00)
    }

    @Test("all below the threshold: nobody is awarded, nobody is on the reserve list")
    func allBelowThreshold() {
        let result = Ranking.rank([candidate("A", 40, euros: 10_000), candidate("B", 49.99, euros: 10_000)],
                                  envelopeMinorUnits: 100_000_00, threshold: 50)
        #expect(result.awarded.isEmpty && result.reserve.isEmpty)
        #expect(result.entries.allSatisfy { $0.outcome == .belowThreshold })
        #expect(result.entries.map(\.candidate.reference) == ["B", "A"])
    }

    @Test("an exact fit uses the whole envelope; the next goes to the reserve list")
    func exactFit() {
        let result = Ranking.rank([candidate("A", 90, euros: 60_000), candidate("B", 80, euros: 40_000), candidate("C", 70, euros: 1)],
                                  envelopeMinorUnits: 100_000_00, threshold: 50)
        #expect(result.awarded.map(\.candidate.reference) == ["A", "B"])
        #expect(result.remainingMinorUnits == 0)
        #expect(result.reserve.map(\.candidate.reference) == ["C"])
        #expect(result.reserve.first?.reason == .envelopeUsed)
    }

    @Test("an application that does not fit is skipped, not split; a smaller one below it can still be awarded")
    func skipNotSplit() {
        let result = Ranking.rank([candidate("A", 90, euros: 60_000), candidate("B", 85, euros: 50_000), candidate("C", 70, euros: 30_000)],
                                  envelopeMinorUnits: 100_000_00, threshold: 50)
        #expect(result.awarded.map(\.candidate.reference) == ["A", "C"])
        #expect(result.reserve.map(\.candidate.reference) == ["B"])
        #expect(result.reserve.first?.reason == .doesNotFit(remainingMinorUnits: 40_000_00))
        #expect(result.remainingMinorUnits == 10_000_00)
    }

    @Test("ties go to the higher relevance score, then the earlier submission")
    func ties() {
        let result = Ranking.rank([candidate("A", 75, relevance: 22, euros: 10_000, minutesLate: 5),
                                   candidate("B", 75, relevance: 26, euros: 10_000, minutesLate: 9),
                                   candidate("C", 75, relevance: 22, euros: 10_000, minutesLate: 1)],
                                  envelopeMinorUnits: 1_000_000_00, threshold: 50)
        #expect(result.entries.map(\.candidate.reference) == ["B", "C", "A"])
        #expect(result.entries.map(\.rank) == [1, 2, 3])
    }

    @Test("after a withdrawal, the first reserve application that fits is awarded and no award is lost")
    func withdrawal() {
        var candidates = [candidate("A", 90, euros: 60_000), candidate("B", 85, euros: 40_000),
                          candidate("C", 80, euros: 30_000), candidate("D", 75, euros: 20_000)]
        let before = Ranking.rank(candidates, envelopeMinorUnits: 100_000_00, threshold: 50)
        #expect(before.awarded.map(\.candidate.reference) == ["A", "B"])
        #expect(before.reserve.map(\.candidate.reference) == ["C", "D"])
        #expect(before.reserve.map(\.reservePosition) == [1, 2])
        candidates[1].withdrawn = true
        let after = Ranking.rank(candidates, envelopeMinorUnits: 100_000_00, threshold: 50)
        #expect(after.awarded.map(\.candidate.reference) == ["A", "C"])
        #expect(after.reserve.map(\.candidate.reference) == ["D"])
        #expect(after.entries.first { $0.candidate.reference == "B" }?.outcome == .withdrawn)
        #expect(Set(before.awarded.map(\.candidate.id)).subtracting(["B"]).isSubset(of: Set(after.awarded.map(\.candidate.id))))
    }
}

@Suite("Grant rules: budgets and money")
struct BudgetRuleTests {
    func budget(indirect: Int64, requested: Int64) -> Budget {
        Budget(lines: [
            BudgetLine(heading: .humanResources, description: "Case worker, 12 months", units: 12, unitCostMinorUnits: 2_500_00),
            BudgetLine(heading: .travel, description: "Visits to Kukës", units: 10, unitCostMinorUnits: 200_00),
            BudgetLine(heading: .indirect, description: "Administration", units: 1, unitCostMinorUnits: indirect),
        ], requestedMinorUnits: requested)
    }

    @Test("totals are computed by heading; 7 % indirect costs is the most allowed")
    func totals() {
        let valid = budget(indirect: 2_240_00, requested: 30_000_00)
        #expect(valid.directMinorUnits == 32_000_00 && valid.totalMinorUnits == 34_240_00)
        #expect(valid.total(of: .travel) == 2_000_00)
        #expect(valid.coFinancingMinorUnits == 4_240_00)
        #expect(valid.problems(under: .default).isEmpty)
        #expect(budget(indirect: 2_240_01, requested: 30_000_00).problems(under: .default)["indirect"] == "budget.error.indirectTooHigh")
    }

    @Test("the request stays within the lot's minimum and maximum and the co-financing rule")
    func limits() {
        #expect(budget(indirect: 0, requested: 5_000_00).problems(under: .default)["requested"] == "budget.error.belowMinimum")
        let big = Budget(lines: [BudgetLine(heading: .equipment, description: "Vans", units: 2, unitCostMinorUnits: 40_000_00)],
                         requestedMinorUnits: 60_000_01)
        #expect(big.problems(under: .default)["requested"] == "budget.error.aboveMaximum")
        #expect(budget(indirect: 0, requested: 29_000_00).problems(under: .default)["requested"] == "budget.error.coFinancing")
        #expect(budget(indirect: 0, requested: 28_800_00).problems(under: .default).isEmpty, "exactly 90 % is allowed")
    }

    @Test("money parses the ways people type it and prints unambiguously")
    func money() {
        #expect(Money(parsing: "60 000", currency: "EUR")?.minorUnits == 6_000_000)
        #expect(Money(parsing: "60.000,50", currency: "EUR")?.minorUnits == 6_000_050)
        #expect(Money(parsing: "60,000.5", currency: "EUR")?.minorUnits == 6_000_050)
        #expect(Money(parsing: "-5", currency: "EUR") == nil && Money(parsing: "abc", currency: "EUR") == nil)
        #expect(Money.euros(60_000).description == "EUR 60,000.00")
        #expect(Money.euros(100).share(basisPoints: 700).minorUnits == 7_00)
    }

    @Test("references read as people quote them")
    func references() {
        #expect(GrantReference.call(year: 2019, number: 1) == "CFP-2019-01")
        #expect(GrantReference.application(callReference: "CFP-2019-01", number: 14) == "APP-2019-01-014")
        #expect(GrantReference.application(callReference: "X", number: 1) == nil)
    }
}

@Suite("Grant rules: the grid editor")
struct GridFormTests {
    @Test("the form of a grid gives the same grid back, with a blank row per section ignored")
    func roundTrip() throws {
        let form = GridForm(EvaluationGrid.fullApplication)
        #expect(form.sections[0].criteria.count == 5, "four criteria and an empty row")
        #expect(form.sections[1].criteria.count == 4, "the carried-over section has no empty row")
        #expect(try form.validated(onto: .fullApplication).get() == .fullApplication)
    }

    @Test("criteria can be added, reweighted and removed; the threshold can move within the maximum")
    func edits() throws {
        var form = GridForm(EvaluationGrid.conceptNote)
        form.sections[1].criteria[2] = .init(titleSq: "Qëndrueshmëria e propozuar", titleEn: "Proposed sustainability", weight: "2")
        form.sections[0].criteria[3].titleSq = ""
        form.sections[0].criteria[3].titleEn = ""
        form.threshold = "32"
        let grid = try form.validated(onto: .conceptNote).get()
        #expect(grid.sections[0].criteria.map(\.code) == ["1.1", "1.2", "1.3"])
        #expect(grid.sections[1].criteria.last?.code == "2.3" && grid.sections[1].maximum == 30)
        #expect(grid.maximum == 55 && grid.threshold == 32)
    }

    @Test("missing titles, bad weights, an impossible threshold and an emptied section are refused")
    func problems() {
        var form = GridForm(EvaluationGrid.conceptNote)
        form.sections[0].criteria[0].titleEn = ""
        form.sections[0].criteria[1].weight = "9"
        for j in form.sections[1].criteria.indices {
            form.sections[1].criteria[j].titleSq = ""
            form.sections[1].criteria[j].titleEn = ""
        }
        guard case .failure(let errors) = form.validated(onto: .conceptNote) else {
            Issue.record("expected errors")
            return
        }
        #expect(errors["criterion-0-0"] == "grid.error.criterionTitles")
        #expect(errors["criterion-0-1"] == "grid.error.weight")
        #expect(errors["section-1"] == "grid.error.noCriteria")
        var tooHigh = GridForm(EvaluationGrid.conceptNote)
        tooHigh.threshold = "51"
        guard case .failure(let thresholdErrors) = tooHigh.validated(onto: .conceptNote) else {
            Issue.record("expected errors")
            return
        }
        #expect(thresholdErrors["threshold"] == "grid.error.threshold")
    }
}

@Suite("Evaluation rules: checks, assignments, standing, letters")
struct EvaluationRuleTests {
    @Test("a check needs an answer for every item and a reason for every no")
    func checks() {
        let items = CheckKind.administrative.items(at: .concept)
        var form = CheckForm(answers: Dictionary(uniqueKeysWithValues: items.map { ($0, "yes") }))
        #expect(try! form.validated(items: items).get().passed)
        form.answers["declaration"] = "no"
        form.answers.removeValue(forKey: "language")
        guard case .failure(let errors) = form.validated(items: items) else { Issue.record("refused"); return }
        #expect(errors["item-declaration"] == "check.error.reason" && errors["item-language"] == "check.error.answer")
        form.answers["language"] = "yes"
        form.reasons["declaration"] = "Not signed by the legal representative."
        let result = try! form.validated(items: items).get()
        #expect(!result.passed && result.failures == ["declaration": "Not signed by the legal representative."])
        #expect(CheckKind.administrative.items(at: .full).contains("budget"))
    }

    @Test("each application goes to two evaluators, spread evenly, never to a declared conflict")
    func assignments() throws {
        let plan = try AssignmentPlan.complete(applications: ["a", "b", "c"], evaluators: ["x", "y", "z"]).get()
        #expect(plan.count == 6)
        let load = Dictionary(grouping: plan, by: \.evaluator).mapValues(\.count)
        #expect(load.values.sorted() == [2, 2, 2])
        for application in ["a", "b", "c"] { #expect(Set(plan.filter { $0.application == application }.map(\.evaluator)).count == 2) }
        // A conflict with x on "a": a third evaluator, not x, not twice the same.
        let existing = [AssignmentPlan.Assignment(application: "a", evaluator: "y")]
        let more = try AssignmentPlan.complete(applications: ["a"], evaluators: ["x", "y", "z"], existing: existing,
                                               excluded: [.init(application: "a", evaluator: "x")]).get()
        #expect(more == [.init(application: "a", evaluator: "z")])
        #expect(AssignmentPlan.complete(applications: ["a"], evaluators: ["x", "y"], excluded: [.init(application: "a", evaluator: "x")])
            == .failure(.notEnoughEvaluators(application: "a")))
    }

    @Test("two diverging totals ask for a further evaluator; the final score then uses the closest pair")
    func standing() {
        var standing = EvaluationStanding(totals: [40], assigned: 2, divergenceShare: 0.3)
        #expect(!standing.isComplete && standing.finalScore == nil)
        standing = EvaluationStanding(totals: [40, 30], assigned: 2, divergenceShare: 0.3)
        #expect(standing.isComplete && standing.finalScore == 35)
        standing = EvaluationStanding(totals: [44, 28], assigned: 2, divergenceShare: 0.3)
        #expect(standing.needsFurtherEvaluator && !standing.isComplete)
        standing = EvaluationStanding(totals: [44, 28], assigned: 3, divergenceShare: 0.3)
        #expect(!standing.needsFurtherEvaluator && !standing.isComplete)
        standing = EvaluationStanding(totals: [44, 28, 42], assigned: 3, divergenceShare: 0.3)
        #expect(standing.isComplete && standing.finalScore == 43)
        // A call asking for three evaluators is complete only with three.
        standing = EvaluationStanding(totals: [40, 38], assigned: 3, divergenceShare: 0.3, required: 3)
        #expect(!standing.isComplete)
        standing = EvaluationStanding(totals: [40, 38, 36], assigned: 3, divergenceShare: 0.3, required: 3)
        #expect(standing.isComplete && standing.finalScore == 38)
    }

    @Test("letters are due 15 days after the decision, and 15 more for unsuccessful applicants")
    func letterDates() {
        let due = DecisionLetters.dueDates(decision: LocalDate("2019-12-20")!)
        #expect(due.successful.description == "2020-01-04" && due.unsuccessful.description == "2020-01-19")
    }

    @Test("a single-stage call scores every section of the full grid, relevance included")
    func singleStageGrid() {
        let grid = EvaluationGrid.fullApplication.scoringEverySection()
        #expect(grid.scoredCriteria.contains { $0.code == "1.1" } && grid.maximum == 100)
    }
}
