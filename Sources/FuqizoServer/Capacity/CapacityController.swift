import Foundation
import FuqizoCore
import Vapor

/// Capacity assessment as the programme's staff run it: rounds opened for the CSOs of chosen
/// regions, the instruments (copied, edited until used), a round's self-assessments, and the
/// needs map the training plan is built from. CSO users see their own self-assessments here.
struct CapacityController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let capacity = routes.grouped("capacity")
        capacity.get(use: index).access(.viewCapacity)
        capacity.get("needs", use: needs).access(.manageCapacity)
        capacity.get("rounds", "new", use: newRound).access(.manageCapacity)
        capacity.post("rounds", use: openRound).access(.manageCapacity)
        capacity.get("rounds", ":roundID", use: round).access(.manageCapacity)
        let instrument = capacity.grouped("instruments", ":instrumentID")
        instrument.get(use: showInstrument).access(.manageCapacity)
        instrument.post("copy", use: copyInstrument).access(.manageCapacity)
        instrument.get("domains", ":domain", use: editDomain).access(.manageCapacity)
        instrument.post("domains", ":domain", use: saveDomain).access(.manageCapacity)
    }

    private func service(_ req: Request) -> AssessmentService {
        AssessmentService(database: req.db, services: req.services)
    }

    func index(req: Request) async throws -> Response {
        let staff = Policy.decide(req.actor, .manageCapacity).isAllowed
        let own = req.actor.organisations(as: .csoUser)
        let figures = CapacityFigures(database: req.db)
        let context = CapacityContext.index(
            req, rounds: staff ? try await service(req).rounds() : [], instruments: staff ? try await service(req).instruments() : [],
            own: try await figures.assessments(of: own),
            organisations: try await OrganisationService(database: req.db, services: req.services).named(own))
        return try await req.page("capacity/index", title: "capacity.title", context).encodeResponse(for: req)
    }

    // MARK: rounds

    private func renderRoundForm(_ req: Request, form: RoundForm, errors: FieldErrors = .init(), status: HTTPResponseStatus = .ok) async throws -> Response {
        let context = CapacityContext.roundForm(req, form: form, instruments: try await service(req).instruments(),
                                                facilitators: try await service(req).facilitators(),
                                                regions: try await GeographyDirectory.load(on: req.db).regions, errors: errors)
        return try await req.page("capacity/round-new", title: "round.new.title", context, status: status)
    }

    func newRound(req: Request) async throws -> Response {
        try await renderRoundForm(req, form: RoundForm(kind: RoundKind.baseline.rawValue, facilitator: req.actor.userID?.uuidString ?? ""))
    }

    func openRound(req: Request) async throws -> Response {
        let form = try req.form(RoundForm.self)
        switch try await service(req).open(form, actor: try req.requireSignedIn().userID) {
        case .success(let round): return Flash.redirect(req, to: .capacityRound(try round.requireID()), flash: "round.openedFlash")
        case .failure(let errors): return try await renderRoundForm(req, form: form, errors: errors, status: .badRequest)
        }
    }

    struct RoundQuery: Content {
        var status: String?
        var page: Int?
    }

    func round(req: Request) async throws -> Response {
        let round = try await service(req).round(try req.id("roundID"))
        let query = try? req.query.decode(RoundQuery.self)
        let status = query?.status.flatMap(SelfAssessmentStatus.init(rawValue:))
        let found = try await service(req).assessments(of: round, status: status, page: query?.page)
        let context = try CapacityContext.round(req, round, status: status, rows: found.rows, pager: found.pager)
        return try await req.page("capacity/round", title: "round.title", context).encodeResponse(for: req)
    }

    // MARK: instruments

    private func renderInstrument(_ req: Request, _ record: InstrumentRecord, copyName: String = "", errors: FieldErrors = .init(),
                                  status: HTTPResponseStatus = .ok) async throws -> Response {
        try await req.page("capacity/instrument", title: "instrument.title",
                           try CapacityContext.instrument(req, record, copyName: copyName, errors: errors), status: status)
    }

    func showInstrument(req: Request) async throws -> Response {
        try await renderInstrument(req, try await service(req).instrument(try req.id("instrumentID")))
    }

    struct CopyForm: Content {
        var name: String?
    }

    func copyInstrument(req: Request) async throws -> Response {
        let source = try await service(req).instrument(try req.id("instrumentID"))
        let name = try req.form(CopyForm.self).name ?? ""
        switch try await service(req).copy(source, name: name, actor: try req.requireSignedIn().userID) {
        case .success(let copy): return Flash.redirect(req, to: .capacityInstrument(try copy.requireID()), flash: "instrument.copiedFlash")
        case .failure(let errors): return try await renderInstrument(req, source, copyName: name, errors: errors, status: .badRequest)
        }
    }

    /// The instrument (refused once frozen) and the domain the path names.
    private func editable(_ req: Request) async throws -> (InstrumentRecord, CapacityInstrument.Domain) {
        let record = try await service(req).instrument(try req.id("instrumentID"))
        guard !record.frozen else { throw AppError(status: .conflict, messageKey: "instrument.error.frozen") }
        guard let key = req.parameters.get("domain"), let domain = try record.instrument().domains.first(where: { $0.key == key }) else {
            throw AppError.notFound
        }
        return (record, domain)
    }

    private func renderDomain(_ req: Request, _ record: InstrumentRecord, _ domain: CapacityInstrument.Domain, form: DomainForm,
                              errors: FieldErrors = .init(), status: HTTPResponseStatus = .ok) async throws -> Response {
        try await req.page("capacity/domain", title: "instrument.domain.title",
                           try CapacityContext.domainEditor(record, domain: domain.key, form: form, errors: errors), status: status)
    }

    func editDomain(req: Request) async throws -> Response {
        let (record, domain) = try await editable(req)
        return try await renderDomain(req, record, domain, form: DomainForm(domain))
    }

    func saveDomain(req: Request) async throws -> Response {
        let (record, domain) = try await editable(req)
        let form = try req.form(DomainForm.self)
        switch try await service(req).edit(record, domain: domain.key, form: form, actor: try req.requireSignedIn().userID) {
        case .success: return Flash.redirect(req, to: .capacityInstrument(try record.requireID()), flash: "instrument.savedFlash")
        case .failure(let errors): return try await renderDomain(req, record, domain, form: form, errors: errors, status: .badRequest)
        }
    }

    // MARK: the needs map

    struct NeedsQuery: Content {
        var round: UUID?
    }

    func needs(req: Request) async throws -> Response {
        let rounds = try await service(req).roundChoices()
        let wanted = (try? req.query.decode(NeedsQuery.self))?.round
        // The round asked for, or the newest with a confirmed self-assessment.
        let chosenRow = rounds.first { $0.id == wanted } ?? rounds.first(where: \.scored) ?? rounds.first
        var chosen: AssessmentRound?
        if let chosenRow { chosen = try await service(req).round(chosenRow.id) }
        let instrument = try chosen?.instrument.instrument()
        var map: NeedsMapMemory.Map?
        if let chosen, let id = chosen.id {
            map = try await req.services.needsMaps.map(of: id, at: req.now) {
                try await CapacityFigures(database: req.db).needsMap(chosen, domains: instrument?.domains.map(\.key) ?? [])
            }
        }
        let context = CapacityContext.needs(req, rounds: rounds, chosen: chosen, instrument: instrument, cells: map?.cells ?? [],
                                            assessed: map?.assessed ?? 0, regions: try await GeographyDirectory.load(on: req.db).regions)
        return try await req.page("capacity/needs", title: "needs.title", context).encodeResponse(for: req)
    }
}
