import Fluent
import Foundation
import FuqizoCore
import Vapor

/// The administrator's pages for the installation: audit trail, mail outbox, programme
/// settings and programme regions.
struct AdminController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let admin = routes.grouped("admin")
        admin.get("audit", use: audit).access(.viewAuditTrail)
        admin.get("audit", "export", use: auditExport).access(.viewAuditTrail)
        admin.get("outbox", use: outbox).access(.viewMailOutbox)
        admin.post("outbox", ":messageID", "retry", use: retryMail).access(.viewMailOutbox)
        admin.get("settings", use: settings).access(.manageSettings)
        admin.post("settings", use: saveSettings).access(.manageSettings)
        admin.get("regions", use: regions).access(.manageRegions)
        admin.get("regions", ":regionID", use: region).access(.manageRegions)
        admin.post("regions", ":regionID", use: saveRegion).access(.manageRegions)
    }

    // MARK: audit

    struct AuditRow: Encodable {
        let sequence: Int
        let at: String
        let sentence: String
        let action: String
    }

    struct AuditPage: Encodable {
        let rows: [AuditRow]
        let fields: [FieldContext]
        let pages: PageLinks
        let total: String
        let filtered: Bool
        /// Nil when the selection is larger than an export may be.
        let exportHref: String?
        let verified: Bool
        let intact: Bool
        let checked: Int
        let breakDescription: String?
    }

    /// The filters as typed in the address: unknown or malformed values are dropped, not refused.
    struct AuditQuery: Content {
        var person: String?
        var family: String?
        var from: String?
        var to: String?
        var record: String?
        var action: String?
        var page: String?
        var verify: String?

        var filter: AuditReading.Filter {
            AuditReading.Filter(person: person.flatMap(Text.clean).map { String($0.prefix(100)) },
                              family: family.flatMap { AuditReading.families.contains($0) ? $0 : nil },
                              from: from.flatMap(LocalDate.init), to: to.flatMap(LocalDate.init),
                              record: record.flatMap(Text.clean).map { String($0.prefix(100)) },
                              page: page.flatMap { Int($0) }, action: action.flatMap(Text.clean).map { String($0.prefix(100)) })
        }
    }

    func audit(req: Request) async throws -> View {
        let query = (try? req.query.decode(AuditQuery.self)) ?? AuditQuery()
        let filter = query.filter
        let (rows, pager) = try await AuditReading.page(filter, on: req.db)
        let wording = try await AuditWording.load(req, for: rows.map(\.entry))
        let lines = rows.map { row in
            AuditRow(sequence: row.entry.sequence, at: Display.dateTime(row.entry.occurredAt), sentence: wording.sentence(row), action: row.entry.action)
        }
        let verify = query.verify != nil
        let verification = verify ? try await AuditLog.verify(on: req.db, key: req.services.audit.key.key) : nil
        func link(_ number: Int) -> String {
            SiteURL.auditTrail.with(filter.items + [("page", String(number))])
        }
        let families = AuditReading.families.map {
            FieldContext.Option(value: $0, label: req.t("audit.family.\($0)"), selected: $0 == filter.family)
        }.sorted { $0.label < $1.label }
        let fields = [
            FieldContext("person", label: "audit.filter.person", kind: "search", value: query.person ?? "", hint: "audit.filter.personHint"),
            FieldContext("family", label: "audit.filter.family", kind: "select", value: filter.family ?? "", options: families),
            FieldContext("from", label: "audit.filter.from", kind: "date", value: filter.from?.description ?? ""),
            FieldContext("to", label: "audit.filter.to", kind: "date", value: filter.to?.description ?? ""),
            FieldContext("record", label: "audit.filter.record", kind: "search", value: query.record ?? "", hint: "audit.filter.recordHint"),
        ]
        let filtered = filter.items.contains { $0.1.flatMap(Text.clean) != nil }
        return try await req.page("admin/audit", title: "audit.title", AuditPage(
            rows: lines, fields: fields,
            pages: PageLinks(pager, newestFirst: true, link: link),
            total: req.counted("audit.count", pager.total), filtered: filtered,
            exportHref: pager.total <= AuditReading.exportLimit ? SiteURL.auditExport.with(filter.items) : nil,
            verified: verify, intact: verification?.isIntact ?? false, checked: verification?.checked ?? 0,
            breakDescription: verification?.firstBreak?.description))
    }

    /// The selected entries as CSV, oldest first: the codes as stored (what the chain hashes)
    /// and the sentence in the reader's language. Refused, with the count, above the limit.
    func auditExport(req: Request) async throws -> Response {
        let query = (try? req.query.decode(AuditQuery.self)) ?? AuditQuery()
        guard let (rows, _) = try await AuditReading.all(query.filter, on: req.db) else {
            throw AppError(status: .conflict, messageKey: "audit.export.tooMany")
        }
        let wording = try await AuditWording.load(req, for: rows.map(\.entry))
        let header = ["sequence", "occurred_at_utc", "actor_email", "action", "target_type", "target_id", "details", "sentence"]
        let csv = try SpreadsheetText.csv(header: header, rows: rows.map { row in
            [String(row.entry.sequence), SpreadsheetText.utc(row.entry.occurredAt), row.actor?.email ?? "", row.entry.action,
             row.entry.targetType ?? "", row.entry.targetID ?? "", row.entry.details, wording.sentence(row)]
        })
        let response = Response(status: .ok, body: .init(data: csv))
        response.headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        let day = TiranaTime.today(at: req.now).description
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"fuqizo-audit-\(day).csv\"")
        return response
    }

    // MARK: outbox

    struct OutboxRow: Encodable {
        let id: String
        let recipient: String
        let subject: String
        let statusKey: String
        let attempts: Int
        let createdAt: String
        let nextAttemptAt: String
        let lastError: String?
        let canRetry: Bool
    }

    func outbox(req: Request) async throws -> View {
        let messages = try await Outbox.recent(on: req.db)
        let rows = messages.map { message in
            OutboxRow(id: message.id!.uuidString, recipient: message.recipient, subject: message.subject,
                      statusKey: "outbox.status.\(message.status)", attempts: message.attempts,
                      createdAt: Display.dateTime(message.createdAt),
                      nextAttemptAt: message.status == OutboxMessage.Status.pending ? Display.dateTime(message.nextAttemptAt) : "",
                      lastError: message.lastError, canRetry: message.status == OutboxMessage.Status.failed)
        }
        return try await req.page("admin/outbox", title: "outbox.title", ["rows": rows])
    }

    func retryMail(req: Request) async throws -> Response {
        let message = try await Outbox.message(try req.id("messageID"), on: req.db)
        let now = req.now
        let actor = try req.requireSignedIn().actor.userID
        try await Outbox.retry(message, now: now, actor: actor, audit: req.services.audit, on: req.db)
        return Flash.redirect(req, to: .outbox, flash: "outbox.retried")
    }

    // MARK: settings

    struct SettingsPage: Encodable {
        let fields: [FieldContext]
    }

    private func renderSettings(_ req: Request, form: ProgrammeSettingsForm, errors: FieldErrors = .init(),
                                status: HTTPResponseStatus = .ok) async throws -> Response {
        let fields = [
            FieldContext("programmeNameSq", label: "field.programmeNameSq", value: form.programmeNameSq, errors: errors, required: true),
            FieldContext("programmeNameEn", label: "field.programmeNameEn", value: form.programmeNameEn, errors: errors, required: true),
            FieldContext("reference", label: "field.programmeReference", value: form.reference, errors: errors),
            FieldContext("implementingOrganisation", label: "field.implementingOrganisation", value: form.implementingOrganisation, errors: errors),
            FieldContext("donor", label: "field.donor", value: form.donor, errors: errors),
            FieldContext("currency", label: "field.currency", value: form.currency, errors: errors, required: true, hint: "settings.currency.hint"),
            FieldContext("startDate", label: "field.startDate", kind: "date", value: form.startDate, errors: errors),
            FieldContext("endDate", label: "field.endDate", kind: "date", value: form.endDate, errors: errors),
            FieldContext("smallCellDonor", label: "field.smallCellDonor", kind: "number", value: form.smallCellDonor, errors: errors, required: true, hint: "settings.smallCell.hint"),
            FieldContext("smallCellPublic", label: "field.smallCellPublic", kind: "number", value: form.smallCellPublic, errors: errors, required: true),
            FieldContext("retentionMonths", label: "field.retentionMonths", kind: "number", value: form.retentionMonths, errors: errors, required: true, hint: "settings.retention.hint"),
            FieldContext("helplines", label: "field.helplines", kind: "textarea", value: form.helplines, errors: errors, required: true, hint: "settings.helplines.hint"),
            FieldContext("contactEmail", label: "field.contactEmail", kind: "email", value: form.contactEmail, errors: errors, hint: "settings.contact.hint"),
            FieldContext("contactPhone", label: "field.contactPhone", kind: "tel", value: form.contactPhone, errors: errors),
            FieldContext("contactAddress", label: "field.contactAddress", kind: "textarea", value: form.contactAddress, errors: errors),
            FieldContext("partners", label: "field.partners", kind: "textarea", value: form.partners, errors: errors, hint: "settings.partners.hint"),
        ]
        return try await req.page("admin/settings", title: "settings.title", SettingsPage(fields: fields), status: status)
    }

    func settings(req: Request) async throws -> Response {
        let current = try await SettingsService(database: req.db, services: req.services).current()
        return try await renderSettings(req, form: ProgrammeSettingsForm(current))
    }

    func saveSettings(req: Request) async throws -> Response {
        let form = try req.form(ProgrammeSettingsForm.self)
        let actor = try req.requireSignedIn().actor.userID!
        switch try await SettingsService(database: req.db, services: req.services).update(form, actor: actor) {
        case .failure(let errors): return try await renderSettings(req, form: form, errors: errors, status: .badRequest)
        case .success: return Flash.redirect(req, to: .settings, flash: "form.saved")
        }
    }

    // MARK: regions

    struct RegionRow: Encodable {
        let id: String
        let code: String
        let name: String
        let municipalities: String
    }

    func regions(req: Request) async throws -> View {
        let geography = try await GeographyDirectory.load(on: req.db)
        let rows = geography.regions.map { region in
            RegionRow(id: region.id.uuidString, code: region.code, name: region.name(req.language),
                      municipalities: region.municipalityIDs.compactMap { geography.places[$0]?.municipality }.sorted().joined(separator: ", "))
        }
        return try await req.page("admin/regions", title: "regions.title", ["rows": rows])
    }

    struct RegionPage: Encodable {
        let id: String
        let name: String
        let fields: [FieldContext]
    }

    private func renderRegion(_ req: Request, id: UUID, selected: Set<UUID>? = nil, errors: FieldErrors = .init(),
                              status: HTTPResponseStatus = .ok) async throws -> Response {
        let geography = try await GeographyDirectory.load(on: req.db)
        guard let region = geography.regions.first(where: { $0.id == id }) else { throw AppError.notFound }
        let chosen = selected ?? region.municipalityIDs
        let otherRegions = Set(geography.regions.filter { $0.id != id }.flatMap(\.municipalityIDs))
        let options = geography.sortedPlaces.filter { !otherRegions.contains($0.municipalityID) }.map {
            FieldContext.Option(value: $0.municipalityID.uuidString, label: "\($0.municipality) (\($0.county))",
                                selected: chosen.contains($0.municipalityID))
        }
        let fields = [FieldContext("municipalities", label: "field.municipalities", kind: "checkboxes", options: options,
                                   errors: errors, required: true, hint: "regions.hint")]
        return try await req.page("admin/region", title: "regions.edit.title",
                                  RegionPage(id: id.uuidString, name: region.name(req.language), fields: fields), status: status)
    }

    func region(req: Request) async throws -> Response {
        let id = try req.id("regionID")
        return try await renderRegion(req, id: id)
    }

    struct RegionForm: Content {
        var municipalities: [String]?
    }

    func saveRegion(req: Request) async throws -> Response {
        let id = try req.id("regionID")
        let form = try req.form(RegionForm.self)
        let ids = Set((form.municipalities ?? []).compactMap(UUID.init(uuidString:)))
        let actor = try req.requireSignedIn().actor.userID!
        switch try await OrganisationService(database: req.db, services: req.services).updateRegion(id, municipalityIDs: ids, actor: actor) {
        case .failure(let errors): return try await renderRegion(req, id: id, selected: ids, errors: errors, status: .badRequest)
        case .success: return Flash.redirect(req, to: .regions, flash: "form.saved")
        }
    }
}
