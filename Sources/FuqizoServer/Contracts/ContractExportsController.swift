import Foundation
import FuqizoCore
import Vapor

/// The portfolio and each financial report as CSV and XLSX, headed in the reader's language:
/// amounts as numbers, dates as dates, text inert.
struct ContractExportsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        for format in Spreadsheet.Format.allCases {
            routes.get("contracts", "export", "\(format.rawValue)") { req in
                try await portfolio(req, format)
            }.access(.viewContracts)
            routes.get("contracts", ":contractID", "reports", ":number", "export", "\(format.rawValue)") { req in
                try await report(req, format)
            }.access(.viewContract, .contract)
        }
    }

    func portfolio(_ req: Request, _ format: Spreadsheet.Format) async throws -> Response {
        let query = (try? req.query.decode(ContractPagesController.PortfolioQuery.self)) ?? .init()
        let today = TiranaTime.today(at: req.services.clock.now())
        let rows = try await ContractPortfolio(database: req.db).all(query.filter(today: today))
        let geography = try await GeographyDirectory.load(on: req.db)
        let language = req.language
        let sheet = SpreadsheetSheet(
            name: req.t("contracts.title"),
            headings: ["contract.number", "contract.grantee", "export.call", "contract.field.lot", "field.region", "field.status",
                       "contract.money.granted", "field.currency", "contract.field.start", "contract.field.end", "contract.next.report", "export.late"].map { req.t($0) },
            rows: rows.map { row in
                [.text(row.number), .text(row.organisation), .text(row.callReference), .text(language.pick(row.lotSq, row.lotEn)),
                 .text(row.regionId.flatMap { id in geography.regions.first { $0.id == id }?.name(language) } ?? ""),
                 .text(req.t(row.status.catalogKey)), .amount(row.amountMinorUnits), .text(row.currency),
                 LocalDate(row.startDate).map { .date($0) } ?? .empty, LocalDate(row.endDate).map { .date($0) } ?? .empty,
                 row.nextReportDue.flatMap(LocalDate.init).map { .date($0) } ?? .empty,
                 .text(row.isLate(today: today) ? req.t("work.urgency.overdue") : "")]
            })
        return try Spreadsheet.response([sheet], as: format, name: "fuqizo-contracts-\(today)")
    }

    /// The report's lines, then its totals per heading against the budget (as on its page).
    func report(_ req: Request, _ format: Spreadsheet.Format) async throws -> Response {
        let contract = try req.record(GrantContract.self)
        guard let number = req.parameters.get("number").flatMap({ Bounded.integer($0, in: 1...1_000) }) else { throw AppError.notFound }
        let reports = ReportService(database: req.db, services: req.services)
        let report = try await reports.find(number, of: contract)
        let lines = try await reports.lineRows(of: report)
        let before = try await reports.spending(of: contract, excluding: report)
        let terms = try contract.contractTerms()
        let language = req.language
        let thisReport = Dictionary(grouping: lines, by: \.heading).mapValues { $0.map(\.minorUnits).saturatingSum() }
        let variance = BudgetVariance(budget: terms.budgetByHeading, spent: before.merging(thisReport) { $0.saturatingAdding($1) },
                                      settings: terms.settings)
        func budgetLine(_ index: Int) -> String {
            guard terms.budget.indices.contains(index) else { return "" }
            return "\(req.t(terms.budget[index].heading.catalogKey)) — \(terms.budget[index].description)"
        }
        let linesSheet = SpreadsheetSheet(
            name: req.t("export.lines"),
            headings: ["expenditure.field.spentOn", "expenditure.field.budgetLine", "expenditure.field.supplier", "expenditure.field.description",
                       "expenditure.original", "field.currency", "expenditure.field.rate", "expenditure.field.rateSource", "export.amountContract",
                       "expenditure.comment"].map { req.t($0) },
            rows: lines.map { line in
                [LocalDate(line.spentOn).map { .date($0) } ?? .text(line.spentOn), .text(budgetLine(line.budgetLine)), .text(line.supplier),
                 .text(line.description), .amount(line.originalMinorUnits), .text(line.currency),
                 line.currency == contract.currency ? .empty : .text(ReportContext.rateText(line.rate, language)),
                 .text(line.rateSource ?? ""), .amount(line.minorUnits), .text(line.comment ?? "")]
            } + [[.text(req.t("report.spent")), .empty, .empty, .empty, .empty, .empty, .empty, .empty,
                  .amount(lines.map(\.minorUnits).saturatingSum()), .empty]])
        let headingsSheet = SpreadsheetSheet(
            name: req.t("export.headings"),
            headings: ["budget.heading", "report.budget", "report.before", "report.this", "report.variance", "export.sharePercent", "export.amendment"]
                .map { req.t($0) },
            rows: variance.rows.filter { $0.budgetMinorUnits > 0 || $0.spentMinorUnits > 0 }.map { row in
                // A share in basis points written as a percentage with two decimals (1250 → 12.5).
                [.text(req.t(row.heading.catalogKey)), .amount(row.budgetMinorUnits), .amount(before[row.heading] ?? 0),
                 .amount(thisReport[row.heading] ?? 0), .amount(row.varianceMinorUnits),
                 row.spentBasisPoints.map { .amount(Int64($0)) } ?? .empty, .text(row.needsAmendment ? req.t("report.amendmentNeeded") : "")]
            })
        return try Spreadsheet.response([linesSheet, headingsSheet], as: format, name: "\(contract.number)-report-\(report.number)")
    }
}
