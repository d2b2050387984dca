import Crypto
import Foundation
@testable import FuqizoCore
import Testing

@Suite("Survivor data keys")
struct SurvivorKeyTests {
    let survivor = UUID()

    @Test("a field sealed with a survivor's key opens only with that key, that survivor and that field")
    func cipher() throws {
        let key = SurvivorDataKey.generate()
        let sealed = try key.seal("Drita Hoxha", survivor: survivor, field: "lastName")
        #expect(!String(decoding: sealed, as: UTF8.self).contains("Hoxha"))
        #expect(try key.open(sealed, survivor: survivor, field: "lastName") == "Drita Hoxha")
        #expect(throws: SecretBox.Failure.authenticationFailed) { try SurvivorDataKey.generate().open(sealed, survivor: survivor, field: "lastName") }
        #expect(throws: SecretBox.Failure.authenticationFailed) { try key.open(sealed, survivor: UUID(), field: "lastName") }
        #expect(throws: SecretBox.Failure.authenticationFailed) { try key.open(sealed, survivor: survivor, field: "firstName") }
        var tampered = sealed
        tampered[tampered.count / 2] ^= 0x01
        #expect(throws: SecretBox.Failure.authenticationFailed) { try key.open(tampered, survivor: survivor, field: "lastName") }
        #expect(try key.seal("x", survivor: survivor, field: "f") != key.seal("x", survivor: survivor, field: "f"), "a fresh nonce each time")
    }

    @Test("rotation re-wraps the data key under the new master key; the data still opens; the old master key no longer does")
    func rotation() throws {
        let old = SurvivorKeyWrapper(masterKey: .generate()), next = SurvivorKeyWrapper(masterKey: .generate())
        let key = SurvivorDataKey.generate()
        let sealed = try key.seal("+355 69 000 0000", survivor: survivor, field: "phone")
        let wrapped = try old.wrap(key, survivor: survivor)
        let rewrapped = try old.rewrap(wrapped, survivor: survivor, under: next)
        #expect(try next.unwrap(rewrapped, survivor: survivor).open(sealed, survivor: survivor, field: "phone") == "+355 69 000 0000")
        #expect(throws: SurvivorKeyWrapper.Failure.cannotUnwrap) { try old.unwrap(rewrapped, survivor: survivor) }
        #expect(throws: SurvivorKeyWrapper.Failure.cannotUnwrap) { try next.unwrap(rewrapped, survivor: UUID()) }
    }

    @Test("once the wrapped key is destroyed, nothing opens the data any more")
    func shredding() throws {
        let wrapper = SurvivorKeyWrapper(masterKey: .generate())
        let key = SurvivorDataKey.generate()
        _ = try wrapper.wrap(key, survivor: survivor)
        #expect(throws: SurvivorKeyWrapper.Failure.shredded) { try wrapper.unwrap(nil, survivor: survivor) }
    }

    @Test("the duplicate check matches a name however it is typed, and needs the master key")
    func duplicates() {
        let master = MasterKey.generate()
        let born = LocalDate("1994-03-12")!
        let a = DuplicateKey.make(firstName: "Drita", lastName: "Hoxha", birthDate: born, masterKey: master)
        #expect(a == DuplicateKey.make(firstName: " DRITA ", lastName: "hoxhä", birthDate: born, masterKey: master))
        #expect(a != DuplicateKey.make(firstName: "Drita", lastName: "Hoxha", birthDate: LocalDate("1994-03-13")!, masterKey: master))
        #expect(a != DuplicateKey.make(firstName: "Drita", lastName: "Hoxha", birthDate: born, masterKey: .generate()))
    }
}

@Suite("Survivor rules: codes, age bands, disability, consent, follow-ups")
struct SurvivorRuleTests {
    @Test("codes name a region, a year and a number, nothing else")
    func codes() {
        #expect(SurvivorCode.make(regionCode: "ku", year: 2019, number: 42) == "KU-2019-0042")
        #expect(SurvivorCode.isValid("KU-2019-0042") && !SurvivorCode.isValid("Drita-2019-1"))
    }

    @Test("age bands by the year reached, with the edges where they belong")
    func ageBands() {
        #expect(AgeBand.of(yearOfBirth: 2002, in: 2019) == .under18)
        #expect(AgeBand.of(yearOfBirth: 2001, in: 2019) == .from18to24)
        #expect(AgeBand.of(yearOfBirth: 1995, in: 2019) == .from18to24)
        #expect(AgeBand.of(yearOfBirth: 1994, in: 2019) == .from25to34)
        #expect(AgeBand.of(yearOfBirth: 1964, in: 2019) == .from55)
        #expect(AgeBand.of(yearOfBirth: nil, in: 2019) == .unknown && AgeBand.of(yearOfBirth: 2030, in: 2019) == .unknown)
    }

    @Test("the Washington Group cut-off: a lot of difficulty or cannot do, in any domain")
    func washingtonGroup() {
        #expect(!WashingtonGroup.hasDisability([.seeing: .someDifficulty, .walking: .someDifficulty]))
        #expect(WashingtonGroup.hasDisability([.seeing: .noDifficulty, .cognition: .aLotOfDifficulty]))
        #expect(WashingtonGroup.hasDisability([.selfCare: .cannotDoAtAll]))
        #expect(!WashingtonGroup.hasDisability([:]))
    }

    @Test("consent is per purpose, per recipient for referrals, and a withdrawal counts from its moment")
    func consent() {
        let given = Date(timeIntervalSince1970: 1_560_000_000), withdrawn = given.addingTimeInterval(86_400)
        let shelter = UUID()
        let records = [ConsentRecord(purpose: .services, givenAt: given),
                       ConsentRecord(purpose: .referral, recipient: shelter, givenAt: given, withdrawnAt: withdrawn)]
        #expect(ConsentRule.allows(.services, records: records, at: given))
        #expect(!ConsentRule.allows(.statistics, records: records, at: given), "no consent, no statistics")
        #expect(!ConsentRule.allows(.services, records: records, at: given.addingTimeInterval(-1)), "not before it was given")
        #expect(ConsentRule.allows(.referral, recipient: shelter, records: records, at: given.addingTimeInterval(3600)))
        #expect(!ConsentRule.allows(.referral, recipient: UUID(), records: records, at: given.addingTimeInterval(3600)))
        #expect(!ConsentRule.allows(.referral, recipient: shelter, records: records, at: withdrawn))
    }

    @Test("follow-ups at 3, 6 and 12 months: upcoming, due, late, done; month ends respected")
    func followUps() {
        let start = LocalDate("2019-11-30")!
        #expect(FollowUpSchedule.dates(from: start).map(\.description) == ["2020-02-29", "2020-05-30", "2020-11-30"])
        let first = LocalDate("2020-02-29")!
        #expect(FollowUpSchedule.state(of: first, today: LocalDate("2020-02-28")!, recorded: false) == .upcoming)
        #expect(FollowUpSchedule.state(of: first, today: first, recorded: false) == .due)
        #expect(FollowUpSchedule.state(of: first, today: LocalDate("2020-03-14")!, recorded: false) == .due)
        #expect(FollowUpSchedule.state(of: first, today: LocalDate("2020-03-15")!, recorded: false) == .late)
        #expect(FollowUpSchedule.state(of: first, today: LocalDate("2020-06-01")!, recorded: true) == .done)
    }
}
