import Fluent
import Foundation
import FuqizoCore
import SQLKit

/// Lists of contracts: the grants officer's portfolio (every contract, filtered, 50 a page)
/// and a CSO's own. Read with plain SQL: the portfolio is opened all day at national scale.
struct ContractPortfolio {
    let database: any Database

    static let pageSize = 50

    /// One contract in a list. Rows are read on a page measured hot (docs/performance.md), so
    /// the columns are named.
    struct Row: Decodable, Sendable {
        let id: UUID
        let number: String
        let status: ContractStatus
        let organisationId: UUID
        let organisation: String
        let callReference: String
        let lotSq: String
        let lotEn: String
        let regionId: UUID?
        let currency: String
        let amountMinorUnits: Int64
        let startDate: String
        let endDate: String
        let sentOn: String?
        /// The earliest due date of a report not yet submitted (or returned).
        let nextReportDue: String?
        /// The oldest step a payment request has waited at, if one waits for the programme.
        let paymentWaitingSince: String?
        /// The earliest due day of a monitoring visit's follow-up action still open.
        let followUpDue: String?

        /// The columns by name: converting every key from snake case cost a tenth of the
        /// portfolio's time (docs/performance.md).
        enum CodingKeys: String, CodingKey {
            case id, number, status, organisation, currency
            case organisationId = "organisation_id", callReference = "call_reference", lotSq = "lot_sq", lotEn = "lot_en"
            case regionId = "region_id", amountMinorUnits = "amount_minor_units", startDate = "start_date", endDate = "end_date"
            case sentOn = "sent_on", nextReportDue = "next_report_due", paymentWaitingSince = "payment_waiting_since"
            case followUpDue = "follow_up_due"
        }

        static let select: SQLQueryString = """
            SELECT c.id, c.number, c.status, c.organisation_id, o.name_sq AS organisation, g.reference AS call_reference,
                   l.name_sq AS lot_sq, l.name_en AS lot_en, c.region_id, c.currency, c.amount_minor_units,
                   c.start_date, c.end_date, c.sent_on,
                   (SELECT MIN(r.due_date) FROM contract_reports r WHERE r.contract_id = c.id AND r.status IN ('draft', 'returned')) AS next_report_due,
                   (SELECT MIN(COALESCE(p.approved_on, p.checked_on, p.requested_on)) FROM payment_requests p
                    WHERE p.contract_id = c.id AND p.status IN ('requested', 'checked', 'approved')) AS payment_waiting_since,
                   (SELECT MIN(f.due_on) FROM follow_up_actions f WHERE f.contract_id = c.id AND f.status = 'open') AS follow_up_due
            FROM grant_contracts c
            JOIN organisations o ON o.id = c.organisation_id
            JOIN call_lots l ON l.id = c.lot_id
            JOIN grant_calls g ON g.id = c.call_id
            """

        /// The next report the contract asks for (the last one once all are past).
        /// Late: a report past its due date, a signature or a payment step waiting longer than it
        /// should, a follow-up action past its day.
        func isLate(today: LocalDate) -> Bool {
            if let due = nextReportDue.flatMap(LocalDate.init), due < today, status.isRunning { return true }
            if status == .sentForSignature, let sent = sentOn.flatMap(LocalDate.init), sent.adding(days: ContractWork.signatureDays) < today { return true }
            if let since = paymentWaitingSince.flatMap(LocalDate.init), since.adding(days: ContractWork.paymentStepDays) < today { return true }
            if let due = followUpDue.flatMap(LocalDate.init), due < today, status != .closed, status != .terminated { return true }
            return false
        }
    }

    struct Filter: Sendable {
        var regionID: UUID?
        var lotID: UUID?
        var status: ContractStatus?
        /// Only contracts with something late (`Row.isLate`), as of this day.
        var lateOn: LocalDate?
        var page: Int?
    }

    struct Page: Sendable {
        let rows: [Row]
        let pager: Pager
    }

