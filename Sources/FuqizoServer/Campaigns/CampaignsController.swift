import Foundation
import FuqizoCore
import Vapor

/// Awareness campaigns for the communications side: the list, the campaign form, one
/// campaign's page with its totals, actions and mentions, and its status.
struct CampaignsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let campaigns = routes.grouped("campaigns")
        campaigns.get(use: list).access(.viewCampaigns)
        campaigns.get("new", use: newForm).access(.manageCampaigns)
        campaigns.post(use: create).access(.manageCampaigns)
        let campaign = campaigns.grouped(":campaignID")
        campaign.get(use: show).access(.viewCampaigns, .campaign)
        campaign.get("edit", use: edit).access(.manageCampaigns, .campaign)
        campaign.post(use: update).access(.manageCampaigns, .campaign)
        campaign.post("start", use: start).access(.manageCampaigns, .campaign)
        campaign.post("complete", use: complete).access(.manageCampaigns, .campaign)
        campaign.post("cancel", use: cancel).access(.manageCampaigns, .campaign)
        campaign.post("mentions", use: addMention).access(.manageCampaigns, .campaign)
        campaign.post("mentions", ":mentionID", "remove", use: removeMention).access(.manageCampaigns, .campaign)
    }

    private func service(_ req: Request) -> CampaignService {
        CampaignService(database: req.db, services: req.services)
    }

    struct ListQuery: Content {
        var status: String?
        var page: Int?
    }

    func list(req: Request) async throws -> Response {
        let query = try? req.query.decode(ListQuery.self)
        let status = query?.status.flatMap(CampaignStatus.init(rawValue:))
        let found = try await service(req).campaigns(status: status, page: query?.page)
        return try await req.page("campaigns/list", title: "campaign.list.title",
                                  CampaignContext.list(req, rows: found.rows, pager: found.pager, status: status)).encodeResponse(for: req)
    }

    // MARK: the form

    private func renderForm(_ req: Request, _ form: CampaignForm, campaign: Campaign?, errors: FieldErrors = .init(),
                            status: HTTPResponseStatus = .ok) async throws -> Response {
        let back = try campaign.map { SiteURL.campaign(try $0.requireID()) } ?? .campaigns
        let context = CampaignContext.form(req, form, action: campaign == nil ? SiteURL.campaigns.path : back.path, back: back.path,
                                           regions: try await GeographyDirectory.load(on: req.db).regions, errors: errors)
        return try await req.page("campaigns/form", title: campaign == nil ? "campaign.new.title" : "campaign.edit.title", context, status: status)
    }

    func newForm(req: Request) async throws -> Response {
        var form = CampaignForm()
        let today = TiranaTime.today(at: req.services.clock.now())
        (form.startsOn, form.endsOn) = (today.description, today.adding(days: 90).description)
        return try await renderForm(req, form, campaign: nil)
    }

    func create(req: Request) async throws -> Response {
        let form = try req.form(CampaignForm.self)
        switch try await service(req).create(form, actor: try req.requireSignedIn().userID) {
        case .success(let campaign): return Flash.redirect(req, to: .campaign(try campaign.requireID()), flash: "campaign.createdFlash")
        case .failure(let errors): return try await renderForm(req, form, campaign: nil, errors: errors, status: .badRequest)
        }
    }

    func edit(req: Request) async throws -> Response {
        let campaign = try req.record(Campaign.self)
        _ = try campaign.status.transition(.edit)
        return try await renderForm(req, CampaignContext.form(of: campaign), campaign: campaign)
    }

    func update(req: Request) async throws -> Response {
        let campaign = try req.record(Campaign.self)
        let form = try req.form(CampaignForm.self)
        switch try await service(req).update(campaign, form: form, actor: try req.requireSignedIn().userID) {
        case .success: return Flash.redirect(req, to: .campaign(try campaign.requireID()), flash: "campaign.savedFlash")
        case .failure(let errors): return try await renderForm(req, form, campaign: campaign, errors: errors, status: .badRequest)
        }
    }

    // MARK: one campaign

    static func render(_ req: Request, _ campaign: Campaign, mention: MentionForm = MentionForm(), mentionErrors: FieldErrors = .init(),
                       evidence evidenceForm: EvidenceForm = EvidenceForm(), evidenceErrors: FieldErrors = .init(),
                       status: HTTPResponseStatus = .ok) async throws -> Response {
        let service = CampaignService(database: req.db, services: req.services)
        let store = EvidenceService(database: req.db, services: req.services)
        let evidence = try await store.evidence(of: campaign)
        let context = try CampaignPageContext.page(
            req, campaign, actions: try await service.actions(of: campaign), mentions: try await service.mentions(of: campaign),
            evidence: evidence, publicity: try await store.publicity(of: evidence),
            regions: try await GeographyDirectory.load(on: req.db).regions, mentionForm: mention, mentionErrors: mentionErrors,
            evidenceForm: evidenceForm, evidenceErrors: evidenceErrors, uploadLimit: req.services.config.maxUploadBytes, today: service.today)
        return try await req.page("campaigns/campaign", title: "campaign.title", context, status: status)
    }

    func show(req: Request) async throws -> Response {
        try await Self.render(req, try req.record(Campaign.self))
    }

    private func move(_ req: Request, _ event: CampaignEvent, flash: String) async throws -> Response {
        let campaign = try req.record(Campaign.self)
        try await service(req).move(campaign, event, reason: nil, actor: try req.requireSignedIn().userID)
        return Flash.redirect(req, to: .campaign(try campaign.requireID()), flash: flash)
    }

    func start(req: Request) async throws -> Response { try await move(req, .start, flash: "campaign.startedFlash") }

    /// Completing closes the campaign's list of actions for good (its reach may still be
    /// corrected): the officer confirms and says why now.
    func complete(req: Request) async throws -> Response {
        try await confirmedMove(req, .complete, title: "campaign.complete.confirmTitle", consequence: "campaign.complete.consequence",
                                confirm: "campaign.complete", flash: "campaign.completedFlash")
    }

    /// Cancelling ends the campaign for good: the officer sees so and says why.
    func cancel(req: Request) async throws -> Response {
        try await confirmedMove(req, .cancel, title: "campaign.cancel.confirmTitle", consequence: "campaign.cancel.consequence",
                                confirm: "campaign.cancel", flash: "campaign.cancelledFlash")
    }

    private func confirmedMove(_ req: Request, _ event: CampaignEvent, title: String, consequence: String, confirm: String,
                               flash: String) async throws -> Response {
        let campaign = try req.record(Campaign.self)
        let id = try campaign.requireID()
        _ = try campaign.status.transition(event)
        switch try await req.confirmation({ $0.writtenReason() }, { form, errors in
            ConfirmationContext(title: title, consequence: req.t(consequence, ["reference": campaign.reference]),
                                action: req.url.path, cancel: .campaign(id), fields: [ConfirmationContext.writtenReason(form, errors: errors)],
                                confirm: confirm)
        }) {
        case .ask(let response): return response
        case .reason(let reason):
            try await service(req).move(campaign, event, reason: reason, actor: try req.requireSignedIn().userID)
            return Flash.redirect(req, to: .campaign(id), flash: flash)
        }
    }

    // MARK: mentions

    func addMention(req: Request) async throws -> Response {
        let campaign = try req.record(Campaign.self)
        let form = try req.form(MentionForm.self)
        switch try await service(req).addMention(to: campaign, form, actor: try req.requireSignedIn().userID) {
        case .success: return Flash.redirect(req, to: .campaign(try campaign.requireID()), flash: "campaign.mention.addedFlash")
        case .failure(let errors): return try await Self.render(req, campaign, mention: form, mentionErrors: errors, status: .badRequest)
        }
    }

    /// Removing a mention is not undone: the officer confirms and says why.
    func removeMention(req: Request) async throws -> Response {
        let campaign = try req.record(Campaign.self)
        let id = try campaign.requireID()
        let mention = try req.id("mentionID")
        switch try await req.confirmation({ $0.writtenReason() }, { form, errors in
            ConfirmationContext(title: "campaign.mention.removeTitle", consequence: req.t("campaign.mention.removeConsequence"),
                                action: req.url.path, cancel: .campaign(id), fields: [ConfirmationContext.writtenReason(form, errors: errors)],
                                confirm: "campaign.mention.remove")
        }) {
        case .ask(let response): return response
        case .reason(let reason):
            try await service(req).removeMention(mention, of: campaign, reason: reason, actor: try req.requireSignedIn().userID)
            return Flash.redirect(req, to: .campaign(id), flash: "campaign.mention.removedFlash")
        }
    }
}
