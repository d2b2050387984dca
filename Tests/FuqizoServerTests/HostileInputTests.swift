import Crypto
import Fluent
import Foundation
@testable import FuqizoCore
@testable import FuqizoServer
import Testing
import Vapor
import VaporTesting

/// Attacks every route as every role would, with the careless and hostile values people and
/// attackers send. The pages and forms are found by crawling the site as each role, from the
/// demo's data, and every route of the route table is tried even when no page links to it —
/// so a new route or form is covered without being listed here. Nothing may answer with a
/// server error, and the server must still answer afterwards (a trap would end this process).
@Suite("Hostile input over every route", .serialized)
struct HostileInputTests {
    /// Values that have broken servers: numbers beyond 64 bits and at their edges, not numbers,
    /// empty, huge, control characters, markup, paths.
    static let hostileValues = [
        "9223372036854775807", "-9223372036854775808", "99999999999999999999999999", "-1", "0", "1e308", "NaN", "Infinity",
        "", "   ", HostileInputTests.long, "\u{1}\u{7}\u{1B}[2J", "<script>alert(1)</script>",
        "../../../../etc/passwd", "' OR '1'='1", "2026-02-31", "9999-99-99", "١٢٣", "🙂🙂🙂",
    ]
    /// Sent in every field of a form at once; the rest take turns, one field at a time.
    static let everyField = ["9223372036854775807", "-9223372036854775808", "1e308", "NaN", "", "\u{1}\u{7}\u{1B}[2J",
                             "<script>alert(1)</script>", "2026-02-31", String(repeating: "Ë", count: 3_000)]
    /// 100 KB: sent in one field at a time (every field of a form at once is simply too large).
    static let long = String(repeating: "A", count: 100_000)
    /// Raw (already URL-encoded) values that no browser sends: invalid UTF-8, NUL, a broken escape.
    static let rawValues = ["%FF%FE%FD", "%00", "%C0%AF", "%E2%82", "%G1", "%"]

    struct FoundForm: Hashable {
        let action: String
        let multipart: Bool
        /// Names and the values the page offered.
        let fields: [Pair]
    }

    struct Pair: Hashable {
        let name: String
        let value: String
    }

    struct Actor {
        let name: String
        let userID: UUID?
    }

    @Test("no request, as any role, with any hostile value, gets a server error; the server still answers")
    func walk() async throws {
        let clock = Date()
        func phase(_ name: String) { print(String(format: "hostile walk: %@ after %.1f s", name, Date().timeIntervalSince(clock))) }
        try await withFuqizo { app in
            _ = try await TestFixtures.demo(app, applications: 6, survivors: 16, openCall: true)
            let users = try await User.query(on: app.db).all()
            var actors = [Actor(name: "anonymous", userID: nil)]
            for role in Role.allCases {
                let user = try #require(users.first { $0.email == "\(role.rawValue.lowercased())@demo.fuqizo.invalid" })
                actors.append(Actor(name: role.rawValue, userID: user.id))
            }
            // The administrator's requests go last: they deactivate and reset other people.
            actors.sort { ($0.name == Role.administrator.rawValue ? 1 : 0) < ($1.name == Role.administrator.rawValue ? 1 : 0) }

            phase("demo loaded")
            var walker = Walker(app: app)
            var pages: [String: [String]] = [:]
            var forms: [String: [FoundForm]] = [:]
            for actor in actors {
                let found = try await walker.crawl(as: actor)
                pages[actor.name] = found.0
                forms[actor.name] = found.1
            }
            phase("crawled")
            let everyID = walker.seenIDs.sorted()
            #expect(walker.requests > 100, "the crawl found too little to be a test: \(walker.requests) pages")

            for actor in actors {
                // Forms the pages offer, with hostile values.
                for form in forms[actor.name] ?? [] { try await walker.attack(form, as: actor, foreignIDs: everyID) }
                // Every route of the table, including those no page of this role links to.
                try await walker.attackRoutes(as: actor, known: pages[actor.name] ?? [], foreignIDs: everyID)
            }
            phase("attacked")
            // Stored hostile values must not break a later page: everything is read again.
            for actor in actors {
                try await walker.reactivateEveryone()
                for path in pages[actor.name] ?? [] { try await walker.send(.GET, path, as: actor) }
            }
            #expect(try await app.testing().sendRequest(.GET, "/healthz").status == .ok)
            #expect(walker.failures.isEmpty, "server errors:\n\(walker.failures.prefix(40).joined(separator: "\n"))")
            print("Hostile walk: \(pages.values.map(\.count).reduce(0, +)) pages, \(walker.requests) requests, \(forms.values.map(\.count).reduce(0, +)) forms, \(walker.failures.count) server errors")
        }
    }

