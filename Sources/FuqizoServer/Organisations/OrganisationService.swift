import Fluent
import Foundation
import FuqizoCore
import SQLKit
import Vapor

/// Municipalities, counties and programme regions, loaded once per use (a few dozen rows).
struct GeographyDirectory: Sendable {
    struct Place: Sendable {
        let municipalityID: UUID
        let municipality: String
        let county: String
    }

    struct Region: Sendable {
        let id: UUID
        let code: String
        let nameSq: String
        let nameEn: String
        var municipalityIDs: Set<UUID>

        func name(_ language: Language) -> String { language.pick(nameSq, nameEn) }
    }

    let places: [UUID: Place]
    /// Municipalities in Albanian alphabetical order, for select lists.
    let sortedPlaces: [Place]
    let regions: [Region]

    // Rows name their columns: SQLKit's snake-case key conversion costs more than the query.
    private struct PlaceRow: Decodable {
        let id: UUID
        let name: String
        let nameSq: String

        enum CodingKeys: String, CodingKey {
            case id, name, nameSq = "name_sq"
        }
    }

    private struct RegionRow: Decodable {
        let id: UUID
        let code: String
        let nameSq: String
        let nameEn: String

        enum CodingKeys: String, CodingKey {
            case id, code, nameSq = "name_sq", nameEn = "name_en"
        }
    }

    private struct LinkRow: Decodable {
        let regionId: UUID
        let municipalityId: UUID

        enum CodingKeys: String, CodingKey {
            case regionId = "region_id", municipalityId = "municipality_id"
        }
    }

