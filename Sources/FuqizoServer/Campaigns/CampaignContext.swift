import Foundation
import FuqizoCore
import Vapor

/// Campaigns as people read them: the list, the campaign form, a campaign's page with its
/// totals, actions and mentions, and one action's page with its reach.
enum CampaignContext {
    // MARK: the list

    struct Line: Encodable {
        let href: String
        let reference: String
        let title: String
        let status: String
        let dates: String
        let actions: String
        let waiting: Int
    }

    struct ListPage: Encodable {
        let canCreate: Bool
        let statusOptions: [FieldContext.Option]
        let rows: [Line]
        let pages: PageLinks
    }

    static func list(_ req: Request, rows: [CampaignService.CampaignRow], pager: Pager, status: CampaignStatus?) -> ListPage {
        let language = req.language
        return ListPage(
            canCreate: Policy.decide(req.actor, .manageCampaigns).isAllowed,
            statusOptions: [.init(value: "", label: req.t("campaign.list.anyStatus"), selected: status == nil)]
                + CampaignStatus.allCases.map { .init(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0 == status) },
            rows: rows.map { row in
                Line(href: SiteURL.campaign(row.id).path, reference: row.reference, title: language.pick(row.titleSq, row.titleEn),
                     status: req.t(CampaignStatus(rawValue: row.status)?.catalogKey ?? row.status),
                     dates: EventContext.dates(row.startsOn, row.endsOn, language), actions: Display.count(row.actions, language), waiting: row.waiting)
            },
            pages: PageLinks(pager) { SiteURL.campaigns.with([("status", status?.rawValue), ("page", String($0))]) })
    }

    // MARK: the campaign form

    struct FormPage: Encodable {
        let action: String
        let back: String
        let fields: [FieldContext]
        let hasErrors: Bool
    }

    static func form(_ req: Request, _ form: CampaignForm, action: String, back: String, regions: [GeographyDirectory.Region],
                     errors: FieldErrors) -> FormPage {
        let language = req.language
        func many<T: RawRepresentable & CaseIterable>(_ name: String, _ type: T.Type, _ chosen: [String], key: (T) -> String) -> FieldContext
        where T.RawValue == String {
            FieldContext(name, label: "campaign.field.\(name)", kind: "checkboxes",
                         options: T.allCases.map { .init(value: $0.rawValue, label: req.t(key($0)), selected: chosen.contains($0.rawValue)) },
                         errors: errors, required: true)
        }
        return FormPage(action: action, back: back, fields: [
            FieldContext("titleSq", label: "campaign.field.titleSq", value: form.titleSq, errors: errors, required: true),
            FieldContext("titleEn", label: "campaign.field.titleEn", value: form.titleEn, errors: errors, required: true),
            FieldContext("descriptionSq", label: "campaign.field.descriptionSq", kind: "textarea", value: form.descriptionSq, errors: errors, required: true),
            FieldContext("descriptionEn", label: "campaign.field.descriptionEn", kind: "textarea", value: form.descriptionEn, errors: errors, required: true),
            FieldContext("objectiveSq", label: "campaign.field.objectiveSq", kind: "textarea", value: form.objectiveSq, errors: errors, required: true),
            FieldContext("objectiveEn", label: "campaign.field.objectiveEn", kind: "textarea", value: form.objectiveEn, errors: errors, required: true),
            many("audiences", CampaignAudience.self, form.audiences, key: \.catalogKey),
            FieldContext("regions", label: "campaign.field.regions", kind: "checkboxes",
                         options: regions.map { .init(value: $0.id.uuidString, label: $0.name(language), selected: form.regions.contains($0.id.uuidString)) },
                         errors: errors, required: true),
            FieldContext("startsOn", label: "campaign.field.startsOn", kind: "date", value: form.startsOn, errors: errors, required: true),
            FieldContext("endsOn", label: "campaign.field.endsOn", kind: "date", value: form.endsOn, errors: errors, required: true),
            many("channels", CampaignChannel.self, form.channels, key: \.catalogKey),
            FieldContext("budget", label: "campaign.field.budget", value: form.budget, errors: errors, hint: "campaign.budget.hint"),
            FieldContext("partners", label: "campaign.field.partners", kind: "textarea", value: form.partners, errors: errors, hint: "campaign.partners.hint"),
        ], hasErrors: !errors.isEmpty)
    }

