import Fluent
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import FuqizoCore
@testable import FuqizoServer
import SQLKit
import Testing
import Vapor
import VaporTesting

/// News articles from writing to the public site: versions, a second person's review, a
/// scheduled publication, unpublishing; the public pages in both languages with what the web
/// expects of them (feed, sitemap, robots, alternates, 404), and their text made safe.
@Suite("News and the public website")
struct WebsiteTests {
    static func browser(_ app: Application, _ role: Role) async throws -> (Browser, User) {
        let user = try await TestFixtures.user(app, grants: [RoleGrant(role: role)])
        let browser = Browser(app, session: try await TestFixtures.session(app, for: user))
        try await browser.get("/articles")
        return (browser, user)
    }

    static let hostileBody = """
        Seancat në **Kukës** vazhdojnë.

        <script>alert('x')</script>

        Shih [programin](https://example.org/programi) dhe [këtë](javascript:alert(1)) dhe [atë](" onmouseover="alert(2)).
        """

    static func fields(title: (String, String), body: String = hostileBody) -> [(String, String)] {
        [("titleSq", title.0), ("titleEn", title.1), ("summarySq", "Përmbledhje e shkurtër."), ("summaryEn", "A short summary."),
         ("bodySq", body), ("bodyEn", "Sessions in **Kukës** go on.")]
    }

