import Fluent
import Foundation
import FuqizoCore

/// A publication of the public library: what it is, in both languages. Its file is the
/// attachment whose owner is this item (`Attachment.Owner.publication`). Withdrawn, it leaves
/// the public site and its file is removed; the record stays for the audit.
final class LibraryItem: Model, @unchecked Sendable {
    static let schema = "library_items"

    @ID(key: .id) var id: UUID?
    @Field(key: "title_sq") var titleSq: String
    @Field(key: "title_en") var titleEn: String
    @Field(key: "description_sq") var descriptionSq: String
    @Field(key: "description_en") var descriptionEn: String
    @Enum(key: "kind") var kind: PublicationKind
    @Field(key: "year") var year: Int
    @Enum(key: "language") var language: PublicationLanguage
    @Field(key: "added_by") var addedBy: UUID
    @Field(key: "added_at") var addedAt: Date
    @OptionalField(key: "withdrawn_at") var withdrawnAt: Date?
    @OptionalField(key: "withdrawn_reason") var withdrawnReason: String?

    init() {}

    func title(_ language: Language) -> String { language.pick(titleSq, titleEn) }
    var resource: Resource { .publication }
}
