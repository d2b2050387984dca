/// A QR code (ISO/IEC 18004) in byte mode at error-correction level M, versions 1–10 — enough
/// for an `otpauth://` enrolment link. Drawn server-side as SVG, so enrolling an authenticator
/// needs no JavaScript and no third-party service that would see the secret.
public struct QRCode: Sendable {
    public let version: Int
    public let size: Int
    /// `modules[y][x]`: true for a dark module.
    public private(set) var modules: [[Bool]]
    public private(set) var mask: Int

    public enum Failure: Error, Equatable {
        case tooLong
    }

    // Level M: error-correction codewords per block and number of blocks, versions 1–10.
    static let eccPerBlock = [10, 16, 26, 18, 24, 16, 18, 22, 22, 26]
    static let blockCount = [1, 1, 1, 2, 2, 4, 4, 4, 5, 5]

    public init(bytes: [UInt8]) throws {
        guard let version = (1...10).first(where: { Self.dataCapacity($0) * 8 >= 4 + Self.countBits($0) + bytes.count * 8 }) else {
            throw Failure.tooLong
        }
        self.version = version
        size = version * 4 + 17
        modules = Array(repeating: Array(repeating: false, count: size), count: size)
        mask = 0
        var isFunction = Array(repeating: Array(repeating: false, count: size), count: size)
        drawFunctionPatterns(&isFunction)
        let codewords = Self.interleaved(Self.dataCodewords(bytes, version: version), version: version)
        drawCodewords(codewords, isFunction: isFunction)
        // Try every mask and keep the one with the lowest penalty, as the standard asks.
        var best = (mask: 0, penalty: Int.max)
        for candidate in 0..<8 {
            var trial = self
            trial.apply(mask: candidate, isFunction: isFunction)
            trial.drawFormatBits(mask: candidate)
            let penalty = trial.penalty()
            if penalty < best.penalty { best = (candidate, penalty) }
        }
        apply(mask: best.mask, isFunction: isFunction)
        drawFormatBits(mask: best.mask)
        mask = best.mask
    }

    public init(text: String) throws {
        try self.init(bytes: Array(text.utf8))
    }

    // MARK: capacity

    static func rawDataModules(_ version: Int) -> Int {
        var result = (16 * version + 128) * version + 64
        if version >= 2 {
            let alignments = version / 7 + 2
            result -= (25 * alignments - 10) * alignments - 55
            if version >= 7 { result -= 36 }
        }
        return result
    }

    static func dataCapacity(_ version: Int) -> Int {
        rawDataModules(version) / 8 - eccPerBlock[version - 1] * blockCount[version - 1]
    }

    static func countBits(_ version: Int) -> Int { version <= 9 ? 8 : 16 }

    // MARK: data and error correction

    static func dataCodewords(_ bytes: [UInt8], version: Int) -> [UInt8] {
        var bits: [Bool] = []
        func append(_ value: Int, _ count: Int) {
            for shift in stride(from: count - 1, through: 0, by: -1) { bits.append((value >> shift) & 1 == 1) }
        }
        append(0b0100, 4)
        append(bytes.count, countBits(version))
        for byte in bytes { append(Int(byte), 8) }
        let capacityBits = dataCapacity(version) * 8
        append(0, min(4, capacityBits - bits.count))
        append(0, (8 - bits.count % 8) % 8)
        var codewords = stride(from: 0, to: bits.count, by: 8).map { start in
            bits[start..<start + 8].reduce(UInt8(0)) { ($0 << 1) | ($1 ? 1 : 0) }
        }
        var pad: UInt8 = 0xEC
        while codewords.count < dataCapacity(version) {
            codewords.append(pad)
            pad = pad == 0xEC ? 0x11 : 0xEC
        }
        return codewords
    }

    /// Splits the data into blocks, adds each block's Reed–Solomon codewords, and interleaves.
    static func interleaved(_ data: [UInt8], version: Int) -> [UInt8] {
        let blocks = blockCount[version - 1], ecc = eccPerBlock[version - 1]
        let raw = rawDataModules(version) / 8
        let shortBlocks = blocks - raw % blocks
        let shortLength = raw / blocks
        let divisor = reedSolomonDivisor(degree: ecc)
        var split: [[UInt8]] = []
        var offset = 0
        for index in 0..<blocks {
            let length = shortLength - ecc + (index < shortBlocks ? 0 : 1)
            var block = Array(data[offset..<offset + length])
            offset += length
            let remainder = reedSolomonRemainder(block, divisor: divisor)
            if index < shortBlocks { block.append(0) }
            split.append(block + remainder)
        }
        var result: [UInt8] = []
        for position in 0..<split[0].count {
            for (index, block) in split.enumerated() where position != shortLength - ecc || index >= shortBlocks {
                result.append(block[position])
            }
        }
        return result
    }

