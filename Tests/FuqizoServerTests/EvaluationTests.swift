import Fluent
import Foundation
@testable import FuqizoCore
@testable import FuqizoServer
import Testing
import Vapor
import VaporTesting

@Suite("Checks, evaluation, ranking and decision")
struct EvaluationTests {
    struct Submitted {
        let application: GrantApplication
        let user: User
    }

    /// A CSO that applied to a lot and submitted; returns the stored application.
    func submitted(_ app: Application, call: GrantCall, lot position: Int = 1, name: String, requested: String,
                   language: Language = .sq) async throws -> Submitted {
        let organisation = try await TestFixtures.organisation(app, name: name)
        let user = try await TestFixtures.user(app, grants: [RoleGrant(role: .csoUser, organisationID: organisation.id)])
        let service = ApplicationService(database: app.db, services: app.services)
        let lot = try #require(call.lots.first { $0.position == position })
        let id = try await service.start(callID: call.id!, lotID: lot.id!, organisationID: organisation.id!, language: language, actor: user.id!)
        var content = ApplicationContent()
        for (name, value) in ApplicationTests.fullFields where !name.contains("[") {
            switch name {
            case "title": content.title = "\(value) (\(organisation.nameSq))"
            case "summary": content.summary = value
            case "problem": content.problem = value
            case "activities": content.activities = value
            case "workPlan": content.workPlan = value
            case "partners": content.partners = value
            case "sustainability": content.sustainability = value
            case "objective": content.objective = value
            default: break
            }
        }
        content.results = [.init(result: "Trajnim", indicator: "Gra të certifikuara", baseline: "0", target: "40")]
        let requestedUnits = Int64(requested)!
        content.lines = [.init(heading: "humanResources", description: "Staf", units: "1", unitCost: String(requestedUnits * 10 / 9 + 1))]
        content.requested = requested
        let application = try await service.find(id)
        let result = try await service.submit(application, content: content, revision: application.revision, actor: user.id!, mailTo: user.email)
        guard case .success = result else { Issue.record("not submitted: \(result)"); throw Abort(.internalServerError) }
        return Submitted(application: try await service.find(id), user: user)
    }

    func passChecks(_ app: Application, _ application: GrantApplication, officer: UUID) async throws {
        let service = EvaluationService(database: app.db, services: app.services)
        for kind in CheckKind.allCases {
            let items = kind.items(at: application.stage)
            let form = CheckForm(answers: Dictionary(uniqueKeysWithValues: items.map { ($0, "yes") }))
            _ = try await service.record(kind, of: try await ApplicationService(database: app.db, services: app.services).find(application.id!),
                                         form: form, actor: officer)
        }
    }

    func person(_ app: Application, _ role: Role, name: String) async throws -> User {
        let user = try await TestFixtures.user(app, grants: [RoleGrant(role: role)])
        user.displayName = name
        try await user.save(on: app.db)
        return user
    }

    func browser(_ app: Application, _ user: User) async throws -> Browser {
        Browser(app, session: try await TestFixtures.session(app, for: user))
    }

    static func card(_ grid: EvaluationGrid, score: Int) -> Scorecard {
        var card = Scorecard()
        for criterion in grid.scoredCriteria {
            card.scores[criterion.code] = score
            card.comments[criterion.code] = "Arsyetim për \(criterion.code)."
        }
        return card
    }

