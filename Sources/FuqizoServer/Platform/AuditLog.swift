import Fluent
import Foundation
import FuqizoCore
import SQLKit
import Vapor

/// Appends to the hash-chained audit trail. Call it with the same `Database` (transaction)
/// as the change it records, so the change and its entry are committed together or not at all.
enum AuditLog {
    struct Event: Sendable {
        var action: String
        var targetType: String?
        var targetID: String?
        /// Ids, codes and the names of changed fields; never personal values.
        var details: [String: String] = [:]

        init(_ action: String, target: (type: String, id: String)? = nil, details: [String: String] = [:]) {
            self.action = action
            self.targetType = target?.type
            self.targetID = target?.id
            self.details = details
        }
    }

    static func record(_ event: Event, actor: UUID?, at date: Date, on database: any Database) async throws {
        // Taking the head row first serialises writers: on PostgreSQL the UPDATE holds a row
        // lock until commit; SQLite has one writer at a time anyway.
        guard let sql = database as? any SQLDatabase else { throw Abort(.internalServerError) }
        try await sql.raw("UPDATE audit_head SET hash = hash WHERE id = 1").run()
        guard let head = try await AuditHead.find(1, on: database) else { throw Abort(.internalServerError) }
        let record = AuditRecord(
            sequence: head.sequence + 1, occurredAt: truncatedToMilliseconds(date), actorID: actor,
            action: event.action, targetType: event.targetType, targetID: event.targetID,
            details: canonicalDetails(event.details), previousHash: head.hash
        )
        let hash = AuditChain.hash(record)
        let entry = AuditEntry()
        entry.sequence = record.sequence
        entry.occurredAt = record.occurredAt
        entry.actorID = record.actorID
        entry.action = record.action
        entry.targetType = record.targetType
        entry.targetID = record.targetID
        entry.details = record.details
        entry.previousHash = record.previousHash
        entry.hash = hash
        try await entry.create(on: database)
        head.sequence = record.sequence
        head.hash = hash
        try await head.save(on: database)
    }

    /// Sorted `key=value` pairs: the same details always hash the same.
    static func canonicalDetails(_ details: [String: String]) -> String {
        details.keys.sorted().map { "\($0)=\(details[$0]!)" }.joined(separator: "; ")
    }

    static func truncatedToMilliseconds(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded() / 1000)
    }

    static func record(from entry: AuditEntry) -> AuditRecord {
        AuditRecord(sequence: entry.sequence, occurredAt: entry.occurredAt, actorID: entry.actorID,
                    action: entry.action, targetType: entry.targetType, targetID: entry.targetID,
                    details: entry.details, previousHash: entry.previousHash)
    }

    struct Verification: Sendable {
        let checked: Int
        let firstBreak: AuditChain.Break?
        /// The head row must point at the last entry; a deleted tail shows up here.
        let headMatches: Bool

        var isIntact: Bool { firstBreak == nil && headMatches }
    }

    /// Walks the whole chain in pages, oldest first.
    static func verify(on database: any Database, pageSize: Int = 1000) async throws -> Verification {
        var previous = (sequence: 0, hash: AuditChain.genesisHash)
        var checked = 0
        while true {
            let page = try await AuditEntry.query(on: database)
                .filter(\.$sequence > previous.sequence)
                .sort(\.$sequence)
                .limit(pageSize)
                .all()
            if page.isEmpty { break }
            if let broken = AuditChain.firstBreak(in: page.map(record(from:)), storedHashes: page.map(\.hash), after: previous) {
                return Verification(checked: checked, firstBreak: broken, headMatches: false)
            }
            checked += page.count
            previous = (page.last!.sequence, page.last!.hash)
        }
        let head = try await AuditHead.find(1, on: database)
        let headMatches = head?.sequence == previous.sequence && head?.hash == previous.hash
        return Verification(checked: checked, firstBreak: nil, headMatches: headMatches)
    }
}
