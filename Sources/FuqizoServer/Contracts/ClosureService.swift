import Fluent
import Foundation
import FuqizoCore
import Vapor

/// Closing a contract once its final report is approved: the final amount is the approved
/// eligible spending, never above the grant; the difference to what was paid becomes the
/// final payment (checked here, approved and paid by finance) or a recovery order (settled by
/// finance). Either settles the contract, which is then locked.
struct ClosureService {
    let database: any Database
    let services: AppServices

    var now: Date { services.clock.now() }
    var today: LocalDate { TiranaTime.today(at: now) }

    private func audit(_ action: String, _ contract: GrantContract, _ details: [String: String], actor: UUID, on db: any Database) async throws {
        try await services.auditContract(action, contract, details, actor: actor, at: now, on: db)
    }

    func recovery(of contract: GrantContract) async throws -> RecoveryOrder? {
        // Orders are issued only when an approved final report is settled (`settle`).
        guard contract.status == .finalReportApproved || contract.status == .closed else { return nil }
        return try await RecoveryOrder.query(on: database).filter(\.$contract.$id == contract.requireID()).first()
    }

    /// What recovery orders brought back.
    static func recovered(_ order: RecoveryOrder?) -> Int64 {
        guard let order, order.status != .issued else { return 0 }
        return order.amountMinorUnits
    }

    /// The settlement as it stands: approved spending against what was paid (`payments` and
    /// `spent`, when the caller already holds them).
    func settlement(of contract: GrantContract, payments known: [PaymentRequest]? = nil, spent knownSpending: Int64? = nil) async throws -> FinalSettlement {
        let spent: Int64
        if let knownSpending { spent = knownSpending } else {
            spent = Array(try await ReportService(database: database, services: services).spending(of: contract).values).saturatingSum()
        }
        let payments: [PaymentRequest]
        if let known { payments = known } else { payments = try await PaymentService(database: database, services: services).payments(of: contract) }
        let paid = PaymentService.paid(payments)
        return FinalSettlement(grant: contract.amountMinorUnits, eligible: spent, paid: paid)
    }

    /// Settles the grant: the final payment goes to finance, or a recovery order is issued, or
    /// (nothing due either way) the contract closes now.
    func settle(_ contract: GrantContract, actor: UUID) async throws -> FinalSettlement {
        guard contract.status == .finalReportApproved else { throw AppError(status: .conflict, messageKey: "contract.error.finalReportNotApproved") }
        let payments = try await PaymentService(database: database, services: services).payments(of: contract)
        guard !payments.contains(where: { $0.kind == .balance }), try await recovery(of: contract) == nil else {
            throw AppError(status: .conflict, messageKey: "closure.error.settled")
        }
        let settlement = try await settlement(of: contract, payments: payments)
        let terms = try contract.contractTerms()
        let today = self.today.description
        try await database.writeTransaction { db in
            switch settlement.outcome {
            case .finalPayment:
                let payment = PaymentRequest()
                payment.$contract.id = try contract.requireID()
                payment.tranche = terms.tranches.last?.number ?? 1
                payment.kind = .balance
                // Worked out here from the approved reports: checked by the officer who settles.
                payment.status = .checked
                payment.plannedMinorUnits = terms.tranches.last?.amountMinorUnits ?? 0
                payment.requestedMinorUnits = settlement.finalPaymentMinorUnits
                payment.requestedOn = today
                payment.requestedBy = actor
                (payment.checkedOn, payment.checkedBy) = (today, actor)
                try await payment.create(on: db)
            case .recovery:
                let order = RecoveryOrder()
                order.$contract.id = try contract.requireID()
                order.amountMinorUnits = settlement.recoveryMinorUnits
                order.status = .issued
                order.issuedOn = today
                order.issuedBy = actor
                try await order.create(on: db)
            case .nothingDue:
                contract.status = try contract.status.transition(.close)
                try await contract.save(on: db)
            }
            try await audit("contract.settled", contract, [
                "outcome": settlement.outcome.rawValue, "final": String(settlement.finalAmountMinorUnits),
                "payment": String(settlement.finalPaymentMinorUnits), "recovery": String(settlement.recoveryMinorUnits),
            ], actor: actor, on: db)
        }
        return settlement
    }

    /// Finance records the recovery as paid back or offset; the contract closes.
    func settleRecovery(_ contract: GrantContract, form: RecoveryForm, actor: UUID) async throws -> Result<Void, FieldErrors> {
        guard let order = try await recovery(of: contract) else { throw AppError.notFound }
        let next = try order.status.transition(.settle(offset: form.offset == "yes"))
        switch form.validated(issuedOn: LocalDate(order.issuedOn) ?? today, today: today) {
        case .failure(let errors): return .failure(errors)
        case .success(let settled):
            order.status = next
            order.settledOn = settled.settledOn.description
            order.settledBy = actor
            order.reference = settled.reference
            contract.status = try contract.status.transition(.close)
            try await database.writeTransaction { db in
                try await order.save(on: db)
                try await contract.save(on: db)
                try await audit("recovery.settled", contract, ["amount": String(order.amountMinorUnits), "offset": settled.offset ? "yes" : "no"],
                                actor: actor, on: db)
            }
            return .success(())
        }
    }
}
