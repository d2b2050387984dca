import Foundation
import FuqizoCore
import Vapor

/// A CSO's own capacity pages, for its users and the programme's staff: its capacity (every
/// confirmed round as a radar chart and a table, the gains, the action plan) and its people.
struct CsoCapacityController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let organisation = routes.grouped("organisations", ":organisationID")
        let source = ResourceSource.organisation(parameter: "organisationID")
        organisation.get("capacity", use: capacity).access(.viewCapacity, source)
        organisation.post("capacity", "actions", use: addAction).access(.planCapacity, source)
        organisation.get("capacity", "actions", ":actionID", use: editAction).access(.planCapacity, source)
        organisation.post("capacity", "actions", ":actionID", use: saveAction).access(.planCapacity, source)
        organisation.get("people", use: people).access(.manageCsoPeople, source)
        organisation.post("people", use: addPerson).access(.manageCsoPeople, source)
        organisation.get("people", ":personID", use: showPerson).access(.manageCsoPeople, source)
        organisation.post("people", ":personID", use: savePerson).access(.manageCsoPeople, source)
        organisation.post("people", ":personID", "archive", use: archivePerson).access(.manageCsoPeople, source)
        organisation.post("people", ":personID", "restore", use: restorePerson).access(.manageCsoPeople, source)
    }

    private func service(_ req: Request) -> PeopleService {
        PeopleService(database: req.db, services: req.services)
    }

    private func organisation(_ req: Request) async throws -> Organisation {
        try await OrganisationService(database: req.db, services: req.services).find(try req.id("organisationID"))
    }

    // MARK: capacity and the action plan

    private func renderCapacity(_ req: Request, form: PlanActionForm = PlanActionForm(), errors: FieldErrors = .init(),
                                status: HTTPResponseStatus = .ok) async throws -> Response {
        let organisation = try await organisation(req)
        let id = try organisation.requireID()
        let figures = CapacityFigures(database: req.db)
        let history = try await figures.history(of: id)
        let open = CapacityContext.index(req, rounds: [], instruments: [], own: try await figures.assessments(of: [id]), organisations: []).own
        let domains = try await figures.planDomains(history.instrument)
        let actions = try await service(req).actions(of: id)
        let latest = history.rounds.last?.scores ?? [:]
        let order = domains.map(\.key)
        let trainingDomains = ActionPlan.trainingDomains(priorities: ActionPlan.priorityDomains(latest, order: order),
                                                         openActions: actions.filter(\.status.isOpen).map(\.domain), order: order)
        let offers = Policy.decide(req.actor, .viewEvents).isAllowed
            ? try await figures.trainings(for: trainingDomains, of: id, from: TiranaTime.today(at: req.now)) : [:]
        let plan = PeopleContext.plan(req, organisation: id, actions: actions, domains: domains, latest: latest,
                                      trainings: trainingDomains.compactMap { domain in offers[domain].map { (domain, $0) } },
                                      form: form, errors: errors)
        let context = AssessmentContext.capacity(req, organisation: organisation, instrument: history.instrument, rounds: history.rounds,
                                                 open: open, plan: plan)
        return try await req.page("capacity/organisation", title: "capacity.organisation.title", context, status: status)
    }

    func capacity(req: Request) async throws -> Response {
        try await renderCapacity(req)
    }

    private func domains(_ req: Request) async throws -> [CapacityInstrument.Domain] {
        let figures = CapacityFigures(database: req.db)
        return try await figures.planDomains(try await figures.history(of: try req.id("organisationID")).instrument)
    }

    func addAction(req: Request) async throws -> Response {
        let id = try req.id("organisationID")
        let form = try req.form(PlanActionForm.self)
        let keys = Set(try await domains(req).map(\.key))
        switch try await service(req).save(form, existing: nil, of: id, domains: keys, actor: try req.requireSignedIn().userID) {
        case .success: return Flash.redirect(req, to: .organisationCapacity(id), flash: "action.savedFlash")
        case .failure(let errors): return try await renderCapacity(req, form: form, errors: errors, status: .badRequest)
        }
    }

    private func renderAction(_ req: Request, _ action: PlanAction, form: PlanActionForm, errors: FieldErrors = .init(),
                              status: HTTPResponseStatus = .ok) async throws -> Response {
        let organisation = try await organisation(req)
        let id = try organisation.requireID()
        let context = PeopleContext.ActionPage(
            organisation: organisation.nameSq, action: SiteURL.organisationCapacity(id).path + "/actions/" + (try action.requireID().uuidString),
            back: SiteURL.organisationCapacity(id).path,
            fields: PeopleContext.actionFields(req, form, domains: try await domains(req), errors: errors, withStatus: true), hasErrors: !errors.isEmpty)
        return try await req.page("capacity/action", title: "action.edit.title", context, status: status)
    }

    func editAction(req: Request) async throws -> Response {
        let action = try await service(req).action(try req.id("actionID"), of: try req.id("organisationID"))
        return try await renderAction(req, action, form: PlanActionForm(domain: action.domain, action: action.action, owner: action.owner,
                                                                       dueOn: action.dueOn, status: action.status.rawValue))
    }

    func saveAction(req: Request) async throws -> Response {
        let id = try req.id("organisationID")
        let action = try await service(req).action(try req.id("actionID"), of: id)
        var form = try req.form(PlanActionForm.self)
        if form.status.isEmpty { form.status = "-" }
        switch try await service(req).save(form, existing: action, of: id, domains: Set(try await domains(req).map(\.key)),
                                           actor: try req.requireSignedIn().userID) {
        case .success: return Flash.redirect(req, to: .organisationCapacity(id), flash: "action.savedFlash")
        case .failure(let errors): return try await renderAction(req, action, form: form, errors: errors, status: .badRequest)
        }
    }

    // MARK: people

    struct ListQuery: Content {
        var archived: String?
        var page: Int?
    }

    private func renderPeople(_ req: Request, form: CsoPersonForm = CsoPersonForm(), errors: FieldErrors = .init(),
                              status: HTTPResponseStatus = .ok) async throws -> Response {
        let organisation = try await organisation(req)
        let query = try? req.query.decode(ListQuery.self)
        let archived = query?.archived == "yes"
        let found = try await service(req).people(of: try organisation.requireID(), archived: archived, page: query?.page)
        let context = try PeopleContext.list(req, organisation, people: found.people, pager: found.pager, archived: archived, form: form, errors: errors)
        return try await req.page("capacity/people", title: "person.list.title", context, status: status)
    }

    func people(req: Request) async throws -> Response {
        try await renderPeople(req)
    }

    func addPerson(req: Request) async throws -> Response {
        let id = try req.id("organisationID")
        let form = try req.form(CsoPersonForm.self)
        switch try await service(req).add(form, to: id, actor: try req.requireSignedIn().userID) {
        case .success: return Flash.redirect(req, to: .csoPeople(id), flash: "person.addedFlash")
        case .failure(let errors): return try await renderPeople(req, form: form, errors: errors, status: .badRequest)
        }
    }

    private func person(_ req: Request) async throws -> CsoPerson {
        try await service(req).person(try req.id("personID"), of: try req.id("organisationID"))
    }

    private func renderPerson(_ req: Request, _ person: CsoPerson, form: CsoPersonForm, errors: FieldErrors = .init(),
                              status: HTTPResponseStatus = .ok) async throws -> Response {
        let context = try PeopleContext.person(req, try await organisation(req), person, form: form, errors: errors)
        return try await req.page("capacity/person", title: "person.edit.title", context, status: status)
    }

    func showPerson(req: Request) async throws -> Response {
        let person = try await person(req)
        return try await renderPerson(req, person, form: PeopleContext.form(person))
    }

    func savePerson(req: Request) async throws -> Response {
        let person = try await person(req)
        let form = try req.form(CsoPersonForm.self)
        switch try await service(req).update(person, form: form, actor: try req.requireSignedIn().userID) {
        case .success: return Flash.redirect(req, to: .csoPeople(person.$organisation.id), flash: "person.savedFlash")
        case .failure(let errors): return try await renderPerson(req, person, form: form, errors: errors, status: .badRequest)
        }
    }

    func archivePerson(req: Request) async throws -> Response {
        let person = try await person(req)
        try await service(req).archive(person, true, actor: try req.requireSignedIn().userID)
        return Flash.redirect(req, to: .csoPeople(person.$organisation.id), flash: "person.archivedFlash")
    }

    func restorePerson(req: Request) async throws -> Response {
        let person = try await person(req)
        try await service(req).archive(person, false, actor: try req.requireSignedIn().userID)
        return Flash.redirect(req, to: .csoPeople(person.$organisation.id), flash: "person.restoredFlash")
    }
}
