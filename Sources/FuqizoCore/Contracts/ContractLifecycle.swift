import Foundation

// A grant contract and the records that hang from it, as explicit state machines. The server
// asks these before it writes, and the pages ask them what to offer.

// MARK: a contract

public enum ContractStatus: String, CaseIterable, Codable, Sendable {
    /// Generated from the award; the officer may still correct it.
    case draft
    /// Sent to the grantee; waiting for both signatures and the signed scan.
    case sentForSignature
    /// Signed by both parties: the pre-financing may be requested.
    case signed
    /// The first payment is made: activities run, reports fall due.
    case inImplementation
    /// The final report is approved: the final payment or recovery is settled next.
    case finalReportApproved
    /// Settled and locked.
    case closed
    /// Paused by the programme (for a reason), to resume or terminate.
    case suspended
    /// Ended early by the programme (for a reason); locked.
    case terminated

    public var catalogKey: String { "contract.status.\(rawValue)" }

    /// Nothing changes any more.
    public var isLocked: Bool { self == .closed || self == .terminated }

    /// Signed and not ended: money moves and reports are due.
    public var isRunning: Bool { self == .signed || self == .inImplementation || self == .finalReportApproved }
}

public enum ContractEvent: Sendable, Equatable {
    /// Correct the terms of a draft.
    case edit
    case sendForSignature
    /// Take back a contract sent for signature, to correct it.
    case recall
    /// Both signature dates and the signed scan are recorded.
    case sign
    /// The first tranche is paid.
    case startImplementation
    case approveFinalReport
    /// The final payment is made, or the recovery settled.
    case close
    case suspend
    case resume
    case terminate
    /// An approved amendment changes the terms of a running contract.
    case amend
}

extension ContractStatus: Lifecycle {
    public func after(_ event: ContractEvent) -> Result<ContractStatus, WorkflowRefusal> {
        switch (self, event) {
        case (.draft, .edit): .success(.draft)
        case (_, .edit): .failure(WorkflowRefusal("contract.error.notDraft"))
        case (.draft, .sendForSignature): .success(.sentForSignature)
        case (_, .sendForSignature): .failure(WorkflowRefusal("contract.error.notDraft"))
        case (.sentForSignature, .recall): .success(.draft)
        case (_, .recall): .failure(WorkflowRefusal("contract.error.notSent"))
        case (.sentForSignature, .sign): .success(.signed)
        case (_, .sign): .failure(WorkflowRefusal("contract.error.notSent"))
        case (.signed, .startImplementation): .success(.inImplementation)
        case (_, .startImplementation): .failure(WorkflowRefusal("contract.error.notSigned"))
        case (.inImplementation, .approveFinalReport): .success(.finalReportApproved)
        case (_, .approveFinalReport): .failure(WorkflowRefusal("contract.error.notInImplementation"))
        case (.finalReportApproved, .close): .success(.closed)
        case (_, .close): .failure(WorkflowRefusal("contract.error.finalReportNotApproved"))
        case (.signed, .suspend), (.inImplementation, .suspend): .success(.suspended)
        case (_, .suspend): .failure(WorkflowRefusal("contract.error.notRunning"))
        case (.suspended, .resume): .success(.inImplementation)
        case (_, .resume): .failure(WorkflowRefusal("contract.error.notSuspended"))
        case (.sentForSignature, .terminate), (.signed, .terminate), (.inImplementation, .terminate), (.suspended, .terminate):
            .success(.terminated)
        case (_, .terminate): .failure(WorkflowRefusal("contract.error.cannotTerminate"))
        case (.signed, .amend), (.inImplementation, .amend), (.suspended, .amend): .success(self)
        case (_, .amend): .failure(WorkflowRefusal("contract.error.notRunning"))
        }
    }
}

// MARK: a payment request

public enum PaymentStatus: String, CaseIterable, Codable, Sendable {
    /// Asked for by the grantee; the grants officer checks it.
    case requested
    /// Checked by the grants officer; the finance officer approves it.
    case checked
    /// Approved by the finance officer; waiting for the bank transfer.
    case approved
    /// Paid: date, amount and bank reference recorded.
    case paid
    /// Sent back to the grantee with reasons; the grantee may correct and ask again.
    case returned

