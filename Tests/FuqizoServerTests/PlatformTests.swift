import Fluent
import Foundation
@testable import FuqizoCore
@testable import FuqizoServer
import SQLKit
import Testing
import Vapor
import VaporTesting

@Suite("Protection, audit, mail, settings and the shell")
struct PlatformTests {
    @Test("every response carries strict security headers, errors and assets included")
    func securityHeaders() async throws {
        try await withFuqizo { app in
            let browser = Browser(app)
            for path in ["/", "/sign-in", "/styles.css", "/no-such-page", "/admin/users"] {
                let response = try await browser.get(path)
                let csp = response.headers.first(name: "Content-Security-Policy") ?? ""
                #expect(csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "\(path)")
                #expect(response.headers.first(name: "X-Content-Type-Options") == "nosniff")
                #expect(response.headers.first(name: "Referrer-Policy") == "no-referrer")
                #expect(response.headers.first(name: "Permissions-Policy")?.contains("camera=()") == true)
                #expect(response.headers.first(name: "Strict-Transport-Security") == nil, "no HSTS over plain http")
            }
            #expect(try await browser.get("/no-such-page").status == .notFound)
        }
        try await withFuqizo(["FUQIZO_PUBLIC_URL": "https://fuqizo.example.al"]) { app in
            let response = try await Browser(app).get("/sign-in")
            #expect(response.headers.first(name: "Strict-Transport-Security")?.contains("max-age=") == true)
            #expect(response.headers[.setCookie].allSatisfy { $0.contains("Secure") })
        }
    }

    @Test("session cookies are HttpOnly and SameSite=Strict")
    func cookieFlags() async throws {
        try await withFuqizo { app in
            try await TestFixtures.user(app, email: "pm@example.org", grants: [RoleGrant(role: .programmeManager)])
            let browser = Browser(app)
            try await browser.get("/sign-in")
            let response = try await browser.post("/sign-in", [("email", "pm@example.org"), ("password", TestFixtures.password)])
            let cookie = try #require(response.headers[.setCookie].first { $0.hasPrefix(SessionMiddleware.cookieName) })
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
        }
    }

    @Test("a state-changing request needs this browser's CSRF token")
    func csrf() async throws {
        try await withFuqizo { app in
            let admin = try await TestFixtures.user(app, grants: [RoleGrant(role: .administrator)])
            let browser = Browser(app, session: try await TestFixtures.session(app, for: admin))
            try await browser.get("/admin/settings")
            let form = [("programmeNameSq", "Fuqizo"), ("programmeNameEn", "Fuqizo"), ("currency", "EUR"),
                        ("smallCellDonor", "5"), ("smallCellPublic", "11"), ("retentionMonths", "24"), ("helplines", "Linja | Line | 116 117")]
            #expect(try await browser.post("/admin/settings", form, csrf: false).status == .forbidden)
            // Another browser's token does not fit this session.
            let other = Browser(app)
            try await other.get("/sign-in")
            #expect(try await browser.post("/admin/settings", form + [("_csrf", other.csrf!)], csrf: false).status == .forbidden)
            #expect(try await browser.post("/admin/settings", form, headers: [("Sec-Fetch-Site", "cross-site")]).status == .forbidden)
            #expect(try await browser.post("/admin/settings", form).status == .seeOther)
        }
    }

    @Test("responses are compressed, pages stay under 50 KB and the stylesheet under 20 KB")
    func budgets() async throws {
        try await withFuqizo { app in
            for index in 0..<60 { try await TestFixtures.organisation(app, name: "Shoqata Numër \(index)") }
            let admin = try await TestFixtures.user(app, grants: [RoleGrant(role: .administrator)])
            let browser = Browser(app, session: try await TestFixtures.session(app, for: admin))
            for path in ["/", "/organisations", "/organisations/new", "/admin/users", "/admin/audit", "/admin/regions", "/admin/settings"] {
                let response = try await browser.get(path)
                #expect(response.status == .ok, "\(path)")
                #expect(response.body.readableBytes < 50_000, "\(path) is \(response.body.readableBytes) bytes")
            }
            let css = try await browser.get("/styles.css")
            #expect(css.body.readableBytes < 20_000)
        }
    }

