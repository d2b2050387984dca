import Fluent
import Foundation
import FuqizoCore
import SQLKit
import Vapor

/// The road to employment on one record: needs, the empowerment plan, employment outcomes and
/// their follow-ups. Each change is audited by the record's code in its transaction.
struct CaseWorkService {
    let database: any Database
    let services: AppServices

    var now: Date { services.clock.now() }
    var today: LocalDate { TiranaTime.today(at: now) }
    private var records: SurvivorService { SurvivorService(database: database, services: services) }

    // MARK: needs

    func saveNeeds(_ form: NeedsForm, on loaded: SurvivorService.Loaded, actor: UUID) async throws -> Result<Void, FieldErrors> {
        let needs: NeedsForm.Needs
        switch form.validated() {
        case .failure(let errors): return .failure(errors)
        case .success(let valid): needs = valid
        }
        let survivor = loaded.survivor
        let id = try survivor.requireID()
        // Read before the transaction, which then begins with its write (see docs/architecture.md).
        let row = try await SurvivorNeeds.find(id, on: database) ?? SurvivorNeeds()
        try await database.writeTransaction { db in
            row.id = id
            row.education = needs.education.rawValue
            row.workHistory = needs.workHistory.rawValue
            row.housing = needs.housing.rawValue
            row.needsChildcare = needs.needsChildcare
            row.skills = needs.skills.map(\.rawValue).joined(separator: ",")
            row.health = needs.health.map(\.rawValue).joined(separator: ",")
            row.assessedAt = now
            row.assessedBy = actor
            try await row.save(on: db)
            try await records.audit("survivor.needsAssessed", survivor.code, actor: actor, on: db)
        }
        return .success(())
    }

    func needs(of survivorID: UUID) async throws -> SurvivorNeeds? {
        try await SurvivorNeeds.find(survivorID, on: database)
    }

    // MARK: plan

    struct GoalView: Sendable {
        let id: UUID
        let area: PlanArea
        let text: String
        let steps: [StepView]
    }

    struct StepView: Sendable {
        let id: UUID
        let text: String
        let responsible: String?
        let due: LocalDate?
        let status: StepStatus
        let overdue: Bool
    }

    private func goalField(_ id: UUID) -> String { "plan.goal.\(id.uuidString.lowercased())" }
    private func stepField(_ id: UUID, _ part: String) -> String { "plan.step.\(id.uuidString.lowercased()).\(part)" }

    func addGoal(_ form: PlanStepForm, on loaded: SurvivorService.Loaded, actor: UUID) async throws -> Result<Void, FieldErrors> {
        let valid: (area: PlanArea, goal: String, step: PlanStepForm.Step)
        switch form.validatedGoal(today: today) {
        case .failure(let errors): return .failure(errors)
        case .success(let value): valid = value
        }
        try records.requireIdentity(loaded)
        let survivor = loaded.survivor
        let survivorID = try survivor.requireID()
        let key = try await records.dataKey(of: survivorID, on: database)
        try await database.writeTransaction { db in
            let goal = PlanGoal()
            let goalID = UUID()
            goal.id = goalID
            goal.$survivor.id = survivorID
            goal.area = valid.area.rawValue
            goal.textSealed = try key.seal(valid.goal, survivor: survivorID, field: goalField(goalID))
            goal.createdAt = now
            try await goal.create(on: db)
            try await createStep(valid.step, goalID: goalID, survivorID: survivorID, key: key, on: db)
            try await records.audit("survivor.planGoalAdded", survivor.code, details: ["area": valid.area.rawValue], actor: actor, on: db)
        }
        return .success(())
    }

    func addStep(_ form: PlanStepForm, goalID: UUID, on loaded: SurvivorService.Loaded, actor: UUID) async throws -> Result<Void, FieldErrors> {
        let step: PlanStepForm.Step
        switch form.validatedStep(today: today) {
        case .failure(let errors): return .failure(errors)
        case .success(let value): step = value
        }
        try records.requireIdentity(loaded)
        let survivor = loaded.survivor
        let survivorID = try survivor.requireID()
        guard try await PlanGoal.query(on: database).filter(\.$id == goalID).filter(\.$survivor.$id == survivorID).first() != nil else {
            throw AppError.notFound
        }
        let key = try await records.dataKey(of: survivorID, on: database)
        try await database.writeTransaction { db in
            try await createStep(step, goalID: goalID, survivorID: survivorID, key: key, on: db)
            try await records.audit("survivor.planStepAdded", survivor.code, actor: actor, on: db)
        }
        return .success(())
    }

