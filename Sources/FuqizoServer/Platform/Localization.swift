import FuqizoCore
import Leaf
import LeafKit
import NIOConcurrencyHelpers
import Vapor

extension Request {
    private struct LanguageKey: StorageKey {
        typealias Value = Language
    }

    /// The language of this request: the visitor's choice (a cookie), else Albanian.
    var language: Language {
        get { storage[LanguageKey.self] ?? .default }
        set { storage[LanguageKey.self] = newValue }
    }

    /// A catalog text in the request's language.
    func t(_ key: String) -> String {
        services.catalog.text(key, language)
    }

    func t(_ key: String, _ values: [String: String]) -> String {
        services.catalog.format(key, language, values)
    }

    /// A catalog text with a count, in the plural form it needs (`key.one` / `key.other`).
    func counted(_ key: String, _ count: Int, _ values: [String: String] = [:]) -> String {
        services.catalog.counted(key, count, language, values)
    }
}

/// Picks the language from the `fuqizo_lang` cookie before anything renders.
struct LanguageMiddleware: Middleware {
    static let cookieName = "fuqizo_lang"

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        if let code = request.cookies[Self.cookieName]?.string, let language = Language(code: code) {
            request.language = language
        }
        return next.respond(to: request)
    }
}

/// `#t("key")` in a template: the catalog text in the request's language (HTML-escaped).
/// `#t("key", "name", value)` fills `{name}` placeholders.
struct TranslateTag: LeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        guard let key = ctx.parameters.first?.string else {
            throw LeafError(.unknownError("#t needs a catalog key"))
        }
        guard let request = ctx.request else { return .string(key) }
        var values: [String: String] = [:]
        var rest = ctx.parameters.dropFirst()
        while let name = rest.first?.string, rest.count >= 2 {
            values[name] = rest.dropFirst().first?.string ?? ""
            rest = rest.dropFirst(2)
        }
        return .string(values.isEmpty ? request.t(key) : request.t(key, values))
    }
}

/// Instants are stored in UTC and shown in Europe/Tirane, the programme's time zone.
enum Display {
    private static let formatter: DateFormatter = {
        let formatter = DateFormatter()
        formatter.timeZone = TimeZone(identifier: "Europe/Tirane")
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "dd.MM.yyyy HH:mm"
        return formatter
    }()
    /// Receipts name the second: two submissions a minute apart must read differently.
    private static let secondsFormatter: DateFormatter = {
        let formatter = DateFormatter()
        formatter.timeZone = TimeZone(identifier: "Europe/Tirane")
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "dd.MM.yyyy HH:mm:ss"
        return formatter
    }()
    private static let lock = NIOLock()

    private static let englishMonths = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// A calendar day as each language writes it: "03.12.2026" in Albanian, "3 Dec 2026" in English.
    static func date(_ day: LocalDate, _ language: Language) -> String {
        switch language {
        case .sq: String(format: "%02d.%02d.%04d", day.day, day.month, day.year)
        case .en: "\(day.day) \(englishMonths[min(max(day.month - 1, 0), 11)]) \(day.year)"
        }
    }

    /// A count with its thousands grouped as the language writes them ("2.000" / "2,000").
    static func count(_ value: Int, _ language: Language) -> String {
        NumberWriting.grouped(value, language)
    }

    /// A share in basis points as the language writes it: "53,33 %" / "53.33%", whole
    /// shares without decimals ("80 %" / "80%").
    static func percent(basisPoints: Int, _ language: Language) -> String {
        let whole = NumberWriting.grouped(basisPoints / 100, language)
        let hundredths = abs(basisPoints % 100)
        let number = hundredths == 0 ? whole : "\(whole)\(language == .sq ? "," : ".")\(hundredths < 10 ? "0" : "")\(hundredths)"
        return language == .sq ? "\(number)\u{00A0}%" : "\(number)%"
    }

    /// A stored ISO day ("2026-12-03") as the language writes it; anything else as it is.
    static func date(iso: String?, _ language: Language) -> String {
        guard let iso else { return "" }
        return LocalDate(iso).map { date($0, language) } ?? iso
    }

    /// The day of an instant, in Tirana, as the language writes it.
    static func day(_ instant: Date, _ language: Language) -> String {
        date(iso: TiranaTime.parts(of: instant).date, language)
    }

    static func dateTime(_ date: Date?) -> String {
        guard let date else { return "" }
        return lock.withLock { formatter.string(from: date) }
    }

    static func timestamp(_ date: Date?) -> String {
        guard let date else { return "" }
        return lock.withLock { secondsFormatter.string(from: date) }
    }
}
