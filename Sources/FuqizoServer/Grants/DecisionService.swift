import Fluent
import Foundation
import FuqizoCore
import SQLKit
import Vapor

/// After the evaluation: the ranking, the chair's approval, the decision, letters and
/// withdrawals. Every step is audited in the same transaction as the change it records.
struct DecisionService {
    let database: any Database
    let services: AppServices

    var now: Date { services.clock.now() }

    private var evaluation: EvaluationService { EvaluationService(database: database, services: services) }

    private func audit(_ action: String, _ target: (String, String), _ details: [String: String], actor: UUID, on db: any Database) async throws {
        try await services.audit.record(.init(action, target: target, details: details), actor: actor, at: now, on: db)
    }


    /// One lot's ranking at a stage, and the applications whose evaluation is not finished.
    struct LotRanking {
        let lot: CallLot
        let result: Ranking.Result
        let pending: [ApplicationSummary]
        let rejected: [ApplicationSummary]
        let applications: [UUID: ApplicationSummary]
    }

    struct CallRanking {
        let call: GrantCall
        let stage: ApplicationStage
        let threshold: Double
        let lots: [LotRanking]
        let round: EvaluationRound?
        /// Who chairs and who votes: the chair alone approves.
        let committee: CommitteeAccess

        var isComplete: Bool { lots.allSatisfy { $0.pending.isEmpty } }
    }

    /// The ranking of every lot at a stage. At the concept-note stage the "envelope" is
    /// unlimited: every concept note at or above the threshold is pre-selected. Read with
    /// plain queries: this page is opened often while a committee works.
    func ranking(callID: UUID, stage: ApplicationStage) async throws -> CallRanking {
        guard let sql = database as? any SQLDatabase else { throw AppError.server }
        let call = try await CallService(database: database, services: services).find(callID)
        let grid = try EvaluationService.grid(of: call, stage)
        let submittedColumn = stage == .concept ? "concept_submitted_at" : "full_submitted_at"
        let applications = try await sql.raw("""
            \(ApplicationSummary.select)
            WHERE a.call_id = \(bind: callID) AND a.\(unsafeRaw: submittedColumn) IS NOT NULL
            ORDER BY a.reference
            """).all(decoding: ApplicationSummary.self, keyDecodingStrategy: .convertFromSnakeCase)
        let twoStage = call.stages == .two
        let scores = try await sql.raw("""
            SELECT e.application_id, e.evaluator_id, e.stage, e.status, e.position, e.total, e.relevance
            FROM evaluation_assignments e JOIN grant_applications a ON a.id = e.application_id
            WHERE a.call_id = \(bind: callID)
            """).all(decoding: AssignmentScoreRow.self, keyDecodingStrategy: .convertFromSnakeCase)
        let own = Dictionary(grouping: scores.filter { $0.stage == stage }, by: \.applicationId)
        // Ties are broken by the relevance score: from the concept note when it was scored there.
        let relevanceSource = stage == .full && twoStage ? ApplicationStage.concept : stage
        let relevanceScores = Dictionary(grouping: scores.filter { $0.stage == relevanceSource && $0.status == .submitted },
                                         by: \.applicationId).mapValues { rows -> Double in
            let values = rows.compactMap(\.relevance)
            return values.isEmpty ? 0 : Consensus.rounded(values.reduce(0, +) / Double(values.count))
        }
        let round = try await evaluation.round(callID, stage)
        let committee = try await EvaluationService.committeeAccess(of: callID, on: database)
        var lots: [LotRanking] = []
        for lot in call.lots.sorted(by: { $0.position < $1.position }) {
            let inLot = applications.filter { $0.lotId == lot.id }
            var candidates: [Ranking.Candidate] = []
            var pending: [ApplicationSummary] = []
            var rejected: [ApplicationSummary] = []
            for application in inLot {
                guard let rows = own[application.id] else {
                    // Not evaluated at this stage: it failed a check (or the evaluation has not started).
                    if application.status == .rejected, application.stage == stage { rejected.append(application) }
                    continue
                }
                guard let score = EvaluationService.standing(rows.map(\.score), call: call).finalScore else {
                    pending.append(application)
                    continue
                }
                candidates.append(Ranking.Candidate(
                    id: application.id.uuidString, reference: application.reference, score: score,
                    relevance: relevanceScores[application.id] ?? 0, requestedMinorUnits: application.requestedMinorUnits,
                    submittedAt: application.submittedAt(stage) ?? .distantPast, withdrawn: application.status == .withdrawn))
            }
            let envelope = stage == .concept ? Int64.max / 4 : lot.envelopeMinorUnits
            lots.append(LotRanking(lot: lot, result: Ranking.rank(candidates, envelopeMinorUnits: envelope, threshold: Double(grid.threshold)),
                                   pending: pending, rejected: rejected,
                                   applications: Dictionary(uniqueKeysWithValues: inLot.map { ($0.id, $0) })))
        }
        return CallRanking(call: call, stage: stage, threshold: Double(grid.threshold), lots: lots, round: round, committee: committee)
    }

