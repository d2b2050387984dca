import Fluent
import Foundation
import FuqizoCore
import SQLKit
import Vapor

/// Capacity assessment: instruments (copied and edited until a round uses them, frozen after),
/// rounds opened for the CSOs of chosen regions, and each CSO's self-assessment from draft to
/// confirmation, with every facilitator's change kept. Every change audited.
struct AssessmentService {
    let database: any Database
    let services: AppServices

    var now: Date { services.clock.now() }
    var today: LocalDate { TiranaTime.today(at: now) }

    static let maximumName = 120

    private func audit(_ action: String, target: (String, String), _ details: [String: String] = [:], actor: UUID,
                       on db: any Database) async throws {
        try await services.audit.record(.init(action, target: target, details: details), actor: actor, at: now, on: db)
    }

    // MARK: instruments

    func instruments() async throws -> [InstrumentRecord] {
        try await InstrumentRecord.query(on: database).sort(\.$createdAt).all()
    }

    func instrument(_ id: UUID) async throws -> InstrumentRecord {
        guard let record = try await InstrumentRecord.find(id, on: database) else { throw AppError.notFound }
        return record
    }

    /// A working copy of an instrument, under a new name, not frozen.
    func copy(_ source: InstrumentRecord, name: String, actor: UUID) async throws -> Result<InstrumentRecord, FieldErrors> {
        guard let name = Text.clean(name), name.count <= Self.maximumName else {
            var errors = FieldErrors()
            errors.add("name", Text.clean(name) == nil ? "form.error.required" : "form.error.tooLong")
            return .failure(errors)
        }
        let copy = InstrumentRecord()
        copy.name = name
        copy.content = source.content
        copy.frozen = false
        copy.copiedFrom = try source.requireID()
        try await database.writeTransaction { db in
            try await copy.create(on: db)
            try await audit("instrument.copied", target: ("instrument", try copy.requireID().uuidString),
                            ["from": try source.requireID().uuidString], actor: actor, on: db)
        }
        return .success(copy)
    }

    /// One domain rewritten; refused once a round has used the instrument.
    func edit(_ record: InstrumentRecord, domain: String, form: DomainForm, actor: UUID) async throws -> Result<Void, FieldErrors> {
        guard !record.frozen else { throw AppError(status: .conflict, messageKey: "instrument.error.frozen") }
        switch form.applied(to: try record.instrument(), domain: domain) {
        case .failure(let errors): return .failure(errors)
        case .success(let edited):
            try record.store(edited)
            try await database.writeTransaction { db in
                // Checked again inside: a round opened meanwhile freezes it.
                guard let current = try await InstrumentRecord.find(record.id, on: db), !current.frozen else {
                    throw AppError(status: .conflict, messageKey: "instrument.error.frozen")
                }
                current.content = record.content
                try await current.update(on: db)
                try await audit("instrument.edited", target: ("instrument", try record.requireID().uuidString), ["domain": domain],
                                actor: actor, on: db)
            }
            return .success(())
        }
    }

    // MARK: rounds

    /// Who may facilitate: the programme's staff, by name.
    func facilitators() async throws -> [(id: UUID, name: String)] {
        let roles = Role.allCases.filter(\.isProgrammeStaff).map(\.rawValue)
        let ids = Set(try await RoleAssignment.query(on: database).filter(\.$role ~~ roles).all().map { $0.$user.id })
        guard !ids.isEmpty else { return [] }
        return try await User.query(on: database).filter(\.$id ~~ ids).filter(\.$isActive == true).sort(\.$displayName).all()
            .compactMap { user in user.id.map { ($0, user.displayName) } }
    }

    struct RoundRow: Decodable {
        let id: UUID
        let reference: String
        let kind: String
        let dueOn: String
        let assessments: Int
        let submitted: Int
        let confirmed: Int
    }

