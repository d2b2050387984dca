import Fluent
import Foundation
import FuqizoCore
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// What the public website reads: only what is published and whose time has come. Plain SQL
/// rows with named columns: these are the most visited pages (docs/module-guide.md §4).
struct WebsiteService {
    let database: any Database
    let now: Date

    struct ArticleRow: Decodable {
        let id: UUID
        let slugSq: String
        let slugEn: String
        let publishAt: Date
        let titleSq: String
        let titleEn: String
        let summarySq: String
        let summaryEn: String
        let imageID: UUID?

        func slug(_ language: Language) -> String { language.pick(slugSq, slugEn) }
    }

    struct ArticleText: Decodable {
        let bodySq: String
        let bodyEn: String
        let altSq: String?
        let altEn: String?
    }

    private var sql: any SQLDatabase {
        get throws {
            guard let sql = database as? any SQLDatabase else { throw AppError.server }
            return sql
        }
    }

    private static let columns: SQLQueryString = """
        a.id, a.slug_sq AS "slugSq", a.slug_en AS "slugEn", a.publish_at AS "publishAt", v.title_sq AS "titleSq", v.title_en AS "titleEn",
        v.summary_sq AS "summarySq", v.summary_en AS "summaryEn", v.image_id AS "imageID"
        """

    private var online: SQLQueryString {
        "a.published_version IS NOT NULL AND a.publish_at <= \(bind: now)"
    }

    /// A page of the news, the newest first.
    func news(page: Int?, pageSize: Int = 10) async throws -> (rows: [ArticleRow], pager: Pager) {
        let sql = try self.sql
        let total = try await sql.raw("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM articles a WHERE \(online)").first(decoding: Count.self)?.n ?? 0
        let pager = Pager(requested: page, total: total, pageSize: pageSize)
        let rows = try await sql.raw("""
            SELECT \(Self.columns) FROM articles a JOIN article_versions v ON v.article_id = a.id AND v.number = a.published_version
            WHERE \(online) ORDER BY a.publish_at DESC, a.id LIMIT \(literal: pager.pageSize) OFFSET \(literal: pager.offset)
            """).all(decoding: ArticleRow.self)
        return (rows, pager)
    }

    private struct Count: Decodable { let n: Int }

    /// The article online under `slug` in that language, with its text and its photo's description.
    func article(slug: String, language: Language) async throws -> (ArticleRow, ArticleText)? {
        let sql = try self.sql
        let column: SQLQueryString = language == .sq ? "a.slug_sq" : "a.slug_en"
        guard let row = try await sql.raw("""
            SELECT \(Self.columns) FROM articles a JOIN article_versions v ON v.article_id = a.id AND v.number = a.published_version
            WHERE \(column) = \(bind: slug) AND \(online)
            """).first(decoding: ArticleRow.self) else { return nil }
        let text = try await sql.raw("""
            SELECT v.body_sq AS "bodySq", v.body_en AS "bodyEn", e.alt_sq AS "altSq", e.alt_en AS "altEn"
            FROM articles a JOIN article_versions v ON v.article_id = a.id AND v.number = a.published_version
            LEFT JOIN campaign_evidence e ON e.id = v.image_id
            WHERE a.id = \(bind: row.id)
            """).first(decoding: ArticleText.self)
        return text.map { (row, $0) }
    }

    private struct PhotoRow: Decodable {
        let digest: String
        let kind: String
    }

    private struct RegionRow: Decodable {
        let id: UUID
        let code: String
        let nameSq: String
        let nameEn: String
    }

    /// The programme's regions in their order, without their municipalities: the public pages
    /// need only names, and the full directory costs a fifth of a page.
    func regions() async throws -> [GeographyDirectory.Region] {
        try await sql.raw("""
            SELECT id, code, name_sq AS "nameSq", name_en AS "nameEn" FROM programme_regions ORDER BY code
            """).all(decoding: RegionRow.self).map { GeographyDirectory.Region(id: $0.id, code: $0.code, nameSq: $0.nameSq, nameEn: $0.nameEn, municipalityIDs: []) }
    }

    struct CampaignTeaser: Decodable {
        let reference: String
        let titleSq: String
        let titleEn: String
        let descriptionSq: String
        let descriptionEn: String
        let startsOn: String
        let endsOn: String
        let status: CampaignStatus

        var slug: String { reference.lowercased() }
    }

    private var publicCampaign: SQLQueryString {
        "c.status IN (\(SQLList(CampaignStatus.publicCases.map { SQLBind($0.rawValue) })))"
    }

