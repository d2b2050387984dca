import Fluent
import SQLKit
import Foundation
@testable import FuqizoCore
@testable import FuqizoServer
import Testing
import Vapor
import VaporTesting

/// Grant contracts on the server: generated from an award, corrected, sent, signed with the
/// scan, suspended, resumed and terminated with reasons; who sees them; the print in the
/// grantee's language; the portfolio and the CSO's page.
@Suite("Grant contracts")
struct ContractTests {
    func browser(_ app: Application, _ user: User) async throws -> Browser {
        Browser(app, session: try await TestFixtures.session(app, for: user))
    }

    func person(_ app: Application, _ role: Role, in organisation: UUID? = nil) async throws -> User {
        try await TestFixtures.user(app, grants: [RoleGrant(role: role, organisationID: organisation)])
    }

    /// The award the demo left without a contract, contracted (twelve months from today unless
    /// said otherwise), sent and signed through the service.
    func signedContract(_ app: Application, start: LocalDate? = nil, months: Int = 12) async throws -> GrantContract {
        let contracted = Set(try await GrantContract.query(on: app.db).all().map { $0.$application.id })
        let award = try #require(try await GrantApplication.query(on: app.db).filter(\.$status == .awarded).all().first { !contracted.contains($0.id!) })
        let application = try await ApplicationService(database: app.db, services: app.services).find(award.id!)
        let officer = try await person(app, .grantsOfficer).requireID()
        let service = ContractService(database: app.db, services: app.services)
        let start = start ?? service.today
        let form = ContractForm(amount: NumberWriting.plain(award.requestedMinorUnits), startDate: start.description,
                                endDate: start.adding(months: months).adding(days: -1).description, language: "sq")
        let contract = try await service.generate(from: application, form: form, actor: officer).get()
        try await service.send(contract, actor: officer)
        let today = service.today.description
        _ = try await service.recordSignatures(contract, form: SignatureForm(grantee: today, programme: today),
                                               scan: .success(CheckedDocument.demoScan(number: contract.number)), actor: officer)
        return try await self.contract(app, contract.requireID())
    }

    /// How most contract tests begin: the demo programme, a signed contract of one of its
    /// awards, a grants officer and one of the grantee's CSO users.
    struct Scene {
        let contract: GrantContract
        let officer: User
        let grantee: User
        var id: UUID { contract.id! }
        /// The contract's page.
        var page: String { "/contracts/\(id.uuidString)" }
    }

    func scene(_ app: Application, start: LocalDate? = nil, months: Int = 12) async throws -> Scene {
        _ = try await TestFixtures.demo(app, applications: 8, survivors: 0)
        let contract = try await signedContract(app, start: start, months: months)
        return Scene(contract: contract, officer: try await person(app, .grantsOfficer),
                     grantee: try await person(app, .csoUser, in: contract.$organisation.id))
    }

    func contract(_ app: Application, _ id: UUID) async throws -> GrantContract {
        try #require(try await GrantContract.find(id, on: app.db))
    }

