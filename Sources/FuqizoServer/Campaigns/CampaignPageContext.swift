import Foundation
import FuqizoCore
import Vapor

/// One campaign's page: what it is, what it may do next, its totals overall and per region,
/// its actions and the media's mentions; and one action's page with its reach.
enum CampaignPageContext {
    struct Figure: Encodable {
        let label: String
        let value: String
    }

    struct RegionLine: Encodable {
        let region: String
        let actions: String
        let reached: String
        let impressions: String
        let cost: String
    }

    struct ActionLine: Encodable {
        let href: String
        let day: String
        let kind: String
        let place: String
        let cost: String
        /// People met (or "to record").
        let reach: String
        let waiting: Bool
    }

    struct MentionLine: Encodable {
        let id: String
        let outlet: String
        let day: String
        let kind: String
        let link: String
    }

    struct EvidenceLine: Encodable {
        let href: String
        let removeAction: String
        let isPhoto: Bool
        let alt: String
        let caption: String
        let details: String
        /// Why it cannot be shown publicly, if it cannot.
        let withheld: String?
    }

    struct Page: Encodable {
        let id: String
        let reference: String
        let title: String
        let status: String
        let description: String
        let objective: String
        let facts: [Figure]
        let canEdit: Bool
        let canStart: Bool
        let canComplete: Bool
        let canCancel: Bool
        let totals: [Figure]
        let bySex: [Figure]
        let byAge: [Figure]
        let regions: [RegionLine]
        let actions: [ActionLine]
        let mentions: [MentionLine]
        let mentionFields: [FieldContext]
        let mentionErrors: Bool
        let evidence: [EvidenceLine]
        let evidenceFields: [FieldContext]
        let evidenceErrors: Bool
        let fileError: String?
        let uploadLimit: String
    }

