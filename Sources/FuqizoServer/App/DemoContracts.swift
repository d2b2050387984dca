import Fluent
import Foundation
import FuqizoCore
import Vapor

extension DemoData {
    /// Contracts over the decided calls' awards, made through the contracts' own services, in
    /// each state this release knows: signed (with its scan), sent for signature, suspended,
    /// in implementation (its pre-financing paid), a draft, and signed with a payment request
    /// waiting for the finance officer or for the grants officer. The first award of each call
    /// is left without a contract, for the officer to prepare.
    static func loadContracts(app: Application) async throws {
        guard let officer = try await User.query(on: app.db).filter(\.$email == "grantsofficer@demo.fuqizo.invalid").first()?.id,
              let finance = try await User.query(on: app.db).filter(\.$email == "financeofficer@demo.fuqizo.invalid").first()?.id else { return }
        let service = ContractService(database: app.db, services: app.services)
        let payments = PaymentService(database: app.db, services: app.services)
        let grantees = try await RoleAssignment.query(on: app.db).filter(\.$role == Role.csoUser.rawValue).all()
        let applications = ApplicationService(database: app.db, services: app.services)
        let awarded = try await GrantApplication.query(on: app.db).filter(\.$status == .awarded).sort(\.$reference).all()
        var paymentsMade = 0
        let byCall = Dictionary(grouping: awarded, by: { $0.$call.id })
        for (_, awards) in byCall.sorted(by: { $0.key.uuidString < $1.key.uuidString }) {
            // The first award of each call waits for its contract.
            for (index, award) in awards.dropFirst().enumerated() {
                let application = try await applications.find(try award.requireID())
                let today = service.today
                let state = index % 5
                // Contracts started some months ago, so that a report falls due soon; the first
                // of each five ended a month ago, so that its final report can be written.
                let start = state == 0 ? today.adding(months: -13) : today.adding(months: -(index % 6) - 1)
                let months = state == 0 ? 12 : 12 + 12 * (index % 2)
                let form = ContractForm(amount: NumberWriting.plain(application.requestedMinorUnits), startDate: start.description,
                                        endDate: start.adding(months: months).adding(days: -1).description, language: application.language)
                guard case .success(let contract) = try await service.generate(from: application, form: form, actor: officer) else { continue }
                if state == 4 { continue } // a draft
                try await service.send(contract, actor: officer)
                if state == 1 { continue } // waiting for the signatures
                let scan = CheckedDocument.demoScan(number: contract.number)
                _ = try await service.recordSignatures(contract, form: SignatureForm(grantee: today.description, programme: today.description),
                                                       scan: .success(scan), actor: officer)
                if state == 2 {
                    try await service.change(contract, .suspend, reason: "Mungojnë dëshmitë e dukshmërisë nga aktiviteti i parë.", actor: officer)
                }
                // Signed contracts whose CSO has a user ask for their pre-financing, in turn: paid,
                // waiting for the finance officer, waiting for the grants officer's check.
                guard state == 0 || state == 3,
                      let grantee = grantees.first(where: { $0.$organisation.id == contract.$organisation.id })?.$user.id else { continue }
                let step = paymentsMade % 3
                paymentsMade += 1
                try await payments.request(contract, actor: grantee)
                if state == 3 { try await loadAmendment(app: app, contract: contract, grantee: grantee, officer: officer, approved: step == 0) }
                try await loadVisit(app: app, contract: contract, officer: officer, done: state == 0 || step == 0)
                guard let payment = try await payments.payments(of: contract).first, step != 2 else { continue }
                try await payments.check(payment, of: contract, actor: officer)
                guard step == 0 else { continue }
                try await payments.approve(payment, of: contract, actor: finance)
                _ = try await payments.pay(payment, of: contract, form: PaymentForm(paidOn: today.description, amount: NumberWriting.plain(payment.requestedMinorUnits),
                                                                                   bankReference: "DEMO-\(contract.number)"), actor: finance)
                guard state == 0 else { continue }
                // The ended contract's final report waits for the officer's review.
                try await loadFinalReport(app: app, contract: contract, grantee: grantee)
            }
        }
    }
}

