import Foundation
import FuqizoCore
import Vapor

/// The public website's frame: what search engines and link previews read (canonical address,
/// the twin in the other language, Open Graph), the language switch that keeps the page, the
/// quick exit, and the EU's visibility line.
struct WebsiteLayout: Encodable {
    struct Link: Encodable {
        let href: String
        let labelKey: String
        let current: Bool
    }

    struct Alternate: Encodable {
        let lang: String
        let href: String
    }

    struct Helpline: Encodable {
        let name: String
        let number: String
        let dial: String
    }

    let lang: String
    let locale: String
    let title: String
    let description: String
    let canonical: String
    let alternates: [Alternate]
    let otherHref: String
    let otherLang: String
    let otherLabelKey: String
    let ogType: String
    let ogImage: String?
    let nav: [Link]
    let home: String
    let news: String
    let feed: String
    let helplines: [Helpline]

    init(_ req: Request, page: PublicSite.Page, twin: PublicSite.Page?, settings: ProgrammeSettings, title: String, description: String,
         ogType: String = "website", ogImage: String? = nil) {
        let language = req.language
        let other: Language = language == .sq ? .en : .sq
        let base = req.services.config.publicURL
        lang = language.rawValue
        locale = language.pick("sq_AL", "en_GB")
        self.title = title
        self.description = description
        canonical = base + page.path(language)
        let twinPath = (twin ?? .home).path(other)
        alternates = [Alternate(lang: language.rawValue, href: canonical), Alternate(lang: other.rawValue, href: base + twinPath),
                      Alternate(lang: "x-default", href: base + (language == .sq ? page.path(.sq) : twinPath))]
        otherHref = twinPath
        otherLang = other.rawValue
        otherLabelKey = "language.\(other.rawValue)"
        self.ogType = ogType
        self.ogImage = ogImage.map { base + $0 }
        let sections: [PublicSite.Section] = [.about, .news, .campaigns, .results, .library, .contact]
        nav = [Link(href: PublicSite.Page.home.path(language), labelKey: "site.nav.home", current: page == .home)]
            + sections.map { Link(href: PublicSite.Page.section($0).path(language), labelKey: "site.nav.\($0)", current: page.section == $0) }
            + [Link(href: SiteURL.publicCalls.path, labelKey: "nav.publicCalls", current: false)]
        home = PublicSite.Page.home.path(language)
        news = PublicSite.Page.news.path(language)
        feed = PublicSite.Page.feed.path(language)
        helplines = settings.publicHelplines.map { Helpline(name: $0.name(language), number: $0.number, dial: $0.dialable) }
    }
}

struct WebsitePage<Content: Encodable>: Encodable {
    let layout: WebsiteLayout
    let content: Content
}

enum WebsiteContext {
    struct Teaser: Encodable {
        let href: String
        let title: String
        let summary: String
        let published: String
        let isoDate: String
    }

    static func teaser(_ row: WebsiteService.ArticleRow, _ language: Language) -> Teaser {
        Teaser(href: PublicSite.Page.article(slug: row.slug(language)).path(language), title: language.pick(row.titleSq, row.titleEn),
               summary: language.pick(row.summarySq, row.summaryEn), published: Display.date(TiranaTime.today(at: row.publishAt), language),
               isoDate: TiranaTime.today(at: row.publishAt).description)
    }

    struct News: Encodable {
        let rows: [Teaser]
        let pages: PageLinks
    }

    struct ArticlePage: Encodable {
        let title: String
        let summary: String
        let published: String
        let isoDate: String
        let body: String
        let image: String?
        let alt: String
    }

    struct Figure: Encodable {
        let label: String
        let value: String
    }

    struct Region: Encodable {
        let name: String
        let figures: [Figure]
    }

    struct Home: Encodable {
        let latest: [Teaser]
        let campaigns: [CampaignTeaser]
        let regions: [String]
        let results: String
    }

    struct About: Encodable {
        let regions: [String]
        let facts: [Figure]
        let partners: [String]
    }

