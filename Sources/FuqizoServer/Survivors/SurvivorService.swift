import Fluent
import Foundation
import FuqizoCore
import SQLKit
import Vapor

/// Survivor records: intake, consent, case notes, closure, erasure and retention. Every read
/// and change of a record is written to the audit trail by its code, in the same transaction.
struct SurvivorService {
    let database: any Database
    let services: AppServices

    var now: Date { services.clock.now() }
    private var keys: SurvivorKeyWrapper { SurvivorKeyWrapper(masterKey: services.masterKey) }

    /// A record with what the policy needs to decide about it.
    struct Loaded: Sendable {
        let survivor: Survivor
        let consents: [SurvivorConsent]
        let access: SurvivorAccess
    }

    enum IntakeOutcome: Sendable {
        case created(code: String)
        case invalid(FieldErrors)
        /// The same name and birth date exist: in this organisation (with its code) or in another.
        case possibleDuplicate(code: String)
        /// The case worker ran too many intakes in the last hour.
        case throttled
    }

    /// Intakes one case worker may submit in an hour: far above a day's real work, far below
    /// what probing the duplicate check for names would need.
    static let intakesPerHour = 30

    /// What a reveal shows: identity fields in their order, and the case notes.
    struct Identity: Sendable {
        struct Note: Sendable {
            let writtenAt: Date
            let author: String
            let text: String
        }

        let fields: [(field: IdentityField, value: String)]
        let notes: [Note]
        /// Names of interpreters and witnesses of each consent, by consent id.
        let consentPeople: [UUID: (interpreter: String?, witness: String?)]
    }

    func audit(_ action: String, _ code: String, details: [String: String] = [:], actor: UUID?, on db: any Database) async throws {
        try await services.audit.record(.init(action, target: ("survivor", code), details: details), actor: actor, at: now, on: db)
    }

    // MARK: intake

    /// Records a new survivor. `limited` is false only for the demo loader, whose records no
    /// person typed.
    func register(_ form: SurvivorIntakeForm, organisationID: UUID, actor: UUID, limited: Bool = true) async throws -> IntakeOutcome {
        let today = TiranaTime.today(at: now)
        let intake: SurvivorIntake
        switch form.validated(today: today) {
        case .failure(let errors): return .invalid(errors)
        case .success(let valid): intake = valid
        }
        var errors = FieldErrors()
        guard let region = try await ProgrammeRegion.find(intake.regionID, on: database) else {
            errors.add("regionID", "form.error.choose")
            return .invalid(errors)
        }
        if let municipality = intake.municipalityID, try await Municipality.find(municipality, on: database) == nil {
            errors.add("municipalityID", "form.error.choose")
            return .invalid(errors)
        }
        let duplicateKey = intake.duplicateBasis.map {
            DuplicateKey.make(firstName: $0.firstName, lastName: $0.lastName, birthDate: $0.birthDate, masterKey: services.masterKey)
        }
        // Every check is audited and limited per person: the check answers questions about names.
        if limited {
            let recent = try await IntakeCheck.query(on: database).filter(\.$userID == actor)
                .filter(\.$checkedAt > now.addingTimeInterval(-3600)).count()
            if recent >= Self.intakesPerHour { return .throttled }
            try await IntakeCheck(userID: actor, checkedAt: now).create(on: database)
        }
        var matches: [Survivor] = []
        if let duplicateKey {
            matches = try await Survivor.query(on: database).filter(\.$duplicateKey == duplicateKey).sort(\.$openedAt).all()
        }
        // Only this organisation's own records are named. A match in another organisation is
        // never told (it would tell where a named person is helped): it is recorded so that
        // statistics count the person once.
        let ownMatch = matches.first { $0.$organisation.id == organisationID }
        try await services.audit.record(.init("survivor.duplicateChecked", details: ["outcome": ownMatch == nil ? "none" : "ownRecord"]),
                                  actor: actor, at: now, on: database)
        if let ownMatch, form.confirmNew != "yes" { return .possibleDuplicate(code: ownMatch.code) }
        var matchedPerson: UUID?
        if let earliest = matches.first(where: { $0.$organisation.id != organisationID }), let id = earliest.id {
            matchedPerson = try await SurvivorMatch.find(id, on: database)?.personID ?? id
        }
        let person = matchedPerson

        let survivorID = UUID()
        let dataKey = SurvivorDataKey.generate()
        let survivor = Survivor()
        survivor.id = survivorID
        survivor.$organisation.id = organisationID
        survivor.$region.id = intake.regionID
        survivor.status = .open
        survivor.yearOfBirth = intake.yearOfBirth
        survivor.sex = intake.sex.rawValue
        survivor.municipalityID = intake.municipalityID
        survivor.harm = intake.harm.rawValue
        survivor.referralSource = intake.referralSource.rawValue
        survivor.washingtonGroup = intake.washingtonGroupText
        survivor.hasDisability = intake.hasDisability
        survivor.duplicateKey = duplicateKey
        survivor.openedAt = now
        survivor.createdBy = actor
        for (field, value) in intake.identity {
            survivor.setSealed(field, try dataKey.seal(value, survivor: survivorID, field: field.rawValue))
        }
        let wrapped = try keys.wrap(dataKey, survivor: survivorID)
        let now = self.now
        let masterKey = services.masterKey
        let code = try await database.writeTransaction { db -> String in
            try await KeyGuard.sealing(under: masterKey, on: db)
            let number = try await ReferenceCounter.next("survivor:\(region.code)-\(today.year)", on: db)
            survivor.code = SurvivorCode.make(regionCode: region.code, year: today.year, number: number)
            try await survivor.create(on: db)
            try await SurvivorKey(survivorID: survivorID, wrappedKey: wrapped, createdAt: now).create(on: db)
            if let person { try await SurvivorMatch(survivorID: survivorID, personID: person, recordedAt: now).create(on: db) }
            for purpose in intake.consent.purposes {
                try await addConsent(purpose, recipient: nil, entry: intake.consent, survivorID: survivorID, dataKey: dataKey, actor: actor, on: db)
            }
            try await audit("survivor.created", survivor.code,
                            details: ["consents": intake.consent.purposes.map(\.rawValue).joined(separator: ",")], actor: actor, on: db)
            return survivor.code
        }
        return .created(code: code)
    }

