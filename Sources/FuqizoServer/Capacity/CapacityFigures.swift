import Fluent
import Foundation
import FuqizoCore
import SQLKit
import Vapor

/// What capacity assessment adds up to: a CSO's confirmed rounds, and the needs map across
/// CSOs, read from the confirmed scores per domain.
struct CapacityFigures {
    let database: any Database

    /// The self-assessments of these organisations, newest round first.
    func assessments(of organisations: Set<UUID>) async throws -> [SelfAssessment] {
        guard !organisations.isEmpty else { return [] }
        return try await SelfAssessment.query(on: database).filter(\.$organisation.$id ~~ organisations)
            .with(\.$round).with(\.$organisation).all()
            .sorted { ($0.round.createdAt ?? .distantPast, $0.round.reference) > ($1.round.createdAt ?? .distantPast, $1.round.reference) }
    }

    /// A CSO's confirmed rounds, oldest first, and the instrument of the latest (whose domains
    /// the chart draws).
    func history(of organisation: UUID) async throws -> (instrument: CapacityInstrument?, rounds: [AssessmentContext.Scored]) {
        let confirmed = try await SelfAssessment.query(on: database).filter(\.$organisation.$id == organisation).filter(\.$status == .confirmed)
            .with(\.$round, { $0.with(\.$instrument) }).all()
            .sorted { ($0.round.createdAt ?? .distantPast, $0.round.reference) < ($1.round.createdAt ?? .distantPast, $1.round.reference) }
        guard !confirmed.isEmpty else { return (nil, []) }
        let scores = try await DomainScore.query(on: database).filter(\.$organisation.$id == organisation).all()
        let byAssessment = Dictionary(grouping: scores, by: { $0.$assessment.id })
        let rounds = confirmed.map { assessment in
            AssessmentContext.Scored(reference: assessment.round.reference, kind: assessment.round.kind,
                                     scores: Dictionary((byAssessment[assessment.id ?? UUID()] ?? []).compactMap { row in
                                         CapacityScore(total: row.total, count: row.count).map { (row.domain, $0) }
                                     }, uniquingKeysWith: { a, _ in a }))
        }
        return (try confirmed.last?.round.instrument.instrument(), rounds)
    }

    /// The domains a CSO's action plan is written against: those of its latest confirmed
    /// round's instrument, or of the newest instrument before any round is confirmed.
    func planDomains(_ latest: CapacityInstrument?) async throws -> [CapacityInstrument.Domain] {
        if let latest { return latest.domains }
        return try await InstrumentRecord.query(on: database).sort(\.$createdAt).first()?.instrument().domains ?? []
    }

    // Read for every CSO of a round at once: the columns are named (docs/module-guide.md §4).
    private struct ScoreRow: Decodable {
        let organisation: UUID
        let region: UUID?
        let domain: String
        let total: Int
        let count: Int
    }

    /// The needs map of a round: its confirmed scores by domain and programme region, and how
    /// many CSOs they cover.
    func needsMap(_ round: AssessmentRound, domains: [String]) async throws -> (cells: [NeedsMap.Cell], assessed: Int) {
        guard let sql = database as? any SQLDatabase else { throw AppError.server }
        let rows = try await sql.raw("""
            SELECT s.organisation_id AS organisation, rm.region_id AS region, s.domain, s.total, s.count
            FROM capacity_domain_scores s JOIN organisations o ON o.id = s.organisation_id
            LEFT JOIN region_municipalities rm ON rm.municipality_id = o.municipality_id
            WHERE s.round_id = \(bind: try round.requireID())
            """).all(decoding: ScoreRow.self)
        struct Key: Hashable { let organisation: UUID; let region: UUID? }
        var scores: [Key: [String: CapacityScore]] = [:]
        for row in rows {
            guard let score = CapacityScore(total: row.total, count: row.count) else { continue }
            scores[Key(organisation: row.organisation, region: row.region), default: [:]][row.domain] = score
        }
        let assessed = scores.map { NeedsMap.Assessed(region: $0.key.region, scores: $0.value) }
        return (NeedsMap.cells(assessed, domains: domains), Set(rows.map(\.organisation)).count)
    }
}
