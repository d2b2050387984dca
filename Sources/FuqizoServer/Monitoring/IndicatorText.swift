import Foundation
import FuqizoCore
import Vapor

/// Indicator values as a page writes them, in the reader's language and the indicator's unit.
enum IndicatorText {
    static func value(_ value: Int64, _ unit: IndicatorUnit, _ language: Language) -> String {
        switch unit {
        case .count: NumberWriting.grouped(value, language)
        case .euro: Money(minorUnits: value, currency: "EUR").written(in: language)
        case .percent: Display.percent(basisPoints: Int(clamping: value), language)
        case .score:
            (value > 0 ? "+" : "") + Display.percent(basisPoints: Int(clamping: value), language)
                .replacingOccurrences(of: "\u{00A0}%", with: "").replacingOccurrences(of: "%", with: "")
        }
    }

    static func optional(_ value: Int64?, _ unit: IndicatorUnit, _ language: Language) -> String {
        value.map { self.value($0, unit, language) } ?? "—"
    }

    /// A disclosed cell: the value, "<5" for a small count, or the neutral mark.
    static func cell(_ cell: SmallCells.Cell?, _ unit: IndicatorUnit, threshold: Int, _ language: Language) -> String {
        switch cell {
        case .shown(let number): value(Int64(number), unit, language)
        case .suppressed: "<\(threshold)"
        case .withheld: SmallCells.Cell.withheldMark
        case nil: "—"
        }
    }

    /// The number a chart may draw: only what is shown.
    static func drawable(_ cell: SmallCells.Cell?) -> Int64? {
        if case .shown(let number) = cell { return Int64(number) }
        return nil
    }

    /// A breakdown's key in words: a region's name, a sex, an age band, a domain…
    static func key(_ key: String, by dimension: Disaggregation, regions: [String: String], _ req: Request) -> String {
        switch dimension {
        case .region: key == IndicatorValue.elsewhere ? req.t("results.elsewhere") : regions[key] ?? key
        case .sex: req.t(PersonSex(rawValue: key)?.catalogKey ?? SurvivorSex(rawValue: key)?.catalogKey ?? key)
        case .ageBand: req.t(AgeBand(rawValue: key)?.catalogKey ?? key)
        case .disability: req.t(key == "yes" ? "indicator.disability.yes" : "indicator.disability.no")
        case .harm: req.t(HarmKind(rawValue: key)?.catalogKey ?? key)
        case .domain: key
        }
    }

    /// The source in words: the computed definition's name, or "entered by hand".
    static func source(_ source: IndicatorSource, _ req: Request) -> String {
        switch source {
        case .computed(let computed): req.t(computed.catalogKey)
        case .manual: req.t("indicator.source.manual")
        }
    }

    static func period(_ period: ReportingPeriod, _ language: Language) -> String {
        "\(period.code): \(Display.date(period.startsOn, language)) – \(Display.date(period.endsOn, language))"
    }
}
