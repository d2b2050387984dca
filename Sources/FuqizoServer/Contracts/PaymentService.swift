import Fluent
import Foundation
import FuqizoCore
import SQLKit
import Vapor

/// Payment requests: the grantee asks for the next tranche, the grants officer checks, the
/// finance officer approves and records the payment; any step before payment can send it
/// back with reasons. Each step is asked of `PaymentStatus` first and audited with the change.
struct PaymentService {
    let database: any Database
    let services: AppServices

    var now: Date { services.clock.now() }
    var today: LocalDate { TiranaTime.today(at: now) }

    private func audit(_ action: String, _ contract: GrantContract, _ payment: PaymentRequest, _ details: [String: String] = [:],
                       actor: UUID, on db: any Database) async throws {
        try await services.auditContract(action, contract, details.merging(["tranche": String(payment.tranche)]) { $1 },
                                         actor: actor, at: now, on: db)
    }

    func payments(of contract: GrantContract) async throws -> [PaymentRequest] {
        try await PaymentRequest.query(on: database).filter(\.$contract.$id == contract.requireID()).sort(\.$tranche).all()
    }

    /// One request of this contract; another contract's is not found.
    func find(_ id: UUID, of contract: GrantContract) async throws -> PaymentRequest {
        guard let payment = try await PaymentRequest.query(on: database).filter(\.$id == id)
            .filter(\.$contract.$id == contract.requireID()).first() else { throw AppError.notFound }
        return payment
    }

    /// What was paid, in all.
    static func paid(_ payments: [PaymentRequest]) -> Int64 {
        payments.filter { $0.status == .paid }.compactMap(\.paidMinorUnits).saturatingSum()
    }

    /// The tranche the grantee may ask for now and how much, or why none. The expenditure of
    /// approved reports decides whether a further tranche is paid in full (`FurtherTranche`).
    /// `reports` and `spent`: the contract's reports and approved spending, when the caller holds them.
    func next(for contract: GrantContract, payments: [PaymentRequest], reports known: [ContractReport]? = nil,
              spent knownSpending: Int64? = nil) async throws -> Result<(PlannedTranche, FurtherTranche?), WorkflowRefusal> {
        let terms = try contract.contractTerms()
        let existing = payments.map { PaymentRule.Existing(tranche: $0.tranche, status: $0.status) }
        let reports = ReportService(database: database, services: services)
        let contractReports: [ContractReport]
        if let known { contractReports = known } else { contractReports = try await reports.reports(of: contract) }
        let approved = contractReports.filter { $0.status == .approved && $0.kind == .interim }.count
        switch PaymentRule.nextRequest(contract: contract.status, tranches: terms.tranches, payments: existing, approvedInterimReports: approved) {
        case .failure(let refusal): return .failure(refusal)
        case .success(let tranche):
            guard tranche.kind == .furtherPreFinancing else { return .success((tranche, nil)) }
            let paid = payments.filter { $0.status == .paid }.sorted { $0.tranche < $1.tranche }.compactMap(\.paidMinorUnits)
            let spent: Int64
            if let knownSpending { spent = knownSpending } else { spent = Array(try await reports.spending(of: contract).values).saturatingSum() }
            return .success((tranche, FurtherTranche(planned: tranche.amountMinorUnits, grant: contract.amountMinorUnits, paid: paid,
                                                     spent: spent, settings: terms.settings)))
        }
    }

    /// The grantee asks for the next tranche.
    func request(_ contract: GrantContract, actor: UUID) async throws {
        let payments = try await payments(of: contract)
        let (tranche, further) = try await next(for: contract, payments: payments).mapError { AppError($0) }.get()
        let payment = PaymentRequest()
        payment.$contract.id = try contract.requireID()
        payment.tranche = tranche.number
        payment.kind = tranche.kind
        payment.status = .requested
        payment.plannedMinorUnits = tranche.amountMinorUnits
        payment.requestedMinorUnits = further?.payableMinorUnits ?? tranche.amountMinorUnits
        payment.reduction = try further.flatMap { $0.reasons.isEmpty ? nil : try StoredJSON.encode($0.reasons.map(ReductionNote.init)) }
        payment.requestedOn = today.description
        payment.requestedBy = actor
        try await database.writeTransaction { db in
            try await payment.create(on: db)
            try await audit("payment.requested", contract, payment, ["amount": String(payment.requestedMinorUnits)], actor: actor, on: db)
        }
    }

