import Fluent
import Foundation
@testable import FuqizoCore
@testable import FuqizoServer
import Testing
import Vapor
import VaporTesting
import ZIPFoundation

/// The portfolio and a financial report as CSV and XLSX: headings in the reader's language,
/// amounts as numbers, formulas typed by a grantee made inert, only for those who see them.
@Suite("Contract exports")
struct ContractExportTests {
    @Test("a report's CSV: lines with their amounts as numbers, a supplier typed as a formula made inert, headings in English for an English reader")
    func reportCSV() async throws {
        try await withFuqizo { app in
            let helper = ContractTests()
            let today = TiranaTime.today(at: app.clock.now())
            let scene = try await helper.scene(app, start: today.adding(months: -13), months: 24)
            let (contract, id, granteeUser) = (scene.contract, scene.id, scene.grantee)
            let reports = ReportService(database: app.db, services: app.services)
            let report = try await reports.find(1, of: contract)
            _ = try await reports.addLine(report, of: contract, form: ExpenditureForm(budgetLine: "0", spentOn: today.adding(days: -40).description,
                                                                                       supplier: "=HYPERLINK(\"http://x\")", amount: "1234.5", currency: "EUR"),
                                          actor: granteeUser.id!).get()
            _ = try await reports.addLine(report, of: contract, form: ExpenditureForm(budgetLine: "0", spentOn: today.adding(days: -20).description,
                                                                                       supplier: "Furgon Kukës", amount: "98350", currency: "ALL", rate: "98,35",
                                                                                       rateSource: "Banka e Shqipërisë"), actor: granteeUser.id!).get()
            let grantee = try await helper.browser(app, granteeUser)
            grantee.setCookie(LanguageMiddleware.cookieName, "en")
            let csv = try await grantee.get("/contracts/\(id.uuidString)/reports/1/export/csv")
            #expect(csv.status == .ok && csv.headers.contentType?.subType == "csv")
            #expect(csv.headers.first(name: .contentDisposition) == "attachment; filename=\"\(contract.number)-report-1.csv\"")
            let text = csv.body.string
            let firstLine = try #require(text.split(separator: "\r\n").first)
            #expect(firstLine.hasPrefix("Date,Budget line,Supplier"))
            #expect(text.contains("'=HYPERLINK") && !text.contains(",=HYPERLINK"), "a formula is made inert")
            #expect(text.contains("1234.50,") && text.contains(",1000,"), "amounts as plain numbers: 98,350 lek at 98.35 is 1,000 €")
            #expect(text.contains("By heading"), "the totals per heading follow the lines")
            // Another CSO is not told the report exists.
            let stranger = try await helper.browser(app, try await helper.person(app, .csoUser, in: try await TestFixtures.organisation(app, name: "Tjetër").requireID()))
            #expect(try await stranger.get("/contracts/\(id.uuidString)/reports/1/export/csv").status == .notFound)
        }
    }

