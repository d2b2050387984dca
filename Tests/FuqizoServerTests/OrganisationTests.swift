import Fluent
import Foundation
@testable import FuqizoCore
@testable import FuqizoServer
import Testing
import Vapor
import VaporTesting

@Suite("CSO registry and programme regions")
struct OrganisationTests {
    func staffBrowser(_ app: Application, _ role: Role = .programmeManager) async throws -> Browser {
        let user = try await TestFixtures.user(app, grants: [RoleGrant(role: role)])
        return Browser(app, session: try await TestFixtures.session(app, for: user))
    }

    @Test("an organisation asks for an account; a grants officer registers it, approves, and its contact is invited; a refusal says why by mail")
    func accountRequests() async throws {
        try await withFuqizo { app in
            let kukes = try await TestFixtures.municipality(app, named: "Kukës")
            let visitor = Browser(app)
            try await visitor.get("/register")
            let bad = try await visitor.post("/register", [("organisationName", "Qendra Vatra"), ("registrationNumber", "123"),
                                                            ("municipalityID", kukes.id!.uuidString), ("contactName", "Elira Hoxha"), ("email", "elira@")])
            #expect(bad.status == .badRequest && bad.body.string.contains("value=\"Qendra Vatra\""), "what was typed comes back")
            #expect(bad.body.string.contains(app.services.catalog.text("cso.error.nuis", .sq)))
            #expect(try await AccountRequest.query(on: app.db).count() == 0)
            let good = try await visitor.post("/register", [("organisationName", "Qendra Vatra"), ("registrationNumber", "L91806031N"),
                                                             ("municipalityID", kukes.id!.uuidString), ("contactName", "Elira Hoxha"),
                                                             ("email", "elira@vatra.al"), ("message", "Për thirrjen e vitit")])
            #expect(good.status == .ok && good.body.string.contains(app.services.catalog.text("accountRequest.received", .sq).replacingOccurrences(of: "'", with: "&#39;")))
            let request = try #require(try await AccountRequest.query(on: app.db).first())
            #expect(request.status == .pending && request.registrationNumber == "L91806031N")

            // The officer's work list names it; approval waits for the registry.
            let officer = try await TestFixtures.user(app, grants: [RoleGrant(role: .grantsOfficer)])
            let browser = Browser(app, session: try await TestFixtures.session(app, for: officer))
            let home = try await browser.get("/").body.string
            #expect(home.contains(app.services.catalog.counted("work.accountRequests", 1, .sq)) && home.contains("/organisations/requests"))
            let path = "/organisations/requests/\(request.id!.uuidString)"
            var page = try await browser.get(path).body.string
            #expect(page.contains("disabled aria-describedby=\"approve-why\""), "not in the registry yet")
            #expect(page.contains("/organisations/new?request=\(request.id!.uuidString)"))
            #expect(try await browser.post("\(path)/approve").status == .conflict)
            let prefilled = try await browser.get("/organisations/new?request=\(request.id!.uuidString)").body.string
            #expect(prefilled.contains("value=\"Qendra Vatra\"") && prefilled.contains("value=\"L91806031N\""))
            let organisation = try await TestFixtures.organisation(app, name: "Qendra Vatra", nuis: "L91806031N")
            page = try await browser.get(path).body.string
            #expect(page.contains("/organisations/\(organisation.id!.uuidString)") && !page.contains("disabled aria-describedby"))
            #expect(try await browser.post("\(path)/approve").status == .seeOther)
            let invited = try #require(try await User.query(on: app.db).filter(\.$email == "elira@vatra.al").with(\.$roles).first())
            #expect(invited.roles.compactMap(\.grant) == [RoleGrant(role: .csoUser, organisationID: organisation.id)])
            #expect(try await OutboxMessage.query(on: app.db).filter(\.$recipient == "elira@vatra.al").count() == 1, "the invitation")
            #expect(try await AccountRequest.find(request.id, on: app.db)?.status == .approved)
            #expect(try await browser.post("\(path)/approve").status == .conflict, "decided once")

            // A refusal asks for a reason, and the contact is told it.
            try await visitor.get("/register")
            _ = try await visitor.post("/register", [("organisationName", "Biznes Sh.p.k."), ("registrationNumber", "K12345678A"),
                                                    ("municipalityID", kukes.id!.uuidString), ("contactName", "Artan"), ("email", "artan@biznes.al")])
            let other = try #require(try await AccountRequest.query(on: app.db).filter(\.$email == "artan@biznes.al").first())
            let otherPath = "/organisations/requests/\(other.id!.uuidString)"
            try await browser.get(otherPath)
            #expect(try await browser.post("\(otherPath)/refuse", [("confirmed", "yes"), ("reason", " ")]).status == .badRequest)
            #expect(try await browser.post("\(otherPath)/refuse", [("confirmed", "yes"), ("reason", "A company, not a CSO.")]).status == .seeOther)
            let mail = try #require(try await OutboxMessage.query(on: app.db).filter(\.$recipient == "artan@biznes.al").first())
            #expect(try Outbox.openedBody(of: mail, box: app.services.mailBox).contains("A company, not a CSO."))
            #expect(try await AccountRequest.find(other.id, on: app.db)?.status == .refused)

            // The public form is rate limited per network.
            for number in 0..<AccountRequestService.addressLimit {
                _ = try await visitor.post("/register", [("organisationName", "Org \(number)"), ("registrationNumber", "L0000000\(number)A"),
                                                        ("municipalityID", kukes.id!.uuidString), ("contactName", "X"), ("email", "x\(number)@example.al")])
            }
            #expect(try await visitor.post("/register", [("organisationName", "One more"), ("registrationNumber", "L99999999A"),
                                                          ("municipalityID", kukes.id!.uuidString), ("contactName", "X"), ("email", "y@example.al")]).status == .tooManyRequests)
        }
    }

    @Test("a form with errors comes back as typed, with a message per field, and stores nothing")
    func invalidFormKeepsInput() async throws {
        try await withFuqizo { app in
            let browser = try await staffBrowser(app)
            try await browser.get("/organisations/new")
            let kukes = try await TestFixtures.municipality(app, named: "Kukës")
            let response = try await browser.post("/organisations", [
                ("nameSq", "Shoqata Drita e Kukësit"), ("legalForm", "association"), ("registrationNumber", "12345678"),
                ("municipalityID", kukes.id!.uuidString), ("status", "active"), ("email", "bad address"),
            ])
            #expect(response.status == .badRequest)
            let body = response.body.string
            #expect(body.contains("value=\"Shoqata Drita e Kukësit\""))
            #expect(body.contains("value=\"12345678\""))
            let catalog = app.services.catalog
            for key in ["cso.error.nuis", "cso.error.focusAreas", "form.error.email"] {
                #expect(body.contains(catalog.text(key, .sq)), "message for \(key)")
            }
            #expect(body.contains("aria-invalid=\"true\""))
            #expect(try await Organisation.query(on: app.db).count() == 0)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "organisation.created").count() == 0)
        }
    }

    @Test("a valid organisation is stored, audited without its values, and a NUIS is unique")
    func createAndAudit() async throws {
        try await withFuqizo { app in
            let browser = try await staffBrowser(app, .grantsOfficer)
            try await browser.get("/organisations/new")
            let diber = try await TestFixtures.municipality(app, named: "Dibër")
            let fields: [(String, String)] = [
                ("nameSq", "Qendra Ura"), ("nameEn", "Bridge Centre"), ("legalForm", "centre"), ("registrationNumber", "k 12345678 l"),
                ("municipalityID", diber.id!.uuidString), ("focusAreas[]", "domesticViolence"), ("focusAreas[]", "legalAid"),
                ("status", "active"), ("iban", "AL47 2121 1009 0000 0002 3569 8741"), ("foundingYear", "2004"),
            ]
            var response = try await browser.post("/organisations", fields)
            #expect(response.status == .seeOther)
            let organisation = try #require(try await Organisation.query(on: app.db).with(\.$focusAreas).first())
            #expect(organisation.registrationNumber == "K12345678L")
            #expect(Set(organisation.focusAreas.map(\.area)) == ["domesticViolence", "legalAid"])
            #expect(organisation.iban == "AL47212110090000000235698741")
            let entry = try #require(try await AuditEntry.query(on: app.db).filter(\.$action == "organisation.created").first())
            #expect(entry.targetID == organisation.id!.uuidString)
            #expect(!entry.details.contains("Ura") && !entry.details.contains("AL47"))

            try await browser.get("/organisations/new")
            response = try await browser.post("/organisations", fields)
            #expect(response.status == .badRequest)
            #expect(response.body.string.contains(app.services.catalog.text("cso.error.nuisTaken", .sq)))
        }
    }

    @Test("search ignores case and Albanian diacritics; filters by region, municipality and focus")
    func searchAndFilter() async throws {
        try await withFuqizo { app in
            let kukes = try await TestFixtures.organisation(app, name: "Shoqata Zëri i Kukësit", municipality: "Kukës")
            let tirana = try await TestFixtures.organisation(app, name: "Qendra Drita", municipality: "Tiranë")
            let service = OrganisationService(database: app.db, services: app.services)
            var filter = OrganisationService.Filter()
            filter.query = "zeri i KUKESIT"
            #expect(try await service.list(filter).items.map(\.id) == [kukes.id!])
            filter = .init()
            filter.query = tirana.registrationNumber.lowercased()
            #expect(try await service.list(filter).items.map(\.id) == [tirana.id!])
            let region = try #require(try await ProgrammeRegion.query(on: app.db).filter(\.$code == "KU").first())
            filter = .init()
            filter.regionID = region.id
            #expect(try await service.list(filter).items.map(\.id) == [kukes.id!])
            filter = .init()
            filter.focusArea = .antiTrafficking
            #expect(try await service.list(filter).items.count == 2)
            filter.focusArea = .shelter
            #expect(try await service.list(filter).items.isEmpty)

            let browser = try await staffBrowser(app)
            let page = try await browser.get("/organisations?region=\(region.id!.uuidString)")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("Shoqata Z") && !page.body.string.contains("Qendra Drita"))
        }
    }

    @Test("a CSO user edits their own organisation but never sees or changes its bank details through a role without them")
    func bankDetailsVisibility() async throws {
        try await withFuqizo { app in
            let organisation = try await TestFixtures.organisation(app)
            let iban = "AL47 2121 1009 0000 0002 3569 8741"
            let pm = try await staffBrowser(app, .programmeManager)
            var page = try await pm.get("/organisations/\(organisation.id!.uuidString)")
            #expect(!page.body.string.contains(iban), "programme managers see no bank details")
            page = try await pm.get("/organisations/\(organisation.id!.uuidString)/edit")
            #expect(!page.body.string.contains("name=\"iban\""))
            var form = OrganisationService.form(from: organisation)
            form.phone = "+355 69 000 0000"
            let response = try await pm.post("/organisations/\(organisation.id!.uuidString)", [
                ("nameSq", form.nameSq), ("legalForm", form.legalForm), ("registrationNumber", form.registrationNumber),
                ("municipalityID", form.municipalityID), ("focusAreas[]", "antiTrafficking"), ("status", "active"), ("phone", form.phone),
            ])
            #expect(response.status == .seeOther)
            let stored = try #require(try await Organisation.find(organisation.id, on: app.db))
            #expect(stored.iban == IBAN.normalised(iban), "an edit without bank fields keeps them")
            #expect(stored.phone == "+355 69 000 0000")

            let officer = try await staffBrowser(app, .grantsOfficer)
            #expect(try await officer.get("/organisations/\(organisation.id!.uuidString)").body.string.contains(iban))
            let member = try await TestFixtures.user(app, grants: [RoleGrant(role: .csoUser, organisationID: organisation.id)])
            let own = Browser(app, session: try await TestFixtures.session(app, for: member))
            #expect(try await own.get("/organisations/\(organisation.id!.uuidString)").body.string.contains(iban))
            #expect(try await own.get("/my-organisations").location == "/organisations/\(organisation.id!.uuidString)")
        }
    }

    @Test("a CSO user edits contacts and counts but not the registry's fields (name, NUIS, legal form, status); staff do")
    func registryFieldsAreStaffOnly() async throws {
        try await withFuqizo { app in
            let organisation = try await TestFixtures.organisation(app, name: "Shoqata e Regjistruar")
            let path = "/organisations/\(organisation.id!.uuidString)"
            let member = try await TestFixtures.user(app, grants: [RoleGrant(role: .csoUser, organisationID: organisation.id)])
            let own = Browser(app, session: try await TestFixtures.session(app, for: member))
            let form = try await own.get("\(path)/edit").body.string
            #expect(!form.contains("name=\"registrationNumber\"") && !form.contains("name=\"nameSq\"") && !form.contains("name=\"status\""))
            #expect(form.contains(app.services.catalog.text("cso.registry.staffOnly", .sq)))
            // A hand-made post with the registry's fields changes only what the organisation may.
            let response = try await own.post(path, [
                ("nameSq", "Emër i Ri"), ("legalForm", "foundation"), ("registrationNumber", "K99999999K"), ("status", "inactive"),
                ("municipalityID", organisation.$municipality.id.uuidString), ("focusAreas[]", "antiTrafficking"),
                ("phone", "+355 69 111 2222"),
            ])
            #expect(response.status == .seeOther)
            var stored = try #require(try await Organisation.find(organisation.id, on: app.db))
            #expect(stored.nameSq == "Shoqata e Regjistruar" && stored.registrationNumber == organisation.registrationNumber)
            #expect(stored.legalForm == organisation.legalForm && stored.status == organisation.status)
            #expect(stored.phone == "+355 69 111 2222")
            // Programme staff change them.
            let pm = try await staffBrowser(app, .programmeManager)
            #expect(try await pm.get("\(path)/edit").body.string.contains("name=\"registrationNumber\""))
            #expect(try await pm.post(path, [
                ("nameSq", "Emër i Ri"), ("legalForm", organisation.legalForm), ("registrationNumber", organisation.registrationNumber),
                ("status", "inactive"), ("municipalityID", organisation.$municipality.id.uuidString), ("focusAreas[]", "antiTrafficking"),
            ]).status == .seeOther)
            stored = try #require(try await Organisation.find(organisation.id, on: app.db))
            #expect(stored.nameSq == "Emër i Ri" && stored.status == .inactive)
        }
    }

    @Test("the 12 counties and 61 municipalities are built in, with four default regions")
    func geography() async throws {
        try await withFuqizo { app in
            #expect(try await County.query(on: app.db).count() == 12)
            #expect(try await Municipality.query(on: app.db).count() == 61)
            let directory = try await GeographyDirectory.load(on: app.db)
            #expect(directory.regions.map(\.code).sorted() == ["DI", "KU", "SA", "TR"])
            #expect(directory.regions.first { $0.code == "KU" }?.municipalityIDs.count == 3)
        }
    }

    @Test("a region's municipalities can be changed; a municipality stays in one region")
    func editRegion() async throws {
        try await withFuqizo { app in
            let admin = try await TestFixtures.user(app, grants: [RoleGrant(role: .administrator)])
            let browser = Browser(app, session: try await TestFixtures.session(app, for: admin))
            let kukesRegion = try #require(try await ProgrammeRegion.query(on: app.db).filter(\.$code == "KU").first())
            let has = try await TestFixtures.municipality(app, named: "Has")
            let puke = try await TestFixtures.municipality(app, named: "Pukë")
            let tirana = try await TestFixtures.municipality(app, named: "Tiranë")
            try await browser.get("/admin/regions/\(kukesRegion.id!.uuidString)")
            var response = try await browser.post("/admin/regions/\(kukesRegion.id!.uuidString)",
                                                  [("municipalities[]", has.id!.uuidString), ("municipalities[]", puke.id!.uuidString)])
            #expect(response.status == .seeOther)
            let directory = try await GeographyDirectory.load(on: app.db)
            #expect(directory.regions.first { $0.code == "KU" }?.municipalityIDs == [has.id!, puke.id!])
            response = try await browser.post("/admin/regions/\(kukesRegion.id!.uuidString)", [("municipalities[]", tirana.id!.uuidString)])
            #expect(response.status == .badRequest, "Tiranë belongs to another region")
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "region.updated").count() == 1)
        }
    }
}

