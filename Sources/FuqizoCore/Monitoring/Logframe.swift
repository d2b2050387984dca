import Foundation

/// The levels of the programme's logical framework, from the overall objective down to the
/// activities. Each level hangs under the level above it.
public enum LogframeLevel: String, CaseIterable, Codable, Sendable {
    case overallObjective, specificObjective, outcome, output, activity

    public var catalogKey: String { "logframe.level.\(rawValue)" }

    /// The level an entry of this level hangs under; nil for the overall objective.
    public var parent: LogframeLevel? {
        switch self {
        case .overallObjective: nil
        case .specificObjective: .overallObjective
        case .outcome: .specificObjective
        case .output: .outcome
        case .activity: .output
        }
    }
}

/// A version of the logframe. Drafts are edited; approval freezes the version, and a later
/// change starts a new draft version, whose approval supersedes the old one. Reports keep the
/// version they were made under.
public enum LogframeStatus: String, CaseIterable, Codable, Sendable {
    case draft, approved, superseded

    public var catalogKey: String { "logframe.status.\(rawValue)" }
}

public enum LogframeEvent: Sendable, Equatable {
    case edit, approve, supersede
}

extension LogframeStatus: Lifecycle {
    public func after(_ event: LogframeEvent) -> Result<LogframeStatus, WorkflowRefusal> {
        switch (self, event) {
        case (.draft, .edit): .success(.draft)
        case (.draft, .approve): .success(.approved)
        case (.approved, .supersede): .success(.superseded)
        case (.approved, .edit), (.superseded, .edit): .failure(WorkflowRefusal("logframe.error.approved"))
        default: .failure(WorkflowRefusal("logframe.error.notNow"))
        }
    }
}

/// Whether more is better.
public enum IndicatorDirection: String, CaseIterable, Codable, Sendable {
    case increase, decrease, maintain

    public var catalogKey: String { "indicator.direction.\(rawValue)" }
}

/// Where an indicator's values come from: a computed definition, or a person entering them
/// each period with evidence.
public enum IndicatorSource: Sendable, Equatable, Hashable {
    case computed(ComputedIndicator)
    case manual

    public static let manualCode = "manual"

    public init?(code: String) {
        if code == Self.manualCode { self = .manual } else if let computed = ComputedIndicator(rawValue: code) { self = .computed(computed) } else { return nil }
    }

    public var code: String {
        switch self {
        case .computed(let indicator): indicator.rawValue
        case .manual: Self.manualCode
        }
    }
}

/// Interim periods are reported on during the programme; the final one closes it.
public enum ReportingPeriodKind: String, CaseIterable, Codable, Sendable {
    case interim, final

    public var catalogKey: String { "period.kind.\(rawValue)" }
}

/// A number typed for an indicator, in its unit's scale: a count is a whole number; euros,
/// percentages and scores take up to two decimals, written with a comma or a point
/// ("12,5" and "12.5" are the same). Bounded before any arithmetic.
public enum IndicatorQuantity {
    /// The largest value typed, in written units (a thousand million).
    public static let maximum: Int64 = 1_000_000_000

    public static func parse(_ typed: String, unit: IndicatorUnit) -> Int64? {
        let text = typed.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: " ", with: "")
        guard !text.isEmpty, text.count <= 16 else { return nil }
        let negative = text.hasPrefix("-")
        // Only a score's gain may be negative (a CSO can lose capacity).
        guard !negative || unit == .score else { return nil }
        let digits = negative ? String(text.dropFirst()) : text
        let parts = digits.split(separator: digits.contains(",") ? "," : ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = Int64(parts[0]), parts[0].allSatisfy(\.isASCII), whole <= maximum else { return nil }
        var fraction: Int64 = 0
        if parts.count == 2 {
            guard unit != .count, (1...2).contains(parts[1].count), parts[1].allSatisfy({ $0.isASCII && $0.isNumber }),
                  let value = Int64(parts[1]) else { return nil }
            fraction = parts[1].count == 1 ? value * 10 : value
        }
        let value = whole * unit.scale + fraction
        return negative ? -value : value
    }

