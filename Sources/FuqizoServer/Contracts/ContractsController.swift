import Foundation
import FuqizoCore
import Vapor

/// The grants officer's work on contracts: generating one from an award, correcting the
/// draft, sending it, recording the signatures with the signed scan, suspending, resuming
/// and terminating.
struct ContractsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let award = routes.grouped("grants", "applications", ":applicationID", "contract")
        award.get(use: newForm).access(.manageContract, .application)
        award.post(use: generate).access(.manageContract, .application)
        let contract = routes.grouped("contracts", ":contractID")
        contract.get("edit", use: editForm).access(.manageContract, .contract)
        contract.post("edit", use: update).access(.manageContract, .contract)
        contract.post("send", use: send).access(.manageContract, .contract)
        contract.post("recall", use: recall).access(.manageContract, .contract)
        contract.upload("signatures", limit: ContractService.scanLimit, use: recordSignatures).access(.manageContract, .contract)
        contract.post("suspend", use: suspend).access(.manageContract, .contract)
        contract.post("resume", use: resume).access(.manageContract, .contract)
        contract.post("terminate", use: terminate).access(.manageContract, .contract)
        contract.post("settle", use: settle).access(.manageContract, .contract)
    }

    private func service(_ req: Request) -> ContractService {
        ContractService(database: req.db, services: req.services)
    }

    // MARK: the terms

    struct FormPage: Encodable {
        let action: String
        let cancel: String
        let reference: String
        let awarded: String
        let cap: String
        let fields: [FieldContext]
        let hasErrors: Bool
    }

    private func renderForm(_ req: Request, application: GrantApplication, form: ContractForm, action: String, cancel: SiteURL,
                            title: String, errors: FieldErrors = .init(), status: HTTPResponseStatus = .ok) async throws -> Response {
        let rules = try application.call.grantRules()
        let currency = application.call.currency
        let languages = Language.allCases.map {
            FieldContext.Option(value: $0.rawValue, label: req.t("language.\($0.rawValue)"), selected: $0.rawValue == form.language)
        }
        return try await req.page("contracts/form", title: title, FormPage(
            action: action, cancel: cancel.path, reference: application.reference ?? "",
            awarded: Money(minorUnits: application.requestedMinorUnits, currency: currency).written(in: req.language),
            cap: Money(minorUnits: rules.maximumGrantMinorUnits, currency: currency).written(in: req.language),
            fields: [
                FieldContext("amount", label: "contract.field.amount", value: form.amount, errors: errors, required: true, hint: "contract.amount.hint"),
                FieldContext("startDate", label: "contract.field.start", kind: "date", value: form.startDate, errors: errors, required: true),
                FieldContext("endDate", label: "contract.field.end", kind: "date", value: form.endDate, errors: errors, required: true,
                             hint: "contract.end.hint"),
                FieldContext("language", label: "contract.field.language", kind: "select", value: form.language, options: languages,
                             errors: errors, required: true, hint: "contract.language.hint"),
            ],
            hasErrors: !errors.isEmpty), status: status)
    }

    /// The award's contract, if it already has one, is opened instead of a second form.
    func newForm(req: Request) async throws -> Response {
        let application = try req.record(GrantApplication.self)
        if let existing = try await service(req).contract(ofApplication: application.requireID()) {
            return req.redirect(to: .contract(try existing.requireID()))
        }
        guard application.status == .awarded else { throw AppError(status: .conflict, messageKey: "contract.error.notAwarded") }
        return try await renderForm(req, application: application, form: service(req).suggestedForm(for: application),
                                    action: req.url.path, cancel: .review(application.id!), title: "contract.new.title")
    }

    func generate(req: Request) async throws -> Response {
        let application = try req.record(GrantApplication.self)
        let form = try req.form(ContractForm.self)
        switch try await service(req).generate(from: application, form: form, actor: try req.requireSignedIn().userID) {
        case .success(let contract): return Flash.redirect(req, to: .contract(try contract.requireID()), flash: "contract.generated")
        case .failure(let errors):
            return try await renderForm(req, application: application, form: form, action: req.url.path, cancel: .review(application.id!),
                                        title: "contract.new.title", errors: errors, status: .badRequest)
        }
    }

    func editForm(req: Request) async throws -> Response {
        let contract = try req.record(GrantContract.self)
        _ = try contract.status.transition(.edit)
        let application = try await ApplicationService(database: req.db, services: req.services).find(contract.$application.id)
        return try await renderForm(req, application: application, form: ContractService.form(of: contract), action: req.url.path,
                                    cancel: .contract(contract.id!), title: "contract.edit.title")
    }

    func update(req: Request) async throws -> Response {
        let contract = try req.record(GrantContract.self)
        let form = try req.form(ContractForm.self)
        switch try await service(req).update(contract, form: form, actor: try req.requireSignedIn().userID) {
        case .success: return Flash.redirect(req, to: .contract(contract.id!), flash: "contract.saved")
        case .failure(let errors):
            let application = try await ApplicationService(database: req.db, services: req.services).find(contract.$application.id)
            return try await renderForm(req, application: application, form: form, action: req.url.path, cancel: .contract(contract.id!),
                                        title: "contract.edit.title", errors: errors, status: .badRequest)
        }
    }

    // MARK: signature

    func send(req: Request) async throws -> Response {
        let contract = try req.record(GrantContract.self)
        try await service(req).send(contract, actor: try req.requireSignedIn().userID)
        return Flash.redirect(req, to: .contract(contract.id!), flash: "contract.sentFlash")
    }

    func recall(req: Request) async throws -> Response {
        let contract = try req.record(GrantContract.self)
        try await service(req).recall(contract, actor: try req.requireSignedIn().userID)
        return Flash.redirect(req, to: .contract(contract.id!), flash: "contract.recalledFlash")
    }

    struct SignatureUpload: Content {
        var grantee: String?
        var programme: String?
        var file: File?
    }

    func recordSignatures(req: Request) async throws -> Response {
        let contract = try req.record(GrantContract.self)
        let upload = (try? req.content.decode(SignatureUpload.self)) ?? SignatureUpload()
        let form = SignatureForm(grantee: upload.grantee ?? "", programme: upload.programme ?? "")
        let scan = DocumentStore.check(upload.file, limit: ContractService.scanLimit)
        switch try await service(req).recordSignatures(contract, form: form, scan: scan, actor: try req.requireSignedIn().userID) {
        case .success: return Flash.redirect(req, to: .contract(contract.id!), flash: "contract.signedFlash")
        case .failure(let errors): return try await ContractPagesController.render(req, contract, signature: (form, errors), status: .badRequest)
        }
    }

    // MARK: suspension and termination

    /// Suspending and terminating stop the grantee's work and payments: the officer sees what
    /// will happen and says why, and the reason stays with the contract.
    private func confirmed(_ req: Request, _ event: ContractEvent, title: String, consequence: String, confirm: String,
                           flash: String) async throws -> Response {
        let contract = try req.record(GrantContract.self)
        _ = try contract.status.transition(event)
        switch try await req.confirmation({ $0.writtenReason() }, { form, errors in
            ConfirmationContext(title: title, consequence: req.t(consequence, ["number": contract.number]), action: req.url.path,
                                cancel: .contract(contract.id!), fields: [ConfirmationContext.writtenReason(form, errors: errors)], confirm: confirm)
        }) {
        case .ask(let response): return response
        case .reason(let reason):
            try await service(req).change(contract, event, reason: reason, actor: try req.requireSignedIn().userID)
            return Flash.redirect(req, to: .contract(contract.id!), flash: flash)
        }
    }

    func suspend(req: Request) async throws -> Response {
        try await confirmed(req, .suspend, title: "contract.suspend.confirmTitle", consequence: "contract.suspend.consequence",
                            confirm: "contract.suspend", flash: "contract.suspendedFlash")
    }

    func terminate(req: Request) async throws -> Response {
        try await confirmed(req, .terminate, title: "contract.terminate.confirmTitle", consequence: "contract.terminate.consequence",
                            confirm: "contract.terminate", flash: "contract.terminatedFlash")
    }

    func resume(req: Request) async throws -> Response {
        let contract = try req.record(GrantContract.self)
        try await service(req).change(contract, .resume, reason: nil, actor: try req.requireSignedIn().userID)
        return Flash.redirect(req, to: .contract(contract.id!), flash: "contract.resumedFlash")
    }

    /// Settling the grant locks it once paid or recovered: the officer sees the figures first.
    func settle(req: Request) async throws -> Response {
        let contract = try req.record(GrantContract.self)
        _ = try contract.status.transition(.close)
        let settlement = try await ClosureService(database: req.db, services: req.services).settlement(of: contract)
        let money = { (minorUnits: Int64) in Money(minorUnits: minorUnits, currency: contract.currency).written(in: req.language) }
        switch try await req.confirmation({ _ in .success(()) }, { _, _ in
            ConfirmationContext(title: "closure.confirmTitle",
                                consequence: req.t("closure.consequence.\(settlement.outcome.rawValue)", [
                                    "number": contract.number, "final": money(settlement.finalAmountMinorUnits),
                                    "payment": money(settlement.finalPaymentMinorUnits), "recovery": money(settlement.recoveryMinorUnits)]),
                                action: req.url.path, cancel: .contract(contract.id!), fields: [], confirm: "closure.settle")
        }) {
        case .ask(let response): return response
        case .reason:
            _ = try await ClosureService(database: req.db, services: req.services).settle(contract, actor: try req.requireSignedIn().userID)
            return Flash.redirect(req, to: .contract(contract.id!), flash: "closure.settledFlash")
        }
    }
}
