import Crypto
import Foundation
@testable import FuqizoCore
import Testing

@Suite("Identity primitives")
struct IdentityPrimitiveTests {
    @Test("TOTP matches the RFC 6238 SHA-1 test vectors (last six digits)")
    func rfc6238() {
        let totp = TOTP(secret: Array("12345678901234567890".utf8))
        let vectors: [(Int64, String)] = [(59, "287082"), (1_111_111_109, "081804"), (1_111_111_111, "050471"),
                                          (1_234_567_890, "005924"), (2_000_000_000, "279037"), (20_000_000_000, "353130")]
        for (seconds, code) in vectors {
            #expect(totp.code(atStep: seconds / 30) == code, "t=\(seconds)")
        }
    }

    @Test("a code is accepted one step either side, never twice, never with the wrong length")
    func window() {
        let totp = TOTP(secret: TOTP.randomSecret())
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let step = TOTP.step(at: now)
        #expect(totp.matchingStep(for: totp.code(atStep: step - 1), at: now, lastUsedStep: nil) == step - 1)
        #expect(totp.matchingStep(for: totp.code(atStep: step + 1), at: now, lastUsedStep: nil) == step + 1)
        #expect(totp.matchingStep(for: totp.code(atStep: step - 2), at: now, lastUsedStep: nil) == nil)
        #expect(totp.matchingStep(for: totp.code(atStep: step), at: now, lastUsedStep: step) == nil)
        #expect(totp.matchingStep(for: "12345", at: now, lastUsedStep: nil) == nil)
        let spaced = totp.code(atStep: step).enumerated().map { $0.offset == 3 ? " \($0.element)" : "\($0.element)" }.joined()
        #expect(totp.matchingStep(for: spaced, at: now, lastUsedStep: nil) == step)
    }

    @Test("base32 round-trips and rejects foreign characters")
    func base32() {
        let bytes: [UInt8] = Array(0...40)
        #expect(Base32.decode(Base32.encode(bytes)) == bytes)
        #expect(Base32.encode(Array("foobar".utf8)) == "MZXW6YTBOI")
        #expect(Base32.decode("mzxw 6ytb oi") == Array("foobar".utf8))
        #expect(Base32.decode("MZXW1") == nil)
    }

    @Test("the password policy wants length and refuses the usual guesses and the e-mail")
    func passwordPolicy() {
        let policy = PasswordPolicy(commonPasswords: ["password", "qwertyuiop", "shqiperia"])
        #expect(policy.problem(with: "short") == "password.error.short")
        #expect(policy.problem(with: "Password1234") == "password.error.common")
        #expect(policy.problem(with: "shqiperia2024!") == "password.error.common")
        #expect(policy.problem(with: "aaaaaaaaaaaaaa") == "password.error.common")
        #expect(policy.problem(with: "drita.kola is my name", email: "drita.kola@example.org") == "password.error.personal")
        #expect(policy.problem(with: "three blue ferries at dawn") == nil)
        #expect(policy.problem(with: String(repeating: "ab", count: 65)) == "password.error.long")
    }

    @Test("recovery codes are ten, distinct, and typed in any form")
    func recoveryCodes() {
        let codes = RecoveryCodes.generate()
        #expect(codes.count == 10 && Set(codes).count == 10)
        #expect(RecoveryCodes.normalise(codes[0].uppercased().replacingOccurrences(of: "-", with: " ")) == codes[0])
    }

    @Test("tokens are random and stored only as a digest")
    func tokens() {
        let a = SecretToken.generate(), b = SecretToken.generate()
        #expect(a != b && a.count >= 43)
        #expect(SecretToken.digest(a).count == 64 && SecretToken.digest(a) != a)
    }
}

@Suite("Envelope primitives")
struct CryptoTests {
    @Test("sealed data opens only with the same key and the same binding")
    func secretBox() throws {
        let key = MasterKey.generate()
        let box = SecretBox(key: key.derivedKey(for: "test"))
        let sealed = try box.seal(Data("Drita Kola".utf8), boundTo: "user:1:name")
        #expect(!String(decoding: sealed, as: UTF8.self).contains("Drita"))
        #expect(try box.open(sealed, boundTo: "user:1:name") == Data("Drita Kola".utf8))
        #expect(throws: SecretBox.Failure.authenticationFailed) { try box.open(sealed, boundTo: "user:2:name") }
        let otherKey = SecretBox(key: MasterKey.generate().derivedKey(for: "test"))
        #expect(throws: SecretBox.Failure.authenticationFailed) { try otherKey.open(sealed, boundTo: "user:1:name") }
        var tampered = sealed
        tampered[tampered.count / 2] ^= 0x01
        #expect(throws: SecretBox.Failure.authenticationFailed) { try box.open(tampered, boundTo: "user:1:name") }
        #expect(throws: SecretBox.Failure.malformed) { try box.open(Data([1, 2, 3]), boundTo: "user:1:name") }
    }

