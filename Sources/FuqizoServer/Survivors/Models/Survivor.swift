import Fluent
import Foundation
import FuqizoCore

/// A survivor's record, held by one organisation and known by its code. Identity fields are
/// ciphertext under the survivor's data key; everything in clear is non-identifying.
final class Survivor: Model, @unchecked Sendable {
    static let schema = "survivors"

    // managed fields
    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    // data fields
    @Field(key: "code") var code: String
    /// Open or closed (`CaseStatus`): a value no case names fails to load, never falls back.
    @Enum(key: "status") var status: CaseStatus
    @OptionalField(key: "year_of_birth") var yearOfBirth: Int?
    @Field(key: "sex") var sex: String
    @OptionalField(key: "municipality_id") var municipalityID: UUID?
    @Field(key: "harm") var harm: String
    @Field(key: "referral_source") var referralSource: String
    /// `domain=answer` pairs of the Washington Group short set.
    @Field(key: "washington_group") var washingtonGroup: String
    @Field(key: "has_disability") var hasDisability: Bool
    /// Keyed hash of the normalised name and birth date, for the duplicate check.
    @OptionalField(key: "duplicate_key") var duplicateKey: String?
    @OptionalField(key: "first_name_sealed") var firstNameSealed: Data?
    @OptionalField(key: "last_name_sealed") var lastNameSealed: Data?
    @OptionalField(key: "birth_date_sealed") var birthDateSealed: Data?
    @OptionalField(key: "phone_sealed") var phoneSealed: Data?
    @OptionalField(key: "address_sealed") var addressSealed: Data?
    @OptionalField(key: "id_number_sealed") var idNumberSealed: Data?
    @OptionalField(key: "emergency_contact_sealed") var emergencyContactSealed: Data?
    @Field(key: "opened_at") var openedAt: Date
    @OptionalField(key: "closed_at") var closedAt: Date?
    @OptionalField(key: "closure_reason") var closureReason: String?
    @OptionalField(key: "identity_destroyed_at") var identityDestroyedAt: Date?
    @OptionalField(key: "created_by") var createdBy: UUID?

    // relationships
    @Parent(key: "organisation_id") var organisation: Organisation
    @Parent(key: "region_id") var region: ProgrammeRegion

    init() {}


    /// The ciphertext column of each identity field.
    func sealed(_ field: IdentityField) -> Data? {
        switch field {
        case .firstName: firstNameSealed
        case .lastName: lastNameSealed
        case .birthDate: birthDateSealed
        case .phone: phoneSealed
        case .address: addressSealed
        case .idNumber: idNumberSealed
        case .emergencyContact: emergencyContactSealed
        }
    }

    /// An identity field opened with the survivor's data key; nil when it was left empty.
    func opened(_ field: IdentityField, with key: SurvivorDataKey) throws -> String? {
        try sealed(field).map { try key.open($0, survivor: requireID(), field: field.rawValue) }
    }

    func setSealed(_ field: IdentityField, _ value: Data?) {
        switch field {
        case .firstName: firstNameSealed = value
        case .lastName: lastNameSealed = value
        case .birthDate: birthDateSealed = value
        case .phone: phoneSealed = value
        case .address: addressSealed = value
        case .idNumber: idNumberSealed = value
        case .emergencyContact: emergencyContactSealed = value
        }
    }

    var washingtonGroupAnswers: [WashingtonGroup.Domain: WashingtonGroup.Answer] {
        var answers: [WashingtonGroup.Domain: WashingtonGroup.Answer] = [:]
        for pair in washingtonGroup.split(separator: ";") {
            let parts = pair.split(separator: "=").map(String.init)
            if parts.count == 2, let domain = WashingtonGroup.Domain(rawValue: parts[0]), let answer = WashingtonGroup.Answer(rawValue: parts[1]) {
                answers[domain] = answer
            }
        }
        return answers
    }
}

/// A survivor's data key, wrapped by the key derived from the master key. Deleting the row
/// is crypto-shredding: every ciphertext of that survivor, in any copy, stays unreadable.
final class SurvivorKey: Model, @unchecked Sendable {
    static let schema = "survivor_keys"

    // managed fields
    @ID(custom: "survivor_id", generatedBy: .user) var id: UUID?

    // data fields
    @Field(key: "wrapped_key") var wrappedKey: Data
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(survivorID: UUID, wrappedKey: Data, createdAt: Date) {
        self.id = survivorID
        self.wrappedKey = wrappedKey
        self.createdAt = createdAt
    }
}

/// One consent as the form recorded it, withdrawn or not.
final class SurvivorConsent: Model, @unchecked Sendable {
    static let schema = "survivor_consents"

    // managed fields
    @ID(key: .id) var id: UUID?

    // data fields
    @Field(key: "purpose") var purpose: String
    @OptionalField(key: "recipient_organisation_id") var recipientOrganisationID: UUID?
    /// For a referral: the identity fields the receiver may see, comma-separated.
    @OptionalField(key: "shared_fields") var sharedFields: String?
    @Field(key: "form_version") var formVersion: String
    @OptionalField(key: "interpreter_sealed") var interpreterSealed: Data?
    @OptionalField(key: "witness_sealed") var witnessSealed: Data?
    @Field(key: "given_at") var givenAt: Date
    @Field(key: "recorded_by") var recordedBy: UUID
    @OptionalField(key: "withdrawn_at") var withdrawnAt: Date?
    @OptionalField(key: "withdrawn_by") var withdrawnBy: UUID?

    // relationships
    @Parent(key: "survivor_id") var survivor: Survivor

    init() {}

    var sharedIdentityFields: [IdentityField] {
        (sharedFields ?? "").split(separator: ",").compactMap { IdentityField(rawValue: String($0)) }
    }

    var record: ConsentRecord? {
        ConsentPurpose(rawValue: purpose).map {
            ConsentRecord(purpose: $0, recipient: recipientOrganisationID, givenAt: givenAt, withdrawnAt: withdrawnAt)
        }
    }
}

/// A case note: its text is ciphertext under the survivor's data key.
final class SurvivorNote: Model, @unchecked Sendable {
    static let schema = "survivor_notes"

    // managed fields
    @ID(key: .id) var id: UUID?

    // data fields
    @Field(key: "author_id") var authorID: UUID
    @Field(key: "written_at") var writtenAt: Date
    @Field(key: "body_sealed") var bodySealed: Data

    // relationships
    @Parent(key: "survivor_id") var survivor: Survivor

    init() {}
}

/// A record found, at its intake, to be about the same person as an earlier record of another
/// organisation: the person is the earliest such record.
final class SurvivorMatch: Model, @unchecked Sendable {
    static let schema = "survivor_matches"

    // managed fields
    @ID(custom: "survivor_id", generatedBy: .user) var id: UUID?

    // data fields
    @Field(key: "person_id") var personID: UUID
    @Field(key: "recorded_at") var recordedAt: Date

    init() {}

    init(survivorID: UUID, personID: UUID, recordedAt: Date) {
        self.id = survivorID
        self.personID = personID
        self.recordedAt = recordedAt
    }
}

/// One intake submitted through the page by one person: counted for the hourly limit.
final class IntakeCheck: Model, @unchecked Sendable {
    static let schema = "intake_checks"

    // managed fields
    @ID(key: .id) var id: UUID?

    // data fields
    @Field(key: "user_id") var userID: UUID
    @Field(key: "checked_at") var checkedAt: Date

    init() {}

    init(userID: UUID, checkedAt: Date) {
        self.userID = userID
        self.checkedAt = checkedAt
    }
}