    /// Every round, newest first, with how many of its self-assessments wait and are done.
    func rounds() async throws -> [RoundRow] {
        guard let sql = database as? any SQLDatabase else { throw AppError.server }
        return try await sql.raw("""
            SELECT r.id, r.reference, r.kind, r.due_on AS "dueOn",
                   CAST(COUNT(a.id) AS BIGINT) AS assessments,
                   CAST(SUM(CASE WHEN a.status = 'submitted' THEN 1 ELSE 0 END) AS BIGINT) AS submitted,
                   CAST(SUM(CASE WHEN a.status = 'confirmed' THEN 1 ELSE 0 END) AS BIGINT) AS confirmed
            FROM capacity_rounds r LEFT JOIN capacity_assessments a ON a.round_id = r.id
            GROUP BY r.id, r.reference, r.kind, r.due_on, r.created_at
            ORDER BY r.created_at DESC, r.reference DESC
            """).all(decoding: RoundRow.self)
    }

    /// A round to choose in a list, and whether any of its self-assessments is confirmed.
    struct RoundChoice: Decodable {
        let id: UUID
        let reference: String
        let kind: String
        let scored: Bool
    }

    /// Every round, newest first, for the needs map's choice: cheaper than `rounds()`, which
    /// counts every self-assessment.
    func roundChoices() async throws -> [RoundChoice] {
        guard let sql = database as? any SQLDatabase else { throw AppError.server }
        return try await sql.raw("""
            SELECT r.id, r.reference, r.kind,
                   EXISTS (SELECT 1 FROM capacity_domain_scores s WHERE s.round_id = r.id) AS "scored"
            FROM capacity_rounds r ORDER BY r.created_at DESC, r.reference DESC
            """).all(decoding: RoundChoice.self)
    }

    func round(_ id: UUID) async throws -> AssessmentRound {
        guard let round = try await AssessmentRound.query(on: database).filter(\.$id == id).with(\.$instrument).first() else { throw AppError.notFound }
        return round
    }

    /// A round for every active CSO of the regions chosen (all active CSOs when none is): a
    /// draft self-assessment each, and the instrument frozen.
    func open(_ form: RoundForm, actor: UUID) async throws -> Result<AssessmentRound, FieldErrors> {
        let geography = try await GeographyDirectory.load(on: database)
        let validated = form.validated(instruments: Set(try await instruments().compactMap(\.id)),
                                       facilitators: Set(try await facilitators().map(\.id)),
                                       regions: Set(geography.regions.map(\.id)), today: today)
        guard case .success(let chosen) = validated else {
            if case .failure(let errors) = validated { return .failure(errors) }
            throw AppError.server
        }
        var organisations = Organisation.query(on: database).filter(\.$status == .active)
        if !chosen.regions.isEmpty {
            let places = geography.regions.filter { chosen.regions.contains($0.id) }.reduce(into: Set<UUID>()) { $0.formUnion($1.municipalityIDs) }
            organisations = organisations.filter(\.$municipality.$id ~~ places)
        }
        let members = try await organisations.all().compactMap(\.id)
        guard !members.isEmpty else {
            var errors = FieldErrors()
            errors.add("regions", "round.error.empty")
            return .failure(errors)
        }
        let round = AssessmentRound()
        round.kind = chosen.kind
        round.dueOn = chosen.dueOn.description
        round.facilitatorID = chosen.facilitator
        round.openedBy = actor
        round.$instrument.id = chosen.instrument
        let empty = try StoredJSON.encode(CapacityAnswers())
        try await database.writeTransaction { db in
            let year = today.year
            round.reference = String(format: "CA-%04d-%02d", year, try await ReferenceCounter.next("capacity-round-\(year)", on: db))
            try await round.create(on: db)
            let roundID = try round.requireID()
            for batch in stride(from: 0, to: members.count, by: 500) {
                let drafts = members[batch..<min(batch + 500, members.count)].map { organisation in
                    let assessment = SelfAssessment()
                    assessment.status = .draft
                    assessment.answers = empty
                    assessment.$round.id = roundID
                    assessment.$organisation.id = organisation
                    return assessment
                }
                try await drafts.create(on: db)
            }
            try await InstrumentRecord.query(on: db).filter(\.$id == chosen.instrument).set(\.$frozen, to: true).update()
            try await audit("round.opened", target: ("round", roundID.uuidString),
                            ["kind": chosen.kind.rawValue, "organisations": String(members.count)], actor: actor, on: db)
        }
        return .success(round)
    }

