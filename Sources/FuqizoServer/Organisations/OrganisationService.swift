import Fluent
import Foundation
import FuqizoCore
import Vapor

/// Municipalities, counties and programme regions, loaded once per use (a few dozen rows).
struct GeographyDirectory: Sendable {
    struct Place: Sendable {
        let municipalityID: UUID
        let municipality: String
        let county: String
        let countyISO: String
    }

    struct Region: Sendable {
        let id: UUID
        let code: String
        let nameSq: String
        let nameEn: String
        var municipalityIDs: Set<UUID>

        func name(_ language: Language) -> String { language == .sq ? nameSq : nameEn }
    }

    let places: [UUID: Place]
    let regions: [Region]

    static func load(on database: any Database) async throws -> GeographyDirectory {
        let counties = try await County.query(on: database).all()
        let countyByID = Dictionary(uniqueKeysWithValues: counties.compactMap { c in c.id.map { ($0, c) } })
        let municipalities = try await Municipality.query(on: database).all()
        var places: [UUID: Place] = [:]
        for municipality in municipalities {
            guard let id = municipality.id, let county = countyByID[municipality.$county.id] else { continue }
            places[id] = Place(municipalityID: id, municipality: municipality.name, county: county.nameSq, countyISO: county.isoCode)
        }
        let links = try await RegionMunicipality.query(on: database).all()
        let regions = try await ProgrammeRegion.query(on: database).sort(\.$code).all().map { region in
            Region(id: region.id!, code: region.code, nameSq: region.nameSq, nameEn: region.nameEn,
                   municipalityIDs: Set(links.filter { $0.$region.id == region.id }.map(\.$municipality.id)))
        }
        return GeographyDirectory(places: places, regions: regions)
    }

    /// Municipalities sorted by name, for select lists.
    var sortedPlaces: [Place] {
        places.values.sorted { $0.municipality.compare($1.municipality, locale: Locale(identifier: "sq")) == .orderedAscending }
    }

    func regions(of municipalityID: UUID) -> [Region] {
        regions.filter { $0.municipalityIDs.contains(municipalityID) }
    }
}

/// The CSO registry's use cases.
struct OrganisationService {
    let database: any Database
    let services: AppServices

    var now: Date { services.clock.now() }

    struct Filter: Sendable {
        var query: String?
        var regionID: UUID?
        var municipalityID: UUID?
        var focusArea: FocusArea?
        var status: OrganisationStatus?
        var page: Int = 1
        /// Limits the list to these organisations (a CSO user's own); nil for everyone.
        var onlyIDs: Set<UUID>?
    }

    static let pageSize = 50

    func list(_ filter: Filter) async throws -> Fluent.Page<Organisation> {
        var query = Organisation.query(on: database)
        if let text = filter.query.flatMap(Text.clean) {
            let key = Text.searchKey(text)
            query = query.group(.or) { group in
                group.filter(\.$searchKey, .contains(inverse: false, .anywhere), key)
                group.filter(\.$registrationNumber == NUIS.normalised(text))
            }
        }
        if let region = filter.regionID {
            query = query.join(RegionMunicipality.self, on: \Organisation.$municipality.$id == \RegionMunicipality.$municipality.$id)
                .filter(RegionMunicipality.self, \.$region.$id == region)
        }
        if let municipality = filter.municipalityID { query = query.filter(\.$municipality.$id == municipality) }
        if let area = filter.focusArea {
            query = query.join(OrganisationFocusArea.self, on: \Organisation.$id == \OrganisationFocusArea.$organisation.$id)
                .filter(OrganisationFocusArea.self, \.$area == area.rawValue)
        }
        if let status = filter.status { query = query.filter(\.$status == status.rawValue) }
        if let ids = filter.onlyIDs { query = query.filter(\.$id ~~ ids) }
        return try await query.sort(\.$searchKey).with(\.$focusAreas)
            .paginate(PageRequest(page: max(filter.page, 1), per: Self.pageSize))
    }

    func find(_ id: UUID) async throws -> Organisation {
        guard let organisation = try await Organisation.query(on: database).filter(\.$id == id).with(\.$focusAreas).first() else {
            throw AppError.notFound
        }
        return organisation
    }

    /// Creates or updates. Bank details are written only when the editor may see them;
    /// otherwise the stored ones are kept as they are.
    func save(_ form: OrganisationForm, id: UUID?, includeBankDetails: Bool, actor: UUID) async throws -> Result<UUID, FieldErrors> {
        let year = Calendar(identifier: .gregorian).component(.year, from: now)
        var draft: OrganisationDraft
        switch form.validated(currentYear: year) {
        case .failure(let errors): return .failure(errors)
        case .success(let valid): draft = valid
        }
        var errors = FieldErrors()
        if try await Municipality.find(draft.municipalityID, on: database) == nil { errors.add("municipalityID", "form.error.choose") }
        var duplicate = Organisation.query(on: database).filter(\.$registrationNumber == draft.registrationNumber)
        if let id { duplicate = duplicate.filter(\.$id != id) }
        if try await duplicate.first() != nil { errors.add("registrationNumber", "cso.error.nuisTaken") }
        guard errors.isEmpty else { return .failure(errors) }

        var found: Organisation?
        if let id { found = try await find(id) }
        let existing = found
        let organisation = existing ?? Organisation()
        if !includeBankDetails {
            draft.bankName = existing?.bankName
            draft.iban = existing?.iban
            draft.accountHolder = existing?.accountHolder
        }
        let changed = Self.apply(draft, to: organisation)
        let focusAreas = draft.focusAreas
        let now = self.now
        let savedID = try await database.transaction { db -> UUID in
            try await organisation.save(on: db)
            let orgID = try organisation.requireID()
            let oldAreas = Set((existing?.focusAreas ?? []).map(\.area))
            let newAreas = Set(focusAreas.map(\.rawValue))
            if oldAreas != newAreas {
                try await OrganisationFocusArea.query(on: db).filter(\.$organisation.$id == orgID).delete()
                for area in focusAreas { try await OrganisationFocusArea(organisationID: orgID, area: area).create(on: db) }
            }
            let fields = changed + (oldAreas != newAreas && existing != nil ? ["focusAreas"] : [])
            if existing == nil || !fields.isEmpty {
                try await AuditLog.record(.init(existing == nil ? "organisation.created" : "organisation.updated",
                                                target: ("organisation", orgID.uuidString),
                                                details: existing == nil ? [:] : ["fields": fields.sorted().joined(separator: ",")]),
                                          actor: actor, at: now, on: db)
            }
            return orgID
        }
        return .success(savedID)
    }

