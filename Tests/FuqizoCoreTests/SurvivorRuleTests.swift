import Crypto
import Foundation
@testable import FuqizoCore
import PropertyBased
import Testing

@Suite("Survivor data keys")
struct SurvivorKeyTests {
    let survivor = UUID()

    @Test("a field sealed with a survivor's key opens only with that key, that survivor and that field")
    func cipher() throws {
        let key = SurvivorDataKey.generate()
        let sealed = try key.seal("Drita Hoxha", survivor: survivor, field: "lastName")
        #expect(!String(decoding: sealed, as: UTF8.self).contains("Hoxha"))
        #expect(try key.open(sealed, survivor: survivor, field: "lastName") == "Drita Hoxha")
        #expect(throws: SecretBox.Failure.authenticationFailed) { try SurvivorDataKey.generate().open(sealed, survivor: survivor, field: "lastName") }
        #expect(throws: SecretBox.Failure.authenticationFailed) { try key.open(sealed, survivor: UUID(), field: "lastName") }
        #expect(throws: SecretBox.Failure.authenticationFailed) { try key.open(sealed, survivor: survivor, field: "firstName") }
        var tampered = sealed
        tampered[tampered.count / 2] ^= 0x01
        #expect(throws: SecretBox.Failure.authenticationFailed) { try key.open(tampered, survivor: survivor, field: "lastName") }
        #expect(try key.seal("x", survivor: survivor, field: "f") != key.seal("x", survivor: survivor, field: "f"), "a fresh nonce each time")
    }

    @Test("rotation re-wraps the data key under the new master key; the data still opens; the old master key no longer does")
    func rotation() throws {
        let old = SurvivorKeyWrapper(masterKey: .generate()), next = SurvivorKeyWrapper(masterKey: .generate())
        let key = SurvivorDataKey.generate()
        let sealed = try key.seal("+355 69 000 0000", survivor: survivor, field: "phone")
        let wrapped = try old.wrap(key, survivor: survivor)
        let rewrapped = try old.rewrap(wrapped, survivor: survivor, under: next)
        #expect(try next.unwrap(rewrapped, survivor: survivor).open(sealed, survivor: survivor, field: "phone") == "+355 69 000 0000")
        #expect(throws: SurvivorKeyWrapper.Failure.cannotUnwrap) { try old.unwrap(rewrapped, survivor: survivor) }
        #expect(throws: SurvivorKeyWrapper.Failure.cannotUnwrap) { try next.unwrap(rewrapped, survivor: UUID()) }
    }

    @Test("once the wrapped key is destroyed, nothing opens the data any more")
    func shredding() throws {
        let wrapper = SurvivorKeyWrapper(masterKey: .generate())
        let key = SurvivorDataKey.generate()
        _ = try wrapper.wrap(key, survivor: survivor)
        #expect(throws: SurvivorKeyWrapper.Failure.shredded) { try wrapper.unwrap(nil, survivor: survivor) }
    }

    @Test("the duplicate check matches a name however it is typed, and needs the master key")
    func duplicates() {
        let master = MasterKey.generate()
        let born = LocalDate("1994-03-12")!
        let a = DuplicateKey.make(firstName: "Drita", lastName: "Hoxha", birthDate: born, masterKey: master)
        #expect(a == DuplicateKey.make(firstName: " DRITA ", lastName: "hoxhä", birthDate: born, masterKey: master))
        #expect(a != DuplicateKey.make(firstName: "Drita", lastName: "Hoxha", birthDate: LocalDate("1994-03-13")!, masterKey: master))
        #expect(a != DuplicateKey.make(firstName: "Drita", lastName: "Hoxha", birthDate: born, masterKey: .generate()))
    }
}

@Suite("Survivor rules: codes, age bands, disability, consent, follow-ups")
struct SurvivorRuleTests {
    @Test("codes name a region, a year and a number, nothing else")
    func codes() {
        #expect(SurvivorCode.make(regionCode: "ku", year: 2019, number: 42) == "KU-2019-0042")
        #expect(SurvivorCode.isValid("KU-2019-0042") && !SurvivorCode.isValid("Drita-2019-1"))
    }

