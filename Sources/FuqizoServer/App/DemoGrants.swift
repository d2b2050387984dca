import Fluent
import Foundation
import FuqizoCore
import Vapor

/// Decided calls for the demo and the benchmark: applications submitted, checked, evaluated
/// by a committee, ranked, approved, decided and lettered — through the same services the
/// pages use, so the data is what the product would have made.
extension DemoData {
    static let projectTitles = [
        "Punë e qëndrueshme për gratë e mbijetuara", "Nga trajnimi te punësimi", "Biznese të vogla, jetë të pavarura",
        "Aftësi dixhitale për të mbijetuarat", "Rrjeti i punëdhënësve miqësorë", "Kuzhina sociale si shkollë pune",
        "Praktika profesionale në turizëm", "Artizanat dhe tregje lokale",
    ]
    static let texts = [
        "summary": "Projekti ofron trajnim profesional, praktika dhe ndërmjetësim pune për gra të mbijetuara në rajon.",
        "problem": "Gratë e mbijetuara të trafikimit dhe dhunës gjejnë rrallë punë të qëndrueshme për shkak të mungesës së aftësive dhe paragjykimeve.",
        "activities": "Vlerësim i aftësive; kurse 3-mujore; praktika me punëdhënës vendas; ndërmjetësim dhe ndjekje pas punësimit.",
        "workPlan": "Muajt 1–2 përzgjedhja; 3–5 trajnimi; 6–9 praktikat; 10–12 punësimi dhe ndjekja.",
        "partners": "Dhoma e Tregtisë dhe Industrisë; zyra vendore e punësimit.",
        "sustainability": "Marrëveshje me punëdhënësit dhe financim i bashkisë për vazhdimin e kurseve.",
    ]

    /// Runs a body with the demo's clock set back, so that calls can open, close and be
    /// decided in the past; the clock is put back afterwards.
    static func inThePast<T>(_ app: Application, days: Double, _ body: () async throws -> T) async throws -> T {
        let saved = app.clock.offsetSeconds
        app.clock.advance(by: -days * 86_400)
        // The body moves the clock on as the call's life goes; afterwards it is where it was.
        defer { app.clock.advance(by: saved - app.clock.offsetSeconds) }
        return try await body()
    }

    static func loadClosedCalls(app: Application, count: Int, applications total: Int, organisations: [UUID]) async throws {
        let users = try await User.query(on: app.db).filter(\.$email ~~ [
            "grantsofficer@demo.fuqizo.invalid", "programmemanager@demo.fuqizo.invalid", "evaluator@demo.fuqizo.invalid",
            "evaluator2@demo.fuqizo.invalid", "evaluator3@demo.fuqizo.invalid",
        ]).all()
        func id(_ name: String) -> UUID { users.first { $0.email.hasPrefix(name + "@") }!.id! }
        let officer = id("grantsofficer"), chair = id("programmemanager")
        let panel = ["evaluator", "evaluator2", "evaluator3"].map(id)
        let year = Calendar(identifier: .gregorian).component(.year, from: app.clock.now()) - 1
        for number in 0..<count {
            let share = total / count + (number < total % count ? 1 : 0)
            try await inThePast(app, days: 300) {
                try await loadClosedCall(app: app, reference: GrantReference.call(year: year, number: number + 1), applications: share,
                                         offset: number * share, organisations: organisations, officer: officer, chair: chair, panel: panel)
            }
        }
    }

    /// How far a demo call's life has gone: decided and lettered, in evaluation (the first
    /// evaluator's work half done), or closed with its submissions waiting for the checks.
    enum Progress {
        case decided, evaluating, awaitingChecks
    }

    /// Two calls in progress, so that the grants officer and an evaluator find work waiting:
    /// one in evaluation, one whose submissions wait for the opening checks.
    static func loadCallsInProgress(app: Application, applications: Int, organisations: [UUID]) async throws {
        let users = try await User.query(on: app.db).filter(\.$email ~~ [
            "grantsofficer@demo.fuqizo.invalid", "programmemanager@demo.fuqizo.invalid", "evaluator@demo.fuqizo.invalid",
            "evaluator2@demo.fuqizo.invalid", "evaluator3@demo.fuqizo.invalid",
        ]).all()
        func id(_ name: String) -> UUID { users.first { $0.email.hasPrefix(name + "@") }!.id! }
        let year = Calendar(identifier: .gregorian).component(.year, from: app.clock.now())
        for (number, progress) in [(2, Progress.evaluating), (3, .awaitingChecks)] {
            try await inThePast(app, days: progress == .evaluating ? 45 : 35) {
                try await loadClosedCall(app: app, reference: GrantReference.call(year: year, number: number), applications: applications,
                                         offset: number, organisations: organisations, officer: id("grantsofficer"), chair: id("programmemanager"),
                                         panel: ["evaluator", "evaluator2", "evaluator3"].map(id), progress: progress)
            }
        }
    }

