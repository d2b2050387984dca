import Foundation
import FuqizoCore
import Vapor

/// The grants officer's panel on a submitted application: its checks, its evaluators and
/// where their scores stand, the decision's letters. The rules it shows come from the core
/// (`CheckRule`, `ScoreVisibility`, `EvaluationStanding`, the application's lifecycle).
enum OfficerPanelContext {
    struct CheckItemView: Encodable {
        let code: String
        let labelKey: String
        let answer: String
        let reason: String
        let errorKey: String?
    }

    struct CheckBlock: Encodable {
        let kind: String
        let titleKey: String
        let done: Bool
        let passed: Bool
        let checkedAt: String?
        let canRecord: Bool
        let items: [CheckItemView]
    }

    struct AssignmentView: Encodable {
        let evaluator: String
        let statusKey: String
        let total: String?
    }

    struct OfficerPanel: Encodable {
        let checks: [CheckBlock]
        let assignments: [AssignmentView]
        let evaluationStarted: Bool
        let needsEvaluator: Bool
        let divergence: Bool
        let finalScore: String?
        let evaluatorOptions: [FieldContext]
        let canWithdraw: Bool
        let letters: [LetterLink]
        /// An award's contract: prepare it, or open it.
        let contract: ContractLink?
        let hasErrors: Bool
    }

    struct ContractLink: Encodable {
        let href: String
        let number: String?
        let statusKey: String?
    }

    struct LetterLink: Encodable {
        let href: String
        let outcomeKey: String
        let dueDate: String
        let sentAt: String?
    }

    /// The panel for one application, the stage it shows, and the application's id.
    struct Built {
        let id: UUID
        let stage: ApplicationStage
        let panel: OfficerPanel
    }

    static func build(_ req: Request, _ application: GrantApplication, check failed: (CheckKind, CheckForm, FieldErrors)?,
                      evaluatorErrors: FieldErrors) async throws -> Built {
        let evaluation = EvaluationService(database: req.db, services: req.services)
        let id = application.id!
        let stage = application.status == .draft ? ApplicationStage.concept : application.stage
        let checks = try await evaluation.checks(of: id).filter { $0.stage == stage }
        let done = checks.map { (kind: $0.kind, passed: $0.passed) }
        let blocks = CheckKind.allCases.map { kind -> CheckBlock in
            let check = checks.first { $0.kind == kind }
            let result = check?.checkResult
            let typed = failed?.0 == kind ? failed : nil
            return CheckBlock(
                kind: kind.rawValue, titleKey: kind.catalogKey, done: check != nil, passed: check?.passed ?? false,
                checkedAt: check.map { Display.dateTime($0.checkedAt) },
                canRecord: CheckRule.refusal(recording: kind, status: application.status, done: done) == nil,
                items: kind.items(at: stage).map { code in
                    let failure = result?.failures[code]
                    return CheckItemView(code: code, labelKey: CheckKind.itemKey(code),
                                         answer: typed?.1.answers[code] ?? (check == nil ? "" : (failure == nil ? "yes" : "no")),
                                         reason: typed?.1.reasons[code] ?? failure ?? "", errorKey: typed?.2["item-\(code)"])
                })
        }
        let assignments = try await evaluation.assignments(of: id, at: stage)
        let scores = assignments.map(\.score)
        let showsScores = ScoreVisibility.showsScores(to: req.actor.userID, of: scores)
        let standing = evaluation.standing(assignments, call: application.call)
        // The committee comes with its users: the panel's names need no further query.
        let taken = Set(assignments.map { $0.$evaluator.id })
        let options = try await evaluation.committee(of: application.$call.id)
            .filter { $0.role == .evaluator && !taken.contains($0.$user.id) }
            .map { FieldContext.Option(value: $0.$user.id.uuidString, label: $0.user.displayName, selected: false) }
        let letters = try await DecisionService(database: req.db, services: req.services).letters(ofApplication: id).map {
            LetterLink(href: SiteURL.letter(application: id, letter: $0.id!).path,
                       outcomeKey: RankingController.outcomeKey($0.outcome), dueDate: $0.dueDate, sentAt: $0.sentAt.map(Display.dateTime))
        }
        let officer = OfficerPanel(
            checks: blocks,
            assignments: assignments.map {
                AssignmentView(evaluator: $0.evaluator.displayName, statusKey: $0.status.catalogKey,
                               total: showsScores ? $0.total.map { String(format: "%.2f", $0) } : nil)
            },
            evaluationStarted: try await evaluation.round(application.$call.id, stage) != nil,
            needsEvaluator: standing.needsEvaluator,
            divergence: standing.needsFurtherEvaluator,
            finalScore: showsScores ? standing.finalScore.map { String(format: "%.2f", $0) } : nil,
            evaluatorOptions: [FieldContext("evaluator", label: "evaluation.addEvaluator.who", kind: "select", options: options,
                                            errors: evaluatorErrors, hint: "evaluation.addEvaluator.hint")],
            canWithdraw: application.status.allows(.withdraw), letters: letters,
            contract: try await contractLink(req, application),
            hasErrors: failed != nil || !evaluatorErrors.isEmpty)
        return Built(id: id, stage: stage, panel: officer)
    }

    /// An award leads to its contract, once prepared, or to preparing it.
    private static func contractLink(_ req: Request, _ application: GrantApplication) async throws -> ContractLink? {
        let id = try application.requireID()
        if let contract = try await ContractService(database: req.db, services: req.services).contract(ofApplication: id) {
            return ContractLink(href: SiteURL.contract(try contract.requireID()).path, number: contract.number, statusKey: contract.status.catalogKey)
        }
        guard application.status == .awarded, Policy.decide(req.actor, .manageContract).isAllowed else { return nil }
        return ContractLink(href: SiteURL.awardContract(id).path, number: nil, statusKey: nil)
    }
}
