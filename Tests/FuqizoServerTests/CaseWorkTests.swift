import Fluent
import Foundation
@testable import FuqizoCore
@testable import FuqizoServer
import Testing
import Vapor
import VaporTesting

@Suite("The road to employment")
struct CaseWorkTests {
    @Test("needs and the empowerment plan are kept; the plan's words are ciphertext and hidden without consent to services")
    func needsAndPlan() async throws {
        try await withFuqizo { app in
            let desk = try await CaseDesk.make(app)
            let code = try await desk.register()
            let needs = try await desk.post(code, "needs", [("education", "lowerSecondary"), ("workHistory", "informal"), ("housing", "shelter"),
                                                             ("childcare", "yes"), ("skills[]", "crafts"), ("health[]", "mentalHealth")])
            #expect(needs.status == .seeOther)
            let row = try #require(try await SurvivorNeeds.find(try await desk.survivor(code).id, on: app.db))
            #expect(row.housing == "shelter" && row.needsChildcare && row.skills == "crafts")

            let goal = try await desk.post(code, "plan", [("area", "employment"), ("goal", "Punë në furrën e Bardhit"),
                                                           ("step", "Kurs pastiçerie"), ("responsible", "Elira"), ("dueDate", "2027-03-01")])
            #expect(goal.status == .seeOther)
            let stored = try #require(try await PlanGoal.query(on: app.db).first())
            #expect(stored.textSealed.map { String(decoding: $0, as: UTF8.self).contains("Bardhit") } == false)
            let page = try await desk.browser.get("/survivors/\(code)?section=plan")
            #expect(page.body.string.contains("Punë në furrën e Bardhit") && page.body.string.contains("Kurs pastiçerie"))
            let step = try #require(try await PlanStep.query(on: app.db).first())
            #expect(try await desk.post(code, "plan/steps/\(step.id!.uuidString)", [("status", "inProgress")]).status == .seeOther)
            #expect(try await PlanStep.find(step.id, on: app.db)?.status == .inProgress)

            // A step due in the past is refused on the form, with what was typed.
            let late = try await desk.post(code, "plan/\(stored.id!.uuidString)/steps", [("step", "Intervistë"), ("dueDate", "2020-01-01")])
            #expect(late.status == .badRequest)
            #expect(late.body.string.contains(app.services.catalog.text("plan.error.duePast", .sq)) && late.body.string.contains("value=\"Intervistë\""))
            #expect(try await PlanStep.query(on: app.db).count() == 1)

            // Without consent to services the words are neither shown nor written.
            let services = try #require(try await SurvivorConsent.query(on: app.db).filter(\.$purpose == "services").first())
            try await desk.post(code, "consents/\(services.id!.uuidString)/withdraw", [("confirmed", "yes"), ("reason", "survivorAsked")])
            let hidden = try await desk.browser.get("/survivors/\(code)?section=plan")
            #expect(!hidden.body.string.contains("Bardhit") && !hidden.body.string.contains("Elira"))
            #expect(hidden.body.string.contains(app.services.catalog.text("plan.area.employment", .sq)), "the area stays")
            #expect(try await desk.post(code, "plan", [("area", "training"), ("goal", "x"), ("step", "y")]).status == .forbidden)
        }
    }

