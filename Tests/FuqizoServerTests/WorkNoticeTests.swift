import Fluent
import Foundation
@testable import FuqizoCore
@testable import FuqizoServer
import Testing
import Vapor
import VaporTesting

@Suite("Mail about new work")
struct WorkNoticeTests {
    /// The mails queued for `address`, their bodies opened.
    static func mails(_ app: Application, to address: String) async throws -> [(subject: String, body: String)] {
        try await OutboxMessage.query(on: app.db).filter(\.$recipient == address).sort(\.$createdAt).all().map {
            ($0.subject, try Outbox.openedBody(of: $0, box: app.services.mailBox))
        }
    }

    @Test("work that arrives is told once, by a short mail with a link and nothing personal; what existed before notices began is not")
    func toldOnce() async throws {
        try await withFuqizo { app in
            let desk = try await CaseDesk.make(app)
            let partner = try await CaseDesk.make(app, organisation: try await TestFixtures.organisation(app, name: "Partneri"))
            let code = try await desk.register()
            #expect(try await desk.post(code, "consents", [("purpose", "referral"), ("recipientID", partner.organisation.id!.uuidString),
                                                          ("formVersion", "v1"), ("sharedFields[]", "firstName")]).status == .seeOther)
            let consent = try #require(try await SurvivorConsent.query(on: app.db).filter(\.$purpose == "referral").first())
            // The first look only learns what already waits.
            #expect(try await desk.post(code, "referrals", [("consentID", consent.id!.uuidString), ("service", "vocationalTraining")]).status == .seeOther)
            #expect(try await WorkNotifier.run(app, force: true) == .init(mailed: 0, digests: 0))
            #expect(try await Self.mails(app, to: partner.user.email).isEmpty)

            // A second referral to the same organisation is the same work ("referrals to answer"):
            // answered and gone, then a new one arrives and is told.
            let first = try #require(try await SurvivorReferral.query(on: app.db).first())
            try await partner.browser.get("/referrals/\(first.id!.uuidString)")
            #expect(try await partner.browser.post("/referrals/\(first.id!.uuidString)/accepted").status == .seeOther)
            #expect(try await WorkNotifier.run(app, force: true)?.mailed == 0, "nothing new: the item went away")
            #expect(try await desk.post(code, "referrals", [("consentID", consent.id!.uuidString), ("service", "employment")]).status == .seeOther)
            #expect(try await WorkNotifier.run(app, force: true)?.mailed == 1)
            let mails = try await Self.mails(app, to: partner.user.email)
            #expect(mails.count == 1)
            let mail = try #require(mails.first)
            #expect(mail.subject == app.services.catalog.text("notices.new.subject", .sq))
            #expect(mail.body.contains("http://127.0.0.1:8080/referrals"), "a link to the work")
            #expect(!mail.body.contains(code) && !mail.body.contains("Drita") && !mail.body.contains("Zanaj"), "no code, no name")
            #expect(try await WorkNotifier.run(app, force: true)?.mailed == 0, "told once")
            #expect(try await Self.mails(app, to: desk.user.email).isEmpty, "the sender has no new work")
        }
    }

    @Test("a person chooses a daily digest or no mail; the digest goes once a day after seven, Tirana time")
    func preferences() async throws {
        try await withFuqizo { app in
            let desk = try await CaseDesk.make(app)
            let partner = try await CaseDesk.make(app, organisation: try await TestFixtures.organisation(app, name: "Partneri"))
            try await WorkNotifier.run(app, force: true)
            let page = try await partner.browser.get("/account").body.string
            #expect(page.contains("name=\"preference\" value=\"each\" checked"), "at once by default")
            #expect(try await partner.browser.post("/account/notices", [("preference", "daily")]).status == .seeOther)
            #expect(try await partner.browser.post("/account/notices", [("preference", "hourly")]).status == .badRequest)
            #expect(try await NoticeSetting.find(partner.user.id, on: app.db)?.choice == .daily)

            let code = try await desk.register()
            #expect(try await desk.post(code, "consents", [("purpose", "referral"), ("recipientID", partner.organisation.id!.uuidString),
                                                          ("formVersion", "v1")]).status == .seeOther)
            let consent = try #require(try await SurvivorConsent.query(on: app.db).filter(\.$purpose == "referral").first())
            #expect(try await desk.post(code, "referrals", [("consentID", consent.id!.uuidString), ("service", "employment")]).status == .seeOther)
            // Tomorrow at 06:00 nothing goes; at 08:00 the digest does, once.
            let today = TiranaTime.today(at: app.clock.now())
            let six = try #require(TiranaTime.instant(date: today.adding(days: 1).description, time: "06:00"))
            app.clock.advance(by: six.timeIntervalSince(app.clock.now()))
            #expect(try await WorkNotifier.run(app, force: true) == .init(mailed: 0, digests: 0))
            app.clock.advance(by: 2 * 3600)
            #expect(try await WorkNotifier.run(app, force: true) == .init(mailed: 0, digests: 1))
            #expect(try await WorkNotifier.run(app, force: true) == .init(mailed: 0, digests: 0), "once a day")
            let digest = try #require(try await Self.mails(app, to: partner.user.email).first)
            #expect(digest.subject == app.services.catalog.text("notices.digest.subject", .sq))
            #expect(digest.body.contains("/referrals") && !digest.body.contains(code))

            let again = try await partner.signedInAgain()
            try await again.browser.get("/account")
            #expect(try await again.browser.post("/account/notices", [("preference", "none")]).status == .seeOther)
            app.clock.advance(by: 86_400)
            #expect(try await WorkNotifier.run(app, force: true) == .init(mailed: 0, digests: 0), "no mail at all")
        }
    }

    @Test("one instance at a time holds the notices' lease")
    func lease() async throws {
        try await withFuqizo { app in
            let now = app.clock.now()
            let first = try await Lease.claim("lease.test", for: 300, now: now, on: app.db)
            let during = try await Lease.claim("lease.test", for: 300, now: now.addingTimeInterval(10), on: app.db)
            let after = try await Lease.claim("lease.test", for: 300, now: now.addingTimeInterval(301), on: app.db)
            #expect(first && !during && after)
        }
    }
}
