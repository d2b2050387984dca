import Foundation
@testable import FuqizoCore
import PropertyBased
import Testing

/// The rules of grant contracts: their lifecycles, the tranche schedule, the 70 % rule and
/// the 90 % cap, budget transfers, closure, and that money is never created or lost.
@Suite("Grant contracts")
struct ContractRuleTests {
    let settings = ContractSettings.default

    func day(_ text: String) -> LocalDate { LocalDate(text)! }

    // MARK: lifecycles

    @Test("a contract goes draft → sent → signed → in implementation → final report approved → closed, and nothing else")
    func contractLifecycle() {
        let happy: [(ContractStatus, ContractEvent, ContractStatus)] = [
            (.draft, .edit, .draft), (.draft, .sendForSignature, .sentForSignature), (.sentForSignature, .recall, .draft),
            (.sentForSignature, .sign, .signed), (.signed, .startImplementation, .inImplementation),
            (.inImplementation, .approveFinalReport, .finalReportApproved), (.finalReportApproved, .close, .closed),
            (.signed, .suspend, .suspended), (.inImplementation, .suspend, .suspended), (.suspended, .resume, .inImplementation),
            (.sentForSignature, .terminate, .terminated), (.inImplementation, .terminate, .terminated), (.suspended, .terminate, .terminated),
            (.signed, .terminate, .terminated), (.inImplementation, .amend, .inImplementation), (.signed, .amend, .signed),
            (.suspended, .amend, .suspended),
        ]
        for (from, event, to) in happy { #expect(from.after(event) == .success(to), "\(from) \(event)") }
        let allowed = Set(happy.map { "\($0.0)|\($0.1)" })
        let events: [ContractEvent] = [.edit, .sendForSignature, .recall, .sign, .startImplementation, .approveFinalReport, .close,
                                       .suspend, .resume, .terminate, .amend]
        for status in ContractStatus.allCases {
            for event in events where !allowed.contains("\(status)|\(event)") {
                guard case .failure(let refusal) = status.after(event) else {
                    Issue.record("\(status) allowed \(event)")
                    continue
                }
                #expect(refusal.messageKey.hasPrefix("contract.error."))
            }
        }
        // Locked contracts refuse everything.
        for locked in [ContractStatus.closed, .terminated] {
            #expect(locked.isLocked)
            #expect(events.allSatisfy { !locked.allows($0) })
        }
        #expect(ContractStatus.draft.after(.sign) == .failure(WorkflowRefusal("contract.error.notSent")))
    }

    @Test("a payment is requested, checked, approved, paid; returned with reasons at any step before payment")
    func paymentLifecycle() {
        #expect(PaymentStatus.requested.after(.check) == .success(.checked))
        #expect(PaymentStatus.checked.after(.approve) == .success(.approved))
        #expect(PaymentStatus.approved.after(.pay) == .success(.paid))
        for status in [PaymentStatus.requested, .checked, .approved] { #expect(status.after(.returnToGrantee) == .success(.returned)) }
        #expect(PaymentStatus.returned.after(.resubmit) == .success(.requested))
        // Finance cannot approve what the grants officer has not checked, nor pay before approving.
        #expect(PaymentStatus.requested.after(.approve) == .failure(WorkflowRefusal("payment.error.notChecked")))
        #expect(PaymentStatus.checked.after(.pay) == .failure(WorkflowRefusal("payment.error.notApproved")))
        #expect(PaymentStatus.paid.after(.returnToGrantee) == .failure(WorkflowRefusal("payment.error.cannotReturn")))
        #expect(!PaymentStatus.paid.allows(.check) && !PaymentStatus.paid.allows(.pay) && !PaymentStatus.paid.allows(.resubmit))
    }

    @Test("reports, amendments and recovery orders move only forward")
    func otherLifecycles() {
        #expect(ReportStatus.draft.after(.submit) == .success(.submitted))
        #expect(ReportStatus.submitted.after(.returnForChanges) == .success(.returned))
        #expect(ReportStatus.returned.after(.edit) == .success(.returned))
        #expect(ReportStatus.returned.after(.submit) == .success(.submitted))
        #expect(ReportStatus.submitted.after(.approve) == .success(.approved))
        #expect(ReportStatus.submitted.after(.edit) == .failure(WorkflowRefusal("report.error.submitted")))
        #expect(ReportStatus.approved.after(.returnForChanges) == .failure(WorkflowRefusal("report.error.notSubmitted")))
        #expect(ReportStatus.draft.after(.approve) == .failure(WorkflowRefusal("report.error.notSubmitted")))
        #expect(AmendmentStatus.requested.after(.approve) == .success(.approved))
        #expect(AmendmentStatus.requested.after(.refuse) == .success(.refused))
        #expect(AmendmentStatus.refused.after(.approve) == .failure(WorkflowRefusal("amendment.error.decided")))
        #expect(RecoveryStatus.issued.after(.settle(offset: true)) == .success(.offset))
        #expect(RecoveryStatus.issued.after(.settle(offset: false)) == .success(.paid))
        #expect(RecoveryStatus.paid.after(.settle(offset: false)) == .failure(WorkflowRefusal("recovery.error.settled")))
    }

    // MARK: the plan

    @Test("twelve months: 80 % pre-financing and the balance; twenty-four: two tranches of 40 % and the balance")
    func tranchePlans() {
        let year = ContractPlan.tranches(grant: 5_000_000, months: 12, settings: settings)
        #expect(year.map(\.kind) == [.preFinancing, .balance])
        #expect(year.map(\.amountMinorUnits) == [4_000_000, 1_000_000])
        let two = ContractPlan.tranches(grant: 5_000_000, months: 24, settings: settings)
        #expect(two.map(\.kind) == [.preFinancing, .furtherPreFinancing, .balance])
        #expect(two.map(\.amountMinorUnits) == [2_000_000, 2_000_000, 1_000_000])
        // 18 months: the first period has 12 of them; cents are never lost.
        let odd = ContractPlan.tranches(grant: 1_000_001, months: 18, settings: settings)
        #expect(odd.map(\.amountMinorUnits) == [533_333, 266_667, 200_001])
        #expect(odd.map(\.number) == [1, 2, 3])
    }

    @Test("tranches add up to the grant exactly, none negative, pre-financing within the cap, for any grant and length")
    func tranchesAddUp() async {
        await propertyCheck(count: 400, input: Gen.int64(in: 0...Money.maximumMinorUnits), Gen.int(in: -5...200),
                            Gen.int(in: 0...10_000), Gen.int(in: -3...70)) { grant, months, share, period in
            let rules = ContractSettings(preFinancingBasisPoints: share, preFinancingCapBasisPoints: 9000, periodMonths: period)
            let tranches = ContractPlan.tranches(grant: grant, months: months, settings: rules)
            #expect(tranches.map(\.amountMinorUnits).reduce(0, +) == grant)
            #expect(tranches.allSatisfy { $0.amountMinorUnits >= 0 })
            #expect(tranches.last?.kind == .balance)
            let preFinancing = tranches.filter { $0.kind != .balance }.map(\.amountMinorUnits).reduce(0, +)
            #expect(preFinancing <= Money(minorUnits: grant, currency: "EUR").share(basisPoints: 9000).minorUnits)
        }
        // Extreme values never trap.
        _ = ContractPlan.tranches(grant: .max, months: .max, settings: ContractSettings(periodMonths: .max))
        _ = ContractPlan.tranches(grant: .min, months: .min, settings: ContractSettings(preFinancingBasisPoints: .max, periodMonths: .min))
    }

    @Test("an interim report after each period but the last, the final report after the end")
    func reportPlan() {
        let reports = ContractPlan.reports(start: day("2027-01-01"), end: day("2028-12-31"), settings: settings)
        #expect(reports.map(\.kind) == [.interim, .final])
        #expect(reports[0].periodEnd == day("2027-12-31"))
        #expect(reports[0].due == day("2028-01-30"))
        #expect(reports[1].periodEnd == day("2028-12-31"))
        #expect(reports[1].due == day("2029-03-01"))
        #expect(ContractPlan.reports(start: day("2027-01-01"), end: day("2027-12-31"), settings: settings).map(\.kind) == [.final])
        #expect(ContractDuration.months(from: day("2027-01-01"), to: day("2027-12-31")) == 12)
        #expect(ContractDuration.months(from: day("2027-01-15"), to: day("2028-01-15")) == 13)
        #expect(ContractDuration.months(from: day("2027-03-01"), to: day("2027-02-01")) == 0)
    }

    // MARK: further tranches

    @Test("a further tranche is paid in full when 70 % of the last and all of the earlier tranches are spent")
    func furtherTrancheInFull() {
        // Grant 100,000: paid 40,000; 28,000 (70 %) spent.
        let tranche = FurtherTranche(planned: 4_000_000, grant: 10_000_000, paid: [4_000_000], spent: 2_800_000, settings: settings)
        #expect(tranche.payableMinorUnits == 4_000_000)
        #expect(tranche.reasons.isEmpty)
        #expect(!tranche.isReduced)
    }

    @Test("below 70 % spent, the tranche is reduced by what is unspent, and the page can say why")
    func furtherTrancheReduced() {
        let tranche = FurtherTranche(planned: 4_000_000, grant: 10_000_000, paid: [4_000_000], spent: 2_799_999, settings: settings)
        #expect(tranche.payableMinorUnits == 4_000_000 - 1_200_001)
        #expect(tranche.reasons == [.reducedByUnspent(unspentMinorUnits: 1_200_001)])
        // The earlier tranches must be spent in full: 30,000 + 70 % of 30,000 = 51,000 needed.
        let third = FurtherTranche(planned: 3_000_000, grant: 10_000_000, paid: [3_000_000, 3_000_000], spent: 5_000_000, settings: settings)
        #expect(third.reasons == [.reducedByUnspent(unspentMinorUnits: 1_000_000)])
        #expect(third.payableMinorUnits == 2_000_000)
        // Nothing spent at all: nothing more is paid.
        let none = FurtherTranche(planned: 1_000_000, grant: 10_000_000, paid: [4_000_000], spent: 0, settings: settings)
        #expect(none.payableMinorUnits == 0)
    }

    @Test("all pre-financing together never passes 90 % of the grant")
    func furtherTrancheCapped() {
        let tranche = FurtherTranche(planned: 2_000_000, grant: 10_000_000, paid: [8_000_000], spent: 8_000_000, settings: settings)
        #expect(tranche.payableMinorUnits == 1_000_000)
        #expect(tranche.reasons == [.cappedAt(capMinorUnits: 9_000_000)])
    }

    @Test("a further tranche is never negative, never above plan, never past the cap, for any figures")
    func furtherTrancheBounds() async {
        let amount = Gen.int64(in: -1_000...Money.maximumMinorUnits)
        await propertyCheck(count: 400, input: amount, amount, amount.array(of: 0...5), amount) { planned, grant, paid, spent in
            let tranche = FurtherTranche(planned: planned, grant: grant, paid: paid, spent: spent, settings: settings)
            #expect(tranche.payableMinorUnits >= 0)
            #expect(tranche.payableMinorUnits <= max(0, planned))
            let paidTotal = paid.map { max(0, $0) }.reduce(0, +)
            let cap = Money(minorUnits: max(0, grant), currency: "EUR").share(basisPoints: 9000).minorUnits
            #expect(tranche.payableMinorUnits == 0 || paidTotal + tranche.payableMinorUnits <= cap)
        }
    }

    // MARK: budget transfers

    @Test("spending above a heading up to 25 % of it is allowed; beyond needs an amendment")
    func budgetTransfers() {
        let budget: [BudgetHeading: Int64] = [.humanResources: 1_000_000, .travel: 200_000, .equipment: 0]
        let within = BudgetVariance(budget: budget, spent: [.humanResources: 1_250_000, .travel: 0], settings: settings)
        #expect(!within.needsAmendment)
        #expect(within.rows.first { $0.heading == .humanResources }?.transferInMinorUnits == 250_000)
        #expect(within.rows.first { $0.heading == .humanResources }?.spentBasisPoints == 12_500)
        #expect(within.rows.first { $0.heading == .travel }?.varianceMinorUnits == -200_000)
        let beyond = BudgetVariance(budget: budget, spent: [.humanResources: 1_250_001], settings: settings)
        #expect(beyond.needsAmendment)
        // A heading without a budget cannot receive anything without an amendment.
        let unbudgeted = BudgetVariance(budget: budget, spent: [.equipment: 1], settings: settings)
        #expect(unbudgeted.needsAmendment)
        #expect(unbudgeted.rows.first { $0.heading == .equipment }?.spentBasisPoints == nil)
        #expect(within.budgetMinorUnits == 1_200_000 && within.spentMinorUnits == 1_250_000)
    }

    // MARK: closure and the ledger

    @Test("closure pays the difference up to the eligible amount, or orders the recovery of what was paid beyond it")
    func closure() {
        let pay = FinalSettlement(grant: 5_000_000, eligible: 4_800_000, paid: 4_000_000)
        #expect((pay.finalAmountMinorUnits, pay.finalPaymentMinorUnits, pay.recoveryMinorUnits, pay.releasedMinorUnits) == (4_800_000, 800_000, 0, 200_000))
        let recover = FinalSettlement(grant: 5_000_000, eligible: 3_500_000, paid: 4_000_000)
        #expect((recover.finalPaymentMinorUnits, recover.recoveryMinorUnits, recover.releasedMinorUnits) == (0, 500_000, 1_500_000))
        // Never above the grant, whatever was spent.
        let over = FinalSettlement(grant: 5_000_000, eligible: 7_000_000, paid: 4_000_000)
        #expect((over.finalAmountMinorUnits, over.finalPaymentMinorUnits) == (5_000_000, 1_000_000))
    }

    @Test("money is never created or lost: paid − recovered + remaining = granted at every step, and closure balances")
    func moneyIsConserved() async {
        let amount = Gen.int64(in: 0...Money.maximumMinorUnits)
        await propertyCheck(count: 500, input: amount, amount, amount) { grant, eligible, paidRaw in
            let paid = min(paidRaw, grant)
            let settlement = FinalSettlement(grant: grant, eligible: eligible, paid: paid)
            #expect(paid + settlement.finalPaymentMinorUnits - settlement.recoveryMinorUnits == settlement.finalAmountMinorUnits)
            #expect(settlement.finalAmountMinorUnits + settlement.releasedMinorUnits == grant)
            #expect(settlement.finalPaymentMinorUnits == 0 || settlement.recoveryMinorUnits == 0)
            let before = GrantLedger(grant: grant, paid: paid, recovered: 0, reported: eligible)
            #expect(before.netPaidMinorUnits + before.remainingMinorUnits == grant)
            let after = GrantLedger(grant: grant, paid: paid + settlement.finalPaymentMinorUnits, recovered: settlement.recoveryMinorUnits,
                                    reported: settlement.finalAmountMinorUnits)
            #expect(after.paidMinorUnits - after.recoveredMinorUnits + after.remainingMinorUnits == grant)
            #expect(after.remainingMinorUnits == settlement.releasedMinorUnits)
        }
    }

    // MARK: forms and numbers

    @Test("the contract's amount stays within the award and the cap; dates in order and within 60 months")
    func contractForm() {
        func check(_ form: ContractForm) -> FieldErrors? {
            if case .failure(let errors) = form.validated(awardedMinorUnits: 4_500_000, capMinorUnits: 6_000_000, currency: "EUR") { return errors }
            return nil
        }
        let good = ContractForm(amount: "45000", startDate: "2027-01-01", endDate: "2027-12-31", language: "sq")
        #expect(check(good) == nil)
        if case .success(let terms) = good.validated(awardedMinorUnits: 4_500_000, capMinorUnits: 6_000_000, currency: "EUR") {
            #expect(terms.amountMinorUnits == 4_500_000 && terms.months == 12 && terms.language == .sq)
        }
        var form = good
        form.amount = "45000,01"
        #expect(check(form)?["amount"] == "contract.error.aboveAward")
        if case .failure(let errors) = good.validated(awardedMinorUnits: 9_000_000, capMinorUnits: 4_000_000, currency: "EUR") {
            #expect(errors["amount"] == "contract.error.aboveCap")
        } else { Issue.record("the cap was not applied") }
        form = good; form.amount = "0"
        #expect(check(form)?["amount"] == "contract.error.amountZero")
        form = good; form.amount = "9223372036854775807"
        #expect(check(form)?["amount"] == "form.error.amount")
        form = good; form.endDate = "2026-12-31"
        #expect(check(form)?["endDate"] == "contract.error.endBeforeStart")
        form = good; form.endDate = "2032-01-01"
        #expect(check(form)?["endDate"] == "contract.error.tooLong")
        form = good; form.startDate = "9999-12-31"
        #expect(check(form)?["startDate"] == "form.error.date")
        form = good; form.language = "fr"
        #expect(check(form)?["language"] == "form.error.choose")
        #expect(ContractNumber.of(application: "APP-2019-01-014") == "GC-2019-01-014")
        #expect(ContractNumber.of(application: "CFP-2019-01") == nil)
    }

    @Test("signature dates: neither in the future nor before the contract was sent")
    func signatureDates() {
        let sent = day("2027-01-10"), today = day("2027-01-20")
        #expect((try? SignatureForm(grantee: "2027-01-12", programme: "2027-01-15").validated(sentOn: sent, today: today).get()) != nil)
        if case .failure(let errors) = SignatureForm(grantee: "2027-01-21", programme: "2027-01-09").validated(sentOn: sent, today: today) {
            #expect(errors["grantee"] == "contract.error.signedInFuture")
            #expect(errors["programme"] == "contract.error.signedBeforeSent")
        } else { Issue.record("bad dates accepted") }
    }

    @Test("the call's contract settings are checked, and calls saved before them read with PRAG's defaults")
    func settingsOfTheCall() throws {
        #expect(ContractSettings.default.problems.isEmpty)
        #expect(ContractSettings(preFinancingBasisPoints: 9500).problems["preFinancing"] == "contractSettings.error.preFinancing")
        #expect(ContractSettings(periodMonths: 0).problems["periodMonths"] == "contractSettings.error.period")
        let old = #"{"maximumGrantMinorUnits":6000000,"maximumGrantShareBasisPoints":9000,"maximumIndirectBasisPoints":700,"minimumGrantMinorUnits":1000000}"#
        let rules = try JSONDecoder().decode(GrantRules.self, from: Data(old.utf8))
        #expect(rules.contract == .default)
        let partial = try JSONDecoder().decode(ContractSettings.self, from: Data(#"{"preFinancingBasisPoints":7000}"#.utf8))
        #expect(partial.preFinancingBasisPoints == 7000 && partial.preFinancingCapBasisPoints == 9000)
    }

    // MARK: work and access

    @Test("the officer prepares, sends and records signatures; the grantee signs what was sent")
    func work() {
        let sent = ContractWork.Contract(id: UUID(), number: "GC-2019-01-001", status: .sentForSignature, sentOn: day("2027-01-01"))
        let draft = ContractWork.Contract(id: UUID(), number: "GC-2019-01-002", status: .draft, sentOn: nil)
        let signed = ContractWork.Contract(id: UUID(), number: "GC-2019-01-003", status: .signed, sentOn: day("2027-01-01"))
        let officer = ContractWork.officer([sent, draft, signed], awards: [.init(call: UUID(), reference: "CFP-2019-01", withoutContract: 3)])
        #expect(officer.map(\.kind) == ["work.prepareContracts", "work.recordSignatures", "work.sendContract"])
        #expect(officer[0].count == 3)
        #expect(officer[1].due == day("2027-01-15"))
        #expect(!officer[2].announced)
        let grantee = ContractWork.grantee([sent, draft, signed])
        // The signed contract has no payment yet: the grantee asks for the pre-financing.
        #expect(grantee.map(\.kind) == ["work.signContract", "work.requestPreFinancing"])
        #expect(grantee.map(\.reference) == ["GC-2019-01-001", "GC-2019-01-003"])
        #expect(grantee[0].link == WorkLink("contract", sent.id.uuidString))
    }

    @Test("a CSO sees its own contracts once sent; finance approves payments; donors and evaluators see no contract")
    func access() {
        let orgA = UUID(), orgB = UUID()
        func actor(_ grant: RoleGrant) -> Actor { Actor(userID: UUID(), grants: [grant]) }
        let cso = actor(RoleGrant(role: .csoUser, organisationID: orgA))
        let sent = Resource.contract(ContractAccess(organisationID: orgA, status: .sentForSignature))
        let draft = Resource.contract(ContractAccess(organisationID: orgA, status: .draft))
        let other = Resource.contract(ContractAccess(organisationID: orgB, status: .signed))
        #expect(Policy.decide(cso, .viewContract, sent) == .allow)
        #expect(Policy.decide(cso, .viewContract, draft) == .deny)
        #expect(Policy.decide(cso, .viewContract, other) == .deny)
        #expect(Policy.decide(cso, .manageContract, sent) == .deny)
        #expect(Policy.decide(cso, .viewContracts) == .deny)
        #expect(Policy.decide(cso, .viewOwnGrants) == .allow)
        let finance = actor(RoleGrant(role: .financeOfficer))
        #expect(Policy.decide(finance, .viewContracts) == .allow)
        #expect(Policy.decide(finance, .viewContract, other) == .allow)
        #expect(Policy.decide(finance, .manageContract, other) == .deny)
        #expect(Policy.decide(finance, .approvePayment, other) == .allow)
        #expect(Policy.decide(finance, .viewOrganisationBankDetails, .organisation(orgA)) == .allow)
        #expect(finance.requiresTwoFactor)
        let officer = actor(RoleGrant(role: .grantsOfficer))
        #expect(Policy.decide(officer, .manageContract, draft) == .allow)
        #expect(Policy.decide(officer, .approvePayment, other) == .deny)
        for role in [Role.donorViewer, .evaluator, .caseWorker] {
            let someone = actor(RoleGrant(role: role, organisationID: orgA))
            #expect(Policy.decide(someone, .viewContract, sent) == .deny)
            #expect(Policy.decide(someone, .viewContracts) == .deny)
        }
    }
}

@Suite("Grant payments")
struct PaymentRuleTests {
    let tranches = ContractPlan.tranches(grant: 5_000_000, months: 24, settings: .default)

    @Test("the pre-financing once signed; a further tranche after the report before it; the balance only at closure; one open request at a time")
    func nextRequest() throws {
        #expect(PaymentRule.nextRequest(contract: .sentForSignature, tranches: tranches, payments: [], approvedInterimReports: 0)
            == .failure(WorkflowRefusal("payment.error.contractNotRunning")))
        #expect(try PaymentRule.nextRequest(contract: .signed, tranches: tranches, payments: [], approvedInterimReports: 0).get().number == 1)
        let open = [PaymentRule.Existing(tranche: 1, status: .checked)]
        #expect(PaymentRule.nextRequest(contract: .signed, tranches: tranches, payments: open, approvedInterimReports: 0)
            == .failure(WorkflowRefusal("payment.error.open")))
        let first = [PaymentRule.Existing(tranche: 1, status: .paid)]
        #expect(PaymentRule.nextRequest(contract: .inImplementation, tranches: tranches, payments: first, approvedInterimReports: 0)
            == .failure(WorkflowRefusal("payment.error.reportFirst")))
        #expect(try PaymentRule.nextRequest(contract: .inImplementation, tranches: tranches, payments: first, approvedInterimReports: 1).get().number == 2)
        let both = first + [PaymentRule.Existing(tranche: 2, status: .paid)]
        #expect(PaymentRule.nextRequest(contract: .inImplementation, tranches: tranches, payments: both, approvedInterimReports: 1)
            == .failure(WorkflowRefusal("payment.error.balanceAtClosure")))
        #expect(PaymentRule.nextRequest(contract: .suspended, tranches: tranches, payments: first, approvedInterimReports: 1)
            == .failure(WorkflowRefusal("payment.error.contractNotRunning")))
    }

    @Test("a payment is recorded on a real day, not before its approval, never above the amount approved, with the bank's reference")
    func paymentForm() {
        let approved = LocalDate("2027-03-01")!, today = LocalDate("2027-03-10")!
        func errors(_ form: PaymentForm) -> FieldErrors? {
            if case .failure(let errors) = form.validated(approvedMinorUnits: 4_000_000, approvedOn: approved, today: today, currency: "EUR") { return errors }
            return nil
        }
        #expect(errors(PaymentForm(paidOn: "2027-03-05", amount: "40000", bankReference: "RAI-2027-0042")) == nil)
        #expect(errors(PaymentForm(paidOn: "2027-03-11", amount: "40000", bankReference: "x"))?["paidOn"] == "payment.error.paidInFuture")
        #expect(errors(PaymentForm(paidOn: "2027-02-28", amount: "40000", bankReference: "x"))?["paidOn"] == "payment.error.paidBeforeApproval")
        #expect(errors(PaymentForm(paidOn: "2027-03-05", amount: "40000,01", bankReference: "x"))?["amount"] == "payment.error.aboveApproved")
        #expect(errors(PaymentForm(paidOn: "2027-03-05", amount: "1e9", bankReference: "x"))?["amount"] == "form.error.amount")
        #expect(errors(PaymentForm(paidOn: "2027-03-05", amount: "100", bankReference: "  "))?["bankReference"] == "form.error.required")
        #expect(errors(PaymentForm(paidOn: "2027-03-05", amount: "100", bankReference: String(repeating: "R", count: 61)))?["bankReference"] == "form.error.tooLong")
    }

    @Test("the officer checks requests, finance approves and pays, the grantee asks for the pre-financing and corrects returned requests")
    func work() {
        let contract = UUID(), today = LocalDate("2027-03-01")!
        let payments = PaymentStatus.allCases.map { ContractWork.Payment(contract: contract, number: "GC-2019-01-001", status: $0, since: today) }
        #expect(ContractWork.checks(payments).map(\.kind) == ["work.checkPayment"])
        #expect(ContractWork.checks(payments).first?.due == LocalDate("2027-03-11"))
        #expect(ContractWork.finance(payments).map(\.kind) == ["work.approvePayment", "work.recordPayment"])
        let signed = ContractWork.Contract(id: contract, number: "GC-2019-01-001", status: .signed, sentOn: today, payments: 0)
        let asked = ContractWork.Contract(id: UUID(), number: "GC-2019-01-002", status: .signed, sentOn: today, payments: 1)
        #expect(ContractWork.grantee([signed, asked], returned: payments).map(\.kind) == ["work.requestPreFinancing", "work.paymentReturned"])
    }
}

