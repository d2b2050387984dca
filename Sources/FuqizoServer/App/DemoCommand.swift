import Fluent
import Foundation
import FuqizoCore
import Vapor

/// `fuqizo demo`: loads a clearly fictional dataset — about 40 CSOs over the four programme
/// regions and one user per role — and prints each user's random password once.
struct DemoCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "organisations", help: "How many fictional CSOs to load (default 40; the benchmark loads 2000).")
        var organisations: Int?
        @Option(name: "closed-calls", help: "How many closed, decided calls to load (default 1; the benchmark loads 20).")
        var closedCalls: Int?
        @Option(name: "calls-in-progress", help: "Calls in evaluation and awaiting checks, so grant work waits on home pages: 1 (default) or 0.")
        var callsInProgress: Int?
        @Option(name: "applications", help: "How many applications the closed calls receive in all (default 16).")
        var applications: Int?
        @Option(name: "survivors", help: "How many fictional survivor records to load (default 300).")
        var survivors: Int?
        @Option(name: "bulk-survivors", help: "For the benchmark: further survivors of the first CSO, loaded in bulk (default 0).")
        var bulkSurvivors: Int?
        @Option(name: "attendances", help: "For the benchmark: Club attendances of the bulk survivors (default 0).")
        var attendances: Int?
        @Option(name: "bulk-contracts", help: "For the benchmark: further contracts, copies of a running demo contract for other CSOs (default 0).")
        var bulkContracts: Int?
        @Option(name: "expenditure-lines", help: "For the benchmark: expenditure lines spread over the bulk contracts' first reports (default 0).")
        var expenditureLines: Int?
        @Option(name: "bulk-events", help: "For the benchmark: further capacity-building events over three years, loaded in bulk (default 0).")
        var bulkEvents: Int?
        @Option(name: "registrations", help: "For the benchmark: registrations to the bulk events, of twenty new people per CSO (default 0).")
        var registrations: Int?
        @Flag(name: "bench-sessions", help: "For the benchmark and the kill test: print signed-in session tokens of the demo's staff and a CSO user.")
        var benchSessions: Bool
    }

    var help: String { "Loads a fictional demo dataset and prints one sign-in per role." }

    static let marker = "demo_loaded"

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        if try await SystemValue.find(Self.marker, on: app.db) != nil {
            context.console.error("The demo dataset is already loaded in this database.")
            throw ExitCode(1)
        }
        let count = signature.organisations ?? 40
        guard (1...100_000).contains(count) else {
            context.console.error("--organisations takes a number from 1 to 100000.")
            throw ExitCode(2)
        }
        let closedCalls = signature.closedCalls ?? 1, applications = signature.applications ?? 16
        let survivors = signature.survivors ?? 300
        guard (0...100).contains(closedCalls), (0...100_000).contains(applications), (0...10_000).contains(survivors) else {
            context.console.error("--closed-calls takes 0 to 100, --applications 0 to 100000, --survivors 0 to 10000.")
            throw ExitCode(2)
        }
        let organisations = try await DemoData.loadOrganisations(app: app, count: count)
        let accounts = try await DemoData.loadUsers(app: app, organisations: organisations)
        try await DemoData.loadOpenCall(app: app)
        // The calls in progress come first: the decided calls end by queuing letters, which a
        // running server starts sending at once, and SQLite refuses a transaction that read
        // before such a write and then writes itself ("busy in snapshot").
        if (signature.callsInProgress ?? 1) > 0 {
            try await DemoData.loadCallsInProgress(app: app, applications: 6, organisations: organisations)
        }
        if closedCalls > 0 {
            try await DemoData.loadClosedCalls(app: app, count: closedCalls, applications: applications, organisations: organisations)
            try await DemoData.loadContracts(app: app)
            let contracts = signature.bulkContracts ?? 0, lines = signature.expenditureLines ?? 0
            guard (0...100_000).contains(contracts), (0...10_000_000).contains(lines), lines == 0 || contracts > 0 else {
                context.console.error("--bulk-contracts takes 0 to 100000; --expenditure-lines 0 to 10000000 and needs bulk contracts.")
                throw ExitCode(2)
            }
            try await DemoData.loadBulkContracts(app: app, count: contracts, lines: lines, organisations: organisations)
        }
        try await DemoData.loadSurvivors(app: app, count: survivors, organisations: organisations)
        try await DemoData.loadCapacity(app: app, organisations: organisations)
        try await DemoData.loadCsoPeople(app: app, organisations: organisations)
        try await DemoData.loadEvents(app: app, organisations: organisations)
        try await DemoData.loadCampaigns(app: app)
        try await DemoData.loadArticles(app: app)
        try await DemoData.loadLibrary(app: app)
        try await DemoData.loadMonitoring(app: app)
        let events = signature.bulkEvents ?? 0, registrations = signature.registrations ?? 0
        guard (0...100_000).contains(events), (0...10_000_000).contains(registrations), registrations == 0 || events > 0,
              registrations <= organisations.count * 20 * events else {
            context.console.error("--bulk-events takes 0 to 100000; --registrations needs bulk events, and at most twenty people per CSO per event.")
            throw ExitCode(2)
        }
        try await DemoData.loadBulkEvents(app: app, events: events, registrations: registrations, organisations: organisations)
        let bulk = signature.bulkSurvivors ?? 0, attendances = signature.attendances ?? 0
        guard (0...1_000_000).contains(bulk), (0...50_000_000).contains(attendances), attendances == 0 || bulk > 0 else {
            context.console.error("--bulk-survivors takes 0 to 1000000; --attendances needs bulk survivors.")
            throw ExitCode(2)
        }
        try await DemoData.loadBulkSurvivors(app: app, count: bulk, attendances: attendances, organisations: organisations)
        try await SystemValue(id: Self.marker, value: ISO8601DateFormatter().string(from: app.clock.now())).create(on: app.db)
        context.console.print("Demo data loaded: \(organisations.count) fictional organisations, an open call, "
            + "\(closedCalls) decided call(s) with \(applications) applications, \(survivors) fictional survivor records.")
        context.console.print("Sign in at \(app.services.config.publicURL)/sign-in with (shown once, keep them safe):")
        for account in accounts {
            context.console.print("  \(account.role.rawValue.padding(toLength: 22, withPad: " ", startingAt: 0)) \(account.email)  \(account.password)")
        }
        context.console.print("Administrators, finance officers, case workers and club facilitators set up two-factor sign-in at their first sign-in.")
        if signature.benchSessions {
            for (role, token) in try await DemoData.benchSessions(app: app, organisations: organisations) {
                context.console.print("  session \(role.rawValue) \(token)")
            }
        }
    }
}

