import Fluent
import Foundation
@testable import FuqizoCore
@testable import FuqizoServer
import Testing
import Vapor
import VaporTesting

@Suite("First-run setup, sign-in, two factors, sessions")
struct IdentityTests {
    func identity(_ app: Application) -> IdentityService { TestFixtures.identity(app) }

    @Test("the setup link creates the first administrator once, then stops working")
    func setupLink() async throws {
        try await withFuqizo { app in
            let token = try await identity(app).issueSetupLink()
            let browser = Browser(app)
            #expect(try await browser.get("/setup/\(token)").status == .ok)
            // A weak password comes back with the typed e-mail and a message in Albanian.
            var response = try await browser.post("/setup/\(token)", [("email", "admin@example.org"), ("displayName", "Admin"),
                                                                    ("password", "short"), ("passwordConfirmation", "short")])
            #expect(response.status == .badRequest)
            #expect(response.body.string.contains("admin@example.org"))
            #expect(response.body.string.contains(app.services.catalog.text("password.error.short", .sq)))
            #expect(try await User.query(on: app.db).count() == 0)

            response = try await browser.post("/setup/\(token)", [("email", "Admin@Example.org"), ("displayName", "Admin"),
                                                                ("password", TestFixtures.password), ("passwordConfirmation", TestFixtures.password)])
            #expect(response.status == .seeOther)
            let admin = try #require(try await User.query(on: app.db).filter(\.$email == "admin@example.org").with(\.$roles).first())
            #expect(admin.roles.map(\.role) == ["administrator"])
            #expect(try await browser.get("/setup/\(token)").status == .notFound)
            #expect(try await identity(app).administratorExists())
            let actions = try await AuditEntry.query(on: app.db).all().map(\.action)
            #expect(actions.contains("setup.completed"))
        }
    }

    @Test("a setup link expires after one hour")
    func setupLinkExpires() async throws {
        try await withFuqizo { app in
            let token = try await identity(app).issueSetupLink()
            app.clock.advance(by: 3601)
            #expect(try await Browser(app).get("/setup/\(token)").status == .notFound)
        }
    }

    @Test("wrong passwords and unknown accounts get the same answer; five failures lock for 15 minutes")
    func lockout() async throws {
        try await withFuqizo { app in
            let user = try await TestFixtures.user(app, email: "cso@example.org", grants: [RoleGrant(role: .programmeManager)])
            let browser = Browser(app)
            let unknown = try await browser.signIn("nobody@example.org")
            #expect(unknown.status == .unauthorized)
            let unknownBody = unknown.body.string
            for _ in 1...5 {
                let response = try await browser.signIn("cso@example.org", password: "not the right password")
                #expect(response.status == .unauthorized)
            }
            let locked = try await browser.signIn("cso@example.org")
            #expect(locked.status == .unauthorized, "the right password does not open a locked account")
            let message = app.services.catalog.text("signIn.error.refused", .sq)
            #expect(unknownBody.contains(message) && locked.body.string.contains(message))
            let stored = try #require(try await User.find(user.id, on: app.db))
            #expect(stored.lockedUntil != nil)

            app.clock.advance(by: 15 * 60 + 1)
            let opened = try await browser.signIn("cso@example.org")
            #expect(opened.status == .seeOther && opened.location == "/")
            let failures = try await AuditEntry.query(on: app.db).filter(\.$action == "signIn.failed").count()
            #expect(failures == 7)
        }
    }

    @Test("one network address is throttled after 20 failures, whatever the accounts")
    func addressThrottle() async throws {
        try await withFuqizo { app in
            try await TestFixtures.user(app, email: "pm@example.org", grants: [RoleGrant(role: .programmeManager)])
            let identity = identity(app)
            for index in 0..<20 {
                _ = try await identity.signIn(email: "guess\(index)@example.org", password: "wrong guess number \(index)", address: "10.1.2.3")
            }
            guard case .throttled = try await identity.signIn(email: "pm@example.org", password: TestFixtures.password, address: "10.1.2.3") else {
                Issue.record("expected the address to be throttled")
                return
            }
            guard case .accepted = try await identity.signIn(email: "pm@example.org", password: TestFixtures.password, address: "10.9.9.9") else {
                Issue.record("another address is not throttled")
                return
            }
        }
    }