@Suite("Grant reports")
struct ReportRuleTests {
    let budget = [BudgetLine(heading: .humanResources, description: "Trajnerë", units: 12, unitCostMinorUnits: 100_000),
                  BudgetLine(heading: .travel, description: "Udhëtime", units: 10, unitCostMinorUnits: 20_000)]
    let start = LocalDate("2027-01-01")!, end = LocalDate("2027-12-31")!, today = LocalDate("2027-06-15")!

    @Test("an exchange rate has at most four decimals; lek convert to euro exactly, rounded half up to the cent")
    func exchangeRates() async {
        #expect(ExchangeRate(parsing: "98,35")?.tenThousandths == 983_500)
        #expect(ExchangeRate(parsing: "117.8525")?.text == "117.8525")
        #expect(ExchangeRate(parsing: "98.35")?.text == "98.35")
        for bad in ["", "0", "-98", "98.123456", "1e3", "98,35,1", "abc", "99999999", "٩٨"] { #expect(ExchangeRate(parsing: bad) == nil, "\(bad)") }
        // 10,000 lek at 98.35 lek per euro: 101.677… € → 101.68 €.
        #expect(ExchangeRate(parsing: "98.35")!.convert(1_000_000) == 10_168)
        #expect(ExchangeRate.one.convert(12_345) == 12_345)
        // Rounded to the nearest cent: the converted amount, times the rate, is within half a rate of the original.
        await propertyCheck(count: 500, input: Gen.int64(in: 0...1_000_000_000), Gen.int64(in: 1...10_000_000)) { amount, scaled in
            let converted = ExchangeRate(tenThousandths: scaled)!.convert(amount)
            #expect(abs(converted * scaled - amount * 10_000) * 2 <= scaled)
        }
        // Any amount and rate: no trap, never negative.
        await propertyCheck(count: 300, input: Gen.int64(in: 0...Money.maximumMinorUnits), Gen.int64(in: 1...100_000_000_000)) { amount, scaled in
            #expect(ExchangeRate(tenThousandths: scaled)!.convert(amount) >= 0)
        }
    }

    @Test("an expenditure line: a budget line, a day within the contract and not ahead, a supplier, an amount; lek need the rate and its source")
    func expenditureLines() throws {
        func check(_ form: ExpenditureForm) -> Result<ExpenditureForm.Line, FieldErrors> {
            form.validated(budget: budget, contractCurrency: "EUR", start: start, end: end, today: today)
        }
        let euro = try check(ExpenditureForm(budgetLine: "0", spentOn: "2027-03-01", supplier: "Trajnere A.", amount: "1200", currency: "EUR")).get()
        #expect(euro.heading == .humanResources && euro.minorUnits == 120_000 && euro.rate == .one)
        let lek = try check(ExpenditureForm(budgetLine: "1", spentOn: "2027-03-02", supplier: "Furgon", amount: "10000", currency: "ALL",
                                            rate: "98,35", rateSource: "Banka e Shqipërisë")).get()
        #expect(lek.heading == .travel && lek.originalMinorUnits == 1_000_000 && lek.minorUnits == 10_168 && lek.rateSource == "Banka e Shqipërisë")
        func errors(_ form: ExpenditureForm) -> FieldErrors? { if case .failure(let e) = check(form) { return e }; return nil }
        #expect(errors(ExpenditureForm(budgetLine: "2", spentOn: "2027-03-01", supplier: "x", amount: "1", currency: "EUR"))?["budgetLine"] == "form.error.choose")
        #expect(errors(ExpenditureForm(budgetLine: "-1", spentOn: "2027-03-01", supplier: "x", amount: "1", currency: "EUR"))?["budgetLine"] == "form.error.choose")
        #expect(errors(ExpenditureForm(budgetLine: "0", spentOn: "2027-06-16", supplier: "x", amount: "1", currency: "EUR"))?["spentOn"] == "expenditure.error.future")
        #expect(errors(ExpenditureForm(budgetLine: "0", spentOn: "2026-12-31", supplier: "x", amount: "1", currency: "EUR"))?["spentOn"] == "expenditure.error.outsidePeriod")
        #expect(errors(ExpenditureForm(budgetLine: "0", spentOn: "2027-03-01", supplier: " ", amount: "1", currency: "EUR"))?["supplier"] == "form.error.required")
        #expect(errors(ExpenditureForm(budgetLine: "0", spentOn: "2027-03-01", supplier: "x", amount: "0", currency: "EUR"))?["amount"] == "form.error.amount")
        #expect(errors(ExpenditureForm(budgetLine: "0", spentOn: "2027-03-01", supplier: "x", amount: "1", currency: "USD"))?["currency"] == "form.error.choose")
        let noRate = errors(ExpenditureForm(budgetLine: "0", spentOn: "2027-03-01", supplier: "x", amount: "1", currency: "ALL"))
        #expect(noRate?["rate"] == "expenditure.error.rate" && noRate?["rateSource"] == "expenditure.error.rateSource")
    }

    @Test("the narrative needs its activities and a value for every result; it is stored bounded")
    func narrative() {
        let form = NarrativeForm(activities: "Trajnime", difficulties: "", actuals: ["12"])
        #expect(form.problems(results: 2)["actual-1"] == "report.error.actual")
        #expect(form.problems(results: 1).isEmpty)
        #expect(NarrativeForm().problems(results: 0)["activities"] == "form.error.required")
        let trimmed = NarrativeForm(activities: String(repeating: "a", count: 20_000), actuals: ["1", "2", "3"]).trimmed(results: 2)
        #expect(trimmed.activities.count == NarrativeForm.maximumLength && trimmed.actuals == ["1", "2"])
    }

    @Test("a report is submitted after its period, after the reports before it; reminders on the first day and each overdue day")
    func submissionAndReminders() {
        let interim = PlannedReport(number: 1, kind: .interim, periodEnd: LocalDate("2027-06-30")!, due: LocalDate("2027-07-30")!)
        #expect(ReportRule.maySubmit(interim, contract: .inImplementation, today: today, earlierApproved: true) == WorkflowRefusal("report.error.periodNotOver"))
        #expect(ReportRule.maySubmit(interim, contract: .inImplementation, today: LocalDate("2027-07-01")!, earlierApproved: true) == nil)
        #expect(ReportRule.maySubmit(interim, contract: .inImplementation, today: LocalDate("2027-07-01")!, earlierApproved: false)
            == WorkflowRefusal("report.error.earlierFirst"))
        #expect(ReportRule.maySubmit(interim, contract: .suspended, today: LocalDate("2027-07-01")!, earlierApproved: true)
            == WorkflowRefusal("report.error.contractNotRunning"))
        let due = LocalDate("2027-07-30")!, first = LocalDate("2027-07-23")!
        #expect(ReportRule.remindsOn(first, remindFrom: first, due: due))
        #expect(!ReportRule.remindsOn(first.adding(days: 1), remindFrom: first, due: due))
        #expect(!ReportRule.remindsOn(due, remindFrom: first, due: due))
        #expect(ReportRule.remindsOn(due.adding(days: 1), remindFrom: first, due: due) && ReportRule.remindsOn(due.adding(days: 9), remindFrom: first, due: due))
        let report = ContractWork.Report(contract: UUID(), number: "GC-2019-01-001", report: 1, status: .draft, due: due, remindFrom: first)
        #expect(ContractWork.reporting([report], today: first.adding(days: -1)).isEmpty)
        #expect(ContractWork.reporting([report], today: first).map(\.kind) == ["work.submitReport"])
        let returned = ContractWork.Report(contract: UUID(), number: "GC-2019-01-002", report: 1, status: .returned, due: due, remindFrom: first)
        #expect(ContractWork.reporting([returned], today: LocalDate("2027-01-01")!).map(\.kind) == ["work.correctReport"])
        let submitted = ContractWork.Report(contract: UUID(), number: "GC-2019-01-003", report: 2, status: .submitted, due: due, remindFrom: first)
        #expect(ContractWork.reviews([report, returned, submitted]).map(\.reference) == ["GC-2019-01-003 · 2"])
    }

    @Test("an amendment request is the grants officer's task, due two weeks after it was asked")
    func amendmentWork() {
        let request = ContractWork.Amendment(contract: UUID(), number: "GC-2019-01-004", amendment: 2, requestedOn: LocalDate("2027-03-01")!)
        let items = ContractWork.amendments([request])
        #expect(items.map(\.kind) == ["work.decideAmendment"] && items[0].reference == "GC-2019-01-004 · 2")
        #expect(items[0].due == LocalDate("2027-03-15"))
    }
}

