import Foundation
@testable import FuqizoCore
import Testing

@Suite("CSO registry rules")
struct RegistryRuleTests {
    @Test("NUIS is a letter, eight digits and a letter", arguments: [
        ("L91806031N", true), ("l91806031n", true), ("K 1234 5678 L", true), ("91806031N", false),
        ("L9180603N", false), ("L918060311", false), ("LL1806031N", false), ("", false),
    ])
    func nuis(value: String, valid: Bool) {
        #expect(NUIS.isValid(value) == valid)
    }

    @Test("IBANs pass the mod-97 check; Albanian ones have 28 characters")
    func iban() {
        #expect(IBAN.isValid("AL47 2121 1009 0000 0002 3569 8741"))
        #expect(!IBAN.isValid("AL47 2121 1009 0000 0002 3569 8742"))
        #expect(!IBAN.isValid("AL47 2121 1009 0000 0002 3569"))
        #expect(IBAN.isValid("DE89 3704 0044 0532 0130 00"))
        #expect(IBAN.formatted("AL47212110090000000235698741") == "AL47 2121 1009 0000 0002 3569 8741")
    }

    func validForm() -> OrganisationForm {
        var form = OrganisationForm()
        form.nameSq = "  Shoqata Ura  "
        form.legalForm = "association"
        form.registrationNumber = "l91806031n"
        form.municipalityID = UUID().uuidString
        form.focusAreas = ["shelter"]
        form.email = " Info@Ura.AL "
        return form
    }

    @Test("a valid form is cleaned: trimmed, normalised NUIS and e-mail")
    func validOrganisation() throws {
        let draft = try validForm().validated(currentYear: 2026).get()
        #expect(draft.nameSq == "Shoqata Ura" && draft.registrationNumber == "L91806031N" && draft.email == "info@ura.al")
        #expect(draft.nameEn == nil && draft.focusAreas == [.shelter])
    }

    @Test("each invalid field gets its own message")
    func invalidOrganisation() {
        var form = validForm()
        form.nameSq = " "
        form.legalForm = "company"
        form.foundingYear = "2030"
        form.focusAreas = ["shelter", "unknown"]
        form.website = "ura.al"
        form.staffCount = "-3"
        form.iban = "AL00 0000"
        guard case .failure(let errors) = form.validated(currentYear: 2026) else {
            Issue.record("expected errors")
            return
        }
        #expect(errors["nameSq"] == "form.error.required")
        #expect(errors["legalForm"] == "form.error.choose")
        #expect(errors["foundingYear"] == "cso.error.foundingYear")
        #expect(errors["focusAreas"] == "cso.error.focusAreas")
        #expect(errors["website"] == "form.error.url")
        #expect(errors["staffCount"] == "form.error.count")
        #expect(errors["iban"] == "cso.error.iban")
    }

    @Test("search keys fold case and Albanian letters")
    func searchKey() {
        #expect(Text.searchKey("Zëri i KUKËSIT, Korçë") == "zeri i kukesit, korce")
    }

    @Test("programme settings: dates, currency and thresholds are checked")
    func settingsForm() throws {
        var form = ProgrammeSettingsForm(ProgrammeSettings.defaults)
        form.startDate = "2019-01-01"
        form.endDate = "2018-12-31"
        form.currency = "€"
        form.smallCellPublic = "0"
        guard case .failure(let errors) = form.validated() else {
            Issue.record("expected errors")
            return
        }
        #expect(errors["endDate"] == "settings.error.endBeforeStart")
        #expect(errors["currency"] == "settings.error.currency")
        #expect(errors["smallCellPublic"] == "settings.error.range")
        #expect(LocalDate("2024-02-29") != nil && LocalDate("2023-02-29") == nil)
        #expect(try ProgrammeSettingsForm(ProgrammeSettings.defaults).validated().get() == ProgrammeSettings.defaults)
    }
}

@Suite("An organisation's request for an account")
struct AccountRequestRuleTests {
    static let place = UUID()

    static func form() -> AccountRequestForm {
        var form = AccountRequestForm()
        form.organisationName = " Qendra Vatra "
        form.registrationNumber = "l91806031n"
        form.municipalityID = place.uuidString
        form.contactName = "Elira Hoxha"
        form.email = " Elira@Example.AL "
        return form
    }

    @Test("a valid request is stored trimmed, with the NUIS in its registry form and the address in lower case")
    func valid() throws {
        let draft = try Self.form().validated(municipalities: [Self.place]).get()
        #expect(draft.organisationName == "Qendra Vatra" && draft.registrationNumber == "L91806031N" && draft.email == "elira@example.al")
        #expect(draft.phone == nil && draft.message == nil)
    }

    @Test("each wrong field is named: NUIS, unknown municipality, address, missing names, overlong text")
    func invalid() {
        var form = Self.form()
        form.registrationNumber = "12345"
        form.municipalityID = UUID().uuidString
        form.email = "elira@"
        form.contactName = "  "
        form.message = String(repeating: "a", count: AccountRequestForm.maximumMessage + 1)
        guard case .failure(let errors) = form.validated(municipalities: [Self.place]) else {
            Issue.record("expected errors")
            return
        }
        #expect(errors["registrationNumber"] == "cso.error.nuis" && errors["municipalityID"] == "form.error.choose")
        #expect(errors["email"] == "form.error.email" && errors["contactName"] == "form.error.required")
        #expect(errors["message"] == "form.error.tooLong")
    }

    @Test("approval needs a pending request, the NUIS in the registry and a free address; the officer's list counts what waits")
    func approval() {
        #expect(AccountRequestRule.approvalProblem(status: .pending, inRegistry: true, emailTaken: false) == nil)
        #expect(AccountRequestRule.approvalProblem(status: .approved, inRegistry: true, emailTaken: false) == "accountRequest.error.decided")
        #expect(AccountRequestRule.approvalProblem(status: .pending, inRegistry: false, emailTaken: false) == "accountRequest.error.notInRegistry")
        #expect(AccountRequestRule.approvalProblem(status: .pending, inRegistry: true, emailTaken: true) == "accountRequest.error.emailTaken")
        #expect(OrganisationWork.officer(pendingRequests: 0, oldest: nil).isEmpty)
        let items = OrganisationWork.officer(pendingRequests: 3, oldest: LocalDate("2026-12-01"))
        #expect(items.count == 1 && items[0].count == 3 && items[0].due == LocalDate("2026-12-06") && items[0].link == WorkLink("accountRequests"))
    }
}
