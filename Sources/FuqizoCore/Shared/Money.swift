import Foundation

/// An amount in integer minor units (cents) of one currency. Never a Double: every euro must
/// add up for the auditor.
public struct Money: Hashable, Codable, Sendable, Comparable, CustomStringConvertible {
    public let minorUnits: Int64
    public let currency: String

    public init(minorUnits: Int64, currency: String) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    /// The largest amount anyone may type: one billion in major units. Programme amounts are
    /// far below it, and every sum of such amounts stays far from overflowing 64 bits.
    public static let maximumMinorUnits: Int64 = 100_000_000_000

    public static func euros(_ amount: Int64) -> Money { Money(minorUnits: amount.saturatingMultiplied(by: 100), currency: "EUR") }

    public static func zero(_ currency: String) -> Money { Money(minorUnits: 0, currency: currency) }

    /// Parses "60000", "60 000,50", "60,000.50" (the last separator followed by one or two
    /// digits is the decimal one). Nil for anything else, a negative amount or one above
    /// `maximumMinorUnits`.
    public init?(parsing text: String, currency: String) {
        let trimmed = text.filter { !$0.isWhitespace && $0 != "\u{00A0}" && $0 != "'" }
        guard !trimmed.isEmpty, trimmed.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "." || $0 == ",") }) else { return nil }
        var whole = trimmed, fraction = ""
        if let separator = trimmed.lastIndex(where: { $0 == "." || $0 == "," }) {
            let after = trimmed[trimmed.index(after: separator)...]
            if after.count <= 2 {
                whole = String(trimmed[..<separator])
                fraction = String(after)
            }
        }
        whole.removeAll { $0 == "." || $0 == "," }
        guard whole.count <= 18, let units = Int64(whole.isEmpty ? "0" : whole), units <= Self.maximumMinorUnits / 100 else { return nil }
        let cents = Int64(fraction.padding(toLength: 2, withPad: "0", startingAt: 0)) ?? 0
        guard units * 100 + cents <= Self.maximumMinorUnits else { return nil }
        self.init(minorUnits: units * 100 + cents, currency: currency)
    }

    public static func + (lhs: Money, rhs: Money) -> Money {
        precondition(lhs.currency == rhs.currency, "adding different currencies")
        return Money(minorUnits: lhs.minorUnits.saturatingAdding(rhs.minorUnits), currency: lhs.currency)
    }

    public static func - (lhs: Money, rhs: Money) -> Money {
        precondition(lhs.currency == rhs.currency, "subtracting different currencies")
        return Money(minorUnits: lhs.minorUnits.saturatingAdding(rhs.minorUnits == .min ? .max : -rhs.minorUnits), currency: lhs.currency)
    }

    public static func < (lhs: Money, rhs: Money) -> Bool {
        precondition(lhs.currency == rhs.currency, "comparing different currencies")
        return lhs.minorUnits < rhs.minorUnits
    }

    /// This amount times a share in basis points (1 % = 100), rounded down to the cent.
    public func share(basisPoints: Int) -> Money {
        Money(minorUnits: minorUnits.saturatingMultiplied(by: Int64(basisPoints)) / 10_000, currency: currency)
    }

    /// "EUR 60,000.00": unambiguous in both languages and in exports.
    public var description: String {
        let sign = minorUnits < 0 ? "-" : ""
        let absolute = minorUnits.magnitude
        let units = String(absolute / 100)
        var grouped = ""
        for (index, digit) in units.reversed().enumerated() {
            if index > 0, index % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        return "\(currency) \(sign)\(String(grouped.reversed())).\(absolute % 100 < 10 ? "0" : "")\(absolute % 100)"
    }
}
