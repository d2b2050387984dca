import Fluent
import Foundation
import FuqizoCore
import Vapor

/// The parts of a survivor's record, each a page of its own (`?section=`), so that no page
/// carries every form and each works without script.
enum RecordSection: String, CaseIterable, Sendable {
    case summary, consents, plan, referrals, club, employment, notes

    var titleKey: String { "survivor.tab.\(rawValue)" }

    /// The section a case-work form belongs to (`CaseWorkInput.open`).
    init(workForm: String?) {
        switch workForm {
        case "needs", "plan": self = .plan
        case "referral": self = .referrals
        case "club": self = .club
        case "employment": self = .employment
        default: self = .summary
        }
    }

    func url(_ code: String) -> String {
        self == .summary ? SiteURL.survivor(code: code).path : SiteURL.survivor(code: code).with([("section", rawValue)])
    }
}

/// The record's page as a case worker sees it — a summary, the sections as tabs, and one
/// section's facts and forms — built from the loaded record and what was typed, without HTTP.
enum SurvivorRecordContext {
    struct Tab: Encodable {
        let href: String
        let titleKey: String
        let current: Bool
    }

    /// The case at a glance, above every section.
    struct Summary: Encodable {
        let status: String
        let club: String
        let plan: String
        let nextFollowUp: String
        let openReferrals: String
        let consents: [String]
    }

    struct ConsentRow: Encodable {
        let id: String
        let purpose: String
        let recipient: String?
        let formVersion: String
        let given: String
        let withdrawn: String?
        let active: Bool
        let interpreter: String?
        let witness: String?
    }

    struct RecordPage: Encodable {
        let code: String
        let section: String
        let tabs: [Tab]
        let summary: Summary
        let timeline: [SurvivorTimeline.Event]
        let status: String
        let isOpen: Bool
        let identityDestroyed: Bool
        let canReveal: Bool
        let facts: [Fact]
        let consents: [ConsentRow]
        let consentFields: [FieldContext]
        let noteFields: [FieldContext]
        let closeFields: [FieldContext]
        let hasErrors: Bool
        let openConsent: Bool
        let work: CaseWorkContext
        /// Filled only on the page a reveal returns.
        let identity: [Fact]?
        let notes: [NoteRow]?
    }

    struct Fact: Encodable {
        let labelKey: String
        let value: String
    }

    struct NoteRow: Encodable {
        let written: String
        let author: String
        let text: String
    }

    struct PageInput {
        var consent = ConsentForm()
        var note = ""
        var errors = FieldErrors()
        var identity: SurvivorService.Identity?
        var work = CaseWorkInput()
        /// The section to show; nil: the one the refused form belongs to, else the summary.
        var section: RecordSection?
        /// What was searched to find a consent's recipient.
        var recipientSearch = OrganisationPicker.Search()
        /// The consent form stays open (after a search for its recipient).
        var openConsent = false
    }

