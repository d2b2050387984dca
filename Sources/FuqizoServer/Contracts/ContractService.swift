import Fluent
import Foundation
import FuqizoCore
import SQLKit
import Vapor

/// Grant contracts: generated from an award, corrected as drafts, sent, signed, suspended,
/// terminated. Every step is asked of `ContractStatus` first and audited in the same
/// transaction as the change it records.
struct ContractService {
    let database: any Database
    let services: AppServices

    var now: Date { services.clock.now() }
    var today: LocalDate { TiranaTime.today(at: now) }

    /// Largest signed scan accepted.
    static let scanLimit = 10 * 1024 * 1024
    static let pageSize = 50

    private func audit(_ action: String, _ contract: GrantContract, _ details: [String: String] = [:], actor: UUID, on db: any Database) async throws {
        try await services.auditContract(action, contract, details, actor: actor, at: now, on: db)
    }

    func find(_ id: UUID) async throws -> GrantContract {
        guard let contract = try await GrantContract.query(on: database).filter(\.$id == id)
            .with(\.$organisation).with(\.$call).with(\.$lot).first() else { throw AppError.notFound }
        return contract
    }

    /// The contract of an award, if it has one.
    func contract(ofApplication id: UUID) async throws -> GrantContract? {
        try await GrantContract.query(on: database).filter(\.$application.$id == id).first()
    }

    // MARK: generating and correcting

    /// The terms an award suggests: its amount, a start two weeks ahead, twelve months, the
    /// applicant's language.
    func suggestedForm(for application: GrantApplication) -> ContractForm {
        let start = today.adding(days: 14)
        return ContractForm(amount: NumberWriting.plain(application.requestedMinorUnits), startDate: start.description,
                            endDate: start.adding(months: 12).adding(days: -1).description, language: application.language)
    }

    /// The form filled with a draft's terms, to correct them.
    static func form(of contract: GrantContract) -> ContractForm {
        ContractForm(amount: NumberWriting.plain(contract.amountMinorUnits), startDate: contract.startDate,
                     endDate: contract.endDate, language: contract.language)
    }

    private func validated(_ form: ContractForm, application: GrantApplication) throws -> Result<(ContractForm.Terms, ContractTerms), FieldErrors> {
        let call = application.call
        let rules = try call.grantRules()
        switch form.validated(awardedMinorUnits: application.requestedMinorUnits, capMinorUnits: rules.maximumGrantMinorUnits,
                              currency: call.currency) {
        case .failure(let errors): return .failure(errors)
        case .success(let terms):
            let content = application.content(.full)
            let budget = content.budget(currency: call.currency).budget
            let document = ContractTerms(settings: rules.contract, budget: budget.lines, results: content.results,
                                         activities: content.activities, amountMinorUnits: terms.amountMinorUnits,
                                         start: terms.start, end: terms.end)
            return .success((terms, document))
        }
    }

    /// Generates the contract of an awarded application (one per award).
    func generate(from application: GrantApplication, form: ContractForm, actor: UUID) async throws -> Result<GrantContract, FieldErrors> {
        guard application.status == .awarded else { throw AppError(status: .conflict, messageKey: "contract.error.notAwarded") }
        guard try await contract(ofApplication: application.requireID()) == nil else {
            throw AppError(status: .conflict, messageKey: "contract.error.exists")
        }
        guard let number = application.reference.flatMap(ContractNumber.of(application:)) else { throw AppError.server }
        switch try validated(form, application: application) {
        case .failure(let errors): return .failure(errors)
        case .success(let (terms, document)):
            let contract = GrantContract()
            contract.number = number
            contract.status = .draft
            contract.language = terms.language.rawValue
            contract.currency = application.call.currency
            contract.amountMinorUnits = terms.amountMinorUnits
            contract.startDate = terms.start.description
            contract.endDate = terms.end.description
            contract.terms = try StoredJSON.encode(document)
            contract.version = 1
            contract.createdBy = actor
            contract.$application.id = try application.requireID()
            contract.$call.id = application.$call.id
            contract.$lot.id = application.$lot.id
            contract.$organisation.id = application.$organisation.id
            contract.regionID = application.lot.$region.id
            try await database.writeTransaction { db in
                try await contract.create(on: db)
                try await audit("contract.generated", contract, ["application": application.reference ?? ""], actor: actor, on: db)
            }
            return .success(contract)
        }
    }