    /// The campaigns under way or done, the latest first (a programme runs a handful a year).
    func campaigns(limit: Int = 200) async throws -> [CampaignTeaser] {
        try await sql.raw("""
            SELECT c.reference, c.title_sq AS "titleSq", c.title_en AS "titleEn", c.description_sq AS "descriptionSq",
                   c.description_en AS "descriptionEn", c.starts_on AS "startsOn", c.ends_on AS "endsOn", c.status
            FROM campaigns c WHERE \(publicCampaign) ORDER BY c.starts_on DESC, c.reference DESC LIMIT \(literal: max(1, min(limit, 200)))
            """).all(decoding: CampaignTeaser.self)
    }

    /// The public campaign whose reference the slug spells, or nil.
    func campaign(slug: String) async throws -> Campaign? {
        try await Campaign.query(on: database).filter(\.$reference == slug.uppercased())
            .filter(\.$status ~~ CampaignStatus.publicCases).first()
    }

    /// A photo the public may see: one that an article online or a public campaign shows,
    /// whose consents still hold. Its smaller copy's bytes (the original's when it has none)
    /// and type, or nil.
    func photo(_ id: UUID, services: AppServices) async throws -> (bytes: Data, mediaType: String, digest: String)? {
        let sql = try self.sql
        guard let row = try await sql.raw("""
            SELECT COALESCE(e.reduced_digest, e.digest) AS digest, e.kind FROM campaign_evidence e
            WHERE e.id = \(bind: id) AND (EXISTS (SELECT 1 FROM articles a JOIN article_versions v ON v.article_id = a.id AND v.number = a.published_version
                                                  WHERE v.image_id = e.id AND \(online))
                                          OR EXISTS (SELECT 1 FROM campaigns c WHERE c.id = e.campaign_id AND \(publicCampaign)))
            """).first(decoding: PhotoRow.self),
            let kind = ImageKind(rawValue: row.kind),
            let evidence = try await CampaignEvidence.find(id, on: database),
            try await EvidenceService(database: database, services: services).publicity(of: [evidence])[id] == true,
            let content = try await DocumentStore.content(digest: row.digest, on: database)
        else { return nil }
        return (content, kind.mediaType, row.digest)
    }

    private struct Modified: Decodable { let last: Date? }

    /// The newest publication time, for the feed's `updated`.
    func lastPublished() async throws -> Date? {
        try await sql.raw("SELECT MAX(a.publish_at) AS last FROM articles a WHERE \(online)").first(decoding: Modified.self)?.last
    }

    /// Every article online, for the sitemap.
    func allOnline() async throws -> [ArticleRow] {
        try await sql.raw("""
            SELECT \(Self.columns) FROM articles a JOIN article_versions v ON v.article_id = a.id AND v.number = a.published_version
            WHERE \(online) ORDER BY a.publish_at DESC
            """).all(decoding: ArticleRow.self)
    }
}

/// A public campaign's page data (the campaign, its actions, media mentions and photos' texts)
/// kept for half a minute: the page is among the most visited and its model queries cost most
/// of it. Every change to a campaign or its evidence forgets it all (`CampaignService`,
/// `EvidenceService`), so a cancelled campaign leaves at once; whether each photo may be shown
/// (its consents) is read at every view, never kept.
final class PublicCampaignMemory: Sendable {
    typealias Page = (campaign: Campaign, actions: [CampaignAction], mentions: [CampaignMention], photos: [CampaignEvidence])
    static let lifetime: TimeInterval = 30
    /// Beyond this many campaigns the memory is cleared rather than grown.
    static let capacity = 500

    private let entries = NIOLockedValueBox<[String: (at: Date, page: Page?)]>([:])

    /// The campaign under `slug` as remembered, or loaded now (a missing one too, as nil).
    func page(_ slug: String, at now: Date, load: () async throws -> Page?) async throws -> Page? {
        let kept = entries.withLockedValue { entries -> (at: Date, page: Page?)? in
            guard let entry = entries[slug], now >= entry.at, now.timeIntervalSince(entry.at) < Self.lifetime else { return nil }
            return entry
        }
        if let kept { return kept.page }
        let page = try await load()
        entries.withLockedValue { entries in
            if entries.count >= Self.capacity { entries.removeAll() }
            entries[slug] = (now, page)
        }
        return page
    }

    func forget() {
        entries.withLockedValue { $0.removeAll() }
    }
}
