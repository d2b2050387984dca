import Fluent
import Foundation
import FuqizoCore
import SQLKit
import Vapor

extension DemoData {
    /// For the benchmark: `count` fictional survivors of the first organisation (names sealed
    /// with their own keys as usual) and `attendances` Club attendances over sessions of twenty,
    /// written with batched inserts rather than one audited use case each, which would take hours.
    static func loadBulkSurvivors(app: Application, count: Int, attendances: Int, organisations: [UUID]) async throws {
        guard count > 0, let home = organisations.first, let sql = app.db as? any SQLDatabase else { return }
        let regions = try await GeographyDirectory.load(on: app.db).regions
        let wrapper = SurvivorKeyWrapper(masterKey: app.services.masterKey)
        let now = app.clock.now()
        let year = Int(TiranaTime.parts(of: now).date.prefix(4))!
        let actor = try await RoleAssignment.query(on: app.db).filter(\.$role == Role.caseWorker.rawValue)
            .filter(\.$organisation.$id == home).first()?.$user.id ?? UUID()
        let facilitator = try await RoleAssignment.query(on: app.db).filter(\.$role == Role.clubFacilitator.rawValue)
            .filter(\.$organisation.$id == home).first()?.$user.id ?? actor
        var numbers: [String: Int] = [:]
        for region in regions {
            let scope = "survivor:\(region.code)-\(year)"
            numbers[scope] = try await sql.select().column("value").from("reference_counters").where("scope", .equal, SQLBind(scope))
                .first(decodingColumn: "value", as: Int.self) ?? 0
        }
        var ids: [UUID] = []
        let batch = 400
        for start in stride(from: 0, to: count, by: batch) {
            var survivorRows: [[SQLBind]] = [], keyRows: [[SQLBind]] = [], consentRows: [[SQLBind]] = [], memberRows: [[SQLBind]] = []
            for index in start..<min(count, start + batch) {
                let id = UUID()
                let region = regions[index % regions.count]
                let scope = "survivor:\(region.code)-\(year)"
                numbers[scope, default: 0] += 1
                let code = SurvivorCode.make(regionCode: region.code, year: year, number: numbers[scope]!)
                let key = SurvivorDataKey.generate()
                let first = try key.seal(firstNames[index % firstNames.count], survivor: id, field: IdentityField.firstName.rawValue)
                let last = try key.seal(lastNames[index % lastNames.count], survivor: id, field: IdentityField.lastName.rawValue)
                survivorRows.append([
                    SQLBind(id), SQLBind(home), SQLBind(code), SQLBind(index % 10 == 9 ? "closed" : "open"), SQLBind(1970 + index % 36),
                    SQLBind(index % 17 == 0 ? "male" : "female"), SQLBind(region.id), SQLBind(HarmKind.allCases[index % 3].rawValue),
                    SQLBind(ReferralSource.allCases[index % 9].rawValue), SQLBind(""), SQLBind(false), SQLBind(first), SQLBind(last),
                    SQLBind(now), SQLBind(actor), SQLBind(now), SQLBind(now),
                ])
                keyRows.append([SQLBind(id), SQLBind(try wrapper.wrap(key, survivor: id)), SQLBind(now)])
                for purpose in [ConsentPurpose.services, .club, .statistics] {
                    consentRows.append([SQLBind(UUID()), SQLBind(id), SQLBind(purpose.rawValue), SQLBind("bench"), SQLBind(now), SQLBind(actor)])
                }
                memberRows.append([SQLBind(UUID()), SQLBind(id), SQLBind(home), SQLBind(TiranaTime.parts(of: now).date)])
                ids.append(id)
            }
            let rows = (survivorRows, keyRows, consentRows, memberRows)
            try await app.db.writeTransaction { db in
                guard let sql = db as? any SQLDatabase else { return }
                try await sql.insert(into: "survivors").columns(
                    "id", "organisation_id", "code", "status", "year_of_birth", "sex", "region_id", "harm", "referral_source",
                    "washington_group", "has_disability", "first_name_sealed", "last_name_sealed", "opened_at", "created_by", "created_at", "updated_at")
                    .bulk(rows.0).run()
                try await sql.insert(into: "survivor_keys").columns("survivor_id", "wrapped_key", "created_at").bulk(rows.1).run()
                try await sql.insert(into: "survivor_consents").columns("id", "survivor_id", "purpose", "form_version", "given_at", "recorded_by")
                    .bulk(rows.2).run()
                try await sql.insert(into: "club_memberships").columns("id", "survivor_id", "organisation_id", "joined_on").bulk(rows.3).run()
            }
        }
        for (scope, value) in numbers {
            try await sql.raw("""
                INSERT INTO reference_counters (scope, value) VALUES (\(bind: scope), \(bind: value))
                ON CONFLICT (scope) DO UPDATE SET value = \(bind: value)
                """).run()
        }
        // Sessions of twenty members each, one a day going back from today.
        let perSession = 20
        let sessions = (attendances + perSession - 1) / perSession
        let today = TiranaTime.today(at: now)
        let members = ids
        for start in stride(from: 0, to: sessions, by: 20) {
            var sessionRows: [[SQLBind]] = [], attendanceRows: [[SQLBind]] = []
            for number in start..<min(sessions, start + 20) {
                let id = UUID()
                sessionRows.append([
                    SQLBind(id), SQLBind(home), SQLBind(ClubSessionKind.allCases[number % 6].rawValue),
                    SQLBind(today.adding(days: -(number % 3650)).description), SQLBind("Qendra e Klubit (demo)"),
                    SQLBind(facilitator), SQLBind(actor), SQLBind(now),
                ])
                for seat in 0..<perSession where number * perSession + seat < attendances {
                    attendanceRows.append([
                        SQLBind(UUID()), SQLBind(id), SQLBind(members[(number * 7 + seat * 2_503) % members.count]), SQLBind(seat % 5 != 4), SQLBind(now),
                    ])
                }
            }
            let rows = (sessionRows, attendanceRows)
            try await app.db.writeTransaction { db in
                guard let sql = db as? any SQLDatabase else { return }
                try await sql.insert(into: "club_sessions")
                    .columns("id", "organisation_id", "kind", "held_on", "place", "facilitator_id", "created_by", "created_at").bulk(rows.0).run()
                try await sql.insert(into: "club_attendance").columns("id", "session_id", "survivor_id", "present", "recorded_at").bulk(rows.1).run()
            }
        }
        try await app.db.writeTransaction { db in
            try await app.services.audit.record(.init("demo.survivorsLoaded", details: ["survivors": String(count), "attendances": String(attendances)]),
                                      actor: nil, at: now, on: db)
        }
    }