@Suite("Grant amendments")
struct AmendmentRuleTests {
    let start = LocalDate("2027-01-01")!, end = LocalDate("2027-12-31")!
    var terms: ContractTerms {
        ContractTerms(settings: .default, budget: [BudgetLine(heading: .humanResources, description: "Trajnerë", units: 12, unitCostMinorUnits: 100_000),
                                                   BudgetLine(heading: .travel, description: "Udhëtime", units: 10, unitCostMinorUnits: 20_000)],
                      results: [], activities: "Trajnime", amountMinorUnits: 1_000_000, start: start, end: end)
    }

    @Test("an amendment changes the end date, the budget lines or the activities, with a reason; nothing else, never nothing")
    func validation() throws {
        let longer = try AmendmentForm(endDate: "2028-06-30", reason: "Vonesë nga përmbytjet.").validated(terms: terms, start: start, end: end, currency: "EUR").get()
        #expect(longer.changes.endDate == LocalDate("2028-06-30") && longer.changes.lineTotals == nil && longer.reason == "Vonesë nga përmbytjet.")
        let budget = try AmendmentForm(lines: ["13000", "1000", ""], reason: "Më shumë trajnerë.").validated(terms: terms, start: start, end: end, currency: "EUR").get()
        #expect(budget.changes.lineTotals == [1_300_000, 100_000])
        func errors(_ form: AmendmentForm) -> FieldErrors? {
            if case .failure(let e) = form.validated(terms: terms, start: start, end: end, currency: "EUR") { return e }
            return nil
        }
        #expect(errors(AmendmentForm(endDate: "2026-12-01", reason: "x"))?["endDate"] == "contract.error.endBeforeStart")
        #expect(errors(AmendmentForm(endDate: "2032-02-01", reason: "x"))?["endDate"] == "contract.error.tooLong")
        #expect(errors(AmendmentForm(lines: ["abc"], reason: "x"))?["line-0"] == "form.error.amount")
        // The budget's total is the grant's: more on one line must come from another.
        #expect(errors(AmendmentForm(lines: ["1300"], reason: "x"))?["line-0"] == "amendment.error.budgetTotal")
        #expect(errors(AmendmentForm(endDate: "2028-06-30"))?["reason"] == "confirm.error.reason")
        #expect(errors(AmendmentForm(endDate: "2027-12-31", activities: "Trajnime", reason: "x"))?["amendment"] == "amendment.error.nothing")
    }

