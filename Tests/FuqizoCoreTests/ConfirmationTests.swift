import Foundation
@testable import FuqizoCore
import Testing

@Suite("Confirming an irreversible action")
struct ConfirmationTests {
    @Test("a written reason is required, kept to one line, and bounded")
    func writtenReason() {
        #expect(ConfirmationForm(confirmed: "yes", reason: "  ").writtenReason() == .failure({ var e = FieldErrors(); e.add("reason", "confirm.error.reason"); return e }()))
        #expect(ConfirmationForm(confirmed: "yes", reason: " The CSO declined\nby letter. ").writtenReason() == .success("The CSO declined by letter."))
        let long = String(repeating: "a", count: ConfirmationForm.maximumReason + 1)
        #expect(ConfirmationForm(confirmed: "yes", reason: long).writtenReason() == .failure({ var e = FieldErrors(); e.add("reason", "form.error.tooLong"); return e }()))
        #expect(!ConfirmationForm(reason: "x").isConfirmed && ConfirmationForm(confirmed: "yes").isConfirmed)
    }

    @Test("a survivor's reason is a code from the list, never words")
    func chosenReason() {
        #expect(ConfirmationForm(confirmed: "yes", reason: "survivorAsked").chosenReason(ConsentWithdrawalReason.self) == .success(.survivorAsked))
        #expect(ConfirmationForm(confirmed: "yes", reason: "she moved to Durrës").chosenReason(ErasureReason.self)
            == .failure({ var e = FieldErrors(); e.add("reason", "form.error.choose"); return e }()))
    }
}
