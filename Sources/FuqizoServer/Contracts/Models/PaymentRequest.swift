import Fluent
import Foundation
import FuqizoCore

/// A grantee's request for one tranche of its contract, and each step it went through:
/// the grants officer's check, the finance officer's approval and the payment itself.
final class PaymentRequest: Model, @unchecked Sendable {
    static let schema = "payment_requests"

    // managed fields
    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    // data fields
    /// The tranche of the contract's plan it asks for (1, 2, …).
    @Field(key: "tranche") var tranche: Int
    @Enum(key: "kind") var kind: PlannedTranche.Kind
    /// Its lifecycle: a value no case names fails to load, never falls back.
    @Enum(key: "status") var status: PaymentStatus
    @Field(key: "planned_minor_units") var plannedMinorUnits: Int64
    /// What may be paid: the plan, less any reduction the rules make (`FurtherTranche`).
    @Field(key: "requested_minor_units") var requestedMinorUnits: Int64
    /// Why it is less than planned: the unspent amount and the cap, as JSON.
    @OptionalField(key: "reduction") var reduction: String?
    @Field(key: "requested_on") var requestedOn: String
    @Field(key: "requested_by") var requestedBy: UUID
    @OptionalField(key: "checked_on") var checkedOn: String?
    @OptionalField(key: "checked_by") var checkedBy: UUID?
    @OptionalField(key: "approved_on") var approvedOn: String?
    @OptionalField(key: "approved_by") var approvedBy: UUID?
    @OptionalField(key: "paid_on") var paidOn: String?
    @OptionalField(key: "paid_minor_units") var paidMinorUnits: Int64?
    @OptionalField(key: "bank_reference") var bankReference: String?
    @OptionalField(key: "paid_by") var paidBy: UUID?
    /// Why it was last sent back to the grantee.
    @OptionalField(key: "return_reason") var returnReason: String?

    // relationships
    @Parent(key: "contract_id") var contract: GrantContract

    init() {}

    /// The day it reached its present step.
    var since: String { [paidOn, approvedOn, checkedOn].compactMap { $0 }.first ?? requestedOn }
}
