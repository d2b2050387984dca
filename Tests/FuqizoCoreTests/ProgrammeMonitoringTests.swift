import Foundation
@testable import FuqizoCore
import Testing

@Suite("Programme monitoring: computed indicators on hand-made facts, the logframe's forms, disclosure, freezing")
struct ProgrammeMonitoringTests {
    static func day(_ text: String) -> LocalDate { LocalDate(text)! }
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let endOfFirstPeriod = day("2026-06-30"), endOfSecondPeriod = day("2026-12-31")

    static func scores(_ pairs: [String: Int]) -> [String: CapacityScore] {
        pairs.mapValues { CapacityScore(total: $0, count: 1)! }
    }

    static func cells(_ value: IndicatorValue, _ dimension: Disaggregation) -> [String: Int64] {
        Dictionary(uniqueKeysWithValues: (value.breakdown(by: dimension)?.cells ?? []).map { ($0.key, $0.value) })
    }

    // MARK: capacity

    @Test("CSOs assessed count each organisation once, by the day its round was confirmed, per region")
    func assessed() {
        let first = UUID(), second = UUID()
        let facts = ProgrammeFacts(assessments: [
            .init(organisation: first, region: "TR", round: .baseline, confirmedOn: Self.day("2026-02-01"), domainScores: Self.scores(["a": 2])),
            .init(organisation: second, region: "KU", round: .baseline, confirmedOn: Self.day("2026-08-01"), domainScores: Self.scores(["a": 1])),
            .init(organisation: first, region: "TR", round: .endline, confirmedOn: Self.day("2026-11-01"), domainScores: Self.scores(["a": 3])),
        ])
        let byJune = ComputedIndicator.csosAssessedBaseline.value(of: facts, by: Self.endOfFirstPeriod, at: Self.now)
        #expect(byJune.total == 1)
        let byDecember = ComputedIndicator.csosAssessedBaseline.value(of: facts, by: Self.endOfSecondPeriod, at: Self.now)
        #expect(byDecember.total == 2)
        #expect(Self.cells(byDecember, .region) == ["KU": 1, "TR": 1])
        #expect(ComputedIndicator.csosAssessedEndline.value(of: facts, by: Self.endOfFirstPeriod, at: Self.now).total == 0)
        #expect(ComputedIndicator.csosAssessedEndline.value(of: facts, by: Self.endOfSecondPeriod, at: Self.now).total == 1)
    }

    @Test("the mean capacity gain is over CSOs assessed before and after, overall and per domain; with none, there is no value")
    func capacityGain() {
        let first = UUID(), second = UUID(), onlyBaseline = UUID()
        let facts = ProgrammeFacts(assessments: [
            // First: 2.0 and 3.0 (overall 2.5) → 3.0 and 4.0 (overall 3.5): +1.00 overall, +1.00 in each domain.
            .init(organisation: first, region: "TR", round: .baseline, confirmedOn: Self.day("2026-01-10"), domainScores: Self.scores(["gov": 2, "fin": 3])),
            .init(organisation: first, region: "TR", round: .endline, confirmedOn: Self.day("2026-10-10"), domainScores: Self.scores(["gov": 3, "fin": 4])),
            // Second: 1.0 and 1.0 → a midline at 2.0 and 1.0: +0.50 overall, +1.00 governance, 0 finance.
            .init(organisation: second, region: "DI", round: .baseline, confirmedOn: Self.day("2026-01-10"), domainScores: Self.scores(["gov": 1, "fin": 1])),
            .init(organisation: second, region: "DI", round: .midline, confirmedOn: Self.day("2026-05-10"), domainScores: Self.scores(["gov": 2, "fin": 1])),
            .init(organisation: onlyBaseline, region: "SA", round: .baseline, confirmedOn: Self.day("2026-01-10"), domainScores: Self.scores(["gov": 4])),
        ])
        let june = ComputedIndicator.meanCapacityGain.value(of: facts, by: Self.endOfFirstPeriod, at: Self.now)
        #expect(june.total == 50, "only the second CSO had a later round by June")
        let december = ComputedIndicator.meanCapacityGain.value(of: facts, by: Self.endOfSecondPeriod, at: Self.now)
        #expect(december.total == 75, "(100 + 50) / 2 hundredths")
        #expect(Self.cells(december, .domain) == ["fin": 50, "gov": 100])
        #expect(Self.cells(december, .region) == ["DI": 50, "TR": 100])
        let none = ComputedIndicator.meanCapacityGain.value(of: facts, by: Self.day("2026-03-01"), at: Self.now)
        #expect(none.total == nil, "no baseline had a later round yet: no value, not a gain of zero")
        #expect(ComputedIndicator.meanCapacityGain.value(of: ProgrammeFacts(), by: Self.endOfSecondPeriod, at: Self.now).total == nil)
    }

