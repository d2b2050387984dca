import Crypto
import Foundation
import FuqizoCore
import Vapor

/// The public website in Albanian and English (`PublicSite`), its Atom feeds, the sitemap, the
/// robots file, and the photos its articles show. Pages answer with an ETag, so a phone that
/// has a page already gets "not modified" instead of the page again.
struct WebsiteController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        for language in Language.allCases {
            routes.get(.constant(language.rawValue)) { req in try await page(req, language, segments: []) }.access(.viewPublic)
            routes.get(.constant(language.rawValue), .catchall) { req in
                try await page(req, language, segments: req.parameters.getCatchall())
            }.access(.viewPublic)
        }
        routes.get("sitemap.xml", use: sitemap).access(.viewPublic)
        routes.get("robots.txt", use: robots).access(.viewPublic)
        routes.get("media", ":photoID", use: photo).access(.viewPublic)
        routes.get("publications", ":documentID", use: publication).access(.viewPublic)
    }

    private func service(_ req: Request) -> WebsiteService {
        WebsiteService(database: req.db, now: req.services.clock.now())
    }

    struct PageQuery: Content {
        var page: Int?
    }

    func page(_ req: Request, _ language: Language, segments: [String]) async throws -> Response {
        req.language = language
        let settings = try await SettingsService(database: req.db, services: req.services).current()
        guard let page = PublicSite.Page(language: language, segments: segments) else { return try await missing(req, settings) }
        func layout(_ twin: PublicSite.Page?, _ title: String, _ description: String, ogType: String = "website", ogImage: String? = nil) -> WebsiteLayout {
            WebsiteLayout(req, page: page, twin: twin, settings: settings, title: title, description: description, ogType: ogType, ogImage: ogImage)
        }
        let service = service(req)
        switch page {
        case .home:
            let latest = try await service.news(page: 1, pageSize: 3).rows
            let campaigns = try await service.campaigns(limit: 2)
            let regions = try await service.regions().map { $0.name(language) }
            return try await render(req, "website/home", layout(.home, req.t("site.home.title"), req.t("site.home.description")),
                                    WebsiteContext.Home(latest: latest.map { WebsiteContext.teaser($0, language) },
                                                        campaigns: campaigns.map { WebsiteContext.teaser($0, req) }, regions: regions,
                                                        results: PublicSite.Page.section(.results).path(language)))
        case .section(.about):
            let regions = try await service.regions().map { $0.name(language) }
            let facts = [("site.about.implementer", settings.implementingOrganisation), ("site.about.donor", settings.donor),
                         ("site.about.reference", settings.reference),
                         ("site.about.period", settings.startDate.isEmpty ? "" : EventContext.dates(settings.startDate, settings.endDate, language))]
                .filter { !$0.1.isEmpty }.map { WebsiteContext.Figure(label: req.t($0.0), value: $0.1) }
            return try await render(req, "website/about", layout(page, req.t("site.about.title"), req.t("site.about.description")),
                                    WebsiteContext.About(regions: regions, facts: facts, partners: settings.partners ?? []))
        case .section(.contact):
            let phone = settings.contactPhone
            return try await render(req, "website/contact", layout(page, req.t("site.contact.title"), req.t("site.contact.description")),
                                    WebsiteContext.Contact(email: settings.contactEmail, phone: phone,
                                                           dial: phone.map { Helpline(nameSq: "", nameEn: "", number: $0).dialable },
                                                           address: settings.contactAddress))
        case .section(.news):
            let found = try await service.news(page: (try? req.query.decode(PageQuery.self))?.page)
            return try await render(req, "website/news", layout(page, req.t("site.news.title"), req.t("site.news.description")),
                                    WebsiteContext.News(rows: found.rows.map { WebsiteContext.teaser($0, language) },
                                                        pages: PageLinks(found.pager) { PublicSite.Page.news.path(language) + "?page=\($0)" }))
        case .section(.campaigns):
            return try await render(req, "website/campaigns", layout(page, req.t("site.campaigns.title"), req.t("site.campaigns.description")),
                                    WebsiteContext.Campaigns(rows: try await service.campaigns().map { WebsiteContext.teaser($0, req) }))
        case .section(.results):
            let now = req.services.clock.now()
            let figures = try await req.services.publicResults.value(at: now) {
                try await ResultsService(database: req.db).figures(at: now)
            }
            let openData = try await OpenDataService(database: req.db, services: req.services).settings().isSet
            return try await render(req, "website/results", layout(page, req.t("site.results.title"), req.t("site.results.description")),
                                    WebsiteContext.results(req, figures, settings: settings, openData: openData))
        case .section(.library):
            let items = try await LibraryService(database: req.db, services: req.services).published()
            return try await render(req, "website/library", layout(page, req.t("site.library.title"), req.t("site.library.description")),
                                    WebsiteContext.Library(rows: items.compactMap { item, file in
                                        item.id.map { WebsiteContext.Publication(href: "/publications/\($0.uuidString)", title: item.title(language),
                                                                                 details: LibraryContext.details(req, item, file),
                                                                                 description: language.pick(item.descriptionSq, item.descriptionEn)) }
                                    }))
        case .article(let slug):
            guard let (row, text) = try await service.article(slug: slug, language: language) else { return try await missing(req, settings) }
            let other: Language = language == .sq ? .en : .sq
            let teaser = WebsiteContext.teaser(row, language)
            let image = row.imageID.map { "/media/\($0.uuidString)" }
            return try await render(req, "website/article",
                                    layout(.article(slug: row.slug(other)), teaser.title, teaser.summary, ogType: "article", ogImage: image),
                                    WebsiteContext.ArticlePage(title: teaser.title, summary: teaser.summary, published: teaser.published, isoDate: teaser.isoDate,
                                                               body: SafeMarkdown.html(language.pick(text.bodySq, text.bodyEn)), image: image,
                                                               alt: language.pick(text.altSq ?? "", text.altEn ?? "")))
        case .campaign(let slug):
            let campaigns = CampaignService(database: req.db, services: req.services)
            let evidence = EvidenceService(database: req.db, services: req.services)
            guard let (campaign, actions, mentions, photos) = try await req.services.publicCampaigns.page(slug, at: req.services.clock.now(), load: {
                guard let campaign = try await service.campaign(slug: slug) else { return nil }
                return (campaign, try await campaigns.actions(of: campaign), try await campaigns.mentions(of: campaign),
                        try await evidence.evidence(of: campaign).filter(\.isPhoto))
            }) else { return try await missing(req, settings) }
            let shown = try await evidence.shown(in: try campaign.requireID())
            let context = WebsiteContext.campaign(req, campaign, actions: actions, mentions: mentions,
                                                  photos: photos.filter { $0.id.map(shown.contains) == true }, regions: try await service.regions())
            return try await render(req, "website/campaign", layout(page, context.title, context.description,
                                                                    ogImage: context.photos.first?.src), context)
        case .feed:
            return try await feed(req, language, settings: settings)
        }
    }

    /// "Not found", in the page's language, with the way back home.
    private func missing(_ req: Request, _ settings: ProgrammeSettings) async throws -> Response {
        try await render(req, "website/missing", WebsiteLayout(req, page: .home, twin: .home, settings: settings, title: req.t("site.missing.title"),
                                                              description: req.t("site.missing.title")),
                         ["home": PublicSite.Page.home.path(req.language)], status: .notFound)
    }

    /// Renders a public page with its ETag; a request that already holds it gets 304.
    private func render<Content: Encodable>(_ req: Request, _ template: String, _ layout: WebsiteLayout, _ content: Content,
                                            status: HTTPResponseStatus = .ok) async throws -> Response {
        let response = try await req.view.render(template, WebsitePage(layout: layout, content: content)).encodeResponse(for: req)
        response.status = status
        return Self.validated(req, response, contentType: nil)
    }

    /// Adds the validator and answers 304 when the browser's copy is current. The copy stays
    /// in the browser only (`private`): responses may carry a cookie.
    static func validated(_ req: Request, _ response: Response, contentType: String?) -> Response {
        if let contentType { response.headers.replaceOrAdd(name: .contentType, value: contentType) }
        let bytes = response.body.buffer.map { Array($0.readableBytesView) } ?? []
        let tag = "\"" + SHA256.hash(data: bytes).prefix(12).map { String(format: "%02x", $0) }.joined() + "\""
        response.headers.replaceOrAdd(name: .eTag, value: tag)
        response.headers.replaceOrAdd(name: .cacheControl, value: "private, no-cache")
        if response.status == .ok, req.headers.first(name: .ifNoneMatch) == tag {
            let unchanged = Response(status: .notModified)
            unchanged.headers.replaceOrAdd(name: .eTag, value: tag)
            unchanged.headers.replaceOrAdd(name: .cacheControl, value: "private, no-cache")
            return unchanged
        }
        return response
    }

    private func feed(_ req: Request, _ language: Language, settings: ProgrammeSettings) async throws -> Response {
        let base = req.services.config.publicURL
        let rows = try await service(req).news(page: 1, pageSize: 20).rows
        let xml = AtomFeed.render(
            id: base + PublicSite.Page.feed.path(language), title: "\(settings.name(language)) · \(req.t("site.news.title"))", language: language.rawValue,
            selfLink: base + PublicSite.Page.feed.path(language), alternate: base + PublicSite.Page.news.path(language),
            author: settings.implementingOrganisation.isEmpty ? req.t("app.name") : settings.implementingOrganisation,
            updated: try await service(req).lastPublished() ?? Date(timeIntervalSince1970: 0),
            entries: rows.map { row in
                AtomFeed.Entry(id: "urn:uuid:\(row.id.uuidString.lowercased())", title: language.pick(row.titleSq, row.titleEn),
                               link: base + PublicSite.Page.article(slug: row.slug(language)).path(language), updated: row.publishAt,
                               summary: language.pick(row.summarySq, row.summaryEn))
            })
        return Self.validated(req, Response(status: .ok, body: .init(string: xml)), contentType: "application/atom+xml; charset=utf-8")
    }

    func sitemap(req: Request) async throws -> Response {
        let base = req.services.config.publicURL
        var addresses: [Sitemap.Address] = []
        for language in Language.allCases {
            let pages = [PublicSite.Page.home] + [PublicSite.Section.about, .news, .campaigns, .results, .library, .contact].map(PublicSite.Page.section)
            addresses += pages.map { Sitemap.Address(location: base + $0.path(language), modified: nil) }
        }
        for campaign in try await service(req).campaigns() {
            for language in Language.allCases {
                addresses.append(Sitemap.Address(location: base + PublicSite.Page.campaign(slug: campaign.slug).path(language), modified: nil))
            }
        }
        for row in try await service(req).allOnline() {
            for language in Language.allCases {
                addresses.append(Sitemap.Address(location: base + PublicSite.Page.article(slug: row.slug(language)).path(language), modified: row.publishAt))
            }
        }
        return Self.validated(req, Response(status: .ok, body: .init(string: Sitemap.render(addresses))), contentType: "application/xml; charset=utf-8")
    }

    /// The public pages may be indexed; the working pages behind sign-in may not.
    func robots(req: Request) async throws -> Response {
        let text = """
            User-agent: *
            Allow: /sq
            Allow: /en
            Allow: /calls
            Allow: /media
            Allow: /publications
            Disallow: /

            Sitemap: \(req.services.config.publicURL)/sitemap.xml

            """
        return Self.validated(req, Response(status: .ok, body: .init(string: text)), contentType: "text/plain; charset=utf-8")
    }

    /// A library publication's file, while it is not withdrawn.
    func publication(req: Request) async throws -> Response {
        guard let file = try await LibraryService(database: req.db, services: req.services).publicFile(try req.id("documentID")) else {
            throw AppError.notFound
        }
        return try await DocumentStore(database: req.db).download(file)
    }

    func photo(req: Request) async throws -> Response {
        guard let photo = try await service(req).photo(try req.id("photoID"), services: req.services) else { throw AppError.notFound }
        let response = Response(status: .ok, body: .init(data: photo.bytes))
        response.headers.replaceOrAdd(name: .contentType, value: photo.mediaType)
        let tag = "\"\(photo.digest.prefix(24))\""
        response.headers.replaceOrAdd(name: .eTag, value: tag)
        // Checked at every view: a withdrawn consent takes the photo down at once, a kept one costs a 304.
        response.headers.replaceOrAdd(name: .cacheControl, value: "public, no-cache")
        if req.headers.first(name: .ifNoneMatch) == tag { return Response(status: .notModified, headers: response.headers) }
        return response
    }
}
