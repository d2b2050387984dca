import Foundation
import FuqizoCore
import Vapor

/// Monitoring visits as people read them: the planning form, one visit's page (findings,
/// risk, recommendations, follow-up actions, documents), and the contract page's summary.
enum VisitContext {
    static func staffOptions(_ staff: [(id: UUID, name: String)], selected: String) -> [FieldContext.Option] {
        staff.map { FieldContext.Option(value: $0.id.uuidString, label: $0.name, selected: $0.id.uuidString == selected) }
    }

    struct PlanPage: Encodable {
        let number: String
        let action: String
        let cancel: String
        let period: String
        let fields: [FieldContext]
        let hasErrors: Bool
    }

    static func planPage(_ req: Request, _ contract: GrantContract, staff: [(id: UUID, name: String)], form: VisitPlanForm, errors: FieldErrors) throws -> PlanPage {
        let id = try contract.requireID()
        let language = req.language
        return PlanPage(
            number: contract.number, action: SiteURL.contract(id).path + "/visits", cancel: SiteURL.contract(id).path,
            period: "\(Display.date(iso: contract.startDate, language)) – \(Display.date(iso: contract.endDate, language))",
            fields: [
                FieldContext("plannedOn", label: "visit.field.plannedOn", kind: "date", value: form.plannedOn, errors: errors, required: true),
                FieldContext("visitor", label: "visit.field.visitor", kind: "select", value: form.visitor,
                             options: staffOptions(staff, selected: form.visitor), errors: errors, required: true),
                FieldContext("purpose", label: "visit.field.purpose", kind: "textarea", value: form.purpose, errors: errors, required: true,
                             hint: "visit.purpose.hint"),
            ],
            hasErrors: !errors.isEmpty)
    }

    struct ActionRow: Encodable {
        let id: String
        let action: String
        /// Owner, due day and status in one sentence.
        let line: String
        let overdue: Bool
        let closed: String?
        let canComplete: Bool
        let canCancel: Bool
    }

    struct View: Encodable {
        let contractID: String
        let contractNumber: String
        let organisation: String
        let number: Int
        let statusKey: String
        let plannedOn: String
        let visitor: String
        let purpose: String
        let visitedOn: String?
        let findings: String?
        let riskKey: String?
        let risk: String?
        let recommendations: String?
        let cancelReason: String?
        let canRecord: Bool
        let canCancel: Bool
        let reportFields: [FieldContext]
        let actions: [ActionRow]
        let canAddAction: Bool
        let actionFields: [FieldContext]
        let documents: [ContractContext.Document]
        let canAttach: Bool
        let fileErrorKey: String?
        let uploadLimit: String
        let hasErrors: Bool
    }

    static func ownerName(_ owner: String, staff: [(id: UUID, name: String)], organisation: String, _ req: Request) -> String {
        switch FollowUpOwner(stored: owner) {
        case .grantee: return req.t("followUp.owner.grantee", ["organisation": organisation])
        case .staff(let id): return staff.first { $0.id == id }?.name ?? req.t("followUp.owner.formerStaff")
        case nil: return "—"
        }
    }

