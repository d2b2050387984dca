import Fluent
import Foundation
import FuqizoCore
import Vapor

/// From submitted applications to the award decision: checks, the committee, assignments and
/// declarations, scoring, ranking, approval, decision, letters and withdrawals. Every step is
/// audited in the same transaction as the change it records.
struct EvaluationService {
    let database: any Database
    let services: AppServices

    var now: Date { services.clock.now() }

    func audit(_ action: String, _ target: (String, String), _ details: [String: String], actor: UUID, on db: any Database) async throws {
        try await services.audit.record(.init(action, target: target, details: details), actor: actor, at: now, on: db)
    }

    // MARK: checks

    func checks(of applicationID: UUID) async throws -> [ApplicationCheck] {
        try await ApplicationCheck.query(on: database).filter(\.$application.$id == applicationID).sort(\.$checkedAt).all()
    }

    /// Records the administrative or eligibility check of a submitted application. The
    /// eligibility check comes after a passed administrative check; a failed check rejects
    /// the application, with its reasons kept for the letter.
    func record(_ kind: CheckKind, of application: GrantApplication, form: CheckForm, actor: UUID) async throws -> Result<Void, FieldErrors> {
        let stage = application.stage
        let id = try application.requireID()
        let done = try await checks(of: id).filter { $0.stage == stage }
        if let refusal = CheckRule.refusal(recording: kind, status: application.status, done: done.map { ($0.kind, $0.passed) }) {
            throw AppError(refusal)
        }
        let result: CheckResult
        switch form.validated(items: kind.items(at: stage)) {
        case .failure(let errors): return .failure(errors)
        case .success(let valid): result = valid
        }
        let now = self.now
        try await database.writeTransaction { db in
            let check = ApplicationCheck()
            check.$application.id = id
            check.stage = stage
            check.kind = kind
            check.passed = result.passed
            check.result = try StoredJSON.encode(result)
            check.checkedBy = actor
            check.checkedAt = now
            try await check.create(on: db)
            let status = try application.status.transition(.check(passed: result.passed))
            if status != application.status {
                application.status = status
                try await application.save(on: db)
            }
            try await audit("application.checked", ("application", id.uuidString),
                            ["check": kind.rawValue, "stage": stage.rawValue, "passed": String(result.passed),
                             "failed": result.failures.keys.sorted().joined(separator: ",")], actor: actor, on: db)
        }
        return .success(())
    }

    // MARK: committee

    func committee(of callID: UUID) async throws -> [CommitteeMember] {
        try await CommitteeMember.query(on: database).filter(\.$call.$id == callID).with(\.$user).all()
    }

    /// A call's committee as the policy needs it.
    static func committeeAccess(of callID: UUID, on database: any Database) async throws -> CommitteeAccess {
        let members = try await CommitteeMember.query(on: database).filter(\.$call.$id == callID).all()
        return CommitteeAccess(chair: members.first { $0.role == .chair }?.$user.id,
                               voters: Set(members.filter { $0.role == .evaluator }.map(\.$user.id)))
    }

    /// Everyone who could sit on a committee, with their roles, by name.
    func activeUsersWithRoles() async throws -> [User] {
        try await User.query(on: database).filter(\.$isActive == true).with(\.$roles).sort(\.$displayName).all()
    }

    /// An evaluator's assignments with their applications and calls, oldest first.
    func assignments(ofEvaluator userID: UUID) async throws -> [EvaluationAssignment] {
        try await EvaluationAssignment.query(on: database).filter(\.$evaluator.$id == userID)
            .with(\.$application) { $0.with(\.$call) }.sort(\.$createdAt).all()
    }

    /// The reference of the call an assignment belongs to: all an evaluator learns before signing.
    func callReference(of assignment: EvaluationAssignment) async throws -> String {
        try await GrantCall.query(on: database).join(GrantApplication.self, on: \GrantApplication.$call.$id == \GrantCall.$id)
            .filter(GrantApplication.self, \.$id == assignment.$application.id).first()?.reference ?? ""
    }

    static func composition(_ members: [CommitteeMember]) -> CommitteeComposition {
        func ids(_ role: CommitteeMember.Role) -> [String] { members.filter { $0.role == role }.map { $0.$user.id.uuidString } }
        return CommitteeComposition(chair: ids(.chair).first, secretary: ids(.secretary).first, evaluators: ids(.evaluator).sorted())
    }