    @Test("the accounts list comes 50 a page, and finds people by a piece of their name or address and by role, keeping the filter across pages")
    func usersPaged() async throws {
        try await withFuqizo { app in
            let administrator = try await TestFixtures.user(app, email: "admin@example.org", grants: [RoleGrant(role: .administrator)])
            for index in 1...60 {
                let user = try await TestFixtures.user(app, email: String(format: "staff%02d@cso.example.org", index),
                                                       grants: [RoleGrant(role: index <= 55 ? .evaluator : .grantsOfficer)])
                user.displayName = index == 42 ? "Mirela Dervishi" : "Punonjës \(index)"
                try await user.save(on: app.db)
            }
            let browser = Browser(app, session: try await TestFixtures.session(app, for: administrator))
            let rows = { (page: String) in page.components(separatedBy: "<th scope=\"row\">").count - 1 }
            let first = try await browser.get("/admin/users").body.string
            #expect(rows(first) == 50 && first.contains("61 llogari"), "a page of 50 of the 61 accounts")
            let second = try await browser.get("/admin/users?page=2").body.string
            #expect(rows(second) == 11 && second.contains("staff60@cso.example.org"))

            let byName = try await browser.get("/admin/users?q=dervishi").body.string
            #expect(rows(byName) == 1 && byName.contains("Mirela Dervishi"), "a piece of the name, in any case")
            let byAddress = try await browser.get("/admin/users?q=STAFF0").body.string
            #expect(rows(byAddress) == 9)
            #expect(rows(try await browser.get("/admin/users?q=%25").body.string) == 0, "LIKE's wildcards are taken as typed")
            #expect(rows(try await browser.get("/admin/users?q=staff_1").body.string) == 0)

            let officers = try await browser.get("/admin/users?role=grantsOfficer").body.string
            #expect(rows(officers) == 5 && officers.contains("5 llogari"))
            let evaluators = try await browser.get("/admin/users?role=evaluator&q=cso").body.string
            #expect(rows(evaluators) == 50 && evaluators.contains("55 llogari"))
            #expect(evaluators.contains("/admin/users?q=cso&amp;role=evaluator&amp;page=2"), "the next page keeps the filter")
        }
    }

    @Test("administrators must enrol a second factor before anything else, and then use it")
    func mandatoryTwoFactor() async throws {
        try await withFuqizo { app in
            try await TestFixtures.user(app, email: "admin@example.org", grants: [RoleGrant(role: .administrator)], enrolled: false)
            let browser = Browser(app)
            var response = try await browser.signIn("admin@example.org")
            #expect(response.location == "/sign-in/enrol")
            // Not signed in yet: protected pages send the person back to enrolment.
            response = try await browser.get("/admin/users")
            #expect(response.location == "/sign-in/enrol")

            response = try await browser.get("/sign-in/enrol")
            let page = response.body.string
            // The authenticator shows "Fuqizo (admin@example.org)": issuer and address, no name.
            #expect(page.contains("otpauth://totp/Fuqizo:admin%40example%2Eorg?"))
            let secretText = try #require(page.range(of: #"id="totp-secret">([A-Z2-7 ]+)<"#, options: .regularExpression).map { String(page[$0]) })
            let secret = try #require(Base32.decode(String(secretText.split(separator: ">")[1].dropLast())))
            response = try await browser.post("/sign-in/enrol", [("code", "000000")])
            #expect(response.status == .badRequest)
            let code = TOTP(secret: secret).code(atStep: TOTP.step(at: app.clock.now()))
            let before = browser.sessionCookie
            response = try await browser.post("/sign-in/enrol", [("code", code)])
            #expect(response.status == .ok)
            #expect(browser.sessionCookie != before, "a new session id once fully signed in")
            let codes = response.body.string.matches(of: /<code>([a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4})<\/code>/).map { String($0.1) }
            #expect(codes.count == 10)
            // The same codes, as a text file to keep.
            let file = try #require(response.body.string.firstMatch(of: /href="data:text\/plain;charset=utf-8,([^"]+)" download="fuqizo-recovery-codes.txt"/))
            let kept = try #require(String(file.1).removingPercentEncoding)
            #expect(codes.allSatisfy { kept.contains($0) })
            #expect(try await browser.get("/admin/users").status == .ok)

            // Next time: password, then a code. A recovery code works once.
            try await browser.post("/sign-out")
            #expect(try await browser.get("/admin/users").status == .seeOther)
            response = try await browser.signIn("admin@example.org")
            #expect(response.location?.hasPrefix("/sign-in/code") == true)
            try await browser.get("/sign-in/code")
            response = try await browser.post("/sign-in/code", [("code", codes[0].uppercased())])
            #expect(response.status == .seeOther && response.location == "/")
            try await browser.post("/sign-out")
            _ = try await browser.signIn("admin@example.org")
            try await browser.get("/sign-in/code")
            response = try await browser.post("/sign-in/code", [("code", codes[0])])
            #expect(response.status == .unauthorized, "a recovery code is single-use")
        }
    }

