import Foundation

/// Non-identifying attributes kept in clear for statistics.
public enum SurvivorSex: String, CaseIterable, Codable, Sendable {
    case female, male, undisclosed

    public var catalogKey: String { "survivor.sex.\(rawValue)" }
}

public enum HarmKind: String, CaseIterable, Codable, Sendable {
    case trafficking, domesticViolence, both

    public var catalogKey: String { "survivor.harm.\(rawValue)" }
}

public enum ReferralSource: String, CaseIterable, Codable, Sendable {
    case police, socialServices, ngo, shelter, health, school, family, selfReferral, other

    public var catalogKey: String { "survivor.source.\(rawValue)" }
}

public enum CaseStatus: String, CaseIterable, Codable, Sendable {
    case open, closed

    public var catalogKey: String { "survivor.status.\(rawValue)" }
}

public enum ClosureReason: String, CaseIterable, Codable, Sendable {
    case goalsAchieved, employed, movedAway, noContact, referredElsewhere, declinedServices, erasureRequested, other

    public var catalogKey: String { "survivor.closure.\(rawValue)" }
}

/// The identity and contact fields: encrypted with the survivor's data key, one ciphertext a
/// field, each bound to the survivor and its field name.
public enum IdentityField: String, CaseIterable, Codable, Sendable {
    case firstName, lastName, birthDate, phone, address, idNumber, emergencyContact

    public var catalogKey: String { "survivor.field.\(rawValue)" }
}

/// The intake form as typed: every field text, so that a refused form comes back as it was.
public struct SurvivorIntakeForm: Codable, Sendable {
    public var firstName = ""
    public var lastName = ""
    public var birthDate = ""
    public var yearOfBirth = ""
    public var phone = ""
    public var address = ""
    public var idNumber = ""
    public var emergencyContact = ""
    public var sex = ""
    public var regionID = ""
    public var municipalityID = ""
    public var harm = ""
    public var referralSource = ""
    /// Washington Group answers, by domain.
    public var wgSeeing = "", wgHearing = "", wgWalking = "", wgCognition = "", wgSelfCare = "", wgCommunication = ""
    /// Purposes consented to at intake.
    public var consents: [String] = []
    public var consentFormVersion = ""
    public var interpreter = ""
    public var witness = ""
    /// "yes" once the case worker has seen a possible existing record and confirms a new person.
    public var confirmNew = ""
    /// The organisation the record belongs to, for a case worker of several.
    public var organisationID = ""

    public init() {}

    public init(from decoder: any Decoder) throws {
        let form = try decoder.container(keyedBy: CodingKeys.self)
        firstName = try form.text(.firstName)
        lastName = try form.text(.lastName)
        birthDate = try form.text(.birthDate)
        yearOfBirth = try form.text(.yearOfBirth)
        phone = try form.text(.phone)
        address = try form.text(.address)
        idNumber = try form.text(.idNumber)
        emergencyContact = try form.text(.emergencyContact)
        sex = try form.text(.sex)
        regionID = try form.text(.regionID)
        municipalityID = try form.text(.municipalityID)
        harm = try form.text(.harm)
        referralSource = try form.text(.referralSource)
        wgSeeing = try form.text(.wgSeeing)
        wgHearing = try form.text(.wgHearing)
        wgWalking = try form.text(.wgWalking)
        wgCognition = try form.text(.wgCognition)
        wgSelfCare = try form.text(.wgSelfCare)
        wgCommunication = try form.text(.wgCommunication)
        consents = try form.list(.consents)
        consentFormVersion = try form.text(.consentFormVersion)
        interpreter = try form.text(.interpreter)
        witness = try form.text(.witness)
        confirmNew = try form.text(.confirmNew)
        organisationID = try form.text(.organisationID)
    }

    /// The form field of each Washington Group domain.
    public static let washingtonGroupFields: [(field: String, domain: WashingtonGroup.Domain)] = [
        ("wgSeeing", .seeing), ("wgHearing", .hearing), ("wgWalking", .walking),
        ("wgCognition", .cognition), ("wgSelfCare", .selfCare), ("wgCommunication", .communication),
    ]

    public func washingtonGroupAnswer(_ field: String) -> String {
        switch field {
        case "wgSeeing": wgSeeing
        case "wgHearing": wgHearing
        case "wgWalking": wgWalking
        case "wgCognition": wgCognition
        case "wgSelfCare": wgSelfCare
        default: wgCommunication
        }
    }