    /// The chair approves the ranking once every evaluation is complete.
    func approve(callID: UUID, stage: ApplicationStage, actor: UUID) async throws {
        let ranking = try await self.ranking(callID: callID, stage: stage)
        _ = try ranking.round.rankingState.transition(.approve(complete: ranking.isComplete))
        guard let round = ranking.round else { throw AppError.server }
        let now = self.now
        try await database.writeTransaction { db in
            round.approvedAt = now
            round.approvedBy = actor
            try await round.save(on: db)
            try await audit("ranking.approved", ("call", callID.uuidString), ["stage": stage.rawValue], actor: actor, on: db)
        }
    }

    /// Records the decision on an approved ranking, dated as the officer says: statuses follow
    /// the ranking, and a letter is due for every applicant of the stage.
    func decide(callID: UUID, stage: ApplicationStage, date text: String, actor: UUID) async throws -> Result<Void, FieldErrors> {
        var errors = FieldErrors()
        guard let date = LocalDate(text.trimmingCharacters(in: .whitespaces)) else {
            errors.add("decisionDate", "form.error.date")
            return .failure(errors)
        }
        let ranking = try await self.ranking(callID: callID, stage: stage)
        _ = try ranking.round.rankingState.transition(.decide)
        guard let round = ranking.round else { throw AppError.server }
        let now = self.now
        try await database.writeTransaction { db in
            let ids = ranking.lots.flatMap { $0.applications.keys }
            let models = Dictionary(uniqueKeysWithValues: try await GrantApplication.query(on: db).filter(\.$id ~~ ids).all().map { ($0.id!, $0) })
            func letter(_ application: GrantApplication, _ outcome: ApplicationStatus, _ due: LocalDate) async throws {
                let row = DecisionLetter()
                row.$application.id = try application.requireID()
                row.stage = stage
                row.outcome = outcome
                row.dueDate = due.description
                row.createdAt = now
                try await row.create(on: db)
            }
            var counts: [ApplicationStatus: Int] = [:]
            for lot in ranking.lots {
                for entry in lot.result.entries {
                    guard let application = models[UUID(uuidString: entry.candidate.id)!] else { continue }
                    let outcome = DecisionOutcome(stage: stage, ranking: entry.outcome)
                    application.status = try application.status.transition(.decide(stage, entry.outcome))
                    if outcome.stage != application.stage {
                        // Pre-selected: the full application starts from the concept note.
                        application.stage = outcome.stage
                        application.fullContent = application.conceptContent
                        application.revision += 1
                    }
                    try await application.save(on: db)
                    try await letter(application, outcome.letter, outcome.letterDue(decision: date, days: ranking.call.letterDays))
                    counts[outcome.letter, default: 0] += 1
                }
                for rejected in lot.rejected {
                    guard let application = models[rejected.id] else { continue }
                    try await letter(application, .rejected, DecisionLetters.dueDates(decision: date, days: ranking.call.letterDays).unsuccessful)
                    counts[.rejected, default: 0] += 1
                }
            }
            round.decisionDate = date.description
            round.decidedAt = now
            round.decidedBy = actor
            try await round.save(on: db)
            var details = ["stage": stage.rawValue, "date": date.description]
            for (status, count) in counts { details[status == .submitted ? "preselected" : status.rawValue] = String(count) }
            try await audit("decision.recorded", ("call", callID.uuidString), details, actor: actor, on: db)
        }
        return .success(())
    }

