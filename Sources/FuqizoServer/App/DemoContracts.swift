import Fluent
import Foundation
import FuqizoCore
import Vapor

extension DemoData {
    /// The states the demo's contracts take, in turn over each call's awards, so that even a
    /// small demo (seven contracts) shows each person's work on contracts.
    enum DemoContractState: CaseIterable {
        /// Ended a month ago, its pre-financing paid and its final report submitted.
        case ended
        /// Sent, waiting for the signatures.
        case sent
        /// Signed, then suspended (every second one terminated).
        case suspended
        /// In implementation: pre-financing paid, an approved amendment, a visit with follow-ups.
        case running
        /// The programme's working copy.
        case draft
        /// Ended like the first, then approved and settled: a recovery order issued, or (every
        /// second one) offset and the contract closed.
        case closing
        /// Signed, its pre-financing asked for and waiting for the finance officer or (every
        /// second one) for the grants officer; an amendment request open; a visit planned.
        case waiting
    }

    /// Contracts over the decided calls' awards, made through the contracts' own services, in
    /// each state of `DemoContractState`. The first award of each call is left without a
    /// contract, for the officer to prepare.
    static func loadContracts(app: Application) async throws {
        guard let officer = try await User.query(on: app.db).filter(\.$email == "grantsofficer@demo.fuqizo.invalid").first()?.id,
              let finance = try await User.query(on: app.db).filter(\.$email == "financeofficer@demo.fuqizo.invalid").first()?.id else { return }
        let service = ContractService(database: app.db, services: app.services)
        let payments = PaymentService(database: app.db, services: app.services)
        var grantees = Dictionary(try await RoleAssignment.query(on: app.db).filter(\.$role == Role.csoUser.rawValue).all()
            .compactMap { assignment in assignment.$organisation.id.map { ($0, assignment.$user.id) } }, uniquingKeysWith: { first, _ in first })
        // Fictional colleagues of grantees without a demo account share one hash of a secret never shown: they act, never sign in.
        let unusable = try await app.passwordHasher.hash(SecretToken.generate(byteCount: 24))
        let applications = ApplicationService(database: app.db, services: app.services)
        let awarded = try await GrantApplication.query(on: app.db).filter(\.$status == .awarded).sort(\.$reference).all()
        var seen: [DemoContractState: Int] = [:]
        let byCall = Dictionary(grouping: awarded, by: { $0.$call.id })
        for (_, awards) in byCall.sorted(by: { $0.key.uuidString < $1.key.uuidString }) {
            // The first award of each call waits for its contract.
            for (index, award) in awards.dropFirst().enumerated() {
                let application = try await applications.find(try award.requireID())
                let today = service.today
                let state = DemoContractState.allCases[index % DemoContractState.allCases.count]
                seen[state, default: 0] += 1
                let second = seen[state, default: 0] % 2 == 0
                let ended = state == .ended || state == .closing
                // Contracts started some months ago, so that a report falls due soon; ended ones
                // a month ago, so that their final report can be written.
                let start = ended ? today.adding(months: -13) : today.adding(months: -(index % 6) - 1)
                let months = ended ? 12 : 12 + 12 * (index % 2)
                let form = ContractForm(amount: NumberWriting.plain(application.requestedMinorUnits), startDate: start.description,
                                        endDate: start.adding(months: months).adding(days: -1).description, language: application.language)
                guard case .success(let contract) = try await service.generate(from: application, form: form, actor: officer) else { continue }
                if state == .draft { continue }
                try await service.send(contract, actor: officer)
                if state == .sent { continue }
                let scan = CheckedDocument.demoScan(number: contract.number)
                _ = try await service.recordSignatures(contract, form: SignatureForm(grantee: today.description, programme: today.description),
                                                       scan: .success(scan), actor: officer)
                if state == .suspended {
                    try await service.change(contract, .suspend, reason: "Mungojnë dëshmitë e dukshmërisë nga aktiviteti i parë.", actor: officer)
                    if second {
                        try await service.change(contract, .terminate, reason: "Organizata u shpërbë; granti nuk mund të zbatohet.", actor: officer)
                    }
                    continue
                }
                // The others ask for their pre-financing, through a CSO user of the grantee.
                let grantee: UUID
                if let known = grantees[contract.$organisation.id] { grantee = known } else {
                    grantee = try await demoColleague(app: app, of: contract.$organisation.id, hash: unusable)
                    grantees[contract.$organisation.id] = grantee
                }
                try await payments.request(contract, actor: grantee)
                guard let payment = try await payments.payments(of: contract).first else { continue }
                if state == .waiting {
                    if !second { try await payments.check(payment, of: contract, actor: officer) }
                    try await loadAmendment(app: app, contract: contract, grantee: grantee, officer: officer, approved: false)
                    try await loadVisit(app: app, contract: contract, officer: officer, done: false)
                    continue
                }
                try await payments.check(payment, of: contract, actor: officer)
                try await payments.approve(payment, of: contract, actor: finance)
                _ = try await payments.pay(payment, of: contract, form: PaymentForm(paidOn: today.description, amount: NumberWriting.plain(payment.requestedMinorUnits),
                                                                                   bankReference: "DEMO-\(contract.number)"), actor: finance)
                try await loadVisit(app: app, contract: contract, officer: officer, done: true)
                if state == .running {
                    try await loadAmendment(app: app, contract: contract, grantee: grantee, officer: officer, approved: true)
                    continue
                }
                try await loadFinalReport(app: app, contract: contract, grantee: grantee)
                if state == .closing { try await loadClosure(app: app, contract: contract, officer: officer, finance: finance, settled: second) }
            }
        }
    }
}