    static func render(_ req: Request, _ loaded: SurvivorService.Loaded, input: PageInput = PageInput(),
                       status: HTTPResponseStatus = .ok) async throws -> Response {
        let survivor = loaded.survivor
        let geography = try await GeographyDirectory.load(on: req.db)
        let year = TiranaTime.today(at: req.now).year
        let region = geography.regions.first { $0.id == survivor.$region.id }?.name(req.language) ?? ""
        let answers = survivor.washingtonGroupAnswers
        var facts = [
            Fact(labelKey: "survivor.field.ageBand", value: req.t(AgeBand.of(yearOfBirth: survivor.yearOfBirth, in: year).catalogKey)),
            Fact(labelKey: "survivor.field.sex", value: SurvivorSex(rawValue: survivor.sex).map { req.t($0.catalogKey) } ?? ""),
            Fact(labelKey: "field.region", value: region),
            Fact(labelKey: "field.municipality", value: survivor.municipalityID.flatMap { geography.places[$0]?.municipality } ?? ""),
            Fact(labelKey: "survivor.field.harm", value: HarmKind(rawValue: survivor.harm).map { req.t($0.catalogKey) } ?? ""),
            Fact(labelKey: "survivor.field.referralSource", value: ReferralSource(rawValue: survivor.referralSource).map { req.t($0.catalogKey) } ?? ""),
            Fact(labelKey: "survivor.field.disability", value: req.t(answers.isEmpty ? "survivor.disability.unknown"
                                                                      : survivor.hasDisability ? "survivor.disability.yes" : "survivor.disability.no")),
            Fact(labelKey: "survivor.field.opened", value: Display.day(survivor.openedAt, req.language)),
        ]
        if let closed = survivor.closedAt {
            facts.append(Fact(labelKey: "survivor.field.closed", value: Display.day(closed, req.language)))
            facts.append(Fact(labelKey: "survivor.field.closureReason",
                              value: survivor.closureReason.flatMap(ClosureReason.init(rawValue:)).map { req.t($0.catalogKey) } ?? ""))
        }
        // Referrals go only to organisations a consent names: these are all the names the page needs.
        let recipients = Set(loaded.consents.compactMap(\.recipientOrganisationID))
        let allNames = try await OrganisationService(database: req.db, services: req.services).names(recipients)
        let instant = req.now
        let consents = loaded.consents.reversed().map { consent in
            let people = consent.id.flatMap { input.identity?.consentPeople[$0] }
            return ConsentRow(
                id: consent.id?.uuidString ?? "", purpose: ConsentPurpose(rawValue: consent.purpose).map { req.t($0.catalogKey) } ?? "",
                recipient: consent.recipientOrganisationID.flatMap { allNames[$0] }, formVersion: consent.formVersion,
                given: Display.day(consent.givenAt, req.language), withdrawn: consent.withdrawnAt.map { Display.day($0, req.language) },
                active: consent.record?.isActive(at: instant) ?? false, interpreter: people?.interpreter, witness: people?.witness)
        }
        let errors = input.errors
        let form = input.consent
        let consentFields = [
            FieldContext("purpose", label: "survivor.field.purpose", kind: "select", value: form.purpose,
                         options: ConsentPurpose.allCases.map { .init(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0.rawValue == form.purpose) },
                         errors: errors, required: true),
            try await OrganisationPicker.field(req, name: "recipientID", label: "survivor.field.recipient", search: input.recipientSearch,
                                               selected: form.recipientID, region: survivor.$region.id, onlyActive: true,
                                               excluding: survivor.$organisation.id, errors: errors, hint: "survivor.recipient.hint"),
            FieldContext("sharedFields", label: "survivor.field.sharedFields", kind: "checkboxes",
                         options: IdentityField.allCases.map { .init(value: $0.rawValue, label: req.t($0.catalogKey), selected: form.sharedFields.contains($0.rawValue)) },
                         errors: errors, hint: "survivor.sharedFields.hint"),
            FieldContext("formVersion", label: "survivor.field.formVersion", value: form.formVersion, errors: errors, required: true),
            FieldContext("interpreter", label: "survivor.field.interpreter", value: form.interpreter, errors: errors, autocomplete: "off"),
            FieldContext("witness", label: "survivor.field.witness", value: form.witness, errors: errors, autocomplete: "off"),
        ]
        let closeFields = [
            FieldContext("reason", label: "survivor.field.closureReason", kind: "select",
                         options: ClosureReason.allCases.filter { $0 != .erasureRequested }.map { .init(value: $0.rawValue, label: req.t($0.catalogKey), selected: false) },
                         errors: errors, required: true),
        ]
        let identity = input.identity.map { identity in
            identity.fields.map { Fact(labelKey: $0.field.catalogKey, value: $0.value) }
        }
        let notes = input.identity.map { identity in
            identity.notes.map { note in
                let parts = TiranaTime.parts(of: note.writtenAt)
                return NoteRow(written: "\(Display.date(iso: parts.date, req.language)) \(parts.time)", author: note.author, text: note.text)
            }
        }
        let work = try await CaseWorkContext.make(req, loaded, input: input.work, errors: errors, organisationNames: allNames)
        let section = input.section ?? (input.work.open != nil ? RecordSection(workForm: input.work.open) : .summary)
        let activePurposes = loaded.consents.filter { $0.record?.isActive(at: instant) ?? false }
            .compactMap { ConsentPurpose(rawValue: $0.purpose) }
        let summary = Summary(
            status: req.t(survivor.status.catalogKey), club: work.member ?? req.t("club.notMember"),
            plan: req.counted("survivor.summary.goals", work.goals.count)
                + (work.overdueSteps > 0 ? " · " + req.counted("survivor.summary.overdue", work.overdueSteps) : ""),
            nextFollowUp: work.nextFollowUp ?? req.t("survivor.summary.noFollowUp"),
            openReferrals: req.counted("survivor.summary.referrals", work.openReferrals),
            consents: Array(Set(activePurposes)).sorted { $0.rawValue < $1.rawValue }.map { req.t($0.catalogKey) })
        let page = RecordPage(
            code: survivor.code, section: section.rawValue,
            tabs: RecordSection.allCases.map { Tab(href: $0.url(survivor.code), titleKey: $0.titleKey, current: $0 == section) },
            summary: summary,
            timeline: section == .summary ? try await SurvivorTimeline.events(req, code: survivor.code, organisationNames: allNames) : [],
            status: req.t(survivor.status.catalogKey), isOpen: survivor.status == .open,
            identityDestroyed: loaded.access.identityDestroyed,
            canReveal: Policy.decide(req.actor, .revealSurvivorIdentity, .survivor(loaded.access)).isAllowed,
            facts: facts, consents: consents, consentFields: consentFields,
            noteFields: [FieldContext("note", label: "survivor.field.note", kind: "textarea", value: input.note, errors: errors, hint: "survivor.note.hint")],
            closeFields: closeFields,
            hasErrors: !errors.isEmpty, openConsent: input.openConsent || !errors.isEmpty,
            work: work,
            identity: identity, notes: notes)
        return try await req.page("survivors/record", title: input.identity == nil ? "survivor.record.title" : "survivor.identity.title",
                                  page, status: status)
    }
}
