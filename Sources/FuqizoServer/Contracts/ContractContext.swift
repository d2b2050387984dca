import Foundation
import FuqizoCore
import Vapor

/// A contract's page: where it stands and its money at a glance, what is due next, what the
/// viewer may do, and its terms (tranches, reports, budget) below.
enum ContractContext {
    struct Figure: Encodable {
        let labelKey: String
        let value: String
    }

    struct Due: Encodable {
        let labelKey: String
        let date: String
        let overdue: Bool
    }

    struct TrancheRow: Encodable {
        let number: Int
        let kindKey: String
        let share: String
        let amount: String
    }

    struct ReportRow: Encodable {
        let number: Int
        let kindKey: String
        let periodEnd: String
        let due: String
    }

    struct HeadingRow: Encodable {
        let headingKey: String
        let lines: Int
        let amount: String
    }

    struct Document: Encodable {
        let href: String
        let filename: String
        let size: String
        let uploaded: String
    }

    /// What the viewer may do now, as the lifecycle and the policy allow.
    struct Actions: Encodable {
        let edit: Bool
        let send: Bool
        let recall: Bool
        let recordSignatures: Bool
        let suspend: Bool
        let resume: Bool
        let terminate: Bool
        let print: Bool

        var any: Bool { edit || send || recall || recordSignatures || suspend || resume || terminate }
    }

    struct View: Encodable {
        let id: String
        let number: String
        let statusKey: String
        let statusReason: String?
        let organisation: String
        let organisationID: String
        let call: String
        let lot: String
        let languageKey: String
        let amount: String
        let period: String
        let months: Int
        let figures: [Figure]
        let next: [Due]
        /// What the grantee must do now, in one sentence (a catalog key), on its own page.
        let granteeTaskKey: String?
        let actions: Actions
        let hasActions: Bool
        let sentOn: String?
        let granteeSignedOn: String?
        let programmeSignedOn: String?
        let tranches: [TrancheRow]
        let reports: [ReportRow]
        let budget: [HeadingRow]
        let budgetTotal: String
        let documents: [Document]
        let signatureFields: [FieldContext]
        let scanErrorKey: String?
        let scanLimit: String
        let hasErrors: Bool
    }

    static func build(_ req: Request, _ contract: GrantContract, documents: [Attachment], signature: (SignatureForm, FieldErrors)? = nil) throws -> View {
        let language = req.language
        let id = try contract.requireID()
        let terms = try contract.contractTerms()
        let today = TiranaTime.today(at: req.services.clock.now())
        func money(_ minorUnits: Int64) -> String { Money(minorUnits: minorUnits, currency: contract.currency).written(in: language) }
        // Payments and reports arrive with their own records; until then nothing is paid or reported.
        let ledger = GrantLedger(grant: contract.amountMinorUnits, paid: 0, recovered: 0, reported: 0)
        let figures = [
            Figure(labelKey: "contract.money.granted", value: money(ledger.grantMinorUnits)),
            Figure(labelKey: "contract.money.paid", value: money(ledger.paidMinorUnits)),
            Figure(labelKey: "contract.money.reported", value: money(ledger.reportedMinorUnits)),
            Figure(labelKey: "contract.money.remaining", value: money(ledger.remainingMinorUnits)),
            Figure(labelKey: "contract.money.recovered", value: money(ledger.recoveredMinorUnits)),
        ]
        var next: [Due] = []
        if contract.status == .sentForSignature, let sent = contract.sentOn.flatMap(LocalDate.init) {
            let due = sent.adding(days: ContractWork.signatureDays)
            next.append(Due(labelKey: "contract.next.signature", date: Display.date(due, language), overdue: due < today))
        }
        if contract.status.isRunning || contract.status == .suspended,
           let report = terms.reports.first(where: { $0.due >= today }) ?? terms.reports.last {
            next.append(Due(labelKey: report.kind == .final ? "contract.next.finalReport" : "contract.next.interimReport",
                            date: Display.date(report.due, language), overdue: report.due < today))
        }
        let actor = req.actor
        let manages = Policy.decide(actor, .manageContract, contract.resource).isAllowed
        let status = contract.status
        let actions = Actions(
            edit: manages && status.allows(.edit), send: manages && status.allows(.sendForSignature),
            recall: manages && status.allows(.recall), recordSignatures: manages && status.allows(.sign),
            suspend: manages && status.allows(.suspend), resume: manages && status.allows(.resume),
            terminate: manages && status.allows(.terminate), print: true)
        let isGrantee = actor.has(.csoUser, in: contract.$organisation.id)
        let grant = max(1, contract.amountMinorUnits)
        let typed = signature?.0 ?? SignatureForm()
        let errors = signature?.1 ?? FieldErrors()
        let byHeading = terms.budgetByHeading
        return View(
            id: id.uuidString, number: contract.number, statusKey: status.catalogKey, statusReason: contract.statusReason,
            organisation: contract.organisation.nameSq, organisationID: contract.$organisation.id.uuidString,
            call: contract.call.reference, lot: language.pick(contract.lot.nameSq, contract.lot.nameEn),
            languageKey: "language.\(contract.printLanguage.rawValue)", amount: contract.amount.written(in: language),
            period: "\(Display.date(iso: contract.startDate, language)) – \(Display.date(iso: contract.endDate, language))",
            months: contract.start.flatMap { start in contract.end.map { ContractDuration.months(from: start, to: $0) } } ?? 0,
            figures: figures, next: next,
            granteeTaskKey: isGrantee && status == .sentForSignature ? "contract.grantee.sign" : nil,
            actions: actions, hasActions: actions.any,
            sentOn: contract.sentOn.map { Display.date(iso: $0, language) },
            granteeSignedOn: contract.granteeSignedOn.map { Display.date(iso: $0, language) },
            programmeSignedOn: contract.programmeSignedOn.map { Display.date(iso: $0, language) },
            tranches: terms.tranches.map {
                TrancheRow(number: $0.number, kindKey: $0.kind.catalogKey,
                           share: Display.percent(basisPoints: Int($0.amountMinorUnits.saturatingMultiplied(by: 10_000) / grant), language),
                           amount: money($0.amountMinorUnits))
            },
            reports: terms.reports.map {
                ReportRow(number: $0.number, kindKey: $0.kind.catalogKey, periodEnd: Display.date($0.periodEnd, language), due: Display.date($0.due, language))
            },
            budget: BudgetHeading.allCases.compactMap { heading in
                let lines = terms.budget.filter { $0.heading == heading }.count
                guard lines > 0 else { return nil }
                return HeadingRow(headingKey: heading.catalogKey, lines: lines, amount: money(byHeading[heading] ?? 0))
            },
            budgetTotal: money(terms.budget.map(\.totalMinorUnits).saturatingSum()),
            documents: documents.map {
                Document(href: SiteURL.contract(id).path + "/documents/\($0.id!.uuidString)", filename: $0.filename,
                         size: FileSize.text($0.size), uploaded: Display.day($0.uploadedAt, language))
            },
            signatureFields: [
                FieldContext("grantee", label: "contract.signature.grantee", kind: "date", value: typed.grantee, errors: errors, required: true),
                FieldContext("programme", label: "contract.signature.programme", kind: "date", value: typed.programme, errors: errors, required: true),
            ],
            scanErrorKey: errors["scan"], scanLimit: FileSize.text(Int64(ContractService.scanLimit)),
            hasErrors: !errors.isEmpty)
    }
}
