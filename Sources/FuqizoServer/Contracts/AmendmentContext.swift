import Foundation
import FuqizoCore
import Vapor

/// Amendments as people read them: the request form, and on the contract's page the history
/// of requests and decisions with every version the contract had.
enum AmendmentContext {
    /// One budget line on the request form: what it is now, and the new total typed.
    struct LineRow: Encodable {
        let anchor: String
        let label: String
        let current: String
        let value: String
        let errorKey: String?
    }

    struct FormPage: Encodable {
        let number: String
        let action: String
        let cancel: String
        let period: String
        let budgetTotal: String
        let transferRule: String
        /// The new end date (one field, as a list for the field template).
        let dates: [FieldContext]
        let lines: [LineRow]
        /// The activities and the reason.
        let texts: [FieldContext]
        let nothingKey: String?
        let hasErrors: Bool
    }

    static func form(_ req: Request, _ contract: GrantContract, form: AmendmentForm, errors: FieldErrors) throws -> FormPage {
        let language = req.language
        let id = try contract.requireID()
        let terms = try contract.contractTerms()
        func money(_ minorUnits: Int64) -> String { Money(minorUnits: minorUnits, currency: contract.currency).written(in: language) }
        return FormPage(
            number: contract.number, action: SiteURL.contract(id).path + "/amendments", cancel: SiteURL.contract(id).path,
            period: "\(Display.date(iso: contract.startDate, language)) – \(Display.date(iso: contract.endDate, language))",
            budgetTotal: money(terms.budget.map(\.totalMinorUnits).saturatingSum()),
            transferRule: req.t("amendment.form.transferRule", ["share": Display.percent(basisPoints: terms.settings.transferWithoutAmendmentBasisPoints, language)]),
            dates: [FieldContext("endDate", label: "amendment.field.endDate", kind: "date", value: form.endDate, errors: errors,
                                 hint: "amendment.endDate.hint")],
            lines: terms.budget.enumerated().map { index, line in
                LineRow(anchor: "line-\(index)", label: "\(req.t(line.heading.catalogKey)) · \(line.description)", current: money(line.totalMinorUnits),
                        value: form.lines.indices.contains(index) ? form.lines[index] : "", errorKey: errors["line-\(index)"])
            },
            texts: [
                FieldContext("activities", label: "amendment.field.activities", kind: "textarea", value: form.activities, errors: errors,
                             hint: "amendment.activities.hint"),
                FieldContext("reason", label: "amendment.field.reason", kind: "textarea", value: form.reason, errors: errors, required: true,
                             hint: "amendment.reason.hint"),
            ],
            nothingKey: errors["amendment"], hasErrors: !errors.isEmpty)
    }

    /// What an amendment changes, in sentences: the new end, each budget line whose total moves
    /// (from what it was in `before`), new activities.
    static func changes(_ req: Request, _ changes: AmendmentChanges, before: ContractTerms, contract: GrantContract) -> [String] {
        let language = req.language
        func money(_ minorUnits: Int64) -> String { Money(minorUnits: minorUnits, currency: contract.currency).written(in: language) }
        var sentences: [String] = []
        if let end = changes.endDate { sentences.append(req.t("amendment.change.endDate", ["date": Display.date(end, language)])) }
        for (line, total) in zip(before.budget, changes.lineTotals ?? []) where line.totalMinorUnits != total {
            sentences.append(req.t("amendment.change.line", ["line": "\(req.t(line.heading.catalogKey)) · \(line.description)",
                                                             "from": money(line.totalMinorUnits), "to": money(total)]))
        }
        if let activities = changes.activities { sentences.append(req.t("amendment.change.activities", ["text": activities])) }
        return sentences
    }

    struct Row: Encodable {
        let number: Int
        let statusKey: String
        let requested: String
        let changes: [String]
        let reason: String
        let decided: String?
        let decisionReason: String?
        let canDecide: Bool
        let approveAction: String
        let refuseAction: String
    }

    struct VersionRow: Encodable {
        let label: String
        let href: String
    }

    struct History: Encodable {
        let rows: [Row]
        let versions: [VersionRow]
        /// Where the viewer asks for an amendment, when they may now.
        let requestHref: String?
        /// Why nobody may ask now (one request is open).
        let openKey: String?
    }

    static func history(_ req: Request, _ contract: GrantContract, amendments: [ContractAmendment], versions: [ContractVersion]) throws -> History {
        let language = req.language
        let id = try contract.requireID()
        let current = try contract.contractTerms()
        let decides = Policy.decide(req.actor, .manageContract, contract.resource).isAllowed
        let rows = try amendments.reversed().map { amendment in
            // An approved amendment is read against the version it replaced; an open one against today's terms.
            let before = try amendment.version.flatMap { made in versions.first { $0.version == made - 1 } }
                .map { try StoredJSON.decode(ContractTerms.self, from: $0.terms) } ?? current
            let path = SiteURL.contract(id).path + "/amendments/\(amendment.number)"
            return Row(
                number: amendment.number, statusKey: amendment.status.catalogKey,
                requested: req.t(amendment.byGrantee ? "amendment.requestedByGrantee" : "amendment.requestedByProgramme",
                                 ["date": Display.date(iso: amendment.requestedOn, language)]),
                changes: changes(req, try amendment.amendmentChanges(), before: before, contract: contract), reason: amendment.reason,
                decided: amendment.decidedOn.map { day in
                    amendment.version.map { req.t("amendment.decidedVersion", ["date": Display.date(iso: day, language), "version": String($0)]) }
                        ?? req.t("amendment.decidedOn", ["date": Display.date(iso: day, language)])
                },
                decisionReason: amendment.decisionReason,
                canDecide: decides && amendment.status == .requested && contract.status.allows(.amend),
                approveAction: path + "/approve", refuseAction: path + "/refuse")
        }
        let printed = versions.map { version in
            VersionRow(label: req.t("amendment.version.replaced", ["version": String(version.version),
                                                                     "date": Display.date(iso: version.replacedOn, language)]),
                       href: SiteURL.contract(id).path + "/versions/\(version.version)")
        }
        let open = amendments.contains { $0.status == .requested }
        let mayRequest = Policy.decide(req.actor, .requestAmendment, contract.resource).isAllowed && contract.status.allows(.amend)
        return History(
            rows: rows,
            versions: printed + [VersionRow(label: req.t("amendment.version.current", ["version": String(contract.version)]),
                                            href: SiteURL.contractPrint(id).path)],
            requestHref: mayRequest && !open ? SiteURL.contract(id).path + "/amendments/new" : nil,
            openKey: mayRequest && open ? "amendment.error.open" : nil)
    }
}