    static func page(_ req: Request, _ campaign: Campaign, actions: [CampaignAction], mentions: [CampaignMention],
                     evidence: [CampaignEvidence], publicity: [UUID: Bool], regions: [GeographyDirectory.Region],
                     mentionForm: MentionForm, mentionErrors: FieldErrors, evidenceForm: EvidenceForm, evidenceErrors: FieldErrors,
                     uploadLimit: Int, today: LocalDate) throws -> Page {
        let language = req.language
        let id = try campaign.requireID()
        let manage = Policy.decide(req.actor, .manageCampaigns, campaign.resource).isAllowed
        let regionNames = Dictionary(regions.map { ($0.id, $0.name(language)) }, uniquingKeysWith: { first, _ in first })
        func money(_ minor: Int64) -> String { Money(minorUnits: minor, currency: "EUR").written(in: language) }
        func count(_ value: Int64) -> String { Display.count(Int(clamping: value), language) }
        func keys(_ stored: String, _ catalogKey: (String) -> String) -> String {
            Campaign.keys(stored).map { req.t(catalogKey($0)) }.joined(separator: ", ")
        }
        let facts = actions.map(\.totalsAction)
        let totals = ReachTotals.of(facts, mentions: mentions.count)
        let perRegion = ReachTotals.perRegion(facts)
        let editable = manage && campaign.status.allows(.edit)
        // An action's reach in one figure: people met, or else what a media action counts.
        func summary(_ reach: ActionReach) -> String {
            for (key, value) in [("campaign.action.met", reach.reachedDirectly), ("campaign.action.views", reach.impressions),
                                 ("campaign.action.copies", reach.copies), ("campaign.action.participants", reach.participants)] where value > 0 {
                return req.t(key, ["count": Display.count(value, language)])
            }
            return req.t("campaign.action.met", ["count": Display.count(0, language)])
        }
        return Page(
            id: id.uuidString, reference: campaign.reference, title: campaign.title(language), status: req.t(campaign.status.catalogKey),
            description: language.pick(campaign.descriptionSq, campaign.descriptionEn), objective: language.pick(campaign.objectiveSq, campaign.objectiveEn),
            facts: [
                Figure(label: req.t("campaign.field.period"), value: EventContext.dates(campaign.startsOn, campaign.endsOn, language)),
                Figure(label: req.t("campaign.field.audiences"), value: keys(campaign.audiences) { "campaign.audience.\($0)" }),
                Figure(label: req.t("campaign.field.regions"),
                       value: Campaign.keys(campaign.regions).compactMap { UUID(uuidString: $0).flatMap { regionNames[$0] } }.joined(separator: ", ")),
                Figure(label: req.t("campaign.field.channels"), value: keys(campaign.channels) { "campaign.channel.\($0)" }),
                Figure(label: req.t("campaign.field.budget"), value: money(campaign.budgetMinor)),
                Figure(label: req.t("campaign.field.partners"), value: campaign.partners.isEmpty ? req.t("campaign.noPartners") : campaign.partners),
            ],
            canEdit: editable,
            canStart: manage && campaign.status.allows(.start), canComplete: manage && campaign.status.allows(.complete),
            canCancel: manage && campaign.status.allows(.cancel),
            totals: [
                Figure(label: req.t("campaign.totals.actions"), value: req.t("campaign.totals.withReach", [
                    "count": Display.count(totals.actions, language), "recorded": Display.count(totals.actionsWithReach, language)])),
                Figure(label: req.t("campaign.totals.reached"), value: count(totals.reachedDirectly)),
                Figure(label: req.t("campaign.reach.participants"), value: count(totals.participants)),
                Figure(label: req.t("campaign.reach.impressions"), value: count(totals.impressions)),
                Figure(label: req.t("campaign.reach.copies"), value: count(totals.copies)),
                Figure(label: req.t("campaign.totals.mentions"), value: Display.count(totals.mentions, language)),
                Figure(label: req.t("campaign.totals.cost"), value: req.t("campaign.totals.ofBudget", ["cost": money(totals.cost), "budget": money(campaign.budgetMinor)])),
            ],
            bySex: PersonSex.allCases.map { Figure(label: req.t($0.catalogKey), value: count(totals.bySex[$0] ?? 0)) },
            byAge: AgeBand.allCases.map { Figure(label: req.t($0.catalogKey), value: count(totals.byAge[$0] ?? 0)) },
            regions: regions.compactMap { region in
                perRegion[region.id].map { line in
                    RegionLine(region: region.name(language), actions: Display.count(line.actions, language), reached: count(line.reachedDirectly),
                               impressions: count(line.impressions), cost: money(line.cost))
                }
            },
            actions: actions.map { action in
                let held = LocalDate(action.heldOn).map { $0 <= today } ?? false
                return ActionLine(
                    href: SiteURL.campaignAction(campaign: id, action: action.id ?? id).path, day: Display.date(iso: action.heldOn, language),
                    kind: req.t(action.kind.catalogKey),
                    place: [regionNames[action.regionID] ?? "", action.municipality].filter { !$0.isEmpty }.joined(separator: " · "),
                    cost: money(action.costMinor),
                    reach: action.reach.map { summary($0) } ?? req.t(held ? "campaign.action.toRecord" : "campaign.action.planned"),
                    waiting: held && action.reach == nil)
            },
            mentions: mentions.map { mention in
                MentionLine(id: mention.id?.uuidString ?? "", outlet: mention.outlet, day: Display.date(iso: mention.publishedOn, language),
                            kind: req.t(mention.kind.catalogKey), link: mention.link)
            },
            mentionFields: editable ? [
                FieldContext("outlet", label: "campaign.mention.outlet", value: mentionForm.outlet, errors: mentionErrors, required: true),
                FieldContext("publishedOn", label: "campaign.mention.publishedOn", kind: "date", value: mentionForm.publishedOn, errors: mentionErrors, required: true),
                FieldContext("kind", label: "campaign.mention.kind", kind: "select", value: mentionForm.kind,
                             options: MediaKind.allCases.map { .init(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0.rawValue == mentionForm.kind) },
                             errors: mentionErrors, required: true),
                FieldContext("link", label: "campaign.mention.link", kind: "url", value: mentionForm.link, errors: mentionErrors, hint: "campaign.mention.link.hint"),
            ] : [],
            mentionErrors: !mentionErrors.isEmpty,
            evidence: try evidence.map { item in
                let evidenceID = try item.requireID()
                let base = SiteURL.campaign(id).path + "/evidence/\(evidenceID.uuidString)"
                let shown = publicity[evidenceID] ?? false
                return EvidenceLine(
                    href: base, removeAction: base + "/remove", isPhoto: item.isPhoto,
                    alt: language.pick(item.altSq, item.altEn), caption: language.pick(item.captionSq, item.captionEn),
                    details: [item.filename, FileSize.text(item.size),
                              item.actionID.flatMap { action in actions.first { $0.id == action } }.map { Display.date(iso: $0.heldOn, language) + " · " + req.t($0.kind.catalogKey) } ?? ""]
                        .filter { !$0.isEmpty }.joined(separator: " · "),
                    withheld: shown ? nil : req.t("campaign.evidence.withheld"))
            },
            evidenceFields: editable ? evidenceFields(req, evidenceForm, actions: actions, errors: evidenceErrors) : [],
            evidenceErrors: !evidenceErrors.isEmpty, fileError: evidenceErrors["file"],
            uploadLimit: FileSize.text(Int64(uploadLimit)))
    }

