import Fluent
import Foundation
import FuqizoCore
import Vapor

/// Amendments of running contracts: requested by the grantee or the grants officer, approved or
/// refused with reasons by the grants officer. An approval keeps the terms it replaces as a
/// version, applies the changes, and re-plans the reports still to be written.
struct AmendmentService {
    let database: any Database
    let services: AppServices

    var now: Date { services.clock.now() }
    var today: LocalDate { TiranaTime.today(at: now) }

    private func audit(_ action: String, _ contract: GrantContract, _ amendment: ContractAmendment, _ details: [String: String] = [:],
                       actor: UUID, on db: any Database) async throws {
        try await services.auditContract(action, contract, details.merging(["amendment": String(amendment.number)]) { $1 },
                                         actor: actor, at: now, on: db)
    }

    func amendments(of contract: GrantContract) async throws -> [ContractAmendment] {
        try await ContractAmendment.query(on: database).filter(\.$contract.$id == contract.requireID()).sort(\.$number).all()
    }

    func versions(of contract: GrantContract) async throws -> [ContractVersion] {
        try await ContractVersion.query(on: database).filter(\.$contract.$id == contract.requireID()).sort(\.$version).all()
    }

    /// One replaced version of the terms, by its number.
    func version(_ number: Int, of contract: GrantContract) async throws -> ContractVersion {
        guard let version = try await ContractVersion.query(on: database).filter(\.$contract.$id == contract.requireID())
            .filter(\.$version == number).first() else { throw AppError.notFound }
        return version
    }

    func find(_ number: Int, of contract: GrantContract) async throws -> ContractAmendment {
        guard let amendment = try await ContractAmendment.query(on: database).filter(\.$contract.$id == contract.requireID())
            .filter(\.$number == number).first() else { throw AppError.notFound }
        return amendment
    }

    /// Once the final report is sent, the contract's period is closed: its end no longer moves.
    private func endIsClosed(_ changes: AmendmentChanges, _ contract: GrantContract) async throws -> Bool {
        guard changes.endDate != nil else { return false }
        let reports = try await ReportService(database: database, services: services).reports(of: contract)
        return reports.contains { $0.kind == .final && $0.status != .draft }
    }

    /// Records a request; one open request per contract.
    func request(_ contract: GrantContract, form: AmendmentForm, byGrantee: Bool, actor: UUID) async throws -> Result<ContractAmendment, FieldErrors> {
        _ = try contract.status.transition(.amend)
        let existing = try await amendments(of: contract)
        guard !existing.contains(where: { $0.status == .requested }) else { throw AppError(status: .conflict, messageKey: "amendment.error.open") }
        guard let start = contract.start, let end = contract.end else { throw AppError.server }
        switch form.validated(terms: try contract.contractTerms(), start: start, end: end, currency: contract.currency) {
        case .failure(let errors): return .failure(errors)
        case .success(let typed):
            if try await endIsClosed(typed.changes, contract) {
                var errors = FieldErrors()
                errors.add("endDate", "amendment.error.finalReported")
                return .failure(errors)
            }
            let amendment = ContractAmendment()
            amendment.$contract.id = try contract.requireID()
            amendment.number = (existing.map(\.number).max() ?? 0) + 1
            amendment.status = .requested
            amendment.changes = try StoredJSON.encode(typed.changes)
            amendment.reason = typed.reason
            amendment.requestedOn = today.description
            amendment.requestedBy = actor
            amendment.byGrantee = byGrantee
            try await database.writeTransaction { db in
                try await amendment.create(on: db)
                try await audit("amendment.requested", contract, amendment, ["reason": typed.reason], actor: actor, on: db)
            }
            return .success(amendment)
        }
    }

    func refuse(_ amendment: ContractAmendment, of contract: GrantContract, reason: String, actor: UUID) async throws {
        amendment.status = try amendment.status.transition(.refuse)
        (amendment.decidedOn, amendment.decidedBy, amendment.decisionReason) = (today.description, actor, reason)
        try await database.writeTransaction { db in
            try await amendment.save(on: db)
            try await audit("amendment.refused", contract, amendment, ["reason": reason], actor: actor, on: db)
        }
    }

    /// Approves: the current terms become a version, the changes apply, the contract's version
    /// rises, and reports not yet written follow the new calendar.
    func approve(_ amendment: ContractAmendment, of contract: GrantContract, reason: String, actor: UUID) async throws {
        let next = try amendment.status.transition(.approve)
        _ = try contract.status.transition(.amend)
        guard let start = contract.start, let end = contract.end else { throw AppError.server }
        let changes = try amendment.amendmentChanges()
        if try await endIsClosed(changes, contract) { throw AppError(status: .conflict, messageKey: "amendment.error.finalReported") }
        let current = try contract.contractTerms()
        // Tranches already asked for keep their amounts; the plan changes only ahead of them.
        let requested = try await PaymentService(database: database, services: services).payments(of: contract).count
        let amended = current.amended(by: changes, amountMinorUnits: contract.amountMinorUnits, start: start, end: end, requestedTranches: requested)
        let old = ContractVersion()
        old.$contract.id = try contract.requireID()
        old.version = contract.version
        old.amountMinorUnits = contract.amountMinorUnits
        old.startDate = contract.startDate
        old.endDate = contract.endDate
        old.terms = contract.terms
        old.replacedOn = today.description
        amendment.status = next
        (amendment.decidedOn, amendment.decidedBy, amendment.decisionReason) = (today.description, actor, reason)
        contract.version += 1
        amendment.version = contract.version
        contract.terms = try StoredJSON.encode(amended)
        if let newEnd = changes.endDate { contract.endDate = newEnd.description }
        let reports = try await ReportService(database: database, services: services).reports(of: contract)
        try await database.writeTransaction { db in
            try await old.create(on: db)
            try await contract.save(on: db)
            try await amendment.save(on: db)
            if changes.endDate != nil {
                // Reports already submitted or approved stay; the others follow the new calendar.
                let kept = Set(reports.filter { $0.status != .draft }.map(\.number))
                for report in reports where report.status == .draft {
                    if let planned = amended.reports.first(where: { $0.number == report.number }) {
                        report.follow(planned, settings: amended.settings)
                        try await report.save(on: db)
                    } else if try await ExpenditureLine.query(on: db).filter(\.$report.$id == report.requireID()).count() == 0 {
                        try await report.delete(on: db)
                    }
                }
                let existing = Set(reports.map(\.number))
                for planned in amended.reports where !existing.contains(planned.number) && !kept.contains(planned.number) {
                    try await ContractReport(contract: try contract.requireID(), planned: planned, settings: amended.settings).create(on: db)
                }
            }
            try await audit("amendment.approved", contract, amendment, ["version": String(contract.version), "reason": reason], actor: actor, on: db)
        }
    }
}