    @Test("checks: every no needs a reason; a failed check rejects; eligibility only after the administrative check")
    func checks() async throws {
        try await withFuqizo { app in
            let call = try await TestFixtures.publishedCall(app, stages: .single)
            let one = try await submitted(app, call: call, name: "Shoqata Një", requested: "40000")
            let officer = try await person(app, .grantsOfficer, name: "Zyrtarja")
            let browser = try await browser(app, officer)
            let path = "/grants/applications/\(one.application.id!.uuidString)"
            var page = try await browser.get(path).body.string
            #expect(page.contains("answers[deadline]") && page.contains(one.application.reference!))
            // Eligibility before the administrative check is refused.
            #expect(try await browser.post("\(path)/checks/eligibility", [("answers[applicant]", "yes")]).status == .conflict)
            try await browser.get(path)
            var fields = CheckKind.administrative.items(at: .full).map { ("answers[\($0)]", "yes") }
            fields[3] = ("answers[declaration]", "no")
            var response = try await browser.post("\(path)/checks/administrative", fields)
            #expect(response.status == .badRequest)
            #expect(response.body.string.contains(app.services.catalog.text("check.error.reason", .sq)))
            // A failing check rejects: first the officer is told so, with the reasons, and nothing is recorded yet.
            let failing = fields + [("reasons[declaration]", "Deklarata pa nënshkrim.")]
            response = try await browser.post("\(path)/checks/administrative", failing)
            #expect(response.status == .ok)
            #expect(response.body.string.contains(app.services.catalog.text("check.reject.confirmTitle", .sq)))
            #expect(response.body.string.contains("Deklarata pa nënshkrim.") && response.body.string.contains(#"name="answers[declaration]" value="no""#))
            #expect(try #require(try await GrantApplication.find(one.application.id!, on: app.db)).status == .submitted)
            response = try await browser.post("\(path)/checks/administrative", failing + [("confirmed", "yes")])
            #expect(response.status == .seeOther)
            let stored = try #require(try await GrantApplication.find(one.application.id!, on: app.db))
            #expect(stored.status == .rejected)
            page = try await browser.get(path).body.string
            #expect(page.contains("Deklarata pa nënshkrim."))
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "application.checked").count() == 1)
        }
    }

    @Test("the whole cycle: an even panel is refused, declarations before anything, conflicts reassigned, divergence, ranking with reserve, chair approval, decision, letters, withdrawal")
    func cycle() async throws {
        try await withFuqizo { app in
            let call = try await TestFixtures.publishedCall(app, stages: .single)
            // Kukës: envelope 150,000. A 60k, B 60k, C 50k, D 20k, E below the threshold.
            let a = try await submitted(app, call: call, name: "Shoqata A", requested: "60000")
            let b = try await submitted(app, call: call, name: "Shoqata B", requested: "60000", language: .en)
            let c = try await submitted(app, call: call, name: "Shoqata C", requested: "50000")
            let d = try await submitted(app, call: call, name: "Shoqata D", requested: "20000")
            let officer = try await person(app, .grantsOfficer, name: "Zyrtarja")
            let chair = try await person(app, .programmeManager, name: "Kryetarja")
            let secretary = try await person(app, .grantsOfficer, name: "Sekretarja")
            let evaluators = [try await person(app, .evaluator, name: "Vlerësuesja 1"), try await person(app, .evaluator, name: "Vlerësuesi 2"),
                              try await person(app, .evaluator, name: "Vlerësuesja 3")]
            for application in [a, b, c, d] { try await passChecks(app, application.application, officer: officer.id!) }
            let service = EvaluationService(database: app.db, services: app.services)

            // An even panel: saved, but the evaluation does not start.
            _ = try await service.setCommittee(callID: call.id!, chair: chair.id!, secretary: secretary.id!,
                                               evaluators: evaluators.prefix(2).map { $0.id! }, actor: officer.id!)
            app.clock.advance(by: 41 * 86_400)
            let officerBrowser = try await browser(app, officer)
            // The page says so before anyone tries: the button is disabled, with the reason beside it.
            let blocked = try await officerBrowser.get("/grants/calls/\(call.id!.uuidString)/committee").body.string
            #expect(blocked.contains(#"<button type="button" disabled aria-describedby="start-full-why">"#))
            #expect(blocked.contains(app.services.catalog.text("evaluation.error.panel", .sq)) && !blocked.contains("/evaluation/full/start"))
            var response = try await officerBrowser.post("/grants/calls/\(call.id!.uuidString)/evaluation/full/start")
            #expect(response.status == .conflict)
            #expect(response.body.string.contains(app.services.catalog.text("committee.problem.even", .sq)))
            #expect(try await service.round(call.id!, .full) == nil)
            // A chair cannot vote.
            try await officerBrowser.get("/grants/calls/\(call.id!.uuidString)/committee")
            response = try await officerBrowser.post("/grants/calls/\(call.id!.uuidString)/committee", [
                ("chair", chair.id!.uuidString), ("secretary", secretary.id!.uuidString), ("evaluators[]", chair.id!.uuidString),
            ])
            #expect(response.status == .badRequest)
            try await officerBrowser.post("/grants/calls/\(call.id!.uuidString)/committee", [
                ("chair", chair.id!.uuidString), ("secretary", secretary.id!.uuidString),
            ] + evaluators.map { ("evaluators[]", $0.id!.uuidString) })
            #expect(try await officerBrowser.get("/grants/calls/\(call.id!.uuidString)/committee").body.string.contains("/evaluation/full/start"))
            response = try await officerBrowser.post("/grants/calls/\(call.id!.uuidString)/evaluation/full/start")
            #expect(response.status == .seeOther)
            let assignments = try await EvaluationAssignment.query(on: app.db).all()
            #expect(assignments.count == 8)
            #expect(Set(Dictionary(grouping: assignments, by: { $0.$evaluator.id }).values.map(\.count)).isSubset(of: [2, 3]))

            // Before the declaration, an evaluator sees nothing of the application.
            let first = try #require(assignments.first { $0.$application.id == a.application.id })
            let evaluator = try #require(evaluators.first { $0.id == first.$evaluator.id })
            let evaluatorBrowser = try await browser(app, evaluator)
            var page = try await evaluatorBrowser.get("/evaluation").body.string
            #expect(!page.contains(a.application.reference!) && !page.contains("Shoqata A"))
            page = try await evaluatorBrowser.get("/evaluation/\(first.id!.uuidString)").body.string
            #expect(page.contains("answer") && !page.contains("Punë për gratë") && !page.contains("Shoqata A"))
            response = try await evaluatorBrowser.post("/evaluation/\(first.id!.uuidString)", [("intent", "save"), ("score-C.1", "5")])
            #expect(response.status == .forbidden)
            // Someone else's assignment does not exist for them.
            let others = assignments.first { $0.$evaluator.id != evaluator.id! }!
            #expect(try await evaluatorBrowser.get("/evaluation/\(others.id!.uuidString)").status == .notFound)

            // A declared conflict removes the assignment; the officer assigns someone else.
            try await evaluatorBrowser.get("/evaluation/\(first.id!.uuidString)")
            response = try await evaluatorBrowser.post("/evaluation/\(first.id!.uuidString)/declaration", [("answer", "conflict"), ("reason", "Kam punuar atje.")])
            #expect(response.status == .seeOther)
            page = try await officerBrowser.get("/grants/applications/\(a.application.id!.uuidString)").body.string
            #expect(page.contains(app.services.catalog.text("evaluation.needsEvaluator", .sq)))
            response = try await officerBrowser.post("/grants/applications/\(a.application.id!.uuidString)/evaluators", [("evaluator", "")])
            #expect(response.status == .seeOther)
            let forA = try await service.assignments(of: a.application.id!, at: .full)
            #expect(forA.count == 3 && forA.filter { $0.status != .conflict }.count == 2)
            #expect(!forA.contains { $0.status != .conflict && $0.$evaluator.id == evaluator.id! })

            // Scoring: an incomplete grid is refused; scores per application chosen so that B diverges.
            let grid = try EvaluationService.grid(of: call, .full)
            let plannedScores: [UUID: [Int]] = [a.application.id!: [5, 5], b.application.id!: [5, 3], c.application.id!: [4, 4], d.application.id!: [4, 3]]
            let active = try await EvaluationAssignment.query(on: app.db).filter(\.$status != .conflict).sort(\.$position).all()
            var firstScored: EvaluationAssignment?
            for row in active {
                let who = try #require(evaluators.first { $0.id == row.$evaluator.id })
                let whoBrowser = try await browser(app, who)
                try await whoBrowser.get("/evaluation/\(row.id!.uuidString)")
                try await whoBrowser.post("/evaluation/\(row.id!.uuidString)/declaration", [("answer", "impartial")])
                page = try await whoBrowser.get("/evaluation/\(row.id!.uuidString)").body.string
                #expect(page.contains("Punë për gratë"), "after the declaration the application is shown")
                if let firstScored, firstScored.$application.id == row.$application.id {
                    #expect(!page.contains(String(format: "%.2f", firstScored.total ?? -1)), "another evaluator's total is never shown")
                }
                if firstScored == nil {
                    response = try await whoBrowser.post("/evaluation/\(row.id!.uuidString)", [("intent", "submit"), ("score-C.1", "4"), ("comment-C.1", "")])
                    #expect(response.status == .unprocessableEntity)
                    #expect(response.body.string.contains(app.services.catalog.text("evaluation.error.commentMissing", .sq)))
                    #expect(try await EvaluationAssignment.find(row.id!, on: app.db)?.status == .declared)
                }
                let position = row.position - 1 - (row.$application.id == a.application.id ? 1 : 0)
                let score = plannedScores[row.$application.id]![max(0, min(1, position))]
                let card = Self.card(grid, score: score)
                var fields: [(String, String)] = [("intent", "submit")]
                for (code, value) in card.scores { fields.append(("score-\(code)", String(value))) }
                for (code, value) in card.comments { fields.append(("comment-\(code)", value)) }
                response = try await whoBrowser.post("/evaluation/\(row.id!.uuidString)", fields)
                #expect(response.status == .seeOther)
                if firstScored == nil { firstScored = try await EvaluationAssignment.find(row.id!, on: app.db) }
            }
            // B: 100 against 60 differs by 40 % of 100: a further evaluator is asked for.
            var ranking = try await DecisionService(database: app.db, services: app.services).ranking(callID: call.id!, stage: .full)
            #expect(ranking.lots[0].pending.map(\.id) == [b.application.id!])
            page = try await officerBrowser.get("/grants/applications/\(b.application.id!.uuidString)").body.string
            #expect(page.contains(app.services.catalog.text("evaluation.divergence", .sq)))
            try await officerBrowser.post("/grants/applications/\(b.application.id!.uuidString)/evaluators", [("evaluator", "")])
            let third = try #require(try await service.assignments(of: b.application.id!, at: .full).first { $0.status == .assigned })
            try await service.declare(third, conflict: false, reason: "", actor: third.$evaluator.id)
            _ = try await service.score(try #require(try await EvaluationAssignment.find(third.id!, on: app.db)), card: Self.card(grid, score: 5),
                                        submit: true, actor: third.$evaluator.id)

            // The ranking: A 100, B 100 (closest pair 100/100), C 80, D 70. Envelope 150,000:
            // A and B take 120,000; C (50,000) does not fit and goes to the reserve; D (20,000) fits.
            ranking = try await DecisionService(database: app.db, services: app.services).ranking(callID: call.id!, stage: .full)
            let lot = ranking.lots[0]
            #expect(ranking.isComplete)
            #expect(lot.result.awarded.map(\.candidate.id) == [a, b, d].map { $0.application.id!.uuidString }
                || lot.result.awarded.map(\.candidate.id) == [b, a, d].map { $0.application.id!.uuidString })
            #expect(lot.result.reserve.map(\.candidate.id) == [c.application.id!.uuidString])

            // Only the chair approves.
            let rankingPath = "/grants/calls/\(call.id!.uuidString)/ranking/full"
            try await officerBrowser.get(rankingPath)
            #expect(try await officerBrowser.post("\(rankingPath)/approve").status == .forbidden)
            let chairBrowser = try await browser(app, chair)
            page = try await chairBrowser.get(rankingPath).body.string
            #expect(page.contains(app.services.catalog.text("ranking.approve", .sq)))
            #expect(try await chairBrowser.post("\(rankingPath)/approve").status == .seeOther)
            #expect(try await evaluatorBrowser.get(rankingPath).status == .forbidden, "an evaluator who is not the chair does not see the ranking")

            try await officerBrowser.get(rankingPath)
            #expect(try await officerBrowser.post("\(rankingPath)/decision", [("decisionDate", "20.12.2019")]).status == .badRequest)
            #expect(try await officerBrowser.post("\(rankingPath)/decision", [("decisionDate", "2019-12-20")]).status == .seeOther)
            func status(_ s: Submitted) async throws -> ApplicationStatus { try #require(try await GrantApplication.find(s.application.id!, on: app.db)).status }
            var statuses = [try await status(a), try await status(b), try await status(c), try await status(d)]
            #expect(statuses == [.awarded, .awarded, .reserve, .awarded])
            let letters = try await DecisionLetter.query(on: app.db).all()
            #expect(letters.count == 4)
            #expect(letters.first { $0.$application.id == c.application.id }?.dueDate == "2020-01-19")
            #expect(letters.first { $0.$application.id == a.application.id }?.dueDate == "2020-01-04")

            // Letters go out through the outbox, each in its applicant's language.
            try await officerBrowser.get("/grants/calls/\(call.id!.uuidString)/letters")
            #expect(try await officerBrowser.post("/grants/calls/\(call.id!.uuidString)/letters/send").status == .seeOther)
            let toB = try #require(try await OutboxMessage.query(on: app.db).filter(\.$recipient == b.user.email).all().last)
            let bodyB = try Outbox.openedBody(of: toB, box: app.services.mailBox)
            #expect(bodyB.contains("Dear Shoqata B") && bodyB.contains("selected for a grant"))
            let toC = try #require(try await OutboxMessage.query(on: app.db).filter(\.$recipient == c.user.email).all().last)
            let bodyC = try Outbox.openedBody(of: toC, box: app.services.mailBox)
            #expect(bodyC.contains("listën rezervë") && bodyC.contains("80.00"))
            #expect(try await DecisionLetter.query(on: app.db).filter(\.$sentAt == nil).count() == 0)
            // The printable letter is in the applicant's language, whatever the officer's.
            let letterB = try #require(letters.first { $0.$application.id == b.application.id })
            page = try await officerBrowser.get("/grants/applications/\(b.application.id!.uuidString)/letters/\(letterB.id!.uuidString)").body.string
            #expect(page.contains("lang=\"en\"") && page.contains("Dear Shoqata B") && page.contains("2020-01-04"))

            // The applicant reads its letter and the evaluators' comments in its portal, without their names.
            let cso = try await browser(app, c.user)
            let letterC = try #require(letters.first { $0.$application.id == c.application.id })
            let letterPath = "/applications/\(c.application.id!.uuidString)/letters/\(letterC.id!.uuidString)"
            let portal = try await cso.get("/applications/\(c.application.id!.uuidString)").body.string
            #expect(portal.contains(letterPath), "the letter is listed")
            #expect(portal.contains("Arsyetim për") && portal.contains(app.services.catalog.format("decision.portal.evaluator", .sq, ["number": "1"])))
            // "Vlerësuesi 2" is both a test evaluator's name and the portal's numbering: the others' names stand for it.
            #expect(!portal.contains("Vlerësuesja") && evaluators.allSatisfy { !portal.contains($0.email) }, "evaluators are not named")
            let letterPage = try await cso.get(letterPath)
            #expect(letterPage.status == .ok && letterPage.body.string.contains("listën rezervë"))
            #expect([.notFound, .forbidden].contains(try await browser(app, d.user).get(letterPath).status), "another applicant cannot read it")

            // A withdraws: C, first on the reserve list, now fits and is awarded.
            try await officerBrowser.get("/grants/applications/\(a.application.id!.uuidString)")
            let withdraw = "/grants/applications/\(a.application.id!.uuidString)/withdraw"
            #expect(try await officerBrowser.post(withdraw).body.string.contains(app.services.catalog.text("decision.withdraw.confirmTitle", .sq)))
            #expect(try await officerBrowser.post(withdraw, [("confirmed", "yes"), ("reason", " ")]).status == .badRequest)
            #expect(try await status(a) == .awarded, "nothing changes before the confirmation")
            #expect(try await officerBrowser.post(withdraw, [("confirmed", "yes"), ("reason", "The CSO declined the grant by letter.")]).status == .seeOther)
            let withdrawal = try #require(try await AuditEntry.query(on: app.db).filter(\.$action == "decision.withdrawn").first())
            #expect(withdrawal.details.contains("The CSO declined the grant by letter."))
            statuses = [try await status(a), try await status(c)]
            #expect(statuses == [.withdrawn, .awarded])
            #expect(try await DecisionLetter.query(on: app.db).filter(\.$application.$id == c.application.id!).filter(\.$outcome == .awarded).count() == 1)
            for action in ["evaluation.started", "evaluation.conflictDeclared", "evaluation.scored", "ranking.approved", "decision.recorded",
                           "letter.sent", "decision.withdrawn"] {
                #expect(try await AuditEntry.query(on: app.db).filter(\.$action == action).count() > 0, "\(action) is audited")
            }
            // Donor viewers see the figures, not the applications.
            let donor = try await browser(app, try await person(app, .donorViewer, name: "Donatori"))
            page = try await donor.get("/grants/figures").body.string
            #expect(page.contains(call.reference) && !page.contains("Shoqata"))
            // Three awarded (B, C, D) for 130,000 after A's withdrawal; four submitted.
            #expect(page.contains(Money(minorUnits: 13_000_000, currency: "EUR").written(in: .sq)), "130.000,00 € as Albanian writes it")
            #expect(try await donor.get("/grants/applications/\(a.application.id!.uuidString)").status == .forbidden)
        }
    }

    /// Scores every active assignment of an application at a stage with one score, through the service.
    @Test("a voting member cannot also run the call; a member of an applicant CSO has that assignment as a conflict from the start")
    func evaluatorIndependence() async throws {
        try await withFuqizo { app in
            let call = try await TestFixtures.publishedCall(app, stages: .two, conceptInDays: 10, fullInDays: 40)
            let first = try await submitted(app, call: call, name: "Shoqata Një", requested: "40000")
            let second = try await submitted(app, call: call, name: "Shoqata Dy", requested: "40000")
            let officer = try await person(app, .grantsOfficer, name: "Zyrtarja")
            let chair = try await person(app, .programmeManager, name: "Kryetarja")
            let panel = [try await person(app, .evaluator, name: "V1"), try await person(app, .evaluator, name: "V2"), try await person(app, .evaluator, name: "V3")]
            let service = EvaluationService(database: app.db, services: app.services)
            // An officer who is also an evaluator may not vote on the call.
            try await RoleAssignment(userID: officer.id!, grant: RoleGrant(role: .evaluator)).create(on: app.db)
            let refused = try await service.setCommittee(callID: call.id!, chair: chair.id!, secretary: panel[0].id!,
                                                         evaluators: [officer.id!, panel[1].id!, panel[2].id!], actor: officer.id!)
            guard case .failure(let errors) = refused else { Issue.record("a grants officer was let onto the panel"); return }
            #expect(errors["evaluators"] == "committee.error.grantsSide")
            // V1 belongs to the first applicant.
            try await RoleAssignment(userID: panel[0].id!, grant: RoleGrant(role: .csoUser, organisationID: first.application.$organisation.id))
                .create(on: app.db)
            let secretary = try await person(app, .grantsOfficer, name: "Sekretarja")
            _ = try await service.setCommittee(callID: call.id!, chair: chair.id!, secretary: secretary.id!, evaluators: panel.map { $0.id! },
                                               actor: officer.id!)
            for application in [first, second] { try await passChecks(app, application.application, officer: officer.id!) }
            app.clock.advance(by: 11 * 86_400)
            #expect(try await service.start(callID: call.id!, stage: .concept, actor: officer.id!) == .success(2))
            let onFirst = try await service.assignments(of: first.application.id!, at: .concept)
            let own = try #require(onFirst.first { $0.$evaluator.id == panel[0].id })
            #expect(own.status == .conflict && own.conflictReason == EvaluationService.membershipConflictReason)
            #expect(onFirst.filter { $0.status == .assigned }.count == 2, "two others evaluate it")
            // The conflicted member sees nothing of it: the assignment is not theirs to open.
            let v1 = try await browser(app, panel[0])
            let ownPage = try await v1.get("/evaluation/\(own.id!.uuidString)").body.string
            #expect(!ownPage.contains("Shoqata Një") && !ownPage.contains(first.application.content(.concept).title))
            #expect(!(try await v1.get("/evaluation").body.string.contains("Shoqata Një")))
            // A voting member given a grants-side role later still cannot use the grants side's pages for this call.
            try await RoleAssignment(userID: panel[1].id!, grant: RoleGrant(role: .grantsOfficer)).create(on: app.db)
            let v2 = try await browser(app, panel[1])
            #expect(try await v2.get("/grants/applications/\(first.application.id!.uuidString)").status == .forbidden)
            #expect(try await v2.get("/grants/calls/\(call.id!.uuidString)/applications").status == .forbidden)
            let officerBrowser = try await browser(app, officer)
            #expect(try await officerBrowser.get("/grants/applications/\(first.application.id!.uuidString)").status == .ok)
        }
    }

    func scoreAll(_ app: Application, _ application: GrantApplication, stage: ApplicationStage, score: Int, grid: EvaluationGrid) async throws {
        let service = EvaluationService(database: app.db, services: app.services)
        for row in try await service.assignments(of: application.id!, at: stage) where row.status == .assigned {
            try await service.declare(row, conflict: false, reason: "", actor: row.$evaluator.id)
            let declared = try #require(try await EvaluationAssignment.find(row.id!, on: app.db))
            _ = try await service.score(declared, card: Self.card(grid, score: score), submit: true, actor: row.$evaluator.id)
        }
    }

    @Test("two stages: concept notes ranked against the threshold, pre-selected applicants write the full application, relevance carried over")
    func twoStages() async throws {
        try await withFuqizo { app in
            let call = try await TestFixtures.publishedCall(app, stages: .two, conceptInDays: 10, fullInDays: 40)
            let strong = try await submitted(app, call: call, name: "Shoqata e Fortë", requested: "40000")
            let weak = try await submitted(app, call: call, name: "Shoqata e Dobët", requested: "40000")
            #expect(strong.application.stage == .concept && strong.application.conceptDigest != nil)
            let officer = try await person(app, .grantsOfficer, name: "Zyrtarja")
            let chair = try await person(app, .programmeManager, name: "Kryetarja")
            let panel = [try await person(app, .evaluator, name: "V1"), try await person(app, .evaluator, name: "V2"), try await person(app, .evaluator, name: "V3")]
            let service = EvaluationService(database: app.db, services: app.services)
            _ = try await service.setCommittee(callID: call.id!, chair: chair.id!, secretary: officer.id!, evaluators: panel.map { $0.id! }, actor: officer.id!)
            for application in [strong, weak] { try await passChecks(app, application.application, officer: officer.id!) }
            // Not before the concept notes close.
            #expect(try await service.start(callID: call.id!, stage: .concept, actor: officer.id!) == .failure(.notClosed))
            app.clock.advance(by: 11 * 86_400)
            #expect(try await service.start(callID: call.id!, stage: .concept, actor: officer.id!) == .success(2))
            let concept = try EvaluationService.grid(of: call, .concept)
            try await scoreAll(app, strong.application, stage: .concept, score: 4, grid: concept)   // 40 of 50
            try await scoreAll(app, weak.application, stage: .concept, score: 2, grid: concept)     // 20, below 30
            try await DecisionService(database: app.db, services: app.services).approve(callID: call.id!, stage: .concept, actor: chair.id!)
            let decided = try await DecisionService(database: app.db, services: app.services).decide(callID: call.id!, stage: .concept, date: "2019-07-01", actor: officer.id!)
            guard case .success = decided else { Issue.record("decision refused"); return }
            let applications = ApplicationService(database: app.db, services: app.services)
            var pre = try await applications.find(strong.application.id!)
            #expect(pre.stage == .full && pre.status == .draft && pre.content(.full).title == pre.content(.concept).title)
            #expect(try await applications.find(weak.application.id!).status == .notPreselected)

            // The pre-selected CSO completes and submits its full application in the browser.
            let cso = try await browser(app, strong.user)
            let path = "/applications/\(pre.id!.uuidString)"
            var page = try await cso.get(path).body.string
            #expect(page.contains("data-autosave") && page.contains(pre.content(.concept).title))
            let response = try await cso.post(path, [("revision", String(pre.revision)), ("intent", "submit")]
                + ApplicationTests.fullFields.filter { $0.0 != "requested" } + [("requested", "34000")])
            #expect(response.status == .seeOther)
            pre = try await applications.find(strong.application.id!)
            #expect(pre.status == .submitted && pre.fullDigest != nil && pre.reference == strong.application.reference)
            // The weak one cannot submit a full application.
            let weakBrowser = try await browser(app, weak.user)
            page = try await weakBrowser.get("/applications/\(weak.application.id!.uuidString)").body.string
            #expect(!page.contains("data-autosave"))

            app.clock.advance(by: 30 * 86_400)
            try await passChecks(app, pre, officer: officer.id!)
            #expect(try await service.start(callID: call.id!, stage: .full, actor: officer.id!) == .success(1))
            let full = try EvaluationService.grid(of: call, .full)
            try await scoreAll(app, pre, stage: .full, score: 3, grid: full)
            let carried = try await service.carriedPoints(for: pre.id!, call: call)
            let relevance = try #require(carried["relevance"])
            #expect(relevance == Double(Self.card(concept, score: 4).sectionTotals(on: concept)["relevance"]!))
            let totals = try await service.assignments(of: pre.id!, at: .full).compactMap(\.total)
            #expect(totals.count == 2 && totals.allSatisfy { $0 == Self.card(full, score: 3).total(on: full, carried: carried) })
            let ranking = try await DecisionService(database: app.db, services: app.services).ranking(callID: call.id!, stage: .full)
            #expect(ranking.lots[0].result.awarded.map(\.candidate.id) == [pre.id!.uuidString])
        }
    }

    @Test("blind review: after the declaration the evaluator reads the application without the applicant's name or documents")
    func blindReview() async throws {
        try await withFuqizo { app in
            var form = try CallService.form(from: try await TestFixtures.publishedCall(app, reference: "CFP-2019-05", stages: .single))
            form.reference = "CFP-2019-06"
            form.blindReview = "yes"
            let officer = try await person(app, .grantsOfficer, name: "Zyrtarja")
            let calls = CallService(database: app.db, services: app.services)
            guard case .success(let id) = try await calls.save(form, id: nil, actor: officer.id!) else { Issue.record("not saved"); return }
            try await calls.publish(id, actor: officer.id!)
            let call = try await calls.find(id)
            let one = try await submitted(app, call: call, name: "Shoqata Sekrete", requested: "40000")
            try await passChecks(app, one.application, officer: officer.id!)
            let panel = [try await person(app, .evaluator, name: "V1"), try await person(app, .evaluator, name: "V2"), try await person(app, .evaluator, name: "V3")]
            let service = EvaluationService(database: app.db, services: app.services)
            _ = try await service.setCommittee(callID: id, chair: officer.id!, secretary: (try await person(app, .grantsOfficer, name: "S")).id!,
                                               evaluators: panel.map { $0.id! }, actor: officer.id!)
            app.clock.advance(by: 41 * 86_400)
            #expect(try await service.start(callID: id, stage: .full, actor: officer.id!) == .success(1))
            let row = try #require(try await service.assignments(of: one.application.id!, at: .full).first)
            let evaluator = try await browser(app, try #require(panel.first { $0.id == row.$evaluator.id }))
            try await evaluator.get("/evaluation/\(row.id!.uuidString)")
            try await evaluator.post("/evaluation/\(row.id!.uuidString)/declaration", [("answer", "impartial")])
            let page = try await evaluator.get("/evaluation/\(row.id!.uuidString)").body.string
            #expect(page.contains("Punë për gratë") && page.contains(app.services.catalog.text("evaluation.blind", .sq)))
            #expect(!page.contains("Shoqata Sekrete</dd>"))
        }
    }

    @Test("a letter goes to the organisation's own address when it has no active users, and stays unsent when it has neither")
    func letterRecipients() async throws {
        try await withFuqizo { app in
            let call = try await TestFixtures.publishedCall(app, stages: .single)
            let withAddress = try await submitted(app, call: call, name: "Shoqata me Adresë", requested: "40000")
            let withoutAddress = try await submitted(app, call: call, name: "Shoqata pa Adresë", requested: "40000")
            for (one, email) in [(withAddress, "zyra@shoqata.example.org"), (withoutAddress, nil)] {
                one.user.isActive = false
                try await one.user.save(on: app.db)
                let organisation = try #require(try await Organisation.find(one.application.$organisation.id, on: app.db))
                organisation.email = email
                try await organisation.save(on: app.db)
            }
            let officer = try await person(app, .grantsOfficer, name: "Zyrtarja")
            let chair = try await person(app, .programmeManager, name: "Kryetarja")
            let panel = [try await person(app, .evaluator, name: "V1"), try await person(app, .evaluator, name: "V2"), try await person(app, .evaluator, name: "V3")]
            let service = EvaluationService(database: app.db, services: app.services)
            _ = try await service.setCommittee(callID: call.id!, chair: chair.id!, secretary: officer.id!, evaluators: panel.map { $0.id! }, actor: officer.id!)
            for one in [withAddress, withoutAddress] { try await passChecks(app, one.application, officer: officer.id!) }
            app.clock.advance(by: 41 * 86_400)
            #expect(try await service.start(callID: call.id!, stage: .full, actor: officer.id!) == .success(2))
            let grid = try EvaluationService.grid(of: call, .full)
            for one in [withAddress, withoutAddress] { try await scoreAll(app, one.application, stage: .full, score: 4, grid: grid) }
            try await DecisionService(database: app.db, services: app.services).approve(callID: call.id!, stage: .full, actor: chair.id!)
            guard case .success = try await DecisionService(database: app.db, services: app.services).decide(callID: call.id!, stage: .full, date: "2019-12-20", actor: officer.id!) else {
                Issue.record("decision refused")
                return
            }
            #expect(try await DecisionService(database: app.db, services: app.services).sendLetters(callID: call.id!, actor: officer.id!) == 1)
            let mail = try #require(try await OutboxMessage.query(on: app.db).filter(\.$recipient == "zyra@shoqata.example.org").first())
            #expect(try Outbox.openedBody(of: mail, box: app.services.mailBox).contains("Shoqata me Adresë"))
            let letters = try await DecisionLetter.query(on: app.db).all()
            #expect(letters.first { $0.$application.id == withAddress.application.id }?.sentAt != nil)
            #expect(letters.first { $0.$application.id == withoutAddress.application.id }?.sentAt == nil, "left for the officer to post")
        }
    }
}