    @Test("age bands by the year reached, with the edges where they belong")
    func ageBands() {
        #expect(AgeBand.of(yearOfBirth: 2002, in: 2019) == .under18)
        #expect(AgeBand.of(yearOfBirth: 2001, in: 2019) == .from18to24)
        #expect(AgeBand.of(yearOfBirth: 1995, in: 2019) == .from18to24)
        #expect(AgeBand.of(yearOfBirth: 1994, in: 2019) == .from25to34)
        #expect(AgeBand.of(yearOfBirth: 1964, in: 2019) == .from55)
        #expect(AgeBand.of(yearOfBirth: nil, in: 2019) == .unknown && AgeBand.of(yearOfBirth: 2030, in: 2019) == .unknown)
    }

    @Test("the Washington Group cut-off: a lot of difficulty or cannot do, in any domain")
    func washingtonGroup() {
        #expect(!WashingtonGroup.hasDisability([.seeing: .someDifficulty, .walking: .someDifficulty]))
        #expect(WashingtonGroup.hasDisability([.seeing: .noDifficulty, .cognition: .aLotOfDifficulty]))
        #expect(WashingtonGroup.hasDisability([.selfCare: .cannotDoAtAll]))
        #expect(!WashingtonGroup.hasDisability([:]))
    }

    @Test("consent is per purpose, per recipient for referrals, and a withdrawal counts from its moment")
    func consent() {
        let given = Date(timeIntervalSince1970: 1_560_000_000), withdrawn = given.addingTimeInterval(86_400)
        let shelter = UUID()
        let records = [ConsentRecord(purpose: .services, givenAt: given),
                       ConsentRecord(purpose: .referral, recipient: shelter, givenAt: given, withdrawnAt: withdrawn)]
        #expect(ConsentRule.allows(.services, records: records, at: given))
        #expect(!ConsentRule.allows(.statistics, records: records, at: given), "no consent, no statistics")
        #expect(!ConsentRule.allows(.services, records: records, at: given.addingTimeInterval(-1)), "not before it was given")
        #expect(ConsentRule.allows(.referral, recipient: shelter, records: records, at: given.addingTimeInterval(3600)))
        #expect(!ConsentRule.allows(.referral, recipient: UUID(), records: records, at: given.addingTimeInterval(3600)))
        #expect(!ConsentRule.allows(.referral, recipient: shelter, records: records, at: withdrawn))
    }

    @Test("follow-ups at 3, 6 and 12 months: upcoming, due, late, done; month ends respected")
    func followUps() {
        let start = LocalDate("2019-11-30")!
        #expect(FollowUpSchedule.dates(from: start).map(\.description) == ["2020-02-29", "2020-05-30", "2020-11-30"])
        let first = LocalDate("2020-02-29")!
        #expect(FollowUpSchedule.state(of: first, today: LocalDate("2020-02-28")!, recorded: false) == .upcoming)
        #expect(FollowUpSchedule.state(of: first, today: first, recorded: false) == .due)
        #expect(FollowUpSchedule.state(of: first, today: LocalDate("2020-03-14")!, recorded: false) == .due)
        #expect(FollowUpSchedule.state(of: first, today: LocalDate("2020-03-15")!, recorded: false) == .late)
        #expect(FollowUpSchedule.state(of: first, today: LocalDate("2020-06-01")!, recorded: true) == .done)
    }
}

@Suite("Survivor intake and access")
struct SurvivorIntakeTests {
    let today = LocalDate("2026-12-03")!

    func form() -> SurvivorIntakeForm {
        var form = SurvivorIntakeForm()
        form.firstName = " Drita "
        form.lastName = "Zanaj"
        form.birthDate = "1994-05-17"
        form.sex = "female"
        form.regionID = UUID().uuidString
        form.harm = "both"
        form.referralSource = "police"
        form.consents = ["services", "statistics"]
        form.consentFormVersion = "2019-v2"
        return form
    }

    @Test("a valid intake keeps identity apart from the statistical attributes")
    func valid() throws {
        var form = form()
        form.wgWalking = "cannotDoAtAll"
        form.wgSeeing = "someDifficulty"
        let intake = try form.validated(today: today).get()
        #expect(intake.identity[.firstName] == "Drita" && intake.identity[.birthDate] == "1994-05-17")
        #expect(intake.identity[.phone] == nil, "blank fields are not stored")
        #expect(intake.yearOfBirth == 1994 && intake.hasDisability)
        #expect(intake.washingtonGroupText == "seeing=someDifficulty;walking=cannotDoAtAll")
        #expect(intake.consent.purposes == [.services, .statistics])
        #expect(intake.duplicateBasis?.lastName == "Zanaj")
    }