    @Test("CSO members trained and certified are distinct people, by sex and region, by the day they first attended or were certified")
    func trained() {
        let anna = UUID(), ben = UUID()
        let facts = ProgrammeFacts(trainees: [
            .init(person: anna, sex: .female, region: "TR", firstAttendedOn: Self.day("2026-03-01"), certifiedOn: Self.day("2026-09-01")),
            .init(person: anna, sex: .female, region: "TR", firstAttendedOn: Self.day("2026-07-01"), certifiedOn: nil),
            .init(person: ben, sex: .male, region: nil, firstAttendedOn: Self.day("2026-05-01"), certifiedOn: nil),
            .init(person: UUID(), sex: .female, region: "KU", firstAttendedOn: nil, certifiedOn: nil),
        ], events: [.init(region: "TR", heldOn: Self.day("2026-03-01")), .init(region: nil, heldOn: Self.day("2026-08-01"))])
        let trained = ComputedIndicator.csoMembersTrained.value(of: facts, by: Self.endOfFirstPeriod, at: Self.now)
        #expect(trained.total == 2, "a person at two events counts once; a registration without attendance does not count")
        #expect(Self.cells(trained, .sex) == ["female": 1, "male": 1])
        #expect(Self.cells(trained, .region) == [IndicatorValue.elsewhere: 1, "TR": 1])
        #expect(ComputedIndicator.csoMembersCertified.value(of: facts, by: Self.endOfFirstPeriod, at: Self.now).total == 0)
        #expect(ComputedIndicator.csoMembersCertified.value(of: facts, by: Self.endOfSecondPeriod, at: Self.now).total == 1)
        #expect(ComputedIndicator.eventsHeld.value(of: facts, by: Self.endOfFirstPeriod, at: Self.now).total == 1)
        #expect(ComputedIndicator.eventsHeld.value(of: facts, by: Self.endOfSecondPeriod, at: Self.now).total == 2)
    }

    // MARK: grants

    static let grants = ProgrammeFacts(calls: [
        .init(publishedOn: day("2026-01-05"), envelopeMinorUnits: 5_000_000), .init(publishedOn: day("2026-09-01"), envelopeMinorUnits: 3_000_000),
    ], applications: [
        .init(region: "TR", submittedOn: day("2026-01-20")), .init(region: "TR", submittedOn: day("2026-01-21")),
        .init(region: "KU", submittedOn: day("2026-01-22")), .init(region: nil, submittedOn: day("2026-09-20")),
    ], grants: [
        // Tirana: awarded 20,000, contracted 20,000, pre-financing 8,000 and a second tranche of 6,000; 10,000 reported.
        .init(region: "TR", awardedOn: day("2026-02-01"), awardedMinorUnits: 2_000_000, contractedOn: day("2026-03-01"), contractedMinorUnits: 2_000_000,
              prefinancing: [.init(on: day("2026-03-10"), minorUnits: 800_000)],
              payments: [.init(on: day("2026-03-10"), minorUnits: 800_000), .init(on: day("2026-09-10"), minorUnits: 600_000)],
              reported: [.init(on: day("2026-06-01"), minorUnits: 400_000), .init(on: day("2026-11-01"), minorUnits: 600_000)]),
        // Kukës: a contract in recovery: 10,000 pre-financed, 2,500 reported, 7,500 paid back in October.
        .init(region: "KU", awardedOn: day("2026-02-01"), awardedMinorUnits: 1_500_000, contractedOn: day("2026-03-15"), contractedMinorUnits: 1_500_000,
              prefinancing: [.init(on: day("2026-03-20"), minorUnits: 1_000_000)], payments: [.init(on: day("2026-03-20"), minorUnits: 1_000_000)],
              recoveries: [.init(on: day("2026-10-20"), minorUnits: 750_000)], reported: [.init(on: day("2026-05-01"), minorUnits: 250_000)]),
        // Dibër: awarded in July, never contracted.
        .init(region: "DI", awardedOn: day("2026-07-01"), awardedMinorUnits: 900_000, contractedOn: nil, contractedMinorUnits: 0),
    ])