    struct AssessmentRow: Decodable {
        let id: UUID
        let organisationID: UUID
        let name: String
        let status: String
    }

    /// One page of a round's self-assessments, by organisation name; `status` narrows it.
    func assessments(of round: AssessmentRound, status: SelfAssessmentStatus?, page: Int?) async throws -> (rows: [AssessmentRow], pager: Pager) {
        guard let sql = database as? any SQLDatabase else { throw AppError.server }
        let roundID = try round.requireID()
        let filter: SQLQueryString = status.map { "AND a.status = \(bind: $0.rawValue)" } ?? ""
        let total = try await sql.raw("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM capacity_assessments a WHERE a.round_id = \(bind: roundID) \(filter)")
            .first(decoding: Count.self)?.n ?? 0
        let pager = Pager(requested: page, total: total, pageSize: 50)
        let rows = try await sql.raw("""
            SELECT a.id, a.organisation_id AS "organisationID", o.name_sq AS name, a.status
            FROM capacity_assessments a JOIN organisations o ON o.id = a.organisation_id
            WHERE a.round_id = \(bind: roundID) \(filter)
            ORDER BY o.search_key, a.id LIMIT \(literal: pager.pageSize) OFFSET \(literal: pager.offset)
            """).all(decoding: AssessmentRow.self)
        return (rows, pager)
    }

    private struct Count: Decodable { let n: Int }

    // MARK: one self-assessment

    func assessment(_ id: UUID) async throws -> SelfAssessment {
        let query = SelfAssessment.query(on: database).filter(\.$id == id).with(\.$round, { $0.with(\.$instrument) }).with(\.$organisation)
        guard let assessment = try await query.first() else { throw AppError.notFound }
        return assessment
    }

    func changes(of assessment: SelfAssessment) async throws -> [AssessmentChange] {
        try await AssessmentChange.query(on: database).filter(\.$assessment.$id == assessment.requireID()).sort(\.$changedAt).all()
    }

    /// The names of the people who made changes.
    func names(_ people: Set<UUID>) async throws -> [UUID: String] {
        guard !people.isEmpty else { return [:] }
        return Dictionary(try await User.query(on: database).filter(\.$id ~~ people).all().compactMap { user in user.id.map { ($0, user.displayName) } },
                          uniquingKeysWith: { a, _ in a })
    }

    private func auditAssessment(_ action: String, _ assessment: SelfAssessment, _ details: [String: String] = [:], actor: UUID,
                                 on db: any Database) async throws {
        try await audit(action, target: ("organisation", assessment.$organisation.id.uuidString),
                        details.merging(["round": assessment.round.reference]) { $1 }, actor: actor, on: db)
    }

