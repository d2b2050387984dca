import Fluent
import Foundation
import FuqizoCore
import Vapor

/// What an applicant learns of the decision in their portal: each letter once sent, and, for
/// each stage whose letter has gone, the evaluators' scores and comments per criterion.
/// Evaluators are numbered, never named (PRAG: the evaluation is confidential as to who).
struct ApplicantDecision: Encodable {
    struct Letter: Encodable {
        let href: String
        let outcomeKey: String
        let stageKey: String
        let sentAt: String
    }

    struct Evaluation: Encodable {
        let stageKey: String
        let evaluators: [Evaluator]
    }

    struct Evaluator: Encodable {
        let number: Int
        let total: String
        let criteria: [Criterion]
    }

    struct Criterion: Encodable {
        let code: String
        let title: String
        let score: String
        let comment: String
    }

    let letters: [Letter]
    let evaluations: [Evaluation]

    /// A decision letter as sent, in the application's language; one not yet sent does not exist here.
    static func letterPage(_ req: Request, _ application: GrantApplication, letterID: UUID) async throws -> View {
        let decisions = DecisionService(database: req.db, services: req.services)
        let letter = try await decisions.letter(letterID, ofApplication: application.requireID())
        guard letter.sentAt != nil else { throw AppError.notFound }
        let (subject, body) = try await decisions.letterText(letter, application: application, call: application.call)
        return try await req.page("grants/letter", title: "letters.letter", ApplicationDecisionController.LetterPage(
            lang: application.language, subject: subject, paragraphs: body.components(separatedBy: "\n\n"),
            dueDate: Display.date(iso: letter.dueDate, req.language), sentAt: letter.sentAt.map(Display.dateTime),
            back: SiteURL.application(application.requireID()).path))
    }

    static func build(_ req: Request, _ application: GrantApplication) async throws -> ApplicantDecision? {
        let id = try application.requireID()
        let sent = try await DecisionService(database: req.db, services: req.services).letters(ofApplication: id).filter { $0.sentAt != nil }
        guard !sent.isEmpty else { return nil }
        let letters = sent.map { letter in
            Letter(href: SiteURL.applicantLetter(application: id, letter: letter.id!).path, outcomeKey: RankingController.outcomeKey(letter.outcome),
                   stageKey: letter.stage.catalogKey, sentAt: Display.dateTime(letter.sentAt))
        }
        var evaluations: [Evaluation] = []
        for stage in ApplicationStage.allCases where sent.contains(where: { $0.stage == stage }) {
            let grid = try EvaluationService.grid(of: application.call, stage)
            let submitted = try await EvaluationAssignment.query(on: req.db).filter(\.$application.$id == id).filter(\.$stage == stage)
                .filter(\.$status == .submitted).sort(\.$position).all()
            guard !submitted.isEmpty else { continue }
            let evaluators = submitted.enumerated().map { index, assignment in
                let card = assignment.card
                let criteria = grid.sections.filter { !$0.carriedOver }.flatMap(\.criteria).map { criterion in
                    Criterion(code: criterion.code, title: req.language.pick(criterion.titleSq, criterion.titleEn),
                              score: card.scores[criterion.code].map(String.init) ?? "", comment: card.comments[criterion.code] ?? "")
                }
                return Evaluator(number: index + 1, total: assignment.total.map { String(format: "%.2f", $0) } ?? "", criteria: criteria)
            }
            evaluations.append(Evaluation(stageKey: stage.catalogKey, evaluators: evaluators))
        }
        return ApplicantDecision(letters: letters, evaluations: evaluations)
    }
}
