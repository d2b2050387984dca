import Fluent
import Foundation
import FuqizoCore
import SQLKit

/// Contracts' part of people's work lists: the facts `ContractWork` needs, in grouped,
/// indexed queries (this runs for the navigation's counts too). Columns are named as the rows'
/// properties: converting keys from snake case for thousands of rows slowed the home page.
struct ContractWorkload: WorkSource {
    func items(for actor: Actor, today: LocalDate, now: Date, on database: any Database) async throws -> [WorkItem] {
        guard let sql = database as? any SQLDatabase, actor.isSignedIn else { return [] }
        var items: [WorkItem] = []
        if actor.has(.grantsOfficer) {
            items += ContractWork.officer(try await contracts(in: [.draft, .sentForSignature], of: nil, sql),
                                          awards: try await awardsWithoutContract(sql))
            items += ContractWork.checks(try await payments(in: [.requested], of: nil, sql))
            items += ContractWork.reviews(try await reports(in: [.submitted], of: nil, sql))
            items += ContractWork.amendments(try await amendmentRequests(sql))
        }
        if actor.has(.grantsOfficer), let me = actor.userID {
            items += ContractWork.visits(try await plannedVisits(of: me, sql), today: today)
            items += ContractWork.followUps(try await openFollowUps(owner: me.uuidString, of: nil, sql), section: "nav.contracts")
        }
        if actor.has(.financeOfficer) {
            items += ContractWork.finance(try await payments(in: [.checked, .approved], of: nil, sql))
        }
        let organisations = actor.organisations(as: .csoUser)
        if !organisations.isEmpty {
            items += ContractWork.grantee(try await contracts(in: [.sentForSignature, .signed], of: Array(organisations), sql),
                                          returned: try await payments(in: [.returned], of: Array(organisations), sql))
            items += ContractWork.reporting(try await reports(in: [.draft, .returned], of: Array(organisations), sql), today: today)
            items += ContractWork.followUps(try await openFollowUps(owner: FollowUpOwner.grantee.stored, of: Array(organisations), sql), section: "nav.myGrants")
        }
        return items
    }

    private struct ReportRow: Decodable {
        let contractId: UUID
        let number: String
        let report: Int
        let status: ReportStatus
        let dueDate: String
        let remindFrom: String
    }

    /// Reports of running contracts in these states.
    private func reports(in statuses: [ReportStatus], of organisations: [UUID]?, _ sql: any SQLDatabase) async throws -> [ContractWork.Report] {
        var condition: SQLQueryString = "r.status IN \(SQLBind.group(statuses.map(\.rawValue))) AND c.status IN \(SQLBind.group([ContractStatus.signed.rawValue, ContractStatus.inImplementation.rawValue]))"
        if let organisations { condition = "\(condition) AND c.organisation_id IN \(SQLBind.group(organisations))" }
        return try await sql.raw("""
            SELECT r.contract_id AS "contractId", c.number, r.number AS report, r.status, r.due_date AS "dueDate", r.remind_from AS "remindFrom"
            FROM contract_reports r JOIN grant_contracts c ON c.id = r.contract_id WHERE \(condition)
            """).all(decoding: ReportRow.self).compactMap { row in
            guard let due = LocalDate(row.dueDate), let remindFrom = LocalDate(row.remindFrom) else { return nil }
            return ContractWork.Report(contract: row.contractId, number: row.number, report: row.report, status: row.status, due: due,
                                       remindFrom: remindFrom)
        }
    }

    private struct VisitRow: Decodable {
        let contractId: UUID
        let number: String
        let visit: Int
        let day: String
    }

    /// Visits this person is to make, still planned.
    private func plannedVisits(of visitor: UUID, _ sql: any SQLDatabase) async throws -> [ContractWork.Visit] {
        try await sql.raw("""
            SELECT v.contract_id AS "contractId", c.number, v.number AS visit, v.planned_on AS day
            FROM monitoring_visits v JOIN grant_contracts c ON c.id = v.contract_id
            WHERE v.status = \(bind: VisitStatus.planned.rawValue) AND v.visitor_id = \(bind: visitor)
            """).all(decoding: VisitRow.self).compactMap { row in
            LocalDate(row.day).map { ContractWork.Visit(contract: row.contractId, number: row.number, visit: row.visit, plannedOn: $0) }
        }
    }

