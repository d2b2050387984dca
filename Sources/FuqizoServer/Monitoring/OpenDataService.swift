import Fluent
import Foundation
import FuqizoCore
import SQLKit

/// The programme as open data (IATI 2.03 and 360Giving): its open-data settings, its signed
/// sub-grants with their payments, and its logframe with the figures submitted to the donor.
/// Never a survivor record; a count of people below the public threshold is left out.
struct OpenDataService {
    let database: any Database
    let services: AppServices

    var now: Date { services.clock.now() }

    /// The open-data settings live beside the programme's, in a row of their own.
    static let settingsRow = 2

    func settings() async throws -> OpenDataSettings {
        guard let row = try await SettingsRow.find(Self.settingsRow, on: database) else { return .none }
        do {
            return try JSONDecoder().decode(OpenDataSettings.self, from: Data(row.document.utf8))
        } catch {
            throw StoredDataError(table: SettingsRow.schema, column: "document", id: nil)
        }
    }

    func update(_ form: OpenDataSettingsForm, actor: UUID) async throws -> Result<OpenDataSettings, FieldErrors> {
        let programme = try await SettingsService(database: database, services: services).current()
        let dates = LocalDate(programme.startDate).flatMap { start in LocalDate(programme.endDate).map { start...$0 } }
        var result = form.validated(programme: dates)
        // The IATI activity needs the programme's dates: without them nothing is saved.
        if dates == nil {
            var errors = FieldErrors()
            if case .failure(let problems) = result { errors = problems }
            errors.add("activityIdentifier", "openData.error.noProgrammeDates")
            result = .failure(errors)
        }
        switch result {
        case .failure(let errors): return .failure(errors)
        case .success(let settings):
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            let document = String(decoding: try encoder.encode(settings), as: UTF8.self)
            let at = now
            try await database.writeTransaction { db in
                let row = try await SettingsRow.find(Self.settingsRow, on: db) ?? SettingsRow(id: Self.settingsRow, document: document)
                row.document = document
                try await row.save(on: db)
                try await services.audit.record(.init("settings.openDataUpdated", details: ["publisher": settings.publisherRef]), actor: actor, at: at, on: db)
            }
            services.openData.forget()
            return .success(settings)
        }
    }

    private struct GrantRow: Decodable {
        let id: UUID
        let number: String
        let amount: Int64
        let startDate: String
        let endDate: String
        let granteeSignedOn: String?
        let programmeSignedOn: String?
        let organisation: String
        let registration: String
        let region: String?
        let callReference: String
        let callTitleSq: String
        let callTitleEn: String
        let decisionDate: String?
    }

    /// Sub-grants whose contracts both parties signed, with their payments and recoveries.
    func subGrants() async throws -> [OpenDataProgramme.SubGrant] {
        guard let sql = database as? any SQLDatabase else { throw AppError.server }
        let signed = SQLList(ProgrammeFactsReader.contracted.map { SQLBind($0.rawValue) })
        let rows = try await sql.raw("""
            SELECT c.id AS "id", c.number AS "number", c.amount_minor_units AS "amount", c.start_date AS "startDate", c.end_date AS "endDate",
                   c.grantee_signed_on AS "granteeSignedOn", c.programme_signed_on AS "programmeSignedOn",
                   o.name_sq AS "organisation", o.registration_number AS "registration", rg.name_en AS "region",
                   gc.reference AS "callReference", gc.title_sq AS "callTitleSq", gc.title_en AS "callTitleEn", er.decision_date AS "decisionDate"
            FROM grant_contracts c
            JOIN organisations o ON o.id = c.organisation_id
            JOIN grant_calls gc ON gc.id = c.call_id
            JOIN grant_applications a ON a.id = c.application_id
            LEFT JOIN programme_regions rg ON rg.id = c.region_id
            LEFT JOIN evaluation_rounds er ON er.call_id = a.call_id AND er.stage = a.stage
            WHERE c.status IN (\(signed))
            ORDER BY c.number
            """).all(decoding: GrantRow.self)
        let reader = ProgrammeFactsReader(database: database)
        let payments = try await reader.paidTranches(), recoveries = try await reader.recoveriesPaid()
        func movements(_ rows: [ProgrammeFactsReader.MovementRow]?) -> [OpenDataProgramme.Movement] {
            (rows ?? []).compactMap(\.movement).map { .init(on: $0.on, minorUnits: $0.minorUnits) }.sorted { $0.on < $1.on }
        }
        return rows.compactMap { row in
            guard let grantee = row.granteeSignedOn.flatMap(LocalDate.init), let programme = row.programmeSignedOn.flatMap(LocalDate.init),
                  let start = LocalDate(row.startDate), let end = LocalDate(row.endDate) else { return nil }
            let signedOn = max(grantee, programme)
            return OpenDataProgramme.SubGrant(
                number: row.number, recipientName: row.organisation, recipientRef: OpenDataProgramme.albanianIdentifier(row.registration),
                regionName: row.region, callReference: row.callReference, callTitleSq: row.callTitleSq, callTitleEn: row.callTitleEn,
                awardedOn: row.decisionDate.flatMap(LocalDate.init) ?? signedOn, signedOn: signedOn, startsOn: start, endsOn: end,
                minorUnits: row.amount, payments: movements(payments[row.id]), recoveries: movements(recoveries[row.id]))
        }
    }

