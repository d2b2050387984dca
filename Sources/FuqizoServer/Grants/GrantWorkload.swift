import Fluent
import Foundation
import FuqizoCore
import SQLKit
import Vapor

/// The grant scheme's part of people's work lists: the facts `GrantWork` needs, read for one
/// person with a few grouped queries (this runs for the navigation's counts too).
struct GrantWorkload: WorkSource {
    func items(for actor: Actor, today: LocalDate, now: Date, on database: any Database) async throws -> [WorkItem] {
        guard let sql = database as? any SQLDatabase, let user = actor.userID else { return [] }
        var items: [WorkItem] = []
        if actor.has(.evaluator) {
            items += GrantWork.evaluator(try await assignments(of: user, sql))
        }
        let officer = actor.has(.grantsOfficer)
        let chaired = try await chairedCalls(of: user, on: database)
        if officer || !chaired.isEmpty {
            let stages = try await stages(chairedOnly: officer ? nil : chaired, sql, database: database)
            items += GrantWork.chair(stages.filter { chaired.contains($0.call) })
            if officer { items += GrantWork.officer(stages, letters: try await unsentLetters(sql)) }
        }
        let organisations = actor.organisations(as: .csoUser)
        if !organisations.isEmpty {
            items += GrantWork.applicant(drafts: try await drafts(of: organisations, on: database),
                                         news: try await news(of: organisations, since: now.addingTimeInterval(-Double(GrantWork.newsDays) * 86_400), sql),
                                         today: today)
        }
        return items
    }

    // MARK: evaluators

    private struct AssignmentRow: Decodable {
        let id: UUID
        let status: AssignmentStatus
        let reference: String?
        let callReference: String
        let startedAt: Date
        let evaluationDays: Int
    }

    private func assignments(of user: UUID, _ sql: any SQLDatabase) async throws -> [GrantWork.Assignment] {
        try await sql.raw("""
            SELECT e.id, e.status, a.reference, c.reference AS call_reference, r.started_at, c.evaluation_days
            FROM evaluation_assignments e
            JOIN grant_applications a ON a.id = e.application_id
            JOIN evaluation_rounds r ON r.call_id = a.call_id AND r.stage = e.stage
            JOIN grant_calls c ON c.id = a.call_id
            WHERE e.evaluator_id = \(bind: user) AND e.status IN ('assigned', 'declared') AND r.decided_at IS NULL
            """).all(decoding: AssignmentRow.self, keyDecodingStrategy: .convertFromSnakeCase).map { row in
            GrantWork.Assignment(id: row.id, call: row.callReference, application: row.reference ?? "", status: row.status,
                                 deadline: TiranaTime.today(at: row.startedAt).adding(days: row.evaluationDays))
        }
    }

    // MARK: stages, for chairs and officers

    private func chairedCalls(of user: UUID, on database: any Database) async throws -> Set<UUID> {
        Set(try await CommitteeMember.query(on: database).filter(\.$user.$id == user).filter(\.$role == .chair).all().map(\.$call.id))
    }

    private struct RoundRow: Decodable {
        let callId: UUID
        let stage: ApplicationStage
        let startedAt: Date
        let approvedAt: Date?
    }

    private struct UncheckedRow: Decodable {
        let callId: UUID
        let stage: ApplicationStage
        let unchecked: Int
    }

