import Fluent
import Foundation
import FuqizoCore
import SQLKit

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
    @Field(key: "stage") var stage: String
    @Field(key: "status") var status: String
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

    var currentStage: ApplicationStage { ApplicationStage(rawValue: stage) ?? .full }
    var currentStatus: ApplicationStatus { ApplicationStatus(rawValue: status) ?? .draft }

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

/// Numbers handed out in sequence per scope (`application:CFP-2019-01` …), atomically, on
/// SQLite and PostgreSQL alike.
enum ReferenceCounter {
    static func next(_ scope: String, on database: any Database) async throws -> Int {
        guard let sql = database as? any SQLDatabase else { throw AppError.server }
        let row = try await sql.raw("""
            INSERT INTO reference_counters (scope, value) VALUES (\(bind: scope), 1)
            ON CONFLICT (scope) DO UPDATE SET value = reference_counters.value + 1
            RETURNING value
            """).first()
        guard let value = try row?.decode(column: "value", as: Int.self) else { throw AppError.server }
        return value
    }
}