    struct Contact: Encodable {
        let email: String?
        let phone: String?
        let dial: String?
        let address: String?
    }

    struct Publication: Encodable {
        let href: String
        let title: String
        let details: String
        let description: String
    }

    struct Library: Encodable {
        let rows: [Publication]
    }

    // MARK: campaigns

    struct CampaignTeaser: Encodable {
        let href: String
        let title: String
        let summary: String
        let period: String
        let status: String
    }

    static func teaser(_ row: WebsiteService.CampaignTeaser, _ req: Request) -> CampaignTeaser {
        let language = req.language
        return CampaignTeaser(href: PublicSite.Page.campaign(slug: row.slug).path(language), title: language.pick(row.titleSq, row.titleEn),
                              summary: language.pick(row.descriptionSq, row.descriptionEn),
                              period: EventContext.dates(row.startsOn, row.endsOn, language), status: req.t(row.status.catalogKey))
    }

    struct Campaigns: Encodable {
        let rows: [CampaignTeaser]
    }

    struct ActionLine: Encodable {
        let day: String
        let isoDay: String
        let kind: String
        let place: String
        let description: String
        let reach: String?
    }

    struct Mention: Encodable {
        let outlet: String
        let day: String
        let kind: String
        let link: String
    }

    struct Photo: Encodable {
        let src: String
        let alt: String
        let caption: String
    }

    struct CampaignPage: Encodable {
        let title: String
        let reference: String
        let status: String
        let description: String
        let objective: String
        let facts: [Figure]
        let totals: [Figure]
        let regions: [Region]
        let regionHeadings: [String]
        let actions: [ActionLine]
        let mentions: [Mention]
        let photos: [Photo]
        let all: String
    }

    /// A campaign as the public sees it: what it is for, what was done where, whom it reached,
    /// what the media said, and the photos that may be shown. No costs, no staff names.
    static func campaign(_ req: Request, _ campaign: Campaign, actions: [CampaignAction], mentions: [CampaignMention],
                         photos: [CampaignEvidence], regions: [GeographyDirectory.Region]) -> CampaignPage {
        let language = req.language
        func count(_ value: Int64) -> String { Display.count(Int(clamping: value), language) }
        let names = Dictionary(regions.map { ($0.id, $0.name(language)) }, uniquingKeysWith: { first, _ in first })
        let facts = actions.map(\.totalsAction)
        let totals = ReachTotals.of(facts, mentions: mentions.count)
        let perRegion = ReachTotals.perRegion(facts)
        func reachFigures(_ totals: ReachTotals) -> [Figure] {
            [Figure(label: req.t("campaign.field.actions"), value: Display.count(totals.actions, language)),
             Figure(label: req.t("campaign.totals.reached"), value: count(totals.reachedDirectly)),
             Figure(label: req.t("campaign.reach.participants"), value: count(totals.participants)),
             Figure(label: req.t("campaign.reach.impressions"), value: count(totals.impressions)),
             Figure(label: req.t("campaign.reach.copies"), value: count(totals.copies))]
        }
        return CampaignPage(
            title: campaign.title(language), reference: campaign.reference, status: req.t(campaign.status.catalogKey),
            description: language.pick(campaign.descriptionSq, campaign.descriptionEn),
            objective: language.pick(campaign.objectiveSq, campaign.objectiveEn),
            facts: [
                Figure(label: req.t("campaign.field.period"), value: EventContext.dates(campaign.startsOn, campaign.endsOn, language)),
                Figure(label: req.t("campaign.field.regions"),
                       value: Campaign.keys(campaign.regions).compactMap { UUID(uuidString: $0).flatMap { names[$0] } }.joined(separator: ", ")),
                Figure(label: req.t("campaign.field.audiences"),
                       value: Campaign.keys(campaign.audiences).map { req.t("campaign.audience.\($0)") }.joined(separator: ", ")),
            ] + (campaign.partners.isEmpty ? [] : [Figure(label: req.t("campaign.field.partners"), value: campaign.partners)]),
            totals: reachFigures(totals) + [Figure(label: req.t("campaign.totals.mentions"), value: Display.count(totals.mentions, language))],
            regions: regions.compactMap { region in perRegion[region.id].map { Region(name: region.name(language), figures: reachFigures($0)) } },
            regionHeadings: reachFigures(ReachTotals()).map(\.label),
            actions: actions.map { action in
                ActionLine(day: Display.date(iso: action.heldOn, language), isoDay: action.heldOn, kind: req.t(action.kind.catalogKey),
                           place: [names[action.regionID] ?? "", action.municipality].filter { !$0.isEmpty }.joined(separator: " · "),
                           description: language.pick(action.descriptionSq, action.descriptionEn),
                           reach: action.reach.map { reach in
                               [("campaign.action.met", reach.reachedDirectly), ("campaign.action.views", reach.impressions),
                                ("campaign.action.copies", reach.copies), ("campaign.action.participants", reach.participants)]
                                   .filter { $0.1 > 0 }.map { req.t($0.0, ["count": Display.count($0.1, language)]) }.joined(separator: " · ")
                           }.flatMap { $0.isEmpty ? nil : $0 })
            },
            mentions: mentions.map { Mention(outlet: $0.outlet, day: Display.date(iso: $0.publishedOn, language), kind: req.t($0.kind.catalogKey), link: $0.link) },
            photos: photos.compactMap { photo in
                photo.id.map { Photo(src: "/media/\($0.uuidString)", alt: language.pick(photo.altSq, photo.altEn),
                                     caption: language.pick(photo.captionSq, photo.captionEn)) }
            },
            all: PublicSite.Page.section(.campaigns).path(language))
    }

