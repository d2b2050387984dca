import Foundation

/// A news article's editorial life. Every save is a new version, kept. The version the public
/// reads is the last one published, from its publication time on, until it is unpublished:
/// while a newer version is drafted or reviewed, the published one stays online.
public enum ArticleStatus: String, CaseIterable, Codable, Sendable {
    /// Its newest version is being written.
    case draft
    /// Its newest version waits for a second person's review.
    case inReview
    /// Its newest version is published (or scheduled, when its time is still to come).
    case published
    /// Taken offline; a new version and a new review put it back.
    case unpublished

    public var catalogKey: String { "article.status.\(rawValue)" }
}

public enum ArticleEvent: String, CaseIterable, Sendable, Equatable {
    /// Save a new version of the text.
    case save
    /// Send the newest version for review.
    case submit
    /// Send it back to its writer, with a reason.
    case returnToDraft
    /// Publish the newest version, now or at a time to come.
    case publish
    /// Take it offline.
    case unpublish
}

extension ArticleStatus: Lifecycle {
    public func after(_ event: ArticleEvent) -> Result<ArticleStatus, WorkflowRefusal> {
        switch (self, event) {
        case (.draft, .save), (.published, .save), (.unpublished, .save): .success(.draft)
        case (.draft, .submit), (.unpublished, .submit): .success(.inReview)
        case (.inReview, .returnToDraft): .success(.draft)
        case (.inReview, .publish): .success(.published)
        case (.published, .unpublish): .success(.unpublished)
        case (.inReview, .save): .failure(WorkflowRefusal("article.error.inReview"))
        default: .failure(WorkflowRefusal("article.error.notNow"))
        }
    }
}

/// What the public may read of an article, from plain facts.
public enum Publication {
    /// An article is online when a version of it is published and its time has come.
    public static func isVisible(publishedVersion: Int?, publishAt: Date?, now: Date) -> Bool {
        guard publishedVersion != nil, let publishAt else { return false }
        return publishAt <= now
    }

    /// Published, with its time still to come.
    public static func isScheduled(publishedVersion: Int?, publishAt: Date?, now: Date) -> Bool {
        guard publishedVersion != nil, let publishAt else { return false }
        return publishAt > now
    }

    /// A second person reviews: the one who publishes is not the writer of the version published.
    public static func mayPublish(reviewer: UUID, writer: UUID) -> Bool { reviewer != writer }
}

/// Readable addresses made of a title: lower case, Albanian letters folded (`ë` → `e`,
/// `ç` → `c`), words joined by hyphens, at most 80 characters.
public enum Slug {
    public static let maximumLength = 80

    public static func make(_ title: String) -> String {
        let folded = title.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: Locale(identifier: "en"))
        var slug = ""
        var hyphen = false
        for scalar in folded.lowercased().unicodeScalars {
            if ("a"..."z").contains(Character(scalar)) || ("0"..."9").contains(Character(scalar)) {
                if hyphen, !slug.isEmpty { slug.append("-") }
                slug.unicodeScalars.append(scalar)
                hyphen = false
            } else {
                hyphen = true
            }
            if slug.count >= maximumLength { break }
        }
        while slug.hasSuffix("-") { slug.removeLast() }
        return slug.isEmpty ? "artikull" : slug
    }

    public static func isValid(_ text: String) -> Bool {
        !text.isEmpty && text.count <= maximumLength + 6 && text.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
            && !text.hasPrefix("-") && !text.hasSuffix("-")
    }
}

/// An article as typed: title, summary and text in both languages (Markdown), and a photo of
/// the evidence library.
public struct ArticleForm: Codable, Sendable, Equatable {
    public var titleSq = ""
    public var titleEn = ""
    public var summarySq = ""
    public var summaryEn = ""
    public var bodySq = ""
    public var bodyEn = ""
    public var image = ""

    public init() {}

    public init(from decoder: any Decoder) throws {
        let form = try decoder.container(keyedBy: CodingKeys.self)
        titleSq = try form.text(.titleSq)
        titleEn = try form.text(.titleEn)
        summarySq = try form.text(.summarySq)
        summaryEn = try form.text(.summaryEn)
        bodySq = try form.text(.bodySq)
        bodyEn = try form.text(.bodyEn)
        image = try form.text(.image)
    }

    public struct Article: Sendable, Equatable {
        public let titleSq, titleEn, summarySq, summaryEn, bodySq, bodyEn: String
        public let image: UUID?
    }

    public static let maximumTitle = 160
    public static let maximumSummary = 400
    public static let maximumBody = 20_000

    /// Every text in both languages; the photo one of those offered (the library's photos that
    /// may be shown publicly), or none.
    public func validated(images: Set<UUID>) -> Result<Article, FieldErrors> {
        var errors = FieldErrors()
        func text(_ value: String, _ field: String, limit: Int) -> String {
            let clean = value.trimmingCharacters(in: .whitespacesAndNewlines)
            if clean.isEmpty { errors.add(field, "form.error.required") }
            if clean.count > limit { errors.add(field, "form.error.tooLong") }
            return clean
        }
        let article = Article(titleSq: text(titleSq, "titleSq", limit: Self.maximumTitle), titleEn: text(titleEn, "titleEn", limit: Self.maximumTitle),
                              summarySq: text(summarySq, "summarySq", limit: Self.maximumSummary), summaryEn: text(summaryEn, "summaryEn", limit: Self.maximumSummary),
                              bodySq: text(bodySq, "bodySq", limit: Self.maximumBody), bodyEn: text(bodyEn, "bodyEn", limit: Self.maximumBody),
                              image: image.isEmpty ? nil : UUID(uuidString: image).flatMap { images.contains($0) ? $0 : nil })
        if !image.isEmpty, article.image == nil { errors.add("image", "form.error.choose") }
        return errors.isEmpty ? .success(article) : .failure(errors)
    }
}