    static func loadClosedCall(app: Application, reference: String, applications: Int, offset: Int, organisations: [UUID],
                               officer: UUID, chair: UUID, panel: [UUID], progress: Progress = .decided) async throws {
        let now = app.clock.now()
        func day(_ offset: Int) -> String { TiranaTime.parts(of: now.addingTimeInterval(Double(offset) * 86_400)).date }
        var form = CallForm()
        form.reference = reference
        form.stages = CallStages.single.rawValue
        form.titleSq = progress == .decided ? "Mbështetje për punësimin e të mbijetuarave (demo, e mbyllur)"
            : "Vetëpunësim dhe biznese të vogla për të mbijetuarat (demo, në vlerësim)"
        form.titleEn = progress == .decided ? "Support for survivors' employment (demo, closed)"
            : "Self-employment and small businesses for survivors (demo, in evaluation)"
        form.summarySq = "Thirrje e mbyllur me vendim dhe letra, për të parë ciklin e plotë."
        form.summaryEn = "A closed call with its decision and letters, to show the whole cycle."
        form.eligibleApplicants = "Shoqata, fondacione dhe qendra të regjistruara në Shqipëri"
        form.eligibleActivities = "Formim profesional\nNdërmjetësim punësimi"
        form.eligibleApplicantsEn = "Associations, foundations and centres registered in Albania"
        form.eligibleActivitiesEn = "Vocational training\nJob placement"
        form.questionsDate = day(10)
        form.fullDate = day(30)
        form.lots = try await GeographyDirectory.load(on: app.db).regions.map {
            LotForm(regionID: $0.id.uuidString, nameSq: $0.nameSq, nameEn: $0.nameEn, envelope: "100000")
        }
        let calls = CallService(database: app.db, services: app.services)
        guard case .success(let callID) = try await calls.save(form, id: nil, actor: officer) else { return }
        try await calls.publish(callID, actor: officer)
        let call = try await calls.find(callID)
        let lots = call.lots.sorted { $0.position < $1.position }
        let service = ApplicationService(database: app.db, services: app.services)
        var submitted: [GrantApplication] = []
        for index in 0..<applications {
            let organisation = organisations[(offset + index) % organisations.count]
            let lot = lots[index % lots.count]
            let id = try await service.start(callID: callID, lotID: lot.id!, organisationID: organisation, language: index % 5 == 4 ? .en : .sq,
                                             actor: officer)
            let application = try await service.find(id)
            guard application.status == .draft else { continue }
            var content = ApplicationContent()
            content.title = projectTitles[(offset + index) % projectTitles.count]
            content.summary = texts["summary"]!
            content.problem = texts["problem"]!
            content.activities = texts["activities"]!
            content.workPlan = texts["workPlan"]!
            content.partners = texts["partners"]!
            content.sustainability = texts["sustainability"]!
            content.objective = "Gra të mbijetuara në punë të qëndrueshme pas 12 muajsh."
            let women = 20 + (index * 7) % 40
            content.results = [
                .init(result: "Gra të trajnuara", indicator: "Numri i grave me certifikatë", baseline: "0", target: String(women)),
                .init(result: "Gra në punë", indicator: "Numri i grave të punësuara pas 6 muajsh", baseline: "0", target: String(women / 2)),
            ]
            let requested = [25_000, 32_000, 40_000, 48_000, 55_000, 60_000][(offset + index) % 6]
            let staff = requested * 7 / 10, travel = requested / 10, indirect = (staff + travel) * 6 / 100
            content.lines = [
                .init(heading: BudgetHeading.humanResources.rawValue, description: "Trajnerë dhe koordinatore", units: "12", unitCost: String(staff / 12)),
                .init(heading: BudgetHeading.travel.rawValue, description: "Udhëtime në zonat rurale", units: "10", unitCost: String(travel / 10)),
                .init(heading: BudgetHeading.equipment.rawValue, description: "Materiale trajnimi", units: "1", unitCost: String(requested * 3 / 10)),
                .init(heading: BudgetHeading.indirect.rawValue, description: "Shpenzime administrative", units: "1", unitCost: String(indirect)),
            ]
            content.requested = String(requested)
            if case .success = try await service.submit(application, content: content, revision: application.revision, actor: officer, mailTo: nil) {
                submitted.append(try await service.find(id))
            }
        }
        guard progress != .awaitingChecks else { return }
        // The opening session and the eligibility check: one application in eight lacks the signed declaration.
        let evaluation = EvaluationService(database: app.db, services: app.services)
        for (index, application) in submitted.enumerated() {
            let items = CheckKind.administrative.items(at: .full)
            var answers = Dictionary(uniqueKeysWithValues: items.map { ($0, "yes") })
            var reasons: [String: String] = [:]
            if index % 8 == 7 {
                answers["declaration"] = "no"
                reasons["declaration"] = "Deklarata e aplikantit nuk është e nënshkruar nga përfaqësuesi ligjor."
            }
            _ = try await evaluation.record(.administrative, of: application, form: CheckForm(answers: answers, reasons: reasons), actor: officer)
            guard index % 8 != 7 else { continue }
            let eligibility = CheckKind.eligibility.items(at: .full)
            _ = try await evaluation.record(.eligibility, of: try await service.find(application.id!),
                                            form: CheckForm(answers: Dictionary(uniqueKeysWithValues: eligibility.map { ($0, "yes") })), actor: officer)
        }
        _ = try await evaluation.setCommittee(callID: callID, chair: chair, secretary: officer, evaluators: panel, actor: officer)
        app.clock.advance(by: 31 * 86_400)
        guard case .success = try await evaluation.start(callID: callID, stage: .full, actor: officer) else { return }
        let grid = try EvaluationService.grid(of: call, .full)
        if progress == .evaluating {
            // The first evaluator has declared and half-scored one application; the rest of theirs
            // wait. The others have done their part.
            let open = try await EvaluationAssignment.query(on: app.db).join(GrantApplication.self, on: \EvaluationAssignment.$application.$id == \GrantApplication.$id)
                .filter(GrantApplication.self, \.$call.$id == callID).filter(\.$status == .assigned).sort(\.$createdAt).all()
            var started = false
            for assignment in open {
                let mine = assignment.$evaluator.id == panel[0]
                if mine && started { continue }
                try await evaluation.declare(assignment, conflict: false, reason: "", actor: assignment.$evaluator.id)
                var card = Scorecard()
                for (position, criterion) in grid.scoredCriteria.enumerated() where !mine || position % 2 == 0 {
                    card.scores[criterion.code] = 2 + (position + assignment.position) % 4
                    card.comments[criterion.code] = "Vlerësim i argumentuar për kriterin \(criterion.code)."
                }
                if let declared = try await EvaluationAssignment.find(assignment.id!, on: app.db) {
                    _ = try await evaluation.score(declared, card: card, submit: !mine, actor: assignment.$evaluator.id)
                }
                if mine { started = true }
            }
            return
        }
        var conflictDeclared = false
        func scoreOpenAssignments() async throws {
            let open = try await EvaluationAssignment.query(on: app.db).join(GrantApplication.self, on: \EvaluationAssignment.$application.$id == \GrantApplication.$id)
                .filter(GrantApplication.self, \.$call.$id == callID).filter(\.$status == .assigned).all()
            for assignment in open {
                if !conflictDeclared {
                    // One evaluator knows an applicant: the conflict is declared and someone else evaluates.
                    conflictDeclared = true
                    try await evaluation.declare(assignment, conflict: true, reason: "Kam qenë anëtare e bordit të kësaj organizate.",
                                                 actor: assignment.$evaluator.id)
                    let application = try await service.find(assignment.$application.id)
                    _ = try await evaluation.addEvaluator(to: application, stage: .full, evaluator: nil, actor: officer)
                    continue
                }
                try await evaluation.declare(assignment, conflict: false, reason: "", actor: assignment.$evaluator.id)
                var card = Scorecard()
                let seed = assignment.$application.id.uuidString.utf8.reduce(0) { ($0 + Int($1)) % 97 }
                for (position, criterion) in grid.scoredCriteria.enumerated() {
                    card.scores[criterion.code] = 2 + (seed + position + assignment.position) % 4
                    card.comments[criterion.code] = "Vlerësim i argumentuar për kriterin \(criterion.code)."
                }
                if let declared = try await EvaluationAssignment.find(assignment.id!, on: app.db) {
                    _ = try await evaluation.score(declared, card: card, submit: true, actor: assignment.$evaluator.id)
                }
            }
        }
        try await scoreOpenAssignments()
        try await scoreOpenAssignments()
        // Diverging scores get a further evaluator.
        for application in submitted {
            let assignments = try await evaluation.assignments(of: application.id!, at: .full)
            if evaluation.standing(assignments, call: call).needsFurtherEvaluator {
                _ = try await evaluation.addEvaluator(to: application, stage: .full, evaluator: nil, actor: officer)
            }
        }
        try await scoreOpenAssignments()
        let decisions = DecisionService(database: app.db, services: app.services)
        guard try await decisions.ranking(callID: callID, stage: .full).isComplete else { return }
        try await decisions.approve(callID: callID, stage: .full, actor: chair)
        _ = try await decisions.decide(callID: callID, stage: .full, date: TiranaTime.parts(of: app.clock.now()).date, actor: officer)
        _ = try await decisions.sendLetters(callID: callID, actor: officer)
    }
}
