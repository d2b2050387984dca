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

    private func back(_ req: Request, _ loaded: SurvivorService.Loaded, flash: String) -> Response {
        Flash.redirect(req, to: .survivor(code: loaded.survivor.code), flash: flash)
    }

    func show(req: Request) async throws -> Response {
        let loaded = try loaded(req)
        try await service(req).recordView(loaded, actor: req.requireSignedIn().actor.userID!)
        return try await SurvivorRecordContext.render(req, loaded)
    }

    func reveal(req: Request) async throws -> Response {
        let loaded = try loaded(req)
        let identity = try await service(req).reveal(loaded, actor: req.requireSignedIn().actor.userID!)
        return try await SurvivorRecordContext.render(req, loaded, input: SurvivorRecordContext.PageInput(identity: identity))
    }


    func addConsent(req: Request) async throws -> Response {
        let loaded = try loaded(req)
        let form = try req.form(ConsentForm.self)
        switch try await service(req).recordConsent(form, on: loaded, actor: req.requireSignedIn().actor.userID!) {
        case .failure(let errors): return try await SurvivorRecordContext.render(req, loaded, input: SurvivorRecordContext.PageInput(consent: form, errors: errors), status: .badRequest)
        case .success: return back(req, loaded, flash: "survivor.consentRecorded")
        }
    }

    func withdrawConsent(req: Request) async throws -> Response {
        let loaded = try loaded(req)
        let consentID = try req.id("consentID")
        try await service(req).withdrawConsent(consentID, on: loaded, actor: req.requireSignedIn().actor.userID!)
        return back(req, loaded, flash: "survivor.consentWithdrawn")
    }

    struct NoteForm: Content {
        var note: String?
    }

    func addNote(req: Request) async throws -> Response {
        let loaded = try loaded(req)
        let text = try req.form(NoteForm.self).note ?? ""
        switch try await service(req).addNote(text, on: loaded, actor: req.requireSignedIn().actor.userID!) {
        case .failure(let errors): return try await SurvivorRecordContext.render(req, loaded, input: SurvivorRecordContext.PageInput(note: text, errors: errors), status: .badRequest)
        case .success: return back(req, loaded, flash: "survivor.noteAdded")
        }
    }

    struct CloseForm: Content {
        var reason: String?
    }

    func close(req: Request) async throws -> Response {
        let loaded = try loaded(req)
        let reason = try req.form(CloseForm.self).reason ?? ""
        switch try await service(req).close(loaded, reason: reason, actor: req.requireSignedIn().actor.userID!) {
        case .failure(let errors): return try await SurvivorRecordContext.render(req, loaded, input: SurvivorRecordContext.PageInput(errors: errors), status: .badRequest)
        case .success: return back(req, loaded, flash: "survivor.closedNotice")
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

    /// Erasure is final: the case worker types the record's code to confirm.
    func erase(req: Request) async throws -> Response {
        let loaded = try loaded(req)
        let typed = (try req.form(EraseForm.self).confirmCode ?? "").trimmingCharacters(in: .whitespaces).uppercased()
        guard typed == loaded.survivor.code else {
            var errors = FieldErrors()
            errors.add("confirmCode", "survivor.error.confirmCode")
            return try await SurvivorRecordContext.render(req, loaded, input: SurvivorRecordContext.PageInput(erase: typed, errors: errors), status: .badRequest)
        }
        try await service(req).erase(loaded, actor: req.requireSignedIn().actor.userID!)
        return back(req, loaded, flash: "survivor.erasedNotice")
    }
}