    /// The value as typed back into a form: "12.5" in the stored scale's units.
    public static func typed(_ value: Int64, unit: IndicatorUnit) -> String {
        guard unit != .count else { return String(value) }
        let magnitude = value.magnitude
        let fraction = magnitude % 100
        let whole = "\(value < 0 ? "-" : "")\(magnitude / 100)"
        return fraction == 0 ? whole : whole + "." + (fraction % 10 == 0 ? String(fraction / 10) : String(format: "%02d", fraction))
    }
}

/// How far an indicator has come from its baseline toward its target, in hundredths of a
/// percent (10000: the target reached). Nil when there is no target, or it equals the baseline
/// of an indicator meant to move.
public enum IndicatorProgress {
    public static let cap: Int64 = 99_999

    public static func achieved(baseline: Int64?, current: Int64?, target: Int64?, direction: IndicatorDirection) -> Int64? {
        guard let current, let target else { return nil }
        let start = Double(baseline ?? 0)
        let (done, needed): (Double, Double)
        switch direction {
        case .increase: (done, needed) = (Double(current) - start, Double(target) - start)
        case .decrease: (done, needed) = (start - Double(current), start - Double(target))
        case .maintain: (done, needed) = (Double(current), Double(target))
        }
        guard needed > 0 else { return nil }
        // Clamped as a Double: a huge ratio must not reach the conversion to Int64, which traps.
        return Int64(min(Double(cap), max(0, (done / needed * 10_000).rounded(.down))))
    }
}


/// A code people read in reports ("SO1", "R1.2", "I-3"): letters, digits, dots and dashes.
private func readCode(_ value: String, _ field: String, taken: Set<String>, into errors: inout FieldErrors) -> String? {
    let text = value.trimmingCharacters(in: .whitespaces).uppercased()
    guard (1...12).contains(text.count), text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") }) else {
        errors.add(field, "logframe.error.code")
        return nil
    }
    guard !taken.contains(text) else {
        errors.add(field, "logframe.error.codeTaken")
        return nil
    }
    return text
}

/// A period the programme reports on, from its first to its last day.
public struct ReportingPeriod: Sendable, Equatable {
    public let code: String
    public let kind: ReportingPeriodKind
    public let startsOn: LocalDate
    public let endsOn: LocalDate

    public init(code: String, kind: ReportingPeriodKind, startsOn: LocalDate, endsOn: LocalDate) {
        (self.code, self.kind, self.startsOn, self.endsOn) = (code, kind, startsOn, endsOn)
    }
}

/// A report to the donor: made (its figures frozen) and remade while a draft; submitted, it
/// never changes again.
public enum DonorReportStatus: String, CaseIterable, Codable, Sendable {
    case draft, submitted

    public var catalogKey: String { "donorReport.status.\(rawValue)" }
}

public enum DonorReportEvent: Sendable, Equatable {
    case remake, submit
}

extension DonorReportStatus: Lifecycle {
    public func after(_ event: DonorReportEvent) -> Result<DonorReportStatus, WorkflowRefusal> {
        switch (self, event) {
        case (.draft, .remake): .success(.draft)
        case (.draft, .submit): .success(.submitted)
        case (.submitted, _): .failure(WorkflowRefusal("donorReport.error.submitted"))
        }
    }
}

/// A reporting period as typed.
public struct ReportingPeriodForm: Codable, Sendable, Equatable {
    public var code = ""
    public var kind = ""
    public var startsOn = ""
    public var endsOn = ""

    public init(code: String = "", kind: String = "", startsOn: String = "", endsOn: String = "") {
        (self.code, self.kind, self.startsOn, self.endsOn) = (code, kind, startsOn, endsOn)
    }

    public init(from decoder: any Decoder) throws {
        let form = try decoder.container(keyedBy: CodingKeys.self)
        code = try form.text(.code)
        kind = try form.text(.kind)
        startsOn = try form.text(.startsOn)
        endsOn = try form.text(.endsOn)
    }

