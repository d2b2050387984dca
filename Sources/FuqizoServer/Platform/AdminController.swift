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
        let actor: String
        let action: String
        let target: String
        let details: String
    }

    struct AuditPage: Encodable {
        let rows: [AuditRow]
        let fields: [FieldContext]
        let pages: PageLinks
        let verified: Bool
        let intact: Bool
        let checked: Int
        let breakDescription: String?
    }

    func audit(req: Request) async throws -> View {
        let requestedPage = req.query[Int.self, at: "page"]
        // Filters: what happened (an action or its family, e.g. "signIn") and to which record.
        let action = (req.query[String.self, at: "action"]).flatMap(Text.clean)
        let target = (req.query[String.self, at: "target"]).flatMap(Text.clean)
        let (entries, pager, actors) = try await AuditLog.page(action: action, target: target, page: requestedPage, on: req.db)
        let rows = entries.map { entry in
            AuditRow(sequence: entry.sequence, at: Display.dateTime(entry.occurredAt),
                     actor: entry.actorID.flatMap { id in actors.first { $0.id == id }?.email } ?? "—",
                     action: entry.action, target: [entry.targetType, entry.targetID].compactMap { $0 }.joined(separator: " "),
                     details: entry.details)
        }
        let verify = req.query[String.self, at: "verify"] != nil
        let verification = verify ? try await AuditLog.verify(on: req.db, key: req.services.audit.key.key) : nil
        func link(_ number: Int) -> String {
            SiteURL.auditTrail.with([("action", action), ("target", target), ("page", String(number))])
        }
        let fields = [
            FieldContext("action", label: "audit.filter.action", value: action ?? "", hint: "audit.filter.actionHint"),
            FieldContext("target", label: "audit.filter.target", value: target ?? ""),
        ]
        return try await req.page("admin/audit", title: "audit.title", AuditPage(
            rows: rows, fields: fields,
            pages: PageLinks(pager, newestFirst: true, link: link),
            verified: verify, intact: verification?.isIntact ?? false, checked: verification?.checked ?? 0,
            breakDescription: verification?.firstBreak?.description))
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
