import FuqizoCore
import Vapor

extension AppError {
    /// A workflow step refused by its state machine: a conflict, with the refusal's message.
    init(_ refusal: WorkflowRefusal) {
        self.init(status: .conflict, messageKey: refusal.messageKey)
    }
}

extension Lifecycle {
    /// The status after `event`, or a 409 with the state machine's reason.
    func transition(_ event: Event) throws -> Self {
        switch after(event) {
        case .success(let next): return next
        case .failure(let refusal): throw AppError(refusal)
        }
    }
}
