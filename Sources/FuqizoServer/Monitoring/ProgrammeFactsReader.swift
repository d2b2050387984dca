import Fluent
import Foundation
import FuqizoCore
import SQLKit

/// Reads the facts the computed indicators are defined over, from every module, with one
/// grouped query per kind of fact: never a name, never a sealed field, never a row per
/// request. Which facts count as what is decided in `ComputedIndicator`, not here.
struct ProgrammeFactsReader {
    let database: any Database

    // Rows are read once per computation, at national scale (100,000 registrations, 50,000
    // survivors): their columns are named by quoted aliases rather than decoded by key strategy.

    private struct AssessmentRow: Decodable {
        let assessment: UUID
        let organisation: UUID
        let region: String?
        let round: String
        let confirmedOn: String
        let domain: String
        let total: Int
        let count: Int
    }

    private struct TraineeRow: Decodable {
        let person: UUID
        let sex: String
        let region: String?
        let firstAttendedOn: String?
        let certifiedOn: String?
    }

    private struct EventRow: Decodable {
        let region: String?
        let heldOn: String
    }

    private struct CallRow: Decodable {
        let publishedAt: Date
        let envelope: Int64?
    }

    private struct ApplicationRow: Decodable {
        let region: String?
        let submittedAt: Date
    }

    private struct AwardRow: Decodable {
        let application: UUID
        let region: String?
        let awardedOn: String?
        let amount: Int64
    }

    private struct ContractRow: Decodable {
        let id: UUID
        let application: UUID
        let region: String?
        let amount: Int64
        let granteeSignedOn: String?
        let programmeSignedOn: String?
        let status: String
    }

    /// Money moving on a contract on a day; `first`: the pre-financing tranche.
    struct MovementRow: Decodable {
        let contract: UUID
        let on: String
        let amount: Int64
        let first: Bool?

        var movement: ProgrammeFacts.Grant.Movement? { LocalDate(on).map { .init(on: $0, minorUnits: amount) } }
    }

    private struct SurvivorRow: Decodable {
        let id: UUID
        let person: UUID?
        let region: String
        let sex: String
        let yearOfBirth: Int?
        let harm: String
        let hasDisability: Bool
        let openedAt: Date
    }

    private struct DatedRow: Decodable {
        let survivor: UUID
        let on: String
    }

    private struct InstantRow: Decodable {
        let survivor: UUID
        let at: Date
    }

    private struct FollowUpRow: Decodable {
        let survivor: UUID
        let months: Int
        let stillWorking: Bool?
        let at: Date
    }

    private struct ConsentRow: Decodable {
        let survivor: UUID
        let givenAt: Date
        let withdrawnAt: Date?
    }

    private struct ReachRow: Decodable {
        let region: String?
        let on: String
        let female: Int64
        let male: Int64
        let other: Int64
        let unstated: Int64
    }

    private struct MentionRow: Decodable {
        let on: String
    }

    private var sql: any SQLDatabase {
        get throws {
            guard let sql = database as? any SQLDatabase else { throw AppError.server }
            return sql
        }
    }

    private func all<Row: Decodable>(_ query: SQLQueryString, as type: Row.Type) async throws -> [Row] {
        try await sql.raw(query).all(decoding: Row.self)
    }

    /// The region of an organisation, by its municipality.
    private static let organisationRegion: SQLQueryString = """
        LEFT JOIN region_municipalities rm ON rm.municipality_id = o.municipality_id
        LEFT JOIN programme_regions rg ON rg.id = rm.region_id
        """

    func facts() async throws -> ProgrammeFacts {
        ProgrammeFacts(calls: try await calls(), applications: try await applications(), assessments: try await assessments(), trainees: try await trainees(), events: try await events(),
                       grants: try await grants(), survivors: try await survivors(), reach: try await reach(), mentions: try await mentions())
    }

    func calls() async throws -> [ProgrammeFacts.Call] {
        try await all("""
            SELECT c.published_at AS "publishedAt", CAST((SELECT SUM(l.envelope_minor_units) FROM call_lots l WHERE l.call_id = c.id) AS BIGINT) AS "envelope"
            FROM grant_calls c WHERE c.published_at IS NOT NULL
            """, as: CallRow.self).map { .init(publishedOn: TiranaTime.today(at: $0.publishedAt), envelopeMinorUnits: $0.envelope ?? 0) }
    }

