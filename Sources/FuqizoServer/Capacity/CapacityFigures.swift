import Fluent
import Foundation
import FuqizoCore
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// What capacity assessment adds up to: a CSO's confirmed rounds, and the needs map across
/// CSOs, read from the confirmed scores per domain.
struct CapacityFigures {
    let database: any Database

    /// A self-assessment as the lists show it: read with plain SQL, since every capacity page
    /// lists the CSO's own (docs/module-guide.md §4).
    struct OwnRow: Decodable {
        let id: UUID
        let reference: String
        let kind: String
        let dueOn: String
        let status: String
        let organisation: String
    }

    /// The self-assessments of these organisations, newest round first.
    func assessments(of organisations: Set<UUID>) async throws -> [OwnRow] {
        guard !organisations.isEmpty else { return [] }
        guard let sql = database as? any SQLDatabase else { throw AppError.server }
        return try await sql.raw("""
            SELECT a.id, r.reference, r.kind, r.due_on AS "dueOn", a.status, o.name_sq AS "organisation"
            FROM capacity_assessments a JOIN capacity_rounds r ON r.id = a.round_id JOIN organisations o ON o.id = a.organisation_id
            WHERE a.organisation_id IN (\(binds: Array(organisations)))
            ORDER BY r.created_at DESC, r.reference DESC, o.name_sq
            """).all(decoding: OwnRow.self)
    }

    private struct ConfirmedRow: Decodable {
        let id: UUID
        let reference: String
        let kind: String
        let instrument: UUID
    }

    private struct ScoreRow: Decodable {
        let assessment: UUID
        let domain: String
        let total: Int
        let count: Int
    }

    /// A CSO's confirmed rounds, oldest first, and the instrument of the latest (whose domains
    /// the chart draws).
    func history(of organisation: UUID) async throws -> (instrument: CapacityInstrument?, rounds: [AssessmentContext.Scored]) {
        guard let sql = database as? any SQLDatabase else { throw AppError.server }
        let confirmed = try await sql.raw("""
            SELECT a.id, r.reference, r.kind, r.instrument_id AS "instrument"
            FROM capacity_assessments a JOIN capacity_rounds r ON r.id = a.round_id
            WHERE a.organisation_id = \(bind: organisation) AND a.status = \(bind: SelfAssessmentStatus.confirmed.rawValue)
            ORDER BY r.created_at, r.reference
            """).all(decoding: ConfirmedRow.self)
        guard let latest = confirmed.last else { return (nil, []) }
        let scores = try await sql.raw("""
            SELECT assessment_id AS "assessment", domain, total, count FROM capacity_domain_scores WHERE organisation_id = \(bind: organisation)
            """).all(decoding: ScoreRow.self)
        let byAssessment = Dictionary(grouping: scores, by: \.assessment)
        let rounds = confirmed.compactMap { row in
            RoundKind(rawValue: row.kind).map { kind in
                AssessmentContext.Scored(reference: row.reference, kind: kind,
                                         scores: Dictionary((byAssessment[row.id] ?? []).compactMap { score in
                                             CapacityScore(total: score.total, count: score.count).map { (score.domain, $0) }
                                         }, uniquingKeysWith: { a, _ in a }))
            }
        }
        guard let stored = try await sql.raw("SELECT id, content FROM capacity_instruments WHERE id = \(bind: latest.instrument)")
            .first(decoding: StoredInstrument.self) else { return (nil, rounds) }
        return (try InstrumentRecord.instrument(stored: stored.content, id: stored.id), rounds)
    }

    /// The domains a CSO's action plan is written against: those of its latest confirmed
    /// round's instrument, or of the newest instrument before any round is confirmed.
    func planDomains(_ latest: CapacityInstrument?) async throws -> [CapacityInstrument.Domain] {
        if let latest { return latest.domains }
        guard let sql = database as? any SQLDatabase else { throw AppError.server }
        // Read on every event page: the stored text only, decoded once (InstrumentRecord).
        guard let first = try await sql.raw("SELECT id, content FROM capacity_instruments ORDER BY created_at, id LIMIT 1")
            .first(decoding: StoredInstrument.self) else { return [] }
        return try InstrumentRecord.instrument(stored: first.content, id: first.id).domains
    }

    private struct StoredInstrument: Decodable {
        let id: UUID
        let content: String
    }

    /// An event still to come, as the action plan lists it under a domain it addresses.
    struct UpcomingEvent: Decodable {
        /// The domain of the plan it was found for.
        let wanted: String
        let id: UUID
        let reference: String
        let titleSq: String
        let titleEn: String
        let startsOn: String
        let endsOn: String
        let capacity: Int
        let taken: Int
        let domains: String
    }

    /// What the programme offers a CSO for one domain of its plan.
    struct DomainTrainings {
        /// The next events still to come that address it (three at most), soonest first.
        var upcoming: [UpcomingEvent] = []
        /// How many of the CSO's people have attended an event that addressed it.
        var trained = 0
    }

    private struct AttendedRow: Decodable {
        let person: UUID
        let domains: String
    }