extension DemoData {
    /// A fictional CSO user of an organisation the demo gave no account, to act as the grantee.
    static func demoColleague(app: Application, of organisation: UUID, hash: String) async throws -> UUID {
        let user = User(email: "grantee-\(organisation.uuidString.prefix(8).lowercased())@demo.fuqizo.invalid", displayName: "Demo grantee", language: .default)
        user.passwordHash = hash
        try await app.db.writeTransaction { db in
            try await user.create(on: db)
            try await RoleAssignment(userID: try user.requireID(), grant: RoleGrant(role: .csoUser, organisationID: organisation)).create(on: db)
            try await app.services.audit.record(.init("demo.userCreated", target: ("user", try user.requireID().uuidString), details: ["role": Role.csoUser.rawValue]),
                                                actor: nil, at: app.clock.now(), on: db)
        }
        return try user.requireID()
    }

    /// The final report approved and the grant settled: half the grant spent and 80 % paid, so
    /// a recovery order is issued; `settled` records it offset, which closes the contract.
    static func loadClosure(app: Application, contract: GrantContract, officer: UUID, finance: UUID, settled: Bool) async throws {
        let reports = ReportService(database: app.db, services: app.services)
        guard let report = try await reports.reports(of: contract).last else { return }
        try await reports.approve(report, of: contract, actor: officer)
        let closure = ClosureService(database: app.db, services: app.services)
        guard let current = try await GrantContract.find(contract.id, on: app.db) else { return }
        _ = try await closure.settle(current, actor: officer)
        guard settled, let approved = try await GrantContract.find(contract.id, on: app.db) else { return }
        _ = try await closure.settleRecovery(approved, form: RecoveryForm(settledOn: closure.today.description, reference: "DEMO-KTH-\(contract.number)",
                                                                           offset: "yes"), actor: finance)
    }

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
    /// A small, valid PDF standing for a signed contract's scan (or, named, any demo document).
    static func demoScan(number: String, filename: String? = nil) -> (CheckedDocument, [UInt8]) {
        let bytes = Array("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n% \(number)\ntrailer<</Root 1 0 R>>\n%%EOF\n".utf8)
        guard case .success(let document) = DocumentCheck.check(filename: filename ?? "\(number)-nenshkruar.pdf", bytes: bytes, maximumBytes: ContractService.scanLimit) else {
            preconditionFailure("the demo scan is a valid PDF")
        }
        return (document, bytes)
    }
}