    struct Walker {
        let app: Application
        var failures: [String] = []
        var requests = 0
        var seenIDs = Set<String>()
        var sessions: [UUID: String] = [:]

        init(app: Application) { self.app = app }

        /// A live session for the actor: a new one when the last was ended (sign-out, password change).
        mutating func session(for actor: Actor) async throws -> String? {
            guard let userID = actor.userID else { return nil }
            if let token = sessions[userID],
               try await UserSession.query(on: app.db).filter(\.$tokenDigest == SecretToken.digest(token)).first() != nil {
                return token
            }
            let user = try #require(try await User.find(userID, on: app.db))
            let token = try await TestFixtures.session(app, for: user)
            sessions[userID] = token
            return token
        }

        func csrf(for binding: String) -> String {
            HMAC<SHA256>.authenticationCode(for: Data(binding.utf8), using: app.services.csrfKey.key).hexString
        }

        mutating func reactivateEveryone() async throws {
            for user in try await User.query(on: app.db).all() {
                user.isActive = true
                user.lockedUntil = nil
                user.failedSignIns = 0
                try await user.save(on: app.db)
            }
        }

        @discardableResult
        mutating func send(_ method: HTTPMethod, _ path: String, as actor: Actor, body: ByteBuffer? = nil,
                           contentType: String? = nil, note: String = "") async throws -> TestingHTTPResponse {
            var headers = HTTPHeaders()
            let visitor = "hostile-walk-visitor"
            if let token = try await session(for: actor) {
                headers.add(name: .cookie, value: "\(SessionMiddleware.cookieName)=\(token)")
            } else {
                headers.add(name: .cookie, value: "\(CSRFMiddleware.visitorCookie)=\(visitor)")
            }
            if let contentType { headers.add(name: .contentType, value: contentType) }
            let response = try await app.testing().sendRequest(method, path, headers: headers, body: body)
            requests += 1
            if response.status.code >= 500 {
                failures.append("\(response.status.code) \(actor.name) \(method) \(path.prefix(160)) \(note)")
            }
            return response
        }

        func token(for actor: Actor) -> String {
            csrf(for: sessions[actor.userID ?? UUID()] ?? "hostile-walk-visitor")
        }

        /// Follows every link of the site the actor can reach (bounded), and keeps the forms.
        mutating func crawl(as actor: Actor) async throws -> ([String], [FoundForm]) {
            var queue = ["/"], seen = Set(["/"]), pages: [String] = [], forms = Set<FoundForm>()
            var perRoute: [String: Int] = [:]
            while !queue.isEmpty, pages.count < 200 {
                let path = queue.removeFirst()
                let response = try await send(.GET, path, as: actor)
                guard response.status == .ok, response.headers.contentType?.subType == "html" else { continue }
                pages.append(path)
                let html = response.body.string
                for id in html.matches(of: /[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}/.ignoresCase()) {
                    seenIDs.insert(String(id.output).uppercased())
                }
                for link in html.matches(of: /href="(\/[^"#]*)"/) {
                    let target = Self.unescape(String(link.output.1))
                    guard !target.hasPrefix("//"), !seen.contains(target), let key = routeKey(.GET, target) else { continue }
                    // A few pages of each kind are enough: the demo has hundreds of survivors.
                    guard perRoute[key, default: 0] < 2 else { continue }
                    perRoute[key, default: 0] += 1
                    seen.insert(target)
                    queue.append(target)
                }
                for form in Self.forms(in: html) where routeKey(.POST, form.action) != nil { forms.insert(form) }
            }
            // One form of each kind (action route and fields) is enough.
            var kinds = Set<String>()
            let distinct = forms.sorted { $0.action < $1.action }.filter { form in
                kinds.insert((routeKey(.POST, form.action) ?? "") + form.fields.map(\.name).sorted().joined(separator: ",")).inserted
            }
            return (pages, distinct)
        }