    /// An awarded applicant withdraws: the lot is ranked again without it, and the first
    /// reserve applications that now fit the envelope are awarded, each with its letter.
    func withdraw(_ application: GrantApplication, reason: String, actor: UUID) async throws -> [String] {
        let callID = application.$call.id
        application.status = try application.status.transition(.withdraw)
        let now = self.now
        return try await database.writeTransaction { db -> [String] in
            try await application.save(on: db)
            let ranking = try await DecisionService(database: db, services: services).ranking(callID: callID, stage: .full)
            guard let lot = ranking.lots.first(where: { $0.lot.id == application.$lot.id }) else { return [] }
            var promoted: [String] = []
            for entry in lot.result.awarded {
                guard lot.applications[UUID(uuidString: entry.candidate.id)!]?.status == .reserve,
                      let next = try await GrantApplication.find(UUID(uuidString: entry.candidate.id), on: db) else { continue }
                next.status = try next.status.transition(.awardFromReserve)
                try await next.save(on: db)
                let letter = DecisionLetter()
                letter.$application.id = try next.requireID()
                letter.stage = .full
                letter.outcome = .awarded
                // Counted from today as if decided today: a successful applicant's letter.
                letter.dueDate = DecisionLetters.dueDates(decision: TiranaTime.today(at: now), days: ranking.call.letterDays).successful.description
                letter.createdAt = now
                try await letter.create(on: db)
                promoted.append(next.reference ?? "")
            }
            try await audit("decision.withdrawn", ("application", try application.requireID().uuidString),
                            ["reference": application.reference ?? "", "awardedFromReserve": promoted.joined(separator: ","), "reason": reason],
                            actor: actor, on: db)
            return promoted
        }
    }

    // MARK: figures

    /// Submitted applications per call and status, with the amounts they request: the
    /// figures donors may see, never one application.
    struct StatusCount: Decodable, Sendable {
        let callId: UUID
        let status: ApplicationStatus
        let applications: Int
        let requested: Int64
    }

    func submittedCounts() async throws -> [StatusCount] {
        guard let sql = database as? any SQLDatabase else { throw AppError.server }
        return try await sql.raw("""
            SELECT call_id, status, COUNT(*) AS applications, CAST(SUM(requested_minor_units) AS BIGINT) AS requested
            FROM grant_applications WHERE reference IS NOT NULL GROUP BY call_id, status
            """).all(decoding: StatusCount.self, keyDecodingStrategy: .convertFromSnakeCase)
    }

    // MARK: letters

    /// One letter of an application; another application's letter is "not found".
    func letter(_ id: UUID, ofApplication applicationID: UUID) async throws -> DecisionLetter {
        guard let letter = try await DecisionLetter.query(on: database).filter(\.$id == id)
            .filter(\.$application.$id == applicationID).first() else { throw AppError.notFound }
        return letter
    }

    /// One application's letters, oldest first.
    func letters(ofApplication id: UUID) async throws -> [DecisionLetter] {
        try await DecisionLetter.query(on: database).filter(\.$application.$id == id).sort(\.$createdAt).all()
    }

    func letters(callID: UUID) async throws -> [DecisionLetter] {
        try await DecisionLetter.query(on: database).join(GrantApplication.self, on: \DecisionLetter.$application.$id == \GrantApplication.$id)
            .filter(GrantApplication.self, \.$call.$id == callID).with(\.$application) { $0.with(\.$organisation).with(\.$lot) }
            .sort(\.$dueDate).all()
    }

