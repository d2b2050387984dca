import Fluent
import Foundation
import FuqizoCore
import SQLKit
import Vapor

/// The grants side after submission: checks, committee, assignments, ranking, decision,
/// letters; the evaluators' pages; the chair's approval; aggregate figures for donors.
struct EvaluationController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let grants = routes.grouped("grants")
        grants.post("applications", ":applicationID", "checks", ":kind", use: recordCheck).access(.manageCalls, .application)
        grants.post("applications", ":applicationID", "evaluators", use: addEvaluator).access(.manageCalls, .application)
        grants.post("applications", ":applicationID", "withdraw", use: withdraw).access(.manageCalls, .application)
        grants.get("applications", ":applicationID", "letters", ":letterID", use: letter).access(.manageCalls, .application)
        grants.get("calls", ":callID", "committee", use: committee).access(.manageCalls)
        grants.post("calls", ":callID", "committee", use: saveCommittee).access(.manageCalls)
        grants.post("calls", ":callID", "evaluation", ":stage", "start", use: start).access(.manageCalls)
        grants.get("calls", ":callID", "ranking", ":stage", use: ranking).access(.viewRanking, .committee)
        grants.post("calls", ":callID", "ranking", ":stage", "approve", use: approve).access(.approveRanking, .committee)
        grants.post("calls", ":callID", "ranking", ":stage", "decision", use: decide).access(.manageCalls)
        grants.get("calls", ":callID", "letters", use: letters).access(.manageCalls)
        grants.post("calls", ":callID", "letters", "send", use: sendLetters).access(.manageCalls)
        grants.get("figures", use: figures).access(.viewGrantFigures)
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

    private func decisions(_ req: Request) -> DecisionService {
        DecisionService(database: req.db, services: req.services)
    }

    private func uuid(_ req: Request, _ name: String) throws -> UUID {
        guard let id = req.parameters.get(name, as: UUID.self) else { throw AppError.notFound }
        return id
    }

    private func stage(_ req: Request) throws -> ApplicationStage {
        guard let stage = req.parameters.get("stage").flatMap(ApplicationStage.init(rawValue:)) else { throw AppError.notFound }
        return stage
    }

    /// The submitted application named in the path, as the policy allowed it.
    private func application(_ req: Request) throws -> GrantApplication {
        try req.record(GrantApplication.self)
    }

    private func back(_ application: GrantApplication) -> String { "/grants/applications/\(application.id!.uuidString)" }

    // MARK: checks and evaluators (officer)

    func recordCheck(req: Request) async throws -> Response {
        let application = try application(req)
        guard let kind = req.parameters.get("kind").flatMap(CheckKind.init(rawValue:)) else { throw AppError.notFound }
        let form = try req.form(CheckForm.self)
        switch try await service(req).record(kind, of: application, form: form, actor: try req.requireSignedIn().userID) {
        case .success: return Flash.redirect(req, to: back(application), flash: "check.saved")
        case .failure(let errors):
            return try await ApplicationsController.renderOfficer(req, application, check: (kind, form, errors), status: .badRequest)
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
            return try await ApplicationsController.renderOfficer(req, application, evaluatorErrors: errors, status: .conflict)
        }
    }

    func withdraw(req: Request) async throws -> Response {
        let application = try application(req)
        _ = try await decisions(req).withdraw(application, actor: try req.requireSignedIn().userID)
        return Flash.redirect(req, to: "/grants/calls/\(application.$call.id.uuidString)/ranking/full", flash: "decision.withdrawn")
    }

    // MARK: committee

    struct MemberOption: Encodable {
        let value: String
        let label: String
        let selected: Bool
    }

    struct StageLine: Encodable {
        let stage: String
        let stageKey: String
        let started: String?
        let applications: Int
    }

    struct CommitteePage: Encodable {
        let callID: String
        let reference: String
        let fields: [FieldContext]
        let evaluators: [MemberOption]
        let evaluatorsErrorKey: String?
        let problemKeys: [String]
        let stages: [StageLine]
        let locked: Bool
        let hasErrors: Bool
        let startErrorKey: String?
    }

    static func problemKey(_ problem: CommitteeComposition.Problem) -> String {
        switch problem {
        case .noChair: "committee.problem.noChair"
        case .noSecretary: "committee.problem.noSecretary"
        case .tooFewEvaluators: "committee.problem.tooFew"
        case .evenNumberOfEvaluators: "committee.problem.even"
        case .nonVotingMemberVotes: "committee.error.nonVoting"
        case .duplicateEvaluator: "committee.problem.duplicate"
        }
    }

    private func renderCommittee(_ req: Request, callID: UUID, typed: CommitteeForm? = nil, errors: FieldErrors = .init(),
                                 startError: String? = nil, status: HTTPResponseStatus = .ok) async throws -> Response {
        let call = try await CallService(database: req.db, services: req.services).find(callID)
        let service = service(req)
        let members = try await service.committee(of: callID)
        let composition = EvaluationService.composition(members)
        let users = try await User.query(on: req.db).filter(\.$isActive == true).with(\.$roles).sort(\.$displayName).all()
        func holding(_ test: (Role) -> Bool) -> [User] {
            users.filter { $0.roles.contains { Role(rawValue: $0.role).map(test) ?? false } }
        }
        let chosenChair = typed?.chair ?? composition.chair ?? ""
        let chosenSecretary = typed?.secretary ?? composition.secretary ?? ""
        let chosenEvaluators = Set(typed?.evaluators ?? composition.evaluators)
        let staff = holding(\.isProgrammeStaff)
        let fields = [
            FieldContext("chair", label: "committee.chair", kind: "select", value: chosenChair,
                         options: staff.map { .init(value: $0.id!.uuidString, label: $0.displayName, selected: $0.id!.uuidString == chosenChair) },
                         errors: errors, required: true, hint: "committee.chair.hint"),
            FieldContext("secretary", label: "committee.secretary", kind: "select", value: chosenSecretary,
                         options: staff.map { .init(value: $0.id!.uuidString, label: $0.displayName, selected: $0.id!.uuidString == chosenSecretary) },
                         errors: errors, required: true),
        ]
        let evaluators = holding { $0 == .evaluator }.map {
            MemberOption(value: $0.id!.uuidString, label: $0.displayName, selected: chosenEvaluators.contains($0.id!.uuidString))
        }
        var stages: [StageLine] = []
        for stage in ApplicationStage.allCases where stage == .full || call.stages == .two {
            let round = try await service.round(callID, stage)
            stages.append(StageLine(stage: stage.rawValue, stageKey: stage.catalogKey, started: round.map { Display.dateTime($0.startedAt) },
                                    applications: try await service.applications(of: callID, at: stage).count))
        }
        let locked = stages.contains { $0.started != nil }
        return try await req.page("grants/committee", title: "committee.title", CommitteePage(
            callID: callID.uuidString, reference: call.reference, fields: fields, evaluators: evaluators,
            evaluatorsErrorKey: errors["evaluators"], problemKeys: composition.problems.map(Self.problemKey), stages: stages,
            locked: locked, hasErrors: !errors.isEmpty || startError != nil, startErrorKey: startError), status: status)
    }

    func committee(req: Request) async throws -> Response {
        try await renderCommittee(req, callID: try uuid(req, "callID"))
    }

    struct CommitteeForm: Decodable {
        var chair: String
        var secretary: String
        var evaluators: [String]

        enum CodingKeys: String, CodingKey { case chair, secretary, evaluators }

        init(from decoder: any Decoder) throws {
            let form = try decoder.container(keyedBy: CodingKeys.self)
            chair = try form.text(.chair)
            secretary = try form.text(.secretary)
            evaluators = try form.list(.evaluators)
        }
    }

    func saveCommittee(req: Request) async throws -> Response {
        let callID = try uuid(req, "callID")
        let form = try req.form(CommitteeForm.self)
        switch try await service(req).setCommittee(
            callID: callID, chair: UUID(uuidString: form.chair), secretary: UUID(uuidString: form.secretary),
            evaluators: form.evaluators.compactMap(UUID.init(uuidString:)), actor: try req.requireSignedIn().userID) {
        case .success: return Flash.redirect(req, to: "/grants/calls/\(callID.uuidString)/committee", flash: "form.saved")
        case .failure(let errors): return try await renderCommittee(req, callID: callID, typed: form, errors: errors, status: .badRequest)
        }
    }

    func start(req: Request) async throws -> Response {
        let callID = try uuid(req, "callID"), stage = try stage(req)
        switch try await service(req).start(callID: callID, stage: stage, actor: try req.requireSignedIn().userID) {
        case .success: return Flash.redirect(req, to: "/grants/calls/\(callID.uuidString)/ranking/\(stage.rawValue)", flash: "evaluation.started")
        case .failure(let problem):
            let key = switch problem {
            case .panel: "evaluation.error.panel"
            case .notClosed: "evaluation.error.notClosed"
            case .unchecked: "evaluation.error.unchecked"
            case .nothingToEvaluate: "evaluation.error.nothing"
            case .notEnoughEvaluators: "evaluation.error.noEvaluatorLeft"
            }
            return try await renderCommittee(req, callID: callID, startError: key, status: .conflict)
        }
    }

    // MARK: ranking

    struct RankRow: Encodable {
        let id: String
        let rank: Int?
        let reference: String
        let organisation: String
        let score: String
        let relevance: String
        let requested: String
        /// Translated here: a ranking can have hundreds of rows.
        let outcome: String
        let reason: String
        let reservePosition: Int?
        let canWithdraw: Bool
    }

    struct LotBlock: Encodable {
        let name: String
        let envelope: String
        let awarded: String
        let remaining: String
        let rows: [RankRow]
        let pending: [String]
        let rejected: [String]
    }

    struct LotLink: Encodable {
        let name: String
        let href: String
        let count: Int
        let current: Bool
    }

    struct RankingPage: Encodable {
        let lotLinks: [LotLink]
        let callID: String
        let reference: String
        let stage: String
        let stageKey: String
        let isConcept: Bool
        let threshold: String
        let lots: [LotBlock]
        let started: Bool
        let complete: Bool
        let approvedAt: String?
        let decisionDate: String?
        let canApprove: Bool
        let canDecide: Bool
        let decisionFields: [FieldContext]
        let hasErrors: Bool
    }

    static func reasonText(_ reason: Ranking.Reason, currency: String, isConcept: Bool, _ req: Request) -> String {
        func money(_ minor: Int64) -> String { Money(minorUnits: minor, currency: currency).description }
        let catalog = req.services.catalog
        switch reason {
        case .fitsEnvelope(let left):
            return isConcept ? req.t("ranking.reason.preselected") : catalog.format("ranking.reason.fits", req.language, ["left": money(left)])
        case .doesNotFit(let left): return catalog.format("ranking.reason.doesNotFit", req.language, ["left": money(left)])
        case .envelopeUsed: return req.t("ranking.reason.envelopeUsed")
        case .belowThreshold(let threshold):
            return catalog.format("ranking.reason.belowThreshold", req.language, ["threshold": String(format: "%.0f", threshold)])
        case .withdrawn: return req.t("ranking.reason.withdrawn")
        }
    }

    private func renderRanking(_ req: Request, callID: UUID, stage: ApplicationStage, decisionDate: String = "", errors: FieldErrors = .init(),
                               status: HTTPResponseStatus = .ok) async throws -> Response {
        let ranking = try await decisions(req).ranking(callID: callID, stage: stage)
        let call = ranking.call
        let isConcept = stage == .concept
        func money(_ minor: Int64) -> String { Money(minorUnits: minor, currency: call.currency).description }
        let isOfficer = Policy.decide(req.actor, .manageCalls).isAllowed
        // One lot a page: a lot's ranking is read on its own, and a call can have hundreds of applications.
        let chosen = (try? req.query.get(String.self, at: "lot")).flatMap(UUID.init(uuidString:))
        let shown = ranking.lots.first { $0.lot.id == chosen } ?? ranking.lots.first
        let lotLinks = ranking.lots.map { lot in
            LotLink(name: req.language == .sq ? lot.lot.nameSq : lot.lot.nameEn,
                    href: "/grants/calls/\(callID.uuidString)/ranking/\(stage.rawValue)?lot=\(lot.lot.id!.uuidString)",
                    count: lot.result.entries.count + lot.pending.count + lot.rejected.count, current: lot.lot.id == shown?.lot.id)
        }
        let lots = [shown].compactMap { $0 }.map { lot in
            LotBlock(
                name: req.language == .sq ? lot.lot.nameSq : lot.lot.nameEn, envelope: money(lot.lot.envelopeMinorUnits),
                awarded: isConcept ? "" : money(lot.result.awardedMinorUnits), remaining: isConcept ? "" : money(lot.result.remainingMinorUnits),
                rows: lot.result.entries.map { entry in
                    let application = lot.applications[UUID(uuidString: entry.candidate.id)!]
                    let outcomeKey = isConcept
                        ? (entry.outcome == .awarded ? "ranking.outcome.preselected" : "ranking.outcome.notPreselected")
                        : "ranking.outcome.\(entry.outcome.rawValue)"
                    return RankRow(id: entry.candidate.id, rank: entry.rank, reference: entry.candidate.reference,
                                   organisation: application?.organisation ?? "",
                                   score: String(format: "%.2f", entry.candidate.score), relevance: String(format: "%.2f", entry.candidate.relevance),
                                   requested: money(entry.candidate.requestedMinorUnits), outcome: req.t(outcomeKey),
                                   reason: Self.reasonText(entry.reason, currency: call.currency, isConcept: isConcept, req),
                                   reservePosition: entry.reservePosition,
                                   canWithdraw: isOfficer && application?.status.allows(.withdraw) == true)
                },
                pending: lot.pending.map(\.reference), rejected: lot.rejected.map(\.reference))
        }
        let round = ranking.round
        let canApprove = round.rankingState.allows(.approve(complete: ranking.isComplete))
            && Policy.decide(req.actor, .approveRanking, .committee(ranking.committee)).isAllowed
        let canDecide = round.rankingState.allows(.decide) && isOfficer
        return try await req.page("grants/ranking", title: "ranking.title", RankingPage(
            lotLinks: lotLinks, callID: callID.uuidString, reference: call.reference, stage: stage.rawValue, stageKey: stage.catalogKey, isConcept: isConcept,
            threshold: String(format: "%.0f", ranking.threshold), lots: lots, started: round != nil, complete: ranking.isComplete,
            approvedAt: round?.approvedAt.map(Display.dateTime), decisionDate: round?.decisionDate.flatMap(LocalDate.init).map(\.description),
            canApprove: canApprove, canDecide: canDecide,
            decisionFields: [FieldContext("decisionDate", label: "decision.date", kind: "date", value: decisionDate, errors: errors, required: true)],
            hasErrors: !errors.isEmpty), status: status)
    }

    func ranking(req: Request) async throws -> Response {
        try await renderRanking(req, callID: try uuid(req, "callID"), stage: try stage(req))
    }

    func approve(req: Request) async throws -> Response {
        let callID = try uuid(req, "callID"), stage = try stage(req)
        try await decisions(req).approve(callID: callID, stage: stage, actor: try req.requireSignedIn().userID)
        return Flash.redirect(req, to: "/grants/calls/\(callID.uuidString)/ranking/\(stage.rawValue)", flash: "ranking.approved")
    }

    struct DecisionForm: Content {
        var decisionDate: String?
    }

    func decide(req: Request) async throws -> Response {
        let callID = try uuid(req, "callID"), stage = try stage(req)
        let form = try req.form(DecisionForm.self)
        switch try await decisions(req).decide(callID: callID, stage: stage, date: form.decisionDate ?? "", actor: try req.requireSignedIn().userID) {
        case .success: return Flash.redirect(req, to: "/grants/calls/\(callID.uuidString)/letters", flash: "decision.recorded")
        case .failure(let errors):
            return try await renderRanking(req, callID: callID, stage: stage, decisionDate: form.decisionDate ?? "", errors: errors, status: .badRequest)
        }
    }

    // MARK: letters

    struct LetterRow: Encodable {
        let href: String
        let reference: String
        let organisation: String
        let stageKey: String
        let outcomeKey: String
        let dueDate: String
        let sentAt: String?
        let overdue: Bool
    }

    struct LettersPage: Encodable {
        let callID: String
        let reference: String
        let letterDays: Int
        let rows: [LetterRow]
        let unsent: Int
    }

    static func outcomeKey(_ outcome: ApplicationStatus) -> String {
        outcome == .submitted ? "ranking.outcome.preselected" : outcome.catalogKey
    }

    func letters(req: Request) async throws -> View {
        let callID = try uuid(req, "callID")
        let call = try await CallService(database: req.db, services: req.services).find(callID)
        let today = LocalDate(TiranaTime.parts(of: req.now).date)!
        let rows = try await decisions(req).letters(callID: callID).map { letter in
            LetterRow(href: "/grants/applications/\(letter.$application.id.uuidString)/letters/\(letter.id!.uuidString)",
                      reference: letter.application.reference ?? "", organisation: letter.application.organisation.nameSq,
                      stageKey: letter.stage.catalogKey, outcomeKey: Self.outcomeKey(letter.outcome),
                      dueDate: letter.dueDate, sentAt: letter.sentAt.map(Display.dateTime),
                      overdue: letter.sentAt == nil && (LocalDate(letter.dueDate).map { $0 < today } ?? false))
        }
        return try await req.page("grants/letters", title: "letters.title", LettersPage(
            callID: callID.uuidString, reference: call.reference, letterDays: call.letterDays, rows: rows, unsent: rows.filter { $0.sentAt == nil }.count))
    }

    func sendLetters(req: Request) async throws -> Response {
        let callID = try uuid(req, "callID")
        _ = try await decisions(req).sendLetters(callID: callID, actor: try req.requireSignedIn().userID)
        return Flash.redirect(req, to: "/grants/calls/\(callID.uuidString)/letters", flash: "letters.sent")
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
        guard let letter = try await DecisionLetter.query(on: req.db).filter(\.$id == (try uuid(req, "letterID")))
            .filter(\.$application.$id == application.id!).first() else { throw AppError.notFound }
        let (subject, body) = try await decisions(req).letterText(letter, application: application, call: application.call)
        return try await req.page("grants/letter", title: "letters.letter", LetterPage(
            lang: application.language, subject: subject, paragraphs: body.components(separatedBy: "\n\n"), dueDate: letter.dueDate,
            sentAt: letter.sentAt.map(Display.dateTime), back: "/grants/calls/\(application.$call.id.uuidString)/letters"))
    }

    // MARK: evaluators

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
        let rows = try await EvaluationAssignment.query(on: req.db).filter(\.$evaluator.$id == userID)
            .with(\.$application) { $0.with(\.$call) }.sort(\.$createdAt).all()
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
            let reference = try await GrantCall.query(on: req.db).join(GrantApplication.self, on: \GrantApplication.$call.$id == \GrantCall.$id)
                .filter(GrantApplication.self, \.$id == assignment.$application.id).first()?.reference ?? ""
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
            SectionBlock(title: req.language == .sq ? section.titleSq : section.titleEn, maximum: section.maximum,
                         carriedOver: section.carriedOver,
                         criteria: section.criteria.map { criterion in
                             let score = card.scores[criterion.code].map(String.init) ?? ""
                             return CriterionRow(
                                code: criterion.code, title: req.language == .sq ? criterion.titleSq : criterion.titleEn,
                                weight: criterion.weight, score: score, comment: card.comments[criterion.code] ?? "",
                                scoreErrorKey: errors["score-\(criterion.code)"], commentErrorKey: errors["comment-\(criterion.code)"],
                                options: (EvaluationGrid.minimumScore...EvaluationGrid.maximumScore).map {
                                    .init(value: String($0), label: "\($0) – \(req.t("score.label.\($0)"))", selected: String($0) == score)
                                })
                         })
        }
        var page = try ApplicationsController.pageContent(req, application, editable: false, back: "/evaluation", attachments: attachments,
                                                      attachmentBase: "/evaluation/\(assignment.id!.uuidString)/attachments", shownStage: stage)
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
        return Flash.redirect(req, to: answer == "conflict" ? "/evaluation" : "/evaluation/\(assignment.id!.uuidString)",
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
            return Flash.redirect(req, to: submit ? "/evaluation" : "/evaluation/\(assignment.id!.uuidString)",
                                  flash: submit ? "evaluation.submitted" : "form.saved")
        case .failure(let errors): return try await renderAssignment(req, assignment, typed: form.card, errors: errors, status: .unprocessableEntity)
        }
    }

    func evaluatorDownload(req: Request) async throws -> Response {
        let assignment = try assignment(req)
        let application = try await ApplicationService(database: req.db, services: req.services).find(assignment.$application.id)
        guard !application.call.blindReview else { throw AppError.notFound }
        return try await DocumentStore(database: req.db).download(try uuid(req, "attachmentID"), of: .application, application.id!)
    }

    // MARK: figures

    struct FigureRow: Encodable {
        let reference: String
        let title: String
        let submitted: Int
        let rejected: Int
        let awarded: Int
        let reserve: Int
        let awardedAmount: String
        let envelope: String
    }

    private struct FigureCount: Decodable {
        let callID: UUID
        let status: ApplicationStatus
        let applications: Int
        let requested: Int64

        enum CodingKeys: String, CodingKey {
            case status, applications, requested
            case callID = "call_id"
        }
    }

    /// Counts and sums per call: what donors may see, never an application or an applicant.
    /// One grouped query for every call.
    func figures(req: Request) async throws -> View {
        guard let sql = req.db as? any SQLDatabase else { throw AppError.server }
        let calls = try await CallService(database: req.db, services: req.services).published()
        let counts = try await sql.raw("""
            SELECT call_id, status, COUNT(*) AS applications, CAST(SUM(requested_minor_units) AS BIGINT) AS requested
            FROM grant_applications WHERE reference IS NOT NULL GROUP BY call_id, status
            """).all(decoding: FigureCount.self)
        let byCall = Dictionary(grouping: counts, by: \.callID)
        let rows = calls.map { call in
            let lines = byCall[call.id!] ?? []
            func count(_ status: ApplicationStatus) -> Int { lines.first { $0.status == status }?.applications ?? 0 }
            let awarded = lines.first { $0.status == .awarded }?.requested ?? 0
            return FigureRow(reference: call.reference, title: req.language == .sq ? call.titleSq : call.titleEn,
                             submitted: lines.reduce(0) { $0 + $1.applications }, rejected: count(.rejected), awarded: count(.awarded),
                             reserve: count(.reserve), awardedAmount: Money(minorUnits: awarded, currency: call.currency).description,
                             envelope: Money(minorUnits: call.lots.reduce(0) { $0 + $1.envelopeMinorUnits }, currency: call.currency).description)
        }
        return try await req.page("grants/figures", title: "figures.title", ["rows": rows])
    }
}