    @Test("each problem is named against its field")
    func problems() {
        var form = form()
        form.firstName = ""
        form.birthDate = "2027-01-01"
        form.yearOfBirth = "abc"
        form.phone = "ask her sister"
        form.sex = "x"
        form.consents = ["club", "nonsense"]
        form.consentFormVersion = ""
        form.wgHearing = "maybe"
        guard case .failure(let errors) = form.validated(today: today) else { Issue.record("accepted"); return }
        #expect(errors["firstName"] == "form.error.required")
        #expect(errors["birthDate"] == "survivor.error.birthDate")
        #expect(errors["yearOfBirth"] == "survivor.error.yearOfBirth")
        #expect(errors["phone"] == "survivor.error.phone")
        #expect(errors["sex"] == "form.error.choose")
        #expect(errors["consents"] == "form.error.choose")
        #expect(errors["consentFormVersion"] == "form.error.required")
        #expect(errors["wgHearing"] == "form.error.choose")
    }

    @Test("no record without consent to services; a year that contradicts the birth date is refused")
    func consentAndYear() {
        var form = form()
        form.consents = ["club"]
        form.yearOfBirth = "1990"
        guard case .failure(let errors) = form.validated(today: today) else { Issue.record("accepted"); return }
        #expect(errors["consents"] == "survivor.error.servicesConsent")
        #expect(errors["yearOfBirth"] == "survivor.error.yearMismatch")
    }

    @Test("without a birth date the year alone is kept and no duplicate key can be made")
    func yearOnly() throws {
        var form = form()
        form.birthDate = ""
        form.yearOfBirth = "2001"
        let intake = try form.validated(today: today).get()
        #expect(intake.yearOfBirth == 2001 && intake.duplicateBasis == nil && intake.identity[.birthDate] == nil)
    }

    @Test("a referral consent names its receiving organisation")
    func referralForm() throws {
        var form = ConsentForm()
        form.purpose = "referral"
        form.formVersion = "v1"
        guard case .failure(let errors) = form.validated() else { Issue.record("accepted"); return }
        #expect(errors["recipientID"] == "survivor.error.recipient")
        let recipient = UUID()
        form.recipientID = recipient.uuidString
        #expect(try form.validated().get().recipient == recipient)
        form.purpose = "club"
        #expect(try form.validated().get().recipient == nil, "only a referral carries a recipient")
    }

    @Test("only the holding organisation's case workers see a record; reveal needs consent to services and a key")
    func policy() {
        let org = UUID(), other = UUID()
        let record = SurvivorAccess(organisationID: org, activeConsents: [.services], identityDestroyed: false)
        let worker = Actor(userID: UUID(), grants: [RoleGrant(role: .caseWorker, organisationID: org)])
        let otherWorker = Actor(userID: UUID(), grants: [RoleGrant(role: .caseWorker, organisationID: other)])
        let sameOrgFacilitator = Actor(userID: UUID(), grants: [RoleGrant(role: .clubFacilitator, organisationID: org), RoleGrant(role: .csoUser, organisationID: org)])
        let staff = Actor(userID: UUID(), grants: [RoleGrant(role: .administrator), RoleGrant(role: .programmeManager), RoleGrant(role: .donorViewer)])
        for action in [Action.viewSurvivor, .revealSurvivorIdentity, .manageSurvivor] {
            #expect(Policy.decide(worker, action, .survivor(record)) == .allow)
            for outsider in [otherWorker, sameOrgFacilitator, staff, .anonymous] {
                #expect(Policy.decide(outsider, action, .survivor(record)) == .deny)
            }
        }
        let withdrawn = SurvivorAccess(organisationID: org, activeConsents: [.club], identityDestroyed: false)
        #expect(Policy.decide(worker, .revealSurvivorIdentity, .survivor(withdrawn)) == .deny)
        #expect(Policy.decide(worker, .viewSurvivor, .survivor(withdrawn)) == .allow)
        let shredded = SurvivorAccess(organisationID: org, activeConsents: [.services], identityDestroyed: true)
        #expect(Policy.decide(worker, .revealSurvivorIdentity, .survivor(shredded)) == .deny)
        #expect(Policy.decide(worker, .registerSurvivor, .organisation(org)) == .allow)
        #expect(Policy.decide(worker, .registerSurvivor, .organisation(other)) == .deny)
        #expect(Policy.decide(staff, .viewCaseload) == .deny)
    }