    public func validated(today: LocalDate) -> Result<SurvivorIntake, FieldErrors> {
        var errors = FieldErrors()
        var identity: [IdentityField: String] = [:]
        let limits: [(IdentityField, String, Int)] = [
            (.firstName, firstName, 100), (.lastName, lastName, 100), (.phone, phone, 40), (.address, address, 300),
            (.idNumber, idNumber, 40), (.emergencyContact, emergencyContact, 300),
        ]
        for (field, text, limit) in limits {
            guard let value = Text.clean(text) else { continue }
            if value.count > limit { errors.add(field.rawValue, "form.error.tooLong") }
            identity[field] = value
        }
        if identity[.firstName] == nil { errors.add("firstName", "form.error.required") }
        if let phone = identity[.phone], !phone.allSatisfy({ $0.isNumber || " +-()".contains($0) }) {
            errors.add("phone", "survivor.error.phone")
        }

        var birth: LocalDate?
        if let text = Text.clean(birthDate) {
            if let date = LocalDate(text), !(today < date), today.year - date.year < 120 {
                birth = date
                identity[.birthDate] = date.description
            } else {
                errors.add("birthDate", "survivor.error.birthDate")
            }
        }
        var year = birth?.year
        if let text = Text.clean(yearOfBirth) {
            if let typed = Bounded.integer(text, in: (today.year - 119)...today.year) {
                if let birth, birth.year != typed { errors.add("yearOfBirth", "survivor.error.yearMismatch") }
                year = typed
            } else {
                errors.add("yearOfBirth", "survivor.error.yearOfBirth")
            }
        }

        let sex = SurvivorSex(rawValue: self.sex)
        if sex == nil { errors.add("sex", "form.error.choose") }
        let region = UUID(uuidString: regionID)
        if region == nil { errors.add("regionID", "form.error.choose") }
        let municipality = Text.clean(municipalityID).flatMap(UUID.init(uuidString:))
        if Text.clean(municipalityID) != nil, municipality == nil { errors.add("municipalityID", "form.error.choose") }
        let harm = HarmKind(rawValue: self.harm)
        if harm == nil { errors.add("harm", "form.error.choose") }
        let source = ReferralSource(rawValue: referralSource)
        if source == nil { errors.add("referralSource", "form.error.choose") }

        var answers: [WashingtonGroup.Domain: WashingtonGroup.Answer] = [:]
        for (field, domain) in Self.washingtonGroupFields {
            let text = washingtonGroupAnswer(field)
            guard Text.clean(text) != nil else { continue }
            if let answer = WashingtonGroup.Answer(rawValue: text) { answers[domain] = answer } else { errors.add(field, "form.error.choose") }
        }

        var purposes: [ConsentPurpose] = []
        for raw in consents {
            guard let purpose = ConsentPurpose(rawValue: raw) else { errors.add("consents", "form.error.choose"); continue }
            // A referral names its receiving organisation: it is recorded with the referral.
            if purpose != .referral, !purposes.contains(purpose) { purposes.append(purpose) }
        }
        // Without consent to services no case record may be kept at all.
        if !purposes.contains(.services) { errors.add("consents", "survivor.error.servicesConsent") }
        let version = Text.clean(consentFormVersion)
        if version == nil { errors.add("consentFormVersion", "form.error.required") }
        if let version, version.count > 40 { errors.add("consentFormVersion", "form.error.tooLong") }
        let interpreter = Text.clean(self.interpreter), witness = Text.clean(self.witness)
        if (interpreter?.count ?? 0) > 200 { errors.add("interpreter", "form.error.tooLong") }
        if (witness?.count ?? 0) > 200 { errors.add("witness", "form.error.tooLong") }

        guard errors.isEmpty, let sex, let region, let harm, let source, let version else { return .failure(errors) }
        let duplicateName = identity[.lastName].map { (first: identity[.firstName]!, last: $0) }
        return .success(SurvivorIntake(
            identity: identity, yearOfBirth: year, sex: sex, regionID: region, municipalityID: municipality, harm: harm,
            referralSource: source, washingtonGroup: answers,
            consent: ConsentEntry(purposes: purposes, formVersion: version, interpreter: interpreter, witness: witness),
            duplicateBasis: duplicateName.flatMap { name in birth.map { (name.first, name.last, $0) } }))
    }
}

/// What a consent form records besides its purposes.
public struct ConsentEntry: Sendable, Equatable {
    public let purposes: [ConsentPurpose]
    public let formVersion: String
    /// Names of an interpreter or a witness present: kept encrypted with the survivor's key.
    public let interpreter: String?
    public let witness: String?

