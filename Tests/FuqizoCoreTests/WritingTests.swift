import Foundation
@testable import FuqizoCore
import Testing

@Suite("Numbers, amounts and audit details as people read them")
struct WritingTests {
    @Test("an amount is written the way each language writes it")
    func money() {
        let amount = Money(minorUnits: 2_500_050, currency: "EUR")
        #expect(amount.written(in: .sq) == "25.000,50\u{00A0}€")
        #expect(amount.written(in: .en) == "€25,000.50")
        #expect(Money(minorUnits: 5, currency: "EUR").written(in: .sq) == "0,05\u{00A0}€")
        #expect(Money(minorUnits: 100_000_000_000, currency: "EUR").written(in: .en) == "€1,000,000,000.00")
        #expect(Money(minorUnits: -150, currency: "EUR").written(in: .en) == "-€1.50")
        #expect(Money(minorUnits: 123_400, currency: "ALL").written(in: .sq) == "1.234,00\u{00A0}ALL")
        #expect(Money(minorUnits: 123_400, currency: "ALL").written(in: .en) == "ALL\u{00A0}1,234.00")
        // The extremes of the type do not trap.
        #expect(!Money(minorUnits: .min, currency: "EUR").written(in: .sq).isEmpty)
        #expect(!Money(minorUnits: .max, currency: "EUR").written(in: .en).isEmpty)
    }

    @Test("counts group thousands per language, and plurals use the grouped figure")
    func counts() {
        #expect(NumberWriting.grouped(1_857, .sq) == "1.857")
        #expect(NumberWriting.grouped(1_857, .en) == "1,857")
        #expect(NumberWriting.grouped(999, .en) == "999")
        #expect(NumberWriting.grouped(-12_000, .sq) == "-12.000")
        #expect(NumberWriting.grouped(Int64.min, .en).hasPrefix("-9,223"))
        let catalog = Catalog(strings: [.sq: ["a.one": "{count} aplikim", "a.other": "{count} aplikime"],
                                        .en: ["a.one": "{count} application", "a.other": "{count} applications"]])
        #expect(catalog.counted("a", 1, .sq) == "1 aplikim")
        #expect(catalog.counted("a", 2, .sq) == "2 aplikime")
        #expect(catalog.counted("a", 2_000, .sq) == "2.000 aplikime")
        #expect(catalog.counted("a", 2_000, .en) == "2,000 applications")
    }

    @Test("an audit entry's stored details read back as pairs, a reason with '; ' kept whole")
    func details() {
        let pairs = AuditDetails.parse("purpose=club; reason=survivorAsked")
        #expect(pairs.map(\.key) == ["purpose", "reason"] && pairs.map(\.value) == ["club", "survivorAsked"])
        let worded = AuditDetails.parse("reason=Left the programme; moved abroad; user=42")
        #expect(worded.map(\.key) == ["reason", "user"])
        #expect(worded.first?.value == "Left the programme; moved abroad")
        #expect(AuditDetails.parse("").isEmpty)
        #expect(AuditDetails.parse("a=b=c").first?.value == "b=c")
    }
}