    @Test("derived keys differ by purpose; the check value identifies the key")
    func derivation() {
        let key = MasterKey.generate()
        let a = key.derivedKey(for: "csrf").withUnsafeBytes { Data($0) }
        let b = key.derivedKey(for: "address").withUnsafeBytes { Data($0) }
        #expect(a != b)
        #expect(MasterKey(base64: key.base64)?.checkValue == key.checkValue)
        #expect(MasterKey.generate().checkValue != key.checkValue)
        #expect(MasterKey(base64: "c2hvcnQ=") == nil)
    }
}

@Suite("Audit chain")
struct AuditChainTests {
    static var key: SymmetricKey { SymmetricKey(data: Data(repeating: 7, count: 32)) }

    func chain(_ count: Int) -> ([AuditRecord], [String]) {
        var records: [AuditRecord] = []
        var hashes: [String] = []
        var previous = AuditChain.genesisHash
        for index in 1...count {
            let record = AuditRecord(sequence: index, occurredAt: Date(timeIntervalSince1970: Double(index)), actorID: nil,
                                     action: "a\(index)", targetType: "t", targetID: "\(index)", details: "k=v", previousHash: previous)
            previous = AuditChain.hash(record, key: Self.key)
            records.append(record)
            hashes.append(previous)
        }
        return (records, hashes)
    }

    @Test("an intact chain verifies; any changed field, reorder or gap is named")
    func verification() {
        var (records, hashes) = chain(5)
        #expect(AuditChain.firstBreak(in: records, storedHashes: hashes, hash: { AuditChain.hash($0, key: Self.key) }) == nil)
        records[2].details = "k=w"
        #expect(AuditChain.firstBreak(in: records, storedHashes: hashes, hash: { AuditChain.hash($0, key: Self.key) }) == .hashMismatch(sequence: 3))
        (records, hashes) = chain(5)
        records.remove(at: 1)
        hashes.remove(at: 1)
        #expect(AuditChain.firstBreak(in: records, storedHashes: hashes, hash: { AuditChain.hash($0, key: Self.key) }) == .sequenceGap(expected: 2, found: 3))
        (records, hashes) = chain(5)
        records[3].previousHash = hashes[0]
        #expect(AuditChain.firstBreak(in: records, storedHashes: hashes, hash: { AuditChain.hash($0, key: Self.key) }) == .previousHashMismatch(sequence: 4))
    }

    @Test("field boundaries are part of the hash")
    func boundaries() {
        let a = AuditRecord(sequence: 1, occurredAt: Date(timeIntervalSince1970: 0), actorID: nil, action: "ab", targetType: "c",
                            targetID: nil, details: "", previousHash: AuditChain.genesisHash)
        var b = a
        b.action = "a"
        b.targetType = "bc"
        #expect(AuditChain.hash(a, key: Self.key) != AuditChain.hash(b, key: Self.key))
    }

    @Test("a chain rewritten and hashed again without the key is detected: SHA-256 alone no longer passes")
    func keyed() {
        var (records, _) = chain(3)
        records[1].details = "k=forged"
        // The forger recomputes every hash the way anyone could: plain SHA-256, or HMAC under a guessed key.
        var previous = AuditChain.genesisHash
        var forged: [String] = []
        for index in records.indices {
            records[index].previousHash = previous
            previous = AuditChain.legacyHash(records[index])
            forged.append(previous)
        }
        #expect(AuditChain.firstBreak(in: records, storedHashes: forged, hash: { AuditChain.hash($0, key: Self.key) }) == .hashMismatch(sequence: 1))
        let other = SymmetricKey(data: Data(repeating: 8, count: 32))
        #expect(AuditChain.hash(records[0], key: other) != AuditChain.hash(records[0], key: Self.key))
    }

    @Test("an anchor prints, reads back, and is authentic only under its key and unaltered")
    func anchors() throws {
        let anchor = AuditAnchor(sequence: 42, hash: String(repeating: "ab", count: 32), key: Self.key)
        let read = try #require(AuditAnchor(text: anchor.text))
        #expect(read == anchor && read.isAuthentic(key: Self.key))
        #expect(!read.isAuthentic(key: SymmetricKey(data: Data(repeating: 9, count: 32))))
        let altered = try #require(AuditAnchor(text: anchor.text.replacingOccurrences(of: " 42 ", with: " 41 ")))
        #expect(!altered.isAuthentic(key: Self.key))
        #expect(AuditAnchor(text: "fuqizo-audit-anchor-v1 x y z") == nil && AuditAnchor(text: "") == nil)
    }
}