    @Test("a role that needs a second factor, given during a session, stops it until enrolment")
    func twoFactorAfterRoleChange() async throws {
        try await withFuqizo { app in
            let organisation = try await TestFixtures.organisation(app)
            let user = try await TestFixtures.user(app, grants: [RoleGrant(role: .csoUser, organisationID: organisation.id)])
            let browser = Browser(app, session: try await TestFixtures.session(app, for: user))
            #expect(try await browser.get("/organisations/\(organisation.id!.uuidString)").status == .ok)
            try await RoleAssignment(userID: user.id!, grant: RoleGrant(role: .caseWorker, organisationID: organisation.id)).create(on: app.db)
            #expect(try await browser.get("/organisations/\(organisation.id!.uuidString)").location == "/sign-in/enrol")
        }
    }

    @Test("a TOTP code cannot be replayed")
    func totpReplay() async throws {
        try await withFuqizo { app in
            let secret = TOTP.randomSecret()
            let user = try await TestFixtures.user(app, email: "cw@example.org", grants: [RoleGrant(role: .programmeManager)], twoFactorSecret: secret)
            let code = TOTP(secret: secret).code(atStep: TOTP.step(at: app.clock.now()))
            let identity = identity(app)
            #expect(try await identity.verifySecondFactor(user: user, code: code, address: "192.0.2.1") == .accepted)
            #expect(try await identity.verifySecondFactor(user: user, code: code, address: "192.0.2.1") == .refused)
        }
    }

    @Test("sessions end after 30 idle minutes, after 12 hours, and at sign-out on the server")
    func sessionLifetimes() async throws {
        try await withFuqizo { app in
            try await TestFixtures.user(app, email: "pm@example.org", grants: [RoleGrant(role: .programmeManager)])
            let browser = Browser(app)
            let anonymousCookie = browser.sessionCookie
            _ = try await browser.signIn("pm@example.org")
            #expect(browser.sessionCookie != nil && browser.sessionCookie != anonymousCookie)
            #expect(try await browser.get("/organisations").status == .ok)
            app.clock.advance(by: 31 * 60)
            var response = try await browser.get("/organisations")
            #expect(response.status == .seeOther && response.location?.contains("expired=1") == true)

            // Active use keeps a session alive, but not past the absolute limit.
            _ = try await browser.signIn("pm@example.org")
            for _ in 0..<25 {
                app.clock.advance(by: 29 * 60)
                response = try await browser.get("/account")
                if response.status != .ok { break }
            }
            #expect(response.status == .seeOther, "12 hours is the most a session lives")

            _ = try await browser.signIn("pm@example.org")
            let token = try #require(browser.sessionCookie)
            try await browser.get("/account")
            try await browser.post("/sign-out")
            // The old cookie is worthless: the session is gone from the database.
            let replay = Browser(app, session: token)
            #expect(try await replay.get("/account").status == .seeOther)
            #expect(try await UserSession.query(on: app.db).filter(\.$tokenDigest == SecretToken.digest(token)).count() == 0)
        }
    }

