import Foundation
import FuqizoCore
import Vapor

/// One CSO's self-assessment, as the CSO fills and confirms it and as its facilitator reviews it.
struct SelfAssessmentController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let assessment = routes.grouped("capacity", "assessments", ":assessmentID")
        assessment.get(use: show).access(.viewCapacity, .selfAssessment)
        assessment.post(use: save).access(.fillSelfAssessment, .selfAssessment)
        assessment.post("autosave", use: autosave).access(.fillSelfAssessment, .selfAssessment)
        assessment.post("changes", use: change).access(.facilitateAssessment, .selfAssessment)
        assessment.post("review", use: review).access(.facilitateAssessment, .selfAssessment)
        assessment.post("confirm", use: confirm).access(.fillSelfAssessment, .selfAssessment)
        assessment.post("reopen", use: reopen).access(.fillSelfAssessment, .selfAssessment)
    }

    private func service(_ req: Request) -> AssessmentService {
        AssessmentService(database: req.db, services: req.services)
    }

    private func render(_ req: Request, _ assessment: SelfAssessment, typed: SelfAssessmentForm? = nil, change: ChangeForm = ChangeForm(),
                        errors: FieldErrors = .init(), status: HTTPResponseStatus = .ok) async throws -> Response {
        let changes = try await service(req).changes(of: assessment)
        let people = try await service(req).names(Set(changes.map(\.changedBy)))
        let context = try AssessmentContext.page(req, assessment, changes: changes, people: people, typed: typed, change: change, errors: errors)
        return try await req.page("capacity/assessment", title: "assessment.title", context, status: status)
    }

    private func back(_ req: Request, _ assessment: SelfAssessment, flash: String) throws -> Response {
        Flash.redirect(req, to: .selfAssessment(try assessment.requireID()), flash: flash)
    }

    func show(req: Request) async throws -> Response {
        try await render(req, try req.record(SelfAssessment.self))
    }

    func save(req: Request) async throws -> Response {
        let assessment = try req.record(SelfAssessment.self)
        let form = try req.form(SelfAssessmentForm.self)
        switch try await service(req).save(assessment, form: form, actor: try req.requireSignedIn().userID) {
        case .success: return try back(req, assessment, flash: form.intent == "submit" ? "assessment.submittedFlash" : "assessment.savedFlash")
        case .failure(let errors): return try await render(req, assessment, typed: form, errors: errors, status: .badRequest)
        }
    }

    /// The page's script saves the draft as the CSO answers: JSON back, never a page. Only a
    /// draft is saved this way; submitting stays the person's own press of the button.
    func autosave(req: Request) async throws -> Response {
        let assessment = try req.record(SelfAssessment.self)
        var form = try req.form(SelfAssessmentForm.self)
        form.intent = "save"
        do {
            switch try await service(req).save(assessment, form: form, actor: try req.requireSignedIn().userID) {
            case .success: return try await AutosaveAnswer(saved: true, revision: nil, message: AutosaveAnswer.savedLine(req)).response(.ok, for: req)
            case .failure: return try await AutosaveAnswer(saved: false, revision: nil, message: req.t("assessment.autosaveInvalid")).response(.unprocessableEntity, for: req)
            }
        } catch let error as AppError where error.status == .conflict {
            return try await AutosaveAnswer(saved: false, revision: nil, message: req.t(error.messageKey)).response(.conflict, for: req)
        }
    }

    func change(req: Request) async throws -> Response {
        let assessment = try req.record(SelfAssessment.self)
        let form = try req.form(ChangeForm.self)
        switch try await service(req).change(assessment, form: form, actor: try req.requireSignedIn().userID) {
        case .success: return try back(req, assessment, flash: "assessment.changedFlash")
        case .failure(let errors): return try await render(req, assessment, change: form, errors: errors, status: .badRequest)
        }
    }

    func review(req: Request) async throws -> Response {
        let assessment = try req.record(SelfAssessment.self)
        try await service(req).review(assessment, actor: try req.requireSignedIn().userID)
        return try back(req, assessment, flash: "assessment.reviewedFlash")
    }

    func confirm(req: Request) async throws -> Response {
        let assessment = try req.record(SelfAssessment.self)
        try await service(req).confirm(assessment, actor: try req.requireSignedIn().userID)
        return try back(req, assessment, flash: "assessment.confirmedFlash")
    }

    func reopen(req: Request) async throws -> Response {
        let assessment = try req.record(SelfAssessment.self)
        try await service(req).reopen(assessment, actor: try req.requireSignedIn().userID)
        return try back(req, assessment, flash: "assessment.reopenedFlash")
    }
}
