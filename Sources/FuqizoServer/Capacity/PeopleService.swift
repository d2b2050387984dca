import Fluent
import Foundation
import FuqizoCore
import Vapor

/// A CSO's people and its capacity action plan, kept by its own users and the programme's
/// staff. Audit entries carry ids, never a person's name or contacts.
struct PeopleService {
    let database: any Database
    let services: AppServices

    var now: Date { services.clock.now() }
    var today: LocalDate { TiranaTime.today(at: now) }

    /// Most people one CSO may list: a large CSO's staff, board and volunteers.
    static let maximumPeople = 2_000
    static let maximumActions = 200

    private func audit(_ action: String, _ organisation: UUID, _ details: [String: String], actor: UUID, on db: any Database) async throws {
        try await services.audit.record(.init(action, target: ("organisation", organisation.uuidString), details: details), actor: actor, at: now, on: db)
    }

    // MARK: people

    func people(of organisation: UUID, archived: Bool, page: Int?) async throws -> (people: [CsoPerson], pager: Pager) {
        let query = CsoPerson.query(on: database).filter(\.$organisation.$id == organisation).filter(\.$archived == archived)
        let pager = Pager(requested: page, total: try await query.count(), pageSize: 50)
        return (try await query.sort(\.$name).range(pager.offset..<(pager.offset + pager.pageSize)).all(), pager)
    }

    func person(_ id: UUID, of organisation: UUID) async throws -> CsoPerson {
        guard let person = try await CsoPerson.query(on: database).filter(\.$id == id).filter(\.$organisation.$id == organisation).first() else {
            throw AppError.notFound
        }
        return person
    }

    private func fill(_ person: CsoPerson, _ value: CsoPersonForm.Person) {
        person.name = value.name
        person.role = value.role
        person.email = value.email
        person.phone = value.phone
        person.sex = value.sex
        person.ageBand = value.ageBand
    }

    func add(_ form: CsoPersonForm, to organisation: UUID, actor: UUID) async throws -> Result<CsoPerson, FieldErrors> {
        switch form.validated() {
        case .failure(let errors): return .failure(errors)
        case .success(let value):
            guard try await CsoPerson.query(on: database).filter(\.$organisation.$id == organisation).count() < Self.maximumPeople else {
                throw AppError(status: .conflict, messageKey: "person.error.tooMany")
            }
            let person = CsoPerson()
            fill(person, value)
            person.archived = false
            person.$organisation.id = organisation
            try await database.writeTransaction { db in
                try await person.create(on: db)
                try await audit("person.added", organisation, ["person": try person.requireID().uuidString], actor: actor, on: db)
            }
            return .success(person)
        }
    }

    func update(_ person: CsoPerson, form: CsoPersonForm, actor: UUID) async throws -> Result<Void, FieldErrors> {
        switch form.validated() {
        case .failure(let errors): return .failure(errors)
        case .success(let value):
            fill(person, value)
            try await database.writeTransaction { db in
                try await person.update(on: db)
                try await audit("person.edited", person.$organisation.id, ["person": try person.requireID().uuidString], actor: actor, on: db)
            }
            return .success(())
        }
    }

    /// Off the list (or back on it): kept, for the registrations and certificates that name them.
    func archive(_ person: CsoPerson, _ archived: Bool, actor: UUID) async throws {
        person.archived = archived
        try await database.writeTransaction { db in
            try await person.update(on: db)
            try await audit(archived ? "person.archived" : "person.restored", person.$organisation.id,
                            ["person": try person.requireID().uuidString], actor: actor, on: db)
        }
    }

    // MARK: the action plan

    func actions(of organisation: UUID) async throws -> [PlanAction] {
        try await PlanAction.query(on: database).filter(\.$organisation.$id == organisation).sort(\.$dueOn).sort(\.$createdAt).all()
    }

    func action(_ id: UUID, of organisation: UUID) async throws -> PlanAction {
        guard let action = try await PlanAction.query(on: database).filter(\.$id == id).filter(\.$organisation.$id == organisation).first() else {
            throw AppError.notFound
        }
        return action
    }

    /// Adds an action (`existing` nil) or rewrites one.
    func save(_ form: PlanActionForm, existing: PlanAction?, of organisation: UUID, domains: Set<String>,
              actor: UUID) async throws -> Result<Void, FieldErrors> {
        switch form.validated(domains: domains, today: today) {
        case .failure(let errors): return .failure(errors)
        case .success(let value):
            if existing == nil, try await PlanAction.query(on: database).filter(\.$organisation.$id == organisation).count() >= Self.maximumActions {
                throw AppError(status: .conflict, messageKey: "action.error.tooMany")
            }
            let action = existing ?? PlanAction()
            action.domain = value.domain
            action.action = value.action
            action.owner = value.owner
            action.dueOn = value.dueOn.description
            action.status = value.status
            action.$organisation.id = organisation
            try await database.writeTransaction { db in
                try await action.save(on: db)
                try await audit(existing == nil ? "plan.actionAdded" : "plan.actionEdited", organisation,
                                ["domain": value.domain, "state": value.status.rawValue], actor: actor, on: db)
            }
            return .success(())
        }
    }
}