    /// The Atom elements RFC 4287 requires of a feed and of each entry, read with an XML parser.
    static func checkAtom(_ xml: String) throws -> [String] {
        let document = try XMLDocument(xmlString: xml)
        let feed = try #require(document.rootElement())
        #expect(feed.name == "feed" && feed.uri == "http://www.w3.org/2005/Atom")
        for required in ["id", "title", "updated"] { #expect(feed.elements(forName: required).count == 1, "feed needs one \(required)") }
        #expect(feed.elements(forName: "author").count == 1 || feed.elements(forName: "entry").allSatisfy { !$0.elements(forName: "author").isEmpty })
        #expect(feed.elements(forName: "link").contains { $0.xmlString.contains("rel=\"self\"") })
        var titles: [String] = []
        for entry in feed.elements(forName: "entry") {
            for required in ["id", "title", "updated"] { #expect(entry.elements(forName: required).count == 1, "entry needs one \(required)") }
            #expect(entry.elements(forName: "link").contains { $0.xmlString.contains("rel=\"alternate\"") && $0.xmlString.contains("href=\"http") })
            let updated = try #require(entry.elements(forName: "updated").first?.stringValue)
            #expect(ISO8601DateFormatter().date(from: updated) != nil, "updated is an RFC 3339 time: \(updated)")
            titles.append(entry.elements(forName: "title").first?.stringValue ?? "")
        }
        return titles
    }

    /// The sitemap protocol's rules (sitemaps.org, version 0.9), read with an XML parser: the
    /// `urlset` root in the protocol's namespace, at most 50,000 addresses, each `url` with one
    /// absolute `loc` under 2,048 characters on this site, and a `lastmod` only in W3C date form.
    /// (The protocol's XSD is not among ../shared/standards, so its rules are checked here.)
    static func checkSitemap(_ xml: String, base: String) throws -> [String] {
        let document = try XMLDocument(xmlString: xml)
        let root = try #require(document.rootElement())
        #expect(root.name == "urlset" && root.uri == "http://www.sitemaps.org/schemas/sitemap/0.9")
        let urls = root.elements(forName: "url")
        #expect(urls.count == root.children?.filter { $0.kind == .element }.count, "only url elements under urlset")
        #expect(urls.count <= 50_000)
        var locations: [String] = []
        for url in urls {
            let loc = url.elements(forName: "loc")
            #expect(loc.count == 1, "each url has one loc")
            let location = loc.first?.stringValue ?? ""
            #expect(location.hasPrefix(base + "/") && location.count < 2048 && URL(string: location) != nil, "\(location) is absolute and on this site")
            for modified in url.elements(forName: "lastmod") {
                let value = modified.stringValue ?? ""
                #expect(value.range(of: #"^\d{4}-\d{2}-\d{2}$"#, options: .regularExpression) != nil, "lastmod \(value) is a W3C date")
            }
            for element in url.children ?? [] where element.kind == .element {
                #expect(["loc", "lastmod", "changefreq", "priority"].contains(element.name ?? ""), "no unknown element \(element.name ?? "")")
            }
            locations.append(location)
        }
        #expect(Set(locations).count == locations.count, "no address twice")
        return locations
    }

    @Test("write (versions kept) → send for review → the writer cannot publish → a manager schedules it → online at its time in both languages, in the feed and sitemap → a new version leaves the published one online → unpublished with a reason")
    func editorialCycle() async throws {
        try await withFuqizo { app in
            let catalog = app.services.catalog
            var (writer, writerUser) = try await Self.browser(app, .communicationsOfficer)
            var (manager, managerUser) = try await Self.browser(app, .programmeManager)

            // A form with a missing English title comes back as typed; nothing is stored.
            var typed = Self.fields(title: ("Seancat në Kukës vazhdojnë", ""))
            let wrong = try await writer.post("/articles", typed)
            #expect(wrong.status == .badRequest && wrong.body.string.contains("Seancat në Kukës vazhdojnë"))
            #expect(try await Article.query(on: app.db).count() == 0)
            typed = Self.fields(title: ("Seancat në Kukës vazhdojnë", "Sessions in Kukës go on"))
            #expect(try await writer.post("/articles", typed).status == .seeOther)
            let article = try #require(try await Article.query(on: app.db).first())
            #expect(article.slugSq == "seancat-ne-kukes-vazhdojne" && article.slugEn == "sessions-in-kukes-go-on" && article.status == .draft)
            let page = "/articles/\(article.id!)"
            let sq = "/sq/lajme/seancat-ne-kukes-vazhdojne", en = "/en/news/sessions-in-kukes-go-on"

            // A draft is not online.
            #expect(try await Browser(app).get(sq).status == .notFound)
            #expect(try await writer.post("\(page)/submit").status == .seeOther)
            #expect(try await writer.post(page, typed).status == .conflict, "no change while in review")
            #expect(try await writer.post("\(page)/publish").status == .conflict, "the writer does not review their own version")

            // The manager schedules it for tomorrow at 09:00.
            let tomorrow = TiranaTime.today(at: app.clock.now()).adding(days: 1)
            #expect(try await manager.post("\(page)/publish", [("day", tomorrow.description), ("time", "09:00")]).status == .seeOther)
            let visitor = Browser(app)
            #expect(try await visitor.get(sq).status == .notFound)
            #expect(!(try await visitor.get("/sq/lajme").body.string.contains("Seancat në Kukës")))
            #expect(try Self.checkAtom(try await visitor.get("/sq/lajme.atom").body.string).isEmpty)
            app.clock.advance(by: 31)
            #expect(try await writer.get("/").body.string.contains(catalog.text("work.article.scheduled.one", .sq)))

            // Its time comes (two days on: both sign in again).
            app.clock.advance(by: 2 * 86_400)
            writer = Browser(app, session: try await TestFixtures.session(app, for: writerUser))
            manager = Browser(app, session: try await TestFixtures.session(app, for: managerUser))
            try await writer.get("/articles")
            try await manager.get("/articles")
            let online = try await visitor.get(sq)
            #expect(online.status == .ok)
            let body = online.body.string
            #expect(body.contains("&lt;script&gt;alert(") && !body.contains("<script>alert("), "raw HTML is text")
            #expect(body.contains("<a href=\"https://example.org/programi\" rel=\"noopener noreferrer\">programin</a>"))
            #expect(!body.contains("javascript:") && !body.contains("onmouseover=\"alert"), "no script in a link")
            #expect(body.contains("<link rel=\"alternate\" hreflang=\"en\" href=\"\(app.services.config.publicURL)\(en)\">"))
            #expect(body.contains("<link rel=\"canonical\" href=\"\(app.services.config.publicURL)\(sq)\">"))
            #expect(body.contains("property=\"og:type\" content=\"article\""))
            #expect(body.contains(catalog.text("footer.funded", .sq)) && body.contains("data-quick-exit"))
            let english = try await visitor.get(en)
            #expect(english.status == .ok && english.body.string.contains("<html lang=\"en\"") && english.body.string.contains("Sessions in <strong>Kukës</strong> go on"))
            #expect(try Self.checkAtom(try await visitor.get("/en/news.atom").body.string) == ["Sessions in Kukës go on"])
            let sitemap = try Self.checkSitemap(try await visitor.get("/sitemap.xml").body.string, base: app.services.config.publicURL)
            #expect(sitemap.contains("\(app.services.config.publicURL)\(sq)") && sitemap.contains("\(app.services.config.publicURL)\(en)"))
            #expect(sitemap.contains("\(app.services.config.publicURL)/en/results") && sitemap.contains("\(app.services.config.publicURL)/sq/biblioteka"))

            // A phone that has the page gets "not modified".
            let tag = try #require(online.headers.first(name: .eTag))
            #expect(try await visitor.get(sq, headers: [("If-None-Match", tag)]).status == .notModified)

            // A new version: the published one stays online until it is reviewed and published.
            #expect(try await writer.post(page, Self.fields(title: ("Seancat në Kukës vazhdojnë", "Sessions in Kukës go on"), body: "Teksti i ri.")).status == .seeOther)
            #expect(try await visitor.get(sq).body.string.contains("Seancat në <strong>Kukës</strong> vazhdojnë"))
            #expect(try await ArticleVersion.query(on: app.db).count() == 2)
            #expect(try await writer.get("\(page)/versions/1").body.string.contains("&lt;script&gt;"))

            // Unpublished (with a reason): gone from the page, the feed and the sitemap.
            try await manager.post("\(page)/submit")
            try await manager.post("\(page)/publish")
            let reloaded = try #require(try await Article.find(article.id, on: app.db))
            #expect(reloaded.publishedVersion == 2 && reloaded.status == .published)
            #expect(try await manager.post("\(page)/unpublish").status == .ok, "asks first")
            #expect(try await manager.post("\(page)/unpublish", [("confirmed", "yes"), ("reason", "Gabim në datë")]).status == .seeOther)
            #expect(try await visitor.get(sq).status == .notFound)
            #expect(try await visitor.get(en).status == .notFound)
            #expect(try Self.checkAtom(try await visitor.get("/sq/lajme.atom").body.string).isEmpty)
            #expect(!(try await visitor.get("/sitemap.xml").body.string.contains(sq)))
            let audited = try await AuditEntry.query(on: app.db).filter(\.$targetType == "article").all().map(\.action)
            #expect(audited == ["article.created", "article.submitted", "article.published", "article.saved", "article.submitted", "article.published", "article.unpublished"])
        }
    }

    @Test("every public page answers in its language: a 404 page in each, the language switch to the same page, robots allowing only the public site")
    func publicPages() async throws {
        try await withFuqizo { app in
            let catalog = app.services.catalog
            let visitor = Browser(app)
            let missing = try await visitor.get("/en/no-such-page")
            #expect(missing.status == .notFound && missing.body.string.contains(catalog.text("site.missing.title", .en)) && missing.body.string.contains("<html lang=\"en\""))
            let mungon = try await visitor.get("/sq/lajme/nuk-ekziston")
            #expect(mungon.status == .notFound && mungon.body.string.contains(catalog.text("site.missing.title", .sq)))
            let home = try await visitor.get("/sq")
            #expect(home.status == .ok && home.body.string.contains("href=\"/en\" hreflang=\"en\""))
            #expect(try await visitor.get("/en/news").body.string.contains("href=\"/sq/lajme\" hreflang=\"sq\""))
            let robots = try await visitor.get("/robots.txt").body.string
            #expect(robots.contains("Allow: /sq") && robots.contains("Disallow: /\n") && robots.contains("Sitemap: \(app.services.config.publicURL)/sitemap.xml"))
            #expect(try await visitor.get("/media/\(UUID().uuidString)").status == .notFound)
        }
    }
}

@Suite("The public campaign, results, about and contact pages")
struct PublicPagesTests {
    @Test("campaigns under way or done are public with their actions, reach and shareable photos; no costs; a cancelled one, and a photo whose consent is missing, are gone at once")
    func campaigns() async throws {
        try await withFuqizo { app in
            _ = try await TestFixtures.demo(app, applications: 2, survivors: 0)
            let visitor = Browser(app)
            let campaigns = try await Campaign.query(on: app.db).sort(\.$reference).all()
            #expect(campaigns.map(\.status) == [.completed, .running], "the demo's two campaigns")
            let list = try await visitor.get("/en/campaigns").body.string
            for campaign in campaigns { #expect(list.contains("/en/campaigns/\(campaign.reference.lowercased())") && list.contains(campaign.titleEn)) }
            let running = campaigns[1]
            let slug = running.reference.lowercased()
            let page = try await visitor.get("/sq/fushata/\(slug)")
            let html = page.body.string
            #expect(page.status == .ok && html.contains(running.titleSq) && html.contains("href=\"/en/campaigns/\(slug)\" hreflang=\"en\""))
            let actions = try await CampaignAction.query(on: app.db).filter(\.$campaign.$id == running.id!).all()
            let met = ReachTotals.of(actions.map(\.totalsAction), mentions: 0).reachedDirectly
            #expect(met > 0 && html.contains(Display.count(Int(met), .sq)), "the people met in total")
            for action in actions { #expect(html.contains(action.descriptionSq)) }
            #expect(!html.contains("€") && !html.contains("EUR"), "no costs or budget on the public page")
            // Photos: shown while shareable; one with a recognisable person and no consent is not.
            let photos = try await CampaignEvidence.query(on: app.db).filter(\.$campaign.$id == running.id!).all()
            #expect(photos.count == 2)
            for photo in photos { #expect(html.contains("/media/\(photo.id!.uuidString)")) }
            #expect(try await visitor.get("/media/\(photos[0].id!.uuidString)").status == .ok)
            photos[0].identifiable = true
            try await photos[0].save(on: app.db)
            #expect(!(try await visitor.get("/sq/fushata/\(slug)").body.string.contains(photos[0].id!.uuidString)))
            #expect(try await visitor.get("/media/\(photos[0].id!.uuidString)").status == .notFound)
            // Cancelled: nothing left in public, in the list, the sitemap or the photos.
            let manager = try await TestFixtures.user(app, grants: [RoleGrant(role: .programmeManager)])
            try await CampaignService(database: app.db, services: app.services).move(running, .cancel, reason: "Funding moved", actor: manager.id!)
            #expect(try await visitor.get("/sq/fushata/\(slug)").status == .notFound)
            #expect(!(try await visitor.get("/sq/fushata").body.string.contains(slug)))
            #expect(!(try await visitor.get("/sitemap.xml").body.string.contains(slug)))
            // A photo an article online shows stays with the article; the campaign's others go.
            let shared = photos[1].id!
            let inArticle = try await ArticleVersion.query(on: app.db).filter(\.$imageID == shared).count() > 0
            #expect(try await visitor.get("/media/\(shared.uuidString)").status == (inArticle ? .ok : .notFound))
            try await ArticleVersion.query(on: app.db).filter(\.$imageID == shared).set(\.$imageID, to: nil).update()
            #expect(try await visitor.get("/media/\(shared.uuidString)").status == .notFound)
        }
    }

    @Test("results: grants, training, events, reach and survivors per region; counts of people under 11 read 'fewer than 11', the totals stay")
    func results() async throws {
        try await withFuqizo { app in
            _ = try await TestFixtures.demo(app, applications: 4, survivors: 24)
            let survivors = try await Survivor.query(on: app.db).all()
            let perRegion = Dictionary(grouping: survivors, by: \.$region.id).mapValues(\.count)
            #expect(perRegion.values.allSatisfy { $0 < 11 }, "the demo's 24 survivors spread over the four regions")
            // Only records whose consent to statistics holds count.
            let now = app.clock.now()
            let consenting = try await ProgrammeFactsReader(database: app.db).survivors()
                .count { ConsentRule.allows(.statistics, records: $0.statisticsConsents, at: now) }
            let total = consenting >= 11 ? String(consenting) : "fewer than 11"
            let html = try await Browser(app).get("/en/results").body.string
            #expect(html.contains("Survivors supported") && html.contains(">\(total)<"), "the total of consenting records is published")
            let fewer = html.components(separatedBy: "fewer than 11").count - 1
            #expect(fewer >= perRegion.count, "each region's small count of survivors is suppressed")
            // Each region's survivors cell, read where it stands after its label: never the small number.
            let cells = Array(html.components(separatedBy: "<dt>Survivors supported</dt>").dropFirst())
            #expect(cells.first?.hasPrefix("<dd>\(total)</dd>") == true, "the total comes first")
            for block in cells.dropFirst().prefix(perRegion.count) {
                #expect(block.hasPrefix("<dd>fewer than 11</dd>"), "\(block.prefix(40))")
            }
            let grants = try await GrantContract.query(on: app.db).all().filter { ![.draft, .sentForSignature].contains($0.status) }
            #expect(html.contains("Grants awarded") && html.contains("<dd>\(grants.count)</dd>"), "grants are public as they are")
            // Albanian, with the same methods note.
            let sq = try await Browser(app).get("/sq/rezultate").body.string
            #expect(sq.contains("më pak se 11") && sq.contains("<html lang=\"sq\""))
        }
    }

    @Test("a consent to statistics withdrawn leaves the public results at once, though they are kept five minutes")
    func resultsFollowWithdrawal() async throws {
        try await withFuqizo { app in
            let desk = try await CaseDesk.make(app)
            let region = try await CaseDesk.region(app)
            var codes: [String] = []
            for day in 1...12 {
                codes.append(try await desk.register(CaseDesk.intake(birthDate: String(format: "1990-01-%02d", day), region: region)))
            }
            let survivorsSupported = { () async throws -> String? in
                let html = try await Browser(app).get("/en/results").body.string
                let cell = html.components(separatedBy: "<dt>Survivors supported</dt><dd>").dropFirst().first
                return cell?.components(separatedBy: "</dd>").first
            }
            #expect(try await survivorsSupported() == "12")
            for (code, expected) in [(codes[0], "11"), (codes[1], "fewer than 11")] {
                let survivor = try await desk.survivor(code)
                let statistics = try #require(try await SurvivorConsent.query(on: app.db).filter(\.$survivor.$id == survivor.requireID())
                    .filter(\.$purpose == ConsentPurpose.statistics.rawValue).first())
                let withdrawn = try await desk.post(code, "consents/\(statistics.requireID().uuidString)/withdraw",
                                                    [("confirmed", "yes"), ("reason", "survivorAsked")])
                #expect(withdrawn.status == .seeOther)
                #expect(try await survivorsSupported() == expected, "counted no more from the next view")
            }
        }
    }

    @Test("the library: an officer adds a publication with its file (refused without its titles, or with a file that is not a document), the public lists and downloads it, withdrawing asks for a reason, removes the file and is audited")
    func library() async throws {
        try await withFuqizo { app in
            let catalog = app.services.catalog
            let officer = try await TestFixtures.user(app, grants: [RoleGrant(role: .communicationsOfficer)])
            let browser = Browser(app, session: try await TestFixtures.session(app, for: officer))
            try await browser.get("/library")
            let pdf = Array("%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF".utf8)
            let fields = [("titleSq", "Raporti vjetor"), ("titleEn", "Annual report"), ("kind", "report"), ("year", "2026"), ("language", "both")]
            let untitled = try await browser.upload("/library", [("titleSq", ""), ("titleEn", "Annual report"), ("kind", "report"), ("year", "99999999999999999999"), ("language", "both")],
                                                    file: ("file", "raporti.pdf", pdf))
            #expect(untitled.status == .badRequest && untitled.body.string.contains(catalog.text("library.error.year", .sq))
                    && untitled.body.string.contains("value=\"Annual report\""), "errors per field, what was typed kept")
            let script = try await browser.upload("/library", fields, file: ("file", "raporti.html", Array("<script>alert(1)</script>".utf8)))
            #expect(script.status == .badRequest && script.body.string.contains(catalog.text("document.error.unsupportedType", .sq)))
            #expect(try await LibraryItem.query(on: app.db).count() == 0, "nothing kept from refused uploads")
            #expect(try await browser.upload("/library", fields, file: ("file", "raporti.pdf", pdf)).status == .seeOther)
            let item = try #require(try await LibraryItem.query(on: app.db).first())
            // The public reads it in both languages and downloads the very bytes.
            let visitor = Browser(app)
            #expect(try await visitor.get("/sq/biblioteka").body.string.contains("Raporti vjetor"))
            let english = try await visitor.get("/en/library").body.string
            #expect(english.contains("Annual report") && english.contains("/publications/\(item.id!.uuidString)"))
            let download = try await visitor.get("/publications/\(item.id!.uuidString)")
            #expect(download.status == .ok && [UInt8](download.body.readableBytesView) == pdf
                    && download.headers.first(name: .contentType) == "application/pdf"
                    && download.headers.first(name: .contentDisposition)?.hasPrefix("attachment;") == true)
            // Withdrawing asks first, then needs a reason.
            let asked = try await browser.post("/library/\(item.id!.uuidString)/withdraw", [])
            #expect(asked.status == .ok && asked.body.string.contains(catalog.text("library.withdrawTitle", .sq)))
            #expect(try await browser.post("/library/\(item.id!.uuidString)/withdraw", [("confirmed", "yes"), ("reason", "")]).status == .badRequest)
            #expect(try await browser.post("/library/\(item.id!.uuidString)/withdraw", [("confirmed", "yes"), ("reason", "Replaced by the 2027 edition")]).status == .seeOther)
            #expect(try await visitor.get("/publications/\(item.id!.uuidString)").status == .notFound)
            #expect(!(try await visitor.get("/en/library").body.string.contains("Annual report")))
            let attachments = try await Attachment.query(on: app.db).count(), stored = try await StoredFileCount.of(app)
            #expect(attachments == 0 && stored == 0, "the file is gone")
            #expect(try await browser.get("/library").body.string.contains("Replaced by the 2027 edition"), "staff still see it, withdrawn, with the reason")
            let audit = try await AuditEntry.query(on: app.db).filter(\.$action ~~ ["library.added", "library.withdrawn"]).count()
            #expect(audit == 2)
            // Someone outside communications cannot add.
            let evaluator = try await TestFixtures.user(app, grants: [RoleGrant(role: .evaluator)])
            #expect(try await Browser(app, session: try await TestFixtures.session(app, for: evaluator)).get("/library").status == .forbidden)
        }
    }

    @Test("the helplines set by the administrator show on every public page as numbers to call; about and contact read the settings")
    func helplinesAndContact() async throws {
        try await withFuqizo { app in
            let visitor = Browser(app)
            #expect(try await visitor.get("/en/about").body.string.contains("116 117"), "the national line until the administrator sets others")
            let admin = try await TestFixtures.user(app, grants: [RoleGrant(role: .administrator)])
            var form = ProgrammeSettingsForm(ProgrammeSettings.defaults)
            form.helplines = "Linja e qendrës | The centre's line | +355 4 222 2222\nPolicia | Police | 129"
            form.contactEmail = "Info@Example.al"
            form.partners = "Shoqata Partnere\nBashkia Kukës"
            guard case .success = try await SettingsService(database: app.db, services: app.services).update(form, actor: admin.id!) else {
                Issue.record("the settings were refused")
                return
            }
            for path in ["/sq", "/en/news", "/sq/fushata", "/en/results", "/sq/kontakt", "/en/no-such-page"] {
                let html = try await visitor.get(path).body.string
                #expect(html.contains("href=\"tel:+35542222222\"") && html.contains("+355 4 222 2222"), "\(path) shows the helpline")
                #expect(!html.contains("116 117"), "\(path) no longer shows the replaced line")
            }
            #expect(try await visitor.get("/en/contact").body.string.contains("mailto:info@example.al"))
            #expect(try await visitor.get("/sq/rreth-programit").body.string.contains("Bashkia Kukës"))
            // A helpline that does not read is refused with the field named, and nothing changes.
            form.helplines = "Linja | Line | call us"
            guard case .failure(let errors) = try await SettingsService(database: app.db, services: app.services).update(form, actor: admin.id!) else {
                Issue.record("a bad helpline was accepted")
                return
            }
            #expect(errors["helplines"] == "settings.error.helplines")
            #expect(try await visitor.get("/en").body.string.contains("+355 4 222 2222"))
        }
    }
}

/// How many files are stored, whatever refers to them.
enum StoredFileCount {
    static func of(_ app: Application) async throws -> Int {
        guard let sql = app.db as? any SQLDatabase else { return -1 }
        return try await sql.raw("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM stored_files").first()?.decode(column: "n", as: Int.self) ?? -1
    }
}

@Suite("Articles' Markdown")
struct SafeMarkdownTests {
    @Test("raw HTML comes out as text, links keep only safe addresses with rel=noopener, images become their description")
    func safe() {
        #expect(SafeMarkdown.html("Hi <script>alert(1)</script> there") .contains("&lt;script&gt;"))
        #expect(!SafeMarkdown.html("<img src=x onerror=alert(1)>").contains("<img"))
        #expect(SafeMarkdown.html("[a](https://example.org)") == "<p><a href=\"https://example.org\" rel=\"noopener noreferrer\">a</a></p>")
        #expect(SafeMarkdown.html("[a](/sq/lajme)").contains("href=\"/sq/lajme\""))
        for hostile in ["[a](javascript:alert(1))", "[a](//evil.example)", "[a](data:text/html,x)", "[a](\" onclick=\"x)"] {
            let html = SafeMarkdown.html(hostile)
            #expect(!html.contains("<a ") && !html.contains("href="), "\(hostile) → \(html)")
        }
        #expect(SafeMarkdown.html("![a cat](https://tracker.example/p.png)") == "a cat")
        #expect(SafeMarkdown.html("## Titull\n\n- një\n- dy") == "<h2>Titull</h2><ul><li>një</li><li>dy</li></ul>")
    }
}
