/// The languages Fuqizo speaks. Albanian comes first: it is the default everywhere.
public enum Language: String, CaseIterable, Sendable, Codable {
    case sq
    case en

    public static let `default`: Language = .sq

    /// Reads a language code leniently ("EN", "en-GB"); unknown codes give nil.
    public init?(code: String) {
        let prefix = code.lowercased().prefix(2)
        guard let language = Language(rawValue: String(prefix)) else { return nil }
        self = language
    }

    /// The one of a pair of bilingual values in this language: `language.pick(call.titleSq, call.titleEn)`.
    public func pick<Value>(_ sq: Value, _ en: Value) -> Value {
        self == .sq ? sq : en
    }
}
