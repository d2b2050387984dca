import Foundation

public enum LegalForm: String, CaseIterable, Codable, Sendable {
    case association
    case foundation
    case centre

    public var catalogKey: String { "cso.legalForm.\(rawValue)" }
}

public enum OrganisationStatus: String, CaseIterable, Codable, Sendable {
    case active
    case inactive

    public var catalogKey: String { "cso.status.\(rawValue)" }
}

/// What an organisation works on; the registry is filtered by these.
public enum FocusArea: String, CaseIterable, Codable, Sendable {
    case antiTrafficking
    case domesticViolence
    case economicEmpowerment
    case legalAid
    case shelter
    case psychosocialSupport
    case education
    case youth
    case minorities
    case disability
    case advocacy

    public var catalogKey: String { "cso.focus.\(rawValue)" }
}

/// The Albanian tax and registration number (NUIS/NIPT): a letter, eight digits, a letter.
public enum NUIS {
    public static func normalised(_ value: String) -> String {
        value.uppercased().filter { !$0.isWhitespace }
    }

    public static func isValid(_ value: String) -> Bool {
        let chars = Array(normalised(value))
        guard chars.count == 10 else { return false }
        return chars[0].isASCIIUppercaseLetter && chars[9].isASCIIUppercaseLetter
            && chars[1...8].allSatisfy { $0.isASCII && $0.isNumber }
    }
}

/// International bank account numbers, checked by the ISO 13616 mod-97 rule;
/// Albanian ones (AL) must be 28 characters.
public enum IBAN {
    public static func normalised(_ value: String) -> String {
        value.uppercased().filter { !$0.isWhitespace }
    }

    public static func isValid(_ value: String) -> Bool {
        let iban = normalised(value)
        guard iban.count >= 15, iban.count <= 34, iban.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }),
              iban.prefix(2).allSatisfy(\.isASCIIUppercaseLetter)
        else { return false }
        if iban.hasPrefix("AL"), iban.count != 28 { return false }
        let rearranged = iban.dropFirst(4) + iban.prefix(4)
        var remainder = 0
        for character in rearranged {
            let value: Int
            if let digit = character.wholeNumberValue { value = digit } else {
                value = Int(character.asciiValue! - Character("A").asciiValue!) + 10
            }
            remainder = (value < 10 ? remainder * 10 + value : remainder * 100 + value) % 97
        }
        return remainder == 1
    }

    /// Groups of four, as printed on bank documents.
    public static func formatted(_ value: String) -> String {
        let iban = Array(normalised(value))
        return stride(from: 0, to: iban.count, by: 4).map { String(iban[$0..<min($0 + 4, iban.count)]) }
            .joined(separator: " ")
    }
}

extension Character {
    var isASCIIUppercaseLetter: Bool { isASCII && isUppercase && isLetter }
}

/// The CSO registry form as typed. Every field is text so that a form with errors can be
/// shown again exactly as the user left it.
public struct OrganisationForm: Codable, Sendable, Equatable {
    public var nameSq: String = ""
    public var nameEn: String = ""
    public var legalForm: String = ""
    public var registrationNumber: String = ""
    public var foundingYear: String = ""
    public var municipalityID: String = ""
    public var focusAreas: [String] = []
    public var email: String = ""
    public var phone: String = ""
    public var address: String = ""
    public var website: String = ""
    public var contactPerson: String = ""
    public var staffCount: String = ""
    public var volunteerCount: String = ""
    public var status: String = OrganisationStatus.active.rawValue
    public var bankName: String = ""
    public var iban: String = ""
    public var accountHolder: String = ""

    public init() {}

    public init(from decoder: any Decoder) throws {
        let form = try decoder.container(keyedBy: CodingKeys.self)
        nameSq = try form.text(.nameSq)
        nameEn = try form.text(.nameEn)
        legalForm = try form.text(.legalForm)
        registrationNumber = try form.text(.registrationNumber)
        foundingYear = try form.text(.foundingYear)
        municipalityID = try form.text(.municipalityID)
        focusAreas = try form.list(.focusAreas)
        email = try form.text(.email)
        phone = try form.text(.phone)
        address = try form.text(.address)
        website = try form.text(.website)
        contactPerson = try form.text(.contactPerson)
        staffCount = try form.text(.staffCount)
        volunteerCount = try form.text(.volunteerCount)
        status = try form.text(.status)
        bankName = try form.text(.bankName)
        iban = try form.text(.iban)
        accountHolder = try form.text(.accountHolder)
    }
}

/// A validated organisation, ready to store.
public struct OrganisationDraft: Sendable, Equatable {
    public var nameSq: String
    public var nameEn: String?
    public var legalForm: LegalForm
    public var registrationNumber: String
    public var foundingYear: Int?
    public var municipalityID: UUID
    public var focusAreas: [FocusArea]
    public var email: String?
    public var phone: String?
    public var address: String?
    public var website: String?
    public var contactPerson: String?
    public var staffCount: Int?
    public var volunteerCount: Int?
    public var status: OrganisationStatus
    public var bankName: String?
    public var iban: String?
    public var accountHolder: String?