    // MARK: results

    struct Results: Encodable {
        let totals: [Figure]
        let regions: [Region]
        let threshold: String
        let withheldMark: String
        let hasWithheld: Bool
        /// The open-data files, once published.
        let openData: [OpenDataLink]
    }

    struct OpenDataLink: Encodable {
        let href: String
        let label: String
    }

    /// The results as published: totals first, then each region (and what lies outside them).
    static func results(_ req: Request, _ raw: ResultsService.Figures, settings: ProgrammeSettings, openData: Bool = false) -> Results {
        let language = req.language
        let results = PublicResults(counts: raw.counts, rowCount: raw.rowCount, threshold: settings.smallCellPublic)
        let threshold = SmallCells(threshold: settings.smallCellPublic).threshold
        var withheld = false
        func text(_ figure: PublicResults.Figure?, _ measure: PublicResults.Measure) -> String {
            switch figure {
            case .value(let value) where measure == .grantAmount:
                return Money(minorUnits: value, currency: settings.currency).written(in: language)
            case .value(let value): return Display.count(Int(clamping: value), language)
            case .cell(.shown(let count)): return Display.count(count, language)
            case .cell(.suppressed): return req.t("results.fewerThan", ["threshold": String(threshold)])
            case .cell(.withheld):
                withheld = true
                return SmallCells.Cell.withheldMark
            case nil: return ""
            }
        }
        func figures(_ pick: (PublicResults.Measure) -> PublicResults.Figure?) -> [Figure] {
            PublicResults.Measure.allCases.map { Figure(label: req.t($0.catalogKey), value: text(pick($0), $0)) }
        }
        let names = raw.regions.map { $0.name(language) } + [req.t("results.elsewhere")]
        let regions = names.indices.map { row in Region(name: names[row], figures: figures { results.rows[$0]?[row] }) }
        let totals = figures { results.totals[$0] }
        return Results(totals: totals, regions: regions, threshold: String(threshold), withheldMark: SmallCells.Cell.withheldMark,
                       hasWithheld: withheld,
                       openData: openData ? [("/open-data/iati-activities.xml", "site.openData.activities"), ("/open-data/iati-organisations.xml", "site.openData.organisations"),
                                             ("/open-data/360giving.json", "site.openData.giving")].map { OpenDataLink(href: $0.0, label: req.t($0.1)) } : [])
    }
}
