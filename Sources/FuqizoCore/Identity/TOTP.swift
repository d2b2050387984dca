import Crypto
import Foundation

/// Time-based one-time passwords (RFC 6238) with HMAC-SHA1, 30-second steps and 6 digits:
/// the parameters every authenticator app supports.
public struct TOTP: Sendable {
    public static let stepSeconds: Int64 = 30
    public static let digits = 6

    public let secret: [UInt8]

    public init(secret: [UInt8]) {
        self.secret = secret
    }

    public static func randomSecret() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<20).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    public static func step(at date: Date) -> Int64 {
        Int64(date.timeIntervalSince1970.rounded(.down)) / stepSeconds
    }

    public func code(atStep step: Int64) -> String {
        var counter = UInt64(step).bigEndian
        let message = withUnsafeBytes(of: &counter) { Data($0) }
        let mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: secret)))
        let offset = Int(mac[mac.count - 1] & 0x0F)
        let truncated = (UInt32(mac[offset] & 0x7F) << 24) | (UInt32(mac[offset + 1]) << 16)
            | (UInt32(mac[offset + 2]) << 8) | UInt32(mac[offset + 3])
        let value = truncated % 1_000_000
        let text = String(value)
        return String(repeating: "0", count: Self.digits - text.count) + text
    }

    /// The step a code matches, allowing one step of clock drift either way, and never a step
    /// at or before `lastUsedStep`, so a code cannot be replayed.
    public func matchingStep(for code: String, at date: Date, lastUsedStep: Int64?) -> Int64? {
        let cleaned = code.filter(\.isNumber)
        guard cleaned.count == Self.digits else { return nil }
        let now = Self.step(at: date)
        for candidate in [now, now - 1, now + 1] {
            if let last = lastUsedStep, candidate <= last { continue }
            if constantTimeEquals(self.code(atStep: candidate), cleaned) { return candidate }
        }
        return nil
    }

    /// The URI authenticator apps read (`otpauth://totp/...`): the programme's name as issuer
    /// and the account's address, never a person's name.
    public func provisioningURI(issuer: String, account: String) -> String {
        func escape(_ value: String) -> String {
            value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        }
        return "otpauth://totp/\(escape(issuer)):\(escape(account))?secret=\(Base32.encode(secret))&issuer=\(escape(issuer))&algorithm=SHA1&digits=6&period=30"
    }
}

/// Compares two strings without leaking, through timing, where they first differ.
public func constantTimeEquals(_ lhs: String, _ rhs: String) -> Bool {
    let a = Array(lhs.utf8), b = Array(rhs.utf8)
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for index in a.indices { difference |= a[index] ^ b[index] }
    return difference == 0
}