    public init(nameSq: String, nameEn: String?, legalForm: LegalForm, registrationNumber: String, foundingYear: Int?,
                municipalityID: UUID, focusAreas: [FocusArea], email: String?, phone: String?, address: String?,
                website: String?, contactPerson: String?, staffCount: Int?, volunteerCount: Int?,
                status: OrganisationStatus, bankName: String?, iban: String?, accountHolder: String?) {
        self.nameSq = nameSq
        self.nameEn = nameEn
        self.legalForm = legalForm
        self.registrationNumber = registrationNumber
        self.foundingYear = foundingYear
        self.municipalityID = municipalityID
        self.focusAreas = focusAreas
        self.email = email
        self.phone = phone
        self.address = address
        self.website = website
        self.contactPerson = contactPerson
        self.staffCount = staffCount
        self.volunteerCount = volunteerCount
        self.status = status
        self.bankName = bankName
        self.iban = iban
        self.accountHolder = accountHolder
    }
}

extension OrganisationForm {
    /// Checks every field and reports each problem against its field.
    /// This form with the registry's own fields (names, NUIS, legal form, status) taken from
    /// the stored organisation: what an editor who is not programme staff may submit.
    public func keepingRegistryFields(of stored: OrganisationForm) -> OrganisationForm {
        var form = self
        (form.nameSq, form.nameEn, form.legalForm) = (stored.nameSq, stored.nameEn, stored.legalForm)
        (form.registrationNumber, form.status) = (stored.registrationNumber, stored.status)
        return form
    }

    public func validated(currentYear: Int) -> Result<OrganisationDraft, FieldErrors> {
        var errors = FieldErrors()
        let name = Text.clean(nameSq)
        if name == nil { errors.add("nameSq", "form.error.required") }
        if (name?.count ?? 0) > 200 || nameEn.count > 200 { errors.add(name == nil ? "nameEn" : "nameSq", "form.error.tooLong") }
        let form = LegalForm(rawValue: legalForm)
        if form == nil { errors.add("legalForm", "form.error.choose") }
        let nuis = NUIS.normalised(registrationNumber)
        if nuis.isEmpty { errors.add("registrationNumber", "form.error.required") } else if !NUIS.isValid(nuis) {
            errors.add("registrationNumber", "cso.error.nuis")
        }
        var year: Int?
        if let text = Text.clean(foundingYear) {
            year = Int(text)
            if year == nil || year! < 1900 || year! > currentYear { errors.add("foundingYear", "cso.error.foundingYear") }
        }
        let municipality = UUID(uuidString: municipalityID)
        if municipality == nil { errors.add("municipalityID", "form.error.choose") }
        let areas = focusAreas.compactMap(FocusArea.init(rawValue:))
        if areas.isEmpty || areas.count != focusAreas.count { errors.add("focusAreas", "cso.error.focusAreas") }
        let mail = Text.clean(email).map(Text.normalisedEmail)
        if let mail, !Text.isEmail(mail) { errors.add("email", "form.error.email") }
        let site = Text.clean(website)
        if let site, !(site.hasPrefix("https://") || site.hasPrefix("http://")) || site.contains(" ") {
            errors.add("website", "form.error.url")
        }
        func count(_ text: String, _ field: String) -> Int? {
            guard let text = Text.clean(text) else { return nil }
            guard let value = Int(text), value >= 0, value <= 100_000 else {
                errors.add(field, "form.error.count")
                return nil
            }
            return value
        }
        let staff = count(staffCount, "staffCount")
        let volunteers = count(volunteerCount, "volunteerCount")
        let state = OrganisationStatus(rawValue: status)
        if state == nil { errors.add("status", "form.error.choose") }
        let accountNumber = Text.clean(iban).map(IBAN.normalised)
        if let accountNumber, !IBAN.isValid(accountNumber) { errors.add("iban", "cso.error.iban") }
        for (field, value) in [("phone", phone), ("address", address), ("contactPerson", contactPerson),
                               ("bankName", bankName), ("accountHolder", accountHolder)] where value.count > 300 {
            errors.add(field, "form.error.tooLong")
        }

        guard errors.isEmpty, let name, let form, let municipality, let state else { return .failure(errors) }
        return .success(OrganisationDraft(
            nameSq: name, nameEn: Text.clean(nameEn), legalForm: form, registrationNumber: nuis,
            foundingYear: year, municipalityID: municipality, focusAreas: areas, email: mail,
            phone: Text.clean(phone), address: Text.clean(address), website: site,
            contactPerson: Text.clean(contactPerson), staffCount: staff, volunteerCount: volunteers,
            status: state, bankName: Text.clean(bankName), iban: accountNumber, accountHolder: Text.clean(accountHolder)
        ))
    }
}