    /// Signed-in sessions for the benchmark's and the kill test's people (the case worker, the
    /// facilitator, the administrator and the grants officer would otherwise need an
    /// authenticator app; the CSO user's saves a sign-in): printed once, like the passwords. Their accounts get a
    /// second-factor secret that nobody holds, as a session without one is sent to enrol.
    static func benchSessions(app: Application, organisations: [UUID]) async throws -> [(Role, String)] {
        guard let home = organisations.first else { return [] }
        var tokens: [(Role, String)] = []
        for role in [Role.caseWorker, .clubFacilitator, .administrator, .grantsOfficer, .csoUser] {
            // Organisation roles of the first organisation; programme-wide roles as they are.
            let query = RoleAssignment.query(on: app.db).filter(\.$role == role.rawValue)
            if role.isOrganisationScoped { query.filter(\.$organisation.$id == home) }
            guard let user = try await query.first()?.$user.id else { continue }
            if role.requiresTwoFactor, let account = try await User.find(user, on: app.db), account.totpSecret == nil {
                account.totpSecret = try app.services.secretsBox.seal(Data(TOTP.randomSecret()), boundTo: IdentityService.secretContext(of: user, pending: false))
                try await account.save(on: app.db)
            }
            let token = SecretToken.generate()
            try await UserSession(tokenDigest: SecretToken.digest(token), userID: user, stage: .active, now: app.clock.now()).create(on: app.db)
            tokens.append((role, token))
        }
        return tokens
    }
}