    static func multiply(_ x: UInt8, _ y: UInt8) -> UInt8 {
        var z = 0
        for bit in stride(from: 7, through: 0, by: -1) {
            z = (z << 1) ^ ((z >> 7) * 0x11D)
            z ^= ((Int(y) >> bit) & 1) * Int(x)
        }
        return UInt8(z & 0xFF)
    }

    static func reedSolomonDivisor(degree: Int) -> [UInt8] {
        var result = Array(repeating: UInt8(0), count: degree - 1) + [1]
        var root: UInt8 = 1
        for _ in 0..<degree {
            for index in 0..<degree {
                result[index] = multiply(result[index], root)
                if index + 1 < degree { result[index] ^= result[index + 1] }
            }
            root = multiply(root, 0x02)
        }
        return result
    }

    static func reedSolomonRemainder(_ data: [UInt8], divisor: [UInt8]) -> [UInt8] {
        var result = Array(repeating: UInt8(0), count: divisor.count)
        for byte in data {
            let factor = byte ^ result.removeFirst()
            result.append(0)
            for (index, coefficient) in divisor.enumerated() { result[index] ^= multiply(coefficient, factor) }
        }
        return result
    }

    // MARK: drawing

    private mutating func set(_ x: Int, _ y: Int, _ dark: Bool, _ isFunction: inout [[Bool]]) {
        modules[y][x] = dark
        isFunction[y][x] = true
    }

    var alignmentPositions: [Int] {
        guard version > 1 else { return [] }
        let count = version / 7 + 2
        let step = (version * 8 + count * 3 + 5) / (count * 4 - 4) * 2
        return ([6] + (0..<(count - 1)).map { size - 7 - $0 * step }.reversed())
    }

    private mutating func drawFunctionPatterns(_ isFunction: inout [[Bool]]) {
        for index in 0..<size {
            set(6, index, index % 2 == 0, &isFunction)
            set(index, 6, index % 2 == 0, &isFunction)
        }
        for (cx, cy) in [(3, 3), (size - 4, 3), (3, size - 4)] {
            for dy in -4...4 {
                for dx in -4...4 {
                    let x = cx + dx, y = cy + dy
                    guard (0..<size).contains(x), (0..<size).contains(y) else { continue }
                    let distance = max(abs(dx), abs(dy))
                    set(x, y, distance != 2 && distance != 4, &isFunction)
                }
            }
        }
        let positions = alignmentPositions
        for (i, cx) in positions.enumerated() {
            for (j, cy) in positions.enumerated() {
                let last = positions.count - 1
                if (i == 0 && j == 0) || (i == 0 && j == last) || (i == last && j == 0) { continue }
                for dy in -2...2 {
                    for dx in -2...2 { set(cx + dx, cy + dy, max(abs(dx), abs(dy)) != 1, &isFunction) }
                }
            }
        }
        // Reserve the format areas (drawn once the mask is chosen) and the dark module.
        for index in 0..<9 {
            isFunction[8][index] = true
            isFunction[index][8] = true
        }
        for index in 0..<8 {
            isFunction[8][size - 1 - index] = true
            isFunction[size - 1 - index][8] = true
        }
        set(8, size - 8, true, &isFunction)
        if version >= 7 {
            var remainder = version
            for _ in 0..<12 { remainder = (remainder << 1) ^ ((remainder >> 11) * 0x1F25) }
            let bits = version << 12 | remainder
            for index in 0..<18 {
                let dark = (bits >> index) & 1 == 1
                let a = size - 11 + index % 3, b = index / 3
                set(a, b, dark, &isFunction)
                set(b, a, dark, &isFunction)
            }
        }
    }

