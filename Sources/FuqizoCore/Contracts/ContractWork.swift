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

        public init(id: UUID, number: String, status: ContractStatus, sentOn: LocalDate?) {
            (self.id, self.number, self.status, self.sentOn) = (id, number, status, sentOn)
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

    /// A CSO signs the contracts sent to it and sends them back.
    public static func grantee(_ contracts: [Contract]) -> [WorkItem] {
        contracts.filter { $0.status == .sentForSignature }.map { contract in
            WorkItem("work.signContract", reference: contract.number, due: contract.sentOn?.adding(days: signatureDays),
                     link: WorkLink("contract", contract.id.uuidString), section: "nav.myGrants")
        }
    }
}