    /// Read on most pages of the registry: three plain queries, sorted once here.
    static func load(on database: any Database) async throws -> GeographyDirectory {
        guard let sql = database as? any SQLDatabase else { throw Abort(.internalServerError) }
        let places = try await sql.select()
            .columns(SQLColumn("id", table: "municipalities"), SQLColumn("name", table: "municipalities"),
                     SQLColumn("name_sq", table: "counties"))
            .from("municipalities")
            .join("counties", on: SQLColumn("county_id", table: "municipalities"), .equal, SQLColumn("id", table: "counties"))
            .all(decoding: PlaceRow.self)
            .map { Place(municipalityID: $0.id, municipality: $0.name, county: $0.nameSq) }
        let links = try await sql.select().columns("region_id", "municipality_id").from("region_municipalities")
            .all(decoding: LinkRow.self)
        let regions = try await sql.select().columns("id", "code", "name_sq", "name_en").from("programme_regions").orderBy("code")
            .all(decoding: RegionRow.self)
            .map { row in
                Region(id: row.id, code: row.code, nameSq: row.nameSq, nameEn: row.nameEn,
                       municipalityIDs: Set(links.filter { $0.regionId == row.id }.map(\.municipalityId)))
            }
        // Folded names sort close to the Albanian alphabet at a fraction of a collator's cost.
        let sorted = places.map { (key: Text.searchKey($0.municipality), place: $0) }
            .sorted { ($0.key, $0.place.municipality) < ($1.key, $1.place.municipality) }
            .map(\.place)
        return GeographyDirectory(places: Dictionary(uniqueKeysWithValues: sorted.map { ($0.municipalityID, $0) }),
                                  sortedPlaces: sorted, regions: regions)
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

    /// These organisations, by name (the names pages show beside a role, a consent, a referral).
    func named(_ ids: some Collection<UUID>) async throws -> [Organisation] {
        guard !ids.isEmpty else { return [] }
        return try await Organisation.query(on: database).filter(\.$id ~~ Set(ids)).sort(\.$nameSq).all()
    }

    /// Their names by id.
    func names(_ ids: some Collection<UUID>) async throws -> [UUID: String] {
        Dictionary(uniqueKeysWithValues: try await named(ids).compactMap { org in org.id.map { ($0, org.nameSq) } })
    }

    /// Every organisation in the registry's order, for choosing one.
    func all() async throws -> [Organisation] {
        try await Organisation.query(on: database).sort(\.$searchKey).all()
    }

    /// Active organisations by name: who a referral consent may name.
    func active() async throws -> [Organisation] {
        try await Organisation.query(on: database).filter(\.$status == OrganisationStatus.active).sort(\.$nameSq).all()
    }

    /// How many organisations the registry holds in each region, and in all.
    func counts(in regions: [GeographyDirectory.Region]) async throws -> (perRegion: [Int], total: Int) {
        var perRegion: [Int] = []
        for region in regions {
            perRegion.append(try await Organisation.query(on: database).filter(\.$municipality.$id ~~ region.municipalityIDs).count())
        }
        return (perRegion, try await Organisation.query(on: database).count())
    }

    struct Filter: Sendable {
        var query: String?
        var regionID: UUID?
        var municipalityID: UUID?
        var focusArea: FocusArea?
        var status: OrganisationStatus?
        var page: Int?
        /// Limits the list to these organisations (a CSO user's own); nil for everyone.
        var onlyIDs: Set<UUID>?
    }

    static let pageSize = 50

    /// One line of the registry list: only what the list shows.
    struct Summary: Sendable {
        let id: UUID
        let nameSq: String
        let nameEn: String?
        let registrationNumber: String
        let municipalityID: UUID
        let status: OrganisationStatus
        let focusAreas: [String]
    }

    struct ListPage: Sendable {
        let items: [Summary]
        let pager: Pager
    }

    // The registry list's rows name their columns instead of using SQLKit's snake-case
    // conversion: it is the page measured hottest in docs/performance.md.
    private struct SummaryRow: Decodable {
        let id: UUID
        let nameSq: String
        let nameEn: String?
        let registrationNumber: String
        let municipalityId: UUID
        let status: OrganisationStatus

        enum CodingKeys: String, CodingKey {
            case id, status, nameSq = "name_sq", nameEn = "name_en", registrationNumber = "registration_number"
            case municipalityId = "municipality_id"
        }
    }

    private struct FocusRow: Decodable {
        let organisationId: UUID
        let area: String

        enum CodingKeys: String, CodingKey {
            case area, organisationId = "organisation_id"
        }
    }

    /// The registry list, read with plain SQL: the list page is the most used page of the
    /// registry, and decoding full models row by row cost most of its time (see
    /// docs/performance.md).
    func list(_ filter: Filter) async throws -> ListPage {
        guard let sql = database as? any SQLDatabase else { throw Abort(.internalServerError) }
        if let ids = filter.onlyIDs, ids.isEmpty { return ListPage(items: [], pager: Pager(requested: 1, total: 0, pageSize: Self.pageSize)) }
        func filtered(_ select: SQLSelectBuilder) -> SQLSelectBuilder {
            var select = select.from("organisations")
            if let text = filter.query.flatMap(Text.clean) {
                let key = Text.searchKey(text).filter { $0 != "%" && $0 != "_" && $0 != "\\" }
                select = select.where {
                    $0.where(SQLColumn("search_key", table: "organisations"), .like, SQLBind("%\(key)%"))
                        .orWhere(SQLColumn("registration_number", table: "organisations"), .equal, SQLBind(NUIS.normalised(text)))
                }
            }
            if let region = filter.regionID {
                select = select.join("region_municipalities", on: SQLColumn("municipality_id", table: "region_municipalities"),
                                     .equal, SQLColumn("municipality_id", table: "organisations"))
                    .where(SQLColumn("region_id", table: "region_municipalities"), .equal, SQLBind(region))
            }
            if let municipality = filter.municipalityID {
                select = select.where(SQLColumn("municipality_id", table: "organisations"), .equal, SQLBind(municipality))
            }
            if let area = filter.focusArea {
                select = select.join("organisation_focus_areas", on: SQLColumn("organisation_id", table: "organisation_focus_areas"),
                                     .equal, SQLColumn("id", table: "organisations"))
                    .where(SQLColumn("area", table: "organisation_focus_areas"), .equal, SQLBind(area.rawValue))
            }
            if let status = filter.status {
                select = select.where(SQLColumn("status", table: "organisations"), .equal, SQLBind(status.rawValue))
            }
            if let ids = filter.onlyIDs {
                select = select.where(SQLColumn("id", table: "organisations"), .in, SQLBind.group(Array(ids)))
            }
            return select
        }
        let total = try await filtered(sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "count"))
            .first(decodingColumn: "count", as: Int.self) ?? 0
        let pager = Pager(requested: filter.page, total: total, pageSize: Self.pageSize)
        let rows = try await filtered(sql.select().columns(
            SQLColumn("id", table: "organisations"), SQLColumn("name_sq", table: "organisations"),
            SQLColumn("name_en", table: "organisations"), SQLColumn("registration_number", table: "organisations"),
            SQLColumn("municipality_id", table: "organisations"), SQLColumn("status", table: "organisations")))
            .orderBy(SQLColumn("search_key", table: "organisations"))
            .orderBy(SQLColumn("id", table: "organisations"))
            .limit(Self.pageSize)
            .offset(pager.offset)
            .all(decoding: SummaryRow.self)
        var areas: [UUID: [String]] = [:]
        if !rows.isEmpty {
            let focus = try await sql.select().columns("organisation_id", "area").from("organisation_focus_areas")
                .where("organisation_id", .in, SQLBind.group(rows.map(\.id)))
                .all(decoding: FocusRow.self)
            for row in focus { areas[row.organisationId, default: []].append(row.area) }
        }
        let items = rows.map { row in
            Summary(id: row.id, nameSq: row.nameSq, nameEn: row.nameEn, registrationNumber: row.registrationNumber,
                    municipalityID: row.municipalityId, status: row.status,
                    focusAreas: FocusArea.allCases.map(\.rawValue).filter { areas[row.id, default: []].contains($0) })
        }
        return ListPage(items: items, pager: pager)
    }

