import Fluent
import Foundation
import FuqizoCore
import Vapor

/// The CSO registry: programme staff search, create and edit; a CSO's own users see and edit
/// only their organisation.
struct OrganisationsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let organisations = routes.grouped("organisations")
        organisations.get(use: list).access(.viewOrganisationRegistry)
        organisations.get("new", use: newForm).access(.createOrganisation)
        organisations.post(use: create).access(.createOrganisation)
        organisations.get(":organisationID", use: show).access(.viewOrganisation, .organisation(parameter: "organisationID"))
        organisations.get(":organisationID", "edit", use: editForm).access(.editOrganisation, .organisation(parameter: "organisationID"))
        organisations.post(":organisationID", use: update).access(.editOrganisation, .organisation(parameter: "organisationID"))
        routes.get("my-organisations", use: mine).access(.useOwnAccount)
    }

    private func service(_ req: Request) -> OrganisationService {
        OrganisationService(database: req.db, services: req.services)
    }

    // MARK: list

    struct ListQuery: Content {
        var q: String?
        var region: String?
        var municipality: String?
        var focus: String?
        var status: String?
        var page: Int?
    }

    struct Row: Encodable {
        let id: String
        let name: String
        let registrationNumber: String
        let municipality: String
        let regions: String
        let status: String
        let focus: String
    }

    struct ListPage: Encodable {
        let rows: [Row]
        let pages: PageLinks
        let fields: [FieldContext]
        let query: String
        let canCreate: Bool
        let canReviewRequests: Bool
    }

    func list(req: Request) async throws -> View {
        let query = (try? req.query.decode(ListQuery.self)) ?? ListQuery()
        let geography = try await GeographyDirectory.load(on: req.db)
        var filter = OrganisationService.Filter()
        filter.query = query.q
        filter.regionID = query.region.flatMap(UUID.init(uuidString:))
        filter.municipalityID = query.municipality.flatMap(UUID.init(uuidString:))
        filter.focusArea = query.focus.flatMap(FocusArea.init(rawValue:))
        filter.status = query.status.flatMap(OrganisationStatus.init(rawValue:))
        filter.page = query.page
        let page = try await service(req).list(filter)
        let rows = page.items.map { Self.row($0, geography: geography, req) }
        let pager = page.pager
        func link(_ number: Int) -> String {
            SiteURL.organisations.with([("q", query.q), ("region", query.region), ("municipality", query.municipality),
                                     ("focus", query.focus), ("status", query.status), ("page", String(number))])
        }
        let filters = [
            FieldContext("region", label: "field.region", kind: "select", value: query.region ?? "",
                         options: geography.regions.map { .init(value: $0.id.uuidString, label: $0.name(req.language), selected: $0.id == filter.regionID) }),
            FieldContext("municipality", label: "field.municipality", kind: "select", value: query.municipality ?? "",
                         options: geography.sortedPlaces.map { .init(value: $0.municipalityID.uuidString, label: $0.municipality, selected: $0.municipalityID == filter.municipalityID) }),
            FieldContext("focus", label: "field.focusArea", kind: "select", value: query.focus ?? "",
                         options: FocusArea.allCases.map { .init(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0 == filter.focusArea) }),
            FieldContext("status", label: "field.status", kind: "select", value: query.status ?? "",
                         options: OrganisationStatus.allCases.map { .init(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0 == filter.status) }),
        ]
        return try await req.page("organisations/list", title: "cso.list.title", ListPage(
            rows: rows, pages: PageLinks(pager, link: link),
            fields: filters, query: query.q ?? "", canCreate: Policy.decide(req.actor, .createOrganisation).isAllowed,
            canReviewRequests: Policy.decide(req.actor, .reviewAccountRequests).isAllowed))
    }

    static func row(_ organisation: OrganisationService.Summary, geography: GeographyDirectory, _ req: Request) -> Row {
        let language = req.language
        return Row(
            id: organisation.id.uuidString,
            name: language == .en ? (organisation.nameEn ?? organisation.nameSq) : organisation.nameSq,
            registrationNumber: organisation.registrationNumber,
            municipality: geography.places[organisation.municipalityID]?.municipality ?? "",
            regions: geography.regions(of: organisation.municipalityID).map { $0.name(language) }.joined(separator: ", "),
            status: req.t(organisation.status.catalogKey),
            focus: organisation.focusAreas.compactMap { FocusArea(rawValue: $0).map { req.t($0.catalogKey) } }.joined(separator: ", "))
    }

    /// A member of one organisation goes straight to it; of several, sees their list.
    func mine(req: Request) async throws -> Response {
        let ids = req.actor.organisationIDs
        if ids.count == 1, let id = ids.first { return req.redirect(to: .organisation(id)) }
        var filter = OrganisationService.Filter()
        filter.onlyIDs = ids
        let geography = try await GeographyDirectory.load(on: req.db)
        let page = try await service(req).list(filter)
        let rows = page.items.map { Self.row($0, geography: geography, req) }
        return try await req.page("organisations/mine", title: "cso.mine.title", ["rows": rows]).encodeResponse(for: req)
    }

    // MARK: detail

    struct DetailPage: Encodable {
        let id: String
        let nameSq: String
        let nameEn: String?
        let legalFormKey: String
        let registrationNumber: String
        let foundingYear: Int?
        let municipality: String
        let county: String
        let regions: String
        let focusKeys: [String]
        let email: String?
        let phone: String?
        let address: String?
        let website: String?
        let contactPerson: String?
        let staffCount: Int?
        let volunteerCount: Int?
        let statusKey: String
        let showBank: Bool
        let bankName: String?
        let iban: String?
        let accountHolder: String?
        let canEdit: Bool
    }

    func show(req: Request) async throws -> View {
        let id = try req.id("organisationID")
        let organisation = try await service(req).find(id)
        let geography = try await GeographyDirectory.load(on: req.db)
        let place = geography.places[organisation.$municipality.id]
        let showBank = Self.seesBankDetails(req.actor, of: id)
        return try await req.page("organisations/show", title: "cso.detail.title", DetailPage(
            id: id.uuidString, nameSq: organisation.nameSq, nameEn: organisation.nameEn,
            legalFormKey: LegalForm(rawValue: organisation.legalForm)?.catalogKey ?? "",
            registrationNumber: organisation.registrationNumber, foundingYear: organisation.foundingYear,
            municipality: place?.municipality ?? "", county: place?.county ?? "",
            regions: geography.regions(of: organisation.$municipality.id).map { $0.name(req.language) }.joined(separator: ", "),
            focusKeys: organisation.focusAreas.compactMap { FocusArea(rawValue: $0.area)?.catalogKey },
            email: organisation.email, phone: organisation.phone, address: organisation.address, website: organisation.website,
            contactPerson: organisation.contactPerson, staffCount: organisation.staffCount, volunteerCount: organisation.volunteerCount,
            statusKey: organisation.status.catalogKey,
            showBank: showBank, bankName: showBank ? organisation.bankName : nil,
            iban: showBank ? organisation.iban.map(IBAN.formatted) : nil, accountHolder: showBank ? organisation.accountHolder : nil,
            canEdit: Policy.decide(req.actor, .editOrganisation, .organisation(id)).isAllowed))
    }

    // MARK: create and edit

    struct FormPage: Encodable {
        let action: String
        let cancel: String
        let sections: [Section]
        let hasErrors: Bool
        /// Said to an organisation's own editors: who changes the registry's fields, and what
        /// the registry holds for them now.
        let registryNote: String?
        let registryFacts: [RegistryFact]
    }

    struct RegistryFact: Encodable {
        let labelKey: String
        let value: String
    }

    struct Section: Encodable {
        let titleKey: String
        let fields: [FieldContext]
    }

    private func renderForm(_ req: Request, form: OrganisationForm, id: UUID?, errors: FieldErrors = .init(),
                            status: HTTPResponseStatus = .ok) async throws -> Response {
        let geography = try await GeographyDirectory.load(on: req.db)
        let showBank = Self.seesBankDetails(req.actor, of: id)
        let registry = Self.editsRegistry(req.actor, of: id)
        func options<T: RawRepresentable & CaseIterable>(_ type: T.Type, key: (T) -> String, selected: Set<String>) -> [FieldContext.Option] where T.RawValue == String {
            T.allCases.map { .init(value: $0.rawValue, label: req.t(key($0)), selected: selected.contains($0.rawValue)) }
        }
        let municipalities = geography.sortedPlaces.map {
            FieldContext.Option(value: $0.municipalityID.uuidString, label: "\($0.municipality) (\($0.county))", selected: $0.municipalityID.uuidString == form.municipalityID)
        }
        var sections = [
            // The registry's own fields are shown to the organisation but changed only by staff.
            Section(titleKey: "cso.section.identity", fields: (registry ? [
                FieldContext("nameSq", label: "field.nameSq", value: form.nameSq, errors: errors, required: true),
                FieldContext("nameEn", label: "field.nameEn", value: form.nameEn, errors: errors),
                FieldContext("legalForm", label: "field.legalForm", kind: "select", value: form.legalForm,
                             options: options(LegalForm.self, key: \.catalogKey, selected: [form.legalForm]), errors: errors, required: true),
                FieldContext("registrationNumber", label: "field.nuis", value: form.registrationNumber, errors: errors, required: true, hint: "cso.nuis.hint"),
            ] : []) + [
                FieldContext("foundingYear", label: "field.foundingYear", kind: "number", value: form.foundingYear, errors: errors),
            ] + (registry ? [
                FieldContext("status", label: "field.status", kind: "select", value: form.status,
                             options: options(OrganisationStatus.self, key: \.catalogKey, selected: [form.status]), errors: errors, required: true),
            ] : [])),
            Section(titleKey: "cso.section.place", fields: [
                FieldContext("municipalityID", label: "field.municipality", kind: "select", value: form.municipalityID,
                             options: municipalities, errors: errors, required: true),
                FieldContext("focusAreas", label: "field.focusAreas", kind: "checkboxes",
                             options: options(FocusArea.self, key: \.catalogKey, selected: Set(form.focusAreas)), errors: errors, required: true),
            ]),
            Section(titleKey: "cso.section.contacts", fields: [
                FieldContext("email", label: "field.email", kind: "email", value: form.email, errors: errors),
                FieldContext("phone", label: "field.phone", kind: "tel", value: form.phone, errors: errors),
                FieldContext("address", label: "field.address", value: form.address, errors: errors),
                FieldContext("website", label: "field.website", kind: "url", value: form.website, errors: errors),
                FieldContext("contactPerson", label: "field.contactPerson", value: form.contactPerson, errors: errors),
                FieldContext("staffCount", label: "field.staffCount", kind: "number", value: form.staffCount, errors: errors),
                FieldContext("volunteerCount", label: "field.volunteerCount", kind: "number", value: form.volunteerCount, errors: errors),
            ]),
        ]
        if showBank {
            sections.append(Section(titleKey: "cso.section.bank", fields: [
                FieldContext("bankName", label: "field.bankName", value: form.bankName, errors: errors),
                FieldContext("iban", label: "field.iban", value: form.iban, errors: errors, hint: "cso.iban.hint"),
                FieldContext("accountHolder", label: "field.accountHolder", value: form.accountHolder, errors: errors),
            ]))
        }
        let action = id.map { SiteURL.organisation($0).path } ?? SiteURL.organisations.path
        let cancel = id.map { SiteURL.organisation($0).path } ?? SiteURL.organisations.path
        return try await req.page("organisations/form",
                                  title: id == nil ? "cso.new.title" : "cso.edit.title",
                                  FormPage(action: action, cancel: cancel, sections: sections, hasErrors: !errors.isEmpty,
                                           registryNote: registry ? nil : "cso.registry.staffOnly",
                                           registryFacts: registry ? [] : [
                                               RegistryFact(labelKey: "field.nameSq", value: form.nameSq),
                                               RegistryFact(labelKey: "field.nuis", value: form.registrationNumber),
                                               RegistryFact(labelKey: "field.legalForm", value: LegalForm(rawValue: form.legalForm).map { req.t($0.catalogKey) } ?? ""),
                                               RegistryFact(labelKey: "field.status",
                                                            value: OrganisationStatus(rawValue: form.status).map { req.t($0.catalogKey) } ?? ""),
                                           ]), status: status)
    }

    /// Whether this editor may change the registry's fields (new organisations: programme staff).
    static func editsRegistry(_ actor: Actor, of id: UUID?) -> Bool {
        Policy.decide(actor, .editOrganisationRegistry, .organisation(id ?? UUID())).isAllowed
    }

    /// Bank details of an organisation, or of one not created yet (where no membership can
    /// apply, so only the programme-wide grant counts).
    static func seesBankDetails(_ actor: Actor, of id: UUID?) -> Bool {
        Policy.decide(actor, .viewOrganisationBankDetails, .organisation(id ?? UUID())).isAllowed
    }

    /// Blank, or filled from an account request being checked (`?request=`).
    func newForm(req: Request) async throws -> Response {
        let request = Policy.decide(req.actor, .reviewAccountRequests).isAllowed ? req.query[String.self, at: "request"] : nil
        let form = try await AccountRequestService(database: req.db, services: req.services).organisationForm(request: request)
        return try await renderForm(req, form: form, id: nil)
    }

    func create(req: Request) async throws -> Response {
        let form = try req.form(OrganisationForm.self)
        let actor = try req.requireSignedIn().actor
        let includeBank = Self.seesBankDetails(actor, of: nil)
        switch try await service(req).save(form, id: nil, includeBankDetails: includeBank, actor: actor.userID!) {
        case .failure(let errors): return try await renderForm(req, form: form, id: nil, errors: errors, status: .badRequest)
        case .success(let id): return Flash.redirect(req, to: .organisation(id), flash: "form.saved")
        }
    }

    func editForm(req: Request) async throws -> Response {
        let id = try req.id("organisationID")
        var form = OrganisationService.form(from: try await service(req).find(id))
        if !Self.seesBankDetails(req.actor, of: id) {
            form.bankName = ""
            form.iban = ""
            form.accountHolder = ""
        }
        return try await renderForm(req, form: form, id: id)
    }

    func update(req: Request) async throws -> Response {
        let id = try req.id("organisationID")
        var form = try req.form(OrganisationForm.self)
        let actor = try req.requireSignedIn().actor
        if !Self.editsRegistry(actor, of: id) {
            // What the registry holds, not what was posted, is shown again (the service keeps it too).
            form = form.keepingRegistryFields(of: OrganisationService.form(from: try await service(req).find(id)))
        }
        let includeBank = Self.seesBankDetails(actor, of: id)
        switch try await service(req).save(form, id: id, includeBankDetails: includeBank,
                                           includeRegistryFields: Self.editsRegistry(actor, of: id), actor: actor.userID!) {
        case .failure(let errors): return try await renderForm(req, form: form, id: id, errors: errors, status: .badRequest)
        case .success: return Flash.redirect(req, to: .organisation(id), flash: "form.saved")
        }
    }
}
