import Foundation

// The road to employment: needs, the individual empowerment plan, referrals, the Club and
// employment outcomes. Forms are text as typed; each validates to a value or field errors.

/// Needs recorded at intake, as categories (never free text): they feed statistics and plans.
public enum EducationLevel: String, CaseIterable, Codable, Sendable {
    case none, primary, lowerSecondary, upperSecondary, vocational, university
    public var catalogKey: String { "needs.education.\(rawValue)" }
}

public enum WorkHistory: String, CaseIterable, Codable, Sendable {
    case never, informal, formal
    public var catalogKey: String { "needs.work.\(rawValue)" }
}

public enum HousingSituation: String, CaseIterable, Codable, Sendable {
    case stable, temporary, shelter, homeless
    public var catalogKey: String { "needs.housing.\(rawValue)" }
}

public enum SkillArea: String, CaseIterable, Codable, Sendable {
    case literacy, digital, languages, crafts, hospitality, care, agriculture, retail, driving
    public var catalogKey: String { "needs.skill.\(rawValue)" }
}

public enum HealthNeed: String, CaseIterable, Codable, Sendable {
    case physical, mentalHealth, substanceUse, chronicIllness, reproductive
    public var catalogKey: String { "needs.health.\(rawValue)" }
}

public struct NeedsForm: Codable, Sendable {
    public var education = ""
    public var workHistory = ""
    public var housing = ""
    public var childcare = ""
    public var skills: [String] = []
    public var health: [String] = []

    public init() {}

    public init(from decoder: any Decoder) throws {
        let form = try decoder.container(keyedBy: CodingKeys.self)
        education = try form.text(.education)
        workHistory = try form.text(.workHistory)
        housing = try form.text(.housing)
        childcare = try form.text(.childcare)
        skills = try form.list(.skills)
        health = try form.list(.health)
    }

    public struct Needs: Sendable, Equatable {
        public let education: EducationLevel
        public let workHistory: WorkHistory
        public let housing: HousingSituation
        public let needsChildcare: Bool
        public let skills: [SkillArea]
        public let health: [HealthNeed]
    }

    public func validated() -> Result<Needs, FieldErrors> {
        var errors = FieldErrors()
        let education = EducationLevel(rawValue: self.education)
        if education == nil { errors.add("education", "form.error.choose") }
        let work = WorkHistory(rawValue: workHistory)
        if work == nil { errors.add("workHistory", "form.error.choose") }
        let housing = HousingSituation(rawValue: self.housing)
        if housing == nil { errors.add("housing", "form.error.choose") }
        let skills = self.skills.compactMap(SkillArea.init(rawValue:))
        if skills.count != self.skills.count { errors.add("skills", "form.error.choose") }
        let health = self.health.compactMap(HealthNeed.init(rawValue:))
        if health.count != self.health.count { errors.add("health", "form.error.choose") }
        guard errors.isEmpty, let education, let work, let housing else { return .failure(errors) }
        return .success(Needs(education: education, workHistory: work, housing: housing, needsChildcare: childcare == "yes",
                              skills: SkillArea.allCases.filter(skills.contains), health: HealthNeed.allCases.filter(health.contains)))
    }
}

// MARK: the individual empowerment plan

public enum PlanArea: String, CaseIterable, Codable, Sendable {
    case employment, training, business, housing, health, legal, childcare, finances, other
    public var catalogKey: String { "plan.area.\(rawValue)" }
}

public enum StepStatus: String, CaseIterable, Codable, Sendable {
    case planned, inProgress, done, dropped
    public var catalogKey: String { "plan.status.\(rawValue)" }

    /// Overdue: not finished and past its due date.
    public func isOverdue(due: LocalDate?, today: LocalDate) -> Bool {
        guard let due, self == .planned || self == .inProgress else { return false }
        return due < today
    }
}

/// A goal of the plan with its first step, or a further step of a goal.
public struct PlanStepForm: Codable, Sendable {
    public var area = ""
    public var goal = ""
    public var step = ""
    public var responsible = ""
    public var dueDate = ""

    public init() {}

    public init(from decoder: any Decoder) throws {
        let form = try decoder.container(keyedBy: CodingKeys.self)
        area = try form.text(.area)
        goal = try form.text(.goal)
        step = try form.text(.step)
        responsible = try form.text(.responsible)
        dueDate = try form.text(.dueDate)
    }

