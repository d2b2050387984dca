import Foundation

// The money rules of a running grant contract: how much a further tranche may be, whether a
// budget transfer needs an amendment, and what closure pays or recovers. All amounts are
// integer minor units of the contract's currency; every function is total (no input traps).

/// What a further pre-financing tranche may be, and why it is less than planned.
public struct FurtherTranche: Sendable, Equatable {
    public enum Reason: Sendable, Equatable {
        /// Less than the set share of the previous tranche, or less than all of the earlier
        /// ones, is reported as spent: the tranche is reduced by what is unspent.
        case reducedByUnspent(unspentMinorUnits: Int64)
        /// All pre-financing together would pass the cap: the tranche stops at it.
        case cappedAt(capMinorUnits: Int64)
    }

    public let plannedMinorUnits: Int64
    public let payableMinorUnits: Int64
    public let reasons: [Reason]

    /// `paid`: the pre-financing tranches paid so far, oldest first. `spent`: the expenditure
    /// approved reports show, in total. The tranche is paid as planned when the spending covers
    /// all the earlier tranches and at least the set share of the last one; otherwise it is
    /// reduced by what is unspent of all of them. Either way, all pre-financing together stops
    /// at the cap.
    public init(planned: Int64, grant: Int64, paid: [Int64], spent: Int64, settings: ContractSettings) {
        let planned = max(0, planned)
        let paidTotal = paid.map { max(0, $0) }.saturatingSum()
        let earlier = paid.dropLast().map { max(0, $0) }.saturatingSum()
        let previous = max(0, paid.last ?? 0)
        let spent = max(0, spent)
        let required = earlier.saturatingAdding(Money(minorUnits: previous, currency: "EUR")
            .share(basisPoints: settings.furtherTrancheSpentBasisPoints).minorUnits)
        var payable = planned
        var reasons: [Reason] = []
        if spent < required {
            let unspent = max(0, paidTotal - spent)
            payable = max(0, payable - unspent)
            reasons.append(.reducedByUnspent(unspentMinorUnits: unspent))
        }
        let cap = Money(minorUnits: max(0, grant), currency: "EUR").share(basisPoints: settings.preFinancingCapBasisPoints).minorUnits
        if paidTotal.saturatingAdding(payable) > cap {
            payable = max(0, cap - paidTotal)
            reasons.append(.cappedAt(capMinorUnits: cap))
        }
        self.plannedMinorUnits = planned
        self.payableMinorUnits = payable
        self.reasons = reasons
    }

    public var isReduced: Bool { payableMinorUnits < plannedMinorUnits }
}

/// Spending against the budget, heading by heading, and the transfers between headings it
/// implies. Spending above a heading's budget is a transfer into it; above the set share of the
/// heading's budget it needs an amendment; below, it is allowed and shown on the report.
public struct BudgetVariance: Sendable, Equatable {
    public struct Row: Sendable, Equatable {
        public let heading: BudgetHeading
        public let budgetMinorUnits: Int64
        public let spentMinorUnits: Int64
        /// Spent minus budget: above zero, money moved into this heading.
        public var varianceMinorUnits: Int64 { spentMinorUnits.saturatingAdding(-budgetMinorUnits) }
        public var transferInMinorUnits: Int64 { max(0, varianceMinorUnits) }
        /// Spent as a share of the budget, in basis points (nil without a budget).
        public var spentBasisPoints: Int? {
            guard budgetMinorUnits > 0 else { return nil }
            return Int(min(Int64(Int32.max), spentMinorUnits.saturatingMultiplied(by: 10_000) / budgetMinorUnits))
        }
        public let needsAmendment: Bool
    }

    public let rows: [Row]

    public init(budget: [BudgetHeading: Int64], spent: [BudgetHeading: Int64], settings: ContractSettings) {
        rows = BudgetHeading.allCases.map { heading in
            let planned = max(0, budget[heading] ?? 0)
            let actual = max(0, spent[heading] ?? 0)
            let over = max(0, actual.saturatingAdding(-planned))
            let allowed = Money(minorUnits: planned, currency: "EUR").share(basisPoints: settings.transferWithoutAmendmentBasisPoints).minorUnits
            return Row(heading: heading, budgetMinorUnits: planned, spentMinorUnits: actual, needsAmendment: over > allowed)
        }
    }