    /// Sets the committee. Any composition can be saved while it is being put together; the
    /// evaluation only starts with a valid one. Chair and secretary come from programme staff,
    /// voting members from people holding the evaluator role.
    func setCommittee(callID: UUID, chair: UUID?, secretary: UUID?, evaluators: [UUID], actor: UUID) async throws -> Result<Void, FieldErrors> {
        _ = try await CallService(database: database, services: services).find(callID)
        var errors = FieldErrors()
        let people = try await User.query(on: database).filter(\.$id ~~ ([chair, secretary].compactMap { $0 } + evaluators))
            .filter(\.$isActive == true).with(\.$roles).all()
        func holds(_ id: UUID, _ test: (Role) -> Bool) -> Bool {
            people.first { $0.id == id }?.roles.contains { Role(rawValue: $0.role).map(test) ?? false } ?? false
        }
        if let chair, !holds(chair, \.isProgrammeStaff) { errors.add("chair", "committee.error.staff") }
        if let secretary, !holds(secretary, \.isProgrammeStaff) { errors.add("secretary", "committee.error.staff") }
        if evaluators.contains(where: { !holds($0, { $0 == .evaluator }) }) { errors.add("evaluators", "committee.error.evaluator") }
        // A voting member who also runs the call (grants officer, administrator) could read the
        // applications through the officer's pages before the declaration, even in a blind review.
        if evaluators.contains(where: { holds($0, { $0 == .grantsOfficer || $0 == .administrator }) }) {
            errors.add("evaluators", "committee.error.grantsSide")
        }
        let composition = CommitteeComposition(chair: chair?.uuidString, secretary: secretary?.uuidString, evaluators: evaluators.map(\.uuidString))
        if composition.problems.contains(.nonVotingMemberVotes) || (chair != nil && chair == secretary) {
            errors.add("evaluators", "committee.error.nonVoting")
        }
        guard errors.isEmpty else { return .failure(errors) }
        if try await EvaluationRound.query(on: database).filter(\.$call.$id == callID).count() > 0 {
            // Assignments point at the panel; it is fixed once an evaluation has started.
            throw AppError(status: .conflict, messageKey: "committee.error.started")
        }
        try await database.writeTransaction { db in
            try await CommitteeMember.query(on: db).filter(\.$call.$id == callID).delete()
            for (id, role) in [(chair, CommitteeMember.Role.chair), (secretary, .secretary)] + evaluators.map({ ($0, .evaluator) }) {
                guard let id else { continue }
                let member = CommitteeMember()
                member.$call.id = callID
                member.$user.id = id
                member.role = role
                try await member.create(on: db)
            }
            try await audit("committee.set", ("call", callID.uuidString),
                            ["chair": chair?.uuidString ?? "", "secretary": secretary?.uuidString ?? "",
                             "evaluators": evaluators.map(\.uuidString).sorted().joined(separator: ",")], actor: actor, on: db)
        }
        return .success(())
    }

    // MARK: rounds and assignments

    func round(_ callID: UUID, _ stage: ApplicationStage) async throws -> EvaluationRound? {
        try await EvaluationRound.query(on: database).filter(\.$call.$id == callID).filter(\.$stage == stage).first()
    }

    /// Applications at a stage of a call, with their lots and organisations.
    func applications(of callID: UUID, at stage: ApplicationStage) async throws -> [GrantApplication] {
        let column = stage == .concept ? "concept_submitted_at" : "full_submitted_at"
        return try await GrantApplication.query(on: database).filter(\.$call.$id == callID)
            .filter(.sql(unsafeRaw: column), .notEqual, DatabaseQuery.Value.null)
            .with(\.$lot).with(\.$organisation).sort(\.$reference).all()
    }

    /// Whether an application takes part in the evaluation of a stage: submitted at it and
    /// through both checks.
    static func isEvaluated(_ application: GrantApplication, at stage: ApplicationStage, checks: [ApplicationCheck]) -> Bool {
        let passed = Set(checks.filter { $0.stage == stage && $0.passed }.map(\.kind))
        return passed.isSuperset(of: CheckKind.allCases) && application.submittedAt(stage) != nil
    }

    enum StartProblem: Error, Equatable {
        case panel([CommitteeComposition.Problem])
        case notClosed
        case unchecked(Int)
        case nothingToEvaluate
        case notEnoughEvaluators

        /// Why the evaluation cannot start, as the committee page says it.
        var messageKey: String {
            switch self {
            case .panel: "evaluation.error.panel"
            case .notClosed: "evaluation.error.notClosed"
            case .unchecked: "evaluation.error.unchecked"
            case .nothingToEvaluate: "evaluation.error.nothing"
            case .notEnoughEvaluators: "evaluation.error.noEvaluatorLeft"
            }
        }
    }