    @Test("the audit trail names the first entry changed behind its back")
    func auditTamperDetected() async throws {
        try await withFuqizo { app in
            for index in 0..<5 { try await TestFixtures.organisation(app, name: "Org \(index)") }
            var verification = try await AuditLog.verify(on: app.db, key: app.services.audit.key.key)
            #expect(verification.isIntact && verification.checked == 5)
            let sql = try #require(app.db as? any SQLDatabase)
            try await sql.raw("UPDATE audit_entries SET details = 'fields=nothing' WHERE sequence = 3").run()
            verification = try await AuditLog.verify(on: app.db, key: app.services.audit.key.key)
            #expect(verification.firstBreak == .hashMismatch(sequence: 3))

            try await sql.raw("DELETE FROM audit_entries WHERE sequence = 3").run()
            verification = try await AuditLog.verify(on: app.db, key: app.services.audit.key.key)
            #expect(verification.firstBreak == .sequenceGap(expected: 3, found: 4))
        }
    }

    @Test("a database from before the chain was keyed keeps its entries; what follows is keyed and holds them in place")
    func auditUpgrade() async throws {
        try await withFuqizo { app in
            for index in 0..<3 { try await TestFixtures.organisation(app, name: "Org \(index)") }
            // As an older release left it: a plain SHA-256 chain and no marker.
            var previous = AuditChain.genesisHash
            for entry in try await AuditEntry.query(on: app.db).sort(\.$sequence).all() {
                entry.previousHash = previous
                entry.hash = AuditChain.legacyHash(AuditLog.record(from: entry))
                previous = entry.hash
                try await entry.save(on: app.db)
            }
            try await AuditHead.query(on: app.db).filter(\.$id == 1).set(\.$hash, to: previous).update()
            try await SystemValue.query(on: app.db).filter(\.$id == AuditLog.keyedFromName).delete()
            let key = app.services.audit.key.key
            try await AuditLog.markKeyedFrom(key: key, on: app.db)
            #expect(try await AuditLog.keyedFrom(key: key, on: app.db) == 4)
            try await TestFixtures.organisation(app, name: "Org 3")
            #expect(try await AuditLog.verify(on: app.db, key: key).isIntact)
            // Rewriting an old entry and its plain hashes breaks the first keyed entry's link.
            let sql = try #require(app.db as? any SQLDatabase)
            try await sql.raw("UPDATE audit_entries SET details = 'fields=nothing' WHERE sequence = 2").run()
            previous = AuditChain.genesisHash
            for entry in try await AuditEntry.query(on: app.db).filter(\.$sequence < 4).sort(\.$sequence).all() {
                entry.previousHash = previous
                entry.hash = AuditChain.legacyHash(AuditLog.record(from: entry))
                previous = entry.hash
                try await entry.save(on: app.db)
            }
            #expect(try await AuditLog.verify(on: app.db, key: key).firstBreak == .previousHashMismatch(sequence: 4))
        }
    }

    @Test("someone who can write the database but lacks the master key cannot rewrite history and recompute the chain")
    func auditRewriteDetected() async throws {
        try await withFuqizo { app in
            for index in 0..<4 { try await TestFixtures.organisation(app, name: "Org \(index)") }
            let key = app.services.audit.key.key
            let anchor = try await AuditLog.anchor(on: app.db, key: app.services.anchorKey.key)
            #expect(try await AuditLog.holds(anchor, key: app.services.anchorKey.key, on: app.db))
            // Rewrite entry 2 and recompute every hash after it with plain SHA-256, head included.
            let entries = try await AuditEntry.query(on: app.db).sort(\.$sequence).all()
            var previous = AuditChain.genesisHash
            for entry in entries {
                if entry.sequence == 2 { entry.details = "fields=nothing" }
                entry.previousHash = previous
                entry.hash = AuditChain.legacyHash(AuditLog.record(from: entry))
                previous = entry.hash
                try await entry.save(on: app.db)
            }
            try await AuditHead.query(on: app.db).filter(\.$id == 1).set(\.$hash, to: previous).update()
            #expect(try await AuditLog.verify(on: app.db, key: key).firstBreak == .hashMismatch(sequence: 1))
            #expect(try await !AuditLog.holds(anchor, key: app.services.anchorKey.key, on: app.db), "the anchor kept outside sees it")
            // Passing the rewritten entries off as written before the chain was keyed does not work either.
            try await SystemValue.query(on: app.db).filter(\.$id == AuditLog.keyedFromName).set(\.$value, to: "99:forged").update()
            #expect(try await !AuditLog.verify(on: app.db, key: key).markerIntact)
        }
    }

