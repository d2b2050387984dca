import Fluent
import Foundation
import FuqizoCore
import Vapor

/// Case workers' pages for survivor records. URLs carry only the pseudonymous code; titles are
/// neutral; identity fields appear only on the page a "reveal" (a POST, audited) returns.
struct SurvivorsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let survivors = routes.grouped("survivors")
        survivors.get(use: caseload).access(.viewCaseload)
        survivors.get("new", use: newForm).access(.registerSurvivor)
        survivors.post(use: register).access(.registerSurvivor)
        survivors.get(":code", use: show).access(.viewSurvivor, .survivor)
        survivors.post(":code", "reveal", use: reveal).access(.revealSurvivorIdentity, .survivor)
        survivors.post(":code", "consents", use: addConsent).access(.manageSurvivor, .survivor)
        survivors.post(":code", "consents", ":consentID", "withdraw", use: withdrawConsent).access(.manageSurvivor, .survivor)
        survivors.post(":code", "notes", use: addNote).access(.writeCaseNotes, .survivor)
        survivors.post(":code", "close", use: close).access(.manageSurvivor, .survivor)
        survivors.post(":code", "reopen", use: reopen).access(.manageSurvivor, .survivor)
        survivors.post(":code", "erase", use: erase).access(.manageSurvivor, .survivor)
        survivors.post(":code", "needs", use: saveNeeds).access(.manageSurvivor, .survivor)
        survivors.post(":code", "plan", use: addGoal).access(.writeCaseNotes, .survivor)
        survivors.post(":code", "plan", ":goalID", "steps", use: addStep).access(.writeCaseNotes, .survivor)
        survivors.post(":code", "plan", "steps", ":stepID", use: setStepStatus).access(.manageSurvivor, .survivor)
        survivors.post(":code", "referrals", use: sendReferral).access(.manageSurvivor, .survivor)
        survivors.post(":code", "club", "join", use: joinClub).access(.manageSurvivor, .survivor)
        survivors.post(":code", "club", "leave", use: leaveClub).access(.manageSurvivor, .survivor)
        survivors.post(":code", "skills", use: addSkill).access(.manageSurvivor, .survivor)
        survivors.post(":code", "employment", use: recordEmployment).access(.manageSurvivor, .survivor)
        survivors.post(":code", "follow-ups", ":followUpID", use: recordFollowUp).access(.manageSurvivor, .survivor)
    }

    private func service(_ req: Request) -> SurvivorService {
        SurvivorService(database: req.db, services: req.services)
    }

    /// The record named in the path, as the policy allowed it for the route's action.
    private func loaded(_ req: Request) throws -> SurvivorService.Loaded {
        try req.record(SurvivorService.Loaded.self)
    }

    // MARK: caseload

    struct CaseloadQuery: Content {
        var status: String?
        var code: String?
        var page: Int?
    }

    struct CaseloadRow: Encodable {
        let code: String
        let ageBand: String
        let sex: String
        let region: String
        let harm: String
        let status: String
        let opened: String
        let identityDestroyed: Bool
    }

    struct CaseloadPage: Encodable {
        let rows: [CaseloadRow]
        let total: Int
        let page: Int
        let pageCount: Int
        let previousPage: String?
        let nextPage: String?
        let fields: [FieldContext]
        let code: String
        let followUps: [FollowUpRow]
    }

    /// A follow-up whose date has come: due, or late after the grace period.
    struct FollowUpRow: Encodable {
        let code: String
        let months: Int
        let due: String
        let late: Bool
    }

    func caseload(req: Request) async throws -> View {
        let query = (try? req.query.decode(CaseloadQuery.self)) ?? CaseloadQuery()
        let status = query.status.flatMap(CaseStatus.init(rawValue:))
        let page = try await service(req).caseload(organisations: req.actor.organisations(as: .caseWorker), status: status,
                                                   codePrefix: query.code.flatMap(Text.clean), page: query.page)
        let geography = try await GeographyDirectory.load(on: req.db)
        let regions = Dictionary(uniqueKeysWithValues: geography.regions.map { ($0.id, $0.name(req.language)) })
        let today = TiranaTime.today(at: req.now)
        let year = today.year
        let rows = page.rows.map { row in
            CaseloadRow(
                code: row.code, ageBand: req.t(AgeBand.of(yearOfBirth: row.yearOfBirth, in: year).catalogKey),
                sex: SurvivorSex(rawValue: row.sex).map { req.t($0.catalogKey) } ?? "",
                region: regions[row.regionId] ?? "", harm: HarmKind(rawValue: row.harm).map { req.t($0.catalogKey) } ?? "",
                status: CaseStatus(rawValue: row.status).map { req.t($0.catalogKey) } ?? "",
                opened: TiranaTime.parts(of: row.openedAt).date, identityDestroyed: row.identityDestroyedAt != nil)
        }
        func link(_ number: Int) -> String {
            var components = URLComponents()
            components.path = "/survivors"
            components.queryItems = [("status", query.status), ("code", query.code), ("page", String(number))]
                .compactMap { name, value in value.flatMap(Text.clean).map { URLQueryItem(name: name, value: $0) } }
            return components.string ?? "/survivors"
        }
        let filters = [
            FieldContext("status", label: "field.status", kind: "select", value: query.status ?? "",
                         options: CaseStatus.allCases.map { .init(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0 == status) }),
        ]
        return try await req.page("survivors/caseload", title: "survivor.caseload.title", CaseloadPage(
            rows: rows, total: page.pager.total, page: page.pager.page, pageCount: page.pager.pageCount,
            previousPage: page.pager.previous.map(link), nextPage: page.pager.next.map(link),
            fields: filters, code: query.code ?? "",
            followUps: try await CaseWorkService(database: req.db, services: req.services).dueFollowUps(organisations: req.actor.organisations(as: .caseWorker))
                .map { row in
                    let state = FollowUpSchedule.state(of: LocalDate(row.dueOn) ?? today, today: today, recorded: false)
                    return FollowUpRow(code: row.code, months: row.months, due: row.dueOn, late: state == .late)
                }))
    }

    // MARK: intake

    struct Section: Encodable {
        let titleKey: String
        let hintKey: String?
        let fields: [FieldContext]
    }

    struct IntakePage: Encodable {
        let sections: [Section]
        let hasErrors: Bool
        let duplicate: Bool
        /// The existing record's code (only ever this organisation's).
        let duplicateCode: String?
        let hidden: [Hidden]
        /// A notice about the whole form (too many intakes in an hour).
        let noticeKey: String?
    }

    struct Hidden: Encodable {
        let name: String
        let value: String
    }

    private func renderIntake(_ req: Request, form: SurvivorIntakeForm, errors: FieldErrors = .init(),
                              duplicate: (found: Bool, code: String?) = (false, nil), notice: String? = nil,
                              status: HTTPResponseStatus = .ok) async throws -> Response {
        let geography = try await GeographyDirectory.load(on: req.db)
        func options<T: RawRepresentable & CaseIterable>(_ type: T.Type, _ key: (T) -> String, selected: Set<String>) -> [FieldContext.Option] where T.RawValue == String {
            T.allCases.map { .init(value: $0.rawValue, label: req.t(key($0)), selected: selected.contains($0.rawValue)) }
        }
        var organisationFields: [FieldContext] = []
        let organisations = req.actor.organisations(as: .caseWorker)
        if organisations.count > 1 {
            let rows = try await Organisation.query(on: req.db).filter(\.$id ~~ organisations).sort(\.$nameSq).all()
            organisationFields.append(FieldContext("organisationID", label: "survivor.field.organisation", kind: "select", value: form.organisationID,
                                                   options: rows.map { .init(value: $0.id!.uuidString, label: $0.nameSq, selected: $0.id!.uuidString == form.organisationID) },
                                                   errors: errors, required: true))
        }
        let purposes = ConsentPurpose.allCases.filter { $0 != .referral }
        let sections = [
            Section(titleKey: "survivor.section.identity", hintKey: "survivor.identity.hint", fields: [
                FieldContext("firstName", label: IdentityField.firstName.catalogKey, value: form.firstName, errors: errors, required: true, autocomplete: "off"),
                FieldContext("lastName", label: IdentityField.lastName.catalogKey, value: form.lastName, errors: errors, autocomplete: "off"),
                FieldContext("birthDate", label: IdentityField.birthDate.catalogKey, kind: "date", value: form.birthDate, errors: errors, autocomplete: "off"),
                FieldContext("phone", label: IdentityField.phone.catalogKey, kind: "tel", value: form.phone, errors: errors, autocomplete: "off"),
                FieldContext("address", label: IdentityField.address.catalogKey, value: form.address, errors: errors, autocomplete: "off"),
                FieldContext("idNumber", label: IdentityField.idNumber.catalogKey, value: form.idNumber, errors: errors, autocomplete: "off"),
                FieldContext("emergencyContact", label: IdentityField.emergencyContact.catalogKey, value: form.emergencyContact, errors: errors, autocomplete: "off"),
            ]),
            Section(titleKey: "survivor.section.statistics", hintKey: "survivor.statistics.hint", fields: organisationFields + [
                FieldContext("yearOfBirth", label: "survivor.field.yearOfBirth", kind: "number", value: form.yearOfBirth, errors: errors, hint: "survivor.yearOfBirth.hint"),
                FieldContext("sex", label: "survivor.field.sex", kind: "select", value: form.sex, options: options(SurvivorSex.self, \.catalogKey, selected: [form.sex]), errors: errors, required: true),
                FieldContext("regionID", label: "field.region", kind: "select", value: form.regionID,
                             options: geography.regions.map { .init(value: $0.id.uuidString, label: $0.name(req.language), selected: $0.id.uuidString == form.regionID) },
                             errors: errors, required: true),
                FieldContext("municipalityID", label: "field.municipality", kind: "select", value: form.municipalityID,
                             options: geography.sortedPlaces.map { .init(value: $0.municipalityID.uuidString, label: $0.municipality, selected: $0.municipalityID.uuidString == form.municipalityID) },
                             errors: errors),
                FieldContext("harm", label: "survivor.field.harm", kind: "select", value: form.harm, options: options(HarmKind.self, \.catalogKey, selected: [form.harm]), errors: errors, required: true),
                FieldContext("referralSource", label: "survivor.field.referralSource", kind: "select", value: form.referralSource,
                             options: options(ReferralSource.self, \.catalogKey, selected: [form.referralSource]), errors: errors, required: true),
            ]),
            Section(titleKey: "survivor.section.washingtonGroup", hintKey: "survivor.washingtonGroup.hint", fields: SurvivorIntakeForm.washingtonGroupFields.map { field, domain in
                FieldContext(field, label: "survivor.wg.\(domain.rawValue)", kind: "select", value: form.washingtonGroupAnswer(field),
                             options: options(WashingtonGroup.Answer.self, { "survivor.wg.answer.\($0.rawValue)" }, selected: [form.washingtonGroupAnswer(field)]),
                             errors: errors)
            }),
            Section(titleKey: "survivor.section.consent", hintKey: "survivor.consent.hint", fields: [
                FieldContext("consents", label: "survivor.field.consents", kind: "checkboxes",
                             options: purposes.map { .init(value: $0.rawValue, label: req.t($0.catalogKey), selected: form.consents.contains($0.rawValue)) },
                             errors: errors, required: true),
                FieldContext("consentFormVersion", label: "survivor.field.formVersion", value: form.consentFormVersion, errors: errors, required: true, hint: "survivor.formVersion.hint"),
                FieldContext("interpreter", label: "survivor.field.interpreter", value: form.interpreter, errors: errors, autocomplete: "off"),
                FieldContext("witness", label: "survivor.field.witness", value: form.witness, errors: errors, autocomplete: "off"),
            ]),
        ]
        return try await req.page("survivors/intake", title: "survivor.intake.title", IntakePage(
            sections: sections, hasErrors: !errors.isEmpty, duplicate: duplicate.found, duplicateCode: duplicate.code,
            hidden: duplicate.found ? [Hidden(name: "confirmNew", value: "yes")] : [], noticeKey: notice), status: status)
    }

    func newForm(req: Request) async throws -> Response {
        try await renderIntake(req, form: SurvivorIntakeForm())
    }

    func register(req: Request) async throws -> Response {
        let form = try req.form(SurvivorIntakeForm.self)
        let actor = try req.requireSignedIn().actor
        let organisations = actor.organisations(as: .caseWorker)
        let chosen = organisations.count == 1 ? organisations.first : UUID(uuidString: form.organisationID)
        guard let organisationID = chosen, organisations.contains(organisationID) else {
            var errors = FieldErrors()
            errors.add("organisationID", "form.error.choose")
            return try await renderIntake(req, form: form, errors: errors, status: .badRequest)
        }
        try req.authorize(.registerSurvivor, .organisation(organisationID))
        switch try await service(req).register(form, organisationID: organisationID, actor: actor.userID!) {
        case .invalid(let errors):
            return try await renderIntake(req, form: form, errors: errors, status: .badRequest)
        case .possibleDuplicate(let code):
            return try await renderIntake(req, form: form, duplicate: (true, code), status: .conflict)
        case .throttled:
            return try await renderIntake(req, form: form, notice: "survivor.error.intakeThrottled", status: .tooManyRequests)
        case .created(let code):
            return Flash.redirect(req, to: "/survivors/\(code)", flash: "survivor.created")
        }
    }

    // MARK: the record

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
        let eraseFields: [FieldContext]
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
        var erase = ""
        var errors = FieldErrors()
        var identity: SurvivorService.Identity?
        var work = CaseWorkInput()
    }

    private func renderRecord(_ req: Request, _ loaded: SurvivorService.Loaded, input: PageInput = PageInput(),
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
        let organisations = try await Organisation.query(on: req.db).filter(\.$status == OrganisationStatus.active.rawValue).sort(\.$nameSq).all()
        let names = Dictionary(uniqueKeysWithValues: organisations.compactMap { org in org.id.map { ($0, org.nameSq) } })
        let missing = recipients.subtracting(names.keys)
        let extra = missing.isEmpty ? [] : try await Organisation.query(on: req.db).filter(\.$id ~~ missing).all()
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
            code: survivor.code, status: req.t(survivor.caseStatus.catalogKey), isOpen: survivor.caseStatus == .open,
            identityDestroyed: loaded.access.identityDestroyed,
            canReveal: Policy.decide(req.actor, .revealSurvivorIdentity, .survivor(loaded.access)).isAllowed,
            facts: facts, consents: consents, consentFields: consentFields,
            noteFields: [FieldContext("note", label: "survivor.field.note", kind: "textarea", value: input.note, errors: errors, hint: "survivor.note.hint")],
            closeFields: closeFields,
            eraseFields: [FieldContext("confirmCode", label: "survivor.field.confirmCode", value: input.erase, errors: errors, required: true,
                                     hint: "survivor.erase.hint", autocomplete: "off")],
            hasErrors: !errors.isEmpty,
            work: try await CaseWorkContext.make(req, loaded, input: input.work, errors: errors, organisationNames: allNames),
            identity: identity, notes: notes)
        return try await req.page("survivors/record", title: input.identity == nil ? "survivor.record.title" : "survivor.identity.title",
                                  page, status: status)
    }

    func show(req: Request) async throws -> Response {
        let loaded = try loaded(req)
        try await service(req).recordView(loaded, actor: req.requireSignedIn().actor.userID!)
        return try await renderRecord(req, loaded)
    }

    func reveal(req: Request) async throws -> Response {
        let loaded = try loaded(req)
        let identity = try await service(req).reveal(loaded, actor: req.requireSignedIn().actor.userID!)
        return try await renderRecord(req, loaded, input: PageInput(identity: identity))
    }

    private func back(_ req: Request, _ loaded: SurvivorService.Loaded, flash: String) -> Response {
        Flash.redirect(req, to: "/survivors/\(loaded.survivor.code)", flash: flash)
    }

    func addConsent(req: Request) async throws -> Response {
        let loaded = try loaded(req)
        let form = try req.form(ConsentForm.self)
        switch try await service(req).recordConsent(form, on: loaded, actor: req.requireSignedIn().actor.userID!) {
        case .failure(let errors): return try await renderRecord(req, loaded, input: PageInput(consent: form, errors: errors), status: .badRequest)
        case .success: return back(req, loaded, flash: "survivor.consentRecorded")
        }
    }

    func withdrawConsent(req: Request) async throws -> Response {
        let loaded = try loaded(req)
        let consentID = try req.id("consentID")
        try await service(req).withdrawConsent(consentID, on: loaded, actor: req.requireSignedIn().actor.userID!)
        return back(req, loaded, flash: "survivor.consentWithdrawn")
    }

    struct NoteForm: Content {
        var note: String?
    }

    func addNote(req: Request) async throws -> Response {
        let loaded = try loaded(req)
        let text = try req.form(NoteForm.self).note ?? ""
        switch try await service(req).addNote(text, on: loaded, actor: req.requireSignedIn().actor.userID!) {
        case .failure(let errors): return try await renderRecord(req, loaded, input: PageInput(note: text, errors: errors), status: .badRequest)
        case .success: return back(req, loaded, flash: "survivor.noteAdded")
        }
    }

    struct CloseForm: Content {
        var reason: String?
    }

    func close(req: Request) async throws -> Response {
        let loaded = try loaded(req)
        let reason = try req.form(CloseForm.self).reason ?? ""
        switch try await service(req).close(loaded, reason: reason, actor: req.requireSignedIn().actor.userID!) {
        case .failure(let errors): return try await renderRecord(req, loaded, input: PageInput(errors: errors), status: .badRequest)
        case .success: return back(req, loaded, flash: "survivor.closedNotice")
        }
    }

    func reopen(req: Request) async throws -> Response {
        let loaded = try loaded(req)
        try await service(req).reopen(loaded, actor: req.requireSignedIn().actor.userID!)
        return back(req, loaded, flash: "survivor.reopenedNotice")
    }

    struct EraseForm: Content {
        var confirmCode: String?
    }

    /// Erasure is final: the case worker types the record's code to confirm.
    func erase(req: Request) async throws -> Response {
        let loaded = try loaded(req)
        let typed = (try req.form(EraseForm.self).confirmCode ?? "").trimmingCharacters(in: .whitespaces).uppercased()
        guard typed == loaded.survivor.code else {
            var errors = FieldErrors()
            errors.add("confirmCode", "survivor.error.confirmCode")
            return try await renderRecord(req, loaded, input: PageInput(erase: typed, errors: errors), status: .badRequest)
        }
        try await service(req).erase(loaded, actor: req.requireSignedIn().actor.userID!)
        return back(req, loaded, flash: "survivor.erasedNotice")
    }

    // MARK: case work

    private func failed(_ req: Request, _ loaded: SurvivorService.Loaded, _ errors: FieldErrors, work: CaseWorkInput) async throws -> Response {
        try await renderRecord(req, loaded, input: PageInput(errors: errors, work: work), status: .badRequest)
    }

    private var work: (Request) -> CaseWorkService { { CaseWorkService(database: $0.db, services: $0.services) } }

    func saveNeeds(req: Request) async throws -> Response {
        let loaded = try loaded(req)
        let form = try req.form(NeedsForm.self)
        switch try await work(req).saveNeeds(form, on: loaded, actor: req.requireSignedIn().actor.userID!) {
        case .failure(let errors): return try await failed(req, loaded, errors, work: CaseWorkInput(needs: form, open: "needs"))
        case .success: return back(req, loaded, flash: "form.saved")
        }
    }

    /// The plan's words are case data: writing them needs consent to services, as reading does.
    func addGoal(req: Request) async throws -> Response {
        let loaded = try loaded(req)
        let form = try req.form(PlanStepForm.self)
        switch try await work(req).addGoal(form, on: loaded, actor: req.requireSignedIn().actor.userID!) {
        case .failure(let errors): return try await failed(req, loaded, errors, work: CaseWorkInput(plan: form, open: "plan"))
        case .success: return back(req, loaded, flash: "plan.goalAdded")
        }
    }

    func addStep(req: Request) async throws -> Response {
        let loaded = try loaded(req)
        let goalID = try req.id("goalID")
        let form = try req.form(PlanStepForm.self)
        switch try await work(req).addStep(form, goalID: goalID, on: loaded, actor: req.requireSignedIn().actor.userID!) {
        case .failure(let errors): return try await failed(req, loaded, errors, work: CaseWorkInput(plan: form, planGoal: goalID, open: "plan"))
        case .success: return back(req, loaded, flash: "plan.stepAdded")
        }
    }

    struct StatusForm: Content {
        var status: String?
    }

    func setStepStatus(req: Request) async throws -> Response {
        let loaded = try loaded(req)
        let stepID = try req.id("stepID")
        try await work(req).setStepStatus(stepID, to: try req.form(StatusForm.self).status ?? "", on: loaded,
                                          actor: req.requireSignedIn().actor.userID!)
        return back(req, loaded, flash: "form.saved")
    }

    struct ReferralForm: Content {
        var consentID: String?
        var service: String?
    }

    func sendReferral(req: Request) async throws -> Response {
        let loaded = try loaded(req)
        let form = try req.form(ReferralForm.self)
        let desk = ReferralDesk(database: req.db, services: req.services)
        switch try await desk.send(consentID: form.consentID ?? "", service: form.service ?? "", on: loaded, actor: req.requireSignedIn().actor.userID!) {
        case .failure(let errors):
            return try await failed(req, loaded, errors, work: CaseWorkInput(referral: (form.consentID ?? "", form.service ?? ""), open: "referral"))
        case .success: return back(req, loaded, flash: "referral.sent")
        }
    }

    func joinClub(req: Request) async throws -> Response {
        let loaded = try loaded(req)
        try await ClubService(database: req.db, services: req.services).join(loaded, actor: req.requireSignedIn().actor.userID!)
        return back(req, loaded, flash: "club.joined")
    }

    func leaveClub(req: Request) async throws -> Response {
        let loaded = try loaded(req)
        try await ClubService(database: req.db, services: req.services).leave(loaded, actor: req.requireSignedIn().actor.userID!)
        return back(req, loaded, flash: "club.left")
    }

    func addSkill(req: Request) async throws -> Response {
        let loaded = try loaded(req)
        let form = try req.form(ClubService.SkillForm.self)
        switch try await ClubService(database: req.db, services: req.services).addSkill(form, on: loaded, actor: req.requireSignedIn().actor.userID!) {
        case .failure(let errors): return try await failed(req, loaded, errors, work: CaseWorkInput(skill: form, open: "club"))
        case .success: return back(req, loaded, flash: "club.skillRecorded")
        }
    }

    func recordEmployment(req: Request) async throws -> Response {
        let loaded = try loaded(req)
        let form = try req.form(EmploymentForm.self)
        switch try await work(req).recordEmployment(form, on: loaded, actor: req.requireSignedIn().actor.userID!) {
        case .failure(let errors): return try await failed(req, loaded, errors, work: CaseWorkInput(employment: form, open: "employment"))
        case .success: return back(req, loaded, flash: "employment.recorded")
        }
    }

    struct FollowUpForm: Content {
        var stillWorking: String?
    }

    func recordFollowUp(req: Request) async throws -> Response {
        let loaded = try loaded(req)
        let id = try req.id("followUpID")
        let answer = try req.form(FollowUpForm.self).stillWorking
        guard answer == "yes" || answer == "no" else { throw AppError.badRequest }
        try await work(req).recordFollowUp(id, stillWorking: answer == "yes", on: loaded, actor: req.requireSignedIn().actor.userID!)
        return back(req, loaded, flash: "followUp.recorded")
    }
}