@Suite("Demo data")
struct DemoDataTests {
    @Test("the demo spreads fictional CSOs over the four regions and creates one user per role")
    func demo() async throws {
        try await withFuqizo { app in
            let organisations = try await DemoData.loadOrganisations(app: app, count: 40)
            #expect(Set(organisations).count == 40)
            let directory = try await GeographyDirectory.load(on: app.db)
            for region in directory.regions {
                let count = try await Organisation.query(on: app.db).filter(\.$municipality.$id ~~ region.municipalityIDs).count()
                #expect(count == 10, "\(region.code)")
            }
            let names = try await Organisation.query(on: app.db).all().map(\.nameSq)
            #expect(names.allSatisfy { $0.hasSuffix("(demo)") }, "demo data is visibly fictional")
            let accounts = try await DemoData.loadUsers(app: app, organisations: organisations)
            #expect(Set(accounts.map(\.role)) == Set(Role.allCases))
            let manager = try #require(accounts.first { $0.role == .programmeManager })
            #expect(try await Browser(app).signIn(manager.email, password: manager.password).location == "/")
            try await DemoData.loadOpenCall(app: app)
            let call = try #require(try await GrantCall.query(on: app.db).with(\.$lots).first())
            #expect(call.status == .published && call.lots.count == 4)
            #expect(try await Browser(app).get("/calls").body.string.contains(call.reference))
            #expect(try await AuditLog.verify(on: app.db, key: app.services.audit.key.key).isIntact)
        }
    }
}