    @Test("amended terms: lines at their new totals, a new calendar and tranche plan for a new length, the grant unchanged")
    func applying() {
        let changes = AmendmentChanges(endDate: LocalDate("2028-12-31"), lineTotals: [900_000, 300_000], activities: "Trajnime dhe praktika")
        let amended = terms.amended(by: changes, amountMinorUnits: 1_000_000, start: start, end: end)
        #expect(amended.budget.map(\.totalMinorUnits) == [900_000, 300_000] && amended.budget.map(\.heading) == [.humanResources, .travel])
        #expect(amended.activities == "Trajnime dhe praktika")
        #expect(amended.reports.map(\.kind) == [.interim, .final])
        #expect(amended.tranches.map(\.amountMinorUnits).reduce(0, +) == 1_000_000 && amended.tranches.count == 3)
        #expect(terms.amended(by: AmendmentChanges(activities: "x"), amountMinorUnits: 1_000_000, start: start, end: end).tranches == terms.tranches)
    }

    @Test("a longer contract whose pre-financing is paid keeps that tranche; later ones follow the new plan; all still add up to the grant")
    func replanningKeepsPaidTranches() {
        // Twelve months: 80 % paid at signature. Extended to 44 months: the new plan would pay
        // 21.8 % first; the 80 % stays, no further pre-financing is due, the balance is 20 %.
        let longer = terms.amended(by: AmendmentChanges(endDate: LocalDate("2030-08-31")), amountMinorUnits: 1_000_000, start: start, end: end,
                                   requestedTranches: 1)
        #expect(longer.tranches.first == terms.tranches.first)
        #expect(longer.tranches.map(\.kind) == [.preFinancing, .balance] && longer.tranches.map(\.amountMinorUnits) == [800_000, 200_000])
        // Two years, 40 % paid; extended to four: the pre-financing follows 20 %, 40 %, 60 %, 80 % from 40 % on.
        let twoYears = ContractPlan.tranches(grant: 1_000_000, months: 24, settings: .default)
        let four = ContractPlan.replanned(twoYears, keeping: 1, grant: 1_000_000, months: 48, settings: .default)
        #expect(four.map(\.amountMinorUnits) == [400_000, 200_000, 200_000, 200_000] && four.map(\.number) == [1, 2, 3, 4])
        for requested in 0...3 {
            for months in [1, 12, 13, 24, 36, 60] {
                let plan = ContractPlan.replanned(twoYears, keeping: requested, grant: 1_000_000, months: months, settings: .default)
                #expect(plan.map(\.amountMinorUnits).reduce(0, +) == 1_000_000 && plan.allSatisfy { $0.amountMinorUnits >= 0 }, "\(requested) \(months)")
                #expect(Array(plan.prefix(min(requested, 2))) == Array(twoYears.prefix(min(requested, 2))), "what was asked for stays")
            }
        }
    }
}

