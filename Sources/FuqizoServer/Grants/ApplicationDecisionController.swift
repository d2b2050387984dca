import Fluent
import Foundation
import FuqizoCore
import Vapor

/// The grants officer's actions on one submitted application: its checks, a further
/// evaluator, a withdrawal, its letters as printed.
struct ApplicationDecisionController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let application = routes.grouped("grants", "applications", ":applicationID")
        application.post("checks", ":kind", use: recordCheck).access(.manageCalls, .application)
        application.post("evaluators", use: addEvaluator).access(.manageCalls, .application)
        application.post("withdraw", use: withdraw).access(.manageCalls, .application)
        application.get("letters", ":letterID", use: letter).access(.manageCalls, .application)
    }

    private func service(_ req: Request) -> EvaluationService {
        EvaluationService(database: req.db, services: req.services)
    }

    private func decisions(_ req: Request) -> DecisionService {
        DecisionService(database: req.db, services: req.services)
    }

    /// The submitted application named in the path, as the policy allowed it.
    private func application(_ req: Request) throws -> GrantApplication {
        try req.record(GrantApplication.self)
    }

    private func back(_ application: GrantApplication) -> String { SiteURL.review(application.id!).path }

    func recordCheck(req: Request) async throws -> Response {
        let application = try application(req)
        let kind = try req.parameter("kind", as: CheckKind.self)
        let form = try req.form(CheckForm.self)
        // A failed check rejects the application: the officer sees what that means, and the
        // failed items' reasons (already required) before it is recorded.
        let items = kind.items(at: application.stage)
        if case .success(let result) = form.validated(items: items), !result.passed {
            let failed = items.filter { result.failures[$0] != nil }
            let confirmation = try await req.confirmation({ _ in .success(()) }, { _, _ in
                ConfirmationContext(title: "check.reject.confirmTitle",
                                    consequence: req.t("check.reject.consequence", ["reference": application.reference ?? ""]),
                                    details: failed.map { "\(req.t(CheckKind.itemKey($0))) — \(result.failures[$0] ?? "")" },
                                    action: req.url.path, cancel: .review(application.id!),
                                    hidden: items.map { ("answers[\($0)]", form.answers[$0] ?? "") } + failed.map { ("reasons[\($0)]", result.failures[$0] ?? "") },
                                    fields: [], confirm: "check.reject.confirm")
            })
            if case .ask(let response) = confirmation { return response }
        }
        switch try await service(req).record(kind, of: application, form: form, actor: try req.requireSignedIn().userID) {
        case .success: return Flash.redirect(req, to: back(application), flash: "check.saved")
        case .failure(let errors):
            return try await ApplicationReviewController.render(req, application, check: (kind, form, errors), status: .badRequest)
        }
    }

    struct EvaluatorForm: Content {
        var evaluator: String?
    }

    func addEvaluator(req: Request) async throws -> Response {
        let application = try application(req)
        let form = try req.form(EvaluatorForm.self)
        let chosen = form.evaluator.flatMap(UUID.init(uuidString:))
        switch try await service(req).addEvaluator(to: application, stage: application.stage, evaluator: chosen,
                                                   actor: try req.requireSignedIn().userID) {
        case .success: return Flash.redirect(req, to: back(application), flash: "evaluation.assigned")
        case .failure(let errors):
            return try await ApplicationReviewController.render(req, application, evaluatorErrors: errors, status: .conflict)
        }
    }

    /// Recording that an awarded applicant gave the grant up cannot be undone (its envelope may
    /// go to a reserve application): the officer confirms and says why.
    func withdraw(req: Request) async throws -> Response {
        let application = try application(req)
        _ = try application.status.transition(.withdraw)
        switch try await req.confirmation({ $0.writtenReason() }, { form, errors in
            ConfirmationContext(title: "decision.withdraw.confirmTitle",
                                consequence: req.t("decision.withdraw.consequence", ["reference": application.reference ?? ""]),
                                action: req.url.path, cancel: .review(application.id!), fields: [ConfirmationContext.writtenReason(form, errors: errors)],
                                confirm: "decision.withdraw")
        }) {
        case .ask(let response): return response
        case .reason(let reason):
            _ = try await decisions(req).withdraw(application, reason: reason, actor: try req.requireSignedIn().userID)
            return Flash.redirect(req, to: .ranking(call: application.$call.id, stage: .full), flash: "decision.withdrawn")
        }
    }

    struct LetterPage: Encodable {
        let lang: String
        let subject: String
        let paragraphs: [String]
        let dueDate: String
        let sentAt: String?
        let back: String
    }

    /// The letter as printed: in the applicant's language, whatever the officer's.
    func letter(req: Request) async throws -> View {
        let application = try application(req)
        let letter = try await decisions(req).letter(try req.id("letterID"), ofApplication: application.requireID())
        let (subject, body) = try await decisions(req).letterText(letter, application: application, call: application.call)
        return try await req.page("grants/letter", title: "letters.letter", LetterPage(
            lang: application.language, subject: subject, paragraphs: body.components(separatedBy: "\n\n"), dueDate: letter.dueDate,
            sentAt: letter.sentAt.map(Display.dateTime), back: SiteURL.callLetters(application.$call.id).path))
    }
}
