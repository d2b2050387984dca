import Fluent
import Foundation
import FuqizoCore
import Vapor

/// The record's page as a case worker sees it — facts, consents, notes once revealed, and the
/// case work below — built from the loaded record and what was typed, without HTTP.
enum SurvivorRecordContext {
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
            Fact(labelKey: "survivor.field.opened", value: TiranaTime.parts(of: survivor.openedAt).date),
        ]
        if let closed = survivor.closedAt {
            facts.append(Fact(labelKey: "survivor.field.closed", value: TiranaTime.parts(of: closed).date))
            facts.append(Fact(labelKey: "survivor.field.closureReason",
                              value: survivor.closureReason.flatMap(ClosureReason.init(rawValue:)).map { req.t($0.catalogKey) } ?? ""))
        }
        let recipients = Set(loaded.consents.compactMap(\.recipientOrganisationID))
        let service = OrganisationService(database: req.db, services: req.services)
        let organisations = try await service.active()
        let names = Dictionary(uniqueKeysWithValues: organisations.compactMap { org in org.id.map { ($0, org.nameSq) } })
        let missing = recipients.subtracting(names.keys)
        let extra = missing.isEmpty ? [] : try await service.named(missing)
        let allNames = names.merging(extra.compactMap { org in org.id.map { ($0, org.nameSq) } }) { first, _ in first }
        let instant = req.now
        let consents = loaded.consents.reversed().map { consent in
            let people = consent.id.flatMap { input.identity?.consentPeople[$0] }
            return ConsentRow(
                id: consent.id?.uuidString ?? "", purpose: ConsentPurpose(rawValue: consent.purpose).map { req.t($0.catalogKey) } ?? "",
                recipient: consent.recipientOrganisationID.flatMap { allNames[$0] }, formVersion: consent.formVersion,
                given: TiranaTime.parts(of: consent.givenAt).date, withdrawn: consent.withdrawnAt.map { TiranaTime.parts(of: $0).date },
                active: consent.record?.isActive(at: instant) ?? false, interpreter: people?.interpreter, witness: people?.witness)
        }
        let errors = input.errors
        let form = input.consent
        let consentFields = [
            FieldContext("purpose", label: "survivor.field.purpose", kind: "select", value: form.purpose,
                         options: ConsentPurpose.allCases.map { .init(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0.rawValue == form.purpose) },
                         errors: errors, required: true),
            FieldContext("recipientID", label: "survivor.field.recipient", kind: "select", value: form.recipientID,
                         options: organisations.filter { $0.id != survivor.$organisation.id }.map {
                             .init(value: $0.id!.uuidString, label: $0.nameSq, selected: $0.id!.uuidString == form.recipientID) },
                         errors: errors, hint: "survivor.recipient.hint"),
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
                return NoteRow(written: "\(parts.date) \(parts.time)", author: note.author, text: note.text)
            }
        }
        let page = RecordPage(
            code: survivor.code, status: req.t(survivor.status.catalogKey), isOpen: survivor.status == .open,
            identityDestroyed: loaded.access.identityDestroyed,
            canReveal: Policy.decide(req.actor, .revealSurvivorIdentity, .survivor(loaded.access)).isAllowed,
            facts: facts, consents: consents, consentFields: consentFields,
            noteFields: [FieldContext("note", label: "survivor.field.note", kind: "textarea", value: input.note, errors: errors, hint: "survivor.note.hint")],
            closeFields: closeFields,
            hasErrors: !errors.isEmpty,
            work: try await CaseWorkContext.make(req, loaded, input: input.work, errors: errors, organisationNames: allNames),
            identity: identity, notes: notes)
        return try await req.page("survivors/record", title: input.identity == nil ? "survivor.record.title" : "survivor.identity.title",
                                  page, status: status)
    }
}