    func applications() async throws -> [ProgrammeFacts.Application] {
        try await all("""
            SELECT rg.code AS "region", COALESCE(a.concept_submitted_at, a.full_submitted_at) AS "submittedAt"
            FROM grant_applications a JOIN call_lots l ON l.id = a.lot_id LEFT JOIN programme_regions rg ON rg.id = l.region_id
            WHERE a.concept_submitted_at IS NOT NULL OR a.full_submitted_at IS NOT NULL
            """, as: ApplicationRow.self).map { .init(region: $0.region, submittedOn: TiranaTime.today(at: $0.submittedAt)) }
    }

    func assessments() async throws -> [ProgrammeFacts.Assessment] {
        let rows = try await all("""
            SELECT a.id AS "assessment", a.organisation_id AS "organisation", rg.code AS "region", r.kind AS "round",
                   a.confirmed_on AS "confirmedOn", d.domain AS "domain", d.total AS "total", d.count AS "count"
            FROM capacity_assessments a
            JOIN capacity_rounds r ON r.id = a.round_id
            JOIN capacity_domain_scores d ON d.assessment_id = a.id
            JOIN organisations o ON o.id = a.organisation_id
            \(Self.organisationRegion)
            WHERE a.status = \(bind: SelfAssessmentStatus.confirmed.rawValue) AND a.confirmed_on IS NOT NULL
            """, as: AssessmentRow.self)
        return Dictionary(grouping: rows, by: \.assessment).values.compactMap { rows in
            guard let first = rows.first, let round = RoundKind(rawValue: first.round), let day = LocalDate(first.confirmedOn) else { return nil }
            var scores: [String: CapacityScore] = [:]
            for row in rows { scores[row.domain] = CapacityScore(total: row.total, count: row.count) }
            return ProgrammeFacts.Assessment(organisation: first.organisation, region: first.region, round: round, confirmedOn: day,
                                             domainScores: scores)
        }
    }

    func trainees() async throws -> [ProgrammeFacts.Trainee] {
        let attended = SQLList([AttendanceMark.present, .late].map { SQLBind($0.rawValue) })
        return try await all("""
            SELECT r.person_id AS "person", p.sex AS "sex", MIN(rg.code) AS "region",
                   MIN(s.held_on) AS "firstAttendedOn", MIN(r.certified_on) AS "certifiedOn"
            FROM event_registrations r
            JOIN cso_people p ON p.id = r.person_id
            JOIN organisations o ON o.id = r.organisation_id
            \(Self.organisationRegion)
            LEFT JOIN event_attendance a ON a.registration_id = r.id AND a.mark IN (\(attended))
            LEFT JOIN event_sessions s ON s.id = a.session_id
            GROUP BY r.person_id, p.sex
            """, as: TraineeRow.self).compactMap { row in
            guard let sex = PersonSex(rawValue: row.sex) else { return nil }
            return ProgrammeFacts.Trainee(person: row.person, sex: sex, region: row.region,
                                          firstAttendedOn: row.firstAttendedOn.flatMap(LocalDate.init), certifiedOn: row.certifiedOn.flatMap(LocalDate.init))
        }
    }

    func events() async throws -> [ProgrammeFacts.HeldEvent] {
        try await all("""
            SELECT MIN(rg.code) AS "region", MIN(s.held_on) AS "heldOn"
            FROM capacity_events e
            JOIN event_sessions s ON s.event_id = e.id AND s.attendance_taken_at IS NOT NULL
            LEFT JOIN programme_regions rg ON rg.id = e.region_id
            GROUP BY e.id
            """, as: EventRow.self).compactMap { row in
            LocalDate(row.heldOn).map { ProgrammeFacts.HeldEvent(region: row.region, heldOn: $0) }
        }
    }

    /// Contracts signed by both parties count as contracted, whatever happened after.
    static let contracted: [ContractStatus] = [.signed, .inImplementation, .finalReportApproved, .closed, .suspended, .terminated]

