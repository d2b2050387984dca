import Foundation
@testable import FuqizoCore
import PropertyBased
import Testing

/// Typed numbers must never reach arithmetic unbounded: these properties hold for every
/// string and every amount, not only the examples a person thought of.
@Suite("Bounded numbers, money and budgets")
struct BoundedNumberTests {
    static let hostile = ["9223372036854775807", "-9223372036854775808", "99999999999999999999999", "1e308", "NaN", "-0",
                          "", " ", "١٢٣", "0x10", "+5", "1.5", "--1", String(repeating: "9", count: 10_000)]

    @Test("a bounded integer is in its range or nil, for any text")
    func boundedIntegers() async {
        #expect(Bounded.integer(" 42 ", in: 1...100) == 42)
        for text in Self.hostile { #expect(Bounded.integer(text, in: 1...1_000_000).map { (1...1_000_000).contains($0) } ?? true) }
        await propertyCheck(input: Gen.int(in: .min ... .max)) { value in
            let parsed = Bounded.integer(String(value), in: -1_000...1_000_000)
            #expect(parsed == ((-1_000...1_000_000).contains(value) ? value : nil))
        }
    }

    @Test("money parses only amounts from 0 to one billion, and prints what it parsed")
    func moneyBounds() async {
        #expect(Money(parsing: "1000000000", currency: "EUR")?.minorUnits == Money.maximumMinorUnits)
        #expect(Money(parsing: "1000000000.01", currency: "EUR") == nil)
        #expect(Money(parsing: "60 000,50", currency: "EUR")?.minorUnits == 6_000_050)
        for text in Self.hostile + ["-5", "10000000000000"] {
            if let money = Money(parsing: text, currency: "EUR") { #expect((0...Money.maximumMinorUnits).contains(money.minorUnits)) }
        }
        await propertyCheck(input: Gen.int64(in: 0...Money.maximumMinorUnits)) { cents in
            let money = Money(minorUnits: cents, currency: "EUR")
            let text = money.description.dropFirst(4).replacingOccurrences(of: ",", with: "")
            #expect(Money(parsing: text, currency: "EUR") == money)
        }
        await propertyCheck(input: Gen.int64(in: (Money.maximumMinorUnits / 100 + 1)...(.max))) { units in
            #expect(Money(parsing: String(units), currency: "EUR") == nil)
        }
    }

    @Test("saturating arithmetic never traps and keeps the sign")
    func saturation() async {
        #expect(Int64.max.saturatingAdding(1) == .max)
        #expect(Int64.min.saturatingAdding(-1) == .min)
        #expect(Int64.max.saturatingMultiplied(by: -2) == .min)
        await propertyCheck(input: Gen.int64(), Gen.int64()) { a, b in
            let (sum, sumOverflow) = a.addingReportingOverflow(b)
            #expect(a.saturatingAdding(b) == (sumOverflow ? (b > 0 ? .max : .min) : sum))
            let (product, productOverflow) = a.multipliedReportingOverflow(by: b)
            if !productOverflow { #expect(a.saturatingMultiplied(by: b) == product) }
        }
    }

    @Test("any budget a form can produce is checked without trapping, and a huge one is refused")
    func budgetsNeverTrap() async {
        let line = zip(Gen<BudgetHeading>.case, Gen.int(in: .min ... .max), Gen.int64(in: .min ... .max)).map { parts in
            BudgetLine(heading: parts.0, description: "line", units: parts.1, unitCostMinorUnits: parts.2)
        }
        await propertyCheck(count: 300, input: line.array(of: 0...40), Gen.int64(in: .min ... .max)) { lines, requested in
            let budget = Budget(lines: lines, requestedMinorUnits: requested)
            let problems = budget.problems(under: .default)
            let bad = lines.contains { $0.units <= 0 || $0.units > BudgetLine.maximumUnits || $0.unitCostMinorUnits < 0
                || $0.unitCostMinorUnits > Money.maximumMinorUnits }
            // A line out of range is named; a budget whose total is beyond any grant is refused.
            if bad { #expect(!problems.isEmpty) }
            if budget.totalMinorUnits > Money.maximumMinorUnits { #expect(problems["budget"] == "budget.error.totalTooLarge") }
            _ = budget.coFinancingMinorUnits
        }
    }

    @Test("budget lines typed into the form are parsed into range or reported, never stored as huge numbers")
    func typedLines() async {
        let text = Gen.oneOf(Gen.element(of: Self.hostile).map { $0 ?? "" }, Gen.int(in: .min ... .max).map { String($0) })
        await propertyCheck(count: 300, input: text, text) { units, cost in
            var content = ApplicationContent()
            content.lines = [.init(heading: "travel", description: "Bus tickets", units: units, unitCost: cost)]
            content.requested = cost
            let (budget, errors) = content.budget(currency: "EUR")
            for line in budget.lines {
                #expect((1...BudgetLine.maximumUnits).contains(line.units))
                #expect((0...Money.maximumMinorUnits).contains(line.unitCostMinorUnits))
            }
            #expect(budget.lines.count + errors.messages.count == 1)
            _ = content.problems(stage: .full, rules: .default, currency: "EUR")
        }
    }

    @Test("a pager clamps any page number to the pages that exist")
    func pager() async {
        let last = Pager(requested: .max, total: 101, pageSize: 50)
        #expect(last.page == 3 && last.offset == 100 && last.next == nil && last.previous == 2)
        #expect(Pager(requested: .min, total: 0, pageSize: 50).page == 1)
        #expect(Pager(requested: nil, total: 0, pageSize: 50).pageCount == 1)
        await propertyCheck(input: Gen.int(in: .min ... .max), Gen.int(in: 0...10_000_000), Gen.int(in: 1...500)) { page, total, size in
            let pager = Pager(requested: page, total: total, pageSize: size)
            #expect((1...pager.pageCount).contains(pager.page))
            #expect(pager.offset >= 0 && pager.offset <= total)
        }
    }
}
