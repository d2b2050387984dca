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

    init(_ req: Request, page: PublicSite.Page, twin: PublicSite.Page?, title: String, description: String, ogType: String = "website",
         ogImage: String? = nil) {
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
        nav = [
            Link(href: PublicSite.Page.home.path(language), labelKey: "site.nav.home", current: page == .home),
            Link(href: PublicSite.Page.news.path(language), labelKey: "site.nav.news", current: page == .news || { if case .article = page { true } else { false } }()),
            Link(href: SiteURL.publicCalls.path, labelKey: "nav.publicCalls", current: false),
        ]
        home = PublicSite.Page.home.path(language)
        news = PublicSite.Page.news.path(language)
        feed = PublicSite.Page.feed.path(language)
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

    struct Home: Encodable {
        let latest: [Teaser]
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
}
