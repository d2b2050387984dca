import Foundation
import FuqizoCore
import Vapor

/// A CSO's people (the list, the form to add or edit one) and its action plan.
enum PeopleContext {
    static func fields(_ req: Request, _ form: CsoPersonForm, errors: FieldErrors) -> [FieldContext] {
        [
            FieldContext("name", label: "person.field.name", value: form.name, errors: errors, required: true, autocomplete: "off"),
            FieldContext("role", label: "person.field.role", value: form.role, errors: errors, required: true, hint: "person.role.hint"),
            FieldContext("email", label: "person.field.email", kind: "email", value: form.email, errors: errors, hint: "person.contact.hint", autocomplete: "off"),
            FieldContext("phone", label: "person.field.phone", kind: "tel", value: form.phone, errors: errors, autocomplete: "off"),
            FieldContext("sex", label: "person.field.sex", kind: "select", value: form.sex,
                         options: PersonSex.allCases.map { .init(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0.rawValue == form.sex) },
                         errors: errors, required: true),
            FieldContext("ageBand", label: "person.field.ageBand", kind: "select", value: form.ageBand,
                         options: AgeBand.allCases.filter { $0 != .under18 }.map {
                             .init(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0.rawValue == form.ageBand)
                         }, errors: errors, required: true),
        ]
    }

    static func form(_ person: CsoPerson) -> CsoPersonForm {
        CsoPersonForm(name: person.name, role: person.role, email: person.email ?? "", phone: person.phone ?? "",
                      sex: person.sex.rawValue, ageBand: person.ageBand.rawValue)
    }

    struct Row: Encodable {
        let href: String
        let name: String
        let role: String
        let contact: String
        let profile: String
    }

    struct ListPage: Encodable {
        let organisation: String
        let action: String
        let archived: Bool
        let otherListHref: String
        let rows: [Row]
        let pages: PageLinks
        let fields: [FieldContext]
        let hasErrors: Bool
    }

    static func list(_ req: Request, _ organisation: Organisation, people: [CsoPerson], pager: Pager, archived: Bool,
                     form: CsoPersonForm, errors: FieldErrors) throws -> ListPage {
        let id = try organisation.requireID()
        let base = SiteURL.csoPeople(id)
        return ListPage(
            organisation: organisation.nameSq, action: base.path, archived: archived,
            otherListHref: base.with([("archived", archived ? nil : "yes")]),
            rows: try people.map { person in
                Row(href: SiteURL.csoPerson(organisation: id, person: try person.requireID()).path, name: person.name, role: person.role,
                    contact: [person.email, person.phone].compactMap { $0 }.joined(separator: " · "),
                    profile: "\(req.t(person.sex.catalogKey)), \(req.t(person.ageBand.catalogKey))")
            },
            pages: PageLinks(pager) { base.with([("archived", archived ? "yes" : nil), ("page", String($0))]) },
            fields: fields(req, form, errors: errors), hasErrors: !errors.isEmpty)
    }

    struct PersonPage: Encodable {
        let organisation: String
        let action: String
        let archiveAction: String
        let archived: Bool
        let back: String
        let fields: [FieldContext]
        let hasErrors: Bool
    }

    static func person(_ req: Request, _ organisation: Organisation, _ person: CsoPerson, form: CsoPersonForm, errors: FieldErrors) throws -> PersonPage {
        let url = SiteURL.csoPerson(organisation: try organisation.requireID(), person: try person.requireID()).path
        return PersonPage(organisation: organisation.nameSq, action: url, archiveAction: url + (person.archived ? "/restore" : "/archive"),
                          archived: person.archived, back: SiteURL.csoPeople(try organisation.requireID()).path,
                          fields: fields(req, form, errors: errors), hasErrors: !errors.isEmpty)
    }

    // MARK: the action plan