    /// What the uploader says beside the file: captions, alternative text, the action it shows,
    /// and whether people can be recognised in it and whose consent covers them.
    static func evidenceFields(_ req: Request, _ form: EvidenceForm, actions: [CampaignAction], errors: FieldErrors) -> [FieldContext] {
        let language = req.language
        return [
            FieldContext("altSq", label: "campaign.evidence.altSq", value: form.altSq, errors: errors, hint: "campaign.evidence.alt.hint"),
            FieldContext("altEn", label: "campaign.evidence.altEn", value: form.altEn, errors: errors),
            FieldContext("captionSq", label: "campaign.evidence.captionSq", value: form.captionSq, errors: errors, hint: "campaign.evidence.caption.hint"),
            FieldContext("captionEn", label: "campaign.evidence.captionEn", value: form.captionEn, errors: errors),
            FieldContext("action", label: "campaign.evidence.action", kind: "select", value: form.action,
                         options: actions.compactMap { action in action.id.map {
                             .init(value: $0.uuidString, label: Display.date(iso: action.heldOn, language) + " · " + req.t(action.kind.catalogKey),
                                   selected: $0.uuidString == form.action) } },
                         errors: errors),
            FieldContext("identifiable", label: "campaign.evidence.identifiable", kind: "checkbox", value: form.identifiable, errors: errors,
                         hint: "campaign.evidence.identifiable.hint"),
            FieldContext("othersConsented", label: "campaign.evidence.othersConsented", kind: "checkbox", value: form.othersConsented, errors: errors),
            FieldContext("survivorCode", label: "campaign.evidence.survivorCode", value: form.survivorCode, errors: errors,
                         hint: "campaign.evidence.survivorCode.hint", autocomplete: "off"),
        ]
    }

    // MARK: one action

    struct ActionPage: Encodable {
        let campaignID: String
        let campaignTitle: String
        let reference: String
        let action: String
        let fields: [FieldContext]
        let hasErrors: Bool
        /// Its reach, once it has happened.
        let reachAction: String?
        let sexes: [FieldContext]
        let ages: [FieldContext]
        let outputs: [FieldContext]
        let meetsPeople: Bool
        let reachErrors: Bool
        let recorded: Bool
        let canEdit: Bool
    }

    static func actionPage(_ req: Request, _ campaign: Campaign, action: CampaignAction?, form: CampaignActionForm, errors: FieldErrors,
                           reach: ReachForm, reachErrors: FieldErrors, regions: [GeographyDirectory.Region], today: LocalDate) throws -> ActionPage {
        let id = try campaign.requireID()
        let path = try action.map { SiteURL.campaignAction(campaign: id, action: try $0.requireID()).path }
        let held = action.flatMap { LocalDate($0.heldOn) }.map { $0 <= today } ?? false
        let fields = CampaignContext.reachFields(reach, errors: reachErrors)
        return ActionPage(
            campaignID: id.uuidString, campaignTitle: campaign.title(req.language), reference: campaign.reference,
            action: path ?? SiteURL.campaign(id).path + "/actions",
            fields: CampaignContext.actionFields(req, form, regions: regions, errors: errors), hasErrors: !errors.isEmpty,
            reachAction: held ? path.map { $0 + "/reach" } : nil, sexes: fields.sexes, ages: fields.ages, outputs: fields.outputs,
            meetsPeople: CampaignActionKind(rawValue: form.kind)?.meetsPeople ?? true, reachErrors: !reachErrors.isEmpty,
            recorded: action?.reachRecordedAt != nil,
            canEdit: Policy.decide(req.actor, .manageCampaigns, campaign.resource).isAllowed && campaign.status.allows(.edit))
    }
}
