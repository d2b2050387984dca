import Fluent
import Foundation
import FuqizoCore

/// One version of the programme's logframe. Only a draft is edited; approving it supersedes
/// the version approved before, and reports keep the version they were made under.
final class Logframe: Model, @unchecked Sendable {
    static let schema = "logframes"

    @ID(key: .id) var id: UUID?
    @Field(key: "version") var version: Int
    @Enum(key: "status") var status: LogframeStatus
    @OptionalField(key: "based_on") var basedOn: UUID?
    @Field(key: "created_by") var createdBy: UUID
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "approved_by") var approvedBy: UUID?
    @OptionalField(key: "approved_at") var approvedAt: Date?

    init() {}
}

final class LogframePeriod: Model, @unchecked Sendable {
    static let schema = "logframe_periods"

    @ID(key: .id) var id: UUID?
    @Field(key: "logframe_id") var logframeID: UUID
    @Field(key: "code") var code: String
    @Enum(key: "kind") var kind: ReportingPeriodKind
    @Field(key: "starts_on") var startsOn: String
    @Field(key: "ends_on") var endsOn: String

    init() {}

    /// Nil only for a damaged row: periods are stored after validation.
    var period: ReportingPeriod? {
        guard let start = LocalDate(startsOn), let end = LocalDate(endsOn) else { return nil }
        return ReportingPeriod(code: code, kind: kind, startsOn: start, endsOn: end)
    }
}

/// An objective, a result (outcome or output) or an activity.
final class LogframeEntry: Model, @unchecked Sendable {
    static let schema = "logframe_entries"

    @ID(key: .id) var id: UUID?
    @Field(key: "logframe_id") var logframeID: UUID
    @OptionalField(key: "parent_id") var parentID: UUID?
    @Enum(key: "level") var level: LogframeLevel
    @Field(key: "code") var code: String
    @Field(key: "title_sq") var titleSq: String
    @Field(key: "title_en") var titleEn: String
    @Field(key: "assumptions_sq") var assumptionsSq: String
    @Field(key: "assumptions_en") var assumptionsEn: String

    init() {}

    func title(_ language: Language) -> String { language.pick(titleSq, titleEn) }
}

final class LogframeIndicator: Model, @unchecked Sendable {
    static let schema = "logframe_indicators"

    @ID(key: .id) var id: UUID?
    @Field(key: "logframe_id") var logframeID: UUID
    @Field(key: "entry_id") var entryID: UUID
    @Field(key: "code") var code: String
    @Field(key: "name_sq") var nameSq: String
    @Field(key: "name_en") var nameEn: String
    @Field(key: "definition_sq") var definitionSq: String
    @Field(key: "definition_en") var definitionEn: String
    @Field(key: "source") var sourceCode: String
    @Enum(key: "unit") var unit: IndicatorUnit
    @Enum(key: "direction") var direction: IndicatorDirection
    @OptionalField(key: "baseline") var baseline: Int64?
    @OptionalField(key: "baseline_year") var baselineYear: Int?
    @Field(key: "final_target") var finalTarget: Int64
    @Field(key: "targets") var targetsJSON: String
    @Field(key: "verification_sq") var verificationSq: String
    @Field(key: "verification_en") var verificationEn: String
    @Field(key: "disaggregations") var disaggregationList: String

    init() {}

    func name(_ language: Language) -> String { language.pick(nameSq, nameEn) }

    /// A source no longer known reads as manual: its values then need a person, never a guess.
    var source: IndicatorSource { IndicatorSource(code: sourceCode) ?? .manual }

    var targets: [String: Int64] {
        get { (try? JSONDecoder().decode([String: Int64].self, from: Data(targetsJSON.utf8))) ?? [:] }
        set { targetsJSON = String(decoding: (try? JSONEncoder().encode(newValue)) ?? Data("{}".utf8), as: UTF8.self) }
    }

    var disaggregations: [Disaggregation] {
        get { disaggregationList.split(separator: ",").compactMap { Disaggregation(rawValue: String($0)) } }
        set { disaggregationList = newValue.map(\.rawValue).joined(separator: ",") }
    }

    var countsPeople: Bool { DisclosedValue.countsPeople(source, unit: unit) }

    func target(for period: String) -> Int64? { targets[period] }
}

/// A value typed for a manual indicator and a period, with what it rests on; it counts once
/// someone other than who typed it approves it.
final class IndicatorValueEntry: Model, @unchecked Sendable {
    static let schema = "indicator_values"

    @ID(key: .id) var id: UUID?
    @Field(key: "indicator_code") var indicatorCode: String
    @Field(key: "period_code") var periodCode: String
    @Field(key: "value") var value: Int64
    @Field(key: "evidence") var evidence: String
    @Enum(key: "status") var status: ManualValueStatus
    @Field(key: "entered_by") var enteredBy: UUID
    @Field(key: "entered_at") var enteredAt: Date
    @OptionalField(key: "reviewed_by") var reviewedBy: UUID?
    @OptionalField(key: "reviewed_at") var reviewedAt: Date?
    @OptionalField(key: "review_note") var reviewNote: String?

    init() {}

    var resource: Resource { .indicatorValue(enteredBy: enteredBy) }
}

/// A report to the donor for one period, with every figure it shows frozen when it was made.
final class DonorReport: Model, @unchecked Sendable {
    static let schema = "donor_reports"

    @ID(key: .id) var id: UUID?
    @Field(key: "logframe_id") var logframeID: UUID
    @Field(key: "period_code") var periodCode: String
    @Enum(key: "kind") var kind: ReportingPeriodKind
    @Enum(key: "status") var status: DonorReportStatus
    @Field(key: "figures") var figuresJSON: String
    @Field(key: "comments") var commentsJSON: String
    @Field(key: "made_by") var madeBy: UUID
    @Field(key: "made_at") var madeAt: Date
    @OptionalField(key: "submitted_by") var submittedBy: UUID?
    @OptionalField(key: "submitted_at") var submittedAt: Date?

    init() {}

    var figures: FrozenFigures? { try? JSONDecoder().decode(FrozenFigures.self, from: Data(figuresJSON.utf8)) }
    var resource: Resource { .donorReport(submitted: status == .submitted) }

    var comments: [String: String] {
        get { (try? JSONDecoder().decode([String: String].self, from: Data(commentsJSON.utf8))) ?? [:] }
        set { commentsJSON = String(decoding: (try? JSONEncoder().encode(newValue)) ?? Data("{}".utf8), as: UTF8.self) }
    }
}
