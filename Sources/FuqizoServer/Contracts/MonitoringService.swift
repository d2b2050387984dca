import Fluent
import Foundation
import FuqizoCore
import Vapor

/// Monitoring visits: the grants side plans them, records what each found (findings, risk,
/// recommendations) and the follow-up actions it asks of the grantee or of a staff member,
/// with photos and documents; owners mark their actions done. Every change audited.
struct MonitoringService {
    let database: any Database
    let services: AppServices

    var now: Date { services.clock.now() }
    var today: LocalDate { TiranaTime.today(at: now) }

    /// Most visits one contract may have, and actions one visit may ask.
    static let maximumVisits = 100
    static let maximumActions = 50
    static let maximumNote = 1_000

    private func audit(_ action: String, _ contract: GrantContract, _ visit: MonitoringVisit, _ details: [String: String] = [:],
                       actor: UUID, on db: any Database) async throws {
        try await services.auditContract(action, contract, details.merging(["visit": String(visit.number)]) { $1 }, actor: actor, at: now, on: db)
    }

    func visits(of contract: GrantContract) async throws -> [MonitoringVisit] {
        try await MonitoringVisit.query(on: database).filter(\.$contract.$id == contract.requireID()).sort(\.$number).all()
    }

    func find(_ number: Int, of contract: GrantContract) async throws -> MonitoringVisit {
        guard let visit = try await MonitoringVisit.query(on: database).filter(\.$contract.$id == contract.requireID())
            .filter(\.$number == number).first() else { throw AppError.notFound }
        return visit
    }

    func actions(of visit: MonitoringVisit) async throws -> [FollowUpAction] {
        try await FollowUpAction.query(on: database).filter(\.$visit.$id == visit.requireID()).sort(\.$dueOn).sort(\.$createdAt).all()
    }

    func openActions(of contract: GrantContract) async throws -> [FollowUpAction] {
        try await FollowUpAction.query(on: database).filter(\.$contract.$id == contract.requireID()).filter(\.$status == .open)
            .sort(\.$dueOn).all()
    }

    /// The staff who may visit or own an action: the grants officers (who record visits and
    /// close actions), by name. `among`: only these people (those a page names), when given.
    func staff(among people: Set<UUID>? = nil) async throws -> [(id: UUID, name: String)] {
        if let people, people.isEmpty { return [] }
        var assignments = RoleAssignment.query(on: database).filter(\.$role == Role.grantsOfficer.rawValue)
        if let people { assignments = assignments.filter(\.$user.$id ~~ people) }
        let ids = Set(try await assignments.all().map { $0.$user.id })
        guard !ids.isEmpty else { return [] }
        return try await User.query(on: database).filter(\.$id ~~ ids).filter(\.$isActive == true).sort(\.$displayName).all().compactMap { user in
            user.id.map { ($0, user.displayName) }
        }
    }

    /// The staff a contract's visits and open actions name: its visitors and the owners of its actions.
    func staff(named visits: [MonitoringVisit], _ actions: [FollowUpAction]) async throws -> [(id: UUID, name: String)] {
        var people = Set(visits.map(\.visitorID))
        for action in actions { if case .staff(let id) = FollowUpOwner(stored: action.owner) { people.insert(id) } }
        return try await staff(among: people)
    }

    func plan(_ contract: GrantContract, form: VisitPlanForm, actor: UUID) async throws -> Result<MonitoringVisit, FieldErrors> {
        guard contract.status.isRunning || contract.status == .suspended || contract.status == .finalReportApproved else {
            throw AppError(status: .conflict, messageKey: "visit.error.notRunning")
        }
        guard let start = contract.start, let end = contract.end else { throw AppError.server }
        let existing = try await visits(of: contract)
        guard existing.count < Self.maximumVisits else { throw AppError(status: .conflict, messageKey: "visit.error.tooMany") }
        switch form.validated(visitors: Set(try await staff().map(\.id)), start: start, end: end) {
        case .failure(let errors): return .failure(errors)
        case .success(let plan):
            let visit = MonitoringVisit()
            visit.$contract.id = try contract.requireID()
            visit.number = (existing.map(\.number).max() ?? 0) + 1
            visit.status = .planned
            visit.plannedOn = plan.plannedOn.description
            visit.visitorID = plan.visitor
            visit.purpose = plan.purpose
            try await database.writeTransaction { db in
                try await visit.create(on: db)
                try await audit("visit.planned", contract, visit, ["date": plan.plannedOn.description], actor: actor, on: db)
            }
            return .success(visit)
        }
    }

