import Foundation

public enum Text {
    /// Trims whitespace; an empty result becomes nil.
    public static func clean(_ value: String?) -> String? {
        guard let trimmed = value?.trimmingCharacters(in: .whitespacesAndNewlines), !trimmed.isEmpty else {
            return nil
        }
        return trimmed
    }

    /// Lower-cases and folds Albanian diacritics (ë, ç) and other accents, so that
    /// "Kukës" and "kukes" match in a search on SQLite and PostgreSQL alike.
    public static func searchKey(_ value: String) -> String {
        value.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).lowercased()
    }

    /// A plausible e-mail address: one @, a dot in the domain, no spaces. Delivery proves the rest.
    public static func isEmail(_ value: String) -> Bool {
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
              !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
              value.count <= 254, !value.contains(where: { $0.isWhitespace || $0 == "<" || $0 == ">" })
        else { return false }
        return true
    }

    public static func normalisedEmail(_ value: String) -> String {
        value.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }
}
