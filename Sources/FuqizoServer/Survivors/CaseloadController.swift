import Fluent
import Foundation
import FuqizoCore
import Vapor

/// A case worker's caseload (with the follow-ups that have come due) and the intake of a new
/// record. URLs carry only the pseudonymous code; titles are neutral.
struct CaseloadController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let survivors = routes.grouped("survivors")
        survivors.get(use: caseload).access(.viewCaseload)
        survivors.get("new", use: newForm).access(.registerSurvivor)
        survivors.post(use: register).access(.registerSurvivor)
    }

    private func service(_ req: Request) -> SurvivorService {
        SurvivorService(database: req.db, services: req.services)
    }

    struct CaseloadQuery: Content {
        var status: String?
        var code: String?
        var page: Int?
    }

    struct CaseloadRow: Encodable {
        let code: String
        let ageBand: String
        let sex: String
        let region: String
        let harm: String
        let status: String
        let opened: String
        let identityDestroyed: Bool
    }

    struct CaseloadPage: Encodable {
        let rows: [CaseloadRow]
        let pages: PageLinks
        let fields: [FieldContext]
        let code: String
        let followUps: [FollowUpRow]
    }

    /// A follow-up whose date has come: due, or late after the grace period.
    struct FollowUpRow: Encodable {
        let code: String
        let months: Int
        let due: String
        let late: Bool
    }

    func caseload(req: Request) async throws -> View {
        let query = (try? req.query.decode(CaseloadQuery.self)) ?? CaseloadQuery()
        let status = query.status.flatMap(CaseStatus.init(rawValue:))
        let page = try await service(req).caseload(organisations: req.actor.organisations(as: .caseWorker), status: status,
                                                   codePrefix: query.code.flatMap(Text.clean), page: query.page)
        let geography = try await GeographyDirectory.load(on: req.db)
        let regions = Dictionary(uniqueKeysWithValues: geography.regions.map { ($0.id, $0.name(req.language)) })
        let today = TiranaTime.today(at: req.now)
        let year = today.year
        let rows = page.rows.map { row in
            CaseloadRow(
                code: row.code, ageBand: req.t(AgeBand.of(yearOfBirth: row.yearOfBirth, in: year).catalogKey),
                sex: SurvivorSex(rawValue: row.sex).map { req.t($0.catalogKey) } ?? "",
                region: regions[row.regionId] ?? "", harm: HarmKind(rawValue: row.harm).map { req.t($0.catalogKey) } ?? "",
                status: req.t(row.status.catalogKey),
                opened: TiranaTime.parts(of: row.openedAt).date, identityDestroyed: row.identityDestroyedAt != nil)
        }
        func link(_ number: Int) -> String {
            SiteURL.survivors.with([("status", query.status), ("code", query.code), ("page", String(number))])
        }
        let filters = [
            FieldContext("status", label: "field.status", kind: "select", value: query.status ?? "",
                         options: CaseStatus.allCases.map { .init(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0 == status) }),
        ]
        return try await req.page("survivors/caseload", title: "survivor.caseload.title", CaseloadPage(
            rows: rows, pages: PageLinks(page.pager, link: link),
            fields: filters, code: query.code ?? "",
            followUps: try await CaseWorkService(database: req.db, services: req.services).dueFollowUps(organisations: req.actor.organisations(as: .caseWorker))
                .map { row in
                    let state = FollowUpSchedule.state(of: LocalDate(row.dueOn) ?? today, today: today, recorded: false)
                    return FollowUpRow(code: row.code, months: row.months, due: row.dueOn, late: state == .late)
                }))
    }

    // MARK: intake

    struct Section: Encodable {
        let titleKey: String
        let hintKey: String?
        let fields: [FieldContext]
    }

    struct IntakePage: Encodable {
        let sections: [Section]
        let hasErrors: Bool
        let duplicate: Bool
        /// The existing record's code (only ever this organisation's).
        let duplicateCode: String?
        let hidden: [Hidden]
        /// A notice about the whole form (too many intakes in an hour).
        let noticeKey: String?
    }

    struct Hidden: Encodable {
        let name: String
        let value: String
    }

    private func renderIntake(_ req: Request, form: SurvivorIntakeForm, errors: FieldErrors = .init(),
                              duplicate: (found: Bool, code: String?) = (false, nil), notice: String? = nil,
                              status: HTTPResponseStatus = .ok) async throws -> Response {
        let geography = try await GeographyDirectory.load(on: req.db)
        func options<T: RawRepresentable & CaseIterable>(_ type: T.Type, _ key: (T) -> String, selected: Set<String>) -> [FieldContext.Option] where T.RawValue == String {
            T.allCases.map { .init(value: $0.rawValue, label: req.t(key($0)), selected: selected.contains($0.rawValue)) }
        }
        var organisationFields: [FieldContext] = []
        let organisations = req.actor.organisations(as: .caseWorker)
        if organisations.count > 1 {
            let rows = try await OrganisationService(database: req.db, services: req.services).named(organisations)
            organisationFields.append(FieldContext("organisationID", label: "survivor.field.organisation", kind: "select", value: form.organisationID,
                                                   options: rows.map { .init(value: $0.id!.uuidString, label: $0.nameSq, selected: $0.id!.uuidString == form.organisationID) },
                                                   errors: errors, required: true))
        }
        let purposes = ConsentPurpose.allCases.filter { $0 != .referral }
        let sections = [
            Section(titleKey: "survivor.section.identity", hintKey: "survivor.identity.hint", fields: [
                FieldContext("firstName", label: IdentityField.firstName.catalogKey, value: form.firstName, errors: errors, required: true, autocomplete: "off"),
                FieldContext("lastName", label: IdentityField.lastName.catalogKey, value: form.lastName, errors: errors, autocomplete: "off"),
                FieldContext("birthDate", label: IdentityField.birthDate.catalogKey, kind: "date", value: form.birthDate, errors: errors, autocomplete: "off"),
                FieldContext("phone", label: IdentityField.phone.catalogKey, kind: "tel", value: form.phone, errors: errors, autocomplete: "off"),
                FieldContext("address", label: IdentityField.address.catalogKey, value: form.address, errors: errors, autocomplete: "off"),
                FieldContext("idNumber", label: IdentityField.idNumber.catalogKey, value: form.idNumber, errors: errors, autocomplete: "off"),
                FieldContext("emergencyContact", label: IdentityField.emergencyContact.catalogKey, value: form.emergencyContact, errors: errors, autocomplete: "off"),
            ]),
            Section(titleKey: "survivor.section.statistics", hintKey: "survivor.statistics.hint", fields: organisationFields + [
                FieldContext("yearOfBirth", label: "survivor.field.yearOfBirth", kind: "number", value: form.yearOfBirth, errors: errors, hint: "survivor.yearOfBirth.hint"),
                FieldContext("sex", label: "survivor.field.sex", kind: "select", value: form.sex, options: options(SurvivorSex.self, \.catalogKey, selected: [form.sex]), errors: errors, required: true),
                FieldContext("regionID", label: "field.region", kind: "select", value: form.regionID,
                             options: geography.regions.map { .init(value: $0.id.uuidString, label: $0.name(req.language), selected: $0.id.uuidString == form.regionID) },
                             errors: errors, required: true),
                FieldContext("municipalityID", label: "field.municipality", kind: "select", value: form.municipalityID,
                             errors: errors, hint: "survivor.municipality.hint",
                             groups: Self.municipalitiesByRegion(geography, language: req.language, selected: form.municipalityID,
                                                                 otherLabel: req.t("field.municipality.otherRegions")),
                             follows: "regionID"),
                FieldContext("harm", label: "survivor.field.harm", kind: "select", value: form.harm, options: options(HarmKind.self, \.catalogKey, selected: [form.harm]), errors: errors, required: true),
                FieldContext("referralSource", label: "survivor.field.referralSource", kind: "select", value: form.referralSource,
                             options: options(ReferralSource.self, \.catalogKey, selected: [form.referralSource]), errors: errors, required: true),
            ]),
            Section(titleKey: "survivor.section.washingtonGroup", hintKey: "survivor.washingtonGroup.hint", fields: SurvivorIntakeForm.washingtonGroupFields.map { field, domain in
                FieldContext(field, label: "survivor.wg.\(domain.rawValue)", kind: "select", value: form.washingtonGroupAnswer(field),
                             options: options(WashingtonGroup.Answer.self, { "survivor.wg.answer.\($0.rawValue)" }, selected: [form.washingtonGroupAnswer(field)]),
                             errors: errors)
            }),
            Section(titleKey: "survivor.section.consent", hintKey: "survivor.consent.hint", fields: [
                FieldContext("consents", label: "survivor.field.consents", kind: "checkboxes",
                             options: purposes.map { .init(value: $0.rawValue, label: req.t($0.catalogKey), selected: form.consents.contains($0.rawValue)) },
                             errors: errors, required: true),
                FieldContext("consentFormVersion", label: "survivor.field.formVersion", value: form.consentFormVersion, errors: errors, required: true, hint: "survivor.formVersion.hint"),
                FieldContext("interpreter", label: "survivor.field.interpreter", value: form.interpreter, errors: errors, autocomplete: "off"),
                FieldContext("witness", label: "survivor.field.witness", value: form.witness, errors: errors, autocomplete: "off"),
            ]),
        ]
        return try await req.page("survivors/intake", title: "survivor.intake.title", IntakePage(
            sections: sections, hasErrors: !errors.isEmpty, duplicate: duplicate.found, duplicateCode: duplicate.code,
            hidden: duplicate.found ? [Hidden(name: "confirmNew", value: "yes")] : [], noticeKey: notice), status: status)
    }

    func newForm(req: Request) async throws -> Response {
        try await renderIntake(req, form: SurvivorIntakeForm())
    }

    func register(req: Request) async throws -> Response {
        let form = try req.form(SurvivorIntakeForm.self)
        let actor = try req.requireSignedIn().actor
        let organisations = actor.organisations(as: .caseWorker)
        let chosen = organisations.count == 1 ? organisations.first : UUID(uuidString: form.organisationID)
        guard let organisationID = chosen, organisations.contains(organisationID) else {
            var errors = FieldErrors()
            errors.add("organisationID", "form.error.choose")
            return try await renderIntake(req, form: form, errors: errors, status: .badRequest)
        }
        try req.authorize(.registerSurvivor, .organisation(organisationID))
        switch try await service(req).register(form, organisationID: organisationID, actor: actor.userID!) {
        case .invalid(let errors):
            return try await renderIntake(req, form: form, errors: errors, status: .badRequest)
        case .possibleDuplicate(let code):
            return try await renderIntake(req, form: form, duplicate: (true, code), status: .conflict)
        case .throttled:
            return try await renderIntake(req, form: form, notice: "survivor.error.intakeThrottled", status: .tooManyRequests)
        case .created(let code):
            return Flash.redirect(req, to: .survivor(code: code), flash: "survivor.created")
        }
    }

    /// Municipalities under their programme region (then every other one), so that with
    /// script the list follows the chosen region, and without it the regions head the list.
    static func municipalitiesByRegion(_ geography: GeographyDirectory, language: Language, selected: String,
                                       otherLabel: String) -> [FieldContext.Group] {
        func options(_ places: [GeographyDirectory.Place]) -> [FieldContext.Option] {
            places.map { .init(value: $0.municipalityID.uuidString, label: $0.municipality, selected: $0.municipalityID.uuidString == selected) }
        }
        let inRegions = geography.regions.reduce(into: Set<UUID>()) { $0.formUnion($1.municipalityIDs) }
        return geography.regions.map { region in
            FieldContext.Group(label: region.name(language), value: region.id.uuidString,
                               options: options(geography.sortedPlaces.filter { region.municipalityIDs.contains($0.municipalityID) }))
        } + [FieldContext.Group(label: otherLabel, value: "", options: options(geography.sortedPlaces.filter { !inRegions.contains($0.municipalityID) }))]
            .filter { !$0.options.isEmpty }
    }
}