    @Test("award → contract → correct → send → signatures with the scan → suspend → resume → terminate, each audited")
    func lifecycle() async throws {
        try await withFuqizo { app in
            _ = try await TestFixtures.demo(app, applications: 8, survivors: 0)
            let catalog = app.services.catalog
            // The demo leaves one award of the call without a contract.
            let contracted = Set(try await GrantContract.query(on: app.db).all().map { $0.$application.id })
            let award = try #require(try await GrantApplication.query(on: app.db).filter(\.$status == .awarded).all()
                .first { !contracted.contains($0.id!) })
            let officer = try await browser(app, try await person(app, .grantsOfficer))
            #expect(try await officer.get("/contracts").status == .ok)
            let grantee = try await browser(app, try await person(app, .csoUser, in: award.$organisation.id))
            let stranger = try await browser(app, try await person(app, .csoUser, in: try await TestFixtures.organisation(app, name: "Tjetër").requireID()))

            // The form suggests the award; more than the award is refused, with what was typed kept.
            let newPath = "/grants/applications/\(award.id!.uuidString)/contract"
            let form = try await officer.get(newPath).body.string
            #expect(form.contains(#"value="\#(NumberWriting.plain(award.requestedMinorUnits))""#))
            let tooMuch = NumberWriting.plain(award.requestedMinorUnits + 1)
            let refused = try await officer.post(newPath, [("amount", tooMuch), ("startDate", "2027-02-01"), ("endDate", "2029-01-31"), ("language", "en")])
            #expect(refused.status == .badRequest)
            #expect(refused.body.string.contains(catalog.text("contract.error.aboveAward", .sq)) && refused.body.string.contains(tooMuch))
            #expect(try await GrantContract.query(on: app.db).filter(\.$application.$id == award.id!).count() == 0, "nothing half-written")
            let created = try await officer.post(newPath, [("amount", NumberWriting.plain(award.requestedMinorUnits)), ("startDate", "2027-02-01"),
                                                            ("endDate", "2029-01-31"), ("language", "en")])
            #expect(created.status == .seeOther)
            var contract = try #require(try await GrantContract.query(on: app.db).filter(\.$application.$id == award.id!).first())
            let id = try contract.requireID()
            let page = "/contracts/\(id.uuidString)"
            #expect(contract.number == ContractNumber.of(application: award.reference!) && contract.status == .draft && contract.version == 1)
            // 24 months: two pre-financing tranches of 40 % and the balance; an interim report and the final one.
            let terms = try contract.contractTerms()
            #expect(terms.tranches.map(\.kind) == [.preFinancing, .furtherPreFinancing, .balance])
            #expect(terms.tranches.map(\.amountMinorUnits).reduce(0, +) == award.requestedMinorUnits)
            #expect(terms.reports.map(\.kind) == [.interim, .final])
            #expect(!terms.budget.isEmpty && terms.results.count == 2)
            #expect(try await officer.get(newPath).status == .seeOther, "a second contract for the award is not offered")

            // A draft is the programme's own: the grantee does not find it yet.
            #expect(try await grantee.get(page).status == .notFound)
            #expect(try await officer.get("\(page)/edit").status == .ok)
            #expect(try await officer.post("\(page)/edit", [("amount", NumberWriting.plain(award.requestedMinorUnits)), ("startDate", "2027-03-01"),
                                                             ("endDate", "2027-12-31"), ("language", "en")]).status == .seeOther)
            contract = try await self.contract(app, id)
            let corrected = try contract.contractTerms()
            #expect(contract.startDate == "2027-03-01" && corrected.tranches.count == 2)

            // Sent: the grantee sees it, is asked to sign, and the terms no longer change.
            try await officer.get(page)
            #expect(try await officer.post("\(page)/send").status == .seeOther)
            #expect(try await self.contract(app, id).status == .sentForSignature)
            let seen = try await grantee.get(page)
            #expect(seen.status == .ok && seen.body.string.contains(catalog.text("contract.grantee.sign", .sq)))
            #expect(!seen.body.string.contains("/send\"") && !seen.body.string.contains("/terminate\""), "the grantee is offered no officer action")
            #expect(try await grantee.get("/my-grants").body.string.contains(contract.number))
            #expect(try await grantee.get("/").body.string.contains(catalog.text("work.signContract", .sq)))
            #expect(try await stranger.get(page).status == .notFound, "another CSO does not learn the contract exists")
            #expect(!(try await stranger.get("/my-grants").body.string.contains(contract.number)))
            #expect(try await officer.post("\(page)/edit", [("amount", "1000"), ("startDate", "2027-03-01"), ("endDate", "2027-12-31"),
                                                             ("language", "en")]).status == .conflict)
            try await grantee.get(page)
            #expect(try await grantee.post("\(page)/send").status == .forbidden)

            // Signatures: the scan is required, dates cannot be in the future; nothing changes until all is right.
            try await officer.get(page)
            let today = TiranaTime.today(at: app.clock.now())
            let noScan = try await officer.upload("\(page)/signatures", [("grantee", today.description), ("programme", today.description)],
                                                  file: (field: "file", filename: "", bytes: []))
            #expect(noScan.status == .badRequest && noScan.body.string.contains(catalog.text("document.error.empty", .sq)))
            let (scan, bytes) = CheckedDocument.demoScan(number: contract.number)
            let future = try await officer.upload("\(page)/signatures", [("grantee", today.adding(days: 1).description), ("programme", today.description)],
                                                  file: (field: "file", filename: scan.filename, bytes: bytes))
            #expect(future.status == .badRequest && future.body.string.contains(catalog.text("contract.error.signedInFuture", .sq)))
            #expect(try await self.contract(app, id).status == .sentForSignature)
            #expect(try await officer.upload("\(page)/signatures", [("grantee", today.description), ("programme", today.description)],
                                             file: (field: "file", filename: scan.filename, bytes: bytes)).status == .seeOther)
            contract = try await self.contract(app, id)
            #expect(contract.status == .signed && contract.granteeSignedOn == today.description)
            let attachment = try #require(try await Attachment.query(on: app.db).filter(\.$ownerID == id).first())
            let download = try await grantee.get("\(page)/documents/\(attachment.id!.uuidString)")
            #expect(download.status == .ok && download.headers.first(name: .contentType) == "application/pdf")
            #expect(try await stranger.get("\(page)/documents/\(attachment.id!.uuidString)").status == .notFound)

            // Suspension asks first and keeps the reason; the grantee reads it.
            try await officer.get(page)
            #expect(try await officer.post("\(page)/suspend").body.string.contains(catalog.text("contract.suspend.confirmTitle", .sq)))
            #expect(try await self.contract(app, id).status == .signed, "nothing changes before the confirmation")
            #expect(try await officer.post("\(page)/suspend", [("confirmed", "yes"), ("reason", "")]).status == .badRequest)
            #expect(try await officer.post("\(page)/suspend", [("confirmed", "yes"), ("reason", "Raporti i auditimit mungon.")]).status == .seeOther)
            #expect(try await self.contract(app, id).status == .suspended)
            #expect(try await grantee.get(page).body.string.contains("Raporti i auditimit mungon."))
            try await officer.get(page)
            #expect(try await officer.post("\(page)/resume").status == .seeOther)
            #expect(try await self.contract(app, id).status == .inImplementation)
            try await officer.get(page)
            #expect(try await officer.post("\(page)/terminate", [("confirmed", "yes"), ("reason", "Përfituesi hoqi dorë me shkresë.")]).status == .seeOther)
            #expect(try await self.contract(app, id).status == .terminated)
            try await officer.get(page)
            #expect(try await officer.post("\(page)/send").status == .conflict, "a terminated contract is locked")

            for action in ["contract.generated", "contract.edited", "contract.sent", "contract.signed", "contract.suspended", "contract.resumed",
                           "contract.terminated"] {
                let entries = try await AuditEntry.query(on: app.db).filter(\.$action == action).filter(\.$targetID == id.uuidString).all()
                #expect(entries.count == 1, "\(action) is audited once")
                #expect(catalog.has("audit.did.\(action)"))
            }
            let termination = try #require(try await AuditEntry.query(on: app.db).filter(\.$action == "contract.terminated").filter(\.$targetID == id.uuidString).first())
            #expect(termination.details.contains("Përfituesi hoqi dorë me shkresë."))
        }
    }

    @Test("the print is in the contract's language, whoever prints it, with the audit clause and the schedules")
    func print() async throws {
        try await withFuqizo { app in
            _ = try await TestFixtures.demo(app, applications: 8, survivors: 0)
            let contract = try #require(try await GrantContract.query(on: app.db).filter(\.$status != .draft).sort(\.$number).first())
            let officer = try await browser(app, try await person(app, .grantsOfficer))
            for language in [Language.sq, .en] {
                contract.language = language.rawValue
                try await contract.save(on: app.db)
                let page = try await officer.get("/contracts/\(contract.id!.uuidString)/print").body.string
                let catalog = app.services.catalog
                #expect(page.contains(#"lang="\#(language.rawValue)""#))
                #expect(page.contains(catalog.format("contract.print.title", language, ["number": contract.number])))
                #expect(page.contains(catalog.text("contract.print.checks", language)))
                #expect(page.contains(language == .en ? "European Anti-Fraud Office (OLAF)" : "Zyrës Evropiane kundër Mashtrimit (OLAF)"))
                #expect(page.contains(Money(minorUnits: contract.amountMinorUnits, currency: "EUR").written(in: language)))
            }
        }
    }

    @Test("the portfolio: finance and programme staff see every contract, filtered, 50 a page; donors and CSOs do not")
    func portfolio() async throws {
        try await withFuqizo { app in
            _ = try await TestFixtures.demo(app, applications: 8, survivors: 0)
            let all = try await GrantContract.query(on: app.db).all()
            #expect(Set(all.map(\.status)).isSuperset(of: [.sentForSignature, .suspended]), "the demo has contracts in each state")
            #expect(!Set(all.map(\.status)).isDisjoint(with: [.signed, .inImplementation]))
            let finance = try await browser(app, try await person(app, .financeOfficer))
            let page = try await finance.get("/contracts").body.string
            #expect(all.allSatisfy { page.contains($0.number) })
            let suspended = try await finance.get("/contracts?status=suspended").body.string
            #expect(all.allSatisfy { suspended.contains($0.number) == ($0.status == .suspended) })
            // Finance reads a contract but is offered none of the officer's actions, and cannot take them.
            let signed = try #require(all.first { $0.status == .signed || $0.status == .inImplementation })
            let contractPage = try await finance.get("/contracts/\(signed.id!.uuidString)").body.string
            #expect(!contractPage.contains("/suspend\""))
            #expect(try await finance.post("/contracts/\(signed.id!.uuidString)/suspend", [("confirmed", "yes"), ("reason", "x")]).status == .forbidden)
            let donor = try await browser(app, try await person(app, .donorViewer))
            #expect(try await donor.get("/contracts").status == .forbidden)
            // Donors see money per region, never a contract or a grantee.
            let figures = try await donor.get("/grants/figures").body.string
            #expect(figures.contains(app.services.catalog.text("figures.contracts", .sq)))
            let names = try await Organisation.query(on: app.db).all().map(\.nameSq)
            #expect(all.allSatisfy { !figures.contains($0.number) } && names.allSatisfy { !figures.contains($0) })
            let cso = try await browser(app, try await person(app, .csoUser, in: signed.$organisation.id))
            #expect(try await cso.get("/contracts").status == .forbidden)
            let mine = try await cso.get("/my-grants").body.string
            #expect(mine.contains(signed.number))
            #expect(all.filter { $0.$organisation.id != signed.$organisation.id }.allSatisfy { !mine.contains($0.number) })
            // A year on, every report and signature waiting is late; a suspended contract's reports wait with it.
            app.clock.advance(by: 400 * 86_400)
            let late = try await browser(app, try await person(app, .financeOfficer)).get("/contracts?late=yes").body.string
            let waiting = Set(try await ContractReport.query(on: app.db).filter(\.$status ~~ [.draft, .returned]).all().map { $0.$contract.id })
            let followUps = Set(try await FollowUpAction.query(on: app.db).filter(\.$status == .open).all().map { $0.$contract.id })
            for contract in all {
                let expected = contract.status == .sentForSignature || ([.signed, .inImplementation].contains(contract.status) && waiting.contains(contract.id!))
                    || (followUps.contains(contract.id!) && ![.closed, .terminated].contains(contract.status))
                #expect(late.contains(contract.number) == expected, "\(contract.number) \(contract.status)")
            }
            #expect(all.contains { late.contains($0.number) })
            // The grants officer's home lists the contracts to send, to sign and to prepare.
            let home = try await browser(app, try await person(app, .grantsOfficer)).get("/").body.string
            #expect(home.contains(app.services.catalog.text("work.recordSignatures", .sq)))
            #expect(home.contains(app.services.catalog.counted("work.prepareContracts", 1, .sq).replacingOccurrences(of: "'", with: "&#39;")))
        }
    }

    @Test("payments: the grantee asks, the officer checks, finance returns with a reason, approves and records the transfer; the contract starts")
    func payments() async throws {
        try await withFuqizo { app in
            _ = try await TestFixtures.demo(app, applications: 8, survivors: 0)
            let catalog = app.services.catalog
            let contract = try await signedContract(app)
            let id = try contract.requireID()
            let page = "/contracts/\(id.uuidString)"
            let organisation = try #require(try await Organisation.find(contract.$organisation.id, on: app.db))
            organisation.bankName = "Banka e Demos"
            organisation.iban = "AL35202111090000000001234567"
            try await organisation.save(on: app.db)
            let grantee = try await browser(app, try await person(app, .csoUser, in: contract.$organisation.id))
            let officer = try await browser(app, try await person(app, .grantsOfficer))
            let finance = try await browser(app, try await person(app, .financeOfficer))
            let terms = try contract.contractTerms()

            // The grantee is told to ask, and asks for the pre-financing: 80 % of a twelve-month grant.
            #expect(try await grantee.get("/").body.string.contains(catalog.text("work.requestPreFinancing", .sq)))
            #expect(try await grantee.get(page).body.string.contains(catalog.text("payment.request", .sq)))
            #expect(try await grantee.post("\(page)/payments").status == .seeOther)
            let payment = try #require(try await PaymentRequest.query(on: app.db).filter(\.$contract.$id == id).first())
            #expect(payment.tranche == 1 && payment.requestedMinorUnits == terms.tranches[0].amountMinorUnits && payment.status == .requested)
            try await grantee.get(page)
            #expect(try await grantee.post("\(page)/payments").status == .conflict, "one open request at a time")
            let paymentPath = "\(page)/payments/\(payment.id!.uuidString)"
            #expect(try await grantee.post("\(paymentPath)/check").status == .forbidden)

            // Finance cannot approve what the officer has not checked; the officer sees the bank account and checks.
            try await finance.get(page)
            #expect(try await finance.post("\(paymentPath)/approve").status == .conflict)
            let officerPage = try await officer.get(page).body.string
            #expect(officerPage.contains("AL35202111090000000001234567"))
            #expect(try await officer.post("\(paymentPath)/check").status == .seeOther)
            #expect(try await officer.post("\(paymentPath)/pay", [("paidOn", "2027-01-01"), ("amount", "1"), ("bankReference", "x")]).status == .forbidden,
                    "only finance records a payment")

            // Finance sends it back with a reason; the grantee reads it, corrects and sends it again.
            try await finance.get(page)
            #expect(try await finance.post("\(paymentPath)/return").body.string.contains(catalog.text("payment.return.confirmTitle", .sq)))
            #expect(try await finance.post("\(paymentPath)/return", [("confirmed", "yes"), ("reason", "Mungon vërtetimi i llogarisë bankare.")]).status == .seeOther)
            #expect(try await grantee.get(page).body.string.contains("Mungon vërtetimi i llogarisë bankare."))
            app.clock.advance(by: 31) // the menu's counts are remembered 30 seconds
            #expect(try await grantee.get("/").body.string.contains(catalog.text("work.paymentReturned", .sq)))
            #expect(try await grantee.post("\(paymentPath)/resubmit").status == .seeOther)
            try await officer.get(page)
            #expect(try await officer.post("\(paymentPath)/check").status == .seeOther)
            app.clock.advance(by: 31)
            #expect(try await finance.get("/").body.string.contains(catalog.text("work.approvePayment", .sq)))
            try await finance.get(page)
            #expect(try await finance.post("\(paymentPath)/approve").status == .seeOther)

            // The transfer: never above what was approved; the form comes back as typed.
            let today = TiranaTime.today(at: app.clock.now()).description
            let above = NumberWriting.plain(payment.requestedMinorUnits + 1)
            let refused = try await finance.post("\(paymentPath)/pay", [("paidOn", today), ("amount", above), ("bankReference", "RAI-2027-0042")])
            #expect(refused.status == .badRequest && refused.body.string.contains(catalog.text("payment.error.aboveApproved", .sq)))
            #expect(refused.body.string.contains(above) && refused.body.string.contains("RAI-2027-0042"))
            #expect(try await PaymentRequest.find(payment.id!, on: app.db)?.status == .approved, "nothing half-written")
            #expect(try await finance.post("\(paymentPath)/pay", [("paidOn", today), ("amount", NumberWriting.plain(payment.requestedMinorUnits)),
                                                                  ("bankReference", "RAI-2027-0042")]).status == .seeOther)
            let paid = try #require(try await PaymentRequest.find(payment.id!, on: app.db))
            #expect(paid.status == .paid && paid.paidMinorUnits == payment.requestedMinorUnits && paid.bankReference == "RAI-2027-0042")
            #expect(try await self.contract(app, id).status == .inImplementation, "the first payment starts the implementation")
            let after = try await grantee.get(page).body.string
            #expect(after.contains(Money(minorUnits: payment.requestedMinorUnits, currency: contract.currency).written(in: .sq)))
            #expect(after.contains(catalog.text("payment.error.balanceAtClosure", .sq)), "a twelve-month grant's balance waits for closure")
            for action in ["payment.requested", "payment.checked", "payment.returned", "payment.resubmitted", "payment.approved", "payment.paid"] {
                #expect(try await AuditEntry.query(on: app.db).filter(\.$action == action).filter(\.$targetID == id.uuidString).count() >= 1, "\(action)")
                #expect(catalog.has("audit.did.\(action)"))
            }
        }
    }

    @Test("reports: lines in euro and lek, the narrative against the logframe, returned with comments, approved; the next tranche reduced by what is unspent; reminders once a day")
    func reports() async throws {
        try await withFuqizo { app in
            _ = try await TestFixtures.demo(app, applications: 8, survivors: 0)
            let catalog = app.services.catalog
            let today = TiranaTime.today(at: app.clock.now())
            // Two years that began thirteen months ago: the first year's interim report is due.
            let contract = try await signedContract(app, start: today.adding(months: -13), months: 24)
            let id = try contract.requireID()
            let terms = try contract.contractTerms()
            let officerUser = try await person(app, .grantsOfficer)
            let granteeUser = try await person(app, .csoUser, in: contract.$organisation.id)
            let officer = try await browser(app, officerUser), grantee = try await browser(app, granteeUser)
            // The pre-financing is paid (40 % of the grant).
            let payments = PaymentService(database: app.db, services: app.services)
            try await payments.request(contract, actor: granteeUser.id!)
            let first = try #require(try await payments.payments(of: contract).first)
            try await payments.check(first, of: contract, actor: officerUser.id!)
            try await payments.approve(first, of: contract, actor: officerUser.id!)
            _ = try await payments.pay(first, of: contract, form: PaymentForm(paidOn: today.description, amount: NumberWriting.plain(first.requestedMinorUnits),
                                                                              bankReference: "R-1"), actor: officerUser.id!)
            let reports = try await ContractReport.query(on: app.db).filter(\.$contract.$id == id).sort(\.$number).all()
            #expect(reports.map(\.kind) == [.interim, .final] && reports.allSatisfy { $0.status == .draft }, "planned at signature")
            let page = "/contracts/\(id.uuidString)/reports/1"
            #expect(try await grantee.get("/").body.string.contains(catalog.text("work.submitReport", .sq)))
            #expect(try await browser(app, try await person(app, .csoUser, in: try await TestFixtures.organisation(app, name: "Tjetër").requireID()))
                .get(page).status == .notFound)

            // Lines: a refused one comes back as typed; one in euro, one in lek at the typed rate.
            try await grantee.get(page)
            let day = today.adding(days: -30).description
            let refused = try await grantee.post("\(page)/lines", [("budgetLine", "0"), ("spentOn", day), ("supplier", "Furgon Kukës"), ("amount", "10000"),
                                                                  ("currency", "ALL"), ("rate", ""), ("rateSource", "")])
            #expect(refused.status == .badRequest && refused.body.string.contains(catalog.text("expenditure.error.rate", .sq))
                    && refused.body.string.contains("Furgon Kukës"))
            #expect(try await grantee.post("\(page)/lines", [("budgetLine", "0"), ("spentOn", day), ("supplier", "Trajnere"), ("amount", "5000"),
                                                            ("currency", "EUR")]).status == .seeOther)
            #expect(try await grantee.post("\(page)/lines", [("budgetLine", "1"), ("spentOn", day), ("supplier", "Furgon Kukës"), ("amount", "98350"),
                                                            ("currency", "ALL"), ("rate", "98,35"), ("rateSource", "Banka e Shqipërisë")]).status == .seeOther)
            let lines = try await ExpenditureLine.query(on: app.db).filter(\.$contractID == id).all()
            #expect(lines.map(\.minorUnits).sorted() == [100_000, 500_000], "98,350 lek at 98.35 is 1,000 €")

            // Submitting needs the narrative; then the officer returns it with a comment on a line.
            #expect(try await grantee.post("\(page)/submit").status == .badRequest)
            try await grantee.get(page)
            let actuals = terms.results.indices.map { ("actuals[\($0)]", "7") }
            #expect(try await grantee.post(page, [("activities", "Dy cikle trajnimi në Kukës."), ("difficulties", "")] + actuals).status == .seeOther)
            #expect(try await grantee.post("\(page)/submit").status == .seeOther)
            #expect(try await grantee.post("\(page)/lines", [("budgetLine", "0"), ("spentOn", day), ("supplier", "x"), ("amount", "1"), ("currency", "EUR")]).status == .conflict,
                    "a submitted report no longer changes")
            app.clock.advance(by: 31)
            #expect(try await officer.get("/").body.string.contains(catalog.text("work.reviewReport", .sq)))
            let review = try await officer.get(page).body.string
            #expect(review.contains("Dy cikle trajnimi") && review.contains("98,35 ALL/EUR"))
            let lek = try #require(lines.first { $0.currency == "ALL" })
            #expect(try await officer.post("\(page)/return", [("comment", " ")]).status == .badRequest)
            #expect(try await officer.post("\(page)/return", [("comment", "Mungon fatura e furgonit."), ("lines[\(lek.id!.uuidString)]", "Bashkëngjitni faturën.")])
                .status == .seeOther)
            let returned = try await grantee.get(page).body.string
            #expect(returned.contains("Mungon fatura e furgonit.") && returned.contains("Bashkëngjitni faturën."))
            app.clock.advance(by: 31)
            #expect(try await grantee.get("/").body.string.contains(catalog.text("work.correctReport", .sq)))
            try await grantee.get(page)
            #expect(try await grantee.post("\(page)/submit").status == .seeOther)
            try await officer.get(page)
            #expect(try await officer.post("\(page)/approve").status == .seeOther)
            #expect(try await ContractReport.find(reports[0].id!, on: app.db)?.status == .approved)

            // 6,000 € of the 40 % pre-financing spent: under 70 %, so the next tranche is reduced by the unspent rest.
            let paid = first.requestedMinorUnits
            try await grantee.get("/contracts/\(id.uuidString)")
            #expect(try await grantee.post("/contracts/\(id.uuidString)/payments").status == .seeOther)
            let second = try #require(try await payments.payments(of: contract).first { $0.tranche == 2 })
            #expect(second.requestedMinorUnits == max(0, terms.tranches[1].amountMinorUnits - (paid - 600_000)))
            #expect(try await grantee.get("/contracts/\(id.uuidString)").body.string
                .contains(catalog.format("payment.reduction.unspent", .sq, ["amount": Money(minorUnits: paid - 600_000, currency: "EUR").written(in: .sq)])))
            for action in ["report.lineAdded", "report.saved", "report.submitted", "report.returned", "report.approved"] {
                #expect(try await AuditEntry.query(on: app.db).filter(\.$action == action).filter(\.$targetID == id.uuidString).count() >= 1, "\(action)")
            }

            // Reminders about the final report: on its first reminder day, once, then each day it is overdue.
            let final = try #require(try await ContractReport.find(reports[1].id!, on: app.db))
            let remindFrom = try #require(LocalDate(final.remindFrom)), due = try #require(final.due)
            func daysUntil(_ day: LocalDate) -> Double {
                var calendar = Calendar(identifier: .gregorian)
                calendar.timeZone = TimeZone(identifier: "UTC")!
                let from = calendar.date(from: DateComponents(year: TiranaTime.today(at: app.clock.now()).year, month: TiranaTime.today(at: app.clock.now()).month,
                                                              day: TiranaTime.today(at: app.clock.now()).day))!
                let to = calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day))!
                return to.timeIntervalSince(from) / 86_400
            }
            // Mails about this contract's reports to its grantee (the demo's contracts get theirs too).
            func look() async throws -> Int {
                try await SystemValue.find(ReportReminders.leaseName, on: app.db)?.delete(on: app.db)
                let before = try await OutboxMessage.query(on: app.db).filter(\.$recipient == granteeUser.email).count()
                try await ReportReminders.run(app)
                return try await OutboxMessage.query(on: app.db).filter(\.$recipient == granteeUser.email).count() - before
            }
            app.clock.advance(by: daysUntil(remindFrom) * 86_400)
            #expect(try await look() == 1)
            #expect(try await look() == 0, "once a day")
            let mail = try #require(try await OutboxMessage.query(on: app.db).filter(\.$recipient == granteeUser.email).sort(\.$createdAt, .descending).first())
            #expect(mail.subject.contains(contract.number))
            app.clock.advance(by: 86_400)
            #expect(try await look() == 0, "not between the first day and the due date")
            app.clock.advance(by: (daysUntil(due) + 1) * 86_400)
            #expect(try await look() == 1, "overdue")
            app.clock.advance(by: 86_400)
            #expect(try await look() == 1, "each day it is overdue")
        }
    }

    /// A twelve-month contract that ended a month ago, its pre-financing paid and its final
    /// report approved with one line of the given amount.
    func finishedContract(_ app: Application, spent: (Int64) -> Int64) async throws -> (GrantContract, officer: User, finance: User, grantee: User) {
        let today = TiranaTime.today(at: app.clock.now())
        let contract = try await signedContract(app, start: today.adding(months: -13), months: 12)
        let officer = try await person(app, .grantsOfficer), finance = try await person(app, .financeOfficer)
        let grantee = try await person(app, .csoUser, in: contract.$organisation.id)
        let payments = PaymentService(database: app.db, services: app.services)
        try await payments.request(contract, actor: grantee.id!)
        let first = try #require(try await payments.payments(of: contract).first)
        try await payments.check(first, of: contract, actor: officer.id!)
        try await payments.approve(first, of: contract, actor: finance.id!)
        _ = try await payments.pay(first, of: contract, form: PaymentForm(paidOn: today.description, amount: NumberWriting.plain(first.requestedMinorUnits),
                                                                          bankReference: "R-1"), actor: finance.id!)
        let reports = ReportService(database: app.db, services: app.services)
        let report = try await reports.find(1, of: contract)
        let results = try contract.contractTerms().results.count
        _ = try await reports.addLine(report, of: contract, form: ExpenditureForm(budgetLine: "0", spentOn: today.adding(days: -40).description,
                                                                                   supplier: "Trajnere", amount: NumberWriting.plain(spent(contract.amountMinorUnits)),
                                                                                   currency: "EUR"), actor: grantee.id!).get()
        try await reports.saveNarrative(report, of: contract, form: NarrativeForm(activities: "Trajnime.", actuals: Array(repeating: "5", count: results)),
                                        actor: grantee.id!)
        _ = try await reports.submit(report, of: contract, actor: grantee.id!).get()
        try await reports.approve(report, of: contract, actor: officer.id!)
        return (try await self.contract(app, contract.requireID()), officer, finance, grantee)
    }

    @Test("closure with a final payment: the eligible spending above what was paid is paid by finance, and the contract closes and locks")
    func closureWithFinalPayment() async throws {
        try await withFuqizo { app in
            _ = try await TestFixtures.demo(app, applications: 8, survivors: 0)
            let (contract, officerUser, financeUser, granteeUser) = try await finishedContract(app) { $0 * 95 / 100 }
            #expect(contract.status == .finalReportApproved)
            let page = "/contracts/\(contract.id!.uuidString)"
            let officer = try await browser(app, officerUser), finance = try await browser(app, financeUser), grantee = try await browser(app, granteeUser)
            try await officer.get(page)
            let asked = try await officer.post("\(page)/settle").body.string
            #expect(asked.contains(app.services.catalog.text("closure.confirmTitle", .sq)))
            #expect(try await self.contract(app, contract.id!).status == .finalReportApproved, "nothing before the confirmation")
            #expect(try await officer.post("\(page)/settle", [("confirmed", "yes")]).status == .seeOther)
            let balance = try #require(try await PaymentRequest.query(on: app.db).filter(\.$contract.$id == contract.id!).filter(\.$kind == .balance).first())
            // 95 % eligible, 80 % paid: the final payment is the 15 %.
            #expect(balance.status == .checked && balance.requestedMinorUnits == contract.amountMinorUnits * 95 / 100 - contract.amountMinorUnits * 80 / 100)
            try await officer.get(page)
            #expect(try await officer.post("\(page)/settle", [("confirmed", "yes")]).status == .conflict, "settled once")
            try await finance.get(page)
            #expect(try await finance.post("\(page)/payments/\(balance.id!.uuidString)/approve").status == .seeOther)
            #expect(try await finance.post("\(page)/payments/\(balance.id!.uuidString)/pay", [("paidOn", TiranaTime.today(at: app.clock.now()).description),
                ("amount", NumberWriting.plain(balance.requestedMinorUnits)), ("bankReference", "R-2")]).status == .seeOther)
            let closed = try await self.contract(app, contract.id!)
            #expect(closed.status == .closed && closed.status.isLocked)
            // Money conserved: paid is the final amount; the rest of the grant is released.
            let paid = PaymentService.paid(try await PaymentService(database: app.db, services: app.services).payments(of: closed))
            #expect(paid == contract.amountMinorUnits * 95 / 100)
            try await grantee.get(page)
            #expect(try await grantee.post("\(page)/payments").status == .conflict, "a closed contract is locked")
            #expect(try await grantee.post("\(page)/reports/1/lines", [("budgetLine", "0")]).status == .conflict)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "contract.settled").filter(\.$targetID == contract.id!.uuidString).count() == 1)
        }
    }

    @Test("closure with a recovery order: what was paid above eligible spending is recovered, by transfer or offset, and the contract closes")
    func closureWithRecovery() async throws {
        try await withFuqizo { app in
            _ = try await TestFixtures.demo(app, applications: 8, survivors: 0)
            let (contract, officerUser, financeUser, _) = try await finishedContract(app) { $0 * 50 / 100 }
            let page = "/contracts/\(contract.id!.uuidString)"
            let officer = try await browser(app, officerUser), finance = try await browser(app, financeUser)
            try await officer.get(page)
            #expect(try await officer.post("\(page)/settle", [("confirmed", "yes")]).status == .seeOther)
            let order = try #require(try await RecoveryOrder.query(on: app.db).filter(\.$contract.$id == contract.id!).first())
            // 80 % paid, 50 % eligible: 30 % comes back.
            #expect(order.status == .issued && order.amountMinorUnits == contract.amountMinorUnits * 80 / 100 - contract.amountMinorUnits * 50 / 100)
            #expect(try await self.contract(app, contract.id!).status == .finalReportApproved, "open until the recovery is settled")
            let financePage = try await finance.get(page).body.string
            #expect(financePage.contains(app.services.catalog.text("recovery.title", .sq)))
            try await officer.get(page)
            #expect(try await officer.post("\(page)/recovery", [("settledOn", "2027-01-01"), ("reference", "x")]).status == .forbidden, "finance records it")
            let today = TiranaTime.today(at: app.clock.now())
            let refused = try await finance.post("\(page)/recovery", [("settledOn", today.adding(days: 1).description), ("reference", "KTH-7")])
            #expect(refused.status == .badRequest && refused.body.string.contains("KTH-7"))
            #expect(try await finance.post("\(page)/recovery", [("settledOn", today.description), ("reference", "KTH-7"), ("offset", "yes")]).status == .seeOther)
            let settled = try #require(try await RecoveryOrder.find(order.id!, on: app.db))
            #expect(settled.status == .offset && settled.reference == "KTH-7")
            #expect(try await self.contract(app, contract.id!).status == .closed)
            let ledger = GrantLedger(grant: contract.amountMinorUnits,
                                     paid: PaymentService.paid(try await PaymentService(database: app.db, services: app.services).payments(of: contract)),
                                     recovered: settled.amountMinorUnits, reported: contract.amountMinorUnits * 50 / 100)
            #expect(ledger.netPaidMinorUnits == contract.amountMinorUnits * 50 / 100)
            #expect(ledger.netPaidMinorUnits + ledger.remainingMinorUnits == contract.amountMinorUnits)
            let figures = try await browser(app, try await person(app, .donorViewer)).get("/grants/figures").body.string
            #expect(figures.contains(Money(minorUnits: settled.amountMinorUnits, currency: "EUR").written(in: .sq)), "the recovered amount in the region's row")
        }
    }
}