    /// The logframe in force as results: for each period, its target and, once a report for it
    /// has been submitted, the value submitted (a count of people only from the public threshold up).
    func results(threshold: Int) async throws -> [OpenDataProgramme.Result] {
        let logframes = LogframeService(database: database, services: services)
        guard let approved = try await logframes.approved() else { return [] }
        let tree = try await logframes.tree(approved)
        var submitted: [String: FrozenFigures] = [:]
        for report in try await DonorReport.query(on: database).filter(\.$status == .submitted).sort(\.$submittedAt).all() {
            if let figures = report.figures { submitted[report.periodCode] = figures }
        }
        return tree.ordered.map { entry in
            OpenDataProgramme.Result(level: entry.level, titleSq: entry.titleSq, titleEn: entry.titleEn, indicators: tree.indicators(of: entry).map { indicator in
                OpenDataProgramme.Indicator(
                    titleSq: indicator.nameSq, titleEn: indicator.nameEn, unit: indicator.unit, direction: indicator.direction,
                    baseline: indicator.baseline, baselineYear: indicator.baselineYear,
                    periods: tree.periods.map { period in
                        let value = submitted[period.code]?.value(indicator: indicator.code, period: period.code)
                        let shown = value.map { DisclosedValue(IndicatorValue(total: $0.total), countsPeople: indicator.countsPeople, threshold: threshold) }
                        return .init(startsOn: period.startsOn, endsOn: period.endsOn,
                                     target: indicator.target(for: period.code) ?? (period.kind == .final ? indicator.finalTarget : nil),
                                     actual: IndicatorText.drawable(shown?.total))
                    })
            })
        }
    }

    /// Everything the files say; nil until the publisher and the funder are set.
    func programme() async throws -> OpenDataProgramme? {
        let open = try await settings()
        guard open.isSet else { return nil }
        let settings = try await SettingsService(database: database, services: services).current()
        let catalog = services.catalog
        return OpenDataProgramme(
            settings: settings, openData: open,
            descriptionSq: catalog.text("openData.description", .sq), descriptionEn: catalog.text("openData.description", .en),
            today: TiranaTime.today(at: now), generatedAt: now, subGrants: try await subGrants(),
            results: try await results(threshold: FigureAudience.publicSite.threshold(in: settings)))
    }

    /// The three files, kept five minutes: they are public and read by harvesters.
    func files() async throws -> OpenDataFiles? {
        try await services.openData.value(at: now) {
            guard let programme = try await programme() else { return nil }
            return OpenDataFiles(activities: IATIFiles.activities(programme), organisations: IATIFiles.organisations(programme),
                                 giving: programme.subGrants.isEmpty ? nil : try GivingPackage.json(programme))
        }
    }
}

struct OpenDataFiles: Sendable {
    let activities: String
    let organisations: String
    /// Nil before the first sub-grant is signed: a 360Giving package holds at least one grant.
    let giving: Data?
}