extension DemoData {
    /// An amendment asked for by the grantee: six more months, approved (the first version kept
    /// for print), or further activities waiting for the officer's decision.
    static func loadAmendment(app: Application, contract: GrantContract, grantee: UUID, officer: UUID, approved: Bool) async throws {
        let service = AmendmentService(database: app.db, services: app.services)
        guard let end = contract.end else { return }
        let form = approved
            ? AmendmentForm(endDate: end.adding(months: 6).description, reason: "Përmbytjet e nëntorit vonuan trajnimet në terren.")
            : AmendmentForm(activities: try contract.contractTerms().activities + "\n\nPraktika në dy biznese të reja në Peshkopi.",
                            reason: "Dy biznese ofruan vende praktike që nuk ishin në plan.")
        guard case .success(let amendment) = try await service.request(contract, form: form, byGrantee: true, actor: grantee), approved else { return }
        try await service.approve(amendment, of: contract, reason: "Vonesa është e dokumentuar; buxheti nuk ndryshon.", actor: officer)
    }

    /// A monitoring visit by the grants officer: done, with findings, a medium risk and two
    /// follow-up actions (one for the grantee, one for the officer), or planned for next week.
    static func loadVisit(app: Application, contract: GrantContract, officer: UUID, done: Bool) async throws {
        let service = MonitoringService(database: app.db, services: app.services)
        let today = service.today
        let day = done ? max(contract.start ?? today, today.adding(days: -7)) : today.adding(days: 7)
        guard case .success(let visit) = try await service.plan(contract, form: VisitPlanForm(
            plannedOn: day.description, visitor: officer.uuidString, purpose: "Verifikimi i shpenzimeve të parafinancimit dhe takim me pjesëmarrëset."),
            actor: officer), done else { return }
        _ = try await service.record(visit, of: contract, form: VisitReportForm(
            visitedOn: day.description, findings: "Regjistri i pjesëmarrjes është i plotë. Dy fatura udhëtimi mungojnë në dosje.",
            risk: RiskRating.medium.rawValue, recommendations: "Të plotësohet dosja financiare para raportit të ndërmjetëm."), actor: officer)
        _ = try await service.addAction(to: visit, of: contract, form: FollowUpForm(
            action: "Dërgoni kopjet e dy faturave të udhëtimit që mungojnë.", owner: FollowUpOwner.grantee.stored,
            dueOn: today.adding(days: 10).description), actor: officer)
        _ = try await service.addAction(to: visit, of: contract, form: FollowUpForm(
            action: "Kontrolloni faturat e reja në vizitën e ardhshme.", owner: officer.uuidString, dueOn: today.adding(days: 30).description), actor: officer)
    }

    /// A final report with three expenditure lines (one in lek) and its narrative, submitted.
    static func loadFinalReport(app: Application, contract: GrantContract, grantee: UUID) async throws {
        let reports = ReportService(database: app.db, services: app.services)
        guard let report = try await reports.reports(of: contract).last, let start = contract.start else { return }
        let terms = try contract.contractTerms()
        let share = contract.amountMinorUnits / 4
        let lines = [
            ExpenditureForm(budgetLine: "0", spentOn: start.adding(months: 2).description, supplier: "Trajnere e jashtme", description: "Cikli i parë",
                            amount: NumberWriting.plain(share), currency: contract.currency),
            ExpenditureForm(budgetLine: "0", spentOn: start.adding(months: 7).description, supplier: "Trajnere e jashtme", description: "Cikli i dytë",
                            amount: NumberWriting.plain(share), currency: contract.currency),
            ExpenditureForm(budgetLine: String(min(1, terms.budget.count - 1)), spentOn: start.adding(months: 5).description, supplier: "Furgon Kukës",
                            amount: "98350", currency: "ALL", rate: "98,35", rateSource: "Banka e Shqipërisë"),
        ]
        for line in lines { _ = try await reports.addLine(report, of: contract, form: line, actor: grantee) }
        try await reports.saveNarrative(report, of: contract, form: NarrativeForm(
            activities: "Dy cikle trajnimi profesional me 24 pjesëmarrëse; praktika në tre biznese vendase.",
            difficulties: "Transporti nga fshatrat në dimër.", actuals: terms.results.map { _ in "18" }), actor: grantee)
        _ = try await reports.submit(report, of: contract, actor: grantee)
    }
}

extension CheckedDocument {
    /// A small, valid PDF standing for a signed contract's scan.
    static func demoScan(number: String) -> (CheckedDocument, [UInt8]) {
        let bytes = Array("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n% \(number)\ntrailer<</Root 1 0 R>>\n%%EOF\n".utf8)
        guard case .success(let document) = DocumentCheck.check(filename: "\(number)-nenshkruar.pdf", bytes: bytes, maximumBytes: ContractService.scanLimit) else {
            preconditionFailure("the demo scan is a valid PDF")
        }
        return (document, bytes)
    }
}
