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

    public static func euros(_ amount: Int64) -> Money { Money(minorUnits: amount * 100, currency: "EUR") }

    public static func zero(_ currency: String) -> Money { Money(minorUnits: 0, currency: currency) }

    /// Parses "60000", "60 000,50", "60,000.50" (the last separator followed by one or two
    /// digits is the decimal one). Nil for anything else or a negative amount.
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
        guard let units = Int64(whole.isEmpty ? "0" : whole), units < Int64.max / 1000 else { return nil }
        let cents = Int64(fraction.padding(toLength: 2, withPad: "0", startingAt: 0)) ?? 0
        self.init(minorUnits: units * 100 + cents, currency: currency)
    }

    public static func + (lhs: Money, rhs: Money) -> Money {
        precondition(lhs.currency == rhs.currency, "adding different currencies")
        return Money(minorUnits: lhs.minorUnits + rhs.minorUnits, currency: lhs.currency)
    }

    public static func - (lhs: Money, rhs: Money) -> Money {
        precondition(lhs.currency == rhs.currency, "subtracting different currencies")
        return Money(minorUnits: lhs.minorUnits - rhs.minorUnits, currency: lhs.currency)
    }

    public static func < (lhs: Money, rhs: Money) -> Bool {
        precondition(lhs.currency == rhs.currency, "comparing different currencies")
        return lhs.minorUnits < rhs.minorUnits
    }

    /// This amount times a share in basis points (1 % = 100), rounded down to the cent.
    public func share(basisPoints: Int) -> Money {
        Money(minorUnits: minorUnits * Int64(basisPoints) / 10_000, currency: currency)
    }

    /// "EUR 60,000.00": unambiguous in both languages and in exports.
    public var description: String {
        let sign = minorUnits < 0 ? "-" : ""
        let absolute = abs(minorUnits)
        let units = String(absolute / 100)
        var grouped = ""
        for (index, digit) in units.reversed().enumerated() {
            if index > 0, index % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        return "\(currency) \(sign)\(String(grouped.reversed())).\(String(format: "%02d", absolute % 100))"
    }
}