    @Test("retention counts whole months from closure")
    func retention() {
        let closed = TiranaTime.instant(date: "2026-01-31", time: "10:00")!
        let justBefore = TiranaTime.instant(date: "2028-01-30", time: "10:00")!
        let after = TiranaTime.instant(date: "2028-01-31", time: "10:01")!
        #expect(!RetentionRule.destroysIdentity(closedAt: closed, months: 24, now: justBefore))
        #expect(RetentionRule.destroysIdentity(closedAt: closed, months: 24, now: after))
        #expect(!RetentionRule.destroysIdentity(closedAt: nil, months: 24, now: after), "open cases are kept")
    }
}

@Suite("The road to employment: rules")
struct CaseWorkRuleTests {
    let today = LocalDate("2026-12-03")!

    @Test("referrals move only along their path, each side its own moves; data is shared only while open and consented")
    func referralPath() {
        #expect(ReferralStatus.sent.canMove(to: .accepted, by: .receiver))
        #expect(ReferralStatus.sent.canMove(to: .declined, by: .receiver))
        #expect(ReferralStatus.accepted.canMove(to: .completed, by: .receiver))
        #expect(ReferralStatus.accepted.canMove(to: .revoked, by: .sender))
        #expect(!ReferralStatus.sent.canMove(to: .accepted, by: .sender))
        #expect(!ReferralStatus.sent.canMove(to: .revoked, by: .receiver))
        #expect(!ReferralStatus.declined.canMove(to: .accepted, by: .receiver))
        #expect(!ReferralStatus.completed.canMove(to: .revoked, by: .sender))
        let from = UUID(), to = UUID()
        #expect(ReferralAccess(from: from, to: to, status: .accepted, consentActive: true).sharesData)
        #expect(!ReferralAccess(from: from, to: to, status: .accepted, consentActive: false).sharesData)
        #expect(!ReferralAccess(from: from, to: to, status: .completed, consentActive: true).sharesData)
        let receiver = Actor(userID: UUID(), grants: [RoleGrant(role: .caseWorker, organisationID: to)])
        let sender = Actor(userID: UUID(), grants: [RoleGrant(role: .caseWorker, organisationID: from)])
        let open = ReferralAccess(from: from, to: to, status: .sent, consentActive: true)
        #expect(Policy.decide(receiver, .readReferredData, .referral(open)) == .allow)
        #expect(Policy.decide(sender, .readReferredData, .referral(open)) == .deny, "the sender has the record itself")
        #expect(Policy.decide(sender, .revokeReferral, .referral(open)) == .allow)
        #expect(Policy.decide(receiver, .revokeReferral, .referral(open)) == .deny)
    }

    @Test("a session's list is for its facilitator and the organisation's case workers")
    func sessionAccess() {
        let org = UUID(), facilitatorID = UUID()
        let facilitator = Actor(userID: facilitatorID, grants: [RoleGrant(role: .clubFacilitator, organisationID: org)])
        let colleague = Actor(userID: UUID(), grants: [RoleGrant(role: .clubFacilitator, organisationID: org)])
        let worker = Actor(userID: UUID(), grants: [RoleGrant(role: .caseWorker, organisationID: org)])
        let session = Resource.clubSession(organisation: org, facilitator: facilitatorID)
        #expect(Policy.decide(facilitator, .takeAttendance, session) == .allow)
        #expect(Policy.decide(worker, .takeAttendance, session) == .allow)
        #expect(Policy.decide(colleague, .takeAttendance, session) == .deny)
        #expect(Policy.decide(facilitator, .manageClub, .organisation(org)) == .deny)
    }