    @Test("grants awarded, contracted, disbursed net of recoveries and reported add up per region, by each movement's day")
    func grantMoney() {
        func value(_ indicator: ComputedIndicator, _ day: LocalDate) -> IndicatorValue { indicator.value(of: Self.grants, by: day, at: Self.now) }
        #expect(value(.callsPublished, Self.endOfFirstPeriod).total == 1)
        #expect(value(.callEnvelope, Self.endOfSecondPeriod).total == 8_000_000)
        #expect(Self.cells(value(.applicationsReceived, Self.endOfFirstPeriod), .region) == ["KU": 1, "TR": 2])
        #expect(value(.applicationsReceived, Self.endOfSecondPeriod).total == 4)
        #expect(value(.grantsAwarded, Self.endOfFirstPeriod).total == 2)
        #expect(value(.grantsAwarded, Self.endOfSecondPeriod).total == 3)
        #expect(value(.grantAmountAwarded, Self.endOfSecondPeriod).total == 4_400_000)
        #expect(Self.cells(value(.grantAmountAwarded, Self.endOfSecondPeriod), .region) == ["DI": 900_000, "KU": 1_500_000, "TR": 2_000_000])
        #expect(value(.grantsContracted, Self.endOfSecondPeriod).total == 2)
        #expect(value(.grantAmountContracted, Self.endOfSecondPeriod).total == 3_500_000)
        #expect(value(.grantAmountDisbursed, Self.endOfFirstPeriod).total == 1_800_000)
        let disbursed = value(.grantAmountDisbursed, Self.endOfSecondPeriod)
        #expect(disbursed.total == 1_650_000, "8,000 + 6,000 to Tirana, 10,000 − 7,500 recovered from Kukës")
        #expect(Self.cells(disbursed, .region)["KU"] == 250_000)
        #expect(value(.grantAmountReported, Self.endOfSecondPeriod).total == 1_250_000)
    }

    @Test("the share of pre-financing spent counts each grant's reports up to its own pre-financing; with none paid there is no share")
    func prefinancingShare() {
        let june = ComputedIndicator.prefinancingSpentShare.value(of: Self.grants, by: Self.endOfFirstPeriod, at: Self.now)
        // (4,000 + 2,500) / (8,000 + 10,000) = 36.11 %
        #expect(june.total == 3_611)
        let december = ComputedIndicator.prefinancingSpentShare.value(of: Self.grants, by: Self.endOfSecondPeriod, at: Self.now)
        // Tirana's 10,000 reported counts as 8,000: (8,000 + 2,500) / 18,000 = 58.33 %
        #expect(december.total == 5_833)
        #expect(Self.cells(december, .region) == ["KU": 2_500, "TR": 10_000], "Dibër was never paid: no share, not 0 %")
        #expect(ComputedIndicator.prefinancingSpentShare.value(of: Self.grants, by: Self.day("2026-01-01"), at: Self.now).total == nil)
    }

    @Test("money sums saturate instead of stopping the server")
    func hugeAmounts() {
        let huge = ProgrammeFacts.Grant(region: "TR", awardedOn: Self.day("2026-01-01"), awardedMinorUnits: .max, contractedOn: nil, contractedMinorUnits: 0)
        let facts = ProgrammeFacts(grants: [huge, huge])
        #expect(ComputedIndicator.grantAmountAwarded.value(of: facts, by: Self.endOfSecondPeriod, at: Self.now).total == .max)
    }

    // MARK: survivors

    static func consent(withdrawn: Bool = false) -> [ConsentRecord] {
        [ConsentRecord(purpose: .statistics, givenAt: now.addingTimeInterval(-86_400 * 400), withdrawnAt: withdrawn ? now.addingTimeInterval(-60) : nil)]
    }

