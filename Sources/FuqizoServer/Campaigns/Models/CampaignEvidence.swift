import Fluent
import Foundation
import FuqizoCore

/// A photo or document that shows what a campaign did. Its bytes live once in `stored_files`
/// under their digest, a photo's only after its metadata was removed.
final class CampaignEvidence: Model, @unchecked Sendable {
    static let schema = "campaign_evidence"

    @ID(key: .id) var id: UUID?
    @Parent(key: "campaign_id") var campaign: Campaign
    @OptionalField(key: "action_id") var actionID: UUID?
    @Field(key: "digest") var digest: String
    @Field(key: "filename") var filename: String
    /// `jpeg`, `png`, `webp` or a document kind.
    @Field(key: "kind") var kind: String
    @Field(key: "size") var size: Int64
    /// A photo's smaller copy for the public pages (`PhotoReducer`), when one was made.
    @OptionalField(key: "reduced_digest") var reducedDigest: String?
    @OptionalField(key: "reduced_size") var reducedSize: Int64?
    @Field(key: "caption_sq") var captionSq: String
    @Field(key: "caption_en") var captionEn: String
    @Field(key: "alt_sq") var altSq: String
    @Field(key: "alt_en") var altEn: String
    /// People can be recognised in it: it is shown publicly only while their consent holds.
    @Field(key: "identifiable") var identifiable: Bool
    @Field(key: "others_consented") var othersConsented: Bool
    @Field(key: "uploaded_by") var uploadedBy: UUID
    @Field(key: "uploaded_at") var uploadedAt: Date

    init() {}

    var isPhoto: Bool { ImageKind(rawValue: kind) != nil }
    var mediaType: String { ImageKind(rawValue: kind)?.mediaType ?? DocumentKind(rawValue: kind)?.mediaType ?? "application/octet-stream" }
}

/// A survivor whose consent to photos and media covers a piece of evidence. The campaign's
/// pages never show who: only whether every such consent still holds.
final class EvidenceConsent: Model, @unchecked Sendable {
    static let schema = "campaign_evidence_consents"

    @ID(key: .id) var id: UUID?
    @Parent(key: "evidence_id") var evidence: CampaignEvidence
    @Field(key: "survivor_id") var survivorID: UUID
    @Field(key: "linked_by") var linkedBy: UUID
    @Field(key: "linked_at") var linkedAt: Date

    init() {}
}