    func record(_ visit: MonitoringVisit, of contract: GrantContract, form: VisitReportForm, actor: UUID) async throws -> Result<Void, FieldErrors> {
        let next = try visit.status.transition(.record)
        guard let start = contract.start else { throw AppError.server }
        switch form.validated(start: start, today: today) {
        case .failure(let errors): return .failure(errors)
        case .success(let report):
            visit.status = next
            visit.visitedOn = report.visitedOn.description
            visit.findings = report.findings
            visit.risk = report.risk
            visit.recommendations = report.recommendations
            try await database.writeTransaction { db in
                try await visit.save(on: db)
                try await audit("visit.recorded", contract, visit, ["risk": report.risk.rawValue], actor: actor, on: db)
            }
            return .success(())
        }
    }

    func cancel(_ visit: MonitoringVisit, of contract: GrantContract, reason: String, actor: UUID) async throws {
        visit.status = try visit.status.transition(.cancel)
        visit.cancelReason = reason
        try await database.writeTransaction { db in
            try await visit.save(on: db)
            try await audit("visit.cancelled", contract, visit, ["reason": reason], actor: actor, on: db)
        }
    }

    /// A follow-up action, once the visit is done (its findings are what it follows up).
    func addAction(to visit: MonitoringVisit, of contract: GrantContract, form: FollowUpForm, actor: UUID) async throws -> Result<Void, FieldErrors> {
        guard visit.status == .done else { throw AppError(status: .conflict, messageKey: "followUp.error.visitNotDone") }
        guard try await actions(of: visit).count < Self.maximumActions else { throw AppError(status: .conflict, messageKey: "followUp.error.tooMany") }
        switch form.validated(staff: Set(try await staff().map(\.id)), today: today) {
        case .failure(let errors): return .failure(errors)
        case .success(let typed):
            let action = FollowUpAction()
            action.$contract.id = try contract.requireID()
            action.$visit.id = try visit.requireID()
            action.action = typed.action
            action.owner = typed.owner.stored
            action.dueOn = typed.dueOn.description
            action.status = .open
            try await database.writeTransaction { db in
                try await action.create(on: db)
                try await audit("followUp.added", contract, visit, ["due": typed.dueOn.description], actor: actor, on: db)
            }
            return .success(())
        }
    }

    func findAction(_ id: UUID, of visit: MonitoringVisit) async throws -> FollowUpAction {
        guard let action = try await FollowUpAction.query(on: database).filter(\.$id == id).filter(\.$visit.$id == visit.requireID()).first()
        else { throw AppError.notFound }
        return action
    }

    /// Whether this person may close the action: the grants side any, the grantee's CSO users
    /// those owned by the grantee.
    static func mayClose(_ action: FollowUpAction, _ actor: Actor, _ contract: GrantContract) -> Bool {
        if Policy.decide(actor, .manageContract, contract.resource).isAllowed { return true }
        return action.ownedBy == .grantee && actor.has(.csoUser, in: contract.$organisation.id)
    }

    /// Closes an action: done (with what was done), or, by the grants side, cancelled.
    func close(_ action: FollowUpAction, of visit: MonitoringVisit, contract: GrantContract, event: FollowUpEvent, note: String?,
               actor: Actor) async throws {
        let next = try action.status.transition(event)
        guard Self.mayClose(action, actor, contract), event == .complete || Policy.decide(actor, .manageContract, contract.resource).isAllowed,
              let user = actor.userID else { throw AppError.forbidden }
        action.status = next
        (action.closedOn, action.closedBy, action.note) = (today.description, user, note)
        try await database.writeTransaction { db in
            try await action.save(on: db)
            try await audit(event == .complete ? "followUp.done" : "followUp.cancelled", contract, visit, actor: user, on: db)
        }
    }

    func attach(_ document: CheckedDocument, bytes: [UInt8], to visit: MonitoringVisit, of contract: GrantContract, actor: UUID) async throws {
        guard visit.status != .cancelled else { throw AppError(status: .conflict, messageKey: "visit.error.notPlanned") }
        guard try await DocumentStore(database: database).attachments(of: .visit, visit.requireID()).count < DocumentStore.maximumPerOwner else {
            throw AppError(status: .conflict, messageKey: "document.error.tooMany")
        }
        let now = self.now
        try await database.writeTransaction { db in
            _ = try await DocumentStore.attach(document, bytes: bytes, to: .visit, try visit.requireID(), label: "visit",
                                               category: "visit", actor: actor, at: now, on: db)
            try await audit("visit.documentAdded", contract, visit, actor: actor, on: db)
        }
    }
}