    func grants() async throws -> [ProgrammeFacts.Grant] {
        let awards = try await all("""
            SELECT a.id AS "application", rg.code AS "region", er.decision_date AS "awardedOn", a.requested_minor_units AS "amount"
            FROM grant_applications a
            JOIN call_lots l ON l.id = a.lot_id
            LEFT JOIN programme_regions rg ON rg.id = l.region_id
            LEFT JOIN evaluation_rounds er ON er.call_id = a.call_id AND er.stage = a.stage
            WHERE a.status = \(bind: ApplicationStatus.awarded.rawValue)
            """, as: AwardRow.self)
        let contracts = try await all("""
            SELECT c.id AS "id", c.application_id AS "application", rg.code AS "region", c.amount_minor_units AS "amount",
                   c.grantee_signed_on AS "granteeSignedOn", c.programme_signed_on AS "programmeSignedOn", c.status AS "status"
            FROM grant_contracts c LEFT JOIN programme_regions rg ON rg.id = c.region_id
            """, as: ContractRow.self)
        let payments = try await paidTranches()
        let recoveries = try await recoveriesPaid()
        let reported = Dictionary(grouping: try await all("""
            SELECT r.contract_id AS "contract", r.reviewed_on AS "on", CAST(SUM(l.minor_units) AS BIGINT) AS "amount", CAST(NULL AS BOOLEAN) AS "first"
            FROM contract_reports r JOIN expenditure_lines l ON l.report_id = r.id
            WHERE r.status = \(bind: ReportStatus.approved.rawValue) AND r.reviewed_on IS NOT NULL
            GROUP BY r.id, r.contract_id, r.reviewed_on
            """, as: MovementRow.self), by: \.contract)
        func movements(_ rows: [MovementRow]?) -> [ProgrammeFacts.Grant.Movement] {
            (rows ?? []).compactMap(\.movement)
        }
        let contractOf = Dictionary(contracts.map { ($0.application, $0) }, uniquingKeysWith: { first, _ in first })
        let signed = Set(Self.contracted.map(\.rawValue))
        return awards.map { award in
            let contract = contractOf[award.application]
            let signedOn = contract.flatMap { contract -> LocalDate? in
                guard signed.contains(contract.status), let grantee = contract.granteeSignedOn.flatMap(LocalDate.init),
                      let programme = contract.programmeSignedOn.flatMap(LocalDate.init) else { return nil }
                return max(grantee, programme)
            }
            let paid = contract.map { payments[$0.id] ?? [] } ?? []
            return ProgrammeFacts.Grant(
                region: contract?.region ?? award.region, awardedOn: award.awardedOn.flatMap(LocalDate.init), awardedMinorUnits: award.amount,
                contractedOn: signedOn, contractedMinorUnits: signedOn == nil ? 0 : contract?.amount ?? 0,
                prefinancing: movements(paid.filter { $0.first == true }), payments: movements(paid),
                recoveries: movements(contract.flatMap { recoveries[$0.id] }), reported: movements(contract.flatMap { reported[$0.id] }))
        }
    }

    /// Tranches paid, by contract.
    func paidTranches() async throws -> [UUID: [MovementRow]] {
        Dictionary(grouping: try await all("""
            SELECT contract_id AS "contract", paid_on AS "on", paid_minor_units AS "amount", tranche = 1 AS "first"
            FROM payment_requests WHERE status = \(bind: PaymentStatus.paid.rawValue) AND paid_on IS NOT NULL AND paid_minor_units IS NOT NULL
            """, as: MovementRow.self), by: \.contract)
    }

    /// Money paid back by grantees (recovery orders settled by payment, not by offset), by contract.
    func recoveriesPaid() async throws -> [UUID: [MovementRow]] {
        Dictionary(grouping: try await all("""
            SELECT contract_id AS "contract", settled_on AS "on", amount_minor_units AS "amount", CAST(NULL AS BOOLEAN) AS "first"
            FROM recovery_orders WHERE status = \(bind: RecoveryStatus.paid.rawValue) AND settled_on IS NOT NULL
            """, as: MovementRow.self), by: \.contract)
    }

