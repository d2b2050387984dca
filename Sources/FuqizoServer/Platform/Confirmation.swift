import Foundation
import FuqizoCore
import Vapor

/// What the confirmation of an irreversible action says and where it posts. Without script
/// it is a page of its own; with script, `confirm.js` shows the same form in a dialog.
struct ConfirmationContext: Encodable {
    struct Hidden: Encodable {
        let name: String
        let value: String
    }

    let titleKey: String
    /// What will happen, in the person's language, already filled in.
    let consequence: String
    /// Further lines the person should read before confirming (a check's failed items).
    let details: [String]
    /// The same path the first post went to.
    let action: String
    let cancel: String
    /// The first post's own fields, carried over unchanged.
    let hidden: [Hidden]
    /// The reason, and any other field the action asks for (an erasure's typed code).
    let fields: [FieldContext]
    let confirmKey: String
    let hasErrors: Bool

    init(title: String, consequence: String, details: [String] = [], action: String, cancel: SiteURL, hidden: [(String, String)] = [],
         fields: [FieldContext], confirm: String = "confirm.button") {
        titleKey = title
        self.consequence = consequence
        self.details = details
        self.action = action
        self.cancel = cancel.path
        self.hidden = hidden.map { Hidden(name: $0.0, value: $0.1) }
        self.fields = fields
        confirmKey = confirm
        hasErrors = fields.contains { $0.errorKey != nil }
    }

    /// A reason in the person's words (organisations' and staff records).
    static func writtenReason(_ form: ConfirmationForm, errors: FieldErrors) -> FieldContext {
        FieldContext("reason", label: "confirm.reason", kind: "textarea", value: form.reason, errors: errors, required: true, hint: "confirm.reason.hint")
    }

    /// A reason from a list (a survivor's record: codes only).
    static func chosenReason<Reason: RawRepresentable & CaseIterable>(_ type: Reason.Type, key: (Reason) -> String, _ form: ConfirmationForm,
                                                                      errors: FieldErrors, language: Language, catalog: Catalog) -> FieldContext
    where Reason.RawValue == String {
        FieldContext("reason", label: "confirm.reason", kind: "select", value: form.reason, options: Reason.allCases.map {
            FieldContext.Option(value: $0.rawValue, label: catalog.text(key($0), language), selected: $0.rawValue == form.reason)
        }, errors: errors, required: true)
    }
}

/// A destructive form's answer: go on with the reason, or show the confirmation first.
enum Confirmed<Reason> {
    case reason(Reason)
    case ask(Response)
}

extension Request {
    /// Reads an irreversible action's form. A first post (not yet confirmed) gets the
    /// confirmation; a confirmed post with a missing reason gets it again with the error (400);
    /// otherwise the reason `read` accepted.
    func confirmation<Reason>(_ read: (ConfirmationForm) -> Result<Reason, FieldErrors>,
                              _ page: (ConfirmationForm, FieldErrors) -> ConfirmationContext) async throws -> Confirmed<Reason> {
        let form = try self.form(ConfirmationForm.self)
        guard form.isConfirmed else { return .ask(try await self.page("confirm", title: "confirm.title", page(form, FieldErrors()), status: .ok)) }
        switch read(form) {
        case .success(let reason): return .reason(reason)
        case .failure(let errors): return .ask(try await self.page("confirm", title: "confirm.title", page(form, errors), status: .badRequest))
        }
    }
}