    @Test("plan steps are overdue only when unfinished past their date; a past due date is refused")
    func planSteps() {
        #expect(StepStatus.planned.isOverdue(due: LocalDate("2026-12-02"), today: today))
        #expect(!StepStatus.done.isOverdue(due: LocalDate("2026-12-02"), today: today))
        #expect(!StepStatus.inProgress.isOverdue(due: today, today: today))
        var form = PlanStepForm()
        form.area = "training"
        form.goal = "Kurs"
        form.step = "Regjistrim"
        form.dueDate = "2026-12-01"
        guard case .failure(let errors) = form.validatedGoal(today: today) else { Issue.record("accepted"); return }
        #expect(errors["dueDate"] == "plan.error.duePast")
        form.dueDate = ""
        #expect((try? form.validatedGoal(today: today).get())?.step.due == nil)
    }

    @Test("an employment outcome: business grants only for businesses, in minor units; no start years ahead")
    func employment() throws {
        var form = EmploymentForm()
        form.kind = "businessStart"
        form.sector = "crafts"
        form.startDate = "2026-11-20"
        form.contractType = "none"
        form.wageBand = "unknown"
        form.businessGrant = "1 500,50"
        #expect(try form.validated(today: today, currency: "EUR").get().businessGrant == Money(minorUnits: 150_050, currency: "EUR"))
        form.kind = "internship"
        guard case .failure(let errors) = form.validated(today: today, currency: "EUR") else { Issue.record("accepted"); return }
        #expect(errors["businessGrant"] == "employment.error.grantKind")
        form.businessGrant = ""
        form.startDate = "2028-06-01"
        guard case .failure(let far) = form.validated(today: today, currency: "EUR") else { Issue.record("accepted"); return }
        #expect(far["startDate"] == "employment.error.startFar")
    }

    @Test("needs are categories; unknown ones are refused")
    func needs() throws {
        var form = NeedsForm()
        form.education = "vocational"
        form.workHistory = "never"
        form.housing = "temporary"
        form.skills = ["digital", "crafts"]
        #expect(try form.validated().get().skills == [.digital, .crafts], "kept in the catalogue's order")
        form.health = ["diagnosis X"]
        guard case .failure(let errors) = form.validated() else { Issue.record("accepted"); return }
        #expect(errors["health"] == "form.error.choose")
    }
}

