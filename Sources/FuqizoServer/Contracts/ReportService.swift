import Fluent
import Foundation
import FuqizoCore
import SQLKit
import Vapor

/// A contract's reports: planned when it is signed, written by the grantee (narrative,
/// expenditure lines, evidence), submitted, returned with comments or approved by the grants
/// officer. Each change is asked of `ReportStatus` first and audited with it.
struct ReportService {
    let database: any Database
    let services: AppServices

    var now: Date { services.clock.now() }
    var today: LocalDate { TiranaTime.today(at: now) }

    /// Most lines one report holds (a year of small receipts).
    static let maximumLines = 2_000
    static let maximumComment = 1_000

    private func audit(_ action: String, _ contract: GrantContract, _ report: ContractReport, _ details: [String: String] = [:],
                       actor: UUID, on db: any Database) async throws {
        try await services.auditContract(action, contract, details.merging(["report": String(report.number)]) { $1 },
                                         actor: actor, at: now, on: db)
    }

    /// The report rows of a contract's calendar, made when it is signed (inside that transaction).
    static func plan(_ contract: GrantContract, terms: ContractTerms, on db: any Database) async throws {
        for planned in terms.reports {
            try await ContractReport(contract: try contract.requireID(), planned: planned, settings: terms.settings).create(on: db)
        }
    }

    func reports(of contract: GrantContract) async throws -> [ContractReport] {
        try await ContractReport.query(on: database).filter(\.$contract.$id == contract.requireID()).sort(\.$number).all()
    }

    /// The report numbered so of this contract; another contract's is not found.
    func find(_ number: Int, of contract: GrantContract) async throws -> ContractReport {
        guard let report = try await ContractReport.query(on: database).filter(\.$contract.$id == contract.requireID())
            .filter(\.$number == number).first() else { throw AppError.notFound }
        return report
    }

    func lines(of report: ContractReport) async throws -> [ExpenditureLine] {
        try await ExpenditureLine.query(on: database).filter(\.$report.$id == report.requireID()).sort(\.$spentOn).sort(\.$createdAt).all()
    }

    /// One page of a report's lines (in the order they were spent), and what all its lines
    /// add up to per heading and in number: a year of receipts can run to thousands, and the
    /// page decodes only the fifty it shows (docs/performance.md).
    struct LinePage: Sendable {
        let rows: [ExpenditureLine.Row]
        let pager: Pager
        let byHeading: [BudgetHeading: Int64]
    }

    func linePage(of report: ContractReport, page: Int?, pageSize: Int) async throws -> LinePage {
        guard let sql = database as? any SQLDatabase else { throw AppError.server }
        struct Totals: Decodable { let heading: BudgetHeading; let total: Int64; let lines: Int }
        let totals = try await sql.raw("""
            SELECT heading, CAST(SUM(minor_units) AS BIGINT) AS total, COUNT(*) AS lines FROM expenditure_lines
            WHERE report_id = \(bind: report.requireID()) GROUP BY heading
            """).all(decoding: Totals.self)
        let pager = Pager(requested: page, total: totals.map(\.lines).reduce(0, +), pageSize: pageSize)
        let rows = try await sql.raw("""
            \(ExpenditureLine.Row.select) WHERE report_id = \(bind: report.requireID()) ORDER BY spent_on, created_at
            LIMIT \(literal: pageSize) OFFSET \(literal: pager.offset)
            """).all(decoding: ExpenditureLine.Row.self)
        return LinePage(rows: rows, pager: pager, byHeading: Dictionary(totals.map { ($0.heading, $0.total) }, uniquingKeysWith: { $0.saturatingAdding($1) }))
    }

    /// Every line of a report as its page reads them (for an export).
    func lineRows(of report: ContractReport) async throws -> [ExpenditureLine.Row] {
        guard let sql = database as? any SQLDatabase else { throw AppError.server }
        return try await sql.raw("""
            \(ExpenditureLine.Row.select) WHERE report_id = \(bind: report.requireID()) ORDER BY spent_on, created_at
            """).all(decoding: ExpenditureLine.Row.self)
    }