    @Test("the portfolio as XLSX: a workbook with its parts; amounts as numbers, dates as serial days; filtered like the page")
    func portfolioXLSX() async throws {
        try await withFuqizo { app in
            _ = try await TestFixtures.demo(app, applications: 8, survivors: 0)
            let finance = try await ContractTests().browser(app, try await ContractTests().person(app, .financeOfficer))
            // The page offers the same selection as files.
            let page = try await finance.get("/contracts?status=suspended").body.string
            #expect(page.contains("href=\"/contracts/export/xlsx?status=suspended\"") && page.contains("href=\"/contracts/export/csv?status=suspended\""))
            let response = try await finance.get("/contracts/export/xlsx")
            #expect(response.status == .ok)
            #expect(response.headers.contentType?.subType == "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            let archive = try Archive(data: Data(buffer: response.body), accessMode: .read)
            let parts = Set(archive.map(\.path))
            #expect(parts.isSuperset(of: ["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml",
                                          "xl/worksheets/sheet1.xml"]))
            var sheet = Data()
            let entry = try #require(archive["xl/worksheets/sheet1.xml"])
            _ = try archive.extract(entry) { sheet.append($0) }
            let xml = String(decoding: sheet, as: UTF8.self)
            let contracts = try await GrantContract.query(on: app.db).all()
            #expect(contracts.allSatisfy { xml.contains(">\($0.number)<") }, "every contract, no pages")
            #expect(xml.contains("<c r=\"G2\" s=\"1\"><v>"), "the amount is a number with the amount style")
            #expect(xml.contains("<c r=\"I2\" s=\"2\"><v>"), "the start is a date")
            // Filtered as the page is: a status no contract has gives headings only.
            let none = try await finance.get("/contracts/export/csv?status=closed").body.string
            #expect(none.split(separator: "\r\n").count == 1)
            #expect(Spreadsheet.serial(LocalDate("2027-01-01")!) == 46388 && Spreadsheet.serial(LocalDate("1900-03-01")!) == 61)
            #expect(Spreadsheet.columnName(0) == "A" && Spreadsheet.columnName(25) == "Z" && Spreadsheet.columnName(26) == "AA")
            #expect(Spreadsheet.escaped("a<b & \u{1}c") == "a&lt;b &amp; c")
        }
    }
}

@Suite("Long financial reports")
struct LongReportTests {
    @Test("a report of 60 lines shows 50 a page, totals over all 60; a review comment on page 2 survives a return made from page 1")
    func pagedLines() async throws {
        try await withFuqizo { app in
            let helper = ContractTests()
            let today = TiranaTime.today(at: app.clock.now())
            let scene = try await helper.scene(app, start: today.adding(months: -13), months: 24)
            let (contract, granteeUser) = (scene.contract, scene.grantee)
            let reports = ReportService(database: app.db, services: app.services)
            let report = try await reports.find(1, of: contract)
            for index in 1...60 {
                _ = try await reports.addLine(report, of: contract, form: ExpenditureForm(budgetLine: "0", spentOn: today.adding(days: -40).description,
                                                                                           supplier: "Furnitor \(index)", amount: "10", currency: "EUR"),
                                              actor: granteeUser.id!).get()
            }
            let page = "/contracts/\(try contract.requireID().uuidString)/reports/1"
            let grantee = try await helper.browser(app, granteeUser)
            let first = try await grantee.get(page).body.string
            let second = try await grantee.get("\(page)?page=2").body.string
            func suppliers(_ html: String) -> Int { html.components(separatedBy: "Furnitor ").count - 1 }
            #expect(suppliers(first) == 50 && suppliers(second) == 10)
            let total = Money(minorUnits: 60_000, currency: contract.currency).written(in: .sq)
            #expect(first.contains(total) && second.contains(total), "the total counts every line")
            #expect(try await grantee.get("\(page)?page=99999999999999999999").status == .ok, "a page number too large for any integer is page 1")

            // The officer comments a line of page 2, and later returns the report from page 1: the comment stays.
            let lines = try await reports.lines(of: report)
            let last = try #require(lines.last)
            last.comment = "Mungon fatura."
            try await last.save(on: app.db)
            try await reports.saveNarrative(report, of: contract, form: NarrativeForm(activities: "Trajnime.",
                                                                                      actuals: Array(repeating: "5", count: try contract.contractTerms().results.count)),
                                            actor: granteeUser.id!)
            _ = try await reports.submit(report, of: contract, actor: granteeUser.id!).get()
            let officer = try await helper.person(app, .grantsOfficer)
            _ = try await reports.returnForChanges(report, of: contract, comment: "Shihni komentet.", lineComments: [lines[0].id!: "Data?"], actor: officer.id!).get()
            #expect(try await ExpenditureLine.find(last.id!, on: app.db)?.comment == "Mungon fatura.")
            #expect(try await ExpenditureLine.find(lines[0].id!, on: app.db)?.comment == "Data?")
        }
    }
}
