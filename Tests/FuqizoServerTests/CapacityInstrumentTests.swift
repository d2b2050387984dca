import Foundation
@testable import FuqizoCore
@testable import FuqizoServer
import Testing

/// The default capacity assessment instrument shipped with Fuqizo.
@Suite("The default capacity instrument")
struct CapacityInstrumentTests {
    @Test("seven OCA domains of five questions, every text and each of the four levels in Albanian and English")
    func defaultInstrument() throws {
        let file = ResourceLocation.directory(override: nil).appendingPathComponent("Data/capacity-instrument.json")
        let instrument = try JSONDecoder().decode(CapacityInstrument.self, from: Data(contentsOf: file))
        #expect(instrument.problems().isEmpty)
        #expect(instrument.domains.map(\.key) == ["governance", "finance", "administration", "people", "programmes", "monitoring", "sustainability"])
        #expect(instrument.domains.allSatisfy { $0.questions.count == 5 })
        // The levels climb: no two levels of a question read the same.
        for question in instrument.questions {
            #expect(Set(question.levelsSq).count == 4 && Set(question.levelsEn).count == 4, "\(question.key)")
        }
    }
}
