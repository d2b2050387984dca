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

/// What a form or a query string may carry: UTF-8 text without NUL or other control
/// characters (tabs and line breaks are typed by people; the rest are not, and NUL is refused by
/// PostgreSQL). Checked once for every request, so no handler ever sees such bytes.
public enum FormInput {
    /// Whether every name and value of an `application/x-www-form-urlencoded` text decodes to
    /// clean text. A malformed escape (`%G1`, a lone `%`) is not clean either.
    public static func isClean(urlEncoded bytes: some Collection<UInt8>) -> Bool {
        var piece: [UInt8] = []
        var iterator = bytes.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "&"), UInt8(ascii: "="):
                guard isClean(piece) else { return false }
                piece.removeAll(keepingCapacity: true)
            case UInt8(ascii: "+"):
                piece.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return false }
                piece.append(high << 4 | low)
            default:
                piece.append(byte)
            }
        }
        return isClean(piece)
    }

    /// Whether decoded bytes are UTF-8 text without control characters other than tab and line breaks.
    public static func isClean(_ decoded: [UInt8]) -> Bool {
        guard let text = String(validating: decoded, as: UTF8.self) else { return false }
        return text.unicodeScalars.allSatisfy { scalar in
            scalar == "\t" || scalar == "\n" || scalar == "\r" || !(scalar.value < 0x20 || scalar.value == 0x7F)
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// Text safe inside XML and HTML: the five special characters escaped, and the characters XML
/// 1.0 forbids (controls other than tab and line breaks, U+FFFE, U+FFFF) dropped. One escaper for
/// spreadsheets, feeds, the sitemap and articles.
public enum Markup {
    public static func escaped(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
