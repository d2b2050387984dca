import Fluent
import Foundation
import FuqizoCore

/// A member of a CSO whom trainings are for (staff, board, volunteers), kept by the CSO's users
/// and the programme's staff. Not a survivor: this table never joins the survivors'.
final class CsoPerson: Model, @unchecked Sendable {
    static let schema = "cso_people"

    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    @Field(key: "name") var name: String
    @Field(key: "role") var role: String
    @OptionalField(key: "email") var email: String?
    @OptionalField(key: "phone") var phone: String?
    @Enum(key: "sex") var sex: PersonSex
    @Enum(key: "age_band") var ageBand: AgeBand
    /// Off the list (left the CSO), kept for the registrations and certificates that name them.
    @Field(key: "archived") var archived: Bool
    @Parent(key: "organisation_id") var organisation: Organisation

    init() {}
}