    public struct Step: Sendable, Equatable {
        public let text: String
        public let responsible: String?
        public let due: LocalDate?
    }

    /// A step: its text, who does it, by when (today or later).
    public func validatedStep(today: LocalDate) -> Result<Step, FieldErrors> {
        var errors = FieldErrors()
        let text = Text.clean(step)
        if text == nil { errors.add("step", "form.error.required") }
        if (text?.count ?? 0) > 500 { errors.add("step", "form.error.tooLong") }
        let responsible = Text.clean(self.responsible)
        if (responsible?.count ?? 0) > 120 { errors.add("responsible", "form.error.tooLong") }
        var due: LocalDate?
        if let typed = Text.clean(dueDate) {
            due = LocalDate(typed)
            if due == nil { errors.add("dueDate", "form.error.date") } else if due! < today { errors.add("dueDate", "plan.error.duePast") }
        }
        guard errors.isEmpty, let text else { return .failure(errors) }
        return .success(Step(text: text, responsible: responsible, due: due))
    }

    /// A new goal with its first step.
    public func validatedGoal(today: LocalDate) -> Result<(area: PlanArea, goal: String, step: Step), FieldErrors> {
        var errors = FieldErrors()
        let area = PlanArea(rawValue: self.area)
        if area == nil { errors.add("area", "form.error.choose") }
        let goal = Text.clean(self.goal)
        if goal == nil { errors.add("goal", "form.error.required") }
        if (goal?.count ?? 0) > 300 { errors.add("goal", "form.error.tooLong") }
        switch validatedStep(today: today) {
        case .failure(let stepErrors): errors.merge(stepErrors)
        case .success(let step):
            if errors.isEmpty, let area, let goal { return .success((area, goal, step)) }
        }
        return .failure(errors)
    }
}

// MARK: referrals

public enum ReferralNeed: String, CaseIterable, Codable, Sendable {
    case vocationalTraining, employment, legalAid, health, psychosocial, housing, childcare, businessSupport
    public var catalogKey: String { "referral.service.\(rawValue)" }
}

public enum ReferralStatus: String, CaseIterable, Codable, Sendable {
    case sent, accepted, declined, completed, revoked
    public var catalogKey: String { "referral.status.\(rawValue)" }

    /// Who moves a referral: the receiving organisation answers and completes it; the sending
    /// one may revoke it while it is open.
    public enum Side: Sendable { case sender, receiver }

    public func canMove(to next: ReferralStatus, by side: Side) -> Bool {
        switch (self, next, side) {
        case (.sent, .accepted, .receiver), (.sent, .declined, .receiver), (.accepted, .completed, .receiver): true
        case (.sent, .revoked, .sender), (.accepted, .revoked, .sender): true
        default: false
        }
    }

    /// The receiver may read the shared fields only while the referral is open.
    public var isOpen: Bool { self == .sent || self == .accepted }
}

/// What a receiving organisation may see of one referral.
public struct ReferralAccess: Sendable, Equatable {
    public let from: UUID
    public let to: UUID
    public let status: ReferralStatus
    /// The referral consent naming the receiver is active now.
    public let consentActive: Bool

    public init(from: UUID, to: UUID, status: ReferralStatus, consentActive: Bool) {
        self.from = from
        self.to = to
        self.status = status
        self.consentActive = consentActive
    }

    /// The shared identity fields may be shown to the receiver.
    public var sharesData: Bool { status.isOpen && consentActive }
}

// MARK: the Social Cause Club

public enum ClubSessionKind: String, CaseIterable, Codable, Sendable {
    case peerSupport, counselling, lifeSkills, vocationalTraining, jobReadiness, entrepreneurship
    public var catalogKey: String { "club.kind.\(rawValue)" }
}

public struct ClubSessionForm: Codable, Sendable {
    public var kind = ""
    public var date = ""
    public var place = ""
    public var facilitatorID = ""

    public init() {}

    public init(from decoder: any Decoder) throws {
        let form = try decoder.container(keyedBy: CodingKeys.self)
        kind = try form.text(.kind)
        date = try form.text(.date)
        place = try form.text(.place)
        facilitatorID = try form.text(.facilitatorID)
    }