    /// What starting the evaluation of a stage would do, once everything allows it.
    struct StartPlan {
        let evaluated: [GrantApplication]
        let conflicts: Set<AssignmentPlan.Assignment>
        let assignments: [AssignmentPlan.Assignment]
    }

    /// Whether the evaluation of a stage may start now, and with which assignments: the
    /// submissions have closed, every submitted application has been checked, the panel is
    /// valid and has enough evaluators free of conflicts. Reads only; the committee page asks
    /// it to show the button disabled with the reason.
    func startPlan(callID: UUID, stage: ApplicationStage) async throws -> Result<StartPlan, StartProblem> {
        let call = try await CallService(database: database, services: services).find(callID)
        let composition = Self.composition(try await committee(of: callID))
        guard composition.problems.isEmpty else { return .failure(.panel(composition.problems)) }
        guard ApplicationService.deadline(of: call, for: stage) <= now else { return .failure(.notClosed) }
        let applications = try await self.applications(of: callID, at: stage)
        let checks = try await ApplicationCheck.query(on: database).filter(\.$application.$id ~~ applications.compactMap(\.id))
            .filter(\.$stage == stage).all()
        let byApplication = Dictionary(grouping: checks, by: { $0.$application.id })
        let unchecked = applications.filter { application in
            guard application.status != .rejected else { return false }
            return Set((byApplication[application.id!] ?? []).map(\.kind)).count < CheckKind.allCases.count
        }
        guard unchecked.isEmpty else { return .failure(.unchecked(unchecked.count)) }
        let evaluated = applications.filter { Self.isEvaluated($0, at: stage, checks: byApplication[$0.id!] ?? []) }
        guard !evaluated.isEmpty else { return .failure(.nothingToEvaluate) }
        let conflicts = try await membershipConflicts(applications: evaluated, evaluators: composition.evaluators)
        guard case .success(let plan) = AssignmentPlan.complete(applications: evaluated.map { $0.id!.uuidString },
                                                                 evaluators: composition.evaluators,
                                                                 perApplication: call.evaluatorsPerApplication,
                                                                 excluded: conflicts) else {
            return .failure(.notEnoughEvaluators)
        }
        return .success(StartPlan(evaluated: evaluated, conflicts: conflicts, assignments: plan))
    }

    /// Starts the evaluation of a stage: the submissions have closed, every submitted
    /// application has been checked, and the panel is valid (a chair, a secretary, an odd
    /// number of at least three voting evaluators). Each application that passed its checks
    /// goes to the call's number of evaluators (two by default).
    func start(callID: UUID, stage: ApplicationStage, actor: UUID) async throws -> Result<Int, StartProblem> {
        guard try await round(callID, stage) == nil else { throw AppError(status: .conflict, messageKey: "evaluation.error.started") }
        let ready: StartPlan
        switch try await startPlan(callID: callID, stage: stage) {
        case .failure(let problem): return .failure(problem)
        case .success(let plan): ready = plan
        }
        let (evaluated, conflicts, plan) = (ready.evaluated, ready.conflicts, ready.assignments)
        let now = self.now
        try await database.writeTransaction { db in
            let round = EvaluationRound()
            round.$call.id = callID
            round.stage = stage
            round.startedAt = now
            round.startedBy = actor
            try await round.create(on: db)
            var positions: [String: Int] = [:]
            // A member of the applicant organisation has a conflict on record from the start,
            // without being asked: the assignment exists only as that record.
            for conflict in conflicts.sorted(by: { ($0.application, $0.evaluator) < ($1.application, $1.evaluator) }) {
                positions[conflict.application, default: 0] += 1
                try await Self.createAssignment(application: UUID(uuidString: conflict.application)!, stage: stage,
                                                evaluator: UUID(uuidString: conflict.evaluator)!,
                                                position: positions[conflict.application]!, now: now, on: db,
                                                conflict: Self.membershipConflictReason)
                try await audit("evaluation.conflictRecorded", ("application", conflict.application),
                                ["stage": stage.rawValue, "evaluator": conflict.evaluator, "reason": "membership"], actor: actor, on: db)
            }
            for assignment in plan {
                positions[assignment.application, default: 0] += 1
                try await Self.createAssignment(application: UUID(uuidString: assignment.application)!, stage: stage,
                                                evaluator: UUID(uuidString: assignment.evaluator)!,
                                                position: positions[assignment.application]!, now: now, on: db)
            }
            try await audit("evaluation.started", ("call", callID.uuidString),
                            ["stage": stage.rawValue, "applications": String(evaluated.count), "assignments": String(plan.count)],
                            actor: actor, on: db)
        }
        return .success(evaluated.count)
    }

