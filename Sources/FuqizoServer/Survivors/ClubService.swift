import Fluent
import Foundation
import FuqizoCore
import Vapor

/// The Social Cause Club: memberships (with consent to Club participation), sessions with a
/// facilitator, attendance, and skills gained. A facilitator sees only the code and first name
/// of the members invited to their own sessions, and only while their Club consent lasts.
struct ClubService {
    let database: any Database
    let services: AppServices

    var now: Date { services.clock.now() }
    var today: LocalDate { TiranaTime.today(at: now) }
    private var records: SurvivorService { SurvivorService(database: database, services: services) }

    // MARK: membership and skills

    func join(_ loaded: SurvivorService.Loaded, actor: UUID) async throws {
        if let refusal = ClubRule.refusalToJoin(loaded.access) { throw AppError(refusal) }
        let survivor = loaded.survivor
        let id = try survivor.requireID()
        guard try await ClubMembership.query(on: database).filter(\.$survivorID == id).filter(\.$leftOn == nil).first() == nil else { return }
        try await database.writeTransaction { db in
            let membership = ClubMembership()
            membership.survivorID = id
            membership.organisationID = survivor.$organisation.id
            membership.joinedOn = today.description
            try await membership.create(on: db)
            try await records.audit("survivor.clubJoined", survivor.code, actor: actor, on: db)
        }
    }

    func leave(_ loaded: SurvivorService.Loaded, actor: UUID) async throws {
        let survivor = loaded.survivor
        guard let membership = try await ClubMembership.query(on: database).filter(\.$survivorID == survivor.requireID())
            .filter(\.$leftOn == nil).first() else { return }
        try await database.writeTransaction { db in
            membership.leftOn = today.description
            try await membership.save(on: db)
            try await records.audit("survivor.clubLeft", survivor.code, actor: actor, on: db)
        }
    }

    func memberships(of survivorID: UUID) async throws -> [ClubMembership] {
        try await ClubMembership.query(on: database).filter(\.$survivorID == survivorID).sort(\.$joinedOn).all()
    }

    struct SkillForm: Content {
        var skill: String?
        var sessionKind: String?
        var certificate: String?
    }

    func addSkill(_ form: SkillForm, on loaded: SurvivorService.Loaded, actor: UUID) async throws -> Result<Void, FieldErrors> {
        var errors = FieldErrors()
        let skill = Text.clean(form.skill)
        if skill == nil { errors.add("skill", "form.error.required") }
        if (skill?.count ?? 0) > 120 { errors.add("skill", "form.error.tooLong") }
        let kind = Text.clean(form.sessionKind).map { ClubSessionKind(rawValue: $0) }
        if case .some(.none) = kind { errors.add("sessionKind", "form.error.choose") }
        guard errors.isEmpty, let skill else { return .failure(errors) }
        let survivor = loaded.survivor
        try await database.writeTransaction { db in
            let row = ClubSkill()
            row.survivorID = try survivor.requireID()
            row.skill = skill
            row.sessionKind = kind??.rawValue
            row.certificate = form.certificate == "yes"
            row.awardedOn = today.description
            row.recordedBy = actor
            try await row.create(on: db)
            try await records.audit("survivor.skillRecorded", survivor.code, details: ["certificate": row.certificate ? "yes" : "no"], actor: actor, on: db)
        }
        return .success(())
    }

    func skills(of survivorID: UUID) async throws -> [ClubSkill] {
        try await ClubSkill.query(on: database).filter(\.$survivorID == survivorID).sort(\.$awardedOn).all()
    }

    // MARK: sessions

    /// People who may facilitate an organisation's sessions: its facilitators and case workers.
    func facilitators(of organisationID: UUID) async throws -> [User] {
        let assignments = try await RoleAssignment.query(on: database).filter(\.$organisation.$id == organisationID)
            .filter(\.$role ~~ [Role.clubFacilitator.rawValue, Role.caseWorker.rawValue]).all()
        return try await User.query(on: database).filter(\.$id ~~ Set(assignments.map(\.$user.id))).sort(\.$displayName).all()
    }

