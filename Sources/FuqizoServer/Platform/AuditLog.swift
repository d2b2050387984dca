import Crypto
import Fluent
import Foundation
import FuqizoCore
import SQLKit
import Vapor

/// Appends to the hash-chained audit trail. Call it with the same `Database` (transaction)
/// as the change it records, so the change and its entry are committed together or not at all.
enum AuditLog {
    /// One page of the trail, newest first, optionally of one action (or its family, e.g.
    /// "signIn") and one record; with the accounts that acted.
    static func page(action: String?, target: String?, page: Int?, on database: any Database)
        async throws -> (entries: [AuditEntry], pager: Pager, actors: [User]) {
        var query = AuditEntry.query(on: database)
        if let action {
            query = query.group(.or) { $0.filter(\.$action == action).filter(\.$action, .contains(inverse: false, .prefix), action + ".") }
        }
        if let target { query = query.filter(\.$targetID == target) }
        let pager = Pager(requested: page, total: try await query.copy().count(), pageSize: 100)
        let entries = try await query.sort(\.$sequence, .descending).range(pager.offset..<(pager.offset + pager.pageSize)).all()
        let actors = try await User.query(on: database).filter(\.$id ~~ Set(entries.compactMap(\.actorID))).all()
        return (entries, pager, actors)
    }

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

    static func record(_ event: Event, actor: UUID?, at date: Date, key: SymmetricKey, on database: any Database) async throws {
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
        let hash = AuditChain.hash(record, key: key)
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
        /// The record of where keyed hashes begin is authentic (see `keyedFrom`).
        var markerIntact = true

        var isIntact: Bool { firstBreak == nil && headMatches && markerIntact }
    }

    static let keyedFromName = "audit_keyed_from"

    private static func markerMAC(_ sequence: Int, key: SymmetricKey) -> String {
        HMAC<SHA256>.authenticationCode(for: Data("audit-keyed-from|\(sequence)".utf8), using: key).hexString
    }

    /// The first entry whose hash is keyed. Databases from before the chain was keyed keep
    /// their older entries as they were (rewriting them would launder any change made to them);
    /// the value carries its own HMAC, so it cannot be moved to pass rewritten entries off as old.
    /// Nil when the value is missing or not authentic.
    static func keyedFrom(key: SymmetricKey, on database: any Database) async throws -> Int? {
        guard let value = try await SystemValue.find(keyedFromName, on: database)?.value else { return nil }
        let parts = value.split(separator: ":").map(String.init)
        guard parts.count == 2, let sequence = Int(parts[0]), parts[1] == markerMAC(sequence, key: key) else { return nil }
        return sequence
    }

    /// At start: marks where keyed hashes begin, once (a new database: at its first entry).
    static func markKeyedFrom(key: SymmetricKey, on database: any Database) async throws {
        guard try await SystemValue.find(keyedFromName, on: database) == nil else { return }
        let next = (try await AuditHead.find(1, on: database)?.sequence ?? 0) + 1
        try await SystemValue(id: keyedFromName, value: "\(next):\(markerMAC(next, key: key))").create(on: database)
    }

    /// Writes the marker again under another key (key rotation).
    static func remark(_ sequence: Int, key: SymmetricKey, on database: any Database) async throws {
        try await SystemValue.query(on: database).filter(\.$id == keyedFromName)
            .set(\.$value, to: "\(sequence):\(markerMAC(sequence, key: key))").update()
    }

    /// Walks the whole chain in pages, oldest first.
    static func verify(on database: any Database, key: SymmetricKey, pageSize: Int = 1000) async throws -> Verification {
        guard let keyedFrom = try await keyedFrom(key: key, on: database) else {
            return Verification(checked: 0, firstBreak: nil, headMatches: false, markerIntact: false)
        }
        var previous = (sequence: 0, hash: AuditChain.genesisHash)
        var checked = 0
        while true {
            let page = try await AuditEntry.query(on: database)
                .filter(\.$sequence > previous.sequence)
                .sort(\.$sequence)
                .limit(pageSize)
                .all()
            if page.isEmpty { break }
            let broken = AuditChain.firstBreak(in: page.map(record(from:)), storedHashes: page.map(\.hash), after: previous) { record in
                record.sequence < keyedFrom ? AuditChain.legacyHash(record) : AuditChain.hash(record, key: key)
            }
            if let broken { return Verification(checked: checked, firstBreak: broken, headMatches: false) }
            checked += page.count
            previous = (page.last!.sequence, page.last!.hash)
        }
        let head = try await AuditHead.find(1, on: database)
        let headMatches = head?.sequence == previous.sequence && head?.hash == previous.hash
        return Verification(checked: checked, firstBreak: nil, headMatches: headMatches)
    }

    /// The anchor of the chain's head now, for the operator to keep outside the database.
    static func anchor(on database: any Database, key: SymmetricKey) async throws -> AuditAnchor {
        let head = try await AuditHead.find(1, on: database)
        return AuditAnchor(sequence: head?.sequence ?? 0, hash: head?.hash ?? AuditChain.genesisHash, key: key)
    }

    /// Whether the chain still holds an anchor: authentic, and the entry at its sequence has its hash.
    static func holds(_ anchor: AuditAnchor, key: SymmetricKey, on database: any Database) async throws -> Bool {
        guard anchor.isAuthentic(key: key) else { return false }
        if anchor.sequence == 0 { return anchor.hash == AuditChain.genesisHash }
        return try await AuditEntry.query(on: database).filter(\.$sequence == anchor.sequence).first()?.hash == anchor.hash
    }

    /// Hashes every keyed entry again under another key, after checking the whole chain under
    /// the current one (key rotation): returns the new hashes by sequence, and the new head.
    static func rechained(on database: any Database, from old: SymmetricKey, to next: SymmetricKey) async throws -> [(sequence: Int, hash: String, previous: String)] {
        let verification = try await verify(on: database, key: old)
        guard verification.isIntact, let keyedFrom = try await keyedFrom(key: old, on: database) else {
            throw AuditChainBroken(verification: verification)
        }
        var result: [(Int, String, String)] = []
        var previous = AuditChain.genesisHash
        var last = 0
        while true {
            let page = try await AuditEntry.query(on: database).filter(\.$sequence > last).sort(\.$sequence).limit(1000).all()
            if page.isEmpty { break }
            for entry in page {
                var record = record(from: entry)
                if record.sequence < keyedFrom {
                    previous = entry.hash
                } else {
                    record.previousHash = previous
                    previous = AuditChain.hash(record, key: next)
                    result.append((record.sequence, previous, record.previousHash))
                }
                last = entry.sequence
            }
        }
        return result
    }
}

/// The chain did not verify, so it is not hashed again (that would launder the break).
struct AuditChainBroken: Error, CustomStringConvertible {
    let verification: AuditLog.Verification
    var description: String {
        "the audit trail does not verify (\(verification.firstBreak.map { "\($0)" } ?? "its head or marker does not match")); run fuqizo audit verify"
    }
}

/// Records audit entries under the keyed chain of this master key.
struct AuditTrail: Sendable {
    let key: SecretKeyBytes

    func record(_ event: AuditLog.Event, actor: UUID?, at date: Date, on database: any Database) async throws {
        try await AuditLog.record(event, actor: actor, at: date, key: key.key, on: database)
    }
}