    static func build(_ req: Request, _ contract: GrantContract, _ visit: MonitoringVisit, actions: [FollowUpAction], staff: [(id: UUID, name: String)],
                      documents: [Attachment], report: (VisitReportForm, FieldErrors)?, action typed: (FollowUpForm, FieldErrors)?,
                      fileErrorKey: String?) throws -> View {
        let language = req.language
        let id = try contract.requireID()
        let today = TiranaTime.today(at: req.services.clock.now())
        let manages = Policy.decide(req.actor, .manageContract, contract.resource).isAllowed
        let base = SiteURL.visit(contract: id, number: visit.number).path
        let reportForm = report?.0 ?? VisitReportForm(visitedOn: visit.plannedOn)
        let reportErrors = report?.1 ?? FieldErrors()
        let actionForm = typed?.0 ?? FollowUpForm(owner: "grantee")
        let actionErrors = typed?.1 ?? FieldErrors()
        let organisation = contract.organisation.nameSq
        let risks = RiskRating.allCases.map {
            FieldContext.Option(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0.rawValue == reportForm.risk)
        }
        let owners = [FieldContext.Option(value: "grantee", label: req.t("followUp.owner.grantee", ["organisation": organisation]),
                                          selected: actionForm.owner == "grantee")] + staffOptions(staff, selected: actionForm.owner)
        return View(
            contractID: id.uuidString, contractNumber: contract.number, organisation: organisation, number: visit.number,
            statusKey: visit.status.catalogKey, plannedOn: Display.date(iso: visit.plannedOn, language),
            visitor: staff.first { $0.id == visit.visitorID }?.name ?? req.t("followUp.owner.formerStaff"), purpose: visit.purpose,
            visitedOn: visit.visitedOn.map { Display.date(iso: $0, language) }, findings: visit.findings,
            riskKey: visit.risk?.catalogKey, risk: visit.risk?.rawValue, recommendations: visit.recommendations, cancelReason: visit.cancelReason,
            canRecord: manages && visit.status.allows(.record), canCancel: manages && visit.status.allows(.cancel),
            reportFields: [
                FieldContext("visitedOn", label: "visit.field.visitedOn", kind: "date", value: reportForm.visitedOn, errors: reportErrors, required: true),
                FieldContext("findings", label: "visit.field.findings", kind: "textarea", value: reportForm.findings, errors: reportErrors, required: true,
                             hint: "visit.findings.hint"),
                FieldContext("risk", label: "visit.field.risk", kind: "radios", value: reportForm.risk, options: risks, errors: reportErrors,
                             required: true, hint: "visit.risk.hint"),
                FieldContext("recommendations", label: "visit.field.recommendations", kind: "textarea", value: reportForm.recommendations,
                             errors: reportErrors),
            ],
            actions: actions.map { action in
                ActionRow(id: action.id!.uuidString, action: action.action,
                          line: req.t("followUp.line", ["owner": ownerName(action.owner, staff: staff, organisation: organisation, req),
                                                        "due": Display.date(iso: action.dueOn, language), "status": req.t(action.status.catalogKey)]),
                          overdue: action.status == .open && (LocalDate(action.dueOn).map { $0 < today } ?? false),
                          closed: action.closedOn.map { day in
                              [Display.date(iso: day, language), action.note].compactMap { $0 }.joined(separator: " — ")
                          },
                          canComplete: action.status == .open && MonitoringService.mayClose(action, req.actor, contract),
                          canCancel: action.status == .open && manages)
            },
            canAddAction: manages && visit.status == .done,
            actionFields: [
                FieldContext("action", label: "followUp.field.action", kind: "textarea", value: actionForm.action, errors: actionErrors, required: true),
                FieldContext("owner", label: "followUp.field.owner", kind: "select", value: actionForm.owner, options: owners, errors: actionErrors,
                             required: true),
                FieldContext("dueOn", label: "followUp.field.dueOn", kind: "date", value: actionForm.dueOn, errors: actionErrors, required: true),
            ],
            documents: documents.map {
                ContractContext.Document(href: base + "/documents/\($0.id!.uuidString)", filename: $0.filename, size: FileSize.text($0.size),
                         uploaded: Display.day($0.uploadedAt, language))
            },
            canAttach: manages && visit.status != .cancelled, fileErrorKey: fileErrorKey,
            uploadLimit: FileSize.text(Int64(req.services.config.maxUploadBytes)),
            hasErrors: !reportErrors.isEmpty || !actionErrors.isEmpty || fileErrorKey != nil)
    }

    // MARK: on the contract's page

    struct VisitRow: Encodable {
        let href: String
        let number: Int
        let plannedOn: String
        let visitor: String
        let statusKey: String
        let riskKey: String?
        let openActions: Int
    }

    struct OpenAction: Encodable {
        let href: String
        let action: String
        let owner: String
        let due: String
        let overdue: Bool
    }

    struct Summary: Encodable {
        let rows: [VisitRow]
        let open: [OpenAction]
        let planHref: String?
    }

    static func summary(_ req: Request, _ contract: GrantContract, visits: [MonitoringVisit], open: [FollowUpAction],
                        staff: [(id: UUID, name: String)]) throws -> Summary {
        let language = req.language
        let id = try contract.requireID()
        let today = TiranaTime.today(at: req.services.clock.now())
        let organisation = contract.organisation.nameSq
        let plans = Policy.decide(req.actor, .manageContract, contract.resource).isAllowed
            && (contract.status.isRunning || contract.status == .suspended || contract.status == .finalReportApproved)
        return Summary(
            rows: visits.map { visit in
                VisitRow(href: SiteURL.visit(contract: id, number: visit.number).path, number: visit.number,
                         plannedOn: Display.date(iso: visit.visitedOn ?? visit.plannedOn, language),
                         visitor: staff.first { $0.id == visit.visitorID }?.name ?? req.t("followUp.owner.formerStaff"),
                         statusKey: visit.status.catalogKey, riskKey: visit.risk?.catalogKey,
                         openActions: open.filter { $0.$visit.id == visit.id }.count)
            },
            open: open.compactMap { action in
                guard let visit = visits.first(where: { $0.id == action.$visit.id }) else { return nil }
                return OpenAction(href: SiteURL.visit(contract: id, number: visit.number).path, action: action.action,
                                  owner: ownerName(action.owner, staff: staff, organisation: organisation, req), due: Display.date(iso: action.dueOn, language),
                                  overdue: LocalDate(action.dueOn).map { $0 < today } ?? false)
            },
            planHref: plans ? SiteURL.contract(id).path + "/visits/new" : nil)
    }
}
