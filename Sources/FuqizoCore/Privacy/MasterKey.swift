import Crypto
import Foundation

/// The installation's root secret. It wraps the per-survivor data keys and other stored
/// secrets, and purpose-specific keys are derived from it so that no key serves two purposes.
public struct MasterKey: Sendable {
    // Kept as bytes: swift-crypto's SymmetricKey is not Sendable.
    private let bytes: Data

    public var key: SymmetricKey { SymmetricKey(data: bytes) }

    public init(key: SymmetricKey) {
        bytes = key.withUnsafeBytes { Data($0) }
    }

    public static func generate() -> MasterKey {
        MasterKey(key: SymmetricKey(size: .bits256))
    }

    /// Reads 32 bytes written as base64 (the form of `FUQIZO_MASTER_KEY` and the key file).
    public init?(base64: String) {
        guard let data = Data(base64Encoded: base64.trimmingCharacters(in: .whitespacesAndNewlines)),
              data.count == 32 else { return nil }
        self.init(key: SymmetricKey(data: data))
    }

    public var base64: String {
        bytes.base64EncodedString()
    }

    /// A key for one purpose (HKDF-SHA256), e.g. "csrf" or "totp-secrets".
    public func derivedKey(for purpose: String) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(
            inputKeyMaterial: key,
            salt: Data("fuqizo".utf8),
            info: Data("fuqizo/\(purpose)".utf8),
            outputByteCount: 32
        )
    }

    /// A short value stored in the database at first start. A server given another key
    /// refuses to start instead of writing data nobody could read later.
    public var checkValue: String {
        HMAC<SHA256>.authenticationCode(for: Data("fuqizo key check".utf8), using: derivedKey(for: "key-check")).hexString
    }
}

/// Authenticated encryption (AES-256-GCM) of a field. The associated data binds the
/// ciphertext to where it belongs (e.g. the record id and the field name), so a value moved to
/// another record or field fails to decrypt instead of being read in the wrong place.
public struct SecretBox: Sendable {
    public enum Failure: Error, Equatable {
        case malformed
        case authenticationFailed
    }

    private let bytes: Data

    public var key: SymmetricKey { SymmetricKey(data: bytes) }

    public init(key: SymmetricKey) {
        bytes = key.withUnsafeBytes { Data($0) }
    }

    public func seal(_ plaintext: Data, boundTo context: String) throws -> Data {
        let box = try AES.GCM.seal(plaintext, using: key, authenticating: Data(context.utf8))
        guard let combined = box.combined else { throw Failure.malformed }
        return combined
    }

    public func open(_ ciphertext: Data, boundTo context: String) throws -> Data {
        let box: AES.GCM.SealedBox
        do { box = try AES.GCM.SealedBox(combined: ciphertext) } catch { throw Failure.malformed }
        do {
            return try AES.GCM.open(box, using: key, authenticating: Data(context.utf8))
        } catch {
            throw Failure.authenticationFailed
        }
    }
}
