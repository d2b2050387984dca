import Fluent
import Foundation
import FuqizoCore
import Vapor

/// What the case worker typed into one of the record page's case-work forms, to show again
/// with its errors when it is refused.
struct CaseWorkInput {
    var needs: NeedsForm?
    var plan = PlanStepForm()
    /// The goal a refused step was for; nil for a new goal.
    var planGoal: UUID?
    var employment = EmploymentForm()
    var referral = (consentID: "", service: "")
    var skill = ClubService.SkillForm()
    /// Which section's form to open.
    var open: String?
}

/// The case-work sections of a survivor's record page: needs, plan, referrals, Club, employment.
struct CaseWorkContext: Encodable {
    struct ReferralRow: Encodable {
        let id: String
        let to: String
        let service: String
        let status: String
        let sent: String
    }

    struct SkillRow: Encodable {
        let skill: String
        let kind: String
        let date: String
        let certificate: String
    }

    struct Goal: Encodable {
        let id: String
        let area: String
        let text: String
        let steps: [Step]
        let stepFields: [FieldContext]
    }

    struct Step: Encodable {
        let id: String
        let text: String
        let responsible: String
        let due: String
        let status: String
        let overdue: Bool
        let statusField: [FieldContext]
    }

    struct Outcome: Encodable {
        let facts: [String]
        let followUps: [FollowUp]
    }

    struct FollowUp: Encodable {
        let id: String
        let months: Int
        let due: String
        let state: String
        let stateLabel: String
        let answer: String?
        let answerable: Bool
    }

    let showText: Bool
    let needs: [RecordFact]
    let needsFields: [FieldContext]
    let goals: [Goal]
    let goalFields: [FieldContext]
    let referrals: [ReferralRow]
    let referralFields: [FieldContext]
    let canRefer: Bool
    let member: String?
    let canJoin: Bool
    let attendance: String
    let skills: [SkillRow]
    let skillFields: [FieldContext]
    let outcomes: [Outcome]
    let employmentFields: [FieldContext]
    let open: String?
    /// For the summary: plan steps past their date, the next follow-up due, referrals open.
    let overdueSteps: Int
    let nextFollowUp: String?
    let openReferrals: Int

    static func options<T: RawRepresentable & CaseIterable>(_ type: T.Type, _ key: (T) -> String, selected: Set<String>, _ req: Request)
        -> [FieldContext.Option] where T.RawValue == String {
        T.allCases.map { .init(value: $0.rawValue, label: req.t(key($0)), selected: selected.contains($0.rawValue)) }
    }