extension SQLInsertBuilder {
    /// One multi-row INSERT of these rows.
    func bulk(_ rows: [[SQLBind]]) -> SQLInsertBuilder {
        var builder = self
        for row in rows { builder = builder.values(row.map { $0 as any SQLExpression }) }
        return builder
    }
}

extension DemoData {
    /// For the benchmark: `count` further contracts, each a copy of a running demo contract
    /// (its terms, reports and payments) for a further award of another CSO, and `lines`
    /// expenditure lines spread over their first reports — written with SQL copies and batched
    /// inserts, as thousands of audited use cases would take hours.
    static func loadBulkContracts(app: Application, count: Int, lines: Int, organisations: [UUID]) async throws {
        guard count > 0, let sql = app.db as? any SQLDatabase else { return }
        // A running contract with a paid tranche, else a signed one.
        let candidates = try await GrantContract.query(on: app.db).filter(\.$status ~~ [.inImplementation, .signed]).sort(\.$number).all()
        guard let template = candidates.first(where: { $0.status == .inImplementation }) ?? candidates.first else { return }
        let templateID = try template.requireID()
        let lots = try await CallLot.query(on: app.db).filter(\.$call.$id == template.$call.id).all().compactMap(\.id)
        let taken = Set(try await GrantApplication.query(on: app.db).filter(\.$call.$id == template.$call.id).all()
            .map { "\($0.$lot.id)\($0.$organisation.id)" })
        let reports = try await ContractReport.query(on: app.db).filter(\.$contract.$id == templateID).all().compactMap(\.id)
        let payments = try await PaymentRequest.query(on: app.db).filter(\.$contract.$id == templateID).all().compactMap(\.id)
        var pairs: [(lot: UUID, organisation: UUID)] = []
        for lot in lots {
            for organisation in organisations where !taken.contains("\(lot)\(organisation)") && pairs.count < count {
                pairs.append((lot, organisation))
            }
        }
        var firstReports: [(contract: UUID, report: UUID)] = []
        for start in stride(from: 0, to: pairs.count, by: 200) {
            // Each copy's ids, chosen before the transaction that writes them.
            let batch = pairs[start..<min(pairs.count, start + 200)].enumerated().map { offset, pair in
                (index: start + offset + 1, pair: pair, application: UUID(), contract: UUID(), reports: reports.map { ($0, UUID()) })
            }
            firstReports += batch.compactMap { copy in copy.reports.first.map { (copy.contract, $0.1) } }
            try await app.db.writeTransaction { db in
                guard let sql = db as? any SQLDatabase else { return }
                for copy in batch {
                    let (index, pair, application, contract) = (copy.index, copy.pair, copy.application, copy.contract)
                    try await sql.raw("""
                        INSERT INTO grant_applications (id, call_id, lot_id, organisation_id, stage, status, reference, language, concept_content,
                            full_content, requested_minor_units, revision, concept_submitted_at, concept_digest, full_submitted_at, full_digest,
                            created_at, updated_at, updated_by)
                        SELECT \(bind: application), call_id, \(bind: pair.lot), \(bind: pair.organisation), stage, status,
                            \(bind: "BENCH-\(index)"), language, concept_content, full_content, requested_minor_units, revision,
                            concept_submitted_at, concept_digest, full_submitted_at, full_digest, created_at, updated_at, updated_by
                        FROM grant_applications WHERE id = \(bind: template.$application.id)
                        """).run()
                    try await sql.raw("""
                        INSERT INTO grant_contracts (id, number, application_id, call_id, lot_id, organisation_id, region_id, status, language,
                            currency, amount_minor_units, start_date, end_date, terms, version, sent_on, grantee_signed_on, programme_signed_on,
                            status_reason, created_by, created_at, updated_at)
                        SELECT \(bind: contract), \(bind: String(format: "GC-BENCH-%05d", index)), \(bind: application), call_id, \(bind: pair.lot),
                            \(bind: pair.organisation), (SELECT region_id FROM call_lots WHERE id = \(bind: pair.lot)), status, language, currency,
                            amount_minor_units, start_date, end_date, terms, version, sent_on, grantee_signed_on, programme_signed_on, status_reason,
                            created_by, created_at, updated_at
                        FROM grant_contracts WHERE id = \(bind: templateID)
                        """).run()
                    for (report, reportCopy) in copy.reports {
                        try await sql.raw("""
                            INSERT INTO contract_reports (id, contract_id, number, kind, period_end, due_date, remind_from, status, narrative,
                                submitted_on, submitted_by, reviewed_on, reviewed_by, review_comment, created_at, updated_at)
                            SELECT \(bind: reportCopy), \(bind: contract), number, kind, period_end, due_date, remind_from, status, narrative,
                                submitted_on, submitted_by, reviewed_on, reviewed_by, review_comment, created_at, updated_at
                            FROM contract_reports WHERE id = \(bind: report)
                            """).run()
                    }
                    for payment in payments {
                        try await sql.raw("""
                            INSERT INTO payment_requests (id, contract_id, tranche, kind, status, planned_minor_units, requested_minor_units, reduction,
                                requested_on, requested_by, checked_on, checked_by, approved_on, approved_by, paid_on, paid_minor_units, bank_reference,
                                paid_by, return_reason, created_at, updated_at)
                            SELECT \(bind: UUID()), \(bind: contract), tranche, kind, status, planned_minor_units, requested_minor_units, reduction,
                                requested_on, requested_by, checked_on, checked_by, approved_on, approved_by, paid_on, paid_minor_units, bank_reference,
                                paid_by, return_reason, created_at, updated_at
                            FROM payment_requests WHERE id = \(bind: payment)
                            """).run()
                    }
                }
            }
        }
        guard lines > 0, !firstReports.isEmpty else { return }
        let terms = try template.contractTerms()
        let start = template.start ?? TiranaTime.today(at: app.clock.now())
        let actor = template.createdBy
        let now = app.clock.now()
        var rows: [[SQLBind]] = []
        for index in 0..<lines {
            let (contract, report) = firstReports[index % firstReports.count]
            let line = index % max(1, terms.budget.count)
            let heading = terms.budget.indices.contains(line) ? terms.budget[line].heading.rawValue : BudgetHeading.humanResources.rawValue
            let amount = Int64(1_000 + index % 50_000)
            rows.append([SQLBind(UUID()), SQLBind(report), SQLBind(contract), SQLBind(line), SQLBind(heading),
                         SQLBind(start.adding(days: index % 300).description), SQLBind(suppliers[index % suppliers.count]), SQLBind("Faturë \(index)"),
                         SQLBind(amount), SQLBind(template.currency), SQLBind(Int64(10_000)), SQLBind(String?.none), SQLBind(amount), SQLBind(String?.none),
                         SQLBind(actor), SQLBind(now)])
            if rows.count == 500 || index == lines - 1 {
                try await sql.insert(into: "expenditure_lines").columns(
                    "id", "report_id", "contract_id", "budget_line", "heading", "spent_on", "supplier", "description", "original_minor_units",
                    "currency", "rate", "rate_source", "minor_units", "comment", "created_by", "created_at").bulk(rows).run()
                rows.removeAll(keepingCapacity: true)
            }
        }
    }

    static let suppliers = ["Trajnere e jashtme", "Furgon Kukës", "Shtypshkronja Dibra", "Kafe Sarandë", "Qiraja e sallës", "Materiale zyre"]
}
