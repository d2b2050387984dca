import Fluent
import Foundation
@testable import FuqizoCore
@testable import FuqizoServer
import NIOCore
import SQLKit
import Testing
import Vapor
import VaporTesting

/// Each defect found by attacking the landed platform (issue 10), as a test that failed before
/// its fix.
@Suite("Hardening")
struct HardeningTests {
    func identity(_ app: Application) -> IdentityService { TestFixtures.identity(app) }

    func wrongCode(_ secret: [UInt8], _ app: Application) -> String {
        let right = TOTP(secret: secret).code(atStep: TOTP.step(at: app.clock.now()))
        return right == "000000" ? "111111" : "000000"
    }

    @Test("a transaction that reads and then writes waits for another writer's commit instead of failing with 'database is locked'")
    func writersWaitTheirTurn() async throws {
        try await withFuqizo { app in
            let loops = Array(app.eventLoopGroup.makeIterator())
            try #require(loops.count >= 2, "two event loops, so two connections to the database")
            let first = app.databases.database(logger: app.logger, on: loops[0])!
            let second = app.databases.database(logger: app.logger, on: loops[1])!
            try await (first as! any SQLDatabase).raw("CREATE TABLE lock_probe (n INTEGER NOT NULL)").run()
            let (started, startedSignal) = AsyncStream.makeStream(of: Void.self)
            // Another writer (in production: the demo command, or a background job) holds the lock.
            let other = Task {
                try await second.transaction { tx in
                    try await (tx as! any SQLDatabase).raw("INSERT INTO lock_probe (n) VALUES (1)").run()
                    startedSignal.yield()
                    try await Task.sleep(for: .milliseconds(300))
                }
            }
            for await _ in started { break }
            // Reads first, then writes what it read: the shape of most services' transactions.
            let seen = try await first.writeTransaction { tx in
                let sql = tx as! any SQLDatabase
                let count = try await sql.raw("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM lock_probe").first()?.decode(column: "n", as: Int.self) ?? -1
                try await sql.raw("INSERT INTO lock_probe (n) VALUES (\(bind: count + 10))").run()
                return count
            }
            try await other.value
            let rows = try await (first as! any SQLDatabase).raw("SELECT n FROM lock_probe ORDER BY n").all().map { try $0.decode(column: "n", as: Int.self) }
            #expect(rows == [1, seen + 10], "both writes were kept")
            if (first as! any SQLDatabase).dialect.name == "sqlite" {
                // SQLite has one writer at a time: the transaction waited, then read what the other committed.
                #expect(seen == 1, "the transaction waited for the other writer")
            }
        }
    }

    @Test("wrong codes lock the account even when the right password is typed again between them")
    func codeGuessingLocks() async throws {
        try await withFuqizo { app in
            let secret = TOTP.randomSecret()
            let user = try await TestFixtures.user(app, email: "cw@example.org", grants: [RoleGrant(role: .programmeManager)], twoFactorSecret: secret)
            var browser = Browser(app)
            _ = try await browser.signIn("cw@example.org")
            for _ in 1...4 {
                try await browser.get("/sign-in/code")
                #expect(try await browser.post("/sign-in/code", [("code", wrongCode(secret, app))]).status == .unauthorized)
            }
            // The password again, as an attacker would, then one more guess: the fifth.
            browser = Browser(app)
            #expect(try await browser.signIn("cw@example.org").location?.hasPrefix("/sign-in/code") == true)
            try await browser.get("/sign-in/code")
            #expect(try await browser.post("/sign-in/code", [("code", wrongCode(secret, app))]).status == .unauthorized)
            let locked = try #require(try await User.find(user.id, on: app.db))
            #expect(locked.lockedUntil != nil, "five wrong codes lock the account")
            // Locked: the right password and the right code get nowhere.
            browser = Browser(app)
            #expect(try await browser.signIn("cw@example.org", totpSecret: secret).status == .unauthorized)
            let audit = try await AuditEntry.query(on: app.db).filter(\.$action == "signIn.failed").all()
            #expect(audit.contains { $0.details.contains("second") && $0.details.contains("locked") })
        }
    }