    mutating func drawFormatBits(mask: Int) {
        let data = 0b00 << 3 | mask // level M
        var remainder = data
        for _ in 0..<10 { remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537) }
        let bits = (data << 10 | remainder) ^ 0x5412
        func bit(_ index: Int) -> Bool { (bits >> index) & 1 == 1 }
        for index in 0..<6 { modules[index][8] = bit(index) }
        modules[7][8] = bit(6)
        modules[8][8] = bit(7)
        modules[8][7] = bit(8)
        for index in 9..<15 { modules[8][14 - index] = bit(index) }
        for index in 0..<8 { modules[8][size - 1 - index] = bit(index) }
        for index in 8..<15 { modules[size - 15 + index][8] = bit(index) }
        modules[size - 8][8] = true
    }

    private mutating func drawCodewords(_ codewords: [UInt8], isFunction: [[Bool]]) {
        var bitIndex = 0
        var right = size - 1
        while right >= 1 {
            if right == 6 { right = 5 }
            for vertical in 0..<size {
                for offset in 0..<2 {
                    let x = right - offset
                    let upward = (right + 1) & 2 == 0
                    let y = upward ? size - 1 - vertical : vertical
                    if !isFunction[y][x], bitIndex < codewords.count * 8 {
                        modules[y][x] = (codewords[bitIndex >> 3] >> (7 - UInt8(bitIndex & 7))) & 1 == 1
                        bitIndex += 1
                    }
                }
            }
            right -= 2
        }
    }

    private mutating func apply(mask: Int, isFunction: [[Bool]]) {
        for y in 0..<size {
            for x in 0..<size where !isFunction[y][x] {
                let flip: Bool = switch mask {
                case 0: (x + y) % 2 == 0
                case 1: y % 2 == 0
                case 2: x % 3 == 0
                case 3: (x + y) % 3 == 0
                case 4: (x / 3 + y / 2) % 2 == 0
                case 5: x * y % 2 + x * y % 3 == 0
                case 6: (x * y % 2 + x * y % 3) % 2 == 0
                default: ((x + y) % 2 + x * y % 3) % 2 == 0
                }
                if flip { modules[y][x].toggle() }
            }
        }
    }

    /// The standard's four penalty rules: long runs, 2×2 blocks, finder-like patterns, and
    /// an unbalanced share of dark modules.
    func penalty() -> Int {
        var total = 0
        let lines = modules + (0..<size).map { x in (0..<size).map { modules[$0][x] } }
        let finderLike: [[Bool]] = [
            [true, false, true, true, true, false, true, false, false, false, false],
            [false, false, false, false, true, false, true, true, true, false, true],
        ]
        for line in lines {
            var run = 1
            for index in 1..<line.count {
                if line[index] == line[index - 1] {
                    run += 1
                } else {
                    if run >= 5 { total += run - 2 }
                    run = 1
                }
            }
            if run >= 5 { total += run - 2 }
            if line.count >= 11 {
                for start in 0...(line.count - 11) where finderLike.contains(where: { Array(line[start..<start + 11]) == $0 }) {
                    total += 40
                }
            }
        }
        for y in 0..<(size - 1) {
            for x in 0..<(size - 1) {
                let colour = modules[y][x]
                if modules[y][x + 1] == colour, modules[y + 1][x] == colour, modules[y + 1][x + 1] == colour { total += 3 }
            }
        }
        let dark = modules.reduce(0) { $0 + $1.filter { $0 }.count }
        let area = size * size
        let steps = (abs(dark * 20 - area * 10) + area - 1) / area - 1
        return total + max(0, steps) * 10
    }

    /// SVG with a four-module quiet zone; dark runs of a row are drawn as one rectangle.
    public func svg(pixelsPerModule: Int = 4) -> String {
        let full = size + 8
        var path = ""
        for y in 0..<size {
            var x = 0
            while x < size {
                guard modules[y][x] else { x += 1; continue }
                var end = x
                while end < size, modules[y][end] { end += 1 }
                path += "M\(x + 4) \(y + 4)h\(end - x)v1h-\(end - x)z"
                x = end
            }
        }
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(full) \(full)\" width=\"\(full * pixelsPerModule)\" height=\"\(full * pixelsPerModule)\" shape-rendering=\"crispEdges\"><rect width=\"\(full)\" height=\"\(full)\" fill=\"#fff\"/><path d=\"\(path)\" fill=\"#000\"/></svg>"
    }
}