    @Test("survivor indicators count consenting records once per person, on the road as it was by the period's last day")
    func survivors() {
        let shared = UUID()
        let facts = ProgrammeFacts(survivors: [
            .init(region: "TR", sex: .female, yearOfBirth: 1990, harm: .trafficking, hasDisability: false, registeredOn: Self.day("2026-01-15"),
                  joinedClubOn: [Self.day("2026-02-01")], planOn: Self.day("2026-02-10"), startedWorkOn: [Self.day("2026-03-01")],
                  followUps: [.init(months: 6, stillWorking: true, recordedOn: Self.day("2026-09-01")),
                              .init(months: 12, stillWorking: false, recordedOn: Self.day("2027-03-01"))],
                  statisticsConsents: Self.consent(), person: shared),
            // The same person registered by a second organisation: counted once.
            .init(region: "KU", sex: .female, yearOfBirth: 1990, harm: .trafficking, hasDisability: false, registeredOn: Self.day("2026-04-01"),
                  statisticsConsents: Self.consent(), person: shared),
            // Consent withdrawn a minute ago: out of every computation from now on, past periods included.
            .init(region: "TR", sex: .female, yearOfBirth: 1985, harm: .domesticViolence, hasDisability: true, registeredOn: Self.day("2026-01-20"),
                  joinedClubOn: [Self.day("2026-02-01")], statisticsConsents: Self.consent(withdrawn: true)),
            // Never consented to statistics.
            .init(region: "DI", sex: .male, yearOfBirth: 2000, harm: .both, hasDisability: false, registeredOn: Self.day("2026-01-20"),
                  statisticsConsents: []),
            .init(region: "SA", sex: .female, yearOfBirth: 2009, harm: .domesticViolence, hasDisability: true, registeredOn: Self.day("2026-08-01"),
                  joinedClubOn: [Self.day("2026-08-15")], statisticsConsents: Self.consent()),
        ])
        func total(_ indicator: ComputedIndicator, _ day: LocalDate) -> Int64? { indicator.value(of: facts, by: day, at: Self.now).total }
        #expect(total(.survivorsRegistered, Self.endOfFirstPeriod) == 1)
        #expect(total(.survivorsRegistered, Self.endOfSecondPeriod) == 2)
        #expect(total(.survivorsInClub, Self.endOfSecondPeriod) == 2)
        #expect(total(.survivorsWithPlan, Self.endOfSecondPeriod) == 1)
        #expect(total(.survivorsInWork, Self.endOfFirstPeriod) == 1)
        #expect(total(.survivorsStillInWorkAtSixMonths, Self.endOfFirstPeriod) == 0, "the 6-month follow-up was recorded in September")
        #expect(total(.survivorsStillInWorkAtSixMonths, Self.endOfSecondPeriod) == 1)
        #expect(total(.survivorsStillInWorkAtTwelveMonths, Self.day("2027-06-30")) == 0, "no longer in work at 12 months")
        let registered = ComputedIndicator.survivorsRegistered.value(of: facts, by: Self.endOfSecondPeriod, at: Self.now)
        #expect(Self.cells(registered, .region) == ["SA": 1, "TR": 1])
        #expect(Self.cells(registered, .ageBand) == ["from35to44": 1, "under18": 1])
        #expect(Self.cells(registered, .disability) == ["no": 1, "yes": 1])
        #expect(Self.cells(registered, .harm) == ["domesticViolence": 1, "trafficking": 1])
        let beforeWithdrawal = ComputedIndicator.survivorsInClub.value(of: facts, by: Self.endOfSecondPeriod, at: Self.now.addingTimeInterval(-3_600))
        #expect(beforeWithdrawal.total == 3, "computed an hour earlier, the withdrawn record still counted")
    }

    // MARK: campaigns

    @Test("people reached add up by sex and region; media mentions by day")
    func reach() {
        let facts = ProgrammeFacts(reach: [
            .init(region: "TR", on: Self.day("2026-04-01"), reach: ActionReach(bySex: [.female: 30, .male: 12])),
            .init(region: nil, on: Self.day("2026-10-01"), reach: ActionReach(bySex: [.female: 5, .unstated: 100])),
        ], mentions: [Self.day("2026-05-01"), Self.day("2026-11-01")])
        let december = ComputedIndicator.peopleReached.value(of: facts, by: Self.endOfSecondPeriod, at: Self.now)
        #expect(december.total == 147)
        #expect(Self.cells(december, .sex) == ["female": 35, "male": 12, "other": 0, "unstated": 100])
        #expect(Self.cells(december, .region) == [IndicatorValue.elsewhere: 105, "TR": 42])
        #expect(ComputedIndicator.mediaMentions.value(of: facts, by: Self.endOfFirstPeriod, at: Self.now).total == 1)
    }