    public var needsAmendment: Bool { rows.contains(where: \.needsAmendment) }
    public var budgetMinorUnits: Int64 { rows.map(\.budgetMinorUnits).saturatingSum() }
    public var spentMinorUnits: Int64 { rows.map(\.spentMinorUnits).saturatingSum() }
}

/// What closing a contract settles: the grant's final amount is the eligible expenditure,
/// never above the grant. If more than that was paid, a recovery order asks for the
/// difference; otherwise the final payment is the difference.
public struct FinalSettlement: Sendable, Equatable {
    public let finalAmountMinorUnits: Int64
    public let finalPaymentMinorUnits: Int64
    public let recoveryMinorUnits: Int64
    /// The part of the grant never spent: it goes back to the lot's envelope.
    public let releasedMinorUnits: Int64

    /// `paid`: everything paid to the grantee, less anything already recovered.
    public init(grant: Int64, eligible: Int64, paid: Int64) {
        let grant = max(0, grant)
        let final = min(grant, max(0, eligible))
        let paid = max(0, paid)
        finalAmountMinorUnits = final
        finalPaymentMinorUnits = max(0, final - paid)
        recoveryMinorUnits = max(0, paid - final)
        releasedMinorUnits = grant - final
    }
}

extension FinalSettlement {
    /// What closing asks for next: the final payment, a recovery order, or nothing (the
    /// contract closes at once).
    public enum Outcome: String, Sendable, Equatable {
        case finalPayment, recovery, nothingDue
    }

    public var outcome: Outcome {
        finalPaymentMinorUnits > 0 ? .finalPayment : recoveryMinorUnits > 0 ? .recovery : .nothingDue
    }
}

/// A recovery order as the finance officer records it settled: the day, and the bank's
/// reference of the grantee's transfer or of the offset.
public struct RecoveryForm: Codable, Sendable, Equatable {
    public var settledOn = ""
    public var reference = ""
    /// "yes" when set against another amount the programme owes the grantee.
    public var offset = ""

    public init(settledOn: String = "", reference: String = "", offset: String = "") {
        (self.settledOn, self.reference, self.offset) = (settledOn, reference, offset)
    }

    public init(from decoder: any Decoder) throws {
        let form = try decoder.container(keyedBy: CodingKeys.self)
        settledOn = try form.text(.settledOn)
        reference = try form.text(.reference)
        offset = try form.text(.offset)
    }

    public func validated(issuedOn: LocalDate, today: LocalDate) -> Result<(settledOn: LocalDate, reference: String, offset: Bool), FieldErrors> {
        var errors = FieldErrors()
        let day = ContractForm.date(settledOn)
        if let day {
            if today < day { errors.add("settledOn", "payment.error.paidInFuture") }
            else if day < issuedOn { errors.add("settledOn", "recovery.error.beforeIssue") }
        } else { errors.add("settledOn", "form.error.date") }
        let text = Text.clean(reference)
        if text == nil { errors.add("reference", "form.error.required") }
        else if text!.count > PaymentForm.maximumReference { errors.add("reference", "form.error.tooLong") }
        guard errors.isEmpty, let day, let text else { return .failure(errors) }
        return .success((day, text, offset == "yes"))
    }
}

/// Where a grant's money stands. Money is never created or lost: what was paid, less what came
/// back, plus what remains to pay, is always the grant.
public struct GrantLedger: Sendable, Equatable {
    public let grantMinorUnits: Int64
    public let paidMinorUnits: Int64
    public let recoveredMinorUnits: Int64
    /// Expenditure shown by approved reports.
    public let reportedMinorUnits: Int64

    public init(grant: Int64, paid: Int64, recovered: Int64, reported: Int64) {
        grantMinorUnits = max(0, grant)
        paidMinorUnits = max(0, paid)
        recoveredMinorUnits = max(0, recovered)
        reportedMinorUnits = max(0, reported)
    }

