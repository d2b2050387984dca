import Foundation

/// Why a step of a workflow cannot happen now, as the catalog key of the message a person
/// reads. The server answers it as a conflict (409) with that message.
public struct WorkflowRefusal: Error, Sendable, Equatable {
    public let messageKey: String

    public init(_ messageKey: String) {
        self.messageKey = messageKey
    }
}

/// A status with explicit transitions: every event either leads to a next status or is
/// refused with a reason. Anything not listed in `after(_:)` is refused.
public protocol Lifecycle: Sendable, Equatable {
    associatedtype Event

    func after(_ event: Event) -> Result<Self, WorkflowRefusal>
}

extension Lifecycle {
    public func allows(_ event: Event) -> Bool {
        if case .success = after(event) { return true }
        return false
    }

    /// The next status; throws the refusal.
    public func next(on event: Event) throws(WorkflowRefusal) -> Self {
        try after(event).get()
    }
}
