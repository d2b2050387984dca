/// Validation problems of a form, keyed by field name, each a catalog key.
/// A form that fails comes back with what the user typed and one message per field.
public struct FieldErrors: Sendable, Equatable, Error {
    public private(set) var messages: [String: String] = [:]

    public init() {}

    public var isEmpty: Bool { messages.isEmpty }

    public subscript(field: String) -> String? { messages[field] }

    /// Records the first problem of a field; later ones for the same field are dropped,
    /// so the user sees one clear message at a time.
    public mutating func add(_ field: String, _ messageKey: String) {
        if messages[field] == nil { messages[field] = messageKey }
    }

    public mutating func merge(_ other: FieldErrors) {
        for (field, key) in other.messages { add(field, key) }
    }
}

/// A text field of a form: trimmed, required unless said otherwise, at most `limit` characters;
/// nil (with the field's message recorded) when it does not fit. An optional field left blank
/// reads as "".
func clean(_ value: String, _ field: String, limit: Int, required: Bool = true, into errors: inout FieldErrors) -> String? {
    guard let text = Text.clean(value) else {
        if required { errors.add(field, "form.error.required") }
        return required ? nil : ""
    }
    if text.count > limit { errors.add(field, "form.error.tooLong") }
    return text
}