    /// Copies the draft onto the row and names the fields that changed (names only, for the audit).
    static func apply(_ draft: OrganisationDraft, to organisation: Organisation) -> [String] {
        let before = organisation.id == nil ? nil : snapshot(organisation)
        organisation.nameSq = draft.nameSq
        organisation.nameEn = draft.nameEn
        organisation.legalForm = draft.legalForm.rawValue
        organisation.registrationNumber = draft.registrationNumber
        organisation.foundingYear = draft.foundingYear
        organisation.$municipality.id = draft.municipalityID
        organisation.email = draft.email
        organisation.phone = draft.phone
        organisation.address = draft.address
        organisation.website = draft.website
        organisation.contactPerson = draft.contactPerson
        organisation.staffCount = draft.staffCount
        organisation.volunteerCount = draft.volunteerCount
        organisation.status = draft.status.rawValue
        organisation.bankName = draft.bankName
        organisation.iban = draft.iban
        organisation.accountHolder = draft.accountHolder
        organisation.searchKey = Text.searchKey([draft.nameSq, draft.nameEn ?? ""].joined(separator: " "))
        guard let before else { return [] }
        let after = snapshot(organisation)
        return after.keys.filter { before[$0] != after[$0] }.sorted()
    }

    /// The stored values by field name, to tell which fields an edit changed.
    private static func snapshot(_ organisation: Organisation) -> [String: String] {
        func text<T>(_ value: T?) -> String { value.map { "\($0)" } ?? "" }
        return [
            "nameSq": organisation.nameSq, "nameEn": text(organisation.nameEn), "legalForm": organisation.legalForm,
            "registrationNumber": organisation.registrationNumber, "foundingYear": text(organisation.foundingYear),
            "municipality": organisation.$municipality.id.uuidString, "email": text(organisation.email),
            "phone": text(organisation.phone), "address": text(organisation.address), "website": text(organisation.website),
            "contactPerson": text(organisation.contactPerson), "staffCount": text(organisation.staffCount),
            "volunteerCount": text(organisation.volunteerCount), "status": organisation.status,
            "bankName": text(organisation.bankName), "iban": text(organisation.iban), "accountHolder": text(organisation.accountHolder),
        ]
    }

    static func form(from organisation: Organisation) -> OrganisationForm {
        var form = OrganisationForm()
        form.nameSq = organisation.nameSq
        form.nameEn = organisation.nameEn ?? ""
        form.legalForm = organisation.legalForm
        form.registrationNumber = organisation.registrationNumber
        form.foundingYear = organisation.foundingYear.map(String.init) ?? ""
        form.municipalityID = organisation.$municipality.id.uuidString
        form.focusAreas = organisation.$focusAreas.value?.map(\.area) ?? []
        form.email = organisation.email ?? ""
        form.phone = organisation.phone ?? ""
        form.address = organisation.address ?? ""
        form.website = organisation.website ?? ""
        form.contactPerson = organisation.contactPerson ?? ""
        form.staffCount = organisation.staffCount.map(String.init) ?? ""
        form.volunteerCount = organisation.volunteerCount.map(String.init) ?? ""
        form.status = organisation.status
        form.bankName = organisation.bankName ?? ""
        form.iban = organisation.iban.map(IBAN.formatted) ?? ""
        form.accountHolder = organisation.accountHolder ?? ""
        return form
    }

    // MARK: regions

    /// Replaces a region's set of municipalities (a municipality may belong to one region only).
    func updateRegion(_ regionID: UUID, municipalityIDs: Set<UUID>, actor: UUID) async throws -> Result<Void, FieldErrors> {
        guard try await ProgrammeRegion.find(regionID, on: database) != nil else { throw AppError.notFound }
        var errors = FieldErrors()
        let taken = try await RegionMunicipality.query(on: database)
            .filter(\.$region.$id != regionID)
            .filter(\.$municipality.$id ~~ municipalityIDs)
            .count()
        if taken > 0 { errors.add("municipalities", "region.error.taken") }
        if municipalityIDs.isEmpty { errors.add("municipalities", "region.error.empty") }
        let known = try await Municipality.query(on: database).filter(\.$id ~~ municipalityIDs).count()
        if known != municipalityIDs.count { errors.add("municipalities", "form.error.choose") }
        guard errors.isEmpty else { return .failure(errors) }
        let now = self.now
        try await database.transaction { db in
            try await RegionMunicipality.query(on: db).filter(\.$region.$id == regionID).delete()
            for id in municipalityIDs {
                let link = RegionMunicipality()
                link.$region.id = regionID
                link.$municipality.id = id
                try await link.create(on: db)
            }
            try await AuditLog.record(.init("region.updated", target: ("region", regionID.uuidString),
                                            details: ["municipalities": String(municipalityIDs.count)]), actor: actor, at: now, on: db)
        }
        return .success(())
    }
}