    /// The filter as one SQL condition over `c` (the contracts).
    private func condition(_ filter: Filter) -> SQLList {
        var conditions: [SQLQueryString] = ["1 = 1"]
        if let region = filter.regionID { conditions.append("c.region_id = \(bind: region)") }
        if let lot = filter.lotID { conditions.append("c.lot_id = \(bind: lot)") }
        if let status = filter.status { conditions.append("c.status = \(bind: status.rawValue)") }
        if let today = filter.lateOn {
            let signatureDeadline = today.adding(days: -ContractWork.signatureDays).description
            let paymentDeadline = today.adding(days: -ContractWork.paymentStepDays).description
            conditions.append("""
                ((c.status IN ('signed', 'inImplementation', 'finalReportApproved') AND EXISTS (SELECT 1 FROM contract_reports r WHERE r.contract_id = c.id
                    AND r.status IN ('draft', 'returned') AND r.due_date < \(bind: today.description)))
                 OR (c.status = 'sentForSignature' AND c.sent_on < \(bind: signatureDeadline))
                 OR EXISTS (SELECT 1 FROM payment_requests p WHERE p.contract_id = c.id AND p.status IN ('requested', 'checked', 'approved')
                    AND COALESCE(p.approved_on, p.checked_on, p.requested_on) < \(bind: paymentDeadline))
                 OR (c.status NOT IN ('closed', 'terminated') AND EXISTS (SELECT 1 FROM follow_up_actions f WHERE f.contract_id = c.id
                    AND f.status = 'open' AND f.due_on < \(bind: today.description))))
                """)
        }
        return SQLList(conditions, separator: SQLRaw(" AND "))
    }

    func page(_ filter: Filter) async throws -> Page {
        guard let sql = database as? any SQLDatabase else { throw AppError.server }
        let condition = condition(filter)
        let total = try await sql.raw("SELECT COUNT(*) AS n FROM grant_contracts c WHERE \(condition)").first()?
            .decode(column: "n", as: Int.self) ?? 0
        let pager = Pager(requested: filter.page, total: total, pageSize: Self.pageSize)
        let rows = try await sql.raw("""
            \(Row.select)
            WHERE \(condition)
            ORDER BY c.number
            LIMIT \(literal: Self.pageSize) OFFSET \(literal: pager.offset)
            """).all(decoding: Row.self)
        return Page(rows: rows, pager: pager)
    }

    /// Most contracts one export holds: far above a national programme's.
    static let maximumExport = 20_000

    /// Every contract the filter selects (no pages), for an export.
    func all(_ filter: Filter) async throws -> [Row] {
        guard let sql = database as? any SQLDatabase else { throw AppError.server }
        return try await sql.raw("""
            \(Row.select)
            WHERE \(condition(filter))
            ORDER BY c.number
            LIMIT \(literal: Self.maximumExport)
            """).all(decoding: Row.self)
    }

    /// The contracts of these organisations their users may see: every one sent for signature
    /// or later (a draft is the programme's working copy).
    func contracts(of organisations: [UUID]) async throws -> [Row] {
        guard !organisations.isEmpty else { return [] }
        guard let sql = database as? any SQLDatabase else { throw AppError.server }
        return try await sql.raw("""
            \(Row.select)
            WHERE c.organisation_id IN \(SQLBind.group(organisations)) AND c.status <> \(bind: ContractStatus.draft.rawValue)
            ORDER BY c.number
            """).all(decoding: Row.self)
    }

    /// Awards of these organisations whose contract is not yet sent: the programme prepares it.
    func awardsInPreparation(of organisations: [UUID]) async throws -> [String] {
        guard !organisations.isEmpty else { return [] }
        guard let sql = database as? any SQLDatabase else { throw AppError.server }
        struct AwardRow: Decodable { let reference: String }
        return try await sql.raw("""
            SELECT a.reference FROM grant_applications a
            WHERE a.organisation_id IN \(SQLBind.group(organisations)) AND a.status = \(bind: ApplicationStatus.awarded.rawValue)
              AND NOT EXISTS (SELECT 1 FROM grant_contracts c WHERE c.application_id = a.id AND c.status <> \(bind: ContractStatus.draft.rawValue))
            ORDER BY a.reference
            """).all(decoding: AwardRow.self).map(\.reference)
    }

