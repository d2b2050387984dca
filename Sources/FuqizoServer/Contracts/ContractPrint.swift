import Foundation
import FuqizoCore
import Vapor

/// The contract as printed and signed: every word in the contract's language (the grantee's),
/// whatever the language of the person printing it.
enum ContractPrint {
    struct Cell: Encodable {
        let text: String
        /// An amount or count, aligned right.
        let numeric: Bool
    }

    struct Table: Encodable {
        let headings: [Cell]
        let rows: [[Cell]]

        /// `numeric` says which columns hold amounts or counts.
        init(headings: [String], rows: [[String]], numeric: [Bool]) {
            func cells(_ texts: [String]) -> [Cell] {
                texts.enumerated().map { Cell(text: $0.element, numeric: numeric.indices.contains($0.offset) && numeric[$0.offset]) }
            }
            self.headings = cells(headings)
            self.rows = rows.map(cells)
        }
    }

    struct Article: Encodable {
        let heading: String
        let paragraphs: [String]
        let table: Table?
    }

    struct Signature: Encodable {
        let party: String
        let name: String
        let signedOn: String?
    }

    struct View: Encodable {
        let lang: String
        let title: String
        let subtitle: String
        let parties: [String]
        let articles: [Article]
        let signatures: [Signature]
        let version: String
        let back: String
        let printHint: String
    }

    /// The contract as it stands, or as `version` had it before an amendment replaced it.
    static func build(_ contract: GrantContract, application: GrantApplication, programme: ProgrammeSettings, catalog: Catalog,
                      version: ContractVersion? = nil) throws -> View {
        let language = contract.printLanguage
        let terms = try version.map { try StoredJSON.decode(ContractTerms.self, from: $0.terms) } ?? contract.contractTerms()
        let (amount, startDate, endDate) = version.map { ($0.amountMinorUnits, $0.startDate, $0.endDate) }
            ?? (contract.amountMinorUnits, contract.startDate, contract.endDate)
        func t(_ key: String, _ values: [String: String] = [:]) -> String { catalog.format(key, language, values) }
        func money(_ minorUnits: Int64) -> String { Money(minorUnits: minorUnits, currency: contract.currency).written(in: language) }
        func percent(_ basisPoints: Int) -> String { Display.percent(basisPoints: basisPoints, language) }
        let settings = terms.settings
        let programmeName = language.pick(programme.programmeNameSq, programme.programmeNameEn)
        let organisation = contract.organisation
        let title = Text.clean(application.content(.full).title) ?? application.reference ?? ""
        let months = LocalDate(startDate).flatMap { start in LocalDate(endDate).map { ContractDuration.months(from: start, to: $0) } } ?? 0
        let articles = [
            Article(heading: t("contract.print.subject"), paragraphs: [
                t("contract.print.subject.text", ["title": title, "call": contract.call.reference,
                                                  "lot": language.pick(contract.lot.nameSq, contract.lot.nameEn)]),
            ], table: nil),
            Article(heading: t("contract.print.amount"), paragraphs: [
                t("contract.print.amount.text", ["amount": money(amount)]),
            ], table: Table(
                headings: [t("budget.heading"), t("budget.description"), t("budget.units"), t("budget.unitCost"), t("budget.lineTotal")],
                rows: terms.budget.map { line in
                    [t(line.heading.catalogKey), line.description, Display.count(line.units, language), money(line.unitCostMinorUnits), money(line.totalMinorUnits)]
                } + [[t("budget.total"), "", "", "", money(terms.budget.map(\.totalMinorUnits).saturatingSum())]],
                numeric: [false, false, true, true, true])),
            Article(heading: t("contract.print.duration"), paragraphs: [
                t("contract.print.duration.text", ["start": Display.date(iso: startDate, language),
                                                   "end": Display.date(iso: endDate, language), "months": String(months)]),
            ], table: nil),
            Article(heading: t("contract.print.payments"), paragraphs: [
                t("contract.print.payments.text", ["share": percent(settings.preFinancingBasisPoints)]),
                t("contract.print.payments.further", ["spent": percent(settings.furtherTrancheSpentBasisPoints), "cap": percent(settings.preFinancingCapBasisPoints)]),
            ], table: Table(
                headings: [t("tranche.number"), t("tranche.kind"), t("tranche.share"), t("tranche.amount")],
                rows: terms.tranches.map {
                    [String($0.number), t($0.kind.catalogKey), percent($0.shareBasisPoints(ofGrant: amount)), money($0.amountMinorUnits)]
                },
                numeric: [false, false, true, true])),
            Article(heading: t("contract.print.reports"), paragraphs: [t("contract.print.reports.text")], table: Table(
                headings: [t("report.number"), t("report.kind"), t("report.periodEnd"), t("report.due")],
                rows: terms.reports.map { [String($0.number), t($0.kind.catalogKey), Display.date($0.periodEnd, language), Display.date($0.due, language)] },
                numeric: [false, false, false, false])),
            Article(heading: t("contract.print.activities"), paragraphs: terms.activities.components(separatedBy: "\n\n").compactMap(Text.clean), table: nil),
            Article(heading: t("contract.print.amendments"), paragraphs: [
                t("contract.print.amendments.text", ["share": percent(settings.transferWithoutAmendmentBasisPoints)]),
            ], table: nil),
            Article(heading: t("contract.print.checks"), paragraphs: [t("contract.print.checks.text")], table: nil),
            Article(heading: t("contract.print.visibility"), paragraphs: [t("contract.print.visibility.text", ["donor": programme.donor])], table: nil),
        ]
        return View(
            lang: language.rawValue, title: t("contract.print.title", ["number": contract.number]),
            subtitle: language.pick(contract.call.titleSq, contract.call.titleEn),
            parties: [
                Text.clean(programme.implementingOrganisation).map {
                    t("contract.print.programme", ["programme": programmeName, "implementer": $0])
                } ?? t("contract.print.programmeAlone", ["programme": programmeName]),
                t("contract.print.grantee", ["organisation": organisation.nameSq, "nuis": organisation.registrationNumber]),
            ],
            articles: articles,
            signatures: [
                Signature(party: t("contract.print.forGrantee"), name: organisation.nameSq, signedOn: contract.granteeSignedOn.map { Display.date(iso: $0, language) }),
                Signature(party: t("contract.print.forProgramme"), name: Text.clean(programme.implementingOrganisation) ?? programmeName,
                          signedOn: contract.programmeSignedOn.map { Display.date(iso: $0, language) }),
            ],
            version: version.map { t("contract.print.replacedVersion", ["version": String($0.version), "date": Display.date(iso: $0.replacedOn, language)]) }
                ?? t("contract.print.version", ["version": String(contract.version)]),
            back: SiteURL.contract(try contract.requireID()).path, printHint: t("contract.print.hint"))
    }
}
