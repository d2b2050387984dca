import Fluent
import Foundation
import FuqizoCore
import SQLKit
import Vapor

/// Awareness campaigns: made and edited by communications officers and programme managers;
/// their actions with the reach each achieved, and the media's mentions. Every change is
/// audited with ids and the campaign's reference only.
struct CampaignService {
    let database: any Database
    let services: AppServices

    var now: Date { services.clock.now() }
    var today: LocalDate { TiranaTime.today(at: now) }

    /// Every change is audited here, and the public pages' memory of campaigns forgotten.
    private func audit(_ action: String, _ campaign: Campaign, _ details: [String: String] = [:], actor: UUID, on db: any Database) async throws {
        services.publicCampaigns.forget()
        try await services.audit.record(.init(action, target: ("campaign", try campaign.requireID().uuidString),
                                              details: details.merging(["reference": campaign.reference]) { $1 }), actor: actor, at: now, on: db)
    }

    private func regions() async throws -> Set<UUID> {
        Set(try await GeographyDirectory.load(on: database).regions.map(\.id))
    }

    // MARK: campaigns

    func campaign(_ id: UUID) async throws -> Campaign {
        guard let campaign = try await Campaign.find(id, on: database) else { throw AppError.notFound }
        return campaign
    }

    struct CampaignRow: Decodable {
        let id: UUID
        let reference: String
        let status: String
        let titleSq: String
        let titleEn: String
        let startsOn: String
        let endsOn: String
        let actions: Int
        let waiting: Int
    }

    /// A page of campaigns, the newest first; `status`: only those in it. Each row counts its
    /// actions and those past without their reach.
    func campaigns(status: CampaignStatus?, page: Int?) async throws -> (rows: [CampaignRow], pager: Pager) {
        guard let sql = database as? any SQLDatabase else { throw AppError.server }
        let filter: SQLQueryString = status.map { "WHERE c.status = \(bind: $0.rawValue)" } ?? ""
        let total = try await sql.raw("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM campaigns c \(filter)").first(decoding: Count.self)?.n ?? 0
        let pager = Pager(requested: page, total: total, pageSize: 30)
        let rows = try await sql.raw("""
            SELECT c.id, c.reference, c.status, c.title_sq AS "titleSq", c.title_en AS "titleEn", c.starts_on AS "startsOn", c.ends_on AS "endsOn",
                   (SELECT CAST(COUNT(*) AS BIGINT) FROM campaign_actions a WHERE a.campaign_id = c.id) AS actions,
                   (SELECT CAST(COUNT(*) AS BIGINT) FROM campaign_actions a WHERE a.campaign_id = c.id AND a.reach_recorded_at IS NULL
                      AND a.held_on <= \(bind: today.description)) AS waiting
            FROM campaigns c \(filter)
            ORDER BY c.starts_on DESC, c.reference DESC LIMIT \(literal: pager.pageSize) OFFSET \(literal: pager.offset)
            """).all(decoding: CampaignRow.self)
        return (rows, pager)
    }

    private struct Count: Decodable { let n: Int }

    private func fill(_ campaign: Campaign, _ value: CampaignForm.Campaign) {
        campaign.titleSq = value.titleSq
        campaign.titleEn = value.titleEn
        campaign.descriptionSq = value.descriptionSq
        campaign.descriptionEn = value.descriptionEn
        campaign.objectiveSq = value.objectiveSq
        campaign.objectiveEn = value.objectiveEn
        campaign.audiences = value.audiences.map(\.rawValue).joined(separator: ",")
        campaign.regions = value.regions.map(\.uuidString).joined(separator: ",")
        campaign.channels = value.channels.map(\.rawValue).joined(separator: ",")
        campaign.startsOn = value.startsOn.description
        campaign.endsOn = value.endsOn.description
        campaign.budgetMinor = value.budget.minorUnits
        campaign.partners = value.partners
    }

