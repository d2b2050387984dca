import Fluent
import Foundation
import FuqizoCore
import Vapor

/// Case work on a record: needs, the empowerment plan, referrals, the Club, skills, work and
/// its follow-ups. A form with errors comes back on the record's page with what was typed.
struct CaseWorkController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let survivors = routes.grouped("survivors")
        survivors.post(":code", "needs", use: saveNeeds).access(.manageSurvivor, .survivor)
        survivors.post(":code", "plan", use: addGoal).access(.writeCaseNotes, .survivor)
        survivors.post(":code", "plan", ":goalID", "steps", use: addStep).access(.writeCaseNotes, .survivor)
        survivors.post(":code", "plan", "steps", ":stepID", use: setStepStatus).access(.manageSurvivor, .survivor)
        survivors.post(":code", "referrals", use: sendReferral).access(.manageSurvivor, .survivor)
        survivors.post(":code", "club", "join", use: joinClub).access(.manageSurvivor, .survivor)
        survivors.post(":code", "club", "leave", use: leaveClub).access(.manageSurvivor, .survivor)
        survivors.post(":code", "skills", use: addSkill).access(.manageSurvivor, .survivor)
        survivors.post(":code", "employment", use: recordEmployment).access(.manageSurvivor, .survivor)
        survivors.post(":code", "follow-ups", ":followUpID", use: recordFollowUp).access(.manageSurvivor, .survivor)
    }

    /// The record named in the path, as the policy allowed it for the route's action.
    private func loaded(_ req: Request) throws -> SurvivorService.Loaded {
        try req.record(SurvivorService.Loaded.self)
    }

    /// Back to the section the form was on.
    private func back(_ req: Request, _ loaded: SurvivorService.Loaded, _ section: RecordSection, flash: String) -> Response {
        Flash.redirect(req, to: section.url(loaded.survivor.code), flash: flash)
    }

    private func failed(_ req: Request, _ loaded: SurvivorService.Loaded, _ errors: FieldErrors, work: CaseWorkInput) async throws -> Response {
        try await SurvivorRecordContext.render(req, loaded, input: SurvivorRecordContext.PageInput(errors: errors, work: work), status: .badRequest)
    }

    private var work: (Request) -> CaseWorkService { { CaseWorkService(database: $0.db, services: $0.services) } }

    func saveNeeds(req: Request) async throws -> Response {
        let loaded = try loaded(req)
        let form = try req.form(NeedsForm.self)
        switch try await work(req).saveNeeds(form, on: loaded, actor: req.requireSignedIn().actor.userID!) {
        case .failure(let errors): return try await failed(req, loaded, errors, work: CaseWorkInput(needs: form, open: "needs"))
        case .success: return back(req, loaded, .plan, flash: "form.saved")
        }
    }

    /// The plan's words are case data: writing them needs consent to services, as reading does.
    func addGoal(req: Request) async throws -> Response {
        let loaded = try loaded(req)
        let form = try req.form(PlanStepForm.self)
        switch try await work(req).addGoal(form, on: loaded, actor: req.requireSignedIn().actor.userID!) {
        case .failure(let errors): return try await failed(req, loaded, errors, work: CaseWorkInput(plan: form, open: "plan"))
        case .success: return back(req, loaded, .plan, flash: "plan.goalAdded")
        }
    }

    func addStep(req: Request) async throws -> Response {
        let loaded = try loaded(req)
        let goalID = try req.id("goalID")
        let form = try req.form(PlanStepForm.self)
        switch try await work(req).addStep(form, goalID: goalID, on: loaded, actor: req.requireSignedIn().actor.userID!) {
        case .failure(let errors): return try await failed(req, loaded, errors, work: CaseWorkInput(plan: form, planGoal: goalID, open: "plan"))
        case .success: return back(req, loaded, .plan, flash: "plan.stepAdded")
        }
    }

    struct StatusForm: Content {
        var status: String?
    }

    func setStepStatus(req: Request) async throws -> Response {
        let loaded = try loaded(req)
        let stepID = try req.id("stepID")
        try await work(req).setStepStatus(stepID, to: try req.form(StatusForm.self).status ?? "", on: loaded,
                                          actor: req.requireSignedIn().actor.userID!)
        return back(req, loaded, .plan, flash: "form.saved")
    }

    struct ReferralForm: Content {
        var consentID: String?
        var service: String?
    }

    func sendReferral(req: Request) async throws -> Response {
        let loaded = try loaded(req)
        let form = try req.form(ReferralForm.self)
        let desk = ReferralDesk(database: req.db, services: req.services)
        switch try await desk.send(consentID: form.consentID ?? "", service: form.service ?? "", on: loaded, actor: req.requireSignedIn().actor.userID!) {
        case .failure(let errors):
            return try await failed(req, loaded, errors, work: CaseWorkInput(referral: (form.consentID ?? "", form.service ?? ""), open: "referral"))
        case .success: return back(req, loaded, .referrals, flash: "referral.sent")
        }
    }

    func joinClub(req: Request) async throws -> Response {
        let loaded = try loaded(req)
        try await ClubService(database: req.db, services: req.services).join(loaded, actor: req.requireSignedIn().actor.userID!)
        return back(req, loaded, .club, flash: "club.joined")
    }

    func leaveClub(req: Request) async throws -> Response {
        let loaded = try loaded(req)
        try await ClubService(database: req.db, services: req.services).leave(loaded, actor: req.requireSignedIn().actor.userID!)
        return back(req, loaded, .club, flash: "club.left")
    }

    func addSkill(req: Request) async throws -> Response {
        let loaded = try loaded(req)
        let form = try req.form(ClubService.SkillForm.self)
        switch try await ClubService(database: req.db, services: req.services).addSkill(form, on: loaded, actor: req.requireSignedIn().actor.userID!) {
        case .failure(let errors): return try await failed(req, loaded, errors, work: CaseWorkInput(skill: form, open: "club"))
        case .success: return back(req, loaded, .club, flash: "club.skillRecorded")
        }
    }

    func recordEmployment(req: Request) async throws -> Response {
        let loaded = try loaded(req)
        let form = try req.form(EmploymentForm.self)
        switch try await work(req).recordEmployment(form, on: loaded, actor: req.requireSignedIn().actor.userID!) {
        case .failure(let errors): return try await failed(req, loaded, errors, work: CaseWorkInput(employment: form, open: "employment"))
        case .success: return back(req, loaded, .employment, flash: "employment.recorded")
        }
    }

    struct FollowUpForm: Content {
        var stillWorking: String?
    }

    func recordFollowUp(req: Request) async throws -> Response {
        let loaded = try loaded(req)
        let id = try req.id("followUpID")
        let answer = try req.form(FollowUpForm.self).stillWorking
        guard answer == "yes" || answer == "no" else { throw AppError.badRequest }
        try await work(req).recordFollowUp(id, stillWorking: answer == "yes", on: loaded, actor: req.requireSignedIn().actor.userID!)
        return back(req, loaded, .employment, flash: "followUp.recorded")
    }
}
