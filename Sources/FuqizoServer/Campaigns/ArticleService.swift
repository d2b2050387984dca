import Fluent
import Foundation
import FuqizoCore
import SQLKit
import Vapor

/// News articles: written in versions, reviewed by a second person, published now or at a time
/// to come, unpublished with a reason. Every step audited with ids and numbers only.
struct ArticleService {
    let database: any Database
    let services: AppServices

    var now: Date { services.clock.now() }

    private func audit(_ action: String, _ article: Article, _ details: [String: String] = [:], actor: UUID, on db: any Database) async throws {
        try await services.audit.record(.init(action, target: ("article", try article.requireID().uuidString),
                                              details: details.merging(["version": String(article.latestVersion)]) { $1 }), actor: actor, at: now, on: db)
    }

    func article(_ id: UUID) async throws -> Article {
        guard let article = try await Article.find(id, on: database) else { throw AppError.notFound }
        return article
    }

    func versions(of article: Article) async throws -> [ArticleVersion] {
        try await ArticleVersion.query(on: database).filter(\.$article.$id == article.requireID()).sort(\.$number, .descending).all()
    }

    func version(_ number: Int, of article: Article) async throws -> ArticleVersion {
        guard let version = try await ArticleVersion.query(on: database).filter(\.$article.$id == article.requireID())
            .filter(\.$number == number).first() else { throw AppError.notFound }
        return version
    }

    struct ArticleRow: Decodable {
        let id: UUID
        let status: String
        let titleSq: String
        let titleEn: String
        let latestVersion: Int
        let publishedVersion: Int?
        let publishAt: Date?
        let writtenAt: Date
    }

    /// A page of articles with their newest version's title, the most recently written first.
    func articles(page: Int?) async throws -> (rows: [ArticleRow], pager: Pager) {
        guard let sql = database as? any SQLDatabase else { throw AppError.server }
        let total = try await sql.raw("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM articles").first(decoding: Count.self)?.n ?? 0
        let pager = Pager(requested: page, total: total, pageSize: 30)
        let rows = try await sql.raw("""
            SELECT a.id, a.status, v.title_sq AS "titleSq", v.title_en AS "titleEn", a.latest_version AS "latestVersion",
                   a.published_version AS "publishedVersion", a.publish_at AS "publishAt", v.written_at AS "writtenAt"
            FROM articles a JOIN article_versions v ON v.article_id = a.id AND v.number = a.latest_version
            ORDER BY v.written_at DESC LIMIT \(literal: pager.pageSize) OFFSET \(literal: pager.offset)
            """).all(decoding: ArticleRow.self)
        return (rows, pager)
    }

    private struct Count: Decodable { let n: Int }

    /// The library's photos an article may show: those whose consents allow the public to see them.
    func images() async throws -> [(evidence: CampaignEvidence, campaign: Campaign)] {
        let evidence = try await CampaignEvidence.query(on: database).with(\.$campaign).sort(\.$uploadedAt, .descending).all().filter(\.isPhoto)
        let publicity = try await EvidenceService(database: database, services: services).publicity(of: evidence)
        return evidence.filter { $0.id.flatMap { publicity[$0] } == true }.map { ($0, $0.campaign) }
    }

    /// A slug not yet taken in that language: the title's, or with `-2`, `-3`… after it.
    private func freeSlug(_ title: String, column: String, on db: any Database) async throws -> String {
        guard let sql = db as? any SQLDatabase else { throw AppError.server }
        let base = Slug.make(title)
        for suffix in 1...50 {
            let slug = suffix == 1 ? base : "\(base)-\(suffix)"
            let taken = try await sql.raw("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM articles WHERE \(ident: column) = \(bind: slug)")
                .first(decoding: Count.self)?.n ?? 0
            if taken == 0 { return slug }
        }
        return "\(base)-\(UUID().uuidString.prefix(8).lowercased())"
    }

    private func write(_ value: ArticleForm.Article, number: Int, of article: Article, actor: UUID, on db: any Database) async throws {
        let version = ArticleVersion()
        version.$article.id = try article.requireID()
        version.number = number
        (version.titleSq, version.titleEn, version.summarySq, version.summaryEn) = (value.titleSq, value.titleEn, value.summarySq, value.summaryEn)
        (version.bodySq, version.bodyEn, version.imageID) = (value.bodySq, value.bodyEn, value.image)
        (version.writtenBy, version.writtenAt) = (actor, now)
        try await version.create(on: db)
    }

