import Foundation
import FuqizoCore
import Vapor

/// A contract's payments: the grantee asks, the grants officer checks, the finance officer
/// approves and records the transfer; each may send a request back with reasons.
struct PaymentsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let payments = routes.grouped("contracts", ":contractID", "payments")
        payments.post(use: request).access(.requestPayment, .contract)
        let payment = payments.grouped(":paymentID")
        payment.post("resubmit", use: resubmit).access(.requestPayment, .contract)
        payment.post("check", use: check).access(.manageContract, .contract)
        payment.post("approve", use: approve).access(.approvePayment, .contract)
        payment.post("pay", use: pay).access(.approvePayment, .contract)
        payment.post("return", use: returnToGrantee).access(.returnPayment, .contract)
        routes.post("contracts", ":contractID", "recovery", use: settleRecovery).access(.approvePayment, .contract)
    }

    /// Finance records the grantee's repayment (or its offset); the contract closes.
    func settleRecovery(req: Request) async throws -> Response {
        let contract = try req.record(GrantContract.self)
        let form = try req.form(RecoveryForm.self)
        switch try await ClosureService(database: req.db, services: req.services).settleRecovery(contract, form: form, actor: try req.requireSignedIn().userID) {
        case .success: return back(req, contract, flash: "recovery.settledFlash")
        case .failure(let errors): return try await ContractPagesController.render(req, contract, recovery: (form, errors), status: .badRequest)
        }
    }

    private func service(_ req: Request) -> PaymentService {
        PaymentService(database: req.db, services: req.services)
    }

    /// The contract the policy allowed, and the payment of it the path names.
    private func loaded(_ req: Request) async throws -> (GrantContract, PaymentRequest) {
        let contract = try req.record(GrantContract.self)
        return (contract, try await service(req).find(try req.id("paymentID"), of: contract))
    }

    private func back(_ req: Request, _ contract: GrantContract, flash: String) -> Response {
        Flash.redirect(req, to: SiteURL.contract(contract.id!).path + "#payments-h", flash: flash)
    }

    func request(req: Request) async throws -> Response {
        let contract = try req.record(GrantContract.self)
        try await service(req).request(contract, actor: try req.requireSignedIn().userID)
        return back(req, contract, flash: "payment.requestedFlash")
    }

    func resubmit(req: Request) async throws -> Response {
        let (contract, payment) = try await loaded(req)
        try await service(req).resubmit(payment, of: contract, actor: try req.requireSignedIn().userID)
        return back(req, contract, flash: "payment.requestedFlash")
    }

    func check(req: Request) async throws -> Response {
        let (contract, payment) = try await loaded(req)
        try await service(req).check(payment, of: contract, actor: try req.requireSignedIn().userID)
        return back(req, contract, flash: "payment.checkedFlash")
    }

    func approve(req: Request) async throws -> Response {
        let (contract, payment) = try await loaded(req)
        try await service(req).approve(payment, of: contract, actor: try req.requireSignedIn().userID)
        return back(req, contract, flash: "payment.approvedFlash")
    }

    func pay(req: Request) async throws -> Response {
        let (contract, payment) = try await loaded(req)
        let form = try req.form(PaymentForm.self)
        switch try await service(req).pay(payment, of: contract, form: form, actor: try req.requireSignedIn().userID) {
        case .success: return back(req, contract, flash: "payment.paidFlash")
        case .failure(let errors): return try await ContractPagesController.render(req, contract, payment: (payment.id!, form, errors), status: .badRequest)
        }
    }

    /// Sending a request back stops it: the person says why, and the grantee reads it.
    func returnToGrantee(req: Request) async throws -> Response {
        let (contract, payment) = try await loaded(req)
        _ = try payment.status.transition(.returnToGrantee)
        switch try await req.confirmation({ $0.writtenReason() }, { form, errors in
            ConfirmationContext(title: "payment.return.confirmTitle",
                                consequence: req.t("payment.return.consequence", ["number": contract.number, "tranche": String(payment.tranche)]),
                                action: req.url.path, cancel: .contract(contract.id!),
                                fields: [ConfirmationContext.writtenReason(form, errors: errors)], confirm: "payment.return")
        }) {
        case .ask(let response): return response
        case .reason(let reason):
            try await service(req).returnToGrantee(payment, of: contract, reason: reason, actor: try req.requireSignedIn().userID)
            return back(req, contract, flash: "payment.returnedFlash")
        }
    }
}