enum DemoData {
    static let prefixes = ["Shoqata", "Qendra", "Fondacioni", "Rrjeti", "Forumi"]
    static let themes = ["Zëri i Grave", "Hapa të Rinj", "Dora e Ndihmës", "Shpresa", "Ura", "Drita", "Fillim i Ri",
                         "Krah për Krah", "Rruga e Pavarësisë", "Zgjimi", "Mirëbesimi", "Horizonte"]

    /// A NUIS of the right shape, unique within the run.
    static func registrationNumber(_ index: Int) -> String {
        let letters = Array("JKLM")
        return "\(letters[index % 4])\(String(format: "%08d", 90_000_000 + index))D"
    }

    static func loadOrganisations(app: Application, count: Int, actor: UUID? = nil) async throws -> [UUID] {
        let geography = try await GeographyDirectory.load(on: app.db)
        let regionPlaces = geography.regions.map { Array($0.municipalityIDs).sorted { $0.uuidString < $1.uuidString } }
        let forms: [LegalForm] = [.association, .association, .foundation, .centre]
        return try await app.db.writeTransaction { db -> [UUID] in
            var ids: [UUID] = []
            for index in 0..<count {
                let places = regionPlaces[index % regionPlaces.count]
                let theme = themes[index % themes.count]
                let prefix = prefixes[(index / themes.count + index) % prefixes.count]
                let draft = OrganisationDraft(
                    nameSq: "\(prefix) \(theme) \(index + 1) (demo)", nameEn: "\(theme) \(prefix) \(index + 1) (demo)",
                    legalForm: forms[index % forms.count], registrationNumber: registrationNumber(index),
                    foundingYear: 1995 + index % 25, municipalityID: places[index % places.count],
                    focusAreas: [FocusArea.allCases[index % FocusArea.allCases.count], .economicEmpowerment].uniqued(),
                    email: "info\(index + 1)@demo.fuqizo.invalid", phone: "+355 6\(index % 10) 000 \(String(format: "%04d", index))",
                    address: "Rruga Demo \(index + 1)", website: nil, contactPerson: nil,
                    staffCount: 2 + index % 15, volunteerCount: 5 + index % 40, status: index % 9 == 8 ? .inactive : .active,
                    bankName: "Banka Demo", iban: nil, accountHolder: nil)
                let organisation = Organisation()
                _ = OrganisationService.apply(draft, to: organisation)
                try await organisation.create(on: db)
                let id = try organisation.requireID()
                for area in draft.focusAreas { try await OrganisationFocusArea(organisationID: id, area: area).create(on: db) }
                ids.append(id)
            }
            try await app.services.audit.record(.init("demo.organisationsLoaded", details: ["count": String(count)]), actor: actor, at: app.clock.now(), on: db)
            return ids
        }
    }