        /// Posts a form many times: every field hostile at once, then each field hostile alone
        /// with the others as the page offered them, then broken encodings, duplicate keys,
        /// wrong types and other records' ids.
        mutating func attack(_ form: FoundForm, as actor: Actor, foreignIDs: [String]) async throws {
            let fields = form.fields.filter { $0.name != CSRFMiddleware.fieldName }
            var bodies: [(String, [(String, String)])] = []
            for value in HostileInputTests.everyField {
                bodies.append(("all=\(value.prefix(12))", fields.map { ($0.name, value) }))
            }
            // Each distinct field alone (a list of 60 checkboxes is one field).
            var names: [String] = []
            for field in fields where !names.contains(field.name) { names.append(field.name) }
            for (index, name) in names.enumerated() {
                let value = HostileInputTests.hostileValues[index % HostileInputTests.hostileValues.count]
                bodies.append(("\(name)=\(value.prefix(12))", fields.map { ($0.name, $0.name == name ? value : $0.value) }))
            }
            bodies.append(("duplicates", fields.flatMap { [($0.name, $0.value), ($0.name, "9223372036854775807")] }))
            bodies.append(("arrays", fields.map { ("\($0.name)[]", $0.value) } + fields.map { ("\($0.name)[x]", "1") }))
            bodies.append(("foreign ids", fields.map { field in
                UUID(uuidString: field.value) != nil ? (field.name, foreignIDs.randomElement() ?? UUID().uuidString) : (field.name, field.value)
            }))
            bodies.append(("offered", fields.map { ($0.name, $0.value) }))
            for (note, pairs) in bodies {
                _ = try await session(for: actor)
                let token = self.token(for: actor)
                if form.multipart {
                    try await sendMultipart(form.action, pairs + [(CSRFMiddleware.fieldName, token)], as: actor, note: note)
                } else {
                    let encoded = (pairs + [(CSRFMiddleware.fieldName, token)]).map { "\(Self.escape($0.0))=\(Self.escape($0.1))" }
                    try await send(.POST, form.action, as: actor, body: ByteBuffer(string: encoded.joined(separator: "&")),
                                   contentType: "application/x-www-form-urlencoded", note: note)
                }
            }
            for raw in HostileInputTests.rawValues where !form.multipart {
                _ = try await session(for: actor)
                let encoded = fields.map { "\(Self.escape($0.name))=\(raw)" } + ["\(CSRFMiddleware.fieldName)=\(token(for: actor))"]
                try await send(.POST, form.action, as: actor, body: ByteBuffer(string: encoded.joined(separator: "&")),
                               contentType: "application/x-www-form-urlencoded", note: "raw \(raw)")
            }
            _ = try await session(for: actor)
            try await send(.POST, form.action, as: actor, body: ByteBuffer(string: "{\"_csrf\": 1, \"a\": [[[[]]]]}"),
                           contentType: "application/json", note: "json")
        }

        mutating func sendMultipart(_ path: String, _ pairs: [(String, String)], as actor: Actor, note: String) async throws {
            let boundary = "hostile-\(UUID().uuidString)"
            var body = ByteBuffer()
            for (name, value) in pairs {
                body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n")
            }
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"../../x.pdf\"\r\n")
            body.writeString("Content-Type: application/pdf\r\n\r\n%PDF-1.4\n\u{0}\u{1}garbage\r\n--\(boundary)--\r\n")
            try await send(.POST, path, as: actor, body: body, contentType: "multipart/form-data; boundary=\(boundary)", note: note)
        }