    public func validated() -> Result<(kind: ClubSessionKind, date: LocalDate, place: String, facilitator: UUID), FieldErrors> {
        var errors = FieldErrors()
        let kind = ClubSessionKind(rawValue: self.kind)
        if kind == nil { errors.add("kind", "form.error.choose") }
        let date = LocalDate(self.date.trimmingCharacters(in: .whitespaces))
        if date == nil { errors.add("date", "form.error.date") }
        let place = Text.clean(self.place)
        if place == nil { errors.add("place", "form.error.required") }
        if (place?.count ?? 0) > 200 { errors.add("place", "form.error.tooLong") }
        let facilitator = UUID(uuidString: facilitatorID)
        if facilitator == nil { errors.add("facilitatorID", "form.error.choose") }
        guard errors.isEmpty, let kind, let date, let place, let facilitator else { return .failure(errors) }
        return .success((kind, date, place, facilitator))
    }
}

// MARK: employment

public enum EmploymentKind: String, CaseIterable, Codable, Sendable {
    case jobPlacement, selfEmployment, businessStart, internship, apprenticeship
    public var catalogKey: String { "employment.kind.\(rawValue)" }
}

public enum EmploymentSector: String, CaseIterable, Codable, Sendable {
    case hospitality, retail, manufacturing, agriculture, care, cleaning, beauty, textiles, office, crafts, other
    public var catalogKey: String { "employment.sector.\(rawValue)" }
}

public enum ContractType: String, CaseIterable, Codable, Sendable {
    case permanent, fixedTerm, seasonal, informal, none
    public var catalogKey: String { "employment.contract.\(rawValue)" }
}

/// Monthly net earnings in ALL, in bands (never the amount).
public enum WageBand: String, CaseIterable, Codable, Sendable {
    case below30000, from30000to45000, from45000to60000, from60000, unknown
    public var catalogKey: String { "employment.wage.\(rawValue)" }
}

public struct EmploymentForm: Codable, Sendable {
    public var kind = ""
    public var sector = ""
    public var startDate = ""
    public var contractType = ""
    public var wageBand = ""
    public var businessGrant = ""

    public init() {}

    public init(from decoder: any Decoder) throws {
        let form = try decoder.container(keyedBy: CodingKeys.self)
        kind = try form.text(.kind)
        sector = try form.text(.sector)
        startDate = try form.text(.startDate)
        contractType = try form.text(.contractType)
        wageBand = try form.text(.wageBand)
        businessGrant = try form.text(.businessGrant)
    }

    public struct Outcome: Sendable, Equatable {
        public let kind: EmploymentKind
        public let sector: EmploymentSector
        public let start: LocalDate
        public let contract: ContractType
        public let wage: WageBand
        public let businessGrant: Money?
    }

    public func validated(today: LocalDate, currency: String) -> Result<Outcome, FieldErrors> {
        var errors = FieldErrors()
        let kind = EmploymentKind(rawValue: self.kind)
        if kind == nil { errors.add("kind", "form.error.choose") }
        let sector = EmploymentSector(rawValue: self.sector)
        if sector == nil { errors.add("sector", "form.error.choose") }
        let start = LocalDate(startDate.trimmingCharacters(in: .whitespaces))
        if start == nil { errors.add("startDate", "form.error.date") }
        // A start more than a year ahead is a typing mistake, not a plan.
        if let start, start > today.adding(months: 12) { errors.add("startDate", "employment.error.startFar") }
        let contract = ContractType(rawValue: contractType)
        if contract == nil { errors.add("contractType", "form.error.choose") }
        let wage = WageBand(rawValue: wageBand)
        if wage == nil { errors.add("wageBand", "form.error.choose") }
        var grant: Money?
        if let text = Text.clean(businessGrant) {
            grant = Money(parsing: text, currency: currency)
            if grant == nil { errors.add("businessGrant", "employment.error.amount") }
            if kind != .businessStart && kind != .selfEmployment { errors.add("businessGrant", "employment.error.grantKind") }
        }
        guard errors.isEmpty, let kind, let sector, let start, let contract, let wage else { return .failure(errors) }
        return .success(Outcome(kind: kind, sector: sector, start: start, contract: contract, wage: wage, businessGrant: grant))
    }
}