    /// The trainings for these domains of a CSO's plan.
    func trainings(for domains: [String], of organisation: UUID, from today: LocalDate) async throws -> [String: DomainTrainings] {
        guard !domains.isEmpty else { return [:] }
        guard let sql = database as? any SQLDatabase else { throw AppError.server }
        // One statement, a part per domain. Events keep their domains comma-separated: the
        // pattern finds the candidates, the exact split below keeps only real matches. Each
        // part is ordered by starts_on alone, so the index serves the order and the scan stops
        // at the third match (a tie-break by reference made SQLite sort every event to come:
        // 1 ms a domain at 5,000 events); ties are ordered here.
        let parts: [SQLQueryString] = domains.enumerated().map { index, domain in
            """
            SELECT * FROM (SELECT CAST(\(bind: domain) AS TEXT) AS "wanted", e.id, e.reference, e.title_sq AS "titleSq", e.title_en AS "titleEn",
                   e.starts_on AS "startsOn", e.ends_on AS "endsOn", e.capacity, e.domains,
                   \(CapacityEvent.placesTaken) AS "taken"
            FROM capacity_events e
            WHERE e.starts_on >= \(bind: today.description) AND e.closed_on IS NULL AND (',' || e.domains || ',') LIKE \(bind: CapacityEvent.domainPattern(domain))
            ORDER BY e.starts_on LIMIT 3) AS \(ident: "part\(index)")
            """
        }
        let rows = try await sql.raw(parts.joined(separator: " UNION ALL ")).all(decoding: UpcomingEvent.self)
        let attended = try await sql.raw("""
            SELECT DISTINCT r.person_id AS "person", e.domains AS "domains"
            FROM event_registrations r JOIN capacity_events e ON e.id = r.event_id
            WHERE r.organisation_id = \(bind: organisation) AND r.status = \(bind: RegistrationStatus.attended.rawValue)
            """).all(decoding: AttendedRow.self)
        return Dictionary(domains.map { domain in
            (domain, DomainTrainings(
                upcoming: rows.filter { $0.wanted == domain && CapacityEvent.domainKeys($0.domains).contains(domain) }
                    .sorted { ($0.startsOn, $0.reference) < ($1.startsOn, $1.reference) },
                trained: Set(attended.filter { CapacityEvent.domainKeys($0.domains).contains(domain) }.map(\.person)).count))
        }, uniquingKeysWith: { a, _ in a })
    }

    // One row per domain and region, summed by the database (docs/module-guide.md §4: named
    // columns). Each CSO's score is rounded to hundredths as `CapacityScore.hundredths` does,
    // and "below" is the core's exact integer test, so the cells equal `NeedsMap.cells`.
    private struct CellRow: Decodable {
        let region: UUID?
        let domain: String
        let hundredths: Int
        let organisations: Int
        let below: Int
    }

    private struct Assessed: Decodable { let assessed: Int }

    /// The needs map of a round: its confirmed scores by domain and programme region, and how
    /// many CSOs they cover.
    func needsMap(_ round: AssessmentRound, domains: [String]) async throws -> (cells: [NeedsMap.Cell], assessed: Int) {
        guard let sql = database as? any SQLDatabase else { throw AppError.server }
        let id = try round.requireID()
        let threshold = NeedsMap.defaultThresholdHundredths
        let rows = try await sql.raw("""
            SELECT rm.region_id AS "region", s.domain AS "domain",
                   CAST(SUM((s.total * 200 + s.count) / (s.count * 2)) AS BIGINT) AS "hundredths",
                   CAST(COUNT(*) AS BIGINT) AS "organisations",
                   CAST(SUM(CASE WHEN s.total * 100 < \(literal: threshold) * s.count THEN 1 ELSE 0 END) AS BIGINT) AS "below"
            FROM capacity_domain_scores s JOIN organisations o ON o.id = s.organisation_id
            LEFT JOIN region_municipalities rm ON rm.municipality_id = o.municipality_id
            WHERE s.round_id = \(bind: id) AND s.count > 0
            GROUP BY rm.region_id, s.domain
            """).all(decoding: CellRow.self)
        let assessed = try await sql.raw("""
            SELECT CAST(COUNT(DISTINCT organisation_id) AS BIGINT) AS "assessed" FROM capacity_domain_scores WHERE round_id = \(bind: id)
            """).first(decoding: Assessed.self)?.assessed ?? 0
        let found = Dictionary(rows.map { (NeedsKey(domain: $0.domain, region: $0.region), $0) }, uniquingKeysWith: { a, _ in a })
        let regions = Set(rows.map(\.region)).sorted { ($0?.uuidString ?? "") < ($1?.uuidString ?? "") }
        // The instrument's order of domains, then regions, as the core rule orders its cells.
        let cells = domains.flatMap { domain in
            regions.compactMap { region in
                found[NeedsKey(domain: domain, region: region)].flatMap {
                    NeedsMap.Cell(domain: domain, region: region, hundredthsSum: $0.hundredths, organisations: $0.organisations, below: $0.below)
                }
            }
        }
        return (cells, assessed)
    }

    private struct NeedsKey: Hashable { let domain: String; let region: UUID? }
}

/// The needs maps as last added up, per round, for `lifetime`. Adding up takes tens of
/// milliseconds at 2,000 CSOs, and a round's map changes only when one of its
/// self-assessments is confirmed: that forgets the round at once on this instance; a
/// confirmation on another instance (PostgreSQL shared) shows within the lifetime.
final class NeedsMapMemory: Sendable {
    typealias Map = (cells: [NeedsMap.Cell], assessed: Int)
    static let lifetime: TimeInterval = 60

    private let entries = NIOLockedValueBox<[UUID: (at: Date, map: Map)]>([:])

    /// The round's map as remembered, or added up now (and remembered).
    func map(of round: UUID, at now: Date, addingUp: () async throws -> Map) async throws -> Map {
        let recent = entries.withLockedValue { entries -> Map? in
            guard let entry = entries[round], now >= entry.at, now.timeIntervalSince(entry.at) < Self.lifetime else { return nil }
            return entry.map
        }
        if let recent { return recent }
        let map = try await addingUp()
        // Rounds are few (a handful a year); nothing to bound.
        entries.withLockedValue { $0[round] = (now, map) }
        return map
    }

    func forget(_ round: UUID) {
        _ = entries.withLockedValue { $0.removeValue(forKey: round) }
    }
}
