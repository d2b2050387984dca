import Fluent
import Foundation
import FuqizoCore
import Vapor

/// One survivor record: its page, the audited reveal of identity, consents, case notes,
/// closing, reopening and erasure. Identity fields appear only on the page a reveal returns.
struct SurvivorRecordController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let survivors = routes.grouped("survivors")
        survivors.get(":code", use: show).access(.viewSurvivor, .survivor)
        survivors.post(":code", "reveal", use: reveal).access(.revealSurvivorIdentity, .survivor)
        survivors.post(":code", "consents", use: addConsent).access(.manageSurvivor, .survivor)
        survivors.post(":code", "consents", ":consentID", "withdraw", use: withdrawConsent).access(.manageSurvivor, .survivor)
        survivors.post(":code", "notes", use: addNote).access(.writeCaseNotes, .survivor)
        survivors.post(":code", "close", use: close).access(.manageSurvivor, .survivor)
        survivors.post(":code", "reopen", use: reopen).access(.manageSurvivor, .survivor)
        survivors.post(":code", "erase", use: erase).access(.manageSurvivor, .survivor)
    }

    private func service(_ req: Request) -> SurvivorService {
        SurvivorService(database: req.db, services: req.services)
    }

    /// The record named in the path, as the policy allowed it for the route's action.
    private func loaded(_ req: Request) throws -> SurvivorService.Loaded {
        try req.record(SurvivorService.Loaded.self)
    }

    /// Back to a section of the record (the summary unless named).
    private func back(_ req: Request, _ loaded: SurvivorService.Loaded, _ section: RecordSection = .summary, flash: String) -> Response {
        Flash.redirect(req, to: section.url(loaded.survivor.code), flash: flash)
    }

    struct SectionChoice: Content {
        var section: String?
    }

    func show(req: Request) async throws -> Response {
        let loaded = try loaded(req)
        let section = (try? req.query.decode(SectionChoice.self))?.section.flatMap(RecordSection.init(rawValue:)) ?? .summary
        try await service(req).recordView(loaded, actor: req.requireSignedIn().actor.userID!)
        return try await SurvivorRecordContext.render(req, loaded, input: SurvivorRecordContext.PageInput(section: section))
    }

    /// The identity shows on the section the reveal was asked from (identity or notes).
    func reveal(req: Request) async throws -> Response {
        let loaded = try loaded(req)
        let section = (try? req.content.decode(SectionChoice.self))?.section.flatMap(RecordSection.init(rawValue:)) ?? .consents
        let identity = try await service(req).reveal(loaded, actor: req.requireSignedIn().actor.userID!)
        return try await SurvivorRecordContext.render(req, loaded, input: SurvivorRecordContext.PageInput(identity: identity, section: section))
    }


    func addConsent(req: Request) async throws -> Response {
        let loaded = try loaded(req)
        let form = try req.form(ConsentForm.self)
        let search = try req.form(OrganisationPicker.Search.self)
        if search.isSearch {
            return try await SurvivorRecordContext.render(req, loaded, input: SurvivorRecordContext.PageInput(
                consent: form, section: .consents, recipientSearch: search, openConsent: true))
        }
        switch try await service(req).recordConsent(form, on: loaded, actor: req.requireSignedIn().actor.userID!) {
        case .failure(let errors): return try await SurvivorRecordContext.render(req, loaded, input: SurvivorRecordContext.PageInput(
            consent: form, errors: errors, section: .consents, recipientSearch: search), status: .badRequest)
        case .success: return back(req, loaded, .consents, flash: "survivor.consentRecorded")
        }
    }

    /// Withdrawal takes effect at once and stops what the consent allowed: the case worker
    /// confirms and chooses why (a code: the audit keeps no words about her).
    func withdrawConsent(req: Request) async throws -> Response {
        let loaded = try loaded(req)
        let consentID = try req.id("consentID")
        guard let consent = loaded.consents.first(where: { $0.id == consentID && $0.withdrawnAt == nil }) else { throw AppError.notFound }
        let code = loaded.survivor.code
        let purpose = ConsentPurpose(rawValue: consent.purpose).map { req.t($0.catalogKey) } ?? consent.purpose
        switch try await req.confirmation({ $0.chosenReason(ConsentWithdrawalReason.self) }, { form, errors in
            ConfirmationContext(title: "consent.withdraw.confirmTitle", consequence: req.t("consent.withdraw.consequence", ["purpose": purpose, "code": code]),
                                action: req.url.path, cancel: .survivor(code: code),
                                fields: [ConfirmationContext.chosenReason(ConsentWithdrawalReason.self, key: \.catalogKey, form, errors: errors,
                                                                          language: req.language, catalog: req.services.catalog)],
                                confirm: "consent.withdraw.confirm")
        }) {
        case .ask(let response): return response
        case .reason(let reason):
            try await service(req).withdrawConsent(consentID, reason: reason, on: loaded, actor: req.requireSignedIn().actor.userID!)
            return back(req, loaded, .consents, flash: "survivor.consentWithdrawn")
        }
    }

    struct NoteForm: Content {
        var note: String?
    }

    func addNote(req: Request) async throws -> Response {
        let loaded = try loaded(req)
        let text = try req.form(NoteForm.self).note ?? ""
        switch try await service(req).addNote(text, on: loaded, actor: req.requireSignedIn().actor.userID!) {
        case .failure(let errors): return try await SurvivorRecordContext.render(req, loaded, input: SurvivorRecordContext.PageInput(
            note: text, errors: errors, section: .notes), status: .badRequest)
        case .success: return back(req, loaded, .notes, flash: "survivor.noteAdded")
        }
    }

    /// Closing takes the case off the active caseload: the case worker confirms, with the
    /// closure's reason (chosen on the record, shown again here).
    func close(req: Request) async throws -> Response {
        let loaded = try loaded(req)
        let code = loaded.survivor.code
        let closable = ClosureReason.allCases.filter { $0 != .erasureRequested }
        switch try await req.confirmation({ (form: ConfirmationForm) -> Result<ClosureReason, FieldErrors> in
            form.chosenReason(ClosureReason.self).flatMap { reason in
                var errors = FieldErrors()
                errors.add("reason", "form.error.choose")
                return closable.contains(reason) ? .success(reason) : .failure(errors)
            }
        }, { form, errors in
            ConfirmationContext(title: "survivor.close.confirmTitle", consequence: req.t("survivor.close.consequence", ["code": code]),
                                action: req.url.path, cancel: .survivor(code: code),
                                fields: [FieldContext("reason", label: "survivor.field.closureReason", kind: "select", value: form.reason,
                                                      options: closable.map { .init(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0.rawValue == form.reason) },
                                                      errors: errors, required: true)],
                                confirm: "survivor.close")
        }) {
        case .ask(let response): return response
        case .reason(let reason):
            try await service(req).close(loaded, reason: reason, actor: req.requireSignedIn().actor.userID!)
            return back(req, loaded, flash: "survivor.closedNotice")
        }
    }

    func reopen(req: Request) async throws -> Response {
        let loaded = try loaded(req)
        try await service(req).reopen(loaded, actor: req.requireSignedIn().actor.userID!)
        return back(req, loaded, flash: "survivor.reopenedNotice")
    }

    struct EraseForm: Content {
        var confirmCode: String?
    }

    /// Erasure is final: the case worker chooses why and types the record's code to confirm.
    func erase(req: Request) async throws -> Response {
        let loaded = try loaded(req)
        let code = loaded.survivor.code
        let typed = (try req.form(EraseForm.self).confirmCode ?? "").trimmingCharacters(in: .whitespaces).uppercased()
        switch try await req.confirmation({ (form: ConfirmationForm) -> Result<ErasureReason, FieldErrors> in
            var errors = FieldErrors()
            let reason = form.chosenReason(ErasureReason.self)
            if case .failure(let problem) = reason { errors.merge(problem) }
            if typed != code { errors.add("confirmCode", "survivor.error.confirmCode") }
            guard errors.isEmpty, case .success(let chosen) = reason else { return .failure(errors) }
            return .success(chosen)
        }, { form, errors in
            ConfirmationContext(title: "survivor.erase.confirmTitle", consequence: req.t("survivor.erase.consequence", ["code": code]),
                                action: req.url.path, cancel: .survivor(code: code),
                                fields: [ConfirmationContext.chosenReason(ErasureReason.self, key: \.catalogKey, form, errors: errors,
                                                                          language: req.language, catalog: req.services.catalog),
                                         FieldContext("confirmCode", label: "survivor.field.confirmCode", value: typed, errors: errors, required: true,
                                                      hint: "survivor.erase.hint", autocomplete: "off")],
                                confirm: "survivor.erase.confirm")
        }) {
        case .ask(let response): return response
        case .reason(let reason):
            try await service(req).erase(loaded, reason: reason, actor: req.requireSignedIn().actor.userID!)
            return back(req, loaded, flash: "survivor.erasedNotice")
        }
    }
}
