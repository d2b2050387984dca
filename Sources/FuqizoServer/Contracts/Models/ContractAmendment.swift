import Fluent
import Foundation
import FuqizoCore

/// A request to change a running contract (end date, budget, activities), by the grantee or
/// the grants officer, and its decision.
final class ContractAmendment: Model, @unchecked Sendable {
    static let schema = "contract_amendments"

    // managed fields
    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    // data fields
    @Field(key: "number") var number: Int
    /// Its lifecycle: a value no case names fails to load, never falls back.
    @Enum(key: "status") var status: AmendmentStatus
    /// `AmendmentChanges` as JSON.
    @Field(key: "changes") var changes: String
    @Field(key: "reason") var reason: String
    @Field(key: "requested_on") var requestedOn: String
    @Field(key: "requested_by") var requestedBy: UUID
    /// Asked for by the grantee (otherwise by the programme).
    @Field(key: "by_grantee") var byGrantee: Bool
    @OptionalField(key: "decided_on") var decidedOn: String?
    @OptionalField(key: "decided_by") var decidedBy: UUID?
    @OptionalField(key: "decision_reason") var decisionReason: String?
    /// The contract's version this amendment produced, once approved.
    @OptionalField(key: "version") var version: Int?

    // relationships
    @Parent(key: "contract_id") var contract: GrantContract

    init() {}

    func amendmentChanges() throws -> AmendmentChanges {
        do { return try StoredJSON.decode(AmendmentChanges.self, from: changes) } catch {
            throw StoredDataError(table: Self.schema, column: "changes", id: id)
        }
    }
}

/// A contract's terms as they stood before an amendment replaced them: each version printable.
final class ContractVersion: Model, @unchecked Sendable {
    static let schema = "contract_versions"

    @ID(key: .id) var id: UUID?
    @Field(key: "version") var version: Int
    @Field(key: "amount_minor_units") var amountMinorUnits: Int64
    @Field(key: "start_date") var startDate: String
    @Field(key: "end_date") var endDate: String
    @Field(key: "terms") var terms: String
    @Field(key: "replaced_on") var replacedOn: String
    @Parent(key: "contract_id") var contract: GrantContract

    init() {}
}