    func create(_ form: CampaignForm, actor: UUID) async throws -> Result<Campaign, FieldErrors> {
        switch form.validated(regions: try await regions(), today: today) {
        case .failure(let errors): return .failure(errors)
        case .success(let value):
            let campaign = Campaign()
            fill(campaign, value)
            campaign.status = .planned
            try await database.writeTransaction { db in
                let year = value.startsOn.year
                campaign.reference = CampaignReference.make(year: year, number: try await ReferenceCounter.next("campaign-\(year)", on: db))
                try await campaign.create(on: db)
                try await audit("campaign.created", campaign, actor: actor, on: db)
            }
            return .success(campaign)
        }
    }

    /// Rewrites a campaign's texts and plan. Its actions must stay within the new period.
    func update(_ campaign: Campaign, form: CampaignForm, actor: UUID) async throws -> Result<Void, FieldErrors> {
        _ = try campaign.status.transition(.edit)
        switch form.validated(regions: try await regions(), today: today) {
        case .failure(let errors): return .failure(errors)
        case .success(let value):
            let days = try await actions(of: campaign).compactMap { LocalDate($0.heldOn) }
            if let first = days.min(), let last = days.max(), first < value.startsOn || last > value.endsOn {
                var errors = FieldErrors()
                errors.add("startsOn", "campaign.error.actionsOutside")
                return .failure(errors)
            }
            fill(campaign, value)
            try await database.writeTransaction { db in
                try await campaign.update(on: db)
                try await audit("campaign.updated", campaign, actor: actor, on: db)
            }
            return .success(())
        }
    }

    /// Starts, completes or cancels a campaign; a cancellation keeps its reason.
    func move(_ campaign: Campaign, _ event: CampaignEvent, reason: String?, actor: UUID) async throws {
        let next = try campaign.status.transition(event)
        let before = campaign.status
        try await database.writeTransaction { db in
            // Conditional: two officers pressing at once move it once.
            guard let sql = db as? any SQLDatabase else { throw AppError.server }
            let moved = try await sql.raw("""
                UPDATE campaigns SET status = \(bind: next.rawValue), updated_at = \(bind: now)
                WHERE id = \(bind: try campaign.requireID()) AND status = \(bind: before.rawValue) RETURNING id
                """).all()
            guard !moved.isEmpty else { throw AppError(status: .conflict, messageKey: "campaign.error.notNow") }
            campaign.status = next
            var details = ["from": before.rawValue, "to": next.rawValue]
            if let reason { details["reason"] = reason }
            try await audit("campaign.\(event.rawValue)", campaign, details, actor: actor, on: db)
        }
        // Again once committed: a visitor's request between the two may have kept the old state.
        services.publicCampaigns.forget()
    }

    // MARK: actions and reach

    func actions(of campaign: Campaign) async throws -> [CampaignAction] {
        try await CampaignAction.query(on: database).filter(\.$campaign.$id == campaign.requireID())
            .sort(\.$heldOn).sort(\.$id).all()
    }

    func action(_ id: UUID, of campaign: Campaign) async throws -> CampaignAction {
        guard let action = try await CampaignAction.query(on: database).filter(\.$id == id)
            .filter(\.$campaign.$id == campaign.requireID()).first() else { throw AppError.notFound }
        return action
    }

    private func fill(_ action: CampaignAction, _ value: CampaignActionForm.Action) {
        action.kind = value.kind
        action.heldOn = value.heldOn.description
        action.regionID = value.region
        action.municipality = value.municipality
        action.descriptionSq = value.descriptionSq
        action.descriptionEn = value.descriptionEn
        action.costMinor = value.cost.minorUnits
    }

    private func validate(_ form: CampaignActionForm, for campaign: Campaign) async throws -> Result<CampaignActionForm.Action, FieldErrors> {
        _ = try campaign.status.transition(.edit)
        guard let period = campaign.period else { throw AppError.server }
        return form.validated(regions: try await regions(), period: period)
    }