    private struct HeadingSum: Decodable {
        let heading: BudgetHeading
        let total: Int64
    }

    /// Spending by heading over a contract's approved reports, leaving one out if asked (the
    /// report on the page, whose own lines are shown apart).
    func spending(of contract: GrantContract, excluding report: ContractReport? = nil) async throws -> [BudgetHeading: Int64] {
        guard let sql = database as? any SQLDatabase else { throw AppError.server }
        let leftOut: SQLQueryString = report?.id.map { "AND r.id <> \(bind: $0)" } ?? ""
        let rows = try await sql.raw("""
            SELECT l.heading, CAST(SUM(l.minor_units) AS BIGINT) AS total FROM expenditure_lines l JOIN contract_reports r ON r.id = l.report_id
            WHERE l.contract_id = \(bind: contract.requireID()) AND r.status = \(bind: ReportStatus.approved.rawValue) \(leftOut)
            GROUP BY l.heading
            """).all(decoding: HeadingSum.self)
        return Dictionary(rows.map { ($0.heading, $0.total) }, uniquingKeysWith: +)
    }

    // MARK: the grantee's writing

    func saveNarrative(_ report: ContractReport, of contract: GrantContract, form: NarrativeForm, actor: UUID) async throws {
        _ = try report.status.transition(.edit)
        try Self.requireRunning(contract)
        let results = try contract.contractTerms().results.count
        report.narrative = try StoredJSON.encode(form.trimmed(results: results))
        try await database.writeTransaction { db in
            try await report.save(on: db)
            try await audit("report.saved", contract, report, actor: actor, on: db)
        }
    }

    func addLine(_ report: ContractReport, of contract: GrantContract, form: ExpenditureForm, actor: UUID) async throws -> Result<Void, FieldErrors> {
        _ = try report.status.transition(.edit)
        try Self.requireRunning(contract)
        guard try await ExpenditureLine.query(on: database).filter(\.$report.$id == report.requireID()).count() < Self.maximumLines else {
            throw AppError(status: .conflict, messageKey: "expenditure.error.tooMany")
        }
        let terms = try contract.contractTerms()
        guard let start = contract.start, let end = contract.end else { throw AppError.server }
        switch form.validated(budget: terms.budget, contractCurrency: contract.currency, start: start, end: end, today: today) {
        case .failure(let errors): return .failure(errors)
        case .success(let typed):
            let line = ExpenditureLine()
            line.$report.id = try report.requireID()
            line.contractID = try contract.requireID()
            line.budgetLine = typed.budgetLine
            line.heading = typed.heading
            line.spentOn = typed.spentOn.description
            line.supplier = typed.supplier
            line.description = typed.description
            line.originalMinorUnits = typed.originalMinorUnits
            line.currency = typed.currency
            line.rate = typed.rate.tenThousandths
            line.rateSource = typed.rateSource
            line.minorUnits = typed.minorUnits
            line.createdBy = actor
            try await database.writeTransaction { db in
                try await line.create(on: db)
                try await audit("report.lineAdded", contract, report, ["amount": String(typed.minorUnits)], actor: actor, on: db)
            }
            return .success(())
        }
    }

    func removeLine(_ id: UUID, from report: ContractReport, of contract: GrantContract, actor: UUID) async throws {
        _ = try report.status.transition(.edit)
        guard let line = try await ExpenditureLine.query(on: database).filter(\.$id == id).filter(\.$report.$id == report.requireID()).first()
        else { throw AppError.notFound }
        try await database.writeTransaction { db in
            try await line.delete(on: db)
            try await audit("report.lineRemoved", contract, report, ["amount": String(line.minorUnits)], actor: actor, on: db)
        }
    }

