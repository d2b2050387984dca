import Fluent
import Foundation
import FuqizoCore
import Vapor

extension DemoData {
    static let firstNames = ["Arta", "Blerta", "Drita", "Elira", "Fatbardha", "Gentiana", "Hana", "Ilda", "Jonida", "Klea",
                             "Lindita", "Mimoza", "Nora", "Olta", "Pranvera", "Rudina", "Sidita", "Teuta", "Vjollca", "Zamira"]
    static let lastNames = ["Demo-Hoxha", "Demo-Kola", "Demo-Leka", "Demo-Marku", "Demo-Prifti", "Demo-Shehu", "Demo-Tafa", "Demo-Zeka"]

    /// About `count` fictional survivors over the four regions, in every stage: new, assessed,
    /// with a plan, in the Club, referred, employed with follow-ups due, late and done, closed,
    /// erased. Most belong to the first organisation (whose demo case worker sees them).
    static func loadSurvivors(app: Application, count: Int, organisations: [UUID]) async throws {
        guard count > 0, let home = organisations.first else { return }
        let records = SurvivorService(database: app.db, services: app.services)
        let work = CaseWorkService(database: app.db, services: app.services)
        let club = ClubService(database: app.db, services: app.services)
        let desk = ReferralDesk(database: app.db, services: app.services)
        let regions = try await GeographyDirectory.load(on: app.db).regions
        let caseWorker = try await RoleAssignment.query(on: app.db).filter(\.$role == Role.caseWorker.rawValue)
            .filter(\.$organisation.$id == home).first()?.$user.id ?? UUID()
        let facilitator = try await RoleAssignment.query(on: app.db).filter(\.$role == Role.clubFacilitator.rawValue)
            .filter(\.$organisation.$id == home).first()?.$user.id
        let partner = organisations.dropFirst().first
        let today = TiranaTime.today(at: app.clock.now())
        var clubMembers: [String] = []
        for index in 0..<count {
            let owner = index % 3 == 2 && organisations.count > 1 ? organisations[1 + index % (organisations.count - 1)] : home
            let region = regions[index % regions.count]
            var form = SurvivorIntakeForm()
            form.firstName = firstNames[index % firstNames.count]
            form.lastName = lastNames[(index / firstNames.count) % lastNames.count]
            form.birthDate = LocalDate("\(1970 + index % 36)-\(String(format: "%02d", 1 + index % 12))-\(String(format: "%02d", 1 + index % 28))")!.description
            form.phone = "+355 6\(index % 10) 000 \(String(format: "%04d", index))"
            form.sex = index % 17 == 0 ? SurvivorSex.male.rawValue : SurvivorSex.female.rawValue
            form.regionID = region.id.uuidString
            form.municipalityID = region.municipalityIDs.sorted { $0.uuidString < $1.uuidString }.first?.uuidString ?? ""
            form.harm = HarmKind.allCases[index % 3].rawValue
            form.referralSource = ReferralSource.allCases[index % ReferralSource.allCases.count].rawValue
            form.wgWalking = index % 11 == 0 ? WashingtonGroup.Answer.aLotOfDifficulty.rawValue : WashingtonGroup.Answer.noDifficulty.rawValue
            form.consents = [ConsentPurpose.services.rawValue] + (index % 7 == 6 ? [] : [ConsentPurpose.statistics.rawValue])
                + (index % 3 == 1 ? [] : [ConsentPurpose.club.rawValue])
            form.consentFormVersion = "demo-v1"
            form.confirmNew = "yes"
            guard case .created(let code) = try await records.register(form, organisationID: owner, actor: caseWorker, limited: false) else { continue }
            var loaded = try await records.load(code: code)
            if index % 5 != 4 {
                var needs = NeedsForm()
                needs.education = EducationLevel.allCases[index % EducationLevel.allCases.count].rawValue
                needs.workHistory = WorkHistory.allCases[index % 3].rawValue
                needs.housing = HousingSituation.allCases[index % 4].rawValue
                needs.childcare = index % 2 == 0 ? "yes" : ""
                needs.skills = [SkillArea.allCases[index % SkillArea.allCases.count].rawValue]
                _ = try await work.saveNeeds(needs, on: loaded, actor: caseWorker)
            }
            if index % 4 != 3 {
                var goal = PlanStepForm()
                goal.area = PlanArea.allCases[index % 3].rawValue
                goal.goal = ["Punë e qëndrueshme", "Kurs profesional", "Biznes i vogël"][index % 3]
                goal.step = ["Hartimi i CV-së", "Regjistrimi në kurs", "Plan biznesi"][index % 3]
                goal.responsible = "Punonjësja e rastit"
                goal.dueDate = today.adding(days: 7 + index % 60).description
                _ = try await work.addGoal(goal, on: loaded, actor: caseWorker)
            }
            if owner == home, loaded.access.activeConsents.contains(.club) {
                try await club.join(loaded, actor: caseWorker)
                clubMembers.append(code)
            }
            if owner == home, let partner, index % 25 == 3 {
                var consent = ConsentForm()
                consent.purpose = ConsentPurpose.referral.rawValue
                consent.recipientID = partner.uuidString
                consent.formVersion = "demo-v1"
                consent.sharedFields = [IdentityField.firstName.rawValue, IdentityField.phone.rawValue]
                _ = try await records.recordConsent(consent, on: loaded, actor: caseWorker)
                loaded = try await records.load(code: code)
                if let referral = loaded.consents.first(where: { $0.purpose == ConsentPurpose.referral.rawValue }) {
                    _ = try await desk.send(consentID: referral.id!.uuidString, service: ReferralNeed.allCases[index % 8].rawValue,
                                            on: loaded, actor: caseWorker)
                }
            }
            if index % 6 == 1 {
                var job = EmploymentForm()
                job.kind = EmploymentKind.allCases[index % EmploymentKind.allCases.count].rawValue
                job.sector = EmploymentSector.allCases[index % EmploymentSector.allCases.count].rawValue
                // Started 1 to 14 months ago: follow-ups upcoming, due, late and done.
                job.startDate = today.adding(months: -(1 + index % 14)).description
                job.contractType = ContractType.allCases[index % 4].rawValue
                job.wageBand = WageBand.allCases[index % 4].rawValue
                _ = try await work.recordEmployment(job, on: loaded, actor: caseWorker)
                let first = try await EmploymentFollowUp.query(on: app.db).filter(\.$survivorID == loaded.survivor.requireID())
                    .filter(\.$months == 3).first()
                if index % 4 == 1, let first, let due = LocalDate(first.dueOn), !(today < due) {
                    try await work.recordFollowUp(first.requireID(), stillWorking: index % 8 != 5, on: loaded, actor: caseWorker)
                }
            }
            if index % 10 == 9 { try await records.close(loaded, reason: .goalsAchieved, actor: caseWorker) }
            if index % 50 == 49 { try await records.erase(try await records.load(code: code), reason: .survivorAsked, actor: caseWorker) }
        }
        // Ten Club sessions, past and coming, each with a dozen members and attendance for the past ones.
        guard let facilitator, !clubMembers.isEmpty else { return }
        for number in 0..<10 {
            var form = ClubSessionForm()
            form.kind = ClubSessionKind.allCases[number % ClubSessionKind.allCases.count].rawValue
            form.date = today.adding(days: (number - 6) * 7).description
            form.place = "Qendra e Klubit (demo)"
            form.facilitatorID = facilitator.uuidString
            guard case .success(let id) = try await club.createSession(form, organisationID: home, actor: caseWorker) else { continue }
            let session = try await club.session(id)
            let start = (number * 12) % clubMembers.count
            _ = try await club.invite(codes: Array((clubMembers + clubMembers)[start..<(start + min(12, clubMembers.count))]), to: session, actor: caseWorker)
            if number < 6 {
                let rows = try await ClubAttendance.query(on: app.db).filter(\.$sessionID == id).all()
                try await club.recordAttendance(present: Set(rows.enumerated().filter { $0.offset % 4 != 3 }.map { $0.element.id! }), in: session, actor: caseWorker)
            }
        }
    }
}
