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
/// so changing, removing or reordering any row breaks every hash after it.
public enum AuditChain {
    public static let genesisHash = String(repeating: "0", count: 64)

    public static func hash(_ record: AuditRecord) -> String {
        // Milliseconds: both databases keep at least that precision.
        let millis = Int64((record.occurredAt.timeIntervalSince1970 * 1000).rounded())
        let fields: [String] = [
            String(record.sequence), String(millis), record.actorID?.uuidString.lowercased() ?? "",
            record.action, record.targetType ?? "", record.targetID ?? "", record.details, record.previousHash,
        ]
        // Length-prefixed fields: no value can be shifted into its neighbour.
        let canonical = fields.map { "\($0.utf8.count):\($0)" }.joined(separator: "|")
        return SHA256.hash(data: Data(canonical.utf8)).hexString
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
                                  after previous: (sequence: Int, hash: String) = (0, genesisHash)) -> Break? {
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
