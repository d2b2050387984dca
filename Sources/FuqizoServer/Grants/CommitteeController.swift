import Fluent
import Foundation
import FuqizoCore
import Vapor

/// A call's evaluation committee and the start of each stage's evaluation: the grants officer's pages.
struct CommitteeController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let call = routes.grouped("grants", "calls", ":callID")
        call.get("committee", use: committee).access(.manageCalls)
        call.post("committee", use: saveCommittee).access(.manageCalls)
        call.post("evaluation", ":stage", "start", use: start).access(.manageCalls)
    }

    private func service(_ req: Request) -> EvaluationService {
        EvaluationService(database: req.db, services: req.services)
    }

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
        /// Why the evaluation cannot start yet: the button is shown disabled with this.
        let blockedKey: String?
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
        let users = try await service.activeUsersWithRoles()
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
            var blocked: String?
            if round == nil, case .failure(let problem) = try await service.startPlan(callID: callID, stage: stage) { blocked = problem.messageKey }
            stages.append(StageLine(stage: stage.rawValue, stageKey: stage.catalogKey, started: round.map { Display.dateTime($0.startedAt) },
                                    applications: try await service.applications(of: callID, at: stage).count, blockedKey: blocked))
        }
        let locked = stages.contains { $0.started != nil }
        return try await req.page("grants/committee", title: "committee.title", CommitteePage(
            callID: callID.uuidString, reference: call.reference, fields: fields, evaluators: evaluators,
            evaluatorsErrorKey: errors["evaluators"], problemKeys: composition.problems.map(Self.problemKey), stages: stages,
            locked: locked, hasErrors: !errors.isEmpty || startError != nil, startErrorKey: startError), status: status)
    }

    func committee(req: Request) async throws -> Response {
        try await renderCommittee(req, callID: try req.id("callID"))
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
        let callID = try req.id("callID")
        let form = try req.form(CommitteeForm.self)
        switch try await service(req).setCommittee(
            callID: callID, chair: UUID(uuidString: form.chair), secretary: UUID(uuidString: form.secretary),
            evaluators: form.evaluators.compactMap(UUID.init(uuidString:)), actor: try req.requireSignedIn().userID) {
        case .success: return Flash.redirect(req, to: .callCommittee(callID), flash: "form.saved")
        case .failure(let errors): return try await renderCommittee(req, callID: callID, typed: form, errors: errors, status: .badRequest)
        }
    }

    func start(req: Request) async throws -> Response {
        let callID = try req.id("callID"), stage = try req.parameter("stage", as: ApplicationStage.self)
        switch try await service(req).start(callID: callID, stage: stage, actor: try req.requireSignedIn().userID) {
        case .success: return Flash.redirect(req, to: .ranking(call: callID, stage: stage), flash: "evaluation.started")
        case .failure(let problem):
            return try await renderCommittee(req, callID: callID, startError: problem.messageKey, status: .conflict)
        }
    }
}