    public init(purposes: [ConsentPurpose], formVersion: String, interpreter: String?, witness: String?) {
        self.purposes = purposes
        self.formVersion = formVersion
        self.interpreter = interpreter
        self.witness = witness
    }
}

/// A valid intake.
public struct SurvivorIntake: Sendable {
    public let identity: [IdentityField: String]
    public let yearOfBirth: Int?
    public let sex: SurvivorSex
    public let regionID: UUID
    public let municipalityID: UUID?
    public let harm: HarmKind
    public let referralSource: ReferralSource
    public let washingtonGroup: [WashingtonGroup.Domain: WashingtonGroup.Answer]
    public let consent: ConsentEntry
    /// Name and birth date for the duplicate check, when all three are known.
    public let duplicateBasis: (firstName: String, lastName: String, birthDate: LocalDate)?

    public var hasDisability: Bool { WashingtonGroup.hasDisability(washingtonGroup) }

    /// The answers as stored: `domain=answer` pairs in the domains' order.
    public var washingtonGroupText: String {
        WashingtonGroup.Domain.allCases.compactMap { domain in washingtonGroup[domain].map { "\(domain.rawValue)=\($0.rawValue)" } }
            .joined(separator: ";")
    }
}

/// A consent added later (or for a referral, naming the organisation).
public struct ConsentForm: Codable, Sendable {
    public var purpose = ""
    public var recipientID = ""
    public var formVersion = ""
    public var interpreter = ""
    public var witness = ""
    /// For a referral: the identity fields the receiving organisation may see.
    public var sharedFields: [String] = []

    public init() {}

    public init(from decoder: any Decoder) throws {
        let form = try decoder.container(keyedBy: CodingKeys.self)
        sharedFields = try form.list(.sharedFields)
        purpose = try form.text(.purpose)
        recipientID = try form.text(.recipientID)
        formVersion = try form.text(.formVersion)
        interpreter = try form.text(.interpreter)
        witness = try form.text(.witness)
    }

    public func validated() -> Result<(purpose: ConsentPurpose, recipient: UUID?, shared: [IdentityField], entry: ConsentEntry), FieldErrors> {
        var errors = FieldErrors()
        let purpose = ConsentPurpose(rawValue: self.purpose)
        if purpose == nil { errors.add("purpose", "form.error.choose") }
        let shared = sharedFields.compactMap(IdentityField.init(rawValue:))
        if shared.count != sharedFields.count { errors.add("sharedFields", "form.error.choose") }
        if purpose != .referral, !shared.isEmpty { errors.add("sharedFields", "survivor.error.sharedFields") }
        let recipient = UUID(uuidString: recipientID)
        if purpose == .referral, recipient == nil { errors.add("recipientID", "survivor.error.recipient") }
        let version = Text.clean(formVersion)
        if version == nil { errors.add("formVersion", "form.error.required") }
        if let version, version.count > 40 { errors.add("formVersion", "form.error.tooLong") }
        let interpreter = Text.clean(self.interpreter), witness = Text.clean(self.witness)
        if (interpreter?.count ?? 0) > 200 { errors.add("interpreter", "form.error.tooLong") }
        if (witness?.count ?? 0) > 200 { errors.add("witness", "form.error.tooLong") }
        guard errors.isEmpty, let purpose, let version else { return .failure(errors) }
        return .success((purpose, purpose == .referral ? recipient : nil, IdentityField.allCases.filter(shared.contains),
                         ConsentEntry(purposes: [purpose], formVersion: version, interpreter: interpreter, witness: witness)))
    }
}

/// What the policy needs to know of one survivor record.
public struct SurvivorAccess: Sendable, Equatable {
    public let organisationID: UUID
    /// Purposes with an active consent now.
    public let activeConsents: Set<ConsentPurpose>
    /// The data key is destroyed: no identity field exists any more.
    public let identityDestroyed: Bool

    public init(organisationID: UUID, activeConsents: Set<ConsentPurpose>, identityDestroyed: Bool) {
        self.organisationID = organisationID
        self.activeConsents = activeConsents
        self.identityDestroyed = identityDestroyed
    }
}

/// Retention: identity data of a closed case is destroyed this many months after closure.
public enum RetentionRule {
    public static func destroysIdentity(closedAt: Date?, months: Int, now: Date) -> Bool {
        guard let closedAt else { return false }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let due = calendar.date(byAdding: .month, value: months, to: closedAt) else { return false }
        return due <= now
    }
}