    /// A period inside the programme's dates, ending after it starts, with a code not used by
    /// another period of the version.
    public func validated(programme: ClosedRange<LocalDate>, taken: Set<String>) -> Result<ReportingPeriod, FieldErrors> {
        var errors = FieldErrors()
        let code = readCode(code, "code", taken: taken, into: &errors)
        let kind = ReportingPeriodKind(rawValue: kind)
        if kind == nil { errors.add("kind", "form.error.choose") }
        let startsOn = LocalDate(startsOn.trimmingCharacters(in: .whitespaces))
        if startsOn == nil || !programme.contains(startsOn!) { errors.add("startsOn", "period.error.outside") }
        let endsOn = LocalDate(endsOn.trimmingCharacters(in: .whitespaces))
        if endsOn == nil || !programme.contains(endsOn!) || (startsOn.map { endsOn! <= $0 } ?? false) { errors.add("endsOn", "period.error.end") }
        guard errors.isEmpty, let code, let kind, let startsOn, let endsOn else { return .failure(errors) }
        return .success(ReportingPeriod(code: code, kind: kind, startsOn: startsOn, endsOn: endsOn))
    }
}

/// An objective, a result or an activity as typed.
public struct LogframeEntryForm: Codable, Sendable, Equatable {
    public var level = ""
    public var parent = ""
    public var code = ""
    public var titleSq = ""
    public var titleEn = ""
    public var assumptionsSq = ""
    public var assumptionsEn = ""

    public init() {}

    public init(from decoder: any Decoder) throws {
        let form = try decoder.container(keyedBy: CodingKeys.self)
        level = try form.text(.level)
        parent = try form.text(.parent)
        code = try form.text(.code)
        titleSq = try form.text(.titleSq)
        titleEn = try form.text(.titleEn)
        assumptionsSq = try form.text(.assumptionsSq)
        assumptionsEn = try form.text(.assumptionsEn)
    }

    public struct Entry: Sendable, Equatable {
        public let level: LogframeLevel
        public let parent: UUID?
        public let code: String
        public let titleSq: String
        public let titleEn: String
        public let assumptionsSq: String
        public let assumptionsEn: String
    }

    public static let maximumTitle = 500
    public static let maximumText = 2_000

    /// Texts in both languages (assumptions optional); a parent of the level above, among the
    /// version's entries (`entries`: id → level); a code not used by another entry.
    public func validated(entries: [UUID: LogframeLevel], taken: Set<String>) -> Result<Entry, FieldErrors> {
        var errors = FieldErrors()
        let level = LogframeLevel(rawValue: level)
        if level == nil { errors.add("level", "form.error.choose") }
        let parentID = UUID(uuidString: parent)
        if let level {
            if let needed = level.parent {
                if parentID.flatMap({ entries[$0] }) != needed { errors.add("parent", "logframe.error.parent") }
            } else if !parent.isEmpty {
                errors.add("parent", "logframe.error.parent")
            } else if entries.values.contains(.overallObjective) {
                errors.add("level", "logframe.error.oneOverall")
            }
        }
        let code = readCode(code, "code", taken: taken, into: &errors)
        let titleSq = clean(titleSq, "titleSq", limit: Self.maximumTitle, into: &errors)
        let titleEn = clean(titleEn, "titleEn", limit: Self.maximumTitle, into: &errors)
        let assumptionsSq = clean(assumptionsSq, "assumptionsSq", limit: Self.maximumText, required: false, into: &errors)
        let assumptionsEn = clean(assumptionsEn, "assumptionsEn", limit: Self.maximumText, required: false, into: &errors)
        guard errors.isEmpty, let level, let code, let titleSq, let titleEn, let assumptionsSq, let assumptionsEn else { return .failure(errors) }
        return .success(Entry(level: level, parent: level.parent == nil ? nil : parentID, code: code, titleSq: titleSq, titleEn: titleEn,
                              assumptionsSq: assumptionsSq, assumptionsEn: assumptionsEn))
    }
}