    static func form(of campaign: Campaign) -> CampaignForm {
        var form = CampaignForm()
        (form.titleSq, form.titleEn, form.descriptionSq, form.descriptionEn) = (campaign.titleSq, campaign.titleEn, campaign.descriptionSq, campaign.descriptionEn)
        (form.objectiveSq, form.objectiveEn, form.partners) = (campaign.objectiveSq, campaign.objectiveEn, campaign.partners)
        (form.audiences, form.regions, form.channels) = (Campaign.keys(campaign.audiences), Campaign.keys(campaign.regions), Campaign.keys(campaign.channels))
        (form.startsOn, form.endsOn) = (campaign.startsOn, campaign.endsOn)
        form.budget = Money(minorUnits: campaign.budgetMinor, currency: "EUR").plainAmount
        return form
    }

    // MARK: the action form

    static func actionFields(_ req: Request, _ form: CampaignActionForm, regions: [GeographyDirectory.Region], errors: FieldErrors) -> [FieldContext] {
        let language = req.language
        return [
            FieldContext("kind", label: "campaign.action.field.kind", kind: "radios", value: form.kind,
                         options: CampaignActionKind.allCases.map { .init(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0.rawValue == form.kind) },
                         errors: errors, required: true),
            FieldContext("heldOn", label: "campaign.action.field.heldOn", kind: "date", value: form.heldOn, errors: errors, required: true),
            FieldContext("region", label: "campaign.action.field.region", kind: "select", value: form.region,
                         options: regions.map { .init(value: $0.id.uuidString, label: $0.name(language), selected: $0.id.uuidString == form.region) },
                         errors: errors, required: true),
            FieldContext("municipality", label: "campaign.action.field.municipality", value: form.municipality, errors: errors),
            FieldContext("descriptionSq", label: "campaign.action.field.descriptionSq", kind: "textarea", value: form.descriptionSq, errors: errors, required: true),
            FieldContext("descriptionEn", label: "campaign.action.field.descriptionEn", kind: "textarea", value: form.descriptionEn, errors: errors, required: true),
            FieldContext("cost", label: "campaign.action.field.cost", value: form.cost, errors: errors, hint: "campaign.cost.hint"),
        ]
    }

    static func form(of action: CampaignAction) -> CampaignActionForm {
        var form = CampaignActionForm()
        (form.kind, form.heldOn, form.region, form.municipality) = (action.kind.rawValue, action.heldOn, action.regionID.uuidString, action.municipality)
        (form.descriptionSq, form.descriptionEn) = (action.descriptionSq, action.descriptionEn)
        form.cost = Money(minorUnits: action.costMinor, currency: "EUR").plainAmount
        return form
    }

    /// The reach form's fields: people met by sex, then those of them by age band, then the rest.
    static func reachFields(_ reach: ReachForm, errors: FieldErrors) -> (sexes: [FieldContext], ages: [FieldContext], outputs: [FieldContext]) {
        (reach.sexFields.map { FieldContext($0.0.rawValue, label: $0.0.catalogKey, kind: "number", value: $0.1, errors: errors) },
         reach.ageFields.map { FieldContext($0.0.rawValue, label: $0.0.catalogKey, kind: "number", value: $0.1, errors: errors) },
         [FieldContext("participants", label: "campaign.reach.participants", kind: "number", value: reach.participants, errors: errors, hint: "campaign.reach.participants.hint"),
          FieldContext("impressions", label: "campaign.reach.impressions", kind: "number", value: reach.impressions, errors: errors, hint: "campaign.reach.impressions.hint"),
          FieldContext("copies", label: "campaign.reach.copies", kind: "number", value: reach.copies, errors: errors)])
    }
}

extension Money {
    /// The amount as a person would type it back into a form ("12500.50").
    var plainAmount: String {
        let cents = minorUnits % 100
        return "\(minorUnits / 100)" + (cents == 0 ? "" : "." + (cents < 10 ? "0" : "") + "\(cents)")
    }
}