    static func actionFields(_ req: Request, _ form: PlanActionForm, domains: [CapacityInstrument.Domain], errors: FieldErrors,
                             withStatus: Bool) -> [FieldContext] {
        let language = req.language
        var fields = [
            FieldContext("domain", label: "action.field.domain", kind: "select", value: form.domain,
                         options: domains.map { .init(value: $0.key, label: language.pick($0.nameSq, $0.nameEn), selected: $0.key == form.domain) },
                         errors: errors, required: true),
            FieldContext("action", label: "action.field.action", kind: "textarea", value: form.action, errors: errors, required: true),
            FieldContext("owner", label: "action.field.owner", value: form.owner, errors: errors, required: true, hint: "action.owner.hint"),
            FieldContext("dueOn", label: "action.field.dueOn", kind: "date", value: form.dueOn, errors: errors, required: true),
        ]
        if withStatus {
            fields.append(FieldContext("status", label: "action.field.status", kind: "select", value: form.status,
                                       options: PlanActionStatus.allCases.map { .init(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0.rawValue == form.status) },
                                       errors: errors, required: true))
        }
        return fields
    }

    struct ActionRow: Encodable {
        let href: String?
        let domain: String
        let action: String
        let owner: String
        let due: String
        let status: String
        let late: Bool
    }

    /// A domain of the plan with the trainings that address it.
    struct TrainingRow: Encodable {
        let domain: String
        let trained: String
        let events: [TrainingEvent]
        let allHref: String
    }

    struct TrainingEvent: Encodable {
        let href: String
        let title: String
        let reference: String
        let dates: String
        let places: String
    }

    struct Plan: Encodable {
        let priorities: [String]
        let rows: [ActionRow]
        let trainings: [TrainingRow]
        let canEdit: Bool
        let action: String
        let fields: [FieldContext]
        let hasErrors: Bool
    }

    static func plan(_ req: Request, organisation: UUID, actions: [PlanAction], domains: [CapacityInstrument.Domain], latest: [String: CapacityScore],
                     trainings: [(domain: String, offer: CapacityFigures.DomainTrainings)], form: PlanActionForm, errors: FieldErrors) -> Plan {
        let language = req.language
        let names = Dictionary(domains.map { ($0.key, language.pick($0.nameSq, $0.nameEn)) }, uniquingKeysWith: { a, _ in a })
        let canEdit = Policy.decide(req.actor, .planCapacity, .organisation(organisation)).isAllowed
        let today = TiranaTime.today(at: req.services.clock.now())
        return Plan(
            priorities: ActionPlan.priorityDomains(latest, order: domains.map(\.key)).compactMap { key in
                names[key].map { "\($0) (\(latest[key]?.written(language) ?? ""))" }
            },
            rows: actions.map { action in
                ActionRow(href: canEdit ? action.id.map { SiteURL.organisationCapacity(organisation).path + "/actions/" + $0.uuidString } : nil,
                          domain: names[action.domain] ?? action.domain, action: action.action, owner: action.owner,
                          due: Display.date(iso: action.dueOn, language), status: req.t(action.status.catalogKey),
                          late: action.status.isOpen && (LocalDate(action.dueOn).map { $0 < today } ?? false))
            },
            trainings: trainings.map { domain, offer in
                TrainingRow(domain: names[domain] ?? domain, trained: Display.count(offer.trained, language),
                            events: offer.upcoming.map { event in
                                TrainingEvent(href: SiteURL.event(event.id).path, title: language.pick(event.titleSq, event.titleEn),
                                              reference: event.reference, dates: EventContext.dates(event.startsOn, event.endsOn, language),
                                              places: req.t("event.places", ["taken": Display.count(event.taken, language),
                                                                             "capacity": Display.count(event.capacity, language)]))
                            },
                            allHref: SiteURL.events.with([("domain", domain)]))
            },
            canEdit: canEdit && !domains.isEmpty, action: SiteURL.organisationCapacity(organisation).path + "/actions",
            fields: actionFields(req, form, domains: domains, errors: errors, withStatus: false), hasErrors: !errors.isEmpty)
    }

    struct ActionPage: Encodable {
        let organisation: String
        let action: String
        let back: String
        let fields: [FieldContext]
        let hasErrors: Bool
    }
}
