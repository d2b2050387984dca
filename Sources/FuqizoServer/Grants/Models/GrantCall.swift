import Fluent
import Foundation
import FuqizoCore

/// A call for proposals. Its money rules, eligibility lists and grids are settings of the
/// call, stored with it as JSON documents.
final class GrantCall: Model, @unchecked Sendable {
    static let schema = "grant_calls"

    // managed fields
    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    // data fields
    @Field(key: "reference") var reference: String
    @Field(key: "title_sq") var titleSq: String
    @Field(key: "title_en") var titleEn: String
    @Field(key: "summary_sq") var summarySq: String
    @Field(key: "summary_en") var summaryEn: String
    @Enum(key: "stages") var stages: CallStages
    /// Its lifecycle (`CallStatus`): a value no case names fails to load, never falls back.
    @Enum(key: "status") var status: CallStatus
    @Field(key: "currency") var currency: String
    @Field(key: "rules") var rules: String
    @Field(key: "divergence_basis_points") var divergenceBasisPoints: Int
    @Field(key: "eligible_applicants") var eligibleApplicants: String
    @Field(key: "eligible_activities") var eligibleActivities: String
    @Field(key: "eligible_applicants_en") var eligibleApplicantsEn: String
    @Field(key: "eligible_activities_en") var eligibleActivitiesEn: String
    @Field(key: "questions_deadline") var questionsDeadline: Date
    @OptionalField(key: "concept_deadline") var conceptDeadline: Date?
    @Field(key: "full_deadline") var fullDeadline: Date
    @Field(key: "concept_grid") var conceptGrid: String
    @Field(key: "full_grid") var fullGrid: String
    @OptionalField(key: "published_at") var publishedAt: Date?
    /// Evaluators do not see who applied.
    @Field(key: "blind_review") var blindReview: Bool
    @Field(key: "evaluators_per_application") var evaluatorsPerApplication: Int
    @Field(key: "letter_days") var letterDays: Int
    @Field(key: "evaluation_days") var evaluationDays: Int

    // relationships
    @Children(for: \.$call) var lots: [CallLot]

    init() {}
}

final class CallLot: Model, @unchecked Sendable {
    static let schema = "call_lots"

    // managed fields
    @ID(key: .id) var id: UUID?

    // data fields
    @Field(key: "position") var position: Int
    @Field(key: "name_sq") var nameSq: String
    @Field(key: "name_en") var nameEn: String
    @Field(key: "envelope_minor_units") var envelopeMinorUnits: Int64

    // relationships
    @Parent(key: "call_id") var call: GrantCall
    @OptionalParent(key: "region_id") var region: ProgrammeRegion?

    init() {}
}

/// JSON documents stored in a column: one encoding, sorted keys, everywhere.
extension GrantCall {
    /// The call's money rules as stored when it was saved. A row that cannot be read is a
    /// fault to report loudly, never a reason to check a frozen call against today's defaults.
    func grantRules() throws -> GrantRules {
        do { return try StoredJSON.decode(GrantRules.self, from: rules) } catch {
            throw StoredDataError(table: Self.schema, column: "rules", id: id)
        }
    }
}

enum StoredJSON {
    static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(text.utf8))
    }
}

/// A question about a call, asked by an applicant before the questions deadline, and the
/// answer published to everyone (without who asked).
final class CallQuestion: Model, @unchecked Sendable {
    static let schema = "call_questions"

    // managed fields
    @ID(key: .id) var id: UUID?

    // data fields
    @Field(key: "question") var question: String
    @OptionalField(key: "answer") var answer: String?
    @Field(key: "asked_at") var askedAt: Date
    @OptionalField(key: "published_at") var publishedAt: Date?

    // relationships
    @Parent(key: "call_id") var call: GrantCall
    @OptionalParent(key: "organisation_id") var organisation: Organisation?

    init() {}
}
