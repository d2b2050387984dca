import Fluent
import Foundation
import FuqizoCore

/// A CSO's application to one lot of a call. In a two-stage call the same row carries the
/// concept note and, after pre-selection, the full application; each stage's content is
/// stored as the applicant typed it, with the digest and time of its submission.
final class GrantApplication: Model, @unchecked Sendable {
    static let schema = "grant_applications"

    // managed fields
    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    // data fields
    @Enum(key: "stage") var stage: ApplicationStage
    /// Its lifecycle (`ApplicationStatus`): a value no case names fails to load, never falls back.
    @Enum(key: "status") var status: ApplicationStatus
    @OptionalField(key: "reference") var reference: String?
    /// The language the CSO works in: its receipt and letters are written in it.
    @Field(key: "language") var language: String
    @OptionalField(key: "concept_content") var conceptContent: String?
    @OptionalField(key: "full_content") var fullContent: String?
    /// The amount requested at the current stage, kept in a column for lists and ranking.
    @Field(key: "requested_minor_units") var requestedMinorUnits: Int64
    /// Raised by every save, so that two people editing at once do not overwrite each other unseen.
    @Field(key: "revision") var revision: Int
    @OptionalField(key: "concept_submitted_at") var conceptSubmittedAt: Date?
    @OptionalField(key: "concept_digest") var conceptDigest: String?
    @OptionalField(key: "full_submitted_at") var fullSubmittedAt: Date?
    @OptionalField(key: "full_digest") var fullDigest: String?
    @OptionalField(key: "updated_by") var updatedBy: UUID?

    // relationships
    @Parent(key: "call_id") var call: GrantCall
    @Parent(key: "lot_id") var lot: CallLot
    @Parent(key: "organisation_id") var organisation: Organisation

    init() {}

    func content(_ stage: ApplicationStage) -> ApplicationContent {
        let stored = stage == .concept ? conceptContent : fullContent
        return stored.flatMap { try? StoredJSON.decode(ApplicationContent.self, from: $0) } ?? ApplicationContent()
    }

    func setContent(_ content: ApplicationContent, for stage: ApplicationStage) throws {
        let text = try StoredJSON.encode(content.trimmed())
        if stage == .concept { conceptContent = text } else { fullContent = text }
    }

    func submittedAt(_ stage: ApplicationStage) -> Date? { stage == .concept ? conceptSubmittedAt : fullSubmittedAt }
    func digest(_ stage: ApplicationStage) -> String? { stage == .concept ? conceptDigest : fullDigest }
}