    private func validate(_ form: ArticleForm) async throws -> Result<ArticleForm.Article, FieldErrors> {
        form.validated(images: Set(try await images().compactMap { $0.evidence.id }))
    }

    func create(_ form: ArticleForm, actor: UUID) async throws -> Result<Article, FieldErrors> {
        switch try await validate(form) {
        case .failure(let errors): return .failure(errors)
        case .success(let value):
            let article = Article()
            (article.status, article.latestVersion, article.createdBy) = (.draft, 1, actor)
            try await database.writeTransaction { db in
                article.slugSq = try await freeSlug(value.titleSq, column: "slug_sq", on: db)
                article.slugEn = try await freeSlug(value.titleEn, column: "slug_en", on: db)
                try await article.create(on: db)
                try await write(value, number: 1, of: article, actor: actor, on: db)
                try await audit("article.created", article, actor: actor, on: db)
            }
            return .success(article)
        }
    }

    /// Saves the texts as a new version; the published one, if any, stays online meanwhile.
    func save(_ article: Article, form: ArticleForm, actor: UUID) async throws -> Result<Void, FieldErrors> {
        let next = try article.status.transition(.save)
        switch try await validate(form) {
        case .failure(let errors): return .failure(errors)
        case .success(let value):
            try await moving(article, from: article.status, to: next) { db in
                article.latestVersion += 1
                try await write(value, number: article.latestVersion, of: article, actor: actor, on: db)
                try await audit("article.saved", article, actor: actor, on: db)
            }
            return .success(())
        }
    }

    /// One step of the workflow, taken once even when two people press at once: the row moves
    /// only from the status it was read in.
    private func moving(_ article: Article, from: ArticleStatus, to next: ArticleStatus, _ body: @escaping @Sendable (any Database) async throws -> Void) async throws {
        try await database.writeTransaction { db in
            guard let sql = db as? any SQLDatabase else { throw AppError.server }
            let moved = try await sql.raw("""
                UPDATE articles SET status = \(bind: next.rawValue), updated_at = \(bind: now)
                WHERE id = \(bind: try article.requireID()) AND status = \(bind: from.rawValue) AND latest_version = \(bind: article.latestVersion) RETURNING id
                """).all()
            guard !moved.isEmpty else { throw AppError(status: .conflict, messageKey: "article.error.changed") }
            article.status = next
            try await body(db)
            try await article.update(on: db)
        }
    }

    func submit(_ article: Article, actor: UUID) async throws {
        let next = try article.status.transition(.submit)
        try await moving(article, from: article.status, to: next) { db in try await audit("article.submitted", article, actor: actor, on: db) }
    }

    func returnToDraft(_ article: Article, reason: String, actor: UUID) async throws {
        let next = try article.status.transition(.returnToDraft)
        try await moving(article, from: article.status, to: next) { db in
            try await audit("article.returned", article, ["reason": reason], actor: actor, on: db)
        }
    }

    /// Publishes the newest version at `at` (now, or a time to come). The reviewer is not its writer.
    func publish(_ article: Article, at: Date, actor: UUID) async throws {
        let next = try article.status.transition(.publish)
        let latest = try await version(article.latestVersion, of: article)
        guard Publication.mayPublish(reviewer: actor, writer: latest.writtenBy) else {
            throw AppError(status: .conflict, messageKey: "article.error.ownVersion")
        }
        try await moving(article, from: article.status, to: next) { db in
            article.publishedVersion = article.latestVersion
            article.publishAt = at
            try await audit("article.published", article, ["at": ISO8601DateFormatter().string(from: at)], actor: actor, on: db)
        }
    }

    func unpublish(_ article: Article, reason: String, actor: UUID) async throws {
        let next = try article.status.transition(.unpublish)
        try await moving(article, from: article.status, to: next) { db in
            article.publishedVersion = nil
            try await audit("article.unpublished", article, ["reason": reason], actor: actor, on: db)
        }
    }
}