/// An indicator as typed: what it measures, where its values come from, where it starts and
/// where it should get to, period by period.
public struct IndicatorForm: Codable, Sendable, Equatable {
    public var code = ""
    public var nameSq = ""
    public var nameEn = ""
    public var definitionSq = ""
    public var definitionEn = ""
    public var source = ""
    public var unit = ""
    public var direction = ""
    public var baseline = ""
    public var baselineYear = ""
    public var finalTarget = ""
    /// Period code → target as typed.
    public var targets: [String: String] = [:]
    public var verificationSq = ""
    public var verificationEn = ""
    public var disaggregations: [String] = []

    public init() {}

    public init(from decoder: any Decoder) throws {
        let form = try decoder.container(keyedBy: CodingKeys.self)
        code = try form.text(.code)
        nameSq = try form.text(.nameSq)
        nameEn = try form.text(.nameEn)
        definitionSq = try form.text(.definitionSq)
        definitionEn = try form.text(.definitionEn)
        source = try form.text(.source)
        unit = try form.text(.unit)
        direction = try form.text(.direction)
        baseline = try form.text(.baseline)
        baselineYear = try form.text(.baselineYear)
        finalTarget = try form.text(.finalTarget)
        targets = try form.decodeIfPresent([String: String].self, forKey: .targets) ?? [:]
        verificationSq = try form.text(.verificationSq)
        verificationEn = try form.text(.verificationEn)
        disaggregations = try form.list(.disaggregations)
    }

    public struct Indicator: Sendable, Equatable {
        public let code: String
        public let nameSq: String
        public let nameEn: String
        public let definitionSq: String
        public let definitionEn: String
        public let source: IndicatorSource
        public let unit: IndicatorUnit
        public let direction: IndicatorDirection
        public let baseline: Int64?
        public let baselineYear: Int?
        public let finalTarget: Int64
        public let targets: [String: Int64]
        public let verificationSq: String
        public let verificationEn: String
        public let disaggregations: [Disaggregation]
    }

    public static let maximumName = 500
    public static let maximumText = 2_000

    /// Names and definitions in both languages; a computed definition or "manual" (a computed
    /// one brings its own unit, and only the breakdowns it gives); a baseline with its year, or
    /// neither; a final target and, optionally, a target for each of the version's periods.
    public func validated(periods: Set<String>, taken: Set<String>, programmeYears: ClosedRange<Int>) -> Result<Indicator, FieldErrors> {
        var errors = FieldErrors()
        let code = readCode(code, "code", taken: taken, into: &errors)
        let nameSq = clean(nameSq, "nameSq", limit: Self.maximumName, into: &errors)
        let nameEn = clean(nameEn, "nameEn", limit: Self.maximumName, into: &errors)
        let definitionSq = clean(definitionSq, "definitionSq", limit: Self.maximumText, into: &errors)
        let definitionEn = clean(definitionEn, "definitionEn", limit: Self.maximumText, into: &errors)
        let verificationSq = clean(verificationSq, "verificationSq", limit: Self.maximumText, into: &errors)
        let verificationEn = clean(verificationEn, "verificationEn", limit: Self.maximumText, into: &errors)
        let source = IndicatorSource(code: source)
        if source == nil { errors.add("source", "form.error.choose") }
        var unit = IndicatorUnit(rawValue: unit)
        if case .computed(let computed) = source { unit = computed.unit }
        if unit == nil { errors.add("unit", "form.error.choose") }
        let direction = IndicatorDirection(rawValue: direction)
        if direction == nil { errors.add("direction", "form.error.choose") }
        var baselineValue: Int64?
        var year: Int?
        if let unit, Text.clean(baseline) != nil || Text.clean(baselineYear) != nil {
            baselineValue = IndicatorQuantity.parse(baseline, unit: unit)
            if baselineValue == nil { errors.add("baseline", "indicator.error.value") }
            year = Bounded.integer(baselineYear, in: (programmeYears.lowerBound - 10)...programmeYears.upperBound)
            if year == nil { errors.add("baselineYear", "indicator.error.year") }
        }
        let target = unit.flatMap { IndicatorQuantity.parse(finalTarget, unit: $0) }
        if target == nil { errors.add("finalTarget", "indicator.error.value") }
        var targets: [String: Int64] = [:]
        for (period, typed) in self.targets where Text.clean(typed) != nil {
            guard periods.contains(period), let unit else { continue }
            if let value = IndicatorQuantity.parse(typed, unit: unit) { targets[period] = value } else { errors.add("targets[\(period)]", "indicator.error.value") }
        }
        let chosen = disaggregations.compactMap(Disaggregation.init(rawValue:))
        let offered: Set<Disaggregation> = if case .computed(let computed) = source { Set(computed.disaggregations) } else {
            Set(Disaggregation.allCases)
        }
        if chosen.count != disaggregations.count || !Set(chosen).isSubset(of: offered) { errors.add("disaggregations", "indicator.error.breakdown") }
        guard errors.isEmpty, let code, let nameSq, let nameEn, let definitionSq, let definitionEn, let source, let unit, let direction,
              let target, let verificationSq, let verificationEn else { return .failure(errors) }
        return .success(Indicator(code: code, nameSq: nameSq, nameEn: nameEn, definitionSq: definitionSq, definitionEn: definitionEn,
                                  source: source, unit: unit, direction: direction, baseline: baselineValue, baselineYear: year,
                                  finalTarget: target, targets: targets, verificationSq: verificationSq, verificationEn: verificationEn,
                                  disaggregations: Disaggregation.allCases.filter(chosen.contains)))
    }
}

