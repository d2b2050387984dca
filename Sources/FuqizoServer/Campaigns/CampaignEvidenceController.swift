import Foundation
import FuqizoCore
import Vapor

/// A campaign's photos and documents: uploaded (a photo's metadata removed before it is kept),
/// shown to those who see the campaign, removed with a reason.
struct CampaignEvidenceController: RouteCollection {
    let uploadLimit: Int

    func boot(routes: any RoutesBuilder) throws {
        let evidence = routes.grouped("campaigns", ":campaignID", "evidence")
        evidence.upload(limit: uploadLimit, use: attach).access(.manageCampaigns, .campaign)
        evidence.get(":evidenceID", use: file).access(.viewCampaigns, .campaign)
        evidence.post(":evidenceID", "remove", use: remove).access(.manageCampaigns, .campaign)
    }

    private func service(_ req: Request) -> EvidenceService {
        EvidenceService(database: req.db, services: req.services)
    }

    /// The form's fields beside the file; decoded apart, so a missing file still shows them back.
    struct Upload: Content {
        var file: File?
    }

    func attach(req: Request) async throws -> Response {
        let campaign = try req.record(Campaign.self)
        let form = (try? req.content.decode(EvidenceForm.self)) ?? EvidenceForm()
        let file = (try? req.content.decode(Upload.self))?.file
        var bytes: [UInt8] = []
        if var buffer = file?.data { bytes = buffer.readBytes(length: buffer.readableBytes) ?? [] }
        switch EvidenceCheck.check(filename: file?.filename ?? "", bytes: bytes, maximumBytes: uploadLimit) {
        case .failure(let problem):
            var errors = FieldErrors()
            errors.add("file", problem.catalogKey)
            return try await CampaignsController.render(req, campaign, evidence: form, evidenceErrors: errors, status: .badRequest)
        case .success(let (checked, clean)):
            switch try await service(req).attach(checked, bytes: clean, form: form, to: campaign, actor: try req.requireSignedIn().userID) {
            case .success: return Flash.redirect(req, to: .campaign(try campaign.requireID()), flash: "campaign.evidence.addedFlash")
            case .failure(let errors):
                return try await CampaignsController.render(req, campaign, evidence: form, evidenceErrors: errors, status: .badRequest)
            }
        }
    }

    func file(req: Request) async throws -> Response {
        let campaign = try req.record(Campaign.self)
        return try await service(req).file(try await service(req).find(try req.id("evidenceID"), of: campaign))
    }

    /// Removing is not undone: the officer confirms and says why.
    func remove(req: Request) async throws -> Response {
        let campaign = try req.record(Campaign.self)
        let id = try campaign.requireID()
        let evidence = try await service(req).find(try req.id("evidenceID"), of: campaign)
        switch try await req.confirmation({ $0.writtenReason() }, { form, errors in
            ConfirmationContext(title: "campaign.evidence.removeTitle", consequence: req.t("campaign.evidence.removeConsequence", ["name": evidence.filename]),
                                action: req.url.path, cancel: .campaign(id), fields: [ConfirmationContext.writtenReason(form, errors: errors)],
                                confirm: "campaign.evidence.remove")
        }) {
        case .ask(let response): return response
        case .reason(let reason):
            try await service(req).remove(evidence, of: campaign, reason: reason, actor: try req.requireSignedIn().userID)
            return Flash.redirect(req, to: .campaign(id), flash: "campaign.evidence.removedFlash")
        }
    }
}
