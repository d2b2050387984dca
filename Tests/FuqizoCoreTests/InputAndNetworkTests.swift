import Foundation
@testable import FuqizoCore
import PropertyBased
import Testing

@Suite("Form input and client addresses")
struct InputAndNetworkTests {
    @Test("form text with invalid UTF-8, NUL or control characters is refused; what people type is not")
    func formInput() {
        #expect(FormInput.isClean(urlEncoded: Array("name=Drita+Hoxha&note=Rr.+%C3%8Bsht%C3%AB%0D%0A2%09x".utf8)))
        #expect(FormInput.isClean(urlEncoded: Array("".utf8)))
        for bad in ["a=%00", "a=%FF%FE", "a=%C0%AF", "a=%E2%82", "a=%G1", "a=%", "a=%1B[2J", "a%00=1", "a=\u{7F}"] {
            #expect(!FormInput.isClean(urlEncoded: Array(bad.utf8)), "\(bad) must be refused")
        }
    }

    @Test("addresses and ranges parse as written, IPv4-mapped IPv6 is IPv4")
    func addresses() throws {
        #expect(IPAddress("127.0.0.1")?.isLoopback == true)
        #expect(IPAddress("::1")?.isLoopback == true)
        #expect(IPAddress("::ffff:10.1.2.3") == IPAddress("10.1.2.3"))
        #expect(IPAddress("2001:db8::1")?.bytes.count == 16)
        for bad in ["", "1.2.3", "1.2.3.256", "01234.1.1.1", "::1::", "g::1", "1.2.3.4/8", "1:2:3:4:5:6:7:8:9"] {
            #expect(IPAddress(bad) == nil, "\(bad)")
        }
        let range = try #require(IPRange("10.0.0.0/8"))
        #expect(range.contains(try #require(IPAddress("10.200.1.1"))))
        #expect(!range.contains(try #require(IPAddress("11.0.0.1"))))
        #expect(!range.contains(try #require(IPAddress("::ffff:b00:1"))))
        #expect(try #require(IPRange("fd00::/8")).contains(try #require(IPAddress("fd12::5"))))
        #expect(IPRange("10.0.0.0/33") == nil && IPRange("10.0.0.0/x") == nil)
        #expect(IPRange.list("127.0.0.1, 10.0.0.0/8 ::1")?.count == 3)
        #expect(IPRange.list("127.0.0.1, proxy.example") == nil)
    }

    @Test("X-Forwarded-For is believed only from a trusted proxy, and only up to the first untrusted hop")
    func clientAddress() throws {
        let proxy = try #require(IPAddress("127.0.0.1")), trusted = try #require(IPRange.list("127.0.0.1, 10.0.0.0/8"))
        let stranger = try #require(IPAddress("203.0.113.9"))
        // Straight from a client: its own address, whatever it claims.
        #expect(ClientAddress.resolve(peer: stranger, forwardedFor: ["198.51.100.1"], trusted: trusted) == stranger)
        // Through the proxy: the address the proxy saw.
        #expect(ClientAddress.resolve(peer: proxy, forwardedFor: ["203.0.113.9"], trusted: trusted) == stranger)
        // A client that forges the header gets its forgery ignored: nginx appends the real peer.
        #expect(ClientAddress.resolve(peer: proxy, forwardedFor: ["1.1.1.1, 203.0.113.9"], trusted: trusted) == stranger)
        // Two trusted proxies in a row are skipped.
        #expect(ClientAddress.resolve(peer: proxy, forwardedFor: ["203.0.113.9, 10.0.0.5"], trusted: trusted) == stranger)
        // No header: the proxy itself.
        #expect(ClientAddress.resolve(peer: proxy, forwardedFor: [], trusted: trusted) == proxy)
        // Garbage ends what can be believed.
        #expect(ClientAddress.resolve(peer: proxy, forwardedFor: ["junk"], trusted: trusted) == proxy)
        #expect(ClientAddress.resolve(peer: nil, forwardedFor: ["203.0.113.9"], trusted: trusted) == nil)
    }

    @Test("any text at all is either clean or refused, without trapping")
    func anyBytes() async {
        await propertyCheck(count: 500, input: Gen<UInt8>.value(in: 0...255).array(of: 0...64)) { bytes in
            _ = FormInput.isClean(urlEncoded: bytes)
            _ = IPAddress(String(decoding: bytes, as: UTF8.self))
            _ = IPRange(String(decoding: bytes, as: UTF8.self))
        }
    }
}