    @Test("wrong codes count toward the address's throttle")
    func codeGuessingThrottles() async throws {
        try await withFuqizo { app in
            let identity = identity(app)
            for _ in 0..<5 {
                let secret = TOTP.randomSecret()
                let user = try await TestFixtures.user(app, grants: [RoleGrant(role: .programmeManager)], twoFactorSecret: secret)
                for _ in 0..<4 {
                    _ = try await identity.verifySecondFactor(user: try #require(try await User.find(user.id, on: app.db)),
                                                              code: wrongCode(secret, app), address: "198.51.100.7")
                }
            }
            let other = try await TestFixtures.user(app, grants: [RoleGrant(role: .programmeManager)])
            guard case .throttled = try await identity.signIn(email: other.email, password: TestFixtures.password, address: "198.51.100.7") else {
                Issue.record("twenty wrong codes from one address must throttle it")
                return
            }
            guard case .accepted = try await identity.signIn(email: other.email, password: TestFixtures.password, address: "198.51.100.8") else {
                Issue.record("another address is not throttled")
                return
            }
        }
    }

    @Test("one code, sent twice at once, signs in once (app code and recovery code)")
    func codesAreClaimedOnce() async throws {
        try await withFuqizo { app in
            let secret = TOTP.randomSecret()
            let user = try await TestFixtures.user(app, grants: [RoleGrant(role: .programmeManager)], twoFactorSecret: secret)
            let code = TOTP(secret: secret).code(atStep: TOTP.step(at: app.clock.now()))
            // Both requests loaded the account before either wrote: only the database can decide.
            let first = try #require(try await User.find(user.id, on: app.db)), second = try #require(try await User.find(user.id, on: app.db))
            async let a = identity(app).verifySecondFactor(user: first, code: code, address: "192.0.2.1")
            async let b = identity(app).verifySecondFactor(user: second, code: code, address: "192.0.2.2")
            let outcomes = try await [a, b]
            #expect(outcomes.filter { $0 == .accepted }.count == 1)

            let codes = try await identity(app).regenerateRecoveryCodes(user: user)
            let third = try #require(try await User.find(user.id, on: app.db)), fourth = try #require(try await User.find(user.id, on: app.db))
            async let c = identity(app).verifySecondFactor(user: third, code: codes[0], address: "192.0.2.1")
            async let d = identity(app).verifySecondFactor(user: fourth, code: codes[0], address: "192.0.2.2")
            let recoveries = try await [c, d]
            #expect(recoveries.filter { $0 == .accepted }.count == 1)
            #expect(try await identity(app).unusedRecoveryCodeCount(user: user) == codes.count - 1)
        }
    }

    @Test("each enrolment shows a new secret: one shown at an earlier sign-in is not reused")
    func enrolmentSecretIsNew() async throws {
        try await withFuqizo { app in
            let organisation = try await TestFixtures.organisation(app)
            try await TestFixtures.user(app, email: "new@example.org", grants: [RoleGrant(role: .caseWorker, organisationID: organisation.id)],
                                        enrolled: false)
            func shownSecret() async throws -> String {
                let browser = Browser(app)
                #expect(try await browser.signIn("new@example.org").location == "/sign-in/enrol")
                let page = try await browser.get("/sign-in/enrol").body.string
                let match = try #require(page.firstMatch(of: /id="totp-secret">([A-Z2-7 ]+)</))
                return String(match.output.1)
            }
            let first = try await shownSecret()
            let second = try await shownSecret()
            #expect(first != second)
        }
    }

    @Test("an unknown account costs a hash at the configured cost")
    func decoyCost() async throws {
        try await withFuqizo(["FUQIZO_BCRYPT_COST": "13"]) { app in
            let decoy = try await app.passwordHasher.decoyHash()
            #expect(decoy.hasPrefix("$2b$13$"))
        }
    }

