import Fluent
import Foundation
import FuqizoCore

/// A civil society organisation in the registry.
final class Organisation: Model, @unchecked Sendable {
    static let schema = "organisations"

    // managed fields
    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    // data fields
    @Field(key: "name_sq") var nameSq: String
    @OptionalField(key: "name_en") var nameEn: String?
    /// Both names folded to lower case without diacritics, for portable searching.
    @Field(key: "search_key") var searchKey: String
    @Field(key: "legal_form") var legalForm: String
    @Field(key: "registration_number") var registrationNumber: String
    @OptionalField(key: "founding_year") var foundingYear: Int?
    @OptionalField(key: "email") var email: String?
    @OptionalField(key: "phone") var phone: String?
    @OptionalField(key: "address") var address: String?
    @OptionalField(key: "website") var website: String?
    @OptionalField(key: "contact_person") var contactPerson: String?
    @OptionalField(key: "staff_count") var staffCount: Int?
    @OptionalField(key: "volunteer_count") var volunteerCount: Int?
    @Enum(key: "status") var status: OrganisationStatus
    @OptionalField(key: "bank_name") var bankName: String?
    @OptionalField(key: "iban") var iban: String?
    @OptionalField(key: "account_holder") var accountHolder: String?

    // relationships
    @Parent(key: "municipality_id") var municipality: Municipality
    @Children(for: \.$organisation) var focusAreas: [OrganisationFocusArea]

    init() {}
}

final class OrganisationFocusArea: Model, @unchecked Sendable {
    static let schema = "organisation_focus_areas"

    // managed fields
    @ID(key: .id) var id: UUID?

    // data fields
    @Field(key: "area") var area: String

    // relationships
    @Parent(key: "organisation_id") var organisation: Organisation

    init() {}

    init(organisationID: UUID, area: FocusArea) {
        self.$organisation.id = organisationID
        self.area = area.rawValue
    }
}
