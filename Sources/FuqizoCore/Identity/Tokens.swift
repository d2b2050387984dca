import Crypto
import Foundation

/// Random secrets handed to people (session ids, setup and invitation links, recovery codes).
/// Only their SHA-256 digest is stored, so a copy of the database cannot be used to sign in.
public enum SecretToken {
    /// 32 random bytes as URL-safe base64 without padding.
    public static func generate(byteCount: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<byteCount).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public static func digest(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).hexString
    }
}

/// One-time recovery codes for a lost authenticator: ten groups like `7kq2-m9xd-4fpa`.
public enum RecoveryCodes {
    private static let alphabet = Array("abcdefghjkmnpqrstuvwxyz23456789")

    public static func generate(count: Int = 10) -> [String] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in
            (0..<3).map { _ in String((0..<4).map { _ in alphabet.randomElement(using: &generator)! }) }
                .joined(separator: "-")
        }
    }

    /// People type codes with or without dashes, in any case.
    public static func normalise(_ code: String) -> String {
        let letters = code.lowercased().filter { $0.isLetter || $0.isNumber }
        guard letters.count == 12 else { return letters }
        let chars = Array(letters)
        return [chars[0..<4], chars[4..<8], chars[8..<12]].map { String($0) }.joined(separator: "-")
    }
}

extension Sequence where Element == UInt8 {
    public var hexString: String { map { String(format: "%02x", $0) }.joined() }
}
