@testable import FuqizoCore
import Testing

@Suite("QR code")
struct QRCodeTests {
    @Test("Reed–Solomon codewords match the worked HELLO WORLD 1-M example")
    func reedSolomon() {
        let data: [UInt8] = [32, 91, 11, 120, 209, 114, 220, 77, 67, 64, 236, 17, 236, 17, 236, 17]
        let ecc = QRCode.reedSolomonRemainder(data, divisor: QRCode.reedSolomonDivisor(degree: 10))
        #expect(ecc == [196, 35, 39, 119, 235, 215, 231, 226, 93, 23])
    }

    @Test("capacities and versions follow the standard's tables at level M")
    func capacity() throws {
        #expect(QRCode.dataCapacity(1) == 16 && QRCode.dataCapacity(7) == 124 && QRCode.dataCapacity(10) == 216)
        #expect(try QRCode(text: String(repeating: "a", count: 14)).version == 1)
        #expect(try QRCode(text: String(repeating: "a", count: 15)).version == 2)
        #expect(throws: QRCode.Failure.tooLong) { try QRCode(text: String(repeating: "a", count: 300)) }
    }

    @Test("finder patterns, timing and format information are where a reader looks")
    func structure() throws {
        let uri = "otpauth://totp/Fuqizo:fuqizo?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Fuqizo&algorithm=SHA1&digits=6&period=30"
        let code = try QRCode(text: uri)
        #expect(code.version == 7 && code.size == 45)
        for (x, y) in [(0, 0), (code.size - 7, 0), (0, code.size - 7)] {
            #expect((0..<7).allSatisfy { code.modules[y][x + $0] && code.modules[y + 6][x + $0] })
            #expect(code.modules[y + 3][x + 3] && !code.modules[y + 1][x + 1])
        }
        #expect((8..<(code.size - 8)).allSatisfy { code.modules[6][$0] == ($0 % 2 == 0) })
        // The format bits of level M and the chosen mask, read back from beside the top-left finder.
        var bits = 0
        for index in 0..<6 { bits |= (code.modules[index][8] ? 1 : 0) << index }
        bits |= (code.modules[7][8] ? 1 : 0) << 6
        bits |= (code.modules[8][8] ? 1 : 0) << 7
        bits |= (code.modules[8][7] ? 1 : 0) << 8
        for index in 9..<15 { bits |= (code.modules[8][14 - index] ? 1 : 0) << index }
        let format = (bits ^ 0x5412) >> 10
        #expect(format >> 3 == 0, "level M")
        #expect(format & 7 == code.mask)
        #expect(code.svg().hasPrefix("<svg"))
    }
}