    func createSession(_ form: ClubSessionForm, organisationID: UUID, actor: UUID) async throws -> Result<UUID, FieldErrors> {
        let valid: (kind: ClubSessionKind, date: LocalDate, place: String, facilitator: UUID)
        switch form.validated() {
        case .failure(let errors): return .failure(errors)
        case .success(let value): valid = value
        }
        guard try await facilitators(of: organisationID).contains(where: { $0.id == valid.facilitator }) else {
            var errors = FieldErrors()
            errors.add("facilitatorID", "form.error.choose")
            return .failure(errors)
        }
        let session = ClubSession()
        session.organisationID = organisationID
        session.kind = valid.kind.rawValue
        session.heldOn = valid.date.description
        session.place = valid.place
        session.facilitatorID = valid.facilitator
        session.createdBy = actor
        session.createdAt = now
        try await database.writeTransaction { db in
            try await session.create(on: db)
            try await services.audit.record(.init("club.sessionCreated", target: ("clubSession", session.id!.uuidString),
                                            details: ["kind": valid.kind.rawValue]), actor: actor, at: now, on: db)
        }
        return .success(try session.requireID())
    }

    /// The facilitators' display names of these sessions, by id.
    func facilitatorNames(of sessions: [ClubSession]) async throws -> [UUID: String] {
        let people = try await User.query(on: database).filter(\.$id ~~ Set(sessions.map(\.facilitatorID))).all()
        return Dictionary(uniqueKeysWithValues: people.compactMap { user in user.id.map { ($0, user.displayName) } })
    }

    func session(_ id: UUID) async throws -> ClubSession {
        guard let session = try await ClubSession.find(id, on: database) else { throw AppError.forbidden }
        return session
    }

    /// Sessions of these organisations, or only those this person facilitates; newest first.
    func sessions(organisations: Set<UUID>, facilitator: UUID?, limit: Int = 100) async throws -> [ClubSession] {
        var query = ClubSession.query(on: database)
        if let facilitator { query = query.filter(\.$facilitatorID == facilitator) } else { query = query.filter(\.$organisationID ~~ organisations) }
        return try await query.sort(\.$heldOn, .descending).limit(limit).all()
    }

    struct Attendee: Sendable {
        let attendanceID: UUID
        let code: String
        /// Only while the member's Club consent is active.
        let firstName: String?
        let present: Bool
    }

    /// The session's list, as a facilitator may see it: code and first name, nothing else.
    func attendees(of session: ClubSession, actor: UUID) async throws -> [Attendee] {
        let rows = try await ClubAttendance.query(on: database).filter(\.$sessionID == session.requireID()).all()
        guard !rows.isEmpty else { return [] }
        let survivors = try await Survivor.query(on: database).filter(\.$id ~~ Set(rows.map(\.survivorID))).all()
        let consents = try await SurvivorConsent.query(on: database).filter(\.$survivor.$id ~~ Set(rows.map(\.survivorID)))
            .filter(\.$purpose == ConsentPurpose.club.rawValue).all()
        let instant = now
        try await database.writeTransaction { db in
            try await services.audit.record(.init("club.sessionViewed", target: ("clubSession", session.id!.uuidString),
                                            details: ["members": String(rows.count)]), actor: actor, at: now, on: db)
        }
        let consented = Set(consents.filter { $0.record?.isActive(at: instant) ?? false }.map(\.$survivor.id))
        // The wrapped keys of those whose first name may be shown, in one query.
        let keys = try await SurvivorKey.query(on: database).filter(\.$id ~~ consented).all()
        let wrapped = Dictionary(uniqueKeysWithValues: keys.compactMap { key in key.id.map { ($0, key.wrappedKey) } })
        let wrapper = SurvivorKeyWrapper(masterKey: services.masterKey)
        let attendance = Dictionary(uniqueKeysWithValues: rows.map { ($0.survivorID, $0) })
        return try survivors.sorted(by: { $0.code < $1.code }).compactMap { survivor in
            guard let id = survivor.id, let row = attendance[id] else { return nil }
            let firstName = try wrapped[id].flatMap { try survivor.opened(.firstName, with: try wrapper.unwrap($0, survivor: id)) }
            return Attendee(attendanceID: row.id!, code: survivor.code, firstName: firstName, present: row.present)
        }
    }

