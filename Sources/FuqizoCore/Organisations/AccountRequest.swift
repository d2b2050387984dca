import Foundation

/// An organisation asking for an account on the public page: who it is (name, NUIS,
/// municipality) and whom to invite. A grants officer checks it against the registry and
/// approves it (the contact is invited as the organisation's CSO user) or refuses it, saying why.
public struct AccountRequestForm: Codable, Sendable, Equatable {
    public var organisationName = ""
    public var registrationNumber = ""
    public var municipalityID = ""
    public var contactName = ""
    public var email = ""
    public var phone = ""
    public var message = ""

    public static let maximumText = 200
    public static let maximumMessage = 1_000

    public init() {}

    public init(from decoder: any Decoder) throws {
        let form = try decoder.container(keyedBy: CodingKeys.self)
        organisationName = try form.text(.organisationName)
        registrationNumber = try form.text(.registrationNumber)
        municipalityID = try form.text(.municipalityID)
        contactName = try form.text(.contactName)
        email = try form.text(.email)
        phone = try form.text(.phone)
        message = try form.text(.message)
    }

    /// What may be stored: every field bounded, the NUIS in its registry form, the address plausible.
    public func validated(municipalities: Set<UUID>) -> Result<AccountRequestDraft, FieldErrors> {
        var errors = FieldErrors()
        func bounded(_ value: String, _ field: String, required: Bool, limit: Int = Self.maximumText) -> String? {
            guard let text = Text.clean(value) else {
                if required { errors.add(field, "form.error.required") }
                return nil
            }
            guard text.count <= limit else {
                errors.add(field, "form.error.tooLong")
                return nil
            }
            return text
        }
        let name = bounded(organisationName, "organisationName", required: true)
        let nuis = NUIS.normalised(registrationNumber)
        if !NUIS.isValid(nuis) { errors.add("registrationNumber", "cso.error.nuis") }
        let municipality = UUID(uuidString: municipalityID).flatMap { municipalities.contains($0) ? $0 : nil }
        if municipality == nil { errors.add("municipalityID", "form.error.choose") }
        let contact = bounded(contactName, "contactName", required: true)
        let address = Text.normalisedEmail(email)
        if !Text.isEmail(address) { errors.add("email", "form.error.email") }
        let phoneNumber = bounded(phone, "phone", required: false, limit: 40)
        let note = bounded(message, "message", required: false, limit: Self.maximumMessage)
        guard errors.isEmpty, let name, let municipality, let contact else { return .failure(errors) }
        return .success(AccountRequestDraft(organisationName: name, registrationNumber: nuis, municipalityID: municipality,
                                            contactName: contact, email: address, phone: phoneNumber, message: note))
    }
}

public struct AccountRequestDraft: Sendable, Equatable {
    public let organisationName: String
    public let registrationNumber: String
    public let municipalityID: UUID
    public let contactName: String
    public let email: String
    public let phone: String?
    public let message: String?
}

/// A request's life: it waits, then is approved (an invitation went out) or refused.
public enum AccountRequestStatus: String, CaseIterable, Codable, Sendable {
    case pending, approved, refused

    public var catalogKey: String { "accountRequest.status.\(rawValue)" }
}

/// Why an approval cannot go ahead yet, as the officer's page says it.
public enum AccountRequestRule {
    /// Approving invites the contact into a registered organisation: the NUIS must be in the
    /// registry first (the officer registers it after checking the national register).
    public static func approvalProblem(status: AccountRequestStatus, inRegistry: Bool, emailTaken: Bool) -> String? {
        if status != .pending { return "accountRequest.error.decided" }
        if !inRegistry { return "accountRequest.error.notInRegistry" }
        if emailTaken { return "accountRequest.error.emailTaken" }
        return nil
    }
}

/// The registry's work: requests for an account waiting for a grants officer.
public enum OrganisationWork {
    public static func officer(pendingRequests: Int, oldest: LocalDate?) -> [WorkItem] {
        guard pendingRequests > 0 else { return [] }
        return [WorkItem("work.accountRequests", reference: "", due: oldest?.adding(days: AccountRequestRule.answerDays), count: pendingRequests,
                         link: WorkLink("accountRequests"), section: "nav.organisations")]
    }
}

extension AccountRequestRule {
    /// A request is answered within this many days.
    public static let answerDays = 5
}