    /// Paid and not recovered.
    public var netPaidMinorUnits: Int64 { paidMinorUnits.saturatingAdding(-recoveredMinorUnits) }
    /// What the grant still holds: to pay, or (once closed) released.
    public var remainingMinorUnits: Int64 { grantMinorUnits.saturatingAdding(-netPaidMinorUnits) }
    /// Paid and not yet shown as spent by an approved report.
    public var unreportedMinorUnits: Int64 { max(0, netPaidMinorUnits.saturatingAdding(-reportedMinorUnits)) }
}

/// Which tranche a grantee may ask for now. Payments follow the plan in order: the
/// pre-financing once the contract is signed, a further tranche once the report on the
/// period before it is approved, and the balance only at closure (from the final report).
public enum PaymentRule {
    public struct Existing: Sendable, Equatable {
        public let tranche: Int
        public let status: PaymentStatus

        public init(tranche: Int, status: PaymentStatus) {
            self.tranche = tranche
            self.status = status
        }
    }

    public static func nextRequest(contract: ContractStatus, tranches: [PlannedTranche], payments: [Existing],
                                   approvedInterimReports: Int) -> Result<PlannedTranche, WorkflowRefusal> {
        guard contract == .signed || contract == .inImplementation else { return .failure(WorkflowRefusal("payment.error.contractNotRunning")) }
        if payments.contains(where: { $0.status != .paid }) { return .failure(WorkflowRefusal("payment.error.open")) }
        let paid = Set(payments.map(\.tranche))
        guard let next = tranches.first(where: { !paid.contains($0.number) }) else { return .failure(WorkflowRefusal("payment.error.allPaid")) }
        switch next.kind {
        case .preFinancing: return .success(next)
        case .furtherPreFinancing:
            // Tranche n follows the report on period n − 1.
            return approvedInterimReports >= next.number - 1 ? .success(next) : .failure(WorkflowRefusal("payment.error.reportFirst"))
        case .balance: return .failure(WorkflowRefusal("payment.error.balanceAtClosure"))
        }
    }
}

/// A payment as the finance officer records it: the day, the amount and the bank's reference.
public struct PaymentForm: Codable, Sendable, Equatable {
    public var paidOn = ""
    public var amount = ""
    public var bankReference = ""

    public init(paidOn: String = "", amount: String = "", bankReference: String = "") {
        (self.paidOn, self.amount, self.bankReference) = (paidOn, amount, bankReference)
    }

    public init(from decoder: any Decoder) throws {
        let form = try decoder.container(keyedBy: CodingKeys.self)
        paidOn = try form.text(.paidOn)
        amount = try form.text(.amount)
        bankReference = try form.text(.bankReference)
    }

    public static let maximumReference = 60

    /// Not in the future, not before the approval; never more than approved; a reference.
    public func validated(approvedMinorUnits: Int64, approvedOn: LocalDate, today: LocalDate, currency: String)
        -> Result<(paidOn: LocalDate, amountMinorUnits: Int64, reference: String), FieldErrors> {
        var errors = FieldErrors()
        let day = ContractForm.date(paidOn)
        if let day {
            if today < day { errors.add("paidOn", "payment.error.paidInFuture") }
            else if day < approvedOn { errors.add("paidOn", "payment.error.paidBeforeApproval") }
        } else { errors.add("paidOn", "form.error.date") }
        let money = Money(parsing: amount, currency: currency)
        if let money {
            if money.minorUnits <= 0 { errors.add("amount", "contract.error.amountZero") }
            else if money.minorUnits > approvedMinorUnits { errors.add("amount", "payment.error.aboveApproved") }
        } else { errors.add("amount", "form.error.amount") }
        let reference = Text.clean(bankReference)
        if reference == nil { errors.add("bankReference", "form.error.required") }
        else if reference!.count > Self.maximumReference { errors.add("bankReference", "form.error.tooLong") }
        guard errors.isEmpty, let day, let money, let reference else { return .failure(errors) }
        return .success((day, money.minorUnits, reference))
    }
}