    private func addConsent(_ purpose: ConsentPurpose, recipient: UUID?, shared: [IdentityField] = [], entry: ConsentEntry, survivorID: UUID,
                            dataKey: SurvivorDataKey, actor: UUID, on db: any Database) async throws {
        let consent = SurvivorConsent()
        let consentID = UUID()
        consent.id = consentID
        consent.$survivor.id = survivorID
        consent.purpose = purpose.rawValue
        consent.recipientOrganisationID = recipient
        consent.sharedFields = shared.isEmpty ? nil : shared.map(\.rawValue).joined(separator: ",")
        consent.formVersion = entry.formVersion
        consent.interpreterSealed = try entry.interpreter.map { try dataKey.seal($0, survivor: survivorID, field: "consent.\(consentID.uuidString.lowercased()).interpreter") }
        consent.witnessSealed = try entry.witness.map { try dataKey.seal($0, survivor: survivorID, field: "consent.\(consentID.uuidString.lowercased()).witness") }
        consent.givenAt = now
        consent.recordedBy = actor
        try await consent.create(on: db)
    }

    // MARK: reading

    /// A record by its code, with its consents. An unknown code is refused exactly as another
    /// organisation's is, so that guessing codes tells nothing.
    /// How many records the intake matched to a person another organisation registered.
    func matchCount() async throws -> Int {
        try await SurvivorMatch.query(on: database).count()
    }

    func load(code: String) async throws -> Loaded {
        guard SurvivorCode.isValid(code),
              let survivor = try await Survivor.query(on: database).filter(\.$code == code).first() else { throw AppError.forbidden }
        let consents = try await SurvivorConsent.query(on: database).filter(\.$survivor.$id == survivor.requireID())
            .sort(\.$givenAt).all()
        let records = consents.compactMap(\.record)
        let instant = now
        let active = Set(ConsentPurpose.allCases.filter { purpose in
            records.contains { $0.purpose == purpose && $0.isActive(at: instant) }
        })
        return Loaded(survivor: survivor, consents: consents,
                      access: SurvivorAccess(organisationID: survivor.$organisation.id, activeConsents: active,
                                             identityDestroyed: survivor.identityDestroyedAt != nil))
    }

    /// Records that the record was read (its pseudonymous page).
    func recordView(_ loaded: Loaded, actor: UUID) async throws {
        try await database.writeTransaction { db in try await audit("survivor.viewed", loaded.survivor.code, actor: actor, on: db) }
    }

