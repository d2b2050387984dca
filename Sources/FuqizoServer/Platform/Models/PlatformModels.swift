import Fluent
import Foundation

/// One entry of the hash-chained audit trail. Rows are only ever inserted.
final class AuditEntry: Model, @unchecked Sendable {
    static let schema = "audit_entries"

    // managed fields
    @ID(key: .id) var id: UUID?

    // data fields
    @Field(key: "sequence") var sequence: Int
    @Field(key: "occurred_at") var occurredAt: Date
    @OptionalField(key: "actor_id") var actorID: UUID?
    @Field(key: "action") var action: String
    @OptionalField(key: "target_type") var targetType: String?
    @OptionalField(key: "target_id") var targetID: String?
    @Field(key: "details") var details: String
    @Field(key: "previous_hash") var previousHash: String
    @Field(key: "hash") var hash: String

    init() {}
}

/// The end of the audit chain. Appending locks this one row, so writers on several
/// instances take turns and the chain never forks.
final class AuditHead: Model, @unchecked Sendable {
    static let schema = "audit_head"

    // managed fields
    @ID(custom: "id", generatedBy: .user) var id: Int?

    // data fields
    @Field(key: "sequence") var sequence: Int
    @Field(key: "hash") var hash: String

    init() {}

    init(id: Int, sequence: Int, hash: String) {
        self.id = id
        self.sequence = sequence
        self.hash = hash
    }
}

/// A mail waiting to be sent, sent, or given up on after repeated failures.
final class OutboxMessage: Model, @unchecked Sendable {
    static let schema = "mail_outbox"

    enum Status: String, CaseIterable, Codable, Sendable {
        case pending
        case sent
        case failed
    }

    // managed fields
    @ID(key: .id) var id: UUID?
    @Field(key: "created_at") var createdAt: Date

    // data fields
    @Field(key: "recipient") var recipient: String
    @Field(key: "subject") var subject: String
    @Field(key: "body") var body: String
    @Enum(key: "status") var status: Status
    @Field(key: "attempts") var attempts: Int
    @Field(key: "next_attempt_at") var nextAttemptAt: Date
    @OptionalField(key: "claimed_until") var claimedUntil: Date?
    @OptionalField(key: "last_error") var lastError: String?
    @OptionalField(key: "sent_at") var sentAt: Date?

    init() {}

    init(recipient: String, subject: String, body: String, now: Date) {
        self.recipient = recipient
        self.subject = subject
        self.body = body
        self.status = .pending
        self.attempts = 0
        self.nextAttemptAt = now
        self.createdAt = now
    }
}

/// The programme's settings, one row holding a typed document.
final class SettingsRow: Model, @unchecked Sendable {
    static let schema = "programme_settings"

    // managed fields
    @ID(custom: "id", generatedBy: .user) var id: Int?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    // data fields
    @Field(key: "document") var document: String

    init() {}

    init(id: Int, document: String) {
        self.id = id
        self.document = document
    }
}
