import Foundation
import FuqizoCore
import Vapor

/// Reading contracts: the portfolio, one contract's page, its print and documents, and a
/// CSO's own grants.
struct ContractPagesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("contracts", use: portfolio).access(.viewContracts)
        let contract = routes.grouped("contracts", ":contractID")
        contract.get(use: show).access(.viewContract, .contract)
        contract.get("print", use: print).access(.viewContract, .contract)
        contract.get("documents", ":attachmentID", use: download).access(.viewContract, .contract)
        routes.get("my-grants", use: mine).access(.viewOwnGrants)
    }

    // MARK: one contract

    static func render(_ req: Request, _ contract: GrantContract, signature: (SignatureForm, FieldErrors)? = nil,
                       payment: (UUID, PaymentForm, FieldErrors)? = nil, recovery typedRecovery: (RecoveryForm, FieldErrors)? = nil,
                       status: HTTPResponseStatus = .ok) async throws -> Response {
        let documents = try await ContractService(database: req.db, services: req.services).documents(of: contract)
        let paymentService = PaymentService(database: req.db, services: req.services)
        let payments = try await paymentService.payments(of: contract)
        let reportService = ReportService(database: req.db, services: req.services)
        let reports = try await reportService.reports(of: contract)
        let spent = Array(try await reportService.spending(of: contract).values).saturatingSum()
        let closure = ClosureService(database: req.db, services: req.services)
        let amendments = AmendmentService(database: req.db, services: req.services)
        let history = try AmendmentContext.history(req, contract, amendments: try await amendments.amendments(of: contract),
                                                   versions: contract.version > 1 ? try await amendments.versions(of: contract) : [])
        let monitoring = MonitoringService(database: req.db, services: req.services)
        let (visitRows, openActions) = (try await monitoring.visits(of: contract), try await monitoring.openActions(of: contract))
        let visits = try VisitContext.summary(req, contract, visits: visitRows, open: openActions,
                                              staff: try await monitoring.staff(named: visitRows, openActions))
        let context = try ContractContext.build(req, contract, documents: documents, payments: payments, reports: reports, amendments: history, visits: visits,
                                                nextPayment: try await paymentService.next(for: contract, payments: payments, reports: reports, spent: spent),
                                                settlement: try await closure.settlement(of: contract, payments: payments, spent: spent),
                                                recovery: try await closure.recovery(of: contract),
                                                signature: signature, payment: payment, recoveryForm: typedRecovery)
        return try await req.page("contracts/contract", title: "contract.title", context, status: status)
    }

    func show(req: Request) async throws -> Response {
        try await Self.render(req, try req.record(GrantContract.self))
    }

    func print(req: Request) async throws -> View {
        let contract = try req.record(GrantContract.self)
        let application = try await ApplicationService(database: req.db, services: req.services).find(contract.$application.id)
        let programme = try await SettingsService(database: req.db, services: req.services).current()
        return try await req.page("contracts/print", title: "contract.print.pageTitle",
                                  ContractPrint.build(contract, application: application, programme: programme, catalog: req.services.catalog))
    }

    func download(req: Request) async throws -> Response {
        let contract = try req.record(GrantContract.self)
        return try await DocumentStore(database: req.db).download(try req.id("attachmentID"), of: .contract, try contract.requireID())
    }

    // MARK: lists

    /// A list's row, its words already in the reader's language: a template tag per cell was
    /// a large part of the portfolio's time (docs/performance.md).
    struct Row: Encodable {
        let href: String
        let number: String
        let organisation: String
        let lot: String
        let status: String
        let amount: String
        let period: String
        let nextReport: String?
        /// "Overdue", when something is late.
        let late: String?
    }

    static func row(_ row: ContractPortfolio.Row, today: LocalDate, _ catalog: Catalog, _ language: Language) -> Row {
        return Row(href: SiteURL.contract(row.id).path, number: row.number, organisation: row.organisation,
                   lot: "\(row.callReference) · \(language.pick(row.lotSq, row.lotEn))", status: catalog.text(row.status.catalogKey, language),
                   amount: Money(minorUnits: row.amountMinorUnits, currency: row.currency).written(in: language),
                   period: "\(Display.date(iso: row.startDate, language)) – \(Display.date(iso: row.endDate, language))",
                   nextReport: row.nextReportDue.map { Display.date(iso: $0, language) },
                   late: row.isLate(today: today) ? catalog.text("work.urgency.overdue", language) : nil)
    }

    struct PortfolioQuery: Content {
        var region: String?
        var lot: String?
        var status: String?
        var late: String?
        var page: Int?

        /// What the person chose, as the portfolio's filter; anything unknown is ignored.
        func filter(today: LocalDate) -> ContractPortfolio.Filter {
            var filter = ContractPortfolio.Filter()
            filter.regionID = region.flatMap(UUID.init(uuidString:))
            filter.lotID = lot.flatMap(UUID.init(uuidString:))
            filter.status = status.flatMap(ContractStatus.init(rawValue:))
            filter.lateOn = late == "yes" ? today : nil
            filter.page = page
            return filter
        }

        /// The same choices as query items, for links (pages, exports).
        var items: [(String, String?)] { [("region", region), ("lot", lot), ("status", status), ("late", late)] }
    }

    struct PortfolioPage: Encodable {
        let rows: [Row]
        let pages: PageLinks
        let fields: [FieldContext]
        /// The same selection as CSV and XLSX.
        let csv: String
        let xlsx: String
    }

    func portfolio(req: Request) async throws -> View {
        let query = (try? req.query.decode(PortfolioQuery.self)) ?? PortfolioQuery()
        let language = req.language
        let contracts = ContractPortfolio(database: req.db)
        let today = TiranaTime.today(at: req.services.clock.now())
        let filter = query.filter(today: today)
        let page = try await contracts.page(filter)
        let geography = try await GeographyDirectory.load(on: req.db)
        let lots = try await contracts.lots()
        func link(_ number: Int) -> String {
            SiteURL.contracts.with(query.items + [("page", String(number))])
        }
        let fields = [
            FieldContext("region", label: "field.region", kind: "select", value: query.region ?? "",
                         options: geography.regions.map { .init(value: $0.id.uuidString, label: $0.name(language), selected: $0.id == filter.regionID) }),
            FieldContext("lot", label: "contract.field.lot", kind: "select", value: query.lot ?? "",
                         options: lots.map { .init(value: $0.id.uuidString, label: "\($0.call) · \(language.pick($0.nameSq, $0.nameEn))", selected: $0.id == filter.lotID) }),
            FieldContext("status", label: "field.status", kind: "select", value: query.status ?? "",
                         options: ContractStatus.allCases.map { .init(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0 == filter.status) }),
            FieldContext("late", label: "contracts.lateOnly", kind: "checkbox", value: query.late ?? "", hint: "contracts.late.hint"),
        ]
        return try await req.page("contracts/portfolio", title: "contracts.title", PortfolioPage(
            rows: page.rows.map { Self.row($0, today: today, req.services.catalog, language) }, pages: PageLinks(page.pager, link: link), fields: fields,
            csv: SiteURL.contractsExport(.csv).with(query.items), xlsx: SiteURL.contractsExport(.xlsx).with(query.items)))
    }

    struct MinePage: Encodable {
        let rows: [Row]
        let tasks: [String]
        let inPreparation: [String]
    }

    /// A CSO's grants: each contract, what it must do next, and awards whose contract the
    /// programme is preparing.
    func mine(req: Request) async throws -> View {
        let organisations = Array(req.actor.organisations(as: .csoUser))
        let contracts = ContractPortfolio(database: req.db)
        let today = TiranaTime.today(at: req.services.clock.now())
        let rows = try await contracts.contracts(of: organisations)
        return try await req.page("contracts/mine", title: "myGrants.title", MinePage(
            rows: rows.map { Self.row($0, today: today, req.services.catalog, req.language) },
            tasks: rows.filter { $0.status == .sentForSignature }.map(\.number),
            inPreparation: try await contracts.awardsInPreparation(of: organisations)))
    }
}
