import Foundation

/// The user-facing strings in both languages. Keys are dotted names (`cso.list.title`);
/// values may hold `{name}` placeholders filled by `format`.
public struct Catalog: Sendable {
    public let strings: [Language: [String: String]]

    public init(strings: [Language: [String: String]]) {
        self.strings = strings
    }

    /// Loads `sq.json` and `en.json` from a directory.
    public init(directory: URL) throws {
        var strings: [Language: [String: String]] = [:]
        for language in Language.allCases {
            let data = try Data(contentsOf: directory.appendingPathComponent("\(language.rawValue).json"))
            strings[language] = try JSONDecoder().decode([String: String].self, from: data)
        }
        self.init(strings: strings)
    }

    /// The text for a key; a missing key shows itself, so a gap is visible rather than blank.
    public func text(_ key: String, _ language: Language) -> String {
        strings[language]?[key] ?? strings[.sq]?[key] ?? key
    }

    public func format(_ key: String, _ language: Language, _ values: [String: String]) -> String {
        var text = self.text(key, language)
        for (name, value) in values {
            text = text.replacingOccurrences(of: "{\(name)}", with: value)
        }
        return text
    }

    /// A sentence about a number of things: `key.one` for one and `key.other` for any other
    /// count, the two plural forms Albanian and English both have ("1 aplikim", "2 aplikime"),
    /// with {count} filled in.
    public func counted(_ key: String, _ count: Int, _ language: Language, _ values: [String: String] = [:]) -> String {
        format("\(key).\(count == 1 ? "one" : "other")", language, values.merging(["count": NumberWriting.grouped(count, language)]) { $1 })
    }

    public func has(_ key: String) -> Bool {
        Language.allCases.allSatisfy { strings[$0]?[key] != nil }
    }

    /// Keys present in one language and not the other.
    public var missingKeys: [Language: Set<String>] {
        let all = Set(strings.values.flatMap(\.keys))
        var missing: [Language: Set<String>] = [:]
        for language in Language.allCases {
            let gap = all.subtracting(strings[language]?.keys ?? [:].keys)
            if !gap.isEmpty { missing[language] = gap }
        }
        return missing
    }
}