    func find(_ id: UUID) async throws -> Organisation {
        guard let organisation = try await Organisation.query(on: database).filter(\.$id == id).with(\.$focusAreas).first() else {
            throw AppError.notFound
        }
        return organisation
    }

    /// Creates or updates. Bank details are written only when the editor may see them, and
    /// the registry's fields only when the editor is programme staff; otherwise the stored
    /// ones are kept as they are, whatever the form says.
    func save(_ form: OrganisationForm, id: UUID?, includeBankDetails: Bool, includeRegistryFields: Bool = true,
              actor: UUID) async throws -> Result<UUID, FieldErrors> {
        let year = Calendar(identifier: .gregorian).component(.year, from: now)
        var form = form
        if !includeRegistryFields {
            guard let id else { throw AppError.forbidden }
            form = form.keepingRegistryFields(of: Self.form(from: try await find(id)))
        }
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
        let savedID = try await database.writeTransaction { db -> UUID in
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
                try await services.audit.record(.init(existing == nil ? "organisation.created" : "organisation.updated",
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
        organisation.status = draft.status
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
            "volunteerCount": text(organisation.volunteerCount), "status": organisation.status.rawValue,
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
        form.status = organisation.status.rawValue
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
        try await database.writeTransaction { db in
            try await RegionMunicipality.query(on: db).filter(\.$region.$id == regionID).delete()
            for id in municipalityIDs {
                let link = RegionMunicipality()
                link.$region.id = regionID
                link.$municipality.id = id
                try await link.create(on: db)
            }
            try await services.audit.record(.init("region.updated", target: ("region", regionID.uuidString),
                                            details: ["municipalities": String(municipalityIDs.count)]), actor: actor, at: now, on: db)
        }
        return .success(())
    }
}