    private func createStep(_ step: PlanStepForm.Step, goalID: UUID, survivorID: UUID, key: SurvivorDataKey, on db: any Database) async throws {
        let row = PlanStep()
        let stepID = UUID()
        row.id = stepID
        row.$goal.id = goalID
        row.survivorID = survivorID
        row.textSealed = try key.seal(step.text, survivor: survivorID, field: stepField(stepID, "text"))
        row.responsibleSealed = try step.responsible.map { try key.seal($0, survivor: survivorID, field: stepField(stepID, "responsible")) }
        row.dueOn = step.due?.description
        row.status = .planned
        row.createdAt = now
        try await row.create(on: db)
    }

    func setStepStatus(_ stepID: UUID, to status: String, on loaded: SurvivorService.Loaded, actor: UUID) async throws {
        guard let status = StepStatus(rawValue: status) else { throw AppError.badRequest }
        let survivor = loaded.survivor
        guard let step = try await PlanStep.query(on: database).filter(\.$id == stepID).filter(\.$survivorID == survivor.requireID()).first() else {
            throw AppError.notFound
        }
        guard step.status != status else { return }
        try await database.writeTransaction { db in
            step.status = status
            try await step.save(on: db)
            try await records.audit("survivor.planStepUpdated", survivor.code, details: ["status": status.rawValue], actor: actor, on: db)
        }
    }

    /// The plan in the survivor's words, decrypted; empty once the identity is destroyed
    /// (then only areas, dates and statuses are left, shown without their text).
    func plan(of loaded: SurvivorService.Loaded) async throws -> [GoalView] {
        let survivorID = try loaded.survivor.requireID()
        let goals = try await PlanGoal.query(on: database).filter(\.$survivor.$id == survivorID).sort(\.$createdAt).all()
        guard !goals.isEmpty else { return [] }
        let steps = try await PlanStep.query(on: database).filter(\.$survivorID == survivorID).sort(\.$createdAt).all()
        let key = loaded.access.identityDestroyed ? nil : try await records.dataKey(of: survivorID, on: database)
        func open(_ sealed: Data?, _ field: String) throws -> String? {
            guard let key, let sealed else { return nil }
            return try key.open(sealed, survivor: survivorID, field: field)
        }
        let today = self.today
        return try goals.map { goal in
            let goalID = goal.id!
            return GoalView(
                id: goalID, area: PlanArea(rawValue: goal.area) ?? .other, text: try open(goal.textSealed, goalField(goalID)) ?? "",
                steps: try steps.filter { $0.$goal.id == goalID }.map { step in
                    let status = step.status
                    let due = step.dueOn.flatMap(LocalDate.init)
                    return StepView(id: step.id!, text: try open(step.textSealed, stepField(step.id!, "text")) ?? "",
                                    responsible: try open(step.responsibleSealed, stepField(step.id!, "responsible")),
                                    due: due, status: status, overdue: status.isOverdue(due: due, today: today))
                })
        }
    }

    // MARK: employment

    func recordEmployment(_ form: EmploymentForm, on loaded: SurvivorService.Loaded, actor: UUID) async throws -> Result<Void, FieldErrors> {
        let currency = try await SettingsService(database: database, services: services).current().currency
        let outcome: EmploymentForm.Outcome
        switch form.validated(today: today, currency: currency) {
        case .failure(let errors): return .failure(errors)
        case .success(let valid): outcome = valid
        }
        let survivor = loaded.survivor
        let survivorID = try survivor.requireID()
        try await database.writeTransaction { db in
            let row = EmploymentOutcome()
            let outcomeID = UUID()
            row.id = outcomeID
            row.survivorID = survivorID
            row.kind = outcome.kind.rawValue
            row.sector = outcome.sector.rawValue
            row.startOn = outcome.start.description
            row.contractType = outcome.contract.rawValue
            row.wageBand = outcome.wage.rawValue
            row.businessGrantMinorUnits = outcome.businessGrant?.minorUnits
            row.currency = outcome.businessGrant?.currency
            row.recordedAt = now
            row.recordedBy = actor
            try await row.create(on: db)
            // The follow-ups are scheduled now, so that they show when due and when late.
            for (months, date) in zip(FollowUpSchedule.months, FollowUpSchedule.dates(from: outcome.start)) {
                let followUp = EmploymentFollowUp()
                followUp.outcomeID = outcomeID
                followUp.survivorID = survivorID
                followUp.months = months
                followUp.dueOn = date.description
                try await followUp.create(on: db)
            }
            try await records.audit("survivor.employmentRecorded", survivor.code, details: ["kind": outcome.kind.rawValue], actor: actor, on: db)
        }
        return .success(())
    }

