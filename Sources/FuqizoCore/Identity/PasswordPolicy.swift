/// The rules a new password must meet: long enough, not a well-known password, not the
/// user's own e-mail address. Length beats composition rules (NIST SP 800-63B).
public struct PasswordPolicy: Sendable {
    public static let minimumLength = 12
    public static let maximumLength = 128

    private let common: Set<String>

    /// `commonPasswords` holds one password a line; comparison ignores case.
    public init(commonPasswords: [String]) {
        common = Set(commonPasswords.map { $0.lowercased() }.filter { !$0.isEmpty })
    }

    /// The catalog key of the first problem, or nil when the password is acceptable.
    public func problem(with password: String, email: String? = nil) -> String? {
        if password.count < Self.minimumLength { return "password.error.short" }
        if password.count > Self.maximumLength { return "password.error.long" }
        let lowered = password.lowercased()
        if Set(lowered).count < 4 || common.contains(lowered) || common.contains(Self.withoutTrailingDigits(lowered)) {
            return "password.error.common"
        }
        if let local = email?.lowercased().split(separator: "@").first, local.count >= 4, lowered.contains(local) {
            return "password.error.personal"
        }
        return nil
    }

    /// "summer2024!!" and "summer" are the same guess to an attacker.
    private static func withoutTrailingDigits(_ value: String) -> String {
        String(value.reversed().drop(while: { $0.isNumber || $0.isPunctuation || $0.isSymbol }).reversed())
    }
}