    /// The lots that have contracts, for the portfolio's filter: "CFP-2019-01 · Tirana".
    func lots() async throws -> [(id: UUID, call: String, nameSq: String, nameEn: String)] {
        guard let sql = database as? any SQLDatabase else { throw AppError.server }
        struct LotRow: Decodable { let id: UUID; let reference: String; let nameSq: String; let nameEn: String }
        return try await sql.raw("""
            SELECT l.id, g.reference, l.name_sq AS "nameSq", l.name_en AS "nameEn" FROM call_lots l JOIN grant_calls g ON g.id = l.call_id
            WHERE EXISTS (SELECT 1 FROM grant_contracts c WHERE c.lot_id = l.id)
            ORDER BY g.reference, l.position
            """).all(decoding: LotRow.self).map { ($0.id, $0.reference, $0.nameSq, $0.nameEn) }
    }

    /// Money per programme region and currency: awarded, contracted, paid, reported (approved
    /// spending) and recovered. Sums only, for donors: never a contract, never a grantee.
    struct RegionFigures: Sendable {
        let regionID: UUID?
        let currency: String
        var awarded: Int64 = 0
        var contracted: Int64 = 0
        var paid: Int64 = 0
        var reported: Int64 = 0
        var recovered: Int64 = 0
    }

    private struct Sum: Decodable {
        let regionId: UUID?
        let currency: String
        let total: Int64?
    }

    func figuresByRegion() async throws -> [RegionFigures] {
        guard let sql = database as? any SQLDatabase else { throw AppError.server }
        func sums(_ query: SQLQueryString) async throws -> [Sum] {
            try await sql.raw(query).all(decoding: Sum.self, keyDecodingStrategy: .convertFromSnakeCase)
        }
        let awarded = try await sums("""
            SELECT l.region_id, g.currency, CAST(SUM(a.requested_minor_units) AS BIGINT) AS total FROM grant_applications a
            JOIN call_lots l ON l.id = a.lot_id JOIN grant_calls g ON g.id = a.call_id
            WHERE a.status = \(bind: ApplicationStatus.awarded.rawValue) GROUP BY l.region_id, g.currency
            """)
        let contracted = try await sums("""
            SELECT region_id, currency, CAST(SUM(amount_minor_units) AS BIGINT) AS total FROM grant_contracts
            WHERE status NOT IN \(SQLBind.group([ContractStatus.draft.rawValue, ContractStatus.sentForSignature.rawValue])) GROUP BY region_id, currency
            """)
        let paid = try await sums("""
            SELECT c.region_id, c.currency, CAST(SUM(p.paid_minor_units) AS BIGINT) AS total FROM payment_requests p
            JOIN grant_contracts c ON c.id = p.contract_id WHERE p.status = \(bind: PaymentStatus.paid.rawValue) GROUP BY c.region_id, c.currency
            """)
        let reported = try await sums("""
            SELECT c.region_id, c.currency, CAST(SUM(l.minor_units) AS BIGINT) AS total FROM expenditure_lines l
            JOIN contract_reports r ON r.id = l.report_id JOIN grant_contracts c ON c.id = l.contract_id
            WHERE r.status = \(bind: ReportStatus.approved.rawValue) GROUP BY c.region_id, c.currency
            """)
        let recovered = try await sums("""
            SELECT c.region_id, c.currency, CAST(SUM(o.amount_minor_units) AS BIGINT) AS total FROM recovery_orders o
            JOIN grant_contracts c ON c.id = o.contract_id WHERE o.status <> \(bind: RecoveryStatus.issued.rawValue) GROUP BY c.region_id, c.currency
            """)
        var figures: [String: RegionFigures] = [:]
        func add(_ rows: [Sum], _ field: WritableKeyPath<RegionFigures, Int64>) {
            for row in rows {
                let key = "\(row.regionId?.uuidString ?? "-")|\(row.currency)"
                figures[key, default: RegionFigures(regionID: row.regionId, currency: row.currency)][keyPath: field] += row.total ?? 0
            }
        }
        add(awarded, \.awarded)
        add(contracted, \.contracted)
        add(paid, \.paid)
        add(reported, \.reported)
        add(recovered, \.recovered)
        return Array(figures.values)
    }
}