    @Test("after sign-in only a path of this site is followed: no scheme, host, backslash or control character")
    func safeRedirects() {
        for hostile in ["/\t/evil.example", "//evil.example", "/\\evil.example", "https://evil.example", "/\n/evil.example",
                        "javascript:alert(1)", "/%09/evil.example/../", " /x", "/x\u{0}", "evil.example", "/\u{3000}/evil.example", ""] {
            #expect(Request.safeLocalPath(hostile) == "/" || !Request.safeLocalPath(hostile).hasPrefix("//"),
                    "\(hostile.debugDescription) must not lead away")
        }
        for hostile in ["/\t/evil.example", "//evil.example", "/\\evil.example", "https://evil.example", "javascript:alert(1)"] {
            #expect(Request.safeLocalPath(hostile) == "/")
        }
        #expect(Request.safeLocalPath("/grants/calls?page=2&lot=x") == "/grants/calls?page=2&lot=x")
        #expect(Request.safeLocalPath("/survivors/KU-2026-0001") == "/survivors/KU-2026-0001")
    }

    @Test("a mail's body waits sealed in the outbox and is dropped once delivered")
    func outboxBodies() async throws {
        try await withFuqizo { app in
            let sent = SentMail()
            app.mailTransport = sent
            let admin = try await TestFixtures.user(app, grants: [RoleGrant(role: .administrator)])
            let browser = Browser(app, session: try await TestFixtures.session(app, for: admin))
            try await browser.get("/admin/users/new")
            #expect(try await browser.post("/admin/users", [("email", "drita@example.org"), ("displayName", "Drita"), ("language", "sq"),
                                                            ("roles[]", "donorViewer")]).status == .seeOther)
            let waiting = try #require(try await OutboxMessage.query(on: app.db).first())
            #expect(waiting.body.hasPrefix(Outbox.sealedPrefix) && !waiting.body.contains("/invite/"))
            #expect(try Outbox.openedBody(of: waiting, box: app.services.mailBox).contains("/invite/"))
            // Moved to another message, the sealed body does not open.
            let moved = OutboxMessage(recipient: "x@example.org", subject: "s", body: waiting.body, now: app.clock.now())
            moved.id = UUID()
            #expect(throws: (any Error).self) { try Outbox.openedBody(of: moved, box: app.services.mailBox) }
            #expect(try await app.deliverMail() == 1)
            #expect(sent.messages.first?.body.contains("/invite/") == true)
            let delivered = try #require(try await OutboxMessage.query(on: app.db).first())
            #expect(delivered.body.isEmpty && delivered.status == .sent && delivered.subject == waiting.subject)
        }
    }

    @Test("the client address comes from X-Forwarded-For only through a trusted proxy; /metrics only from a direct loopback peer")
    func proxies() async throws {
        func request(_ app: Application, peer: String, forwarded: String? = nil) throws -> Request {
            var headers = HTTPHeaders()
            if let forwarded { headers.add(name: .xForwardedFor, value: forwarded) }
            return Request(application: app, method: .GET, url: "/", headers: headers,
                           remoteAddress: try SocketAddress(ipAddress: peer, port: 40_000), on: app.eventLoopGroup.next())
        }
        try await withFuqizo(["FUQIZO_TRUSTED_PROXIES": "127.0.0.1"]) { app in
            let proxied = try request(app, peer: "127.0.0.1", forwarded: "203.0.113.5")
            let direct = try request(app, peer: "198.51.100.1", forwarded: "203.0.113.5")
            let proxy = try request(app, peer: "127.0.0.1")
            #expect(proxied.clientAddress == "203.0.113.5")
            #expect(direct.clientAddress == "198.51.100.1", "a stranger's X-Forwarded-For is ignored")
            #expect(!proxy.isDirectLoopback, "the trusted proxy relays others")
        }
        try await withFuqizo { app in
            let forwarded = try request(app, peer: "127.0.0.1", forwarded: "203.0.113.5")
            let local = try request(app, peer: "127.0.0.1")
            let remote = try request(app, peer: "192.0.2.1")
            #expect(forwarded.clientAddress == "127.0.0.1", "no proxy is trusted by default")
            #expect(local.isDirectLoopback)
            #expect(!forwarded.isDirectLoopback && !remote.isDirectLoopback)
        }
        #expect(throws: ConfigError.self) { try AppConfig.fromEnvironment(["FUQIZO_TRUSTED_PROXIES": "nginx.local"]) }
    }

    @Test("a call whose stored rules cannot be read fails loudly instead of using today's defaults")
    func unreadableRules() async throws {
        try await withFuqizo { app in
            let call = try await TestFixtures.publishedCall(app)
            call.rules = "{\"minimumGrantMinorUnits\": \"broken\"}"
            try await call.save(on: app.db)
            #expect(throws: StoredDataError.self) { try call.grantRules() }
            let officer = try await TestFixtures.user(app, grants: [RoleGrant(role: .grantsOfficer)])
            let browser = Browser(app, session: try await TestFixtures.session(app, for: officer))
            #expect(try await browser.get("/grants/calls/\(call.id!.uuidString)").status == .internalServerError)
        }
    }

    @Test("numbers beyond any sane range come back as field errors: intake year, budget line, page number")
    func hugeNumbers() async throws {
        try await withFuqizo { app in
            let desk = try await CaseDesk.make(app)
            let browser = desk.browser
            try await browser.get("/survivors/new")
            var fields = CaseDesk.intake(region: try await CaseDesk.region(app))
            fields.append(("yearOfBirth", "-9223372036854775808"))
            let response = try await browser.post("/survivors", fields)
            #expect(response.status == .unprocessableEntity || response.status == .badRequest)
            #expect(response.body.string.contains(app.services.catalog.text("survivor.error.yearOfBirth", .sq)))
            #expect(try await Survivor.query(on: app.db).count() == 0)
            #expect(try await browser.get("/survivors?page=9223372036854775807").status == .ok)
        }
    }

    @Test("a removed attachment's bytes are deleted once nothing refers to them; shared bytes stay while used")
    func removedFilesAreDeleted() async throws {
        try await withFuqizo { app in
            let call = try await TestFixtures.publishedCall(app)
            let tests = DocumentTests()
            let browser = try await tests.csoUser(app, organisation: try await TestFixtures.organisation(app))
            let path = try await tests.startApplication(app, browser, call: call)
            try await browser.get(path)
            try await browser.upload("\(path)/attachments", [("label", "Statuti")], file: ("file", "a.pdf", DocumentTests.pdf))
            try await browser.get(path)
            try await browser.upload("\(path)/attachments", [("label", "Kopje")], file: ("file", "b.pdf", DocumentTests.pdf))
            let sql = try #require(app.db as? any SQLDatabase)
            func files() async throws -> Int {
                try await sql.raw("SELECT COUNT(*) AS n FROM stored_files").first()!.decode(column: "n", as: Int.self)
            }
            #expect(try await files() == 1)
            for label in ["Statuti", "Kopje"] {
                let attachment = try #require(try await Attachment.query(on: app.db).filter(\.$label == label).first())
                try await browser.get(path)
                #expect(try await browser.post("\(path)/attachments/\(attachment.id!.uuidString)/delete").status == .seeOther)
                #expect(try await files() == (label == "Statuti" ? 1 : 0), "bytes stay while another attachment uses them")
            }
        }
    }

    @Test("after erasure the survivor's wrapped key is in no byte the database keeps: not in the SQLite file nor its log")
    func erasedKeyLeavesNoBytes() async throws {
        try await withFuqizo { app in
            let desk = try await CaseDesk.make(app)
            let code = try await desk.register()
            let survivor = try await desk.survivor(code)
            let wrapped = try #require(try await SurvivorKey.find(survivor.id, on: app.db)).wrappedKey
            if case .sqlite = app.services.config.database {
                #expect(try SurvivorTests.storedBytes(app).range(of: wrapped) != nil, "the search can find the key while it exists")
            }
            #expect(try await desk.post(code, "erase", [("confirmed", "yes"), ("reason", "survivorAsked"), ("confirmCode", code)]).status == .seeOther)
            #expect(try await SurvivorKey.find(survivor.id, on: app.db) == nil)
            if case .sqlite = app.services.config.database {
                #expect(try SurvivorTests.storedBytes(app).range(of: wrapped) == nil, "the key's bytes are gone from the file and the log")
            } else if let dump = try SurvivorTests.postgresDump(app) {
                // PostgreSQL keeps dead rows until VACUUM (docs/operations.md); no live row holds it.
                #expect(!dump.contains(wrapped.map { String(format: "%02x", $0) }.joined()))
            }
        }
    }
}