    @Test("each definition declares a unit, breakdowns and whether it counts people; survivor ones always do")
    func catalogue() {
        for indicator in ComputedIndicator.allCases {
            if indicator.countsSurvivors { #expect(indicator.countsPeople && indicator.disaggregations.contains(.sex)) }
            if indicator.unit == .euro { #expect(!indicator.countsPeople) }
            #expect(IndicatorSource(code: indicator.rawValue) == .computed(indicator))
        }
        #expect(IndicatorSource(code: "manual") == .manual)
        #expect(IndicatorSource(code: "survivorNames") == nil)
    }

    @Test("tables list every category, the empty ones as zeros, but never invent a mean or a share")
    func categories() {
        let value = IndicatorValue(total: 7, breakdowns: [.init(by: .region, cells: [.init(key: "TR", value: 7)]),
                                                          .init(by: .sex, cells: [.init(key: "female", value: 7)])])
        let completed = ComputedIndicator.survivorsRegistered.completed(value, regions: ["TR", "KU"])
        #expect(Self.cells(completed, .region) == ["TR": 7, "KU": 0, IndicatorValue.elsewhere: 0])
        #expect(completed.breakdown(by: .region)?.cells.map(\.key) == ["TR", "KU", IndicatorValue.elsewhere], "in the regions' order")
        #expect(Self.cells(completed, .sex) == ["female": 7, "male": 0, "undisclosed": 0], "a survivor's sexes, not a CSO member's")
        let trainees = ComputedIndicator.csoMembersTrained.completed(value, regions: [])
        #expect(Set(Self.cells(trainees, .sex).keys) == Set(PersonSex.allCases.map(\.rawValue)))
        let share = ComputedIndicator.prefinancingSpentShare.completed(IndicatorValue(total: 5_000, breakdowns: [.init(by: .region, cells: [.init(key: "TR", value: 5_000)])]), regions: ["TR", "KU"])
        #expect(Self.cells(share, .region) == ["TR": 5_000], "a region never paid has no share, not 0 %")
    }

    // MARK: the logframe

    @Test("numbers typed for an indicator are bounded and follow its unit")
    func quantities() {
        #expect(IndicatorQuantity.parse("120", unit: .count) == 120)
        #expect(IndicatorQuantity.parse("12,5", unit: .percent) == 1_250)
        #expect(IndicatorQuantity.parse("12.05", unit: .euro) == 1_205)
        #expect(IndicatorQuantity.parse("-0.4", unit: .score) == -40)
        #expect(IndicatorQuantity.parse("-3", unit: .count) == nil, "only a score's gain may be negative")
        #expect(IndicatorQuantity.parse("1.5", unit: .count) == nil, "a count is whole")
        #expect(IndicatorQuantity.parse("1.234", unit: .euro) == nil)
        #expect(IndicatorQuantity.parse("99999999999999999999", unit: .euro) == nil)
        #expect(IndicatorQuantity.parse("1000000001", unit: .count) == nil)
        #expect(IndicatorQuantity.parse("١٢", unit: .count) == nil)
        #expect(IndicatorQuantity.parse("", unit: .count) == nil)
        #expect(IndicatorQuantity.typed(1_250, unit: .percent) == "12.5")
        #expect(IndicatorQuantity.typed(-40, unit: .score) == "-0.4")
        #expect(IndicatorQuantity.typed(1_205, unit: .euro) == "12.05")
    }

    @Test("progress runs from the baseline to the target in the indicator's direction")
    func progress() {
        #expect(IndicatorProgress.achieved(baseline: 10, current: 40, target: 70, direction: .increase) == 5_000)
        #expect(IndicatorProgress.achieved(baseline: nil, current: 80, target: 40, direction: .increase) == 20_000)
        #expect(IndicatorProgress.achieved(baseline: 90, current: 45, target: 90, direction: .maintain) == 5_000)
        #expect(IndicatorProgress.achieved(baseline: 50, current: 30, target: 10, direction: .decrease) == 5_000)
        #expect(IndicatorProgress.achieved(baseline: 50, current: 60, target: 10, direction: .decrease) == 0)
        #expect(IndicatorProgress.achieved(baseline: 5, current: 9, target: 5, direction: .increase) == nil, "a target equal to the baseline")
        #expect(IndicatorProgress.achieved(baseline: 5, current: nil, target: 9, direction: .increase) == nil)
        #expect(IndicatorProgress.achieved(baseline: 0, current: .max, target: 1, direction: .increase) == IndicatorProgress.cap)
    }

    @Test("a logframe version is edited as a draft, approved, then superseded; an approved one is never edited")
    func versions() {
        #expect(LogframeStatus.draft.after(.approve) == .success(.approved))
        #expect(LogframeStatus.approved.after(.supersede) == .success(.superseded))
        #expect(LogframeStatus.approved.after(.edit) == .failure(WorkflowRefusal("logframe.error.approved")))
        #expect(LogframeStatus.superseded.after(.edit) == .failure(WorkflowRefusal("logframe.error.approved")))
        #expect(LogframeStatus.draft.after(.supersede) == .failure(WorkflowRefusal("logframe.error.notNow")))
        #expect(ManualValueStatus.submitted.after(.approve) == .success(.approved))
        #expect(ManualValueStatus.returned.after(.resubmit) == .success(.submitted))
        #expect(ManualValueStatus.approved.after(.giveBack) == .failure(WorkflowRefusal("manualValue.error.approved")))
    }

    @Test("an entry hangs under the level above, there is one overall objective, and codes are unique")
    func entries() {
        let overall = UUID(), specific = UUID()
        var form = LogframeEntryForm()
        (form.level, form.code, form.titleSq, form.titleEn) = ("outcome", "r1", "Rezultat", "Result")
        form.parent = overall.uuidString
        let levels: [UUID: LogframeLevel] = [overall: .overallObjective, specific: .specificObjective]
        #expect(form.validated(entries: levels, taken: []).failureValue?["parent"] == "logframe.error.parent")
        form.parent = specific.uuidString
        let entry = form.validated(entries: levels, taken: [])
        #expect(entry.successValue?.code == "R1")
        #expect(entry.successValue?.parent == specific)
        #expect(form.validated(entries: levels, taken: ["R1"]).failureValue?["code"] == "logframe.error.codeTaken")
        (form.level, form.parent) = ("overallObjective", "")
        #expect(form.validated(entries: levels, taken: []).failureValue?["level"] == "logframe.error.oneOverall")
        form.code = "R 1<script>"
        #expect(form.validated(entries: [:], taken: []).failureValue?["code"] == "logframe.error.code")
    }

    @Test("an indicator takes its unit from its computed definition, only the breakdowns it gives, and targets of known periods")
    func indicatorForm() {
        var form = IndicatorForm()
        (form.code, form.nameSq, form.nameEn, form.definitionSq, form.definitionEn) = ("I1", "Emër", "Name", "Përkufizim", "Definition")
        (form.source, form.unit, form.direction, form.finalTarget) = ("grantAmountDisbursed", "count", "increase", "250000")
        (form.verificationSq, form.verificationEn, form.disaggregations) = ("Raporte", "Reports", ["region"])
        form.targets = ["P1": "100000,50", "P9": "7", "P2": ""]
        let indicator = form.validated(periods: ["P1", "P2"], taken: [], programmeYears: 2025...2028).successValue
        #expect(indicator?.unit == .euro, "the definition's unit, not the one typed")
        #expect(indicator?.finalTarget == 25_000_000)
        #expect(indicator?.targets == ["P1": 10_000_050], "an unknown period is ignored, a blank one has no target")
        #expect(indicator?.baseline == nil && indicator?.baselineYear == nil, "no baseline is allowed")
        form.disaggregations = ["sex"]
        #expect(form.validated(periods: [], taken: [], programmeYears: 2025...2028).failureValue?["disaggregations"] == "indicator.error.breakdown")
        (form.disaggregations, form.baseline, form.baselineYear) = ([], "10", "")
        #expect(form.validated(periods: [], taken: [], programmeYears: 2025...2028).failureValue?["baselineYear"] == "indicator.error.year")
        (form.source, form.unit, form.finalTarget, form.targets) = ("manual", "percent", "60", ["P1": "lots"])
        let errors = form.validated(periods: ["P1"], taken: [], programmeYears: 2025...2028).failureValue
        #expect(errors?["targets[P1]"] == "indicator.error.value")
        #expect(errors?["finalTarget"] == nil)
    }

    @Test("a period lies inside the programme and ends after it starts")
    func periods() {
        let programme = Self.day("2026-01-01")...Self.day("2028-12-31")
        let form = ReportingPeriodForm(code: "p1", kind: "interim", startsOn: "2026-01-01", endsOn: "2026-12-31")
        #expect(form.validated(programme: programme, taken: []).successValue?.code == "P1")
        #expect(form.validated(programme: programme, taken: ["P1"]).failureValue?["code"] == "logframe.error.codeTaken")
        let backwards = ReportingPeriodForm(code: "P2", kind: "final", startsOn: "2027-06-01", endsOn: "2027-01-01")
        #expect(backwards.validated(programme: programme, taken: []).failureValue?["endsOn"] == "period.error.end")
        let outside = ReportingPeriodForm(code: "P3", kind: "final", startsOn: "2025-06-01", endsOn: "2029-01-01")
        let errors = outside.validated(programme: programme, taken: []).failureValue
        #expect(errors?["startsOn"] == "period.error.outside" && errors?["endsOn"] == "period.error.end")
    }

    @Test("charts escape their texts, draw no bar for a suppressed value, and survive any number")
    func charts() {
        let bars = SVGChart.bars([.init(label: "<script>&", value: 10, text: "10"), .init(label: "Dibër", value: nil, text: "<5"),
                                  .init(label: "huge", value: .max, text: "many")], label: "A \"quoted\" label")
        #expect(bars.contains("&lt;script&gt;&amp;") && !bars.contains("<script>"))
        #expect(bars.contains("aria-label=\"A &quot;quoted&quot; label\""))
        #expect(bars.contains(">&lt;5</text>"))
        #expect(bars.components(separatedBy: "width=\"0.0\"").count == 3, "the suppressed bar and the one dwarfed by a huge value draw nothing")
        let lines = SVGChart.lines([("P1", .min, 5), ("P2", .max, nil), ("P3", nil, nil)], label: "trend")
        #expect(lines.hasPrefix("<svg") && lines.hasSuffix("</svg>"))
        #expect(SVGChart.progress(basisPoints: 25_000, label: "x").contains("#1e6b34"), "a target passed is drawn full, in green")
        #expect(SVGChart.progress(basisPoints: nil, label: "x").contains("width=\"0.0\""))
    }

    // MARK: disclosure and freezing

    @Test("counts of people below the donor threshold are suppressed with a neighbour; money and organisations are shown")
    func disclosure() {
        let value = IndicatorValue(total: 40, breakdowns: [.init(by: .region, cells: [
            .init(key: "DI", value: 3), .init(key: "KU", value: 9), .init(key: "TR", value: 28), .init(key: "SA", value: 0),
        ])])
        let people = DisclosedValue(value, countsPeople: true, threshold: 5)
        #expect(people.total == .shown(40))
        #expect(people.breakdowns.first?.cells.map(\.cell) == [.suppressed, .withheld, .shown(28), .shown(0)])
        let few = DisclosedValue(IndicatorValue(total: 4), countsPeople: true, threshold: 5)
        #expect(few.total == .suppressed)
        let money = DisclosedValue(value, countsPeople: false, threshold: 5)
        #expect(money.breakdowns.first?.cells.map(\.cell) == [.shown(3), .shown(9), .shown(28), .shown(0)])
        #expect(DisclosedValue(IndicatorValue(total: 2), countsPeople: true, threshold: 1).total == .suppressed, "never below the floor of 3")
        #expect(DisclosedValue.countsPeople(.manual, unit: .count), "a count typed by hand may be of people")
        #expect(!DisclosedValue.countsPeople(.manual, unit: .percent))
        #expect(DisclosedValue(IndicatorValue(total: nil), countsPeople: true, threshold: 5).total == nil)
    }

    @Test("frozen figures keep their values, the definitions' version and the time, through storage")
    func freezing() throws {
        let value = ComputedIndicator.grantAmountDisbursed.value(of: Self.grants, by: Self.endOfSecondPeriod, at: Self.now)
        let frozen = FrozenFigures(frozenAt: Self.now, figures: [
            .init(indicator: "I1", period: "P2", source: .computed(.grantAmountDisbursed), value: value),
        ])
        let stored = try JSONEncoder().encode(frozen)
        let read = try JSONDecoder().decode(FrozenFigures.self, from: stored)
        #expect(read == frozen)
        #expect(read.definitionsVersion == ComputedIndicator.definitionsVersion)
        #expect(read.value(indicator: "I1", period: "P2")?.total == 1_650_000)
        #expect(read.value(indicator: "I1", period: "P1") == nil)
    }
}

extension Result {
    var successValue: Success? { try? get() }
    var failureValue: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