    /// The CSO saves its answers as a draft (by the button or as it types), or submits them
    /// complete. A draft save that changes the answers is audited with how many are answered;
    /// one that changes nothing writes nothing. The row is written only while it is still a
    /// draft, so a late autosave can never take back a submission.
    func save(_ assessment: SelfAssessment, form: SelfAssessmentForm, actor: UUID) async throws -> Result<Void, FieldErrors> {
        let submitting = form.intent == "submit"
        let next = try assessment.status.transition(submitting ? .submit : .edit)
        switch form.validated(try assessment.round.instrument.instrument(), submitting: submitting) {
        case .failure(let errors): return .failure(errors)
        case .success(let answers):
            let stored = try StoredJSON.encode(answers)
            guard submitting || stored != assessment.answers else { return .success(()) }
            let submittedOn = submitting ? today.description : assessment.submittedOn
            try await database.writeTransaction { db in
                guard let sql = db as? any SQLDatabase else { throw AppError.server }
                let written = try await sql.raw("""
                    UPDATE capacity_assessments SET answers = \(bind: stored), status = \(bind: next.rawValue),
                        submitted_on = \(bind: submittedOn), updated_at = \(bind: now)
                    WHERE id = \(bind: try assessment.requireID()) AND status = \(bind: SelfAssessmentStatus.draft.rawValue)
                    RETURNING id
                    """).first()
                guard written != nil else { throw AppError(status: .conflict, messageKey: "assessment.error.notNow") }
                try await auditAssessment(submitting ? "assessment.submitted" : "assessment.drafted", assessment,
                                          ["answered": String(answers.levels.count)], actor: actor, on: db)
            }
            (assessment.answers, assessment.status, assessment.submittedOn) = (stored, next, submittedOn)
            return .success(())
        }
    }

    /// The facilitator changes one submitted answer, with the reason the CSO will read.
    func change(_ assessment: SelfAssessment, form: ChangeForm, actor: UUID) async throws -> Result<Void, FieldErrors> {
        guard assessment.status == .submitted else { throw AppError(status: .conflict, messageKey: "assessment.error.notNow") }
        var answers = try assessment.decodedAnswers()
        switch form.validated(from: answers.levels[form.question], try assessment.round.instrument.instrument()) {
        case .failure(let errors): return .failure(errors)
        case .success(let change):
            answers.levels[change.question] = change.to
            try assessment.store(answers)
            let record = AssessmentChange()
            record.question = change.question
            record.fromLevel = change.from
            record.toLevel = change.to
            record.reason = change.reason
            record.changedBy = actor
            record.$assessment.id = try assessment.requireID()
            try await database.writeTransaction { db in
                try await assessment.update(on: db)
                try await record.create(on: db)
                try await auditAssessment("assessment.changed", assessment, ["question": change.question, "reason": change.reason],
                                          actor: actor, on: db)
            }
            return .success(())
        }
    }

    /// The facilitator has reviewed it: back to the CSO to confirm.
    func review(_ assessment: SelfAssessment, actor: UUID) async throws {
        assessment.status = try assessment.status.transition(.review)
        assessment.reviewedOn = today.description
        try await database.writeTransaction { db in
            try await assessment.update(on: db)
            try await auditAssessment("assessment.reviewed", assessment, actor: actor, on: db)
        }
    }

    /// The CSO confirms the reviewed answers: its scores per domain count from now on.
    func confirm(_ assessment: SelfAssessment, actor: UUID) async throws {
        assessment.status = try assessment.status.transition(.confirm)
        assessment.confirmedOn = today.description
        let scores = CapacityScoring.domainScores(try assessment.round.instrument.instrument(), try assessment.decodedAnswers())
        let assessmentID = try assessment.requireID()
        try await database.writeTransaction { db in
            try await assessment.update(on: db)
            let rows = scores.sorted { $0.key < $1.key }.map { domain, score in
                let row = DomainScore()
                row.domain = domain
                row.total = score.total
                row.count = score.count
                row.$assessment.id = assessmentID
                row.$round.id = assessment.$round.id
                row.$organisation.id = assessment.$organisation.id
                return row
            }
            if !rows.isEmpty { try await rows.create(on: db) }
            try await auditAssessment("assessment.confirmed", assessment, actor: actor, on: db)
        }
        services.needsMaps.forget(assessment.$round.id)
    }

    /// The CSO disagrees with the review and takes it back to answer again.
    func reopen(_ assessment: SelfAssessment, actor: UUID) async throws {
        assessment.status = try assessment.status.transition(.reopen)
        try await database.writeTransaction { db in
            try await assessment.update(on: db)
            try await auditAssessment("assessment.reopened", assessment, actor: actor, on: db)
        }
    }
}
