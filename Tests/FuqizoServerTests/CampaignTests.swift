import Fluent
import Foundation
@testable import FuqizoCore
@testable import FuqizoServer
import Testing
import Vapor
import VaporTesting

/// Awareness campaigns through the pages: made by a communications officer, given actions and
/// their reach, totals per campaign and region, media mentions, and the work that waits.
@Suite("Awareness campaigns")
struct CampaignTests {
    func browser(_ app: Application, _ role: Role) async throws -> (Browser, User) {
        let user = try await TestFixtures.user(app, grants: [RoleGrant(role: role)])
        return (Browser(app, session: try await TestFixtures.session(app, for: user)), user)
    }

    @Test("create (a wrong form comes back as typed) → three actions → reach recorded and totalled by sex, age and region → work item until it is → audited")
    func campaignCycle() async throws {
        try await withFuqizo { app in
            let catalog = app.services.catalog
            let (officer, _) = try await browser(app, .communicationsOfficer)
            let today = TiranaTime.today(at: app.clock.now())
            let regions = try await GeographyDirectory.load(on: app.db).regions
            let (tirana, kukes) = (regions[0].id.uuidString, regions[1].id.uuidString)

            var fields: [(String, String)] = [
                ("titleSq", "Shenjat e trafikimit"), ("titleEn", "Signs of trafficking"), ("descriptionSq", "Seanca"), ("descriptionEn", "Sessions"),
                ("objectiveSq", "Njohja e shenjave"), ("objectiveEn", "Knowing the signs"), ("audiences[]", "youth"), ("channels[]", "schools"),
                ("regions[]", tirana), ("regions[]", kukes), ("startsOn", today.adding(days: -20).description),
                ("endsOn", today.adding(days: -30).description), ("budget", "5 000,00"), ("partners", ""),
            ]
            try await officer.get("/campaigns/new")
            let wrong = try await officer.post("/campaigns", fields)
            #expect(wrong.status == .badRequest)
            #expect(wrong.body.string.contains(catalog.text("campaign.error.period", .sq)) && wrong.body.string.contains("Shenjat e trafikimit"))
            #expect(try await Campaign.query(on: app.db).count() == 0, "nothing half-written")
            fields = fields.map { $0.0 == "endsOn" ? ("endsOn", today.adding(days: 40).description) : $0 }
            #expect(try await officer.post("/campaigns", fields).status == .seeOther)
            let campaign = try #require(try await Campaign.query(on: app.db).first())
            #expect(campaign.reference == CampaignReference.make(year: today.adding(days: -20).year, number: 1))
            #expect(campaign.status == .planned && campaign.budgetMinor == 500_000)
            let page = "/campaigns/\(campaign.id!)"

            // Three actions: two past in two regions, one to come; one outside the period is refused.
            func action(_ kind: String, _ offset: Int, _ region: String, cost: String = "100") async throws -> TestingHTTPResponse {
                try await officer.post("\(page)/actions", [("kind", kind), ("heldOn", today.adding(days: offset).description), ("region", region),
                                                           ("municipality", ""), ("descriptionSq", "Veprim"), ("descriptionEn", "Action"), ("cost", cost)])
            }
            let outside = try await action("schoolSession", 60, tirana)
            #expect(outside.status == .badRequest && outside.body.string.contains(catalog.text("campaign.error.outsidePeriod", .sq)))
            #expect(try await action("schoolSession", -10, tirana).status == .seeOther)
            #expect(try await action("broadcastSpot", -5, kukes, cost: "1200").status == .seeOther)
            #expect(try await action("publicEvent", 10, kukes).status == .seeOther)
            let actions = try await CampaignAction.query(on: app.db).sort(\.$heldOn).all()
            #expect(actions.count == 3)

            // Two past actions wait for their reach: one item on the officer's home page.
            app.clock.advance(by: 31)
            let home = try await officer.get("/")
            #expect(home.body.string.contains(catalog.text("work.campaign.reach.other", .sq).replacingOccurrences(of: "{count}", with: "2")))

            // Reach: more counted by age than met is refused, as typed; the action to come takes none yet.
            let refused = try await officer.post("\(page)/actions/\(actions[0].id!)/reach", [("female", "30"), ("male", "20"), ("under18", "60")])
            #expect(refused.status == .badRequest && refused.body.string.contains(catalog.text("campaign.error.ages", .sq)))
            #expect(refused.body.string.contains("value=\"60\""))
            #expect(try await officer.post("\(page)/actions/\(actions[2].id!)/reach", [("female", "3")]).status == .conflict)
            #expect(try await officer.post("\(page)/actions/\(actions[0].id!)/reach",
                                           [("female", "30"), ("male", "20"), ("under18", "45"), ("participants", "50")]).status == .seeOther)
            #expect(try await officer.post("\(page)/actions/\(actions[1].id!)/reach", [("impressions", "25000")]).status == .seeOther)

