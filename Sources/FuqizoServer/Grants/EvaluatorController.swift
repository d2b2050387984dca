import Fluent
import Foundation
import FuqizoCore
import Vapor

/// The evaluators' pages: their assignments, the declaration of impartiality, scoring, and the
/// application's documents once declared (never in a blind review).
struct EvaluatorController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let evaluation = routes.grouped("evaluation")
        evaluation.get(use: myAssignments).access(.evaluate)
        evaluation.get(":assignmentID", use: assignmentPage).access(.evaluate, .assignment)
        evaluation.post(":assignmentID", "declaration", use: declare).access(.signDeclaration, .assignment)
        evaluation.post(":assignmentID", use: score).access(.scoreApplication, .assignment)
        evaluation.get(":assignmentID", "attachments", ":attachmentID", use: evaluatorDownload).access(.scoreApplication, .assignment)
    }

    private func service(_ req: Request) -> EvaluationService {
        EvaluationService(database: req.db, services: req.services)
    }

    /// The evaluator's own assignment named in the path, as the policy allowed it.
    private func assignment(_ req: Request) throws -> EvaluationAssignment {
        try req.record(EvaluationAssignment.self)
    }

    struct AssignmentRow: Encodable {
        let id: String
        let number: Int
        let callReference: String
        let stageKey: String
        let statusKey: String
        /// Known only once the declaration is signed.
        let reference: String?
    }

    func myAssignments(req: Request) async throws -> View {
        guard let userID = req.actor.userID else { throw AppError.forbidden }
        let rows = try await service(req).assignments(ofEvaluator: userID)
        let list = rows.enumerated().map { index, row in
            AssignmentRow(id: row.id!.uuidString, number: index + 1, callReference: row.application.call.reference,
                          stageKey: row.stage.catalogKey, statusKey: row.status.catalogKey, reference: row.isDeclared ? row.application.reference : nil)
        }
        return try await req.page("evaluation/list", title: "evaluation.list.title", ["rows": list])
    }

    struct CriterionRow: Encodable {
        let code: String
        let title: String
        let weight: Int
        let score: String
        let comment: String
        let scoreErrorKey: String?
        let commentErrorKey: String?
        let options: [FieldContext.Option]
    }

    struct SectionBlock: Encodable {
        let title: String
        let maximum: Int
        let carriedOver: Bool
        let criteria: [CriterionRow]
    }

    /// The scoring form under the application, once the declaration is signed.
    struct ScorePanel: Encodable {
        let id: String
        let blind: Bool
        let submitted: Bool
        let total: String?
        let sections: [SectionBlock]
        let hasErrors: Bool
    }

    /// Before the declaration (or after a conflict): nothing of the application.
    struct DeclarationPage: Encodable {
        let id: String
        let callReference: String
        let stageKey: String
        let conflict: Bool
    }

    private func renderAssignment(_ req: Request, _ assignment: EvaluationAssignment, typed: Scorecard? = nil, errors: FieldErrors = .init(),
                                  status: HTTPResponseStatus = .ok) async throws -> Response {
        let stage = assignment.stage
        let declared = Policy.decide(req.actor, .scoreApplication, assignment.resource).isAllowed
        guard declared else {
            // The call's reference is all an evaluator learns before signing.
            let reference = try await service(req).callReference(of: assignment)
            return try await req.page("evaluation/assignment", title: "evaluation.title", DeclarationPage(
                id: assignment.id!.uuidString, callReference: reference, stageKey: stage.catalogKey,
                conflict: assignment.status == .conflict), status: status)
        }
        let application = try await ApplicationService(database: req.db, services: req.services).find(assignment.$application.id)
        let call = application.call
        // Without its applicant when the review is blind: no name, no documents that would tell it.
        let attachments = call.blindReview ? [] : try await DocumentStore(database: req.db).attachments(of: .application, application.id!)
        let card = typed ?? assignment.card
        let grid = try EvaluationService.grid(of: call, stage)
        let sections = grid.sections.map { section in
            SectionBlock(title: req.language.pick(section.titleSq, section.titleEn), maximum: section.maximum,
                         carriedOver: section.carriedOver,
                         criteria: section.criteria.map { criterion in
                             let score = card.scores[criterion.code].map(String.init) ?? ""
                             return CriterionRow(
                                code: criterion.code, title: req.language.pick(criterion.titleSq, criterion.titleEn),
                                weight: criterion.weight, score: score, comment: card.comments[criterion.code] ?? "",
                                scoreErrorKey: errors["score-\(criterion.code)"], commentErrorKey: errors["comment-\(criterion.code)"],
                                options: (EvaluationGrid.minimumScore...EvaluationGrid.maximumScore).map {
                                    .init(value: String($0), label: "\($0) – \(req.t("score.label.\($0)"))", selected: String($0) == score)
                                })
                         })
        }
        var page = try ApplicationContext.build(req, application, editable: false, back: SiteURL.evaluation.path, attachments: attachments,
                                                      attachmentBase: SiteURL.assignmentAttachments(assignment.id!).path, shownStage: stage)
        if call.blindReview { page = page.hidingApplicant() }
        page.evaluator = ScorePanel(id: assignment.id!.uuidString, blind: call.blindReview,
                                    submitted: assignment.status == .submitted,
                                    total: assignment.total.map { String(format: "%.2f", $0) }, sections: sections, hasErrors: !errors.isEmpty)
        return try await req.page("grants/application", title: "evaluation.title", page, status: status)
    }

    func assignmentPage(req: Request) async throws -> Response {
        try await renderAssignment(req, try assignment(req))
    }

    struct DeclarationForm: Content {
        var answer: String?
        var reason: String?
    }

    func declare(req: Request) async throws -> Response {
        let assignment = try assignment(req)
        let form = try req.form(DeclarationForm.self)
        guard let answer = form.answer, ["impartial", "conflict"].contains(answer) else { throw AppError.badRequest }
        try await service(req).declare(assignment, conflict: answer == "conflict", reason: form.reason ?? "", actor: try req.requireSignedIn().userID)
        return Flash.redirect(req, to: answer == "conflict" ? SiteURL.evaluation.path : SiteURL.assignment(assignment.id!).path,
                              flash: answer == "conflict" ? "evaluation.conflictRecorded" : "evaluation.declarationSigned")
    }

    struct ScoreForm: Decodable {
        var card: Scorecard
        var intent: String

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        init(from decoder: any Decoder) throws {
            let form = try decoder.container(keyedBy: Key.self)
            var card = Scorecard()
            for key in form.allKeys {
                let value = (try? form.decode(String.self, forKey: key)) ?? ""
                if key.stringValue.hasPrefix("score-") {
                    let code = String(key.stringValue.dropFirst(6))
                    // Bounded so that weights times scores cannot overflow; out of 1–5 is
                    // still reported by the scorecard's own check.
                    if let score = Bounded.integer(value, in: -1_000...1_000) { card.scores[code] = score }
                } else if key.stringValue.hasPrefix("comment-") {
                    card.comments[String(key.stringValue.dropFirst(8))] = value
                }
            }
            self.card = card
            intent = (try? form.decode(String.self, forKey: Key(stringValue: "intent"))) ?? ""
        }
    }

    func score(req: Request) async throws -> Response {
        let assignment = try assignment(req)
        let form = try req.form(ScoreForm.self)
        let submit = form.intent == "submit"
        switch try await service(req).score(assignment, card: form.card, submit: submit, actor: try req.requireSignedIn().userID) {
        case .success:
            return Flash.redirect(req, to: submit ? SiteURL.evaluation.path : SiteURL.assignment(assignment.id!).path,
                                  flash: submit ? "evaluation.submitted" : "form.saved")
        case .failure(let errors): return try await renderAssignment(req, assignment, typed: form.card, errors: errors, status: .unprocessableEntity)
        }
    }

    func evaluatorDownload(req: Request) async throws -> Response {
        let assignment = try assignment(req)
        let application = try await ApplicationService(database: req.db, services: req.services).find(assignment.$application.id)
        guard !application.call.blindReview else { throw AppError.notFound }
        return try await DocumentStore(database: req.db).download(try req.id("attachmentID"), of: .application, application.id!)
    }
}