    /// Open follow-up actions with this owner (on these organisations' contracts, for grantees).
    private func openFollowUps(owner: String, of organisations: [UUID]?, _ sql: any SQLDatabase) async throws -> [ContractWork.FollowUp] {
        var condition: SQLQueryString = "f.status = \(bind: FollowUpStatus.open.rawValue) AND f.owner = \(bind: owner)"
        if let organisations { condition = "\(condition) AND c.organisation_id IN \(SQLBind.group(organisations))" }
        return try await sql.raw("""
            SELECT f.contract_id AS "contractId", c.number, v.number AS visit, f.due_on AS day
            FROM follow_up_actions f JOIN monitoring_visits v ON v.id = f.visit_id JOIN grant_contracts c ON c.id = f.contract_id
            WHERE \(condition)
            """).all(decoding: VisitRow.self).compactMap { row in
            LocalDate(row.day).map { ContractWork.FollowUp(contract: row.contractId, number: row.number, visit: row.visit, due: $0) }
        }
    }

    private struct AmendmentRow: Decodable {
        let contractId: UUID
        let number: String
        let amendment: Int
        let requestedOn: String
    }

    private func amendmentRequests(_ sql: any SQLDatabase) async throws -> [ContractWork.Amendment] {
        try await sql.raw("""
            SELECT a.contract_id AS "contractId", c.number, a.number AS amendment, a.requested_on AS "requestedOn"
            FROM contract_amendments a JOIN grant_contracts c ON c.id = a.contract_id
            WHERE a.status = \(bind: AmendmentStatus.requested.rawValue)
            """).all(decoding: AmendmentRow.self).compactMap { row in
            LocalDate(row.requestedOn).map { ContractWork.Amendment(contract: row.contractId, number: row.number, amendment: row.amendment, requestedOn: $0) }
        }
    }

    private struct PaymentRow: Decodable {
        let contractId: UUID
        let number: String
        let status: PaymentStatus
        let requestedOn: String
        let checkedOn: String?
        let approvedOn: String?
    }

    private func payments(in statuses: [PaymentStatus], of organisations: [UUID]?, _ sql: any SQLDatabase) async throws -> [ContractWork.Payment] {
        var condition: SQLQueryString = "p.status IN \(SQLBind.group(statuses.map(\.rawValue)))"
        if let organisations { condition = "\(condition) AND c.organisation_id IN \(SQLBind.group(organisations))" }
        return try await sql.raw("""
            SELECT p.contract_id AS "contractId", c.number, p.status, p.requested_on AS "requestedOn", p.checked_on AS "checkedOn", p.approved_on AS "approvedOn"
            FROM payment_requests p JOIN grant_contracts c ON c.id = p.contract_id WHERE \(condition)
            """).all(decoding: PaymentRow.self).compactMap { row in
            guard let since = LocalDate(row.approvedOn ?? row.checkedOn ?? row.requestedOn) else { return nil }
            return ContractWork.Payment(contract: row.contractId, number: row.number, status: row.status, since: since)
        }
    }

    private struct ContractRow: Decodable {
        let id: UUID
        let number: String
        let status: ContractStatus
        let sentOn: String?
        let payments: Int
    }

    private func contracts(in statuses: [ContractStatus], of organisations: [UUID]?, _ sql: any SQLDatabase) async throws -> [ContractWork.Contract] {
        var condition: SQLQueryString = "status IN \(SQLBind.group(statuses.map(\.rawValue)))"
        if let organisations { condition = "\(condition) AND organisation_id IN \(SQLBind.group(organisations))" }
        return try await sql.raw("""
            SELECT id, number, status, sent_on AS "sentOn", (SELECT COUNT(*) FROM payment_requests p WHERE p.contract_id = grant_contracts.id) AS payments
            FROM grant_contracts WHERE \(condition)
            """).all(decoding: ContractRow.self)
            .map { ContractWork.Contract(id: $0.id, number: $0.number, status: $0.status, sentOn: $0.sentOn.flatMap(LocalDate.init), payments: $0.payments) }
    }

    private struct AwardRow: Decodable {
        let callId: UUID
        let reference: String
        let awards: Int
    }

    private func awardsWithoutContract(_ sql: any SQLDatabase) async throws -> [ContractWork.Awards] {
        try await sql.raw("""
            SELECT a.call_id AS "callId", c.reference, COUNT(*) AS awards
            FROM grant_applications a JOIN grant_calls c ON c.id = a.call_id
            WHERE a.status = \(bind: ApplicationStatus.awarded.rawValue)
              AND NOT EXISTS (SELECT 1 FROM grant_contracts k WHERE k.application_id = a.id)
            GROUP BY a.call_id, c.reference
            """).all(decoding: AwardRow.self)
            .map { ContractWork.Awards(call: $0.callId, reference: $0.reference, withoutContract: $0.awards) }
    }
}