    @Test("a deactivated user's sessions end at once")
    func deactivationEndsSessions() async throws {
        try await withFuqizo { app in
            let admin = try await TestFixtures.user(app, grants: [RoleGrant(role: .administrator)])
            let staff = try await TestFixtures.user(app, grants: [RoleGrant(role: .grantsOfficer)])
            let staffBrowser = Browser(app, session: try await TestFixtures.session(app, for: staff))
            #expect(try await staffBrowser.get("/organisations").status == .ok)
            let adminBrowser = Browser(app, session: try await TestFixtures.session(app, for: admin))
            let staffPage = try await adminBrowser.get("/admin/users/\(staff.id!.uuidString)").body.string
            #expect(staffPage.contains("/admin/users/\(staff.id!.uuidString)/deactivate"))
            // Deactivation asks first, and needs a reason; the reason is in the audit entry.
            let deactivate = "/admin/users/\(staff.id!.uuidString)/deactivate"
            let asked = try await adminBrowser.post(deactivate)
            #expect(asked.status == .ok && asked.body.string.contains(app.services.catalog.text("users.deactivate.consequence", .sq)))
            #expect(try await staffBrowser.get("/organisations").status == .ok, "asking changes nothing")
            #expect(try await adminBrowser.post(deactivate, [("confirmed", "yes")]).status == .badRequest)
            #expect(try await adminBrowser.post(deactivate, [("confirmed", "yes"), ("reason", "Left the programme office.")]).status == .seeOther)
            let entry = try #require(try await AuditEntry.query(on: app.db).filter(\.$action == "user.deactivated").first())
            #expect(entry.details.contains("Left the programme office."))
            #expect(try await staffBrowser.get("/organisations").status == .seeOther)
            #expect(try await Browser(app).signIn(staff.email).status == .unauthorized)
            // The last administrator cannot deactivate themself, and their own page does not offer it.
            let ownPage = try await adminBrowser.get("/admin/users/\(admin.id!.uuidString)").body.string
            #expect(ownPage.contains(admin.email) && !ownPage.contains("/deactivate"))
            #expect(try await adminBrowser.post("/admin/users/\(admin.id!.uuidString)/deactivate", [("confirmed", "yes"), ("reason", "Test.")]).status == .badRequest)
        }
    }

    @Test("an invitation is mailed, accepted once, and gives the roles the administrator chose")
    func invitation() async throws {
        try await withFuqizo { app in
            let sent = SentMail()
            app.mailTransport = sent
            let organisation = try await TestFixtures.organisation(app)
            let admin = try await TestFixtures.user(app, grants: [RoleGrant(role: .administrator)])
            let browser = Browser(app, session: try await TestFixtures.session(app, for: admin))
            try await browser.get("/admin/users/new")
            var response = try await browser.post("/admin/users", [("email", "not-an-email"), ("displayName", "Drita"), ("language", "en")])
            #expect(response.status == .badRequest)
            #expect(response.body.string.contains("Drita"), "typed values come back")
            response = try await browser.post("/admin/users", [
                ("email", "drita@example.org"), ("displayName", "Drita"), ("language", "en"),
                ("organisationID", organisation.id!.uuidString), ("organisationRole", "csoUser"),
            ])
            #expect(response.status == .seeOther)
            #expect(try await app.deliverMail() == 1)
            let mail = try #require(sent.messages.first)
            #expect(mail.to == "drita@example.org")
            #expect(mail.subject == app.services.catalog.text("mail.invitation.subject", .en))
            #expect(!mail.body.contains("Drita"), "mails carry no names")
            let link = try #require(mail.body.split(separator: "\n").first { $0.contains("/invite/") })
            let path = String(link[link.range(of: "/invite/")!.lowerBound...])

            let invitee = Browser(app)
            #expect(try await invitee.get(path).status == .ok)
            response = try await invitee.post(path, [("password", "drita@example.org is me"), ("passwordConfirmation", "drita@example.org is me")])
            #expect(response.status == .badRequest)
            response = try await invitee.post(path, [("password", "a sunny day in Kukës"), ("passwordConfirmation", "a sunny day in Kukës")])
            #expect(response.status == .seeOther)
            #expect(try await invitee.get(path).status == .notFound, "the link works once")
            response = try await invitee.signIn("drita@example.org", password: "a sunny day in Kukës")
            #expect(response.location == "/")
            #expect(invitee.cookies[LanguageMiddleware.cookieName] == "en", "the person's language follows them")
            #expect(try await invitee.get("/organisations/\(organisation.id!.uuidString)").status == .ok)
            #expect(try await invitee.get("/organisations").status == .forbidden)
        }
    }

