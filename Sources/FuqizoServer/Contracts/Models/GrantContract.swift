import Fluent
import Foundation
import FuqizoCore

/// The grant contract of one award: its amount, dates and terms, where its signature stands,
/// and its lifecycle (`ContractStatus`).
final class GrantContract: Model, @unchecked Sendable {
    static let schema = "grant_contracts"

    // managed fields
    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    // data fields
    /// `GC-2019-01-014`, from the application's reference.
    @Field(key: "number") var number: String
    /// Its lifecycle: a value no case names fails to load, never falls back.
    @Enum(key: "status") var status: ContractStatus
    /// The grantee's language: the contract is printed in it.
    @Field(key: "language") var language: String
    @Field(key: "currency") var currency: String
    @Field(key: "amount_minor_units") var amountMinorUnits: Int64
    @Field(key: "start_date") var startDate: String
    @Field(key: "end_date") var endDate: String
    /// `ContractTerms` as JSON: budget, logframe, rules and schedules.
    @Field(key: "terms") var terms: String
    /// Raised by each approved amendment.
    @Field(key: "version") var version: Int
    @OptionalField(key: "sent_on") var sentOn: String?
    @OptionalField(key: "grantee_signed_on") var granteeSignedOn: String?
    @OptionalField(key: "programme_signed_on") var programmeSignedOn: String?
    /// Why it was suspended or terminated, in the officer's words.
    @OptionalField(key: "status_reason") var statusReason: String?
    @Field(key: "created_by") var createdBy: UUID

    // relationships
    @Parent(key: "application_id") var application: GrantApplication
    @Parent(key: "call_id") var call: GrantCall
    @Parent(key: "lot_id") var lot: CallLot
    @Parent(key: "organisation_id") var organisation: Organisation
    /// The lot's region, kept here so the portfolio filters without a join.
    @OptionalField(key: "region_id") var regionID: UUID?

    init() {}

    var start: LocalDate? { LocalDate(startDate) }
    var end: LocalDate? { LocalDate(endDate) }
    var amount: Money { Money(minorUnits: amountMinorUnits, currency: currency) }
    var printLanguage: Language { Language(rawValue: language) ?? .default }

    /// The terms as stored. A row that cannot be read is a fault to report, never a reason to
    /// show a contract with terms it does not have.
    func contractTerms() throws -> ContractTerms {
        do { return try StoredJSON.decode(ContractTerms.self, from: terms) } catch {
            throw StoredDataError(table: Self.schema, column: "terms", id: id)
        }
    }

    /// What the policy needs to know about this contract.
    var resource: Resource { .contract(ContractAccess(organisationID: $organisation.id, status: status)) }
}

extension AppServices {
    /// An audit entry about a contract: the contract as its target, its number among the details
    /// (so the trail reads "GC-2019-01-014" even after the row is gone).
    func auditContract(_ action: String, _ contract: GrantContract, _ details: [String: String] = [:], actor: UUID, at date: Date,
                       on db: any Database) async throws {
        var details = details
        details["number"] = contract.number
        try await audit.record(.init(action, target: ("contract", contract.id?.uuidString ?? ""), details: details), actor: actor, at: date, on: db)
    }
}