    /// The letter's text in the applicant's language: the outcome, and for an unsuccessful
    /// applicant the reasons (the failed check items, or the score against the threshold).
    func letterText(_ letter: DecisionLetter, application: GrantApplication, call: GrantCall) async throws -> (subject: String, body: String) {
        let language = Language(rawValue: application.language) ?? .sq
        let catalog = services.catalog
        let stage = letter.stage
        var reasons: [String] = []
        if letter.outcome == .rejected {
            for check in try await evaluation.checks(of: application.requireID()) where check.stage == letter.stage && !check.passed {
                for (code, reason) in (check.checkResult?.failures ?? [:]).sorted(by: { $0.key < $1.key }) {
                    reasons.append("- \(catalog.text(CheckKind.itemKey(code), language)): \(reason)")
                }
            }
        } else if [ApplicationStatus.notAwarded, .notPreselected, .reserve].contains(letter.outcome) {
            let ranking = try await ranking(callID: call.requireID(), stage: stage)
            if let entry = ranking.lots.flatMap(\.result.entries).first(where: { $0.candidate.id == application.id?.uuidString }) {
                reasons.append(catalog.format("letter.reason.score", language, [
                    "score": String(format: "%.2f", entry.candidate.score), "threshold": String(format: "%.0f", ranking.threshold),
                ]))
                if let position = entry.reservePosition {
                    reasons.append(catalog.format("letter.reason.reserve", language, ["position": String(position)]))
                }
            }
        }
        let outcomeKey = letter.outcome == .submitted ? "letter.outcome.preselected" : "letter.outcome.\(letter.outcome.rawValue)"
        let values = [
            "reference": application.reference ?? "", "call": call.reference,
            "title": language.pick(call.titleSq, call.titleEn), "organisation": application.organisation.nameSq,
            "lot": language.pick(application.lot.nameSq, application.lot.nameEn),
            "outcome": catalog.text(outcomeKey, language),
            "reasons": reasons.isEmpty ? "" : catalog.text("letter.reasons", language) + "\n" + reasons.joined(separator: "\n"),
        ]
        return (catalog.format("letter.subject", language, values), catalog.format("letter.body", language, values))
    }

    /// Sends every letter not yet sent through the outbox, to the applicant organisation's
    /// users (or, without any, to the organisation's own address), and records when. A letter
    /// with nobody to send it to stays unsent, to be printed and posted.
    func sendLetters(callID: UUID, actor: UUID) async throws -> Int {
        let call = try await CallService(database: database, services: services).find(callID)
        let unsent = try await letters(callID: callID).filter { $0.sentAt == nil }
        var sent = 0
        for letter in unsent {
            let application = letter.application
            let (subject, body) = try await letterText(letter, application: application, call: call)
            let users = try await RoleAssignment.query(on: database).filter(\.$organisation.$id == application.$organisation.id)
                .filter(\.$role == Role.csoUser.rawValue).with(\.$user).all().map(\.user).filter(\.isActive).map(\.email)
            let recipients = users.isEmpty ? [Text.clean(application.organisation.email)].compactMap { $0 } : users
            guard !recipients.isEmpty else { continue }
            let now = self.now
            try await database.writeTransaction { db in
                for recipient in Set(recipients).sorted() {
                    try await Outbox.enqueue(to: recipient, subject: subject, body: body, now: now, sealedBy: services.mailBox, on: db)
                }
                letter.sentAt = now
                letter.sentBy = actor
                try await letter.save(on: db)
                try await audit("letter.sent", ("application", application.id!.uuidString),
                                ["outcome": letter.outcome.rawValue, "stage": letter.stage.rawValue, "recipients": String(recipients.count)], actor: actor, on: db)
            }
            sent += 1
        }
        return sent
    }
}

/// One evaluator's assignment as the ranking and the work lists read it: a plain row.
struct AssignmentScoreRow: Decodable {
    /// Present when the query selects it (the work lists read several calls at once).
    let callId: UUID?
    let applicationId: UUID
    let evaluatorId: UUID
    let stage: ApplicationStage
    let status: AssignmentStatus
    let position: Int
    let total: Double?
    let relevance: Double?

    var score: AssignmentScore {
        AssignmentScore(evaluator: evaluatorId, status: status, position: position, total: total, relevance: relevance)
    }
}
