import Foundation

/// The two checks every submitted application goes through before it is evaluated: the
/// administrative check at the opening session, then the eligibility check. Each item is
/// answered yes or no; every "no" needs a reason, which the applicant's letter quotes.
public enum CheckKind: String, CaseIterable, Codable, Sendable {
    case administrative
    case eligibility

    public var catalogKey: String { "check.\(rawValue)" }

    /// The items of the check at a stage, in the order of the PRAG checklists.
    public func items(at stage: ApplicationStage) -> [String] {
        switch (self, stage) {
        case (.administrative, .concept): ["deadline", "form", "language", "declaration"]
        case (.administrative, .full): ["deadline", "form", "language", "declaration", "budget", "logframe", "documents"]
        case (.eligibility, _): ["applicant", "partners", "activities", "location", "amount"]
        }
    }

    public static func itemKey(_ code: String) -> String { "check.item.\(code)" }
}

/// The answers to one check as typed: `answers[code]` is "yes" or "no".
public struct CheckForm: Codable, Sendable, Equatable {
    public var answers: [String: String] = [:]
    public var reasons: [String: String] = [:]

    public init(answers: [String: String] = [:], reasons: [String: String] = [:]) {
        self.answers = answers
        self.reasons = reasons
    }

    public init(from decoder: any Decoder) throws {
        let form = try decoder.container(keyedBy: CodingKeys.self)
        answers = try form.decodeIfPresent([String: String].self, forKey: .answers) ?? [:]
        reasons = try form.decodeIfPresent([String: String].self, forKey: .reasons) ?? [:]
    }

    public static let maximumReasonLength = 1000

    /// Every item answered, and a reason for every "no". Field names are `item-<code>`.
    public func validated(items: [String]) -> Result<CheckResult, FieldErrors> {
        var errors = FieldErrors()
        var failures: [String: String] = [:]
        for code in items {
            switch answers[code] {
            case "yes": continue
            case "no":
                guard let reason = Text.clean(reasons[code]) else {
                    errors.add("item-\(code)", "check.error.reason")
                    continue
                }
                if reason.count > Self.maximumReasonLength { errors.add("item-\(code)", "form.error.tooLong") }
                failures[code] = reason
            default:
                errors.add("item-\(code)", "check.error.answer")
            }
        }
        guard errors.isEmpty else { return .failure(errors) }
        return .success(CheckResult(items: items, failures: failures))
    }
}

/// A completed check: the items asked and, for those that failed, why.
public struct CheckResult: Codable, Sendable, Equatable {
    public let items: [String]
    public let failures: [String: String]

    public var passed: Bool { failures.isEmpty }
}