    @Test("the audit trail reads as sentences in the reader's language, filters by person, kind, period and record, pages, and exports CSV")
    func auditTrailReading() async throws {
        try await withFuqizo { app in
            let first = try await TestFixtures.organisation(app, name: "Org A")
            try await TestFixtures.organisation(app, name: "Org B")
            try await TestFixtures.user(app, email: "pm@example.org", grants: [RoleGrant(role: .programmeManager)])
            _ = try await Browser(app).signIn("pm@example.org", password: "wrong password entirely")
            let desk = try await CaseDesk.make(app)
            let code = try await desk.register()
            let club = try #require(try await SurvivorConsent.query(on: app.db).filter(\.$purpose == "club").first())
            try await desk.post(code, "consents/\(club.id!.uuidString)/withdraw", [("confirmed", "yes"), ("reason", "survivorAsked")])
            let admin = try await TestFixtures.user(app, grants: [RoleGrant(role: .administrator)])
            let browser = Browser(app, session: try await TestFixtures.session(app, for: admin))
            let catalog = app.services.catalog

            var body = try await browser.get("/admin/audit?family=signIn").body.string
            #expect(body.contains("signIn.failed") && !body.contains("organisation.created"))
            body = try await browser.get("/admin/audit?record=\(first.id!.uuidString)").body.string
            #expect(body.matches(of: /organisation\.created/).count == 1)

            // The sentence names the person with their role, the record, and the reason, in English.
            browser.setCookie(LanguageMiddleware.cookieName, "en")
            body = try await browser.get("/admin/audit?family=survivor&record=\(code)").body.string
            let sentence = catalog.format("audit.did.survivor.consentWithdrawn", .en, [
                "who": "\(desk.user.displayName) (\(catalog.text(Role.caseWorker.catalogKey, .en)))",
                "purpose": catalog.text(ConsentPurpose.club.catalogKey, .en), "target": code])
                + catalog.format("audit.reason", .en, ["reason": catalog.text(ConsentWithdrawalReason.survivorAsked.catalogKey, .en)])
            #expect(body.contains(sentence.replacingOccurrences(of: "'", with: "&#39;")), "\(sentence)")
            #expect(body.contains("tabindex=\"0\" role=\"region\""), "the table scrolls with the keyboard")

            // By person (part of the e-mail), by period.
            body = try await browser.get("/admin/audit?person=\(desk.user.email.prefix(6))").body.string
            #expect(body.contains("survivor.consentWithdrawn") && !body.contains("organisation.created"))
            body = try await browser.get("/admin/audit?person=nobody-like-this").body.string
            #expect(body.contains(catalog.text("audit.none", .en)))
            body = try await browser.get("/admin/audit?from=2099-01-01").body.string
            #expect(body.contains(catalog.text("audit.none", .en)))
            let today = TiranaTime.today(at: app.services.clock.now()).description
            body = try await browser.get("/admin/audit?from=\(today)&to=\(today)&family=survivor").body.string
            #expect(body.contains("survivor.consentWithdrawn"))

            // The export carries the same selection: the stored codes and the sentence.
            let export = try await browser.get("/admin/audit/export?family=survivor&record=\(code)")
            #expect(export.status == .ok && export.headers.contentType?.subType == "csv")
            #expect(export.headers.first(name: .contentDisposition)?.hasPrefix("attachment") == true)
            let csv = export.body.string
            #expect(csv.hasPrefix("sequence,occurred_at_utc,actor_email,action,target_type,target_id,details,sentence"))
            #expect(csv.contains("survivor.consentWithdrawn") && csv.contains(sentence) && !csv.contains("signIn.failed"))
            #expect(SpreadsheetText.inert("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")" && SpreadsheetText.inert("Org A") == "Org A",
                    "a cell a spreadsheet would run stays text")
            #expect(try await Browser(app, session: try await TestFixtures.session(app, for: desk.user)).get("/admin/audit/export").status == .forbidden)
        }
    }

    @Test("removing the newest audit entries is detected too")
    func auditTruncationDetected() async throws {
        try await withFuqizo { app in
            for index in 0..<3 { try await TestFixtures.organisation(app, name: "Org \(index)") }
            let sql = try #require(app.db as? any SQLDatabase)
            try await sql.raw("DELETE FROM audit_entries WHERE sequence = 3").run()
            let verification = try await AuditLog.verify(on: app.db, key: app.services.audit.key.key)
            #expect(!verification.isIntact && !verification.headMatches)
        }
    }

    @Test("a change and its audit entry commit together or not at all")
    func auditIsTransactional() async throws {
        try await withFuqizo { app in
            let before = try await AuditEntry.query(on: app.db).count()
            await #expect(throws: (any Error).self) {
                try await app.db.writeTransaction { db in
                    try await app.services.audit.record(.init("test.event"), actor: nil, at: app.clock.now(), on: db)
                    throw Abort(.conflict)
                }
            }
            #expect(try await AuditEntry.query(on: app.db).count() == before)
            #expect(try await AuditLog.verify(on: app.db, key: app.services.audit.key.key).isIntact)
        }
    }

    @Test("failed mail is retried with growing waits, then marked failed for the administrator")
    func mailRetries() async throws {
        try await withFuqizo { app in
            let transport = SentMail()
            transport.failing = true
            app.mailTransport = transport
            // The test clock runs on from real time: compare with the moment before delivery,
            // so a slow machine cannot make the wait look shorter than it is.
            let enqueuedAt = app.clock.now()
            try await Outbox.enqueue(to: "a@example.org", subject: "Hello", body: "Body", now: enqueuedAt, sealedBy: app.services.mailBox, on: app.db)
            #expect(try await app.deliverMail() == 0)
            var message = try #require(try await OutboxMessage.query(on: app.db).first())
            #expect(message.attempts == 1 && message.status == .pending)
            #expect(message.nextAttemptAt > enqueuedAt.addingTimeInterval(59))
            #expect(try await app.deliverMail() == 0, "not before its time")
            for _ in 2...Outbox.maxAttempts {
                app.clock.advance(by: 7 * 3600)
                try await app.deliverMail()
            }
            message = try #require(try await OutboxMessage.query(on: app.db).first())
            #expect(message.status == .failed && message.lastError != nil)

            let admin = try await TestFixtures.user(app, grants: [RoleGrant(role: .administrator)])
            let browser = Browser(app, session: try await TestFixtures.session(app, for: admin))
            let page = try await browser.get("/admin/outbox")
            #expect(page.body.string.contains(app.services.catalog.text("outbox.status.failed", .sq)))
            transport.failing = false
            #expect(try await browser.post("/admin/outbox/\(message.id!.uuidString)/retry").status == .seeOther)
            #expect(try await app.deliverMail() == 1)
            #expect(transport.messages.count == 1)
            // A message sent again (here after failing; after a crash, the same) keeps its Message-ID,
            // so a mail system recognises the second copy as the first.
            #expect(transport.messages[0].messageID == Outbox.messageID(of: message, from: app.services.config.mailFrom))
        }
    }

    @Test("two workers delivering at once send each message once")
    func mailClaimedOnce() async throws {
        try await withFuqizo { app in
            let transport = SentMail()
            app.mailTransport = transport
            for index in 0..<10 {
                try await Outbox.enqueue(to: "p\(index)@example.org", subject: "S", body: "B", now: app.clock.now(), sealedBy: app.services.mailBox, on: app.db)
            }
            async let first = app.deliverMail()
            async let second = app.deliverMail()
            let total = try await first + second
            #expect(total == 10)
            #expect(transport.messages.count == 10)
            #expect(Set(transport.messages.map(\.to)).count == 10)
            // Each message has its own Message-ID, in the sender's domain, written into the mail.
            let ids = transport.messages.compactMap(\.messageID)
            #expect(Set(ids).count == 10 && ids.allSatisfy { $0.hasPrefix("<") && $0.hasSuffix("@fuqizo.invalid>") })
            #expect(transport.messages[0].rfc5322.contains("\r\nMessage-ID: \(ids[0])\r\n"))
        }
    }

    @Test("the sendmail transport hands a well-formed message to the program")
    func sendmailTransport() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fuqizo-mail-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let script = directory.appendingPathComponent("fake-sendmail")
        let output = directory.appendingPathComponent("out.eml")
        try "#!/bin/sh\ncat > \(output.path)\n".write(to: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: script.path)
        let transport = SendmailTransport(command: "\(script.path) -t")
        try await transport.send(MailMessage(from: "Fuqizo <no@example.org>", to: "a@example.org", subject: "Ftesë\r\nBcc: x@evil.example", body: "Hello"))
        let text = try String(contentsOf: output, encoding: .utf8)
        #expect(text.contains("To: a@example.org\r\n"))
        #expect(!text.contains("\r\nBcc:"), "no header injection through the subject")
        #expect(text.contains("Subject: =?UTF-8?B?"))
        let failing = SendmailTransport(command: "/bin/false")
        await #expect(throws: SendmailTransport.Failure.self) { try await failing.send(MailMessage(from: "a", to: "b", subject: "c", body: "d")) }
    }

    @Test("a notice after a redirect is shown once")
    func flashShownOnce() async throws {
        try await withFuqizo { app in
            let admin = try await TestFixtures.user(app, grants: [RoleGrant(role: .administrator)])
            let browser = Browser(app, session: try await TestFixtures.session(app, for: admin))
            try await browser.get("/admin/settings")
            try await browser.post("/admin/settings", [("programmeNameSq", "Fuqizo"), ("programmeNameEn", "Fuqizo"), ("currency", "EUR"),
                                                        ("smallCellDonor", "5"), ("smallCellPublic", "11"), ("retentionMonths", "24"), ("helplines", "Linja | Line | 116 117")])
            let saved = app.services.catalog.text("form.saved", .sq)
            #expect(try await browser.get("/admin/settings").body.string.contains(saved))
            #expect(try await !browser.get("/admin/settings").body.string.contains(saved))
        }
    }

    @Test("settings are validated, stored and audited by field name")
    func settings() async throws {
        try await withFuqizo { app in
            let admin = try await TestFixtures.user(app, grants: [RoleGrant(role: .administrator)])
            let browser = Browser(app, session: try await TestFixtures.session(app, for: admin))
            try await browser.get("/admin/settings")
            var response = try await browser.post("/admin/settings", [("programmeNameSq", "Fuqizo Kukës"), ("programmeNameEn", "Fuqizo"),
                                                                    ("currency", "EURO"), ("startDate", "2019-02-30"), ("smallCellDonor", "5"),
                                                                    ("smallCellPublic", "11"), ("retentionMonths", "24"), ("helplines", "Linja | Line | 116 117")])
            #expect(response.status == .badRequest)
            #expect(response.body.string.contains("value=\"Fuqizo Kukës\""))
            #expect(response.body.string.contains(app.services.catalog.text("settings.error.currency", .sq)))
            #expect(response.body.string.contains(app.services.catalog.text("form.error.date", .sq)))
            response = try await browser.post("/admin/settings", [("programmeNameSq", "Fuqizo Kukës"), ("programmeNameEn", "Fuqizo"),
                                                                ("currency", "eur"), ("startDate", "2019-01-01"), ("endDate", "2021-12-31"),
                                                                ("smallCellDonor", "5"), ("smallCellPublic", "11"), ("retentionMonths", "36"), ("helplines", "Linja | Line | 116 117")])
            #expect(response.status == .seeOther)
            let settings = try await SettingsService(database: app.db, services: app.services).current()
            #expect(settings.currency == "EUR" && settings.retentionMonths == 36 && settings.programmeNameSq == "Fuqizo Kukës")
            let entry = try #require(try await AuditEntry.query(on: app.db).filter(\.$action == "settings.updated").first())
            #expect(entry.details.contains("retentionMonths") && !entry.details.contains("36"))
        }
    }

    @Test("health answers; metrics need loopback or the token")
    func operatorEndpoints() async throws {
        try await withFuqizo(["FUQIZO_METRICS_TOKEN": "s3cret-metrics"]) { app in
            let browser = Browser(app)
            let health = try await browser.get("/healthz")
            #expect(health.status == .ok && health.body.string == "ok\n")
            #expect(try await browser.get("/metrics").status == .forbidden)
            let metrics = try await browser.get("/metrics", headers: [("Authorization", "Bearer s3cret-metrics")])
            #expect(metrics.status == .ok)
            #expect(metrics.body.string.contains("http_requests_total"))
        }
    }

    @Test("logs name the route pattern, never the path: tokens and ids stay out")
    func logLinesUsePatterns() async throws {
        try await withFuqizo { app in
            let route = try #require(app.routes.all.first { $0.path.map(\.description) == ["invite", ":token"] && $0.method == .GET })
            #expect(RequestLogMiddleware.pattern(of: route) == "/invite/:token")
        }
    }
}

@Suite("Test database")
struct DatabaseSelectionTests {
    @Test("the suite runs on PostgreSQL when FUQIZO_TEST_DATABASE_URL is set, else on SQLite")
    func databaseKind() async throws {
        try await withFuqizo { app in
            let expected = TestFixtures.postgresURL == nil ? "sqlite" : "psql"
            #expect(app.databases.ids().map(\.string) == [expected])
        }
    }
}