    /// A returned request, corrected, goes back to the grants officer.
    func resubmit(_ payment: PaymentRequest, of contract: GrantContract, actor: UUID) async throws {
        payment.status = try payment.status.transition(.resubmit)
        payment.requestedOn = today.description
        payment.requestedBy = actor
        (payment.checkedOn, payment.checkedBy, payment.approvedOn, payment.approvedBy) = (nil, nil, nil, nil)
        try await save(payment, contract, "payment.resubmitted", actor: actor)
    }

    func check(_ payment: PaymentRequest, of contract: GrantContract, actor: UUID) async throws {
        payment.status = try payment.status.transition(.check)
        (payment.checkedOn, payment.checkedBy) = (today.description, actor)
        try await save(payment, contract, "payment.checked", actor: actor)
    }

    func approve(_ payment: PaymentRequest, of contract: GrantContract, actor: UUID) async throws {
        let closing = payment.kind == .balance && contract.status == .finalReportApproved
        guard contract.status == .signed || contract.status == .inImplementation || closing else {
            throw AppError(status: .conflict, messageKey: "payment.error.contractNotRunning")
        }
        payment.status = try payment.status.transition(.approve)
        (payment.approvedOn, payment.approvedBy) = (today.description, actor)
        try await save(payment, contract, "payment.approved", actor: actor)
    }

    /// Sends the request back with the reason; the grantee sees it.
    func returnToGrantee(_ payment: PaymentRequest, of contract: GrantContract, reason: String, actor: UUID) async throws {
        payment.status = try payment.status.transition(.returnToGrantee)
        payment.returnReason = reason
        try await save(payment, contract, "payment.returned", ["reason": reason], actor: actor)
    }

    /// Records the bank transfer. The first payment starts the contract's implementation.
    func pay(_ payment: PaymentRequest, of contract: GrantContract, form: PaymentForm, actor: UUID) async throws -> Result<Void, FieldErrors> {
        let next = try payment.status.transition(.pay)
        let approvedOn = payment.approvedOn.flatMap(LocalDate.init) ?? today
        switch form.validated(approvedMinorUnits: payment.requestedMinorUnits, approvedOn: approvedOn, today: today, currency: contract.currency) {
        case .failure(let errors): return .failure(errors)
        case .success(let paid):
            payment.status = next
            payment.paidOn = paid.paidOn.description
            payment.paidMinorUnits = paid.amountMinorUnits
            payment.bankReference = paid.reference
            payment.paidBy = actor
            if contract.status.allows(.startImplementation) { contract.status = try contract.status.transition(.startImplementation) }
            // The final payment settles the grant.
            if payment.kind == .balance, contract.status == .finalReportApproved { contract.status = try contract.status.transition(.close) }
            try await database.writeTransaction { db in
                try await payment.save(on: db)
                try await contract.save(on: db)
                try await audit("payment.paid", contract, payment, ["amount": String(paid.amountMinorUnits)], actor: actor, on: db)
            }
            return .success(())
        }
    }

    private func save(_ payment: PaymentRequest, _ contract: GrantContract, _ action: String, _ details: [String: String] = [:], actor: UUID) async throws {
        try await database.writeTransaction { db in
            try await payment.save(on: db)
            try await audit(action, contract, payment, details, actor: actor, on: db)
        }
    }
}

/// A reduction of a tranche as stored with its request, for the page to say why.
struct ReductionNote: Codable {
    /// "unspent" or "cap".
    let kind: String
    let minorUnits: Int64

    init(_ reason: FurtherTranche.Reason) {
        switch reason {
        case .reducedByUnspent(let unspent): (kind, minorUnits) = ("unspent", unspent)
        case .cappedAt(let cap): (kind, minorUnits) = ("cap", cap)
        }
    }
}