    func addAction(to campaign: Campaign, _ form: CampaignActionForm, actor: UUID) async throws -> Result<CampaignAction, FieldErrors> {
        switch try await validate(form, for: campaign) {
        case .failure(let errors): return .failure(errors)
        case .success(let value):
            let action = CampaignAction()
            action.$campaign.id = try campaign.requireID()
            fill(action, value)
            action.record(nil, at: now)
            try await database.writeTransaction { db in
                try await action.create(on: db)
                try await audit("campaign.actionAdded", campaign, ["action": try action.requireID().uuidString, "kind": value.kind.rawValue],
                                actor: actor, on: db)
            }
            return .success(action)
        }
    }

    func updateAction(_ action: CampaignAction, of campaign: Campaign, _ form: CampaignActionForm, actor: UUID) async throws -> Result<Void, FieldErrors> {
        switch try await validate(form, for: campaign) {
        case .failure(let errors): return .failure(errors)
        case .success(let value):
            fill(action, value)
            try await database.writeTransaction { db in
                try await action.update(on: db)
                try await audit("campaign.actionUpdated", campaign, ["action": try action.requireID().uuidString], actor: actor, on: db)
            }
            return .success(())
        }
    }

    /// Records (or corrects) an action's reach, once the action has happened.
    func recordReach(_ action: CampaignAction, of campaign: Campaign, _ form: ReachForm, actor: UUID) async throws -> Result<Void, FieldErrors> {
        _ = try campaign.status.transition(.edit)
        guard let day = LocalDate(action.heldOn), day <= today else { throw AppError(status: .conflict, messageKey: "campaign.error.notHeld") }
        switch form.validated() {
        case .failure(let errors): return .failure(errors)
        case .success(let reach):
            let corrected = action.reachRecordedAt != nil
            action.record(reach, at: now)
            try await database.writeTransaction { db in
                try await action.update(on: db)
                try await audit(corrected ? "campaign.reachCorrected" : "campaign.reachRecorded", campaign,
                                ["action": try action.requireID().uuidString, "reached": String(reach.reachedDirectly)], actor: actor, on: db)
            }
            return .success(())
        }
    }

    // MARK: mentions

    func mentions(of campaign: Campaign) async throws -> [CampaignMention] {
        try await CampaignMention.query(on: database).filter(\.$campaign.$id == campaign.requireID())
            .sort(\.$publishedOn, .descending).sort(\.$id).all()
    }

    func addMention(to campaign: Campaign, _ form: MentionForm, actor: UUID) async throws -> Result<Void, FieldErrors> {
        _ = try campaign.status.transition(.edit)
        switch form.validated(today: today) {
        case .failure(let errors): return .failure(errors)
        case .success(let value):
            let mention = CampaignMention()
            mention.$campaign.id = try campaign.requireID()
            (mention.outlet, mention.publishedOn, mention.link, mention.kind) = (value.outlet, value.publishedOn.description, value.link, value.kind)
            try await database.writeTransaction { db in
                try await mention.create(on: db)
                try await audit("campaign.mentionAdded", campaign, ["mention": try mention.requireID().uuidString, "kind": value.kind.rawValue],
                                actor: actor, on: db)
            }
            return .success(())
        }
    }

    /// Removes a mention recorded by mistake; the audit keeps that it existed.
    func removeMention(_ id: UUID, of campaign: Campaign, reason: String, actor: UUID) async throws {
        _ = try campaign.status.transition(.edit)
        guard let mention = try await CampaignMention.query(on: database).filter(\.$id == id)
            .filter(\.$campaign.$id == campaign.requireID()).first() else { throw AppError.notFound }
        try await database.writeTransaction { db in
            try await mention.delete(on: db)
            try await audit("campaign.mentionRemoved", campaign, ["mention": id.uuidString, "reason": reason], actor: actor, on: db)
        }
    }
}