    /// Current members of the organisation with an active Club consent, not yet on the list.
    func invitable(to session: ClubSession) async throws -> [String] {
        let members = try await ClubMembership.query(on: database).filter(\.$organisationID == session.organisationID)
            .filter(\.$leftOn == nil).all()
        let invited = Set(try await ClubAttendance.query(on: database).filter(\.$sessionID == session.requireID()).all().map(\.survivorID))
        let ids = Set(members.map(\.survivorID)).subtracting(invited)
        guard !ids.isEmpty else { return [] }
        let consents = try await SurvivorConsent.query(on: database).filter(\.$survivor.$id ~~ ids)
            .filter(\.$purpose == ConsentPurpose.club.rawValue).all()
        let instant = now
        let consented = Set(consents.filter { $0.record?.isActive(at: instant) ?? false }.map(\.$survivor.id))
        return try await Survivor.query(on: database).filter(\.$id ~~ consented).filter(\.$identityDestroyedAt == nil)
            .sort(\.$code).all().map(\.code)
    }

    func invite(codes: [String], to session: ClubSession, actor: UUID) async throws -> Int {
        let allowed = Set(try await invitable(to: session))
        let chosen = codes.filter(allowed.contains)
        guard !chosen.isEmpty else { return 0 }
        let survivors = try await Survivor.query(on: database).filter(\.$code ~~ chosen).all()
        try await database.writeTransaction { db in
            for survivor in survivors {
                let row = ClubAttendance()
                row.sessionID = try session.requireID()
                row.survivorID = try survivor.requireID()
                row.present = false
                try await row.create(on: db)
            }
            try await services.audit.record(.init("club.membersInvited", target: ("clubSession", session.id!.uuidString),
                                            details: ["codes": survivors.map(\.code).sorted().joined(separator: ",")]), actor: actor, at: now, on: db)
        }
        return survivors.count
    }

    /// Marks who came; everyone else on the list did not.
    func recordAttendance(present: Set<UUID>, in session: ClubSession, actor: UUID) async throws {
        if let refusal = Self.attendanceRefusal(session, now: now) { throw AppError(refusal) }
        let rows = try await ClubAttendance.query(on: database).filter(\.$sessionID == session.requireID()).all()
        // One taking, one time: every row and the audit entry carry the same.
        let at = now
        try await database.writeTransaction { db in
            for row in rows {
                row.present = present.contains(row.id!)
                row.recordedAt = at
                try await row.save(on: db)
            }
            try await services.audit.record(.init("club.attendanceRecorded", target: ("clubSession", session.id!.uuidString),
                                            details: ["present": String(rows.filter(\.present).count), "listed": String(rows.count)]),
                                      actor: actor, at: at, on: db)
        }
    }

    /// Why attendance cannot be recorded for this session now (it has not happened yet).
    static func attendanceRefusal(_ session: ClubSession, now: Date) -> WorkflowRefusal? {
        guard let day = LocalDate(session.heldOn) else { return nil }
        return ClubRule.refusalToRecordAttendance(sessionOn: day, today: TiranaTime.today(at: now))
    }

    struct AttendanceSummary: Sendable {
        let sessions: Int
        let attended: Int
    }

    func attendance(of survivorID: UUID) async throws -> AttendanceSummary {
        // Sessions whose attendance was taken: an invitation to one still to come is not an absence.
        let rows = try await ClubAttendance.query(on: database).filter(\.$survivorID == survivorID).filter(\.$recordedAt != nil).all()
        return AttendanceSummary(sessions: rows.count, attended: rows.filter(\.present).count)
    }
}
