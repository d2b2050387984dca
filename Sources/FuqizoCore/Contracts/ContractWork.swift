import Foundation

/// What grant contracts ask of each person, from plain facts about them.
public enum ContractWork {
    public struct Contract: Sendable {
        public let id: UUID
        /// The contract's number (`GC-2019-01-014`), never the grantee's name.
        public let number: String
        public let status: ContractStatus
        /// The day it was sent for signature.
        public let sentOn: LocalDate?
        /// Payment requests made so far.
        public let payments: Int

        public init(id: UUID, number: String, status: ContractStatus, sentOn: LocalDate?, payments: Int = 0) {
            (self.id, self.number, self.status, self.sentOn, self.payments) = (id, number, status, sentOn, payments)
        }
    }

    /// A payment request waiting for someone.
    public struct Payment: Sendable {
        public let contract: UUID
        /// The contract's number.
        public let number: String
        public let status: PaymentStatus
        /// The day it reached its present step.
        public let since: LocalDate

        public init(contract: UUID, number: String, status: PaymentStatus, since: LocalDate) {
            (self.contract, self.number, self.status, self.since) = (contract, number, status, since)
        }
    }

    /// Days each step of a payment should take.
    public static let paymentStepDays = 10

    /// The grants officer checks payment requests.
    public static func checks(_ payments: [Payment]) -> [WorkItem] {
        payments.filter { $0.status == .requested }.map { payment in
            WorkItem("work.checkPayment", reference: payment.number, due: payment.since.adding(days: paymentStepDays),
                     link: WorkLink("contract", payment.contract.uuidString), section: "nav.contracts")
        }
    }

    /// The finance officer approves checked requests and records approved ones as paid.
    public static func finance(_ payments: [Payment]) -> [WorkItem] {
        payments.compactMap { payment in
            let kind: String
            switch payment.status {
            case .checked: kind = "work.approvePayment"
            case .approved: kind = "work.recordPayment"
            default: return nil
            }
            return WorkItem(kind, reference: payment.number, due: payment.since.adding(days: paymentStepDays),
                            link: WorkLink("contract", payment.contract.uuidString), section: "nav.contracts")
        }
    }

    /// An amendment request waiting for the grants officer's decision.
    public struct Amendment: Sendable {
        public let contract: UUID
        /// The contract's number.
        public let number: String
        public let amendment: Int
        public let requestedOn: LocalDate

        public init(contract: UUID, number: String, amendment: Int, requestedOn: LocalDate) {
            (self.contract, self.number, self.amendment, self.requestedOn) = (contract, number, amendment, requestedOn)
        }
    }

    /// Days the grants officer takes to decide an amendment request.
    public static let amendmentDecisionDays = 14

    /// The grants officer approves or refuses each amendment request.
    public static func amendments(_ requests: [Amendment]) -> [WorkItem] {
        requests.map { request in
            WorkItem("work.decideAmendment", reference: "\(request.number) · \(request.amendment)",
                     due: request.requestedOn.adding(days: amendmentDecisionDays),
                     link: WorkLink("contract", request.contract.uuidString), section: "nav.contracts")
        }
    }

    /// Days the grantee has to sign and send back a contract.
    public static let signatureDays = 14

    /// Awards without a contract yet, per call.
    public struct Awards: Sendable {
        public let call: UUID
        public let reference: String
        public let withoutContract: Int

        public init(call: UUID, reference: String, withoutContract: Int) {
            (self.call, self.reference, self.withoutContract) = (call, reference, withoutContract)
        }
    }

    /// The grants officer prepares the contracts of awards, sends drafts, and records the
    /// signatures of contracts sent.
    public static func officer(_ contracts: [Contract], awards: [Awards]) -> [WorkItem] {
        var items = awards.filter { $0.withoutContract > 0 }.map { call in
            WorkItem("work.prepareContracts", reference: call.reference, count: call.withoutContract,
                     link: WorkLink("callApplications", call.call.uuidString), section: "nav.contracts")
        }
        for contract in contracts {
            let link = WorkLink("contract", contract.id.uuidString)
            switch contract.status {
            case .draft:
                items.append(WorkItem("work.sendContract", reference: contract.number, link: link, section: "nav.contracts", announced: false))
            case .sentForSignature:
                items.append(WorkItem("work.recordSignatures", reference: contract.number,
                                      due: contract.sentOn?.adding(days: signatureDays), link: link, section: "nav.contracts"))
            default:
                break
            }
        }
        return items
    }

    /// A CSO signs the contracts sent to it, asks for the pre-financing once signed, and
    /// corrects a payment request returned to it.
    public static func grantee(_ contracts: [Contract], returned: [Payment] = []) -> [WorkItem] {
        var items: [WorkItem] = []
        for contract in contracts {
            let link = WorkLink("contract", contract.id.uuidString)
            if contract.status == .sentForSignature {
                items.append(WorkItem("work.signContract", reference: contract.number, due: contract.sentOn?.adding(days: signatureDays),
                                      link: link, section: "nav.myGrants"))
            } else if contract.status == .signed, contract.payments == 0 {
                items.append(WorkItem("work.requestPreFinancing", reference: contract.number, link: link, section: "nav.myGrants"))
            }
        }
        items += returned.filter { $0.status == .returned }.map { payment in
            WorkItem("work.paymentReturned", reference: payment.number, link: WorkLink("contract", payment.contract.uuidString), section: "nav.myGrants")
        }
        return items
    }

    /// A contract's report, as work lists need it.
    public struct Report: Sendable {
        public let contract: UUID
        /// The contract's number.
        public let number: String
        public let report: Int
        public let status: ReportStatus
        public let due: LocalDate
        /// The first reminder's day (the contract's reminder setting before the due date).
        public let remindFrom: LocalDate

        public init(contract: UUID, number: String, report: Int, status: ReportStatus, due: LocalDate, remindFrom: LocalDate) {
            (self.contract, self.number, self.report, self.status, self.due, self.remindFrom) = (contract, number, report, status, due, remindFrom)
        }

        var link: WorkLink { WorkLink("report", contract.uuidString, String(report)) }
        var reference: String { "\(number) · \(report)" }
    }

    /// The grantee writes each report from the reminder window before its due date, and
    /// corrects a returned one at once.
    public static func reporting(_ reports: [Report], today: LocalDate) -> [WorkItem] {
        reports.compactMap { report in
            switch report.status {
            case .returned:
                return WorkItem("work.correctReport", reference: report.reference, due: report.due, link: report.link, section: "nav.myGrants")
            case .draft where today >= report.remindFrom:
                return WorkItem("work.submitReport", reference: report.reference, due: report.due, link: report.link, section: "nav.myGrants")
            default:
                return nil
            }
        }
    }

    /// The grants officer reviews submitted reports.
    public static func reviews(_ reports: [Report]) -> [WorkItem] {
        reports.filter { $0.status == .submitted }.map { report in
            WorkItem("work.reviewReport", reference: report.reference, link: report.link, section: "nav.contracts")
        }
    }
}
