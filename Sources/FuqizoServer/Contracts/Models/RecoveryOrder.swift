import Fluent
import Foundation
import FuqizoCore

/// What a grantee owes back at closure, when it was paid more than its eligible spending.
final class RecoveryOrder: Model, @unchecked Sendable {
    static let schema = "recovery_orders"

    // managed fields
    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    // data fields
    @Field(key: "amount_minor_units") var amountMinorUnits: Int64
    /// Its lifecycle: a value no case names fails to load, never falls back.
    @Enum(key: "status") var status: RecoveryStatus
    @Field(key: "issued_on") var issuedOn: String
    @Field(key: "issued_by") var issuedBy: UUID
    @OptionalField(key: "settled_on") var settledOn: String?
    @OptionalField(key: "settled_by") var settledBy: UUID?
    @OptionalField(key: "reference") var reference: String?

    // relationships
    @Parent(key: "contract_id") var contract: GrantContract

    init() {}
}