    @Test("a forgotten password: the same answer for any address, one mail with a one-hour single-use link, throttled per network")
    func forgottenPassword() async throws {
        try await withFuqizo { app in
            let sent = SentMail()
            app.mailTransport = sent
            try await TestFixtures.user(app, email: "forgetful@example.org", grants: [RoleGrant(role: .grantsOfficer)])
            let browser = Browser(app)
            #expect(try await browser.get("/sign-in").body.string.contains(#"href="/sign-in/forgot""#))
            try await browser.get("/sign-in/forgot")
            let known = try await browser.post("/sign-in/forgot", [("email", " Forgetful@Example.org ")])
            let unknown = try await browser.post("/sign-in/forgot", [("email", "nobody@example.org")])
            #expect(known.status == .ok && known.body.string == unknown.body.string, "nothing tells whether the account exists")
            #expect(known.body.string.contains(app.services.catalog.text("forgot.sent", .sq)))
            // Asked again at once: still one mail.
            try await browser.post("/sign-in/forgot", [("email", "forgetful@example.org")])
            try await app.deliverMail()
            #expect(sent.messages.count == 1 && sent.messages.first?.to == "forgetful@example.org")
            let mail = try #require(sent.messages.first)
            let line = try #require(mail.body.split(separator: "\n").first { $0.contains("/reset/") })
            let path = String(line[line.range(of: "/reset/")!.lowerBound...])
            // Five requests an hour from one network; the sixth waits, whatever the address.
            try await browser.post("/sign-in/forgot", [("email", "a@example.org")])
            try await browser.post("/sign-in/forgot", [("email", "b@example.org")])
            #expect(try await browser.post("/sign-in/forgot", [("email", "c@example.org")]).status == .tooManyRequests)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "passwordReset.requested").count() == 5)
            // The link lasts an hour.
            app.clock.advance(by: 3_601)
            #expect(try await Browser(app).get(path).status == .notFound)
        }
    }

    @Test("an administrator's reset link sets a new password once and ends the old sessions")
    func passwordReset() async throws {
        try await withFuqizo { app in
            let sent = SentMail()
            app.mailTransport = sent
            let admin = try await TestFixtures.user(app, grants: [RoleGrant(role: .administrator)])
            let person = try await TestFixtures.user(app, email: "forgetful@example.org", grants: [RoleGrant(role: .grantsOfficer)])
            let old = Browser(app, session: try await TestFixtures.session(app, for: person))
            let adminBrowser = Browser(app, session: try await TestFixtures.session(app, for: admin))
            try await adminBrowser.get("/admin/users/\(person.id!.uuidString)")
            #expect(try await adminBrowser.post("/admin/users/\(person.id!.uuidString)/password-link").status == .seeOther)
            try await app.deliverMail()
            let mail = try #require(sent.messages.first)
            #expect(mail.subject == app.services.catalog.text("mail.reset.subject", .sq))
            let line = try #require(mail.body.split(separator: "\n").first { $0.contains("/reset/") })
            let path = String(line[line.range(of: "/reset/")!.lowerBound...])
            let browser = Browser(app)
            try await browser.get(path)
            #expect(try await browser.post(path, [("password", "the river Drin at night"), ("passwordConfirmation", "the river Drin at night")]).status == .seeOther)
            #expect(try await old.get("/organisations").status == .seeOther, "old sessions end")
            #expect(try await browser.get(path).status == .notFound)
            #expect(try await browser.signIn("forgetful@example.org", password: "the river Drin at night").location == "/")
        }
    }

