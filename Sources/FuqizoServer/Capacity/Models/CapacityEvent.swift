import Fluent
import Foundation
import FuqizoCore
import SQLKit

/// A capacity-building event for CSOs' people: a training, workshop, mentoring or study visit,
/// with its sessions, trainers, places and registrations.
final class CapacityEvent: Model, @unchecked Sendable {
    static let schema = "capacity_events"

    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    /// `EV-2026-001`: what lists, mails and certificates show.
    @Field(key: "reference") var reference: String
    @Enum(key: "kind") var kind: EventKind
    @Field(key: "title_sq") var titleSq: String
    @Field(key: "title_en") var titleEn: String
    @Field(key: "description_sq") var descriptionSq: String
    @Field(key: "description_en") var descriptionEn: String
    /// The instrument's domain keys it addresses, comma-separated.
    @Field(key: "domains") var domains: String
    @OptionalField(key: "region_id") var regionID: UUID?
    @Field(key: "venue") var venue: String
    @Field(key: "online") var online: Bool
    @Field(key: "capacity") var capacity: Int
    /// The share of sessions that earns a certificate.
    @Field(key: "minimum_percent") var minimumPercent: Int
    /// The first and last session's days, kept for lists and the work lists.
    @Field(key: "starts_on") var startsOn: String
    @Field(key: "ends_on") var endsOn: String
    /// Closed: attendance final, certificates issued.
    @OptionalField(key: "closed_on") var closedOn: String?
    @Children(for: \.$event) var sessions: [EventSession]
    @Children(for: \.$event) var trainers: [EventTrainer]

    init() {}

    var domainKeys: [String] { Self.domainKeys(domains) }

    /// The domain keys in the stored, comma-separated form.
    static func domainKeys(_ stored: String) -> [String] { stored.split(separator: ",").map(String.init) }

    /// A `LIKE` pattern over `',' || domains || ','` that finds the events addressing `domain`:
    /// candidates, since `_` in a key would match any letter; `domainKeys` tells exactly.
    static func domainPattern(_ domain: String) -> String { "%,\(domain),%" }

    /// The places an event's registrations hold, as a subquery on `e` (the events' alias).
    static let placesTaken: SQLQueryString = """
        (SELECT CAST(COUNT(*) AS BIGINT) FROM event_registrations r WHERE r.event_id = e.id AND r.status IN ('registered', 'attended'))
        """
    var resource: Resource { .capacityEvent(trainers: Set($trainers.value?.map(\.userID) ?? [])) }
    func title(_ language: Language) -> String { language.pick(titleSq, titleEn) }
}

final class EventTrainer: Model, @unchecked Sendable {
    static let schema = "event_trainers"

    @ID(key: .id) var id: UUID?
    @Field(key: "user_id") var userID: UUID
    @Parent(key: "event_id") var event: CapacityEvent

    init() {}
}

final class EventSession: Model, @unchecked Sendable {
    static let schema = "event_sessions"

    @ID(key: .id) var id: UUID?
    @Field(key: "number") var number: Int
    @Field(key: "held_on") var heldOn: String
    @Field(key: "starts_at") var startsAt: String
    @Field(key: "ends_at") var endsAt: String
    /// When its attendance was first recorded.
    @OptionalField(key: "attendance_taken_at") var attendanceTakenAt: Date?
    @Parent(key: "event_id") var event: CapacityEvent

    init() {}
}

/// One person's place at an event: registered, waitlisted… and, once it is over, whether they
/// attended and the certificate they earned.
final class EventRegistration: Model, @unchecked Sendable {
    static let schema = "event_registrations"

    @ID(key: .id) var id: UUID?
    @Enum(key: "status") var status: RegistrationStatus
    /// When the person asked: the waitlist's order.
    @Field(key: "asked_at") var askedAt: Date
    @Field(key: "registered_by") var registeredBy: UUID
    @OptionalField(key: "certificate_code") var certificateCode: String?
    @OptionalField(key: "certified_on") var certifiedOn: String?
    @Parent(key: "event_id") var event: CapacityEvent
    @Parent(key: "person_id") var person: CsoPerson
    @Parent(key: "organisation_id") var organisation: Organisation

    init() {}
}

final class SessionAttendance: Model, @unchecked Sendable {
    static let schema = "event_attendance"

    @ID(key: .id) var id: UUID?
    @Enum(key: "mark") var mark: AttendanceMark
    @Field(key: "recorded_by") var recordedBy: UUID
    @Parent(key: "registration_id") var registration: EventRegistration
    @Parent(key: "session_id") var session: EventSession

    init() {}
}

/// An event's pre- or post-test (the core's `KnowledgeTest` in JSON), editable until answered.
final class EventTest: Model, @unchecked Sendable {
    static let schema = "event_tests"

    @ID(key: .id) var id: UUID?
    @Enum(key: "phase") var phase: LinkPurpose
    @Field(key: "content") var content: String
    @Parent(key: "event_id") var event: CapacityEvent

    init() {}

    func test() throws -> KnowledgeTest {
        do { return try StoredJSON.decode(KnowledgeTest.self, from: content) } catch {
            throw StoredDataError(table: Self.schema, column: "content", id: id)
        }
    }
}

/// A participant's personal single-use link to a test or the survey: only the digest of its
/// code is kept; once answered it keeps the score or the survey's answers, and is spent.
final class ParticipantLink: Model, @unchecked Sendable {
    static let schema = "participant_links"

    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    @Enum(key: "purpose") var purpose: LinkPurpose
    @Field(key: "code_digest") var codeDigest: String
    @OptionalField(key: "used_at") var usedAt: Date?
    /// A test's score in whole percent.
    @OptionalField(key: "score") var score: Int?
    /// The survey's ratings and comment (`AnswerForm.Survey` in JSON).
    @OptionalField(key: "answers") var answers: String?
    @Parent(key: "registration_id") var registration: EventRegistration
    @Parent(key: "event_id") var event: CapacityEvent

    init() {}
}