/// A value entered by hand for a manual indicator and a period, with what proves it. It counts
/// once approved by someone other than who entered it.
public enum ManualValueStatus: String, CaseIterable, Codable, Sendable {
    case submitted, approved, returned

    public var catalogKey: String { "manualValue.status.\(rawValue)" }
}

public enum ManualValueEvent: Sendable, Equatable {
    case approve, giveBack, resubmit
}

extension ManualValueStatus: Lifecycle {
    public func after(_ event: ManualValueEvent) -> Result<ManualValueStatus, WorkflowRefusal> {
        switch (self, event) {
        case (.submitted, .approve): .success(.approved)
        case (.submitted, .giveBack): .success(.returned)
        case (.returned, .resubmit), (.submitted, .resubmit): .success(.submitted)
        case (.approved, _): .failure(WorkflowRefusal("manualValue.error.approved"))
        default: .failure(WorkflowRefusal("manualValue.error.notNow"))
        }
    }
}

public struct ManualValueForm: Codable, Sendable, Equatable {
    /// The indicator's and the period's codes.
    public var indicator = ""
    public var period = ""
    public var value = ""
    public var evidence = ""

    public init(indicator: String = "", period: String = "", value: String = "", evidence: String = "") {
        (self.indicator, self.period, self.value, self.evidence) = (indicator, period, value, evidence)
    }

    public init(from decoder: any Decoder) throws {
        let form = try decoder.container(keyedBy: CodingKeys.self)
        indicator = try form.text(.indicator)
        period = try form.text(.period)
        value = try form.text(.value)
        evidence = try form.text(.evidence)
    }

    public static let maximumEvidence = 2_000

    /// The value in the indicator's unit, and what it rests on (a survey, its sample, where the
    /// file is), which a reviewer reads before approving.
    public func validated(unit: IndicatorUnit) -> Result<(value: Int64, evidence: String), FieldErrors> {
        var errors = FieldErrors()
        let value = IndicatorQuantity.parse(value, unit: unit)
        if value == nil { errors.add("value", "indicator.error.value") }
        let evidence = clean(evidence, "evidence", limit: Self.maximumEvidence, into: &errors)
        guard errors.isEmpty, let value, let evidence else { return .failure(errors) }
        return .success((value, evidence))
    }
}
