import Crypto
import Foundation

/// Each survivor's identity fields and case notes are encrypted with a data key of that
/// survivor alone. The data key is stored only wrapped by a key derived from the master key;
/// rotating the master key re-wraps data keys without touching the data, and destroying a
/// survivor's wrapped key (crypto-shredding) makes every copy of their identity unreadable,
/// backups included.
public struct SurvivorDataKey: Sendable {
    private let bytes: Data

    public var key: SymmetricKey { SymmetricKey(data: bytes) }

    public init(key: SymmetricKey) {
        bytes = key.withUnsafeBytes { Data($0) }
    }

    public static func generate() -> SurvivorDataKey {
        SurvivorDataKey(key: SymmetricKey(size: .bits256))
    }

    /// The associated data of a field: the survivor and the field, so that a value copied to
    /// another survivor or another field fails to open instead of being read in the wrong place.
    static func context(survivor: UUID, field: String) -> String {
        "survivor/\(survivor.uuidString.lowercased())/\(field)"
    }

    public func seal(_ value: String, survivor: UUID, field: String) throws -> Data {
        try SecretBox(key: key).seal(Data(value.utf8), boundTo: Self.context(survivor: survivor, field: field))
    }

    public func open(_ ciphertext: Data, survivor: UUID, field: String) throws -> String {
        let plaintext = try SecretBox(key: key).open(ciphertext, boundTo: Self.context(survivor: survivor, field: field))
        return String(decoding: plaintext, as: UTF8.self)
    }
}

/// Wraps and unwraps survivors' data keys with the key-encryption key derived from the master key.
public struct SurvivorKeyWrapper: Sendable {
    public enum Failure: Error, Equatable {
        /// The survivor's key was destroyed: their identity cannot be read any more.
        case shredded
        /// The wrapped key does not open with this master key, or is not this survivor's.
        case cannotUnwrap
    }

    private let box: SecretBox

    public init(masterKey: MasterKey) {
        box = SecretBox(key: masterKey.derivedKey(for: "survivor-data-keys"))
    }

    static func context(_ survivor: UUID) -> String { "survivor-key/\(survivor.uuidString.lowercased())" }

    public func wrap(_ dataKey: SurvivorDataKey, survivor: UUID) throws -> Data {
        try dataKey.key.withUnsafeBytes { try box.seal(Data($0), boundTo: Self.context(survivor)) }
    }

    /// The data key, or `.shredded` when there is none any more.
    public func unwrap(_ wrapped: Data?, survivor: UUID) throws -> SurvivorDataKey {
        guard let wrapped else { throw Failure.shredded }
        do {
            return SurvivorDataKey(key: SymmetricKey(data: try box.open(wrapped, boundTo: Self.context(survivor))))
        } catch {
            throw Failure.cannotUnwrap
        }
    }

    /// Key rotation: the same data key, wrapped by the next master key. The data it
    /// encrypts is not touched.
    public func rewrap(_ wrapped: Data, survivor: UUID, under next: SurvivorKeyWrapper) throws -> Data {
        try next.wrap(try unwrap(wrapped, survivor: survivor), survivor: survivor)
    }
}

/// Finding a possible existing record at intake without decrypting anything: a keyed hash of
/// the normalised name and birth date. The key is derived from the master key, so the value
/// cannot be recomputed from a guessed name without it.
public enum DuplicateKey {
    public static func make(firstName: String, lastName: String, birthDate: LocalDate, masterKey: MasterKey) -> String {
        let name = [firstName, lastName].map { Text.searchKey($0).filter { $0.isLetter } }.joined(separator: " ")
        let message = Data("\(name)|\(birthDate.description)".utf8)
        return HMAC<SHA256>.authenticationCode(for: message, using: masterKey.derivedKey(for: "survivor-duplicates")).hexString
    }
}
