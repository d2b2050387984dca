import Fluent
import Foundation
import FuqizoCore
import NIOConcurrencyHelpers

/// An assessment instrument: its domains, questions and levels, stored as the core's
/// `CapacityInstrument` in JSON. Frozen once a round uses it, so that scores stay comparable.
final class InstrumentRecord: Model, @unchecked Sendable {
    static let schema = "capacity_instruments"

    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    /// What staff call it ("OCA 2026"): not personal, shown in both languages as written.
    @Field(key: "name") var name: String
    @Field(key: "content") var content: String
    @Field(key: "frozen") var frozen: Bool
    /// The instrument it was copied from, if any.
    @OptionalField(key: "copied_from") var copiedFrom: UUID?

    init() {}

    /// A row that cannot be read is reported loudly, never scored against another instrument.
    func instrument() throws -> CapacityInstrument {
        try Self.instrument(stored: content, id: id)
    }

    /// An instrument from its stored text (read without the model on hot pages).
    static func instrument(stored content: String, id: UUID?) throws -> CapacityInstrument {
        if let known = decoded.withLockedValue({ $0[content] }) { return known }
        do {
            let instrument = try StoredJSON.decode(CapacityInstrument.self, from: content)
            decoded.withLockedValue { known in
                if known.count >= 16 { known.removeAll() }
                known[content] = instrument
            }
            return instrument
        } catch {
            throw StoredDataError(table: schema, column: "content", id: id)
        }
    }

    /// Instruments as decoded, by their stored text: every capacity page and the needs map read
    /// one (some 18 KB of JSON), and the text is the key, so an edited instrument is decoded afresh.
    private static let decoded = NIOLockedValueBox<[String: CapacityInstrument]>([:])

    func store(_ instrument: CapacityInstrument) throws {
        content = try StoredJSON.encode(instrument)
    }
}

/// A round of capacity assessment (baseline, midline, endline) for a set of CSOs, with one
/// instrument, a day by which self-assessments are due, and the staff member who facilitates.
final class AssessmentRound: Model, @unchecked Sendable {
    static let schema = "capacity_rounds"

    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    /// `CA-2026-01`: what lists, work items and mails show.
    @Field(key: "reference") var reference: String
    @Enum(key: "kind") var kind: RoundKind
    @Field(key: "due_on") var dueOn: String
    @Field(key: "facilitator_id") var facilitatorID: UUID
    @Field(key: "opened_by") var openedBy: UUID
    @Parent(key: "instrument_id") var instrument: InstrumentRecord

    init() {}
}

/// One CSO's self-assessment in a round: its answers (a level and an optional evidence note per
/// question, the core's `CapacityAnswers` in JSON) and where it stands.
final class SelfAssessment: Model, @unchecked Sendable {
    static let schema = "capacity_assessments"

    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    @Enum(key: "status") var status: SelfAssessmentStatus
    @Field(key: "answers") var answers: String
    @OptionalField(key: "submitted_on") var submittedOn: String?
    @OptionalField(key: "reviewed_on") var reviewedOn: String?
    @OptionalField(key: "confirmed_on") var confirmedOn: String?
    @Parent(key: "round_id") var round: AssessmentRound
    @Parent(key: "organisation_id") var organisation: Organisation

    init() {}

    var resource: Resource { .selfAssessment(organisation: $organisation.id) }

    func decodedAnswers() throws -> CapacityAnswers {
        do { return try StoredJSON.decode(CapacityAnswers.self, from: answers) } catch {
            throw StoredDataError(table: Self.schema, column: "answers", id: id)
        }
    }

    func store(_ value: CapacityAnswers) throws {
        answers = try StoredJSON.encode(value)
    }
}

/// A facilitator's change to one answer: who, when and why, shown to the CSO.
final class AssessmentChange: Model, @unchecked Sendable {
    static let schema = "capacity_changes"

    @ID(key: .id) var id: UUID?
    @Timestamp(key: "changed_at", on: .create) var changedAt: Date?

    @Field(key: "question") var question: String
    @OptionalField(key: "from_level") var fromLevel: Int?
    @Field(key: "to_level") var toLevel: Int
    @Field(key: "reason") var reason: String
    @Field(key: "changed_by") var changedBy: UUID
    @Parent(key: "assessment_id") var assessment: SelfAssessment

    init() {}
}

/// A confirmed self-assessment's score in one domain, kept as sum and count: what the radar
/// chart, the gains and the needs map read without opening every assessment's answers.
final class DomainScore: Model, @unchecked Sendable {
    static let schema = "capacity_domain_scores"

    @ID(key: .id) var id: UUID?
    @Field(key: "domain") var domain: String
    @Field(key: "total") var total: Int
    @Field(key: "count") var count: Int
    @Parent(key: "assessment_id") var assessment: SelfAssessment
    @Parent(key: "round_id") var round: AssessmentRound
    @Parent(key: "organisation_id") var organisation: Organisation

    init() {}
}

/// One action of a CSO's capacity action plan: for a domain, what, who, by when, where it stands.
final class PlanAction: Model, @unchecked Sendable {
    static let schema = "capacity_actions"

    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    @Field(key: "domain") var domain: String
    @Field(key: "action") var action: String
    @Field(key: "owner") var owner: String
    @Field(key: "due_on") var dueOn: String
    @Enum(key: "status") var status: PlanActionStatus
    @Parent(key: "organisation_id") var organisation: Organisation

    init() {}
}
