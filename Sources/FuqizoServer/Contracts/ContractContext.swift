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
        /// Once the contract is signed, each report has its page and status.
        let href: String?
        let statusKey: String?
        let overdue: Bool
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

    struct PaymentRow: Encodable {
        let id: String
        let tranche: Int
        let kindKey: String
        let statusKey: String
        let amount: String
        /// Why it is less than planned, in sentences.
        let reductions: [String]
        let steps: [String]
        let returnReason: String?
        let canCheck: Bool
        let canApprove: Bool
        let canPay: Bool
        let canReturn: Bool
        let canResubmit: Bool
        let payFields: [FieldContext]
        let hasErrors: Bool
    }

    struct Payments: Encodable {
        let rows: [PaymentRow]
        /// The grantee may ask for this tranche now (its sentence), or is told why not.
        let request: String?
        let blockedKey: String?
        /// The grantee's bank account, for those who pay.
        let bank: String?
    }

    struct RecoveryView: Encodable {
        let amount: String
        let statusKey: String
        let issuedOn: String
        let settled: String?
        let canSettle: Bool
        let fields: [FieldContext]
    }

    /// Closing: the settlement's figures, the officer's button, the recovery order.
    struct Closure: Encodable {
        let figures: [Figure]
        let canSettle: Bool
        let recovery: RecoveryView?
        let hasErrors: Bool
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
        let payments: Payments
        let closure: Closure?
        let amendments: AmendmentContext.History
        let visits: VisitContext.Summary
        let signatureFields: [FieldContext]
        let scanErrorKey: String?
        let scanLimit: String
        let hasErrors: Bool
    }

    static func build(_ req: Request, _ contract: GrantContract, documents: [Attachment], payments: [PaymentRequest], reports: [ContractReport],
                      amendments: AmendmentContext.History, visits: VisitContext.Summary,
                      nextPayment: Result<(PlannedTranche, FurtherTranche?), WorkflowRefusal>,
                      settlement: FinalSettlement? = nil, recovery: RecoveryOrder? = nil,
                      signature: (SignatureForm, FieldErrors)? = nil, payment typed: (UUID, PaymentForm, FieldErrors)? = nil,
                      recoveryForm: (RecoveryForm, FieldErrors)? = nil) throws -> View {
        let language = req.language
        let id = try contract.requireID()
        let terms = try contract.contractTerms()
        let today = TiranaTime.today(at: req.services.clock.now())
        func money(_ minorUnits: Int64) -> String { Money(minorUnits: minorUnits, currency: contract.currency).written(in: language) }
        // Reports arrive with their own records; until then nothing is reported.
        let reported = settlement.map { $0.finalAmountMinorUnits } ?? 0
        let ledger = GrantLedger(grant: contract.amountMinorUnits, paid: PaymentService.paid(payments), recovered: ClosureService.recovered(recovery),
                                 reported: reported)
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
        let unapproved = Set(reports.filter { $0.status != .approved }.map(\.number))
        if contract.status.isRunning || contract.status == .suspended,
           let report = terms.reports.first(where: { unapproved.contains($0.number) }) {
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
        let typedSignature = signature?.0 ?? SignatureForm()
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
                           share: Display.percent(basisPoints: $0.shareBasisPoints(ofGrant: contract.amountMinorUnits), language),
                           amount: money($0.amountMinorUnits))
            },
            reports: terms.reports.map { planned in
                let report = reports.first { $0.number == planned.number }
                return ReportRow(number: planned.number, kindKey: planned.kind.catalogKey, periodEnd: Display.date(planned.periodEnd, language),
                                 due: Display.date(planned.due, language), href: report.map { _ in SiteURL.report(contract: id, number: planned.number).path },
                                 statusKey: report?.status.catalogKey,
                                 overdue: report.map { ($0.status == .draft || $0.status == .returned) && planned.due < today } ?? false)
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
            payments: try paymentsView(req, contract, payments, next: nextPayment, typed: typed),
            closure: closureView(req, contract, settlement: settlement, recovery: recovery, payments: payments, typed: recoveryForm),
            amendments: amendments, visits: visits,
            signatureFields: [
                FieldContext("grantee", label: "contract.signature.grantee", kind: "date", value: typedSignature.grantee, errors: errors, required: true),
                FieldContext("programme", label: "contract.signature.programme", kind: "date", value: typedSignature.programme, errors: errors, required: true),
            ],
            scanErrorKey: errors["scan"], scanLimit: FileSize.text(Int64(ContractService.scanLimit)),
            hasErrors: !errors.isEmpty)
    }

    static func paymentsView(_ req: Request, _ contract: GrantContract, _ payments: [PaymentRequest],
                             next: Result<(PlannedTranche, FurtherTranche?), WorkflowRefusal>, typed: (UUID, PaymentForm, FieldErrors)?) throws -> Payments {
        let language = req.language
        let actor = req.actor
        let resource = contract.resource
        func money(_ minorUnits: Int64) -> String { Money(minorUnits: minorUnits, currency: contract.currency).written(in: language) }
        let checks = Policy.decide(actor, .manageContract, resource).isAllowed
        let finance = Policy.decide(actor, .approvePayment, resource).isAllowed
        let returns = Policy.decide(actor, .returnPayment, resource).isAllowed
        let grantee = Policy.decide(actor, .requestPayment, resource).isAllowed
        let today = TiranaTime.today(at: req.services.clock.now())
        let rows = payments.map { payment in
            let reductions = ((payment.reduction.flatMap { try? StoredJSON.decode([ReductionNote].self, from: $0) }) ?? []).map {
                req.t($0.kind == "cap" ? "payment.reduction.cap" : "payment.reduction.unspent", ["amount": money($0.minorUnits)])
            }
            var steps = [req.t("payment.step.requested", ["date": Display.date(iso: payment.requestedOn, language)])]
            if let day = payment.checkedOn { steps.append(req.t("payment.step.checked", ["date": Display.date(iso: day, language)])) }
            if let day = payment.approvedOn { steps.append(req.t("payment.step.approved", ["date": Display.date(iso: day, language)])) }
            if let day = payment.paidOn {
                steps.append(req.t("payment.step.paid", ["date": Display.date(iso: day, language), "amount": money(payment.paidMinorUnits ?? 0),
                                                         "reference": payment.bankReference ?? ""]))
            }
            let form = typed?.0 == payment.id ? typed!.1 : PaymentForm(paidOn: today.description, amount: NumberWriting.plain(payment.requestedMinorUnits))
            let errors = typed?.0 == payment.id ? typed!.2 : FieldErrors()
            let anchor = "pay-\(payment.id!.uuidString.prefix(8))"
            return PaymentRow(
                id: payment.id!.uuidString, tranche: payment.tranche, kindKey: payment.kind.catalogKey, statusKey: payment.status.catalogKey,
                amount: money(payment.requestedMinorUnits), reductions: reductions, steps: steps,
                returnReason: payment.status == .returned ? payment.returnReason : nil,
                canCheck: checks && payment.status.allows(.check), canApprove: finance && payment.status.allows(.approve),
                canPay: finance && payment.status.allows(.pay), canReturn: returns && payment.status.allows(.returnToGrantee),
                canResubmit: grantee && payment.status.allows(.resubmit),
                payFields: [
                    FieldContext("paidOn", label: "payment.field.paidOn", kind: "date", value: form.paidOn, errors: errors, required: true, anchor: "\(anchor)-paidOn"),
                    FieldContext("amount", label: "payment.field.amount", value: form.amount, errors: errors, required: true, anchor: "\(anchor)-amount"),
                    FieldContext("bankReference", label: "payment.field.bankReference", value: form.bankReference, errors: errors, required: true,
                                 anchor: "\(anchor)-bankReference"),
                ],
                hasErrors: !errors.isEmpty)
        }
        var request: String?
        var blocked: String?
        switch next {
        case .success(let (tranche, further)):
            if grantee {
                request = req.t("payment.request.next", ["tranche": String(tranche.number), "kind": req.t(tranche.kind.catalogKey),
                                                         "amount": money(further?.payableMinorUnits ?? tranche.amountMinorUnits)])
            }
        case .failure(let refusal):
            if grantee, contract.status.isRunning { blocked = refusal.messageKey }
        }
        var bank: String?
        if finance || checks, Policy.decide(actor, .viewOrganisationBankDetails, .organisation(contract.$organisation.id)).isAllowed {
            let organisation = contract.organisation
            bank = [organisation.bankName, organisation.iban].compactMap { $0.flatMap(Text.clean) }.joined(separator: " · ")
            if bank?.isEmpty == true { bank = req.t("payment.bank.missing") }
        }
        return Payments(rows: rows, request: request, blockedKey: blocked, bank: bank)
    }

    static func closureView(_ req: Request, _ contract: GrantContract, settlement: FinalSettlement?, recovery: RecoveryOrder?,
                            payments: [PaymentRequest], typed: (RecoveryForm, FieldErrors)?) -> Closure? {
        guard let settlement, contract.status == .finalReportApproved || contract.status == .closed || recovery != nil else { return nil }
        let language = req.language
        func money(_ minorUnits: Int64) -> String { Money(minorUnits: minorUnits, currency: contract.currency).written(in: language) }
        let settled = payments.contains { $0.kind == .balance } || recovery != nil
        let form = typed?.0 ?? RecoveryForm(settledOn: TiranaTime.today(at: req.services.clock.now()).description)
        let errors = typed?.1 ?? FieldErrors()
        return Closure(
            figures: [
                Figure(labelKey: "closure.final", value: money(settlement.finalAmountMinorUnits)),
                Figure(labelKey: "closure.finalPayment", value: money(settlement.finalPaymentMinorUnits)),
                Figure(labelKey: "closure.recovery", value: money(settlement.recoveryMinorUnits)),
                Figure(labelKey: "closure.released", value: money(settlement.releasedMinorUnits)),
            ],
            canSettle: contract.status == .finalReportApproved && !settled && Policy.decide(req.actor, .manageContract, contract.resource).isAllowed,
            recovery: recovery.map { order in
                RecoveryView(amount: money(order.amountMinorUnits), statusKey: order.status.catalogKey, issuedOn: Display.date(iso: order.issuedOn, language),
                             settled: order.settledOn.map { req.t("recovery.settledOn", ["date": Display.date(iso: $0, language), "reference": order.reference ?? ""]) },
                             canSettle: order.status == .issued && Policy.decide(req.actor, .approvePayment, contract.resource).isAllowed,
                             fields: [
                                FieldContext("settledOn", label: "recovery.field.settledOn", kind: "date", value: form.settledOn, errors: errors, required: true),
                                FieldContext("reference", label: "recovery.field.reference", value: form.reference, errors: errors, required: true),
                                FieldContext("offset", label: "recovery.field.offset", kind: "checkbox", value: form.offset, errors: errors,
                                             hint: "recovery.offset.hint"),
                             ])
            },
            hasErrors: !errors.isEmpty)
    }
}