    /// Evidence of the work and its visibility: photos, lists of participants, published material.
    func attachEvidence(_ document: CheckedDocument, bytes: [UInt8], to report: ContractReport, of contract: GrantContract, actor: UUID) async throws {
        _ = try report.status.transition(.edit)
        guard try await DocumentStore(database: database).attachments(of: .report, report.requireID()).count < DocumentStore.maximumPerOwner else {
            throw AppError(status: .conflict, messageKey: "document.error.tooMany")
        }
        let now = self.now
        try await database.writeTransaction { db in
            _ = try await DocumentStore.attach(document, bytes: bytes, to: .report, try report.requireID(), label: "evidence",
                                               category: "evidence", actor: actor, at: now, on: db)
            try await audit("report.evidenceAdded", contract, report, actor: actor, on: db)
        }
    }

    /// Submits the report: its narrative complete, its period over, the reports before it approved.
    func submit(_ report: ContractReport, of contract: GrantContract, actor: UUID) async throws -> Result<Void, FieldErrors> {
        let next = try report.status.transition(.submit)
        guard let planned = report.planned else { throw AppError.server }
        let earlier = try await reports(of: contract).filter { $0.number < report.number }
        if let refusal = ReportRule.maySubmit(planned, contract: contract.status, today: today, earlierApproved: earlier.allSatisfy { $0.status == .approved }) {
            throw AppError(refusal)
        }
        let problems = report.narrativeForm().problems(results: try contract.contractTerms().results.count)
        guard problems.isEmpty else { return .failure(problems) }
        report.status = next
        (report.submittedOn, report.submittedBy) = (today.description, actor)
        try await database.writeTransaction { db in
            try await report.save(on: db)
            try await audit("report.submitted", contract, report, actor: actor, on: db)
        }
        return .success(())
    }

    // MARK: the officer's review

    /// Sends the report back with a comment, and a comment on any line that needs one.
    func returnForChanges(_ report: ContractReport, of contract: GrantContract, comment: String, lineComments: [UUID: String],
                          actor: UUID) async throws -> Result<Void, FieldErrors> {
        let next = try report.status.transition(.returnForChanges)
        var errors = FieldErrors()
        let general = Text.clean(comment)
        if general == nil { errors.add("comment", "report.error.comment") }
        else if general!.count > Self.maximumComment { errors.add("comment", "form.error.tooLong") }
        guard errors.isEmpty, let general else { return .failure(errors) }
        let lines = try await lines(of: report)
        report.status = next
        report.reviewComment = general
        (report.reviewedOn, report.reviewedBy) = (today.description, actor)
        try await database.writeTransaction { db in
            // Only the lines the reviewer had on the page: a long report shows its lines a page at
            // a time, and the comments on other pages stay as they were.
            for line in lines {
                guard let typed = lineComments[line.id!] else { continue }
                let comment = Text.clean(typed).map { String($0.prefix(Self.maximumComment)) }
                guard comment != line.comment else { continue }
                line.comment = comment
                try await line.save(on: db)
            }
            try await report.save(on: db)
            try await audit("report.returned", contract, report, ["reason": general], actor: actor, on: db)
        }
        return .success(())
    }

    /// Approves the report; the final report's approval moves the contract on to closure.
    func approve(_ report: ContractReport, of contract: GrantContract, actor: UUID) async throws {
        report.status = try report.status.transition(.approve)
        if report.kind == .final { contract.status = try contract.status.transition(.approveFinalReport) }
        (report.reviewedOn, report.reviewedBy) = (today.description, actor)
        try await database.writeTransaction { db in
            try await report.save(on: db)
            try await contract.save(on: db)
            try await audit("report.approved", contract, report, actor: actor, on: db)
        }
    }

    static func requireRunning(_ contract: GrantContract) throws {
        guard contract.status == .signed || contract.status == .inImplementation else {
            throw AppError(status: .conflict, messageKey: "report.error.contractNotRunning")
        }
    }
}