@Suite("Monitoring visits")
struct MonitoringRuleTests {
    let start = LocalDate("2027-01-01")!, end = LocalDate("2027-12-31")!

    @Test("a visit is recorded or cancelled once, from planned; an action is done or cancelled once, from open")
    func lifecycles() {
        #expect(VisitStatus.planned.after(.record) == .success(.done))
        #expect(VisitStatus.planned.after(.cancel) == .success(.cancelled))
        for status in [VisitStatus.done, .cancelled] {
            #expect(status.after(.record) == .failure(WorkflowRefusal("visit.error.notPlanned")))
            #expect(status.after(.cancel) == .failure(WorkflowRefusal("visit.error.notPlanned")))
        }
        #expect(FollowUpStatus.open.after(.complete) == .success(.done))
        #expect(FollowUpStatus.open.after(.cancel) == .success(.cancelled))
        for status in [FollowUpStatus.done, .cancelled] {
            #expect(status.after(.complete) == .failure(WorkflowRefusal("followUp.error.closed")))
        }
    }

    @Test("planning: a day within the contract (up to six months after), a visitor from the list, a purpose")
    func planning() throws {
        let officer = UUID()
        let plan = try VisitPlanForm(plannedOn: "2027-03-10", visitor: officer.uuidString, purpose: " Verifikim ").validated(visitors: [officer], start: start, end: end).get()
        #expect(plan.plannedOn == LocalDate("2027-03-10") && plan.visitor == officer && plan.purpose == "Verifikim")
        func errors(_ form: VisitPlanForm) -> FieldErrors? {
            if case .failure(let e) = form.validated(visitors: [officer], start: start, end: end) { return e }
            return nil
        }
        #expect(errors(VisitPlanForm(plannedOn: "2026-12-31", visitor: officer.uuidString, purpose: "x"))?["plannedOn"] == "visit.error.outsideContract")
        #expect(errors(VisitPlanForm(plannedOn: "2028-06-30", visitor: officer.uuidString, purpose: "x")) == nil)
        #expect(errors(VisitPlanForm(plannedOn: "2028-07-01", visitor: officer.uuidString, purpose: "x"))?["plannedOn"] == "visit.error.outsideContract")
        #expect(errors(VisitPlanForm(plannedOn: "2027-03-10", visitor: UUID().uuidString, purpose: "x"))?["visitor"] == "form.error.choose",
                "only someone from the list")
        let both = errors(VisitPlanForm(plannedOn: "nesër", visitor: officer.uuidString, purpose: ""))
        #expect(both?["plannedOn"] == "form.error.date" && both?["purpose"] == "form.error.required")
    }

    @Test("findings: a day not ahead, findings and a risk rating required; recommendations optional")
    func findings() throws {
        let today = LocalDate("2027-05-01")!
        let report = try VisitReportForm(visitedOn: "2027-04-30", findings: "Mirë.", risk: "high").validated(start: start, today: today).get()
        #expect(report.risk == .high && report.recommendations == nil)
        if case .failure(let e) = VisitReportForm(visitedOn: "2027-05-02", findings: "", risk: "extreme").validated(start: start, today: today) {
            #expect(e["visitedOn"] == "visit.error.future" && e["findings"] == "form.error.required" && e["risk"] == "form.error.choose")
        } else { Issue.record("a visit on a day to come, without findings or a known risk, is refused") }
    }

    @Test("a follow-up: an action, an owner (the grantee or a listed staff member), a due day from today to five years on")
    func followUps() throws {
        let officer = UUID(), today = LocalDate("2027-05-01")!
        let action = try FollowUpForm(action: "Dërgoni faturat.", owner: "grantee", dueOn: "2027-05-11").validated(staff: [officer], today: today).get()
        #expect(action.owner == .grantee && action.dueOn == LocalDate("2027-05-11"))
        #expect(try FollowUpForm(action: "x", owner: officer.uuidString, dueOn: "2027-05-01").validated(staff: [officer], today: today).get().owner == .staff(officer))
        func errors(_ form: FollowUpForm) -> FieldErrors? {
            if case .failure(let e) = form.validated(staff: [officer], today: today) { return e }
            return nil
        }
        #expect(errors(FollowUpForm(action: "x", owner: UUID().uuidString, dueOn: "2027-05-11"))?["owner"] == "form.error.choose")
        #expect(errors(FollowUpForm(action: "x", owner: "grantee", dueOn: "2027-04-30"))?["dueOn"] == "followUp.error.past")
        #expect(errors(FollowUpForm(action: "x", owner: "grantee", dueOn: "2032-05-02"))?["dueOn"] == "followUp.error.tooFar")
        #expect(FollowUpOwner(stored: FollowUpOwner.staff(officer).stored) == .staff(officer))
    }

    @Test("the visitor is told from the visit's day; each open action is its owner's task, due on its day")
    func work() {
        let contract = UUID(), today = LocalDate("2027-05-01")!
        let visits = [ContractWork.Visit(contract: contract, number: "GC-2019-01-002", visit: 1, plannedOn: today),
                      ContractWork.Visit(contract: contract, number: "GC-2019-01-002", visit: 2, plannedOn: today.adding(days: 1))]
        #expect(ContractWork.visits(visits, today: today).map(\.reference) == ["GC-2019-01-002 · 1"])
        let items = ContractWork.followUps([ContractWork.FollowUp(contract: contract, number: "GC-2019-01-002", visit: 1, due: today)], section: "nav.myGrants")
        #expect(items.map(\.kind) == ["work.followUp"] && items[0].due == today && items[0].section == "nav.myGrants")
    }
}
