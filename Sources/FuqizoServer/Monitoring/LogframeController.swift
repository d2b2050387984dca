import Foundation
import FuqizoCore
import Vapor

/// The logframe: its versions read by programme managers and donors, and a draft built,
/// changed and approved by programme managers.
struct LogframeController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let monitoring = routes.grouped("monitoring")
        monitoring.get("logframe", use: overview).access(.viewMonitoring)
        monitoring.post("logframe", use: startDraft).access(.manageLogframe)
        monitoring.get("logframe", ":logframeID", use: version).access(.viewMonitoring, .logframe)
        monitoring.post("logframe", ":logframeID", "periods", use: addPeriod).access(.manageLogframe, .logframe)
        monitoring.post("logframe", ":logframeID", "periods", "remove", use: removePeriod).access(.manageLogframe, .logframe)
        monitoring.get("logframe", ":logframeID", "entries", "new", use: newEntry).access(.manageLogframe, .logframe)
        monitoring.post("logframe", ":logframeID", "entries", "new", use: addEntry).access(.manageLogframe, .logframe)
        monitoring.post("logframe", ":logframeID", "approve", use: approve).access(.manageLogframe, .logframe)
        monitoring.get("entries", ":entryID", use: editEntry).access(.manageLogframe, .logframeEntry)
        monitoring.post("entries", ":entryID", use: saveEntry).access(.manageLogframe, .logframeEntry)
        monitoring.post("entries", ":entryID", "remove", use: removeEntry).access(.manageLogframe, .logframeEntry)
        monitoring.get("entries", ":entryID", "indicators", "new", use: newIndicator).access(.manageLogframe, .logframeEntry)
        monitoring.post("entries", ":entryID", "indicators", "new", use: addIndicator).access(.manageLogframe, .logframeEntry)
        monitoring.get("indicators", ":indicatorID", use: editIndicator).access(.manageLogframe, .logframeIndicator)
        monitoring.post("indicators", ":indicatorID", use: saveIndicator).access(.manageLogframe, .logframeIndicator)
        monitoring.post("indicators", ":indicatorID", "remove", use: removeIndicator).access(.manageLogframe, .logframeIndicator)
    }

    private func service(_ req: Request) -> LogframeService {
        LogframeService(database: req.db, services: req.services)
    }

    /// The version in force, else the draft; with none yet, the page that starts the first.
    func overview(req: Request) async throws -> Response {
        let logframes = service(req)
        if let current = try await logframes.current(), let id = current.id {
            return req.redirect(to: SiteURL.logframeVersion(id).path)
        }
        return try await req.page("monitoring/logframe-empty", title: "logframe.title",
                                  ["canStart": Policy.decide(req.actor, .manageLogframe).isAllowed], status: .ok)
    }

    func startDraft(req: Request) async throws -> Response {
        let draft = try await service(req).startDraft(actor: try req.requireSignedIn().userID)
        return Flash.redirect(req, to: .logframeVersion(try draft.requireID()), flash: "logframe.draftStarted")
    }

    private func render(_ req: Request, _ logframe: Logframe, periodForm: ReportingPeriodForm = .init(), errors: FieldErrors = .init(),
                        status: HTTPResponseStatus = .ok) async throws -> Response {
        let logframes = service(req)
        let tree = try await logframes.tree(logframe)
        return try await req.page("monitoring/logframe", title: "logframe.title",
                                  LogframeContext.page(req, tree: tree, versions: try await logframes.versions(), periodForm: periodForm, errors: errors),
                                  status: status)
    }

    func version(req: Request) async throws -> Response {
        try await render(req, try req.record(Logframe.self))
    }

    func addPeriod(req: Request) async throws -> Response {
        let logframe = try req.record(Logframe.self)
        let form = try req.form(ReportingPeriodForm.self)
        switch try await service(req).addPeriod(form, to: logframe, actor: try req.requireSignedIn().userID) {
        case .success: return Flash.redirect(req, to: .logframeVersion(try logframe.requireID()), flash: "logframe.periodAdded")
        case .failure(let errors): return try await render(req, logframe, periodForm: form, errors: errors, status: .badRequest)
        }
    }

    struct PeriodChoice: Content {
        var code: String?
    }

    func removePeriod(req: Request) async throws -> Response {
        let logframe = try req.record(Logframe.self)
        guard let code = try req.form(PeriodChoice.self).code, !code.isEmpty, code.count <= 12 else { throw AppError.badRequest }
        try await service(req).removePeriod(code, from: logframe, actor: try req.requireSignedIn().userID)
        return Flash.redirect(req, to: .logframeVersion(try logframe.requireID()), flash: "logframe.periodRemoved")
    }

    struct ParentQuery: Content {
        var parent: String?
    }

    private func entryPage(_ req: Request, _ logframe: Logframe, form: LogframeEntryForm, errors: FieldErrors, action: String,
                           editing: LogframeEntry?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let tree = try await service(req).tree(logframe)
        return try await req.page("monitoring/entry", title: editing == nil ? "logframe.entry.new" : "logframe.entry.edit",
                                  LogframeContext.entryPage(req, tree: tree, form: form, errors: errors, action: action, editing: editing),
                                  status: status)
    }

    func newEntry(req: Request) async throws -> Response {
        let logframe = try req.record(Logframe.self)
        var form = LogframeEntryForm()
        let tree = try await service(req).tree(logframe)
        // From a row's "add under this" link: the parent chosen and the level below it offered.
        if let parent = (try? req.query.decode(ParentQuery.self))?.parent.flatMap(UUID.init(uuidString:)),
           let entry = tree.entries.first(where: { $0.id == parent }) {
            form.parent = parent.uuidString
            form.level = LogframeLevel.allCases.first { $0.parent == entry.level }?.rawValue ?? ""
        } else if !tree.entries.contains(where: { $0.level == .overallObjective }) {
            form.level = LogframeLevel.overallObjective.rawValue
        }
        return try await entryPage(req, logframe, form: form, errors: .init(), action: SiteURL.newLogframeEntry(try logframe.requireID()).path, editing: nil)
    }

    func addEntry(req: Request) async throws -> Response {
        let logframe = try req.record(Logframe.self)
        let form = try req.form(LogframeEntryForm.self)
        switch try await service(req).save(form, in: logframe, entry: nil, actor: try req.requireSignedIn().userID) {
        case .success: return Flash.redirect(req, to: .logframeVersion(try logframe.requireID()), flash: "logframe.entrySaved")
        case .failure(let errors):
            return try await entryPage(req, logframe, form: form, errors: errors, action: req.url.path, editing: nil, status: .badRequest)
        }
    }

    func editEntry(req: Request) async throws -> Response {
        let entry = try req.record(LogframeEntry.self)
        let logframe = try await service(req).logframe(entry.logframeID)
        return try await entryPage(req, logframe, form: entry.form, errors: .init(), action: SiteURL.logframeEntry(try entry.requireID()).path, editing: entry)
    }

    func saveEntry(req: Request) async throws -> Response {
        let entry = try req.record(LogframeEntry.self)
        let logframe = try await service(req).logframe(entry.logframeID)
        let form = try req.form(LogframeEntryForm.self)
        switch try await service(req).save(form, in: logframe, entry: entry, actor: try req.requireSignedIn().userID) {
        case .success: return Flash.redirect(req, to: .logframeVersion(try logframe.requireID()), flash: "logframe.entrySaved")
        case .failure(let errors):
            return try await entryPage(req, logframe, form: form, errors: errors, action: req.url.path, editing: entry, status: .badRequest)
        }
    }

    func removeEntry(req: Request) async throws -> Response {
        let entry = try req.record(LogframeEntry.self)
        let logframe = try await service(req).logframe(entry.logframeID)
        try await service(req).remove(entry, from: logframe, actor: try req.requireSignedIn().userID)
        return Flash.redirect(req, to: .logframeVersion(try logframe.requireID()), flash: "logframe.entryRemoved")
    }

    private func indicatorPage(_ req: Request, entry: LogframeEntry, form: IndicatorForm, errors: FieldErrors, action: String,
                               editing: LogframeIndicator?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let logframes = service(req)
        let tree = try await logframes.tree(try await logframes.logframe(entry.logframeID))
        return try await req.page("monitoring/indicator", title: editing == nil ? "indicator.new" : "indicator.edit",
                                  LogframeContext.indicatorPage(req, tree: tree, entry: entry, form: form, errors: errors, action: action, editing: editing),
                                  status: status)
    }

    func newIndicator(req: Request) async throws -> Response {
        let entry = try req.record(LogframeEntry.self)
        var form = IndicatorForm()
        form.direction = IndicatorDirection.increase.rawValue
        return try await indicatorPage(req, entry: entry, form: form, errors: .init(), action: SiteURL.newIndicator(try entry.requireID()).path, editing: nil)
    }

    func addIndicator(req: Request) async throws -> Response {
        let entry = try req.record(LogframeEntry.self)
        let logframes = service(req)
        let logframe = try await logframes.logframe(entry.logframeID)
        let form = try req.form(IndicatorForm.self)
        switch try await logframes.save(form, under: entry, in: logframe, indicator: nil, actor: try req.requireSignedIn().userID) {
        case .success: return Flash.redirect(req, to: .logframeVersion(try logframe.requireID()), flash: "indicator.saved")
        case .failure(let errors):
            return try await indicatorPage(req, entry: entry, form: form, errors: errors, action: req.url.path, editing: nil, status: .badRequest)
        }
    }

    func editIndicator(req: Request) async throws -> Response {
        let indicator = try req.record(LogframeIndicator.self)
        let entry = try await service(req).entry(indicator.entryID)
        return try await indicatorPage(req, entry: entry, form: indicator.form, errors: .init(),
                                       action: SiteURL.logframeIndicator(try indicator.requireID()).path, editing: indicator)
    }

    func saveIndicator(req: Request) async throws -> Response {
        let indicator = try req.record(LogframeIndicator.self)
        let logframes = service(req)
        let entry = try await logframes.entry(indicator.entryID)
        let logframe = try await logframes.logframe(indicator.logframeID)
        let form = try req.form(IndicatorForm.self)
        switch try await logframes.save(form, under: entry, in: logframe, indicator: indicator, actor: try req.requireSignedIn().userID) {
        case .success: return Flash.redirect(req, to: .logframeVersion(try logframe.requireID()), flash: "indicator.saved")
        case .failure(let errors):
            return try await indicatorPage(req, entry: entry, form: form, errors: errors, action: req.url.path, editing: indicator, status: .badRequest)
        }
    }

    func removeIndicator(req: Request) async throws -> Response {
        let indicator = try req.record(LogframeIndicator.self)
        let logframe = try await service(req).logframe(indicator.logframeID)
        try await service(req).remove(indicator, from: logframe, actor: try req.requireSignedIn().userID)
        return Flash.redirect(req, to: .logframeVersion(try logframe.requireID()), flash: "indicator.removed")
    }

    /// Approval is not undone: the version is frozen for good and supersedes the one before.
    func approve(req: Request) async throws -> Response {
        let logframe = try req.record(Logframe.self)
        switch try await req.confirmation({ $0.writtenReason() }, { form, errors in
            ConfirmationContext(title: "logframe.approveTitle",
                                consequence: req.t("logframe.approveConsequence", ["version": String(logframe.version)]),
                                action: req.url.path, cancel: .logframeVersion(logframe.id ?? UUID()),
                                fields: [ConfirmationContext.writtenReason(form, errors: errors)], confirm: "logframe.approve")
        }) {
        case .ask(let page): return page
        case .reason(let reason):
            try await service(req).approve(logframe, reason: reason, actor: try req.requireSignedIn().userID)
            return Flash.redirect(req, to: .logframeVersion(try logframe.requireID()), flash: "logframe.approvedFlash")
        }
    }
}
