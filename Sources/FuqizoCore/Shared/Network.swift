import Foundation

/// An IPv4 or IPv6 address as its bytes (4 or 16), parsed without the C library so the core
/// stays portable. IPv4-mapped IPv6 addresses (`::ffff:10.0.0.1`) are the IPv4 address.
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init?(_ text: String) {
        let text = text.trimmingCharacters(in: .whitespaces)
        if let v4 = Self.parseV4(Substring(text)) {
            bytes = v4
        } else if let v6 = Self.parseV6(text) {
            let mappedPrefix: [UInt8] = Array(repeating: 0, count: 10) + [0xFF, 0xFF]
            bytes = Array(v6.prefix(12)) == mappedPrefix ? Array(v6.suffix(4)) : v6
        } else {
            return nil
        }
    }

    public var isLoopback: Bool {
        bytes.count == 4 ? bytes[0] == 127 : bytes == Array(repeating: 0, count: 15) + [1]
    }

    public var description: String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        return stride(from: 0, to: 16, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }.joined(separator: ":")
    }

    private static func parseV4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy({ $0.isASCII && $0.isNumber }), let value = UInt8(part) else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    private static func parseV6(_ text: String) -> [UInt8]? {
        guard text.contains(":"), text.count <= 45 else { return nil }
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String) -> [UInt8]? {
            guard !part.isEmpty else { return [] }
            var bytes: [UInt8] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, piece) in pieces.enumerated() {
                if index == pieces.count - 1, piece.contains("."), let v4 = parseV4(piece) {
                    bytes += v4
                    continue
                }
                guard (1...4).contains(piece.count), let value = UInt16(piece, radix: 16) else { return nil }
                bytes += [UInt8(value >> 8), UInt8(value & 0xFF)]
            }
            return bytes
        }
        guard let head = groups(halves[0]) else { return nil }
        if halves.count == 1 { return head.count == 16 ? head : nil }
        guard let tail = groups(halves[1]), head.count + tail.count < 16 else { return nil }
        return head + Array(repeating: 0, count: 16 - head.count - tail.count) + tail
    }
}

/// An address or a CIDR range (`10.0.0.0/8`, `::1`, `fd00::/8`): the form of
/// `FUQIZO_TRUSTED_PROXIES`.
public struct IPRange: Hashable, Sendable {
    public let network: IPAddress
    public let prefixLength: Int

    public init?(_ text: String) {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let address = IPAddress(String(parts[0])) else { return nil }
        let bits = address.bytes.count * 8
        if parts.count == 2 {
            guard let length = Int(parts[1]), (0...bits).contains(length) else { return nil }
            prefixLength = length
        } else {
            prefixLength = bits
        }
        network = address
    }

    public func contains(_ address: IPAddress) -> Bool {
        guard address.bytes.count == network.bytes.count else { return false }
        var remaining = prefixLength
        for (mine, theirs) in zip(network.bytes, address.bytes) where remaining > 0 {
            let mask: UInt8 = remaining >= 8 ? 0xFF : ~(0xFF >> UInt8(remaining))
            guard mine & mask == theirs & mask else { return false }
            remaining -= 8
        }
        return true
    }

    /// A comma- or space-separated list; nil when an entry is not an address or a range.
    public static func list(_ text: String) -> [IPRange]? {
        var ranges: [IPRange] = []
        for entry in text.split(whereSeparator: { $0 == "," || $0 == " " }) {
            guard let range = IPRange(String(entry)) else { return nil }
            ranges.append(range)
        }
        return ranges
    }
}

/// Who is at the other end of a request, when proxies may stand between. `X-Forwarded-For`
/// is believed only from a trusted proxy, and only as far as the chain of trusted proxies
/// goes: the client is the last address that is not itself a trusted proxy.
public enum ClientAddress {
    public static func resolve(peer: IPAddress?, forwardedFor: [String], trusted: [IPRange]) -> IPAddress? {
        guard let peer else { return nil }
        guard trusted.contains(where: { $0.contains(peer) }) else { return peer }
        let chain = forwardedFor.flatMap { $0.split(separator: ",") }.map { IPAddress(String($0)) }
        var client = peer
        for hop in chain.reversed() {
            // A forwarded value that is not an address ends what can be believed.
            guard let hop else { return client }
            client = hop
            if !trusted.contains(where: { $0.contains(hop) }) { return hop }
        }
        return client
    }
}
