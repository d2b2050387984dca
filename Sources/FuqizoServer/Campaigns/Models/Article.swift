import Fluent
import Foundation
import FuqizoCore

/// A news article of the public site: its addresses in both languages, where it is in its
/// editorial life, and which of its versions the public reads from when.
final class Article: Model, @unchecked Sendable {
    static let schema = "articles"

    @ID(key: .id) var id: UUID?
    @Field(key: "slug_sq") var slugSq: String
    @Field(key: "slug_en") var slugEn: String
    @Enum(key: "status") var status: ArticleStatus
    /// The newest version's number.
    @Field(key: "latest_version") var latestVersion: Int
    /// The version the public reads, once its time has come; nil while never published or unpublished.
    @OptionalField(key: "published_version") var publishedVersion: Int?
    @OptionalField(key: "publish_at") var publishAt: Date?
    @Field(key: "created_by") var createdBy: UUID
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    var resource: Resource { .article }
}

/// One saved version of an article's texts; never changed once written.
final class ArticleVersion: Model, @unchecked Sendable {
    static let schema = "article_versions"

    @ID(key: .id) var id: UUID?
    @Parent(key: "article_id") var article: Article
    @Field(key: "number") var number: Int
    @Field(key: "title_sq") var titleSq: String
    @Field(key: "title_en") var titleEn: String
    @Field(key: "summary_sq") var summarySq: String
    @Field(key: "summary_en") var summaryEn: String
    @Field(key: "body_sq") var bodySq: String
    @Field(key: "body_en") var bodyEn: String
    /// A photo of the campaigns' evidence library.
    @OptionalField(key: "image_id") var imageID: UUID?
    @Field(key: "written_by") var writtenBy: UUID
    @Field(key: "written_at") var writtenAt: Date

    init() {}

    func title(_ language: Language) -> String { language.pick(titleSq, titleEn) }
}