    /// Corrects a draft's terms; the schedules follow the new amount and dates.
    func update(_ contract: GrantContract, form: ContractForm, actor: UUID) async throws -> Result<Void, FieldErrors> {
        _ = try contract.status.transition(.edit)
        let application = try await ApplicationService(database: database, services: services).find(contract.$application.id)
        switch try validated(form, application: application) {
        case .failure(let errors): return .failure(errors)
        case .success(let (terms, document)):
            contract.language = terms.language.rawValue
            contract.amountMinorUnits = terms.amountMinorUnits
            contract.startDate = terms.start.description
            contract.endDate = terms.end.description
            contract.terms = try StoredJSON.encode(document)
            try await database.writeTransaction { db in
                try await contract.save(on: db)
                try await audit("contract.edited", contract, actor: actor, on: db)
            }
            return .success(())
        }
    }

    // MARK: signature

    func send(_ contract: GrantContract, actor: UUID) async throws {
        contract.status = try contract.status.transition(.sendForSignature)
        contract.sentOn = today.description
        try await database.writeTransaction { db in
            try await contract.save(on: db)
            try await audit("contract.sent", contract, actor: actor, on: db)
        }
    }

    func recall(_ contract: GrantContract, actor: UUID) async throws {
        contract.status = try contract.status.transition(.recall)
        contract.sentOn = nil
        try await database.writeTransaction { db in
            try await contract.save(on: db)
            try await audit("contract.recalled", contract, actor: actor, on: db)
        }
    }

    /// Records both signature dates and the signed scan: the contract is signed.
    func recordSignatures(_ contract: GrantContract, form: SignatureForm, scan: Result<(CheckedDocument, [UInt8]), DocumentProblem>,
                          actor: UUID) async throws -> Result<Void, FieldErrors> {
        let next = try contract.status.transition(.sign)
        var errors = FieldErrors()
        let sentOn = contract.sentOn.flatMap(LocalDate.init) ?? today
        let dates = form.validated(sentOn: sentOn, today: today)
        if case .failure(let problems) = dates { errors.merge(problems) }
        if case .failure(let problem) = scan { errors.add("scan", problem.catalogKey) }
        guard errors.isEmpty, case .success(let signed) = dates, case .success(let (document, bytes)) = scan else { return .failure(errors) }
        contract.granteeSignedOn = signed.grantee.description
        contract.programmeSignedOn = signed.programme.description
        contract.status = next
        let now = self.now
        let terms = try contract.contractTerms()
        try await database.writeTransaction { db in
            try await contract.save(on: db)
            _ = try await DocumentStore.attach(document, bytes: bytes, to: .contract, contract.requireID(), label: "signedScan",
                                               category: "signedScan", actor: actor, at: now, on: db)
            try await ReportService.plan(contract, terms: terms, on: db)
            try await audit("contract.signed", contract, actor: actor, on: db)
        }
        return .success(())
    }

    // MARK: suspension and termination

    /// Suspends, resumes or terminates the contract; the reason is kept with it and in the audit.
    func change(_ contract: GrantContract, _ event: ContractEvent, reason: String?, actor: UUID) async throws {
        contract.status = try contract.status.transition(event)
        contract.statusReason = reason
        let action: String
        switch event {
        case .suspend: action = "contract.suspended"
        case .resume: action = "contract.resumed"
        case .terminate: action = "contract.terminated"
        default: throw AppError.server
        }
        try await database.writeTransaction { db in
            try await contract.save(on: db)
            try await audit(action, contract, reason.map { ["reason": $0] } ?? [:], actor: actor, on: db)
        }
    }

    func documents(of contract: GrantContract) async throws -> [Attachment] {
        try await DocumentStore(database: database).attachments(of: .contract, try contract.requireID())
    }
}
