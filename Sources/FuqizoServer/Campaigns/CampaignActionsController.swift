import Foundation
import FuqizoCore
import Vapor

/// A campaign's actions: adding one, correcting it, and recording the reach it achieved once
/// it has happened.
struct CampaignActionsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let actions = routes.grouped("campaigns", ":campaignID", "actions")
        actions.get("new", use: newForm).access(.manageCampaigns, .campaign)
        actions.post(use: create).access(.manageCampaigns, .campaign)
        actions.get(":actionID", use: show).access(.viewCampaigns, .campaign)
        actions.post(":actionID", use: update).access(.manageCampaigns, .campaign)
        actions.post(":actionID", "reach", use: recordReach).access(.manageCampaigns, .campaign)
    }

    private func service(_ req: Request) -> CampaignService {
        CampaignService(database: req.db, services: req.services)
    }

    private func render(_ req: Request, _ campaign: Campaign, action: CampaignAction?, form: CampaignActionForm, errors: FieldErrors = .init(),
                        reach: ReachForm? = nil, reachErrors: FieldErrors = .init(), status: HTTPResponseStatus = .ok) async throws -> Response {
        let context = try CampaignPageContext.actionPage(
            req, campaign, action: action, form: form, errors: errors, reach: reach ?? action?.reach.map(ReachForm.init) ?? ReachForm(),
            reachErrors: reachErrors, regions: try await GeographyDirectory.load(on: req.db).regions, today: service(req).today)
        return try await req.page("campaigns/action", title: action == nil ? "campaign.action.new.title" : "campaign.action.title", context, status: status)
    }

    func newForm(req: Request) async throws -> Response {
        let campaign = try req.record(Campaign.self)
        _ = try campaign.status.transition(.edit)
        var form = CampaignActionForm()
        form.heldOn = campaign.startsOn
        return try await render(req, campaign, action: nil, form: form)
    }

    func create(req: Request) async throws -> Response {
        let campaign = try req.record(Campaign.self)
        let form = try req.form(CampaignActionForm.self)
        switch try await service(req).addAction(to: campaign, form, actor: try req.requireSignedIn().userID) {
        case .success: return Flash.redirect(req, to: .campaign(try campaign.requireID()), flash: "campaign.action.addedFlash")
        case .failure(let errors): return try await render(req, campaign, action: nil, form: form, errors: errors, status: .badRequest)
        }
    }

    private func action(_ req: Request, of campaign: Campaign) async throws -> CampaignAction {
        try await service(req).action(try req.id("actionID"), of: campaign)
    }

    func show(req: Request) async throws -> Response {
        let campaign = try req.record(Campaign.self)
        let action = try await action(req, of: campaign)
        return try await render(req, campaign, action: action, form: CampaignContext.form(of: action))
    }

    func update(req: Request) async throws -> Response {
        let campaign = try req.record(Campaign.self)
        let action = try await action(req, of: campaign)
        let form = try req.form(CampaignActionForm.self)
        switch try await service(req).updateAction(action, of: campaign, form, actor: try req.requireSignedIn().userID) {
        case .success: return Flash.redirect(req, to: .campaign(try campaign.requireID()), flash: "campaign.action.savedFlash")
        case .failure(let errors): return try await render(req, campaign, action: action, form: form, errors: errors, status: .badRequest)
        }
    }

    func recordReach(req: Request) async throws -> Response {
        let campaign = try req.record(Campaign.self)
        let action = try await action(req, of: campaign)
        let reach = try req.form(ReachForm.self)
        switch try await service(req).recordReach(action, of: campaign, reach, actor: try req.requireSignedIn().userID) {
        case .success: return Flash.redirect(req, to: .campaign(try campaign.requireID()), flash: "campaign.reach.savedFlash")
        case .failure(let errors):
            return try await render(req, campaign, action: action, form: CampaignContext.form(of: action), reach: reach, reachErrors: errors, status: .badRequest)
        }
    }
}