    @Test("an administrator removes a lost second factor; the person enrols again at sign-in")
    func twoFactorReset() async throws {
        try await withFuqizo { app in
            let admin = try await TestFixtures.user(app, grants: [RoleGrant(role: .administrator)])
            let worker = try await TestFixtures.user(app, email: "cw@example.org", grants: [RoleGrant(role: .administrator)],
                                                     twoFactorSecret: TOTP.randomSecret())
            let adminBrowser = Browser(app, session: try await TestFixtures.session(app, for: admin))
            try await adminBrowser.get("/admin/users/\(worker.id!.uuidString)")
            #expect(try await adminBrowser.post("/admin/users/\(worker.id!.uuidString)/reset-two-factor").status == .seeOther)
            #expect(try await Browser(app).signIn("cw@example.org").location == "/sign-in/enrol")
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "twoFactor.reset").count() == 1)
        }
    }

    @Test("changing one's password needs the current one and ends the other sessions")
    func changeOwnPassword() async throws {
        try await withFuqizo { app in
            let user = try await TestFixtures.user(app, email: "pm@example.org", grants: [RoleGrant(role: .programmeManager)])
            let other = Browser(app, session: try await TestFixtures.session(app, for: user))
            let browser = Browser(app)
            _ = try await browser.signIn("pm@example.org")
            try await browser.get("/account/password")
            var response = try await browser.post("/account/password", [("currentPassword", "wrong wrong wrong"),
                                                                     ("password", "new words for a new day"), ("passwordConfirmation", "new words for a new day")])
            #expect(response.status == .badRequest)
            #expect(response.body.string.contains(app.services.catalog.text("password.error.current", .sq)))
            response = try await browser.post("/account/password", [("currentPassword", TestFixtures.password),
                                                                 ("password", "new words for a new day"), ("passwordConfirmation", "new words for a new day")])
            #expect(response.status == .seeOther)
            #expect(try await browser.get("/account").status == .ok, "this session stays")
            #expect(try await other.get("/account").status == .seeOther, "the others end")
            #expect(try await Browser(app).signIn("pm@example.org", password: "new words for a new day").location == "/")
        }
    }

    @Test("the language switch is remembered and every page follows it")
    func languageSwitch() async throws {
        try await withFuqizo { app in
            let browser = Browser(app)
            var response = try await browser.get("/sign-in")
            #expect(response.body.string.contains("<html lang=\"sq\">"))
            response = try await browser.post("/language", [("language", "en"), ("returnTo", "/sign-in")])
            #expect(response.location == "/sign-in")
            response = try await browser.get("/sign-in")
            #expect(response.body.string.contains("<html lang=\"en\">"))
            #expect(response.body.string.contains(app.services.catalog.text("signIn.title", .en)))
            // An outside address is never a target of the return link.
            response = try await browser.post("/language", [("language", "sq"), ("returnTo", "//evil.example/")])
            #expect(response.location == "/")
        }
    }
}

/// The outer edge: a mail transport that keeps what it is given.
final class SentMail: MailTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [MailMessage] = []
    var failing = false

    var messages: [MailMessage] { lock.withLock { stored } }

    func send(_ message: MailMessage) async throws {
        if lock.withLock({ failing }) { throw Abort(.serviceUnavailable) }
        lock.withLock { stored.append(message) }
    }
}
