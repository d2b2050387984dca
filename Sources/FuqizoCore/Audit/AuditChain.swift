import Crypto
import Foundation

/// One entry of the audit trail as it is hashed. Details carry no personal data: ids, codes,
/// the names of changed fields, never their values.
public struct AuditRecord: Sendable, Equatable {
    public var sequence: Int
    public var occurredAt: Date
    public var actorID: UUID?
    public var action: String
    public var targetType: String?
    public var targetID: String?
    public var details: String
    public var previousHash: String

    public init(sequence: Int, occurredAt: Date, actorID: UUID?, action: String, targetType: String?,
                targetID: String?, details: String, previousHash: String) {
        self.sequence = sequence
        self.occurredAt = occurredAt
        self.actorID = actorID
        self.action = action
        self.targetType = targetType
        self.targetID = targetID
        self.details = details
        self.previousHash = previousHash
    }
}

/// The hash chain: each entry's hash covers its own fields and the previous entry's hash,
/// so changing, removing or reordering any row breaks every hash after it. The hash is an
/// HMAC under a key derived from the master key: whoever can write the database but does not
/// hold the key cannot recompute the chain after rewriting history.
public enum AuditChain {
    public static let genesisHash = String(repeating: "0", count: 64)

    public static func hash(_ record: AuditRecord, key: SymmetricKey) -> String {
        HMAC<SHA256>.authenticationCode(for: Data(canonical(record).utf8), using: key).hexString
    }

    /// The unkeyed SHA-256 of the first releases, which only entries written before the chain
    /// was keyed carry.
    public static func legacyHash(_ record: AuditRecord) -> String {
        SHA256.hash(data: Data(canonical(record).utf8)).hexString
    }

    private static func canonical(_ record: AuditRecord) -> String {
        // Milliseconds: both databases keep at least that precision.
        let millis = Int64((record.occurredAt.timeIntervalSince1970 * 1000).rounded())
        let fields: [String] = [
            String(record.sequence), String(millis), record.actorID?.uuidString.lowercased() ?? "",
            record.action, record.targetType ?? "", record.targetID ?? "", record.details, record.previousHash,
        ]
        // Length-prefixed fields: no value can be shifted into its neighbour.
        return fields.map { "\($0.utf8.count):\($0)" }.joined(separator: "|")
    }

    public enum Break: Sendable, Equatable, CustomStringConvertible {
        case hashMismatch(sequence: Int)
        case previousHashMismatch(sequence: Int)
        case sequenceGap(expected: Int, found: Int)

        public var description: String {
            switch self {
            case .hashMismatch(let sequence): "entry \(sequence): its content does not match its hash"
            case .previousHashMismatch(let sequence): "entry \(sequence): it does not follow the entry before it"
            case .sequenceGap(let expected, let found): "entry \(expected) is missing (found \(found) next)"
            }
        }
    }

    /// Checks entries in sequence order, starting after `previous` (sequence and hash of the
    /// last entry already checked). Returns the first break, or nil when all is intact.
    public static func firstBreak(in records: [AuditRecord], storedHashes: [String],
                                  after previous: (sequence: Int, hash: String) = (0, genesisHash),
                                  hash: (AuditRecord) -> String) -> Break? {
        var expectedSequence = previous.sequence + 1
        var expectedPrevious = previous.hash
        for (record, stored) in zip(records, storedHashes) {
            if record.sequence != expectedSequence {
                return .sequenceGap(expected: expectedSequence, found: record.sequence)
            }
            if record.previousHash != expectedPrevious { return .previousHashMismatch(sequence: record.sequence) }
            if hash(record) != stored { return .hashMismatch(sequence: record.sequence) }
            expectedSequence += 1
            expectedPrevious = stored
        }
        return nil
    }
}

/// A head of the chain written out of the database, for an operator to keep (on paper, in
/// another system): `fuqizo audit anchor` prints one, `fuqizo audit verify --anchor` checks the
/// chain still holds it. Its own HMAC, under a key of its own derived from the master key,
/// shows the text was not altered.
public struct AuditAnchor: Sendable, Equatable {
    public let sequence: Int
    public let hash: String
    public let mac: String

    public static let prefix = "fuqizo-audit-anchor-v1"

    public init(sequence: Int, hash: String, key: SymmetricKey) {
        self.sequence = sequence
        self.hash = hash
        mac = Self.mac(sequence: sequence, hash: hash, key: key)
    }

    private init(sequence: Int, hash: String, mac: String) {
        self.sequence = sequence
        self.hash = hash
        self.mac = mac
    }

    private static func mac(sequence: Int, hash: String, key: SymmetricKey) -> String {
        HMAC<SHA256>.authenticationCode(for: Data("\(prefix)|\(sequence)|\(hash)".utf8), using: key).hexString
    }

    public var text: String { "\(Self.prefix) \(sequence) \(hash) \(mac)" }

    /// Reads an anchor as printed; nil for anything else.
    public init?(text: String) {
        let parts = text.split(whereSeparator: \.isWhitespace).map(String.init)
        guard parts.count == 4, parts[0] == Self.prefix, let sequence = Int(parts[1]), sequence >= 0,
              parts[2].count == 64, parts[3].count == 64 else { return nil }
        self.init(sequence: sequence, hash: parts[2], mac: parts[3])
    }

    public func isAuthentic(key: SymmetricKey) -> Bool {
        let expected = Self.mac(sequence: sequence, hash: hash, key: key)
        return expected.utf8.count == mac.utf8.count && zip(expected.utf8, mac.utf8).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// An entry's details as they are stored ("key=value; key=value", keys sorted), read back.
public enum AuditDetails {
    /// The pairs, in their stored order of keys. A value holding "; " (a reason typed in words)
    /// stays whole: a part without "=" belongs to the value before it.
    public static func parse(_ stored: String) -> [(key: String, value: String)] {
        var pairs: [(key: String, value: String)] = []
        for part in stored.components(separatedBy: "; ") where !part.isEmpty {
            if let equals = part.firstIndex(of: "="), !part[..<equals].contains(" ") {
                pairs.append((String(part[..<equals]), String(part[part.index(after: equals)...])))
            } else if let last = pairs.popLast() {
                pairs.append((last.key, last.value + "; " + part))
            }
        }
        return pairs
    }
}