    struct Account {
        let role: Role
        let email: String
        let password: String
    }

    /// One user per role, and the extra people a call needs: three voting evaluators and
    /// users of three different CSOs.
    static func loadUsers(app: Application, organisations: [UUID]) async throws -> [Account] {
        var accounts: [Account] = []
        var people: [(Role, String, UUID?)] = Role.allCases.map { ($0, $0.rawValue.lowercased(), organisations.first) }
        people += [(.evaluator, "evaluator2", nil), (.evaluator, "evaluator3", nil)]
        people += organisations.dropFirst().prefix(2).enumerated().map { (.csoUser, "csouser\($0.offset + 2)", $0.element) }
        // A case worker of the second organisation, which receives the demo's referrals.
        people += organisations.dropFirst().prefix(1).map { (.caseWorker, "caseworker2", $0) }
        for (role, name, organisation) in people {
            let email = "\(name)@demo.fuqizo.invalid"
            let password = SecretToken.generate(byteCount: 12)
            let hash = try await app.passwordHasher.hash(password)
            try await app.db.writeTransaction { db in
                let user = User(email: email, displayName: "Demo \(name)", language: .default)
                user.passwordHash = hash
                try await user.create(on: db)
                let id = try user.requireID()
                try await RoleAssignment(userID: id, grant: RoleGrant(role: role, organisationID: organisation)).create(on: db)
                try await app.services.audit.record(.init("demo.userCreated", target: ("user", id.uuidString), details: ["role": role.rawValue]),
                                          actor: nil, at: app.clock.now(), on: db)
            }
            accounts.append(Account(role: role, email: email, password: password))
        }
        return accounts
    }
}

extension DemoData {
    /// An open two-stage call with one lot per region, deadlines a few months ahead.
    static func loadOpenCall(app: Application) async throws {
        let now = app.clock.now()
        let year = Calendar(identifier: .gregorian).component(.year, from: now)
        func day(_ offset: Int) -> String { TiranaTime.parts(of: now.addingTimeInterval(Double(offset) * 86_400)).date }
        var form = CallForm()
        form.reference = GrantReference.call(year: year, number: 1)
        form.titleSq = "Fuqizimi ekonomik i të mbijetuarave të trafikimit dhe dhunës (demo)"
        form.titleEn = "Economic empowerment of survivors of trafficking and violence (demo)"
        form.summarySq = "Grante për OSHC-të që mbështesin të mbijetuarat drejt punësimit në Tiranë, Kukës, Dibër dhe Sarandë."
        form.summaryEn = "Grants for CSOs that support survivors into work in Tirana, Kukës, Dibër and Saranda."
        form.eligibleApplicants = "Shoqata, fondacione dhe qendra të regjistruara në Shqipëri\nAktive në rajonin e lotit prej të paktën një viti"
        form.eligibleActivities = "Formim profesional dhe gatishmëri për punë\nNdërmjetësim punësimi dhe ndjekje\nMbështetje për vetëpunësim"
        form.eligibleApplicantsEn = "Associations, foundations and centres registered in Albania\nActive in the lot's region for at least a year"
        form.eligibleActivitiesEn = "Vocational training and job readiness\nJob placement and follow-up\nSupport for self-employment"
        form.questionsDate = day(30)
        form.conceptDate = day(45)
        form.fullDate = day(120)
        form.lots = try await GeographyDirectory.load(on: app.db).regions.map {
            LotForm(regionID: $0.id.uuidString, nameSq: $0.nameSq, nameEn: $0.nameEn, envelope: "150000")
        }
        let service = CallService(database: app.db, services: app.services)
        guard case .success(let id) = try await service.save(form, id: nil, actor: UUID()) else { return }
        try await service.publish(id, actor: UUID())
    }
}

extension Array where Element: Hashable {
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