    func dataKey(of survivorID: UUID, on db: any Database) async throws -> SurvivorDataKey {
        let wrapped = try await SurvivorKey.find(survivorID, on: db)?.wrappedKey
        return try keys.unwrap(wrapped, survivor: survivorID)
    }

    /// Decrypts identity fields and notes, after recording the reveal: no entry, no data.
    func reveal(_ loaded: Loaded, actor: UUID) async throws -> Identity {
        let survivor = loaded.survivor
        let id = try survivor.requireID()
        try await database.writeTransaction { db in try await audit("survivor.revealed", survivor.code, actor: actor, on: db) }
        let key = try await dataKey(of: id, on: database)
        let fields = try IdentityField.allCases.compactMap { field in try survivor.opened(field, with: key).map { (field, $0) } }
        let notes = try await SurvivorNote.query(on: database).filter(\.$survivor.$id == id).sort(\.$writtenAt, .descending).all()
        let authors = try await User.query(on: database).filter(\.$id ~~ Set(notes.map(\.authorID))).all()
        let names = Dictionary(uniqueKeysWithValues: authors.compactMap { user in user.id.map { ($0, user.displayName) } })
        var people: [UUID: (String?, String?)] = [:]
        for consent in loaded.consents {
            guard let consentID = consent.id, consent.interpreterSealed != nil || consent.witnessSealed != nil else { continue }
            let prefix = "consent.\(consentID.uuidString.lowercased())."
            people[consentID] = (try consent.interpreterSealed.map { try key.open($0, survivor: id, field: prefix + "interpreter") },
                                 try consent.witnessSealed.map { try key.open($0, survivor: id, field: prefix + "witness") })
        }
        return Identity(
            fields: fields,
            notes: try notes.map { note in
                Identity.Note(writtenAt: note.writtenAt, author: names[note.authorID] ?? "",
                              text: try key.open(note.bodySealed, survivor: id, field: "note.\(note.id!.uuidString.lowercased())"))
            },
            consentPeople: people)
    }

    struct CaseloadRow: Decodable, Sendable {
        let code: String
        let status: CaseStatus
        let yearOfBirth: Int?
        let sex: String
        let regionId: UUID
        let harm: String
        let openedAt: Date
        let identityDestroyedAt: Date?
    }

    struct CaseloadPage: Sendable {
        let rows: [CaseloadRow]
        let pager: Pager
    }

    static let pageSize = 50