            // The page adds them up: 50 met (30 women), 45 under 18 and 5 of unknown age, per region.
            let shown = try await officer.get(page)
            #expect(shown.status == .ok)
            let body = shown.body.string
            #expect(body.contains(Display.count(25_000, .sq)) && body.contains(catalog.text("campaign.totals.byRegion", .sq)))
            let service = CampaignService(database: app.db, services: app.services)
            let totals = ReachTotals.of(try await service.actions(of: campaign).map(\.totalsAction), mentions: 0)
            #expect(totals.reachedDirectly == 50 && totals.bySex[.female] == 30 && totals.byAge == [.under18: 45, .unknown: 5])
            #expect(totals.impressions == 25_000 && totals.cost == 140_000 && totals.actionsWithReach == 2)
            #expect(ReachTotals.perRegion(try await service.actions(of: campaign).map(\.totalsAction))[regions[1].id]?.impressions == 25_000)

            // Nothing waits any more.
            app.clock.advance(by: 31)
            #expect(!(try await officer.get("/").body.string.contains(catalog.text("work.campaign.reach.one", .sq))))

            // A correction is audited as one; every change carries the reference and no personal data.
            #expect(try await officer.post("\(page)/actions/\(actions[0].id!)/reach", [("female", "31"), ("male", "20")]).status == .seeOther)
            let audited = try await AuditEntry.query(on: app.db).filter(\.$targetType == "campaign").all().map(\.action)
            #expect(audited.filter { $0 == "campaign.actionAdded" }.count == 3)
            #expect(audited.contains("campaign.reachRecorded") && audited.contains("campaign.reachCorrected") && audited.contains("campaign.created"))
        }
    }

    @Test("mentions: a script link is refused as typed; removing one asks for a reason first; a cancelled campaign takes no further change")
    func mentionsAndCancellation() async throws {
        try await withFuqizo { app in
            let catalog = app.services.catalog
            let (officer, _) = try await browser(app, .programmeManager)
            let today = TiranaTime.today(at: app.clock.now())
            let region = try #require(try await GeographyDirectory.load(on: app.db).regions.first?.id.uuidString)
            try await officer.get("/campaigns")
            #expect(try await officer.post("/campaigns", [
                ("titleSq", "Punë e denjë"), ("titleEn", "Decent work"), ("descriptionSq", "P"), ("descriptionEn", "D"), ("objectiveSq", "O"),
                ("objectiveEn", "O"), ("audiences[]", "employers"), ("channels[]", "radio"), ("regions[]", region),
                ("startsOn", today.description), ("endsOn", today.adding(days: 30).description)]).status == .seeOther)
            let campaign = try #require(try await Campaign.query(on: app.db).first())
            let page = "/campaigns/\(campaign.id!)"

            let script = try await officer.post("\(page)/mentions", [("outlet", "Lajme"), ("publishedOn", today.description), ("kind", "online"),
                                                                     ("link", "javascript:alert(1)")])
            #expect(script.status == .badRequest && script.body.string.contains(catalog.text("form.error.url", .sq)))
            #expect(script.body.string.contains("value=\"Lajme\""))
            #expect(try await CampaignMention.query(on: app.db).count() == 0)
            #expect(try await officer.post("\(page)/mentions", [("outlet", "Lajme"), ("publishedOn", today.description), ("kind", "online"),
                                                                ("link", "https://example.org/a")]).status == .seeOther)
            let mention = try #require(try await CampaignMention.query(on: app.db).first())
            #expect(try await officer.get(page).body.string.contains("rel=\"noopener noreferrer\""))

            // Removing: the first post only asks; the confirmed one without a reason asks again.
            let ask = try await officer.post("\(page)/mentions/\(mention.id!)/remove")
            #expect(ask.status == .ok && ask.body.string.contains(catalog.text("campaign.mention.removeTitle", .sq)))
            #expect(try await officer.post("\(page)/mentions/\(mention.id!)/remove", [("confirmed", "yes"), ("reason", "")]).status == .badRequest)
            #expect(try await CampaignMention.query(on: app.db).count() == 1)
            #expect(try await officer.post("\(page)/mentions/\(mention.id!)/remove", [("confirmed", "yes"), ("reason", "E dyfishtë")]).status == .seeOther)
            #expect(try await CampaignMention.query(on: app.db).count() == 0)

            // Start, then cancel with a reason: the reason is in the audit; nothing changes after.
            #expect(try await officer.post("\(page)/complete").status == .conflict)
            #expect(try await officer.post("\(page)/start").status == .seeOther)
            #expect(try await officer.post("\(page)/cancel", [("confirmed", "yes"), ("reason", "Partneri u tërhoq")]).status == .seeOther)
            let cancelled = try #require(try await Campaign.find(campaign.id, on: app.db))
            #expect(cancelled.status == .cancelled)
            let entry = try #require(try await AuditEntry.query(on: app.db).filter(\.$action == "campaign.cancel").first())
            #expect(entry.details.contains("Partneri u tërhoq"))
            let late = try await officer.post("\(page)/mentions", [("outlet", "Lajme"), ("publishedOn", today.description), ("kind", "radio")])
            #expect(late.status == .conflict && late.body.string.contains(catalog.text("campaign.error.cancelled", .sq)))
            #expect(try await officer.get("\(page)/edit").status == .conflict)
        }
    }
}