    private static func createAssignment(application: UUID, stage: ApplicationStage, evaluator: UUID, position: Int,
                                         now: Date, on db: any Database, conflict: String? = nil) async throws {
        let row = EvaluationAssignment()
        row.$application.id = application
        row.stage = stage
        row.$evaluator.id = evaluator
        row.position = position
        row.status = conflict == nil ? .assigned : .conflict
        row.createdAt = now
        if let conflict {
            row.declaredAt = now
            row.conflictReason = conflict
        }
        try await row.create(on: db)
    }

    /// Stored as the reason of a conflict recorded without the evaluator's words.
    static let membershipConflictReason = "membership of the applicant organisation"

    /// Pairs of application and panel member where the member belongs to the applicant
    /// organisation (holds any role in it): conflicts by definition.
    func membershipConflicts(applications: [GrantApplication], evaluators: [String]) async throws -> Set<AssignmentPlan.Assignment> {
        let panel = evaluators.compactMap(UUID.init(uuidString:))
        let memberships = try await RoleAssignment.query(on: database).filter(\.$user.$id ~~ panel).filter(\.$organisation.$id != nil).all()
        var pairs = Set<AssignmentPlan.Assignment>()
        for application in applications {
            for membership in memberships where membership.$organisation.id == application.$organisation.id {
                pairs.insert(.init(application: application.id!.uuidString, evaluator: membership.$user.id.uuidString))
            }
        }
        return pairs
    }

    func assignments(of applicationID: UUID, at stage: ApplicationStage) async throws -> [EvaluationAssignment] {
        try await EvaluationAssignment.query(on: database).filter(\.$application.$id == applicationID)
            .filter(\.$stage == stage).with(\.$evaluator).sort(\.$position).all()
    }

    /// Adds an evaluator to an application: after a declared conflict, or when two scores
    /// diverge. Without a named evaluator, the least-loaded member of the panel without a
    /// conflict is chosen.
    func addEvaluator(to application: GrantApplication, stage: ApplicationStage, evaluator chosen: UUID?, actor: UUID) async throws -> Result<Void, FieldErrors> {
        let id = try application.requireID()
        guard try await round(application.$call.id, stage) != nil else { throw AppError(status: .conflict, messageKey: "evaluation.error.notStarted") }
        let panel = Self.composition(try await committee(of: application.$call.id)).evaluators
        let existing = try await assignments(of: id, at: stage)
        let taken = Set(existing.map { $0.$evaluator.id.uuidString })
        var errors = FieldErrors()
        let pick: String
        if let chosen {
            guard panel.contains(chosen.uuidString), !taken.contains(chosen.uuidString) else {
                errors.add("evaluator", "evaluation.error.evaluatorUnavailable")
                return .failure(errors)
            }
            pick = chosen.uuidString
        } else {
            // The panel's load within this call decides who is least busy.
            let all = try await EvaluationAssignment.query(on: database)
                .join(GrantApplication.self, on: \EvaluationAssignment.$application.$id == \GrantApplication.$id)
                .filter(GrantApplication.self, \.$call.$id == application.$call.id).filter(\.$stage == stage)
                .filter(\.$status != .conflict).all()
            let load = all.map { AssignmentPlan.Assignment(application: $0.$application.id.uuidString, evaluator: $0.$evaluator.id.uuidString) }
            let active = existing.filter { $0.status != .conflict }.count
            let excluded = Set(existing.filter { $0.status == .conflict }
                .map { AssignmentPlan.Assignment(application: id.uuidString, evaluator: $0.$evaluator.id.uuidString) })
            let others = load.filter { $0.application != id.uuidString }
                + existing.filter { $0.status != .conflict }.map { AssignmentPlan.Assignment(application: id.uuidString, evaluator: $0.$evaluator.id.uuidString) }
            guard case .success(let plan) = AssignmentPlan.complete(applications: [id.uuidString], evaluators: panel, perApplication: active + 1,
                                                                     existing: others, excluded: excluded),
                  let first = plan.first else {
                errors.add("evaluator", "evaluation.error.noEvaluatorLeft")
                return .failure(errors)
            }
            pick = first.evaluator
        }
        let position = (existing.map(\.position).max() ?? 0) + 1
        let now = self.now
        try await database.writeTransaction { db in
            try await Self.createAssignment(application: id, stage: stage, evaluator: UUID(uuidString: pick)!, position: position, now: now, on: db)
            try await audit("evaluation.assigned", ("application", id.uuidString), ["stage": stage.rawValue, "evaluator": pick],
                            actor: actor, on: db)
        }
        return .success(())
    }

