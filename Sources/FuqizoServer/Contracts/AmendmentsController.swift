import Foundation
import FuqizoCore
import Vapor

/// Amendments of a running contract: the grantee or the grants officer asks, the grants
/// officer approves or refuses with a reason; every version the contract had can be printed.
struct AmendmentsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let amendments = routes.grouped("contracts", ":contractID", "amendments")
        amendments.get("new", use: newForm).access(.requestAmendment, .contract)
        amendments.post(use: request).access(.requestAmendment, .contract)
        amendments.post(":number", "approve", use: approve).access(.manageContract, .contract)
        amendments.post(":number", "refuse", use: refuse).access(.manageContract, .contract)
        routes.get("contracts", ":contractID", "versions", ":version", use: printVersion).access(.viewContract, .contract)
    }

    private func service(_ req: Request) -> AmendmentService {
        AmendmentService(database: req.db, services: req.services)
    }

    /// A number in the path (an amendment's, a version's): anything else names nothing.
    private func number(_ req: Request, _ name: String) throws -> Int {
        guard let number = req.parameters.get(name).flatMap({ Bounded.integer($0, in: 1...1_000) }) else { throw AppError.notFound }
        return number
    }

    private func back(_ req: Request, _ contract: GrantContract, flash: String) -> Response {
        Flash.redirect(req, to: SiteURL.contract(contract.id!).path + "#amendments-h", flash: flash)
    }

    private func render(_ req: Request, _ contract: GrantContract, form: AmendmentForm, errors: FieldErrors = .init(),
                        status: HTTPResponseStatus = .ok) async throws -> Response {
        _ = try contract.status.transition(.amend)
        return try await req.page("contracts/amendment", title: "amendment.new.title",
                                  try AmendmentContext.form(req, contract, form: form, errors: errors), status: status)
    }

    func newForm(req: Request) async throws -> Response {
        let contract = try req.record(GrantContract.self)
        let terms = try contract.contractTerms()
        return try await render(req, contract, form: AmendmentForm(activities: terms.activities))
    }

    func request(req: Request) async throws -> Response {
        let contract = try req.record(GrantContract.self)
        let form = try req.form(AmendmentForm.self)
        let byGrantee = req.actor.has(.csoUser, in: contract.$organisation.id) && !Policy.decide(req.actor, .manageContract, contract.resource).isAllowed
        switch try await service(req).request(contract, form: form, byGrantee: byGrantee, actor: try req.requireSignedIn().userID) {
        case .success: return back(req, contract, flash: "amendment.requestedFlash")
        case .failure(let errors): return try await render(req, contract, form: form, errors: errors, status: .badRequest)
        }
    }

    /// Approving changes the contract for good (a new version), so it asks for confirmation
    /// and the grounds of the decision, like a refusal.
    func approve(req: Request) async throws -> Response {
        try await decide(req, approving: true)
    }

    func refuse(req: Request) async throws -> Response {
        try await decide(req, approving: false)
    }

    private func decide(_ req: Request, approving: Bool) async throws -> Response {
        let contract = try req.record(GrantContract.self)
        let amendment = try await service(req).find(try number(req, "number"), of: contract)
        _ = try amendment.status.transition(approving ? .approve : .refuse)
        if approving { _ = try contract.status.transition(.amend) }
        let changes = AmendmentContext.changes(req, try amendment.amendmentChanges(), before: try contract.contractTerms(), contract: contract)
        switch try await req.confirmation({ $0.writtenReason() }, { form, errors in
            ConfirmationContext(title: approving ? "amendment.approve.confirmTitle" : "amendment.refuse.confirmTitle",
                                consequence: req.t(approving ? "amendment.approve.consequence" : "amendment.refuse.consequence",
                                                   ["number": contract.number, "amendment": String(amendment.number), "version": String(contract.version + 1)]),
                                details: changes, action: req.url.path, cancel: .contract(contract.id!),
                                fields: [ConfirmationContext.writtenReason(form, errors: errors)],
                                confirm: approving ? "amendment.approve" : "amendment.refuse")
        }) {
        case .ask(let response): return response
        case .reason(let reason):
            let actor = try req.requireSignedIn().userID
            if approving {
                try await service(req).approve(amendment, of: contract, reason: reason, actor: actor)
                return back(req, contract, flash: "amendment.approvedFlash")
            }
            try await service(req).refuse(amendment, of: contract, reason: reason, actor: actor)
            return back(req, contract, flash: "amendment.refusedFlash")
        }
    }

    /// A version an amendment replaced, printed as it stood (the current one is `/print`).
    func printVersion(req: Request) async throws -> View {
        let contract = try req.record(GrantContract.self)
        let number = try number(req, "version")
        let version = try await service(req).version(number, of: contract)
        let application = try await ApplicationService(database: req.db, services: req.services).find(contract.$application.id)
        let programme = try await SettingsService(database: req.db, services: req.services).current()
        return try await req.page("contracts/print", title: "contract.print.pageTitle",
                                  ContractPrint.build(contract, application: application, programme: programme, catalog: req.services.catalog,
                                                      version: version))
    }
}