    func survivors() async throws -> [ProgrammeFacts.Survivor] {
        let consents = Dictionary(grouping: try await all("""
            SELECT survivor_id AS "survivor", given_at AS "givenAt", withdrawn_at AS "withdrawnAt"
            FROM survivor_consents WHERE purpose = \(bind: ConsentPurpose.statistics.rawValue)
            """, as: ConsentRow.self), by: \.survivor)
        let club = Dictionary(grouping: try await all(#"SELECT survivor_id AS "survivor", joined_on AS "on" FROM club_memberships"#,
                                                     as: DatedRow.self), by: \.survivor)
        let plans = Dictionary(grouping: try await all("""
            SELECT survivor_id AS "survivor", MIN(created_at) AS "at" FROM plan_goals GROUP BY survivor_id
            """, as: InstantRow.self), by: \.survivor)
        let starts = Dictionary(grouping: try await all(#"SELECT survivor_id AS "survivor", start_on AS "on" FROM employment_outcomes"#,
                                                       as: DatedRow.self), by: \.survivor)
        let followUps = Dictionary(grouping: try await all("""
            SELECT survivor_id AS "survivor", months AS "months", still_working AS "stillWorking", recorded_at AS "at"
            FROM employment_followups WHERE recorded_at IS NOT NULL
            """, as: FollowUpRow.self), by: \.survivor)
        let rows = try await all("""
            SELECT s.id AS "id", m.person_id AS "person", r.code AS "region", s.sex AS "sex", s.year_of_birth AS "yearOfBirth",
                   s.harm AS "harm", s.has_disability AS "hasDisability", s.opened_at AS "openedAt"
            FROM survivors s JOIN programme_regions r ON r.id = s.region_id
            LEFT JOIN survivor_matches m ON m.survivor_id = s.id
            ORDER BY s.opened_at
            """, as: SurvivorRow.self)
        func days(_ rows: [DatedRow]?) -> [LocalDate] { (rows ?? []).compactMap { LocalDate($0.on) } }
        return rows.compactMap { row in
            guard let sex = SurvivorSex(rawValue: row.sex), let harm = HarmKind(rawValue: row.harm) else { return nil }
            return ProgrammeFacts.Survivor(
                region: row.region, sex: sex, yearOfBirth: row.yearOfBirth, harm: harm, hasDisability: row.hasDisability,
                registeredOn: TiranaTime.today(at: row.openedAt), joinedClubOn: days(club[row.id]),
                planOn: plans[row.id]?.first.map { TiranaTime.today(at: $0.at) }, startedWorkOn: days(starts[row.id]),
                followUps: (followUps[row.id] ?? []).map {
                    .init(months: $0.months, stillWorking: $0.stillWorking, recordedOn: TiranaTime.today(at: $0.at))
                },
                statisticsConsents: (consents[row.id] ?? []).map { ConsentRecord(purpose: .statistics, givenAt: $0.givenAt, withdrawnAt: $0.withdrawnAt) },
                person: row.person ?? row.id)
        }
    }

    func reach() async throws -> [ProgrammeFacts.Reach] {
        let shown = SQLList(CampaignStatus.publicCases.map { SQLBind($0.rawValue) })
        return try await all("""
            SELECT rg.code AS "region", a.held_on AS "on", a.female AS "female", a.male AS "male", a.other_sex AS "other",
                   a.unstated_sex AS "unstated"
            FROM campaign_actions a JOIN campaigns c ON c.id = a.campaign_id
            LEFT JOIN programme_regions rg ON rg.id = a.region_id
            WHERE c.status IN (\(shown)) AND a.reach_recorded_at IS NOT NULL
            """, as: ReachRow.self).compactMap { row in
            // Entered through a bounded form; clamped again so that four of them always add up without overflow.
            func bounded(_ value: Int64) -> Int { Int(min(max(0, value), 1_000_000_000)) }
            return LocalDate(row.on).map {
                ProgrammeFacts.Reach(region: row.region, on: $0, reach: ActionReach(bySex: [
                    .female: bounded(row.female), .male: bounded(row.male), .other: bounded(row.other), .unstated: bounded(row.unstated),
                ]))
            }
        }
    }

    func mentions() async throws -> [LocalDate] {
        let shown = SQLList(CampaignStatus.publicCases.map { SQLBind($0.rawValue) })
        return try await all("""
            SELECT m.published_on AS "on" FROM campaign_mentions m JOIN campaigns c ON c.id = m.campaign_id WHERE c.status IN (\(shown))
            """, as: MentionRow.self).compactMap { LocalDate($0.on) }
    }
}