    @Test("a referral shows the receiver only the consented fields, only while it is open and the consent lasts")
    func referral() async throws {
        try await withFuqizo { app in
            let desk = try await CaseDesk.make(app)
            let code = try await desk.register()
            let partner = try await CaseDesk.make(app, organisation: try await TestFixtures.organisation(app, name: "Partneri"))
            let third = try await CaseDesk.make(app, organisation: try await TestFixtures.organisation(app, name: "E treta"))
            #expect(try await desk.post(code, "consents", [("purpose", "referral"), ("recipientID", partner.organisation.id!.uuidString),
                                                          ("formVersion", "v1"), ("sharedFields[]", "firstName"), ("sharedFields[]", "phone")]).status == .seeOther)
            let consent = try #require(try await SurvivorConsent.query(on: app.db).filter(\.$purpose == "referral").first())
            #expect(consent.sharedIdentityFields == [.firstName, .phone])
            let bad = try await desk.post(code, "referrals", [("consentID", UUID().uuidString), ("service", "employment")])
            #expect(bad.status == .badRequest)
            #expect(try await desk.post(code, "referrals", [("consentID", consent.id!.uuidString), ("service", "vocationalTraining")]).status == .seeOther)
            let referral = try #require(try await SurvivorReferral.query(on: app.db).first())
            let path = "/referrals/\(referral.id!.uuidString)"

            #expect(try await partner.browser.get("/referrals").body.string.contains(code))
            let received = try await partner.browser.get(path)
            #expect(received.status == .ok)
            #expect(received.body.string.contains("Drita") && received.body.string.contains("+355 69 123 4567"))
            #expect(!received.body.string.contains("Zanaj") && !received.body.string.contains("Rruga e Pazarit"), "only what the consent covers")
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "survivor.referralRead").count() == 1)
            // The referral opens nothing else of the record.
            #expect(try await partner.browser.get("/survivors/\(code)").status == .forbidden)
            #expect(try await third.browser.get(path).status == .forbidden)
            // The receiver answers; only the sender revokes.
            #expect(try await partner.browser.post("\(path)/revoked").status == .forbidden)
            #expect(try await desk.browser.post("\(path)/accepted").status == .forbidden)
            #expect(try await partner.browser.post("\(path)/accepted").status == .seeOther)
            #expect(try await partner.browser.post("\(path)/declined").status == .conflict, "an accepted referral cannot be declined")

            // Withdrawing the referral consent hides the data at once, whatever the referral's state.
            try await desk.post(code, "consents/\(consent.id!.uuidString)/withdraw", [("confirmed", "yes"), ("reason", "survivorAsked")])
            let after = try await partner.browser.get(path)
            #expect(after.status == .ok && !after.body.string.contains("Drita"))
            #expect(after.body.string.contains(app.services.catalog.text("referral.consentEnded", .sq)))
            #expect(try await desk.browser.post("\(path)/revoked").status == .seeOther)
            #expect(try await SurvivorReferral.find(referral.id, on: app.db)?.status == .revoked)
        }
    }

    @Test("a facilitator sees only the code and first name of those in their own sessions, while Club consent lasts")
    func club() async throws {
        try await withFuqizo { app in
            let desk = try await CaseDesk.make(app)
            let code = try await desk.register()
            let noClub = try await desk.register(CaseDesk.intake(firstName: "Besa", lastName: "Malaj", birthDate: "1990-01-01",
                                                                 region: try await CaseDesk.region(app), consents: [.services]))
            #expect(try await desk.post(noClub, "club/join").status == .conflict, "no Club without consent to it")
            #expect(try await desk.post(code, "club/join").status == .seeOther)
            let grant = RoleGrant(role: .clubFacilitator, organisationID: desk.organisation.id)
            let facilitator = try await TestFixtures.user(app, grants: [grant])
            let otherFacilitator = try await TestFixtures.user(app, grants: [grant])
            try await desk.browser.get("/club")
            let today = TiranaTime.today(at: app.clock.now())
            let created = try await desk.browser.post("/club/sessions", [("kind", "jobReadiness"), ("date", today.description), ("place", "Qendra e Klubit"),
                                                                         ("facilitatorID", facilitator.id!.uuidString)])
            #expect(created.status == .seeOther)
            let sessionPath = try #require(created.location)
            try await desk.browser.get(sessionPath)
            #expect(!desk.browser.lastBody.contains(noClub), "only consenting members can be invited")
            #expect(try await desk.browser.post("\(sessionPath)/members", [("codes[]", code), ("codes[]", noClub)]).status == .seeOther)
            #expect(try await ClubAttendance.query(on: app.db).count() == 1)

            let browser = Browser(app, session: try await TestFixtures.session(app, for: facilitator))
            let list = try await browser.get(sessionPath)
            #expect(list.status == .ok && list.body.string.contains(code) && list.body.string.contains("Drita"))
            #expect(!list.body.string.contains("Zanaj") && !list.body.string.contains("123 4567"))
            #expect(try await browser.get("/club").body.string.contains(sessionPath))
            #expect(try await browser.get("/survivors/\(code)").status == .forbidden)
            let attendance = try #require(try await ClubAttendance.query(on: app.db).first())
            #expect(try await browser.post("\(sessionPath)/attendance", [("present[]", attendance.id!.uuidString)]).status == .seeOther)
            #expect(try await ClubAttendance.find(attendance.id, on: app.db)?.present == true)
            // Next week's session: nobody can have come yet.
            try await desk.browser.get("/club")
            let coming = try #require(try await desk.browser.post("/club/sessions", [
                ("kind", "jobReadiness"), ("date", today.adding(days: 7).description), ("place", "Qendra e Klubit"), ("facilitatorID", facilitator.id!.uuidString),
            ]).location)
            try await desk.browser.get(coming)
            try await desk.browser.post("\(coming)/members", [("codes[]", code)])
            let comingPage = try await browser.get(coming).body.string
            let notYet = app.services.catalog.text("club.error.attendanceBeforeSession", .sq).replacingOccurrences(of: "'", with: "&#39;")
            #expect(comingPage.contains(notYet) && !comingPage.contains("/attendance\""))
            #expect(try await browser.post("\(coming)/attendance", []).status == .conflict)
            let other = Browser(app, session: try await TestFixtures.session(app, for: otherFacilitator))
            #expect(try await other.get(sessionPath).status == .forbidden, "not their session")

            let clubConsent = try #require(try await SurvivorConsent.query(on: app.db).filter(\.$purpose == "club").first())
            try await desk.post(code, "consents/\(clubConsent.id!.uuidString)/withdraw", [("confirmed", "yes"), ("reason", "survivorAsked")])
            let withdrawn = try await browser.get(sessionPath)
            #expect(withdrawn.body.string.contains(code) && !withdrawn.body.string.contains("Drita"))
            #expect(try await desk.browser.get("/survivors/\(code)?section=club").body.string.contains(
                app.services.catalog.format("club.attendanceSummary", .sq, ["attended": "1", "sessions": "1"])))
        }
    }

    @Test("a job schedules follow-ups at 3, 6 and 12 months, shown on the caseload when due and when late")
    func employmentFollowUps() async throws {
        try await withFuqizo { app in
            var desk = try await CaseDesk.make(app)
            let code = try await desk.register()
            let today = TiranaTime.parts(of: app.clock.now()).date
            let refused = try await desk.post(code, "employment", [("kind", "jobPlacement"), ("sector", "hospitality"), ("startDate", "tomorrow"),
                                                                   ("businessGrant", "1500")])
            #expect(refused.status == .badRequest)
            for key in ["form.error.date", "employment.error.grantKind", "form.error.choose"] {
                #expect(refused.body.string.contains(app.services.catalog.text(key, .sq)), "\(key)")
            }
            #expect(try await EmploymentOutcome.query(on: app.db).count() == 0)

            let ok = try await desk.post(code, "employment", [("kind", "jobPlacement"), ("sector", "hospitality"), ("startDate", today),
                                                              ("contractType", "fixedTerm"), ("wageBand", "from30000to45000")])
            #expect(ok.status == .seeOther)
            let followUps = try await EmploymentFollowUp.query(on: app.db).sort(\.$months).all()
            let start = LocalDate(today)!
            #expect(followUps.map(\.months) == [3, 6, 12])
            #expect(followUps.map(\.dueOn) == [3, 6, 12].map { start.adding(months: $0).description })
            #expect(try await desk.post(code, "follow-ups/\(followUps[0].id!.uuidString)", [("stillWorking", "yes")]).status == .conflict)
            #expect(!(try await desk.browser.get("/survivors")).body.string.contains(app.services.catalog.text("followUp.dueTitle", .sq)))

            app.clock.advance(by: 95 * 86_400)
            desk = try await desk.signedInAgain()
            let due = try await desk.browser.get("/survivors")
            #expect(due.body.string.contains(app.services.catalog.text("followUp.dueTitle", .sq)))
            #expect(due.body.string.contains(app.services.catalog.text("followUp.state.due", .sq)))
            app.clock.advance(by: 20 * 86_400)
            desk = try await desk.signedInAgain()
            #expect(try await desk.browser.get("/survivors").body.string.contains(app.services.catalog.text("followUp.state.late", .sq)))
            #expect(try await desk.post(code, "follow-ups/\(followUps[0].id!.uuidString)", [("stillWorking", "yes")]).status == .seeOther)
            #expect(try await EmploymentFollowUp.find(followUps[0].id, on: app.db)?.stillWorking == true)
            #expect(!(try await desk.browser.get("/survivors")).body.string.contains(app.services.catalog.text("followUp.dueTitle", .sq)))
            let entry = try #require(try await AuditEntry.query(on: app.db).filter(\.$action == "survivor.followUpRecorded").first())
            #expect(entry.targetID == code && entry.details == "months=3; stillWorking=yes")
        }
    }
}