    func recordFollowUp(_ followUpID: UUID, stillWorking: Bool, on loaded: SurvivorService.Loaded, actor: UUID) async throws {
        let survivor = loaded.survivor
        guard let followUp = try await EmploymentFollowUp.query(on: database).filter(\.$id == followUpID)
            .filter(\.$survivorID == survivor.requireID()).first() else { throw AppError.notFound }
        // A follow-up is answered on or after its date, not months ahead.
        guard let due = LocalDate(followUp.dueOn), !(today < due) else { throw AppError(status: .conflict, messageKey: "employment.error.notDue") }
        try await database.writeTransaction { db in
            followUp.stillWorking = stillWorking
            followUp.recordedAt = now
            followUp.recordedBy = actor
            try await followUp.save(on: db)
            try await records.audit("survivor.followUpRecorded", survivor.code,
                                    details: ["months": String(followUp.months), "stillWorking": stillWorking ? "yes" : "no"], actor: actor, on: db)
        }
    }

    struct OutcomeView: Sendable {
        let outcome: EmploymentOutcome
        let followUps: [(row: EmploymentFollowUp, state: FollowUpSchedule.State)]
    }

    func employment(of survivorID: UUID) async throws -> [OutcomeView] {
        let outcomes = try await EmploymentOutcome.query(on: database).filter(\.$survivorID == survivorID).sort(\.$startOn).all()
        guard !outcomes.isEmpty else { return [] }
        let followUps = try await EmploymentFollowUp.query(on: database).filter(\.$survivorID == survivorID).sort(\.$months).all()
        let today = self.today
        return outcomes.map { outcome in
            OutcomeView(outcome: outcome, followUps: followUps.filter { $0.outcomeID == outcome.id }.map { row in
                (row, FollowUpSchedule.state(of: LocalDate(row.dueOn) ?? today, today: today, recorded: row.recordedAt != nil))
            })
        }
    }

    struct DueFollowUp: Decodable, Sendable {
        let code: String
        let months: Int
        let dueOn: String
    }

    /// Follow-ups of a caseload that are due or late (not yet recorded, date reached), oldest first.
    func dueFollowUps(organisations: Set<UUID>, limit: Int = 50) async throws -> [DueFollowUp] {
        guard let sql = database as? any SQLDatabase, !organisations.isEmpty else { return [] }
        return try await sql.select()
            .column(SQLColumn("code", table: "survivors")).column(SQLColumn("months", table: "employment_followups"))
            .column(SQLColumn("due_on", table: "employment_followups"))
            .from("employment_followups")
            .join("survivors", on: SQLColumn("survivor_id", table: "employment_followups"), .equal, SQLColumn("id", table: "survivors"))
            .where(SQLColumn("recorded_at", table: "employment_followups"), .is, SQLLiteral.null)
            .where(SQLColumn("due_on", table: "employment_followups"), .lessThanOrEqual, SQLBind(today.description))
            .where(SQLColumn("organisation_id", table: "survivors"), .in, SQLBind.group(Array(organisations)))
            .where(SQLColumn("identity_destroyed_at", table: "survivors"), .is, SQLLiteral.null)
            .orderBy(SQLColumn("due_on", table: "employment_followups"))
            .limit(limit)
            .all(decoding: DueFollowUp.self, keyDecodingStrategy: .convertFromSnakeCase)
    }
}