    /// Every stage with work left: submissions to check before evaluation, and evaluations
    /// not yet decided, with how far their scoring has come.
    private func stages(chairedOnly calls: Set<UUID>?, _ sql: any SQLDatabase, database: any Database) async throws -> [GrantWork.Stage] {
        if let calls, calls.isEmpty { return [] }
        let scope: SQLQueryString = calls.map { "AND r.call_id IN (\(binds: Array($0)))" } ?? ""
        let rounds = try await sql.raw("""
            SELECT r.call_id, r.stage, r.started_at, r.approved_at FROM evaluation_rounds r
            WHERE r.decided_at IS NULL \(scope)
            """).all(decoding: RoundRow.self, keyDecodingStrategy: .convertFromSnakeCase)
        // Checks come before evaluation, which only the officers' list needs.
        let unchecked = calls != nil ? [] : try await sql.raw("""
            SELECT a.call_id, a.stage, COUNT(*) AS unchecked FROM grant_applications a
            WHERE a.status = 'submitted'
              AND (SELECT COUNT(*) FROM application_checks k WHERE k.application_id = a.id AND k.stage = a.stage) < \(literal: CheckKind.allCases.count)
              AND NOT EXISTS (SELECT 1 FROM evaluation_rounds r WHERE r.call_id = a.call_id AND r.stage = a.stage)
            GROUP BY a.call_id, a.stage
            """).all(decoding: UncheckedRow.self, keyDecodingStrategy: .convertFromSnakeCase)
        let scoring = rounds.filter { $0.approvedAt == nil }
        var scores: [AssignmentScoreRow] = []
        if !scoring.isEmpty {
            scores = try await sql.raw("""
                SELECT a.call_id, e.stage, e.application_id, e.evaluator_id, e.status, e.position, e.total, e.relevance
                FROM evaluation_assignments e JOIN grant_applications a ON a.id = e.application_id
                WHERE a.call_id IN (\(binds: Array(Set(scoring.map(\.callId)))))
                """).all(decoding: AssignmentScoreRow.self, keyDecodingStrategy: .convertFromSnakeCase)
        }
        let callIDs = Set(rounds.map(\.callId) + unchecked.map(\.callId))
        guard !callIDs.isEmpty else { return [] }
        let callsByID = Dictionary(uniqueKeysWithValues: try await GrantCall.query(on: database).filter(\.$id ~~ callIDs).all().map { ($0.id!, $0) })
        var stages: [GrantWork.Stage] = []
        for round in rounds {
            guard let call = callsByID[round.callId] else { continue }
            let standings = Dictionary(grouping: scores.filter { $0.callId == round.callId && $0.stage == round.stage }, by: \.applicationId)
                .values.map { rows in
                    EvaluationService.standing(rows.map(\.score), call: call)
                }
            stages.append(GrantWork.Stage(
                call: round.callId, reference: call.reference, stage: round.stage,
                ranking: RankingState(started: true, approved: round.approvedAt != nil, decided: false),
                complete: standings.allSatisfy { $0.finalScore != nil }, unchecked: 0,
                needingEvaluator: standings.filter(\.needsEvaluator).count,
                deadline: TiranaTime.today(at: round.startedAt).adding(days: call.evaluationDays)))
        }
        for row in unchecked {
            guard let call = callsByID[row.callId] else { continue }
            stages.append(GrantWork.Stage(call: row.callId, reference: call.reference, stage: row.stage, ranking: .notStarted,
                                          complete: false, unchecked: row.unchecked, needingEvaluator: 0, deadline: nil))
        }
        return stages
    }

    private struct LettersRow: Decodable {
        let callId: UUID
        let reference: String
        let unsent: Int
        let due: String?
    }

    private func unsentLetters(_ sql: any SQLDatabase) async throws -> [GrantWork.Letters] {
        try await sql.raw("""
            SELECT a.call_id, c.reference, COUNT(*) AS unsent, MIN(l.due_date) AS due
            FROM decision_letters l JOIN grant_applications a ON a.id = l.application_id JOIN grant_calls c ON c.id = a.call_id
            WHERE l.sent_at IS NULL
            GROUP BY a.call_id, c.reference
            """).all(decoding: LettersRow.self, keyDecodingStrategy: .convertFromSnakeCase).map {
            GrantWork.Letters(call: $0.callId, reference: $0.reference, unsent: $0.unsent, due: $0.due.flatMap(LocalDate.init))
        }
    }

    // MARK: applicants

    private func drafts(of organisations: Set<UUID>, on database: any Database) async throws -> [GrantWork.Draft] {
        try await GrantApplication.query(on: database).filter(\.$organisation.$id ~~ organisations)
            .filter(\.$status == .draft).with(\.$call).all().map { application in
                GrantWork.Draft(application: application.id!, call: application.call.reference,
                                deadline: TiranaTime.today(at: ApplicationService.deadline(of: application.call, for: application.stage)))
            }
    }

    private struct NewsRow: Decodable {
        let kind: String
        let record: UUID
        let reference: String
        let at: Date
    }

    /// Answers to the organisations' own questions, and letters sent to them, since `since`.
    private func news(of organisations: Set<UUID>, since: Date, _ sql: any SQLDatabase) async throws -> [GrantWork.News] {
        let ids = Array(organisations)
        return try await sql.raw("""
            SELECT 'question' AS kind, c.id AS record, c.reference AS reference, q.published_at AS at
            FROM call_questions q JOIN grant_calls c ON c.id = q.call_id
            WHERE q.organisation_id IN (\(binds: ids)) AND q.answer IS NOT NULL AND q.published_at >= \(bind: since)
            UNION ALL
            SELECT 'letter' AS kind, a.id AS record, c.reference AS reference, l.sent_at AS at
            FROM decision_letters l JOIN grant_applications a ON a.id = l.application_id JOIN grant_calls c ON c.id = a.call_id
            WHERE a.organisation_id IN (\(binds: ids)) AND l.sent_at >= \(bind: since)
            """).all(decoding: NewsRow.self).map { row in
            GrantWork.News(row.kind == "letter" ? .letterReceived : .questionAnswered, record: row.record,
                           reference: row.reference, on: TiranaTime.today(at: row.at))
        }
    }
}