    static func make(_ req: Request, _ loaded: SurvivorService.Loaded, input: CaseWorkInput, errors allErrors: FieldErrors,
                     organisationNames: [UUID: String]) async throws -> CaseWorkContext {
        let survivorID = try loaded.survivor.requireID()
        let work = CaseWorkService(database: req.db, services: req.services)
        let club = ClubService(database: req.db, services: req.services)
        let showText = Policy.decide(req.actor, .revealSurvivorIdentity, .survivor(loaded.access)).isAllowed
        func field(_ name: String, _ label: String, kind: String = "text", value: String = "", options: [FieldContext.Option] = [],
                   required: Bool = false, hint: String? = nil, errors: FieldErrors? = nil, anchor: String? = nil) -> FieldContext {
            FieldContext(name, label: label, kind: kind, value: value, options: options, errors: errors ?? allErrors, required: required,
                         hint: hint, autocomplete: "off", anchor: anchor)
        }

        // Needs
        let stored = try await work.needs(of: survivorID)
        var needsForm = input.needs ?? NeedsForm()
        if input.needs == nil, let stored {
            needsForm.education = stored.education
            needsForm.workHistory = stored.workHistory
            needsForm.housing = stored.housing
            needsForm.childcare = stored.needsChildcare ? "yes" : ""
            needsForm.skills = stored.skills.split(separator: ",").map(String.init)
            needsForm.health = stored.health.split(separator: ",").map(String.init)
        }
        let needs = stored.map { row in [
            RecordFact(labelKey: "needs.field.education", value: EducationLevel(rawValue: row.education).map { req.t($0.catalogKey) } ?? ""),
            RecordFact(labelKey: "needs.field.workHistory", value: WorkHistory(rawValue: row.workHistory).map { req.t($0.catalogKey) } ?? ""),
            RecordFact(labelKey: "needs.field.housing", value: HousingSituation(rawValue: row.housing).map { req.t($0.catalogKey) } ?? ""),
            RecordFact(labelKey: "needs.field.childcare", value: req.t(row.needsChildcare ? "survivor.disability.yes" : "survivor.disability.no")),
            RecordFact(labelKey: "needs.field.skills", value: row.skills.split(separator: ",").compactMap { SkillArea(rawValue: String($0)).map { req.t($0.catalogKey) } }.joined(separator: ", ")),
            RecordFact(labelKey: "needs.field.health", value: row.health.split(separator: ",").compactMap { HealthNeed(rawValue: String($0)).map { req.t($0.catalogKey) } }.joined(separator: ", ")),
        ] } ?? []
        let needsFields = [
            field("education", "needs.field.education", kind: "select", value: needsForm.education,
                  options: options(EducationLevel.self, \.catalogKey, selected: [needsForm.education], req), required: true),
            field("workHistory", "needs.field.workHistory", kind: "select", value: needsForm.workHistory,
                  options: options(WorkHistory.self, \.catalogKey, selected: [needsForm.workHistory], req), required: true),
            field("housing", "needs.field.housing", kind: "select", value: needsForm.housing,
                  options: options(HousingSituation.self, \.catalogKey, selected: [needsForm.housing], req), required: true),
            field("childcare", "needs.field.childcare", kind: "checkbox", value: needsForm.childcare),
            field("skills", "needs.field.skills", kind: "checkboxes", options: options(SkillArea.self, \.catalogKey, selected: Set(needsForm.skills), req)),
            field("health", "needs.field.health", kind: "checkboxes", options: options(HealthNeed.self, \.catalogKey, selected: Set(needsForm.health), req),
                  hint: "needs.health.hint"),
        ]

        // Plan
        let plan = try await work.plan(of: loaded)
        func stepFields(_ goal: UUID?) -> [FieldContext] {
            let mine = input.planGoal == goal
            let form = mine ? input.plan : PlanStepForm()
            let errs = mine ? allErrors : FieldErrors()
            // Each goal's form has ids of its own; the new goal's form keeps the plain names.
            let suffix = goal.map { "-" + $0.uuidString.prefix(8).lowercased() } ?? ""
            return [
                field("step", "plan.field.step", value: form.step, required: true, errors: errs, anchor: "step" + suffix),
                field("responsible", "plan.field.responsible", value: form.responsible, hint: "plan.responsible.hint", errors: errs,
                      anchor: "responsible" + suffix),
                field("dueDate", "plan.field.dueDate", kind: "date", value: form.dueDate, errors: errs, anchor: "dueDate" + suffix),
            ]
        }
        let goals = plan.map { goal in
            Goal(id: goal.id.uuidString, area: req.t(goal.area.catalogKey), text: showText ? goal.text : "",
                 steps: goal.steps.map { step in
                     Step(id: step.id.uuidString, text: showText ? step.text : "", responsible: showText ? (step.responsible ?? "") : "",
                          due: step.due.map { Display.date($0, req.language) } ?? "", status: req.t(step.status.catalogKey), overdue: step.overdue,
                          statusField: [FieldContext("status", label: "plan.field.status", kind: "select", value: step.status.rawValue,
                                                     options: options(StepStatus.self, \.catalogKey, selected: [step.status.rawValue], req),
                                                     anchor: "status-" + step.id.uuidString.prefix(8).lowercased())])
                 },
                 stepFields: stepFields(goal.id))
        }
        let newGoal = input.planGoal == nil ? input.plan : PlanStepForm()
        let goalErrors = input.planGoal == nil && input.open == "plan" ? allErrors : FieldErrors()
        let goalFields = [
            field("area", "plan.field.area", kind: "select", value: newGoal.area,
                  options: options(PlanArea.self, \.catalogKey, selected: [newGoal.area], req), required: true, errors: goalErrors),
            field("goal", "plan.field.goal", value: newGoal.goal, required: true, errors: goalErrors),
        ] + stepFields(nil).map { context in
            goalErrors.isEmpty ? context : FieldContext(context.name, label: context.labelKey, kind: context.kind, value: context.value,
                                                       errors: goalErrors, required: context.required, hint: context.hintKey, autocomplete: "off",
                                                       anchor: context.anchor)
        }

        // Referrals
        let desk = ReferralDesk(database: req.db, services: req.services)
        let referralRows = try await desk.referrals(of: survivorID)
        let referrals = referralRows.map { referral in
            ReferralRow(id: referral.id!.uuidString, to: organisationNames[referral.toOrganisationID] ?? "",
                        service: ReferralNeed(rawValue: referral.service).map { req.t($0.catalogKey) } ?? "",
                        status: req.t(referral.status.catalogKey), sent: Display.day(referral.sentAt, req.language))
        }
        let instant = req.now
        let referralConsents = loaded.consents.filter { $0.purpose == ConsentPurpose.referral.rawValue && ($0.record?.isActive(at: instant) ?? false) }
        let referralFields = [
            field("consentID", "referral.field.consent", kind: "select", value: input.referral.consentID,
                  options: referralConsents.map { consent in
                      .init(value: consent.id!.uuidString, label: consent.recipientOrganisationID.flatMap { organisationNames[$0] } ?? "",
                            selected: consent.id!.uuidString == input.referral.consentID)
                  }, required: true, hint: "referral.consent.hint"),
            field("service", "referral.field.service", kind: "select", value: input.referral.service,
                  options: options(ReferralNeed.self, \.catalogKey, selected: [input.referral.service], req), required: true),
        ]

        // Club
        let memberships = try await club.memberships(of: survivorID)
        let current = memberships.last { $0.leftOn == nil }
        let summary = try await club.attendance(of: survivorID)
        let skills = try await club.skills(of: survivorID).map { skill in
            SkillRow(skill: skill.skill, kind: skill.sessionKind.flatMap(ClubSessionKind.init(rawValue:)).map { req.t($0.catalogKey) } ?? "",
                     date: Display.date(iso: skill.awardedOn, req.language), certificate: req.t(skill.certificate ? "survivor.disability.yes" : "survivor.disability.no"))
        }
        let skillFields = [
            field("skill", "club.field.skill", value: input.skill.skill ?? "", required: true),
            field("sessionKind", "club.field.kind", kind: "select", value: input.skill.sessionKind ?? "",
                  options: options(ClubSessionKind.self, \.catalogKey, selected: [input.skill.sessionKind ?? ""], req)),
            field("certificate", "club.field.certificate", kind: "checkbox", value: input.skill.certificate ?? ""),
        ]

        // Employment
        let employment = try await work.employment(of: survivorID)
        let outcomes = employment.map { view in
            let row = view.outcome
            var facts = [
                EmploymentKind(rawValue: row.kind).map { req.t($0.catalogKey) } ?? "",
                EmploymentSector(rawValue: row.sector).map { req.t($0.catalogKey) } ?? "",
                Display.date(iso: row.startOn, req.language),
                ContractType(rawValue: row.contractType).map { req.t($0.catalogKey) } ?? "",
                WageBand(rawValue: row.wageBand).map { req.t($0.catalogKey) } ?? "",
            ]
            if let grant = row.businessGrantMinorUnits, let currency = row.currency {
                facts.append(req.t("employment.grant", ["amount": Money(minorUnits: grant, currency: currency).written(in: req.language)]))
            }
            return Outcome(facts: facts, followUps: view.followUps.map { followUp, state in
                FollowUp(id: followUp.id!.uuidString, months: followUp.months, due: Display.date(iso: followUp.dueOn, req.language), state: state.rawValue,
                         stateLabel: req.t("followUp.state.\(state.rawValue)"),
                         answer: followUp.stillWorking.map { req.t($0 ? "followUp.stillWorking" : "followUp.notWorking") },
                         answerable: state == .due || state == .late)
            })
        }
        let form = input.employment
        let employmentFields = [
            field("kind", "employment.field.kind", kind: "select", value: form.kind,
                  options: options(EmploymentKind.self, \.catalogKey, selected: [form.kind], req), required: true),
            field("sector", "employment.field.sector", kind: "select", value: form.sector,
                  options: options(EmploymentSector.self, \.catalogKey, selected: [form.sector], req), required: true),
            field("startDate", "employment.field.startDate", kind: "date", value: form.startDate, required: true),
            field("contractType", "employment.field.contractType", kind: "select", value: form.contractType,
                  options: options(ContractType.self, \.catalogKey, selected: [form.contractType], req), required: true),
            field("wageBand", "employment.field.wageBand", kind: "select", value: form.wageBand,
                  options: options(WageBand.self, \.catalogKey, selected: [form.wageBand], req), required: true),
            field("businessGrant", "employment.field.businessGrant", value: form.businessGrant, hint: "employment.businessGrant.hint"),
        ]

        let nextFollowUp = employment.flatMap(\.followUps).filter { $0.1 != .done }.map(\.0.dueOn).min()
        return CaseWorkContext(
            showText: showText, needs: needs, needsFields: needsFields, goals: goals, goalFields: goalFields,
            referrals: referrals, referralFields: referralFields, canRefer: !referralConsents.isEmpty && !loaded.access.identityDestroyed,
            member: current.map { req.t("club.memberSince", ["date": Display.date(iso: $0.joinedOn, req.language)]) },
            canJoin: ClubRule.offersJoining(loaded.access, isMember: current != nil),
            attendance: req.t("club.attendanceSummary", ["attended": String(summary.attended), "sessions": String(summary.sessions)]),
            skills: skills, skillFields: skillFields, outcomes: outcomes, employmentFields: employmentFields, open: input.open,
            overdueSteps: plan.reduce(0) { $0 + $1.steps.filter(\.overdue).count },
            nextFollowUp: nextFollowUp.map { Display.date(iso: $0, req.language) },
            openReferrals: referralRows.filter { $0.status == .sent || $0.status == .accepted }.count)
    }
}

struct RecordFact: Encodable {
    let labelKey: String
    let value: String
}