    /// A case worker's caseload: their organisations' records, in code order, with plain SQL
    /// (the page lists tens of thousands of records at the largest CSOs).
    func caseload(organisations: Set<UUID>, status: CaseStatus?, codePrefix: String?, page: Int?) async throws -> CaseloadPage {
        guard let sql = database as? any SQLDatabase else { throw AppError.server }
        guard !organisations.isEmpty else { return CaseloadPage(rows: [], pager: Pager(requested: 1, total: 0, pageSize: Self.pageSize)) }
        func filtered(_ select: SQLSelectBuilder) -> SQLSelectBuilder {
            var select = select.from("survivors").where("organisation_id", .in, SQLBind.group(Array(organisations)))
            if let status { select = select.where("status", .equal, SQLBind(status.rawValue)) }
            if let prefix = codePrefix?.uppercased().filter({ $0.isLetter || $0.isNumber || $0 == "-" }), !prefix.isEmpty {
                select = select.where("code", .like, SQLBind("\(prefix)%"))
            }
            return select
        }
        let total = try await filtered(sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "count"))
            .first(decodingColumn: "count", as: Int.self) ?? 0
        let pager = Pager(requested: page, total: total, pageSize: Self.pageSize)
        let rows = try await filtered(sql.select().columns("code", "status", "year_of_birth", "sex", "region_id", "harm", "opened_at",
                                                           "identity_destroyed_at"))
            .orderBy("code")
            .limit(Self.pageSize)
            .offset(pager.offset)
            .all(decoding: CaseloadRow.self, keyDecodingStrategy: .convertFromSnakeCase)
        return CaseloadPage(rows: rows, pager: pager)
    }

    // MARK: changes

    func requireIdentity(_ loaded: Loaded) throws {
        guard loaded.access.identityDestroyed == false else { throw AppError(status: .conflict, messageKey: "survivor.error.destroyed") }
    }

    func recordConsent(_ form: ConsentForm, on loaded: Loaded, actor: UUID) async throws -> Result<Void, FieldErrors> {
        let valid: (purpose: ConsentPurpose, recipient: UUID?, shared: [IdentityField], entry: ConsentEntry)
        switch form.validated() {
        case .failure(let errors): return .failure(errors)
        case .success(let value): valid = value
        }
        try requireIdentity(loaded)
        if let recipient = valid.recipient {
            var errors = FieldErrors()
            let exists = try await Organisation.find(recipient, on: database) != nil
            if recipient == loaded.survivor.$organisation.id || !exists {
                errors.add("recipientID", "survivor.error.recipient")
                return .failure(errors)
            }
        }
        let survivor = loaded.survivor
        let id = try survivor.requireID()
        let key = try await dataKey(of: id, on: database)
        try await database.writeTransaction { db in
            try await addConsent(valid.purpose, recipient: valid.recipient, shared: valid.shared, entry: valid.entry, survivorID: id, dataKey: key, actor: actor, on: db)
            try await audit("survivor.consentGiven", survivor.code, details: ["purpose": valid.purpose.rawValue], actor: actor, on: db)
        }
        services.consentsChanged()
        return .success(())
    }

    /// Withdrawal takes effect at once: the next request is decided without it.
    func withdrawConsent(_ consentID: UUID, reason: ConsentWithdrawalReason, on loaded: Loaded, actor: UUID) async throws {
        guard let consent = loaded.consents.first(where: { $0.id == consentID }) else { throw AppError.notFound }
        guard consent.withdrawnAt == nil else { return }
        let code = loaded.survivor.code
        try await database.writeTransaction { db in
            consent.withdrawnAt = now
            consent.withdrawnBy = actor
            try await consent.save(on: db)
            try await audit("survivor.consentWithdrawn", code, details: ["purpose": consent.purpose, "reason": reason.rawValue], actor: actor, on: db)
        }
        // The indicators and the public results count this record no more from their next view.
        services.consentsChanged()
    }

    func addNote(_ text: String, on loaded: Loaded, actor: UUID) async throws -> Result<Void, FieldErrors> {
        var errors = FieldErrors()
        guard let body = Text.clean(text) else {
            errors.add("note", "form.error.required")
            return .failure(errors)
        }
        if body.count > 10_000 { errors.add("note", "form.error.tooLong"); return .failure(errors) }
        try requireIdentity(loaded)
        let survivor = loaded.survivor
        let id = try survivor.requireID()
        let key = try await dataKey(of: id, on: database)
        try await database.writeTransaction { db in
            let note = SurvivorNote()
            let noteID = UUID()
            note.id = noteID
            note.$survivor.id = id
            note.authorID = actor
            note.writtenAt = now
            note.bodySealed = try key.seal(body, survivor: id, field: "note.\(noteID.uuidString.lowercased())")
            try await note.create(on: db)
            try await audit("survivor.noteAdded", survivor.code, actor: actor, on: db)
        }
        return .success(())
    }

    func close(_ loaded: Loaded, reason: ClosureReason, actor: UUID) async throws {
        let survivor = loaded.survivor
        guard survivor.status == .open else { return }
        try await database.writeTransaction { db in
            survivor.status = .closed
            survivor.closedAt = now
            survivor.closureReason = reason.rawValue
            try await survivor.save(on: db)
            try await audit("survivor.closed", survivor.code, details: ["reason": reason.rawValue], actor: actor, on: db)
        }
    }

    /// Reopening keeps the closure on record in the audit trail; a record whose identity is
    /// destroyed cannot be reopened (there is nobody left to work with).
    func reopen(_ loaded: Loaded, actor: UUID) async throws {
        try requireIdentity(loaded)
        let survivor = loaded.survivor
        guard survivor.status == .closed else { return }
        try await database.writeTransaction { db in
            survivor.status = .open
            survivor.closedAt = nil
            survivor.closureReason = nil
            try await survivor.save(on: db)
            try await audit("survivor.reopened", survivor.code, actor: actor, on: db)
        }
    }

    /// Erasure on request: the data key and every ciphertext go at once; the pseudonymous
    /// record stays for statistics and the audit trail stays verifiable.
    func erase(_ loaded: Loaded, reason: ErasureReason, actor: UUID) async throws {
        try await destroyIdentity(of: loaded.survivor, action: "survivor.erased", details: ["reason": reason.rawValue], actor: actor)
    }

    private func destroyIdentity(of survivor: Survivor, action: String, details: [String: String] = [:], actor: UUID?) async throws {
        guard survivor.identityDestroyedAt == nil else { return }
        let id = try survivor.requireID()
        let sqlite = services.config.database.isSQLite
        // Listed first, outside the database, so no older backup can bring the record back.
        try ErasureList(dataDirectory: services.config.dataDirectory).add(survivor.code)
        try await database.writeTransaction { db in
            // SQLite keeps a deleted row's bytes in the freed space of its page unless told to
            // overwrite them; the key must not survive in the file.
            if sqlite, let sql = db as? any SQLDatabase { try await sql.raw("PRAGMA secure_delete = ON").run() }
            try await SurvivorKey.query(on: db).filter(\.$id == id).delete()
            // The key alone is enough; the ciphertexts go too, so no copy of this database
            // made from now on holds them at all.
            for field in IdentityField.allCases { survivor.setSealed(field, nil) }
            survivor.duplicateKey = nil
            survivor.identityDestroyedAt = now
            if survivor.status == .open {
                survivor.status = .closed
                survivor.closedAt = now
                survivor.closureReason = ClosureReason.erasureRequested.rawValue
            }
            try await survivor.save(on: db)
            try await SurvivorNote.query(on: db).filter(\.$survivor.$id == id).delete()
            try await SurvivorConsent.query(on: db).filter(\.$survivor.$id == id)
                .set(\.$interpreterSealed, to: nil).set(\.$witnessSealed, to: nil).update()
            // The plan's words go too; its areas, dates and statuses stay for statistics.
            try await PlanGoal.query(on: db).filter(\.$survivor.$id == id).set(\.$textSealed, to: nil).update()
            try await PlanStep.query(on: db).filter(\.$survivorID == id)
                .set(\.$textSealed, to: nil).set(\.$responsibleSealed, to: nil).update()
            try await audit(action, survivor.code, details: details, actor: actor, on: db)
        }
        // Earlier versions of the key's page also sit in the write-ahead log until a checkpoint:
        // copy the log into the database and empty it now. (PostgreSQL: docs/operations.md.)
        if sqlite, let sql = database as? any SQLDatabase { try await sql.raw("PRAGMA wal_checkpoint(TRUNCATE)").run() }
    }

    /// After a restore: destroys again the identity of every listed record that the backup
    /// still holds. Returns how many were destroyed.
    func reapplyErasures(_ codes: Set<String>) async throws -> Int {
        var destroyed = 0
        let sorted = codes.sorted()
        for start in stride(from: 0, to: sorted.count, by: 500) {
            let batch = Array(sorted[start..<min(start + 500, sorted.count)])
            let due = try await Survivor.query(on: database).filter(\.$code ~~ batch).filter(\.$identityDestroyedAt == nil).all()
            for survivor in due {
                try await destroyIdentity(of: survivor, action: "survivor.erasureReapplied", actor: nil)
                destroyed += 1
            }
        }
        return destroyed
    }

    /// Retention: closed records past the retention period lose their identity data. Run by
    /// the background jobs; returns how many were shredded.
    @discardableResult
    func shredExpired() async throws -> Int {
        let months = try await SettingsService(database: database, services: services).current().retentionMonths
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let cutoff = calendar.date(byAdding: .month, value: -months, to: now) else { return 0 }
        let due = try await Survivor.query(on: database)
            .filter(\.$status == CaseStatus.closed)
            .filter(\.$identityDestroyedAt == nil)
            .filter(\.$closedAt <= cutoff)
            .limit(500)
            .all()
        var shredded = 0
        for survivor in due where RetentionRule.destroysIdentity(closedAt: survivor.closedAt, months: months, now: now) {
            try await destroyIdentity(of: survivor, action: "survivor.shredded", actor: nil)
            shredded += 1
        }
        return shredded
    }
}

extension Application {
    /// The retention step of the background jobs.
    func shredExpiredSurvivorRecords() async throws {
        let count = try await SurvivorService(database: db, services: services).shredExpired()
        if count > 0 { logger.info("Retention: identity data of \(count) closed records destroyed") }
    }
}