    public var catalogKey: String { "payment.status.\(rawValue)" }
}

public enum PaymentEvent: Sendable, Equatable {
    case check
    case approve
    case pay
    /// Send back with reasons, at any step before payment.
    case returnToGrantee
    case resubmit
}

extension PaymentStatus: Lifecycle {
    public func after(_ event: PaymentEvent) -> Result<PaymentStatus, WorkflowRefusal> {
        switch (self, event) {
        case (.requested, .check): .success(.checked)
        case (_, .check): .failure(WorkflowRefusal("payment.error.notRequested"))
        case (.checked, .approve): .success(.approved)
        case (_, .approve): .failure(WorkflowRefusal("payment.error.notChecked"))
        case (.approved, .pay): .success(.paid)
        case (_, .pay): .failure(WorkflowRefusal("payment.error.notApproved"))
        case (.requested, .returnToGrantee), (.checked, .returnToGrantee), (.approved, .returnToGrantee): .success(.returned)
        case (_, .returnToGrantee): .failure(WorkflowRefusal("payment.error.cannotReturn"))
        case (.returned, .resubmit): .success(.requested)
        case (_, .resubmit): .failure(WorkflowRefusal("payment.error.notReturned"))
        }
    }
}

// MARK: a report

public enum ReportStatus: String, CaseIterable, Codable, Sendable {
    /// Written by the grantee, not yet sent.
    case draft
    case submitted
    /// Sent back with comments; the grantee corrects it as a draft again.
    case returned
    case approved

    public var catalogKey: String { "report.status.\(rawValue)" }
}

public enum ReportEvent: Sendable, Equatable {
    case edit
    case submit
    case returnForChanges
    case approve
}

extension ReportStatus: Lifecycle {
    public func after(_ event: ReportEvent) -> Result<ReportStatus, WorkflowRefusal> {
        switch (self, event) {
        case (.draft, .edit), (.returned, .edit): .success(self)
        case (_, .edit): .failure(WorkflowRefusal("report.error.submitted"))
        case (.draft, .submit), (.returned, .submit): .success(.submitted)
        case (_, .submit): .failure(WorkflowRefusal("report.error.submitted"))
        case (.submitted, .returnForChanges): .success(.returned)
        case (_, .returnForChanges): .failure(WorkflowRefusal("report.error.notSubmitted"))
        case (.submitted, .approve): .success(.approved)
        case (_, .approve): .failure(WorkflowRefusal("report.error.notSubmitted"))
        }
    }
}

// MARK: an amendment

public enum AmendmentStatus: String, CaseIterable, Codable, Sendable {
    case requested
    case approved
    case refused

    public var catalogKey: String { "amendment.status.\(rawValue)" }
}

public enum AmendmentEvent: Sendable, Equatable {
    case approve
    case refuse
}

extension AmendmentStatus: Lifecycle {
    public func after(_ event: AmendmentEvent) -> Result<AmendmentStatus, WorkflowRefusal> {
        switch (self, event) {
        case (.requested, .approve): .success(.approved)
        case (.requested, .refuse): .success(.refused)
        case (_, .approve), (_, .refuse): .failure(WorkflowRefusal("amendment.error.decided"))
        }
    }
}

// MARK: a recovery order

public enum RecoveryStatus: String, CaseIterable, Codable, Sendable {
    case issued
    /// The grantee paid the amount back.
    case paid
    /// Set against another amount the programme owes the grantee.
    case offset

    public var catalogKey: String { "recovery.status.\(rawValue)" }
}

public enum RecoveryEvent: Sendable, Equatable {
    case settle(offset: Bool)
}

extension RecoveryStatus: Lifecycle {
    public func after(_ event: RecoveryEvent) -> Result<RecoveryStatus, WorkflowRefusal> {
        switch (self, event) {
        case (.issued, .settle(let offset)): .success(offset ? .offset : .paid)
        case (_, .settle): .failure(WorkflowRefusal("recovery.error.settled"))
        }
    }
}
