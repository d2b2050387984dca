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

/// Numbers and amounts as each language writes them: Albanian groups thousands with a dot and
/// writes the decimal comma and the currency after ("25.000,50 €"), English the reverse
/// ("€25,000.50"). One place, so no page mixes the two.
public enum NumberWriting {
    /// Thousands grouped: "2.000" in Albanian, "2,000" in English.
    public static func grouped(_ value: Int64, _ language: Language) -> String {
        let separator: Character = language == .sq ? "." : ","
        var grouped = ""
        for (index, digit) in String(value.magnitude).reversed().enumerated() {
            if index > 0, index % 3 == 0 { grouped.append(separator) }
            grouped.append(digit)
        }
        return (value < 0 ? "-" : "") + String(grouped.reversed())
    }

    public static func grouped(_ value: Int, _ language: Language) -> String {
        grouped(Int64(value), language)
    }

    /// An amount as a form shows it for correcting: "60000" or "60000.50", which
    /// `Money(parsing:)` reads back in either language.
    public static func plain(_ minorUnits: Int64) -> String {
        let cents = minorUnits.magnitude % 100
        let units = "\(minorUnits < 0 ? "-" : "")\(minorUnits.magnitude / 100)"
        return cents == 0 ? units : "\(units).\(cents < 10 ? "0" : "")\(cents)"
    }

    /// Symbols for the currencies a programme meets; any other is written by its code.
    static func symbol(_ currency: String) -> String? {
        ["EUR": "€", "USD": "$", "GBP": "£"][currency]
    }
}

extension Money {
    /// The amount as the person's language writes it: "25.000,50 €" / "€25,000.50"; a
    /// currency without a symbol keeps its code ("25.000,50 ALL" / "ALL 25,000.50").
    public func written(in language: Language) -> String {
        let units = NumberWriting.grouped(Int64(bitPattern: minorUnits.magnitude / 100), language)
        let cents = minorUnits.magnitude % 100
        let sign = minorUnits < 0 ? "-" : ""
        let fraction = (cents < 10 ? "0" : "") + String(cents)
        let symbol = NumberWriting.symbol(currency)
        switch language {
        case .sq: return "\(sign)\(units),\(fraction)\u{00A0}\(symbol ?? currency)"
        case .en: return symbol.map { "\(sign)\($0)\(units).\(fraction)" } ?? "\(currency)\u{00A0}\(sign)\(units).\(fraction)"
        }
    }
}