        /// Every route of the table: path parameters replaced by hostile values and by other
        /// records' ids, and query strings full of hostile values, for GET and POST alike.
        mutating func attackRoutes(as actor: Actor, known: [String], foreignIDs: [String]) async throws {
            let parameterValues = [UUID().uuidString, "9223372036854775807", "-1", "%2e%2e%2f", String(repeating: "Z", count: 2_000), "%00"]
                + foreignIDs.shuffled().prefix(2)
            var examples: [String: String] = [:]
            for path in known { if let key = routeKey(.GET, path), examples[key] == nil { examples[key] = path } }
            for route in app.routes.all {
                let pattern = route.path
                // A page the crawl reached for this route, so parameters start from real records.
                let example = examples["GET" + Self.key(route).drop { $0 != " " }]
                let realParts = example.map { $0.split(separator: "?")[0].split(separator: "/").map(String.init) }
                let parameters = pattern.indices.filter { if case .constant = pattern[$0] { false } else { true } }
                for (index, value) in parameterValues.enumerated() {
                    let hostilePosition = parameters.isEmpty ? -1 : parameters[index % parameters.count]
                    var parts: [String] = []
                    for (position, component) in pattern.enumerated() {
                        switch component {
                        case .constant(let text): parts.append(text)
                        // One parameter hostile at a time, the others real where known.
                        default:
                            let real = realParts.flatMap { position < $0.count ? $0[position] : nil }
                            parts.append(position == hostilePosition || real == nil ? value : real ?? value)
                        }
                    }
                    let query = "page=\(HostileInputTests.hostileValues[index % 3])&status=\(Self.escape(value))&lot=\(Self.escape(value))&q=%FF"
                    let path = "/" + parts.joined(separator: "/") + "?" + query
                    let response: TestingHTTPResponse
                    if route.method == .GET {
                        response = try await send(.GET, path, as: actor, note: "route \(Self.key(route))")
                    } else if route.method == .POST {
                        _ = try await session(for: actor)
                        response = try await send(.POST, path, as: actor,
                                                  body: ByteBuffer(string: "\(CSRFMiddleware.fieldName)=\(token(for: actor))&x=\(Self.escape(value))"),
                                                  contentType: "application/x-www-form-urlencoded", note: "route \(Self.key(route))")
                    } else {
                        break
                    }
                    // A route the policy refuses this role (or sends to sign in) goes no further
                    // than the policy: one probe is enough.
                    let toSignIn = response.status == .seeOther && (response.headers.first(name: .location) ?? "").hasPrefix("/sign-in")
                    if index == 0, response.status == .forbidden || toSignIn { break }
                }
            }
            // A page of each list, far beyond its end.
            for path in known {
                let separator = path.contains("?") ? "&" : "?"
                try await send(.GET, path + separator + "page=9223372036854775807", as: actor, note: "last page")
            }
        }

        static func key(_ route: Route) -> String {
            "\(route.method.rawValue) /" + route.path.map(\.description).joined(separator: "/")
        }

        /// The route a concrete path would reach, or nil when none would.
        func routeKey(_ method: HTTPMethod, _ path: String) -> String? {
            let parts = path.split(separator: "?")[0].split(separator: "/").map(String.init)
            return app.routes.all.first { route in
                guard route.method == method, route.path.count == parts.count else { return false }
                return zip(route.path, parts).allSatisfy { component, part in
                    if case .constant(let text) = component { return text == part }
                    return true
                }
            }.map(Self.key)
        }

        /// Form encoding, byte by byte (thousands of bodies: Foundation's version is too slow here).
        static func escape(_ text: String) -> String {
            var out = [UInt8]()
            out.reserveCapacity(text.utf8.count)
            let hex = Array("0123456789ABCDEF".utf8)
            for byte in text.utf8 {
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                     UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                    out.append(byte)
                default:
                    out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
                }
            }
            return String(decoding: out, as: UTF8.self)
        }

        static func unescape(_ text: String) -> String {
            text.replacingOccurrences(of: "&amp;", with: "&").replacingOccurrences(of: "&quot;", with: "\"")
                .replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&lt;", with: "<")
                .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&#x2F;", with: "/")
        }

        /// The POST forms of a page: action, encoding, and each control's name and offered value.
        static func forms(in html: String) -> [FoundForm] {
            html.matches(of: /(?s)<form\b([^>]*)>(.*?)<\/form>/).compactMap { match in
                let attributes = String(match.output.1), inner = String(match.output.2)
                guard attributes.lowercased().contains("method=\"post\""),
                      let action = attributes.firstMatch(of: /action="([^"]*)"/).map({ unescape(String($0.output.1)) }),
                      action.hasPrefix("/") else { return nil }
                var fields: [Pair] = []
                for control in inner.matches(of: /(?s)<(input|select|textarea)\b([^>]*)>(.*?)(?=<(?:input|select|textarea|\/form)\b|$)/) {
                    let tag = String(control.output.1), attributes = String(control.output.2), after = String(control.output.3)
                    guard let name = attributes.firstMatch(of: /\bname="([^"]+)"/).map({ unescape(String($0.output.1)) }) else { continue }
                    var value = attributes.firstMatch(of: /\bvalue="([^"]*)"/).map { unescape(String($0.output.1)) } ?? ""
                    if tag == "select" {
                        value = after.matches(of: /<option\b[^>]*value="([^"]+)"/).first.map { unescape(String($0.output.1)) } ?? ""
                    } else if tag == "textarea" {
                        value = after.firstMatch(of: /(?s)^(.*?)<\/textarea>/).map { unescape(String($0.output.1)) } ?? ""
                    }
                    fields.append(Pair(name: name, value: value))
                }
                return FoundForm(action: action, multipart: attributes.contains("multipart/form-data"), fields: fields)
            }
        }
    }
}
