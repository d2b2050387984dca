import Foundation

/// The second step of an action that cannot be undone: the person has seen what will happen
/// and says why. The first post of such a form carries no `confirmed`; the server answers with
/// the confirmation (a page, or a dialog when script runs) and acts only on the second.
public struct ConfirmationForm: Codable, Sendable, Equatable {
    /// "yes" once the person has seen the confirmation.
    public var confirmed = ""
    public var reason = ""

    public static let maximumReason = 500

    public init(confirmed: String = "", reason: String = "") {
        self.confirmed = confirmed
        self.reason = reason
    }

    public init(from decoder: any Decoder) throws {
        let form = try decoder.container(keyedBy: CodingKeys.self)
        confirmed = try form.text(.confirmed)
        reason = try form.text(.reason)
    }

    public var isConfirmed: Bool { confirmed == "yes" }

    /// A reason in the person's words, for actions on organisations' and staff records: one
    /// to 500 characters, kept in the audit entry.
    public func writtenReason() -> Result<String, FieldErrors> {
        var errors = FieldErrors()
        guard let text = Text.clean(reason) else {
            errors.add("reason", "confirm.error.reason")
            return .failure(errors)
        }
        guard text.count <= Self.maximumReason else {
            errors.add("reason", "form.error.tooLong")
            return .failure(errors)
        }
        // One line: the audit trail shows it as part of a sentence.
        return .success(text.split(whereSeparator: \.isNewline).joined(separator: " "))
    }

    /// A reason chosen from a list, for actions on a survivor's record: the audit keeps the
    /// code, never words that could describe her.
    public func chosenReason<Reason: RawRepresentable & CaseIterable>(_ type: Reason.Type) -> Result<Reason, FieldErrors>
    where Reason.RawValue == String {
        guard let reason = Reason(rawValue: reason.trimmingCharacters(in: .whitespaces)) else {
            var errors = FieldErrors()
            errors.add("reason", "form.error.choose")
            return .failure(errors)
        }
        return .success(reason)
    }
}

/// Why a survivor's consent is withdrawn.
public enum ConsentWithdrawalReason: String, CaseIterable, Codable, Sendable {
    case survivorAsked, purposeEnded, recordedInError, survivorUnreachable
    public var catalogKey: String { "consent.withdrawalReason.\(rawValue)" }
}

/// Why a survivor's identity is erased.
public enum ErasureReason: String, CaseIterable, Codable, Sendable {
    case survivorAsked, retentionEnded, recordedInError, safetyRisk
    public var catalogKey: String { "survivor.erasureReason.\(rawValue)" }
}