@Suite("Survivor statistics: consent and small cells")
struct SurvivorStatisticsTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func record(_ region: String = "KU", sex: SurvivorSex = .female, born: Int? = 1990, employed: Bool = false,
                       consent: [ConsentRecord]? = nil) -> StatisticsRecord {
        StatisticsRecord(regionCode: region, sex: sex, yearOfBirth: born, harm: .trafficking, hasDisability: false,
                         road: RoadToEmployment(clubMemberships: employed ? 1 : 0, employmentStarts: employed ? 1 : 0),
                         statisticsConsents: consent ?? [ConsentRecord(purpose: .statistics, givenAt: now.addingTimeInterval(-86_400))])
    }

    @Test("the indicators: in the Club once a member (even after leaving), employed once started, still employed only by a recorded follow-up")
    func indicators() {
        let nothing = RoadToEmployment()
        #expect(SurvivorIndicator.allCases.allSatisfy { !$0.holds(for: nothing) })
        #expect(SurvivorIndicator.inClub.holds(for: RoadToEmployment(clubMemberships: 1)))
        let started = RoadToEmployment(employmentStarts: 1, followUps: [.init(months: 3, stillWorking: true), .init(months: 6, stillWorking: nil)])
        #expect(SurvivorIndicator.employed.holds(for: started))
        #expect(!SurvivorIndicator.stillEmployedAtSixMonths.holds(for: started), "a follow-up not yet recorded counts for nothing")
        let stayed = RoadToEmployment(employmentStarts: 1, followUps: [.init(months: 6, stillWorking: true), .init(months: 12, stillWorking: false)])
        #expect(SurvivorIndicator.stillEmployedAtSixMonths.holds(for: stayed))
        #expect(!SurvivorIndicator.stillEmployedAtTwelveMonths.holds(for: stayed))
        #expect(SurvivorIndicator.stillEmployedAtTwelveMonths.holds(for: RoadToEmployment(employmentStarts: 2, followUps: [.init(months: 12, stillWorking: true)])))
    }

    @Test("a count from 1 to below the threshold is hidden; zeros and larger counts are shown")
    func primary() {
        let cells = SmallCells(threshold: 5)
        let (shown, total) = cells.protect([0, 12, 9, 7])
        #expect(shown == [.shown(0), .shown(12), .shown(9), .shown(7)] && total == .shown(28))
        let (small, smallTotal) = cells.protect([3, 0])
        #expect(small[0] == .suppressed && small[1] == .shown(0) && smallTotal == .suppressed)
        #expect(SmallCells.Cell.suppressed.text(threshold: 5) == "<5")
    }

    @Test("one hidden cell beside a published total takes the next smallest with it, so it cannot be subtracted out")
    func secondary() {
        let cells = SmallCells(threshold: 5)
        let (protected, total) = cells.protect([20, 2, 8, 0, 30])
        #expect(protected == [.shown(20), .suppressed, .withheld, .shown(0), .shown(30)])
        #expect(total == .shown(60))
        // The cell hidden with it may be large: it never reads as small.
        #expect(SmallCells.Cell.withheld.text(threshold: 5) == "–")
        let (two, _) = cells.protect([2, 3, 40])
        #expect(two == [.suppressed, .suppressed, .shown(40)], "two hidden cells need nothing more")
    }

    @Test("no threshold below 3, whatever is asked; the settings refuse one")
    func thresholdFloor() {
        #expect(SmallCells(threshold: 1).threshold == 3 && SmallCells(threshold: 0).threshold == 3)
        #expect(SmallCells(threshold: 1).protect([1, 2, 40]).cells == [.suppressed, .suppressed, .shown(40)])
        var form = ProgrammeSettingsForm(ProgrammeSettings.defaults)
        form.smallCellDonor = "2"
        guard case .failure(let errors) = form.validated() else { Issue.record("a threshold of 2 was accepted"); return }
        #expect(errors["smallCellDonor"] == "settings.error.range")
    }

    @Test("with a published total, a hidden count is never alone: it cannot be subtracted out")
    func neverAloneProperty() async {
        await propertyCheck(count: 500, input: Gen.int(in: 0...30).array(of: 1...8), Gen.int(in: 3...11)) { counts, threshold in
            let (cells, total) = SmallCells(threshold: threshold).protect(counts)
            let hidden = cells.indices.filter { (cells[$0] == .suppressed || cells[$0] == .withheld) && counts[$0] > 0 }
            if case .shown = total { #expect(hidden.count != 1, "\(counts) at \(threshold)") }
            for index in cells.indices where counts[index] > 0 && counts[index] < max(3, threshold) { #expect(cells[index] == .suppressed) }
            // Only a count at or above the threshold is withheld, and it never reads as small.
            for index in cells.indices where cells[index] == .withheld { #expect(counts[index] >= max(3, threshold)) }
        }
    }

    @Test("only records with an active consent to statistics are counted: none, withdrawn or not yet given do not count")
    func consent() {
        let withdrawn = [ConsentRecord(purpose: .statistics, givenAt: Self.now.addingTimeInterval(-864_000), withdrawnAt: Self.now.addingTimeInterval(-60))]
        let later = [ConsentRecord(purpose: .statistics, givenAt: Self.now.addingTimeInterval(60))]
        let records = [Self.record(), Self.record(employed: true), Self.record(consent: []), Self.record(consent: withdrawn),
                       Self.record(consent: later), Self.record("DI")]
        // A threshold below the floor of 3 is raised to it: these small counts are all hidden.
        let statistics = SurvivorStatistics(records: records, at: Self.now, year: 2027, threshold: 1)
        #expect(statistics.counted.count == 3)
        #expect(statistics.counted.filter { $0.regionCode == "KU" }.count == 2 && statistics.counted.count(where: \.employed) == 1)
        let table = statistics.stagesByRegion(["KU", "DI", "TR"])
        #expect(table.cells == [[.suppressed, .suppressed, .suppressed, .shown(0)], [.suppressed, .shown(0), .shown(0), .shown(0)],
                                [.shown(0), .shown(0), .shown(0), .shown(0)]])
        #expect(table.totals == [.shown(3), .suppressed, .suppressed, .shown(0)])
        let ages = statistics.breakdown(AgeBand.allCases, labels: AgeBand.allCases.map(\.rawValue), by: statistics.ageBand(of:))
        #expect(ages.cells[AgeBand.allCases.firstIndex(of: .from35to44)!] == [.shown(3), .suppressed], "born 1990, aged 37 in 2027")
    }
}