    /// The evaluator's answer to the declaration of impartiality and confidentiality. A
    /// conflict ends the assignment; the officer is asked to assign someone else.
    func declare(_ assignment: EvaluationAssignment, conflict: Bool, reason: String, actor: UUID) async throws {
        let status = try assignment.status.transition(.declare(conflict: conflict))
        let now = self.now
        try await database.writeTransaction { db in
            assignment.status = status
            assignment.declaredAt = now
            // A conflict's reason is the evaluator's own words; it stays with the assignment, out of the audit details.
            assignment.conflictReason = conflict ? String((Text.clean(reason) ?? "").prefix(1000)) : nil
            try await assignment.save(on: db)
            try await audit(conflict ? "evaluation.conflictDeclared" : "evaluation.declarationSigned",
                            ("application", assignment.$application.id.uuidString), ["stage": assignment.stage.rawValue], actor: actor, on: db)
        }
    }

    /// The grid an application is scored on at a stage.
    static func grid(of call: GrantCall, _ stage: ApplicationStage) throws -> EvaluationGrid {
        let grid = try StoredJSON.decode(EvaluationGrid.self, from: stage == .concept ? call.conceptGrid : call.fullGrid)
        return call.stages == .two ? grid : grid.scoringEverySection()
    }

    /// The relevance points a full application carries over from its concept note: the
    /// average of the concept evaluators' relevance totals.
    func carriedPoints(for applicationID: UUID, call: GrantCall) async throws -> [String: Double] {
        guard call.stages == .two else { return [:] }
        let full = try Self.grid(of: call, .full)
        let relevance = try await assignments(of: applicationID, at: .concept).filter { $0.status == .submitted }.compactMap(\.relevance)
        guard !relevance.isEmpty else { return [:] }
        var carried: [String: Double] = [:]
        for section in full.sections where section.carriedOver && section.code == Self.relevanceSection {
            carried[section.code] = Consensus.rounded(relevance.reduce(0, +) / Double(relevance.count))
        }
        return carried
    }

    /// Saves an evaluator's scores as they go, or submits them: a card is submitted only
    /// complete, every criterion scored 1–5 with a comment.
    func score(_ assignment: EvaluationAssignment, card: Scorecard, submit: Bool, actor: UUID) async throws -> Result<Void, FieldErrors> {
        let status = try assignment.status.transition(.score(submit: submit))
        let application = try await ApplicationService(database: database, services: services).find(assignment.$application.id)
        let stage = assignment.stage
        let grid = try Self.grid(of: application.call, stage)
        var errors = FieldErrors()
        // Scores out of range are refused even in a draft; completeness only at submission.
        for (code, value) in card.scores where !(EvaluationGrid.minimumScore...EvaluationGrid.maximumScore).contains(value) {
            errors.add("score-\(code)", "evaluation.error.scoreRange")
        }
        if submit { errors.merge(card.problems(against: grid)) }
        guard errors.isEmpty else { return .failure(errors) }
        let carried = stage == .full ? try await carriedPoints(for: application.requireID(), call: application.call) : [:]
        let now = self.now
        try await database.writeTransaction { db in
            assignment.scorecard = try StoredJSON.encode(card)
            assignment.status = status
            if submit {
                assignment.total = Consensus.rounded(card.total(on: grid, carried: carried))
                assignment.relevance = card.sectionTotals(on: grid)[Self.relevanceSection].map(Double.init) ?? carried[Self.relevanceSection]
                assignment.submittedAt = now
            }
            try await assignment.save(on: db)
            if submit {
                try await audit("evaluation.scored", ("application", assignment.$application.id.uuidString),
                                ["stage": stage.rawValue, "total": String(assignment.total ?? 0)], actor: actor, on: db)
            }
        }
        return .success(())
    }

    /// The grid section that breaks ties and is carried over to the full application.
    static let relevanceSection = "relevance"

    func standing(_ assignments: [EvaluationAssignment], call: GrantCall) -> EvaluationStanding {
        Self.standing(assignments.map(\.score), call: call)
    }

    static func standing(_ scores: [AssignmentScore], call: GrantCall) -> EvaluationStanding {
        EvaluationStanding(scores, required: call.evaluatorsPerApplication, divergenceShare: Double(call.divergenceBasisPoints) / 10_000)
    }
}
