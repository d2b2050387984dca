import Foundation

// MARK: a monitoring visit

/// A visit to a grantee: planned, then done with its findings, or cancelled with a reason.
public enum VisitStatus: String, CaseIterable, Codable, Sendable {
    case planned
    case done
    case cancelled

    public var catalogKey: String { "visit.status.\(rawValue)" }
}

public enum VisitEvent: Sendable, Equatable {
    /// The findings, the risk and the recommendations are recorded.
    case record
    case cancel
}

extension VisitStatus: Lifecycle {
    public func after(_ event: VisitEvent) -> Result<VisitStatus, WorkflowRefusal> {
        switch (self, event) {
        case (.planned, .record): .success(.done)
        case (.planned, .cancel): .success(.cancelled)
        case (_, .record), (_, .cancel): .failure(WorkflowRefusal("visit.error.notPlanned"))
        }
    }
}

/// How much the visit found the grant at risk: of not reaching its results, of ineligible
/// spending, of harm to the people it serves.
public enum RiskRating: String, CaseIterable, Codable, Sendable {
    case low
    case medium
    case high

    public var catalogKey: String { "visit.risk.\(rawValue)" }
}

/// Planning a visit: the day, who goes (a staff member's id, chosen from a list), and why.
public struct VisitPlanForm: Codable, Sendable, Equatable {
    public var plannedOn = ""
    public var visitor = ""
    public var purpose = ""

    public static let maximumPurpose = 2_000

    public init(plannedOn: String = "", visitor: String = "", purpose: String = "") {
        (self.plannedOn, self.visitor, self.purpose) = (plannedOn, visitor, purpose)
    }

    public init(from decoder: any Decoder) throws {
        let form = try decoder.container(keyedBy: CodingKeys.self)
        plannedOn = try form.text(.plannedOn)
        visitor = try form.text(.visitor)
        purpose = try form.text(.purpose)
    }

    /// A day within the contract's period (a visit after its end checks the closure, so up to
    /// the final report's time is allowed), a visitor among `visitors`, a purpose.
    public func validated(visitors: Set<UUID>, start: LocalDate, end: LocalDate)
        -> Result<(plannedOn: LocalDate, visitor: UUID, purpose: String), FieldErrors> {
        var errors = FieldErrors()
        let day = ContractForm.date(plannedOn)
        if let day {
            if day < start || day > end.adding(months: 6) { errors.add("plannedOn", "visit.error.outsideContract") }
        } else { errors.add("plannedOn", "form.error.date") }
        let visitor = UUID(uuidString: self.visitor).flatMap { visitors.contains($0) ? $0 : nil }
        if visitor == nil { errors.add("visitor", "form.error.choose") }
        let text = Text.clean(purpose)
        if text == nil { errors.add("purpose", "form.error.required") }
        else if text!.count > Self.maximumPurpose { errors.add("purpose", "form.error.tooLong") }
        guard errors.isEmpty, let day, let visitor, let text else { return .failure(errors) }
        return .success((day, visitor, text))
    }
}

/// What the visit found, recorded once it is done.
public struct VisitReportForm: Codable, Sendable, Equatable {
    public var visitedOn = ""
    public var findings = ""
    public var risk = ""
    public var recommendations = ""

    public init(visitedOn: String = "", findings: String = "", risk: String = "", recommendations: String = "") {
        (self.visitedOn, self.findings, self.risk, self.recommendations) = (visitedOn, findings, risk, recommendations)
    }

    public init(from decoder: any Decoder) throws {
        let form = try decoder.container(keyedBy: CodingKeys.self)
        visitedOn = try form.text(.visitedOn)
        findings = try form.text(.findings)
        risk = try form.text(.risk)
        recommendations = try form.text(.recommendations)
    }

    public struct Report: Sendable, Equatable {
        public let visitedOn: LocalDate
        public let findings: String
        public let risk: RiskRating
        public let recommendations: String?
    }

    /// The day is not ahead of today nor before the contract's start; findings and the risk
    /// are required; texts stay within a section's length.
    public func validated(start: LocalDate, today: LocalDate) -> Result<Report, FieldErrors> {
        var errors = FieldErrors()
        let day = ContractForm.date(visitedOn)
        if let day {
            if day > today { errors.add("visitedOn", "visit.error.future") }
            else if day < start { errors.add("visitedOn", "visit.error.outsideContract") }
        } else { errors.add("visitedOn", "form.error.date") }
        let findings = Text.clean(self.findings)
        if findings == nil { errors.add("findings", "form.error.required") }
        else if findings!.count > ApplicationContent.maximumSectionLength { errors.add("findings", "form.error.tooLong") }
        let risk = RiskRating(rawValue: self.risk)
        if risk == nil { errors.add("risk", "form.error.choose") }
        let recommendations = Text.clean(self.recommendations)
        if let recommendations, recommendations.count > ApplicationContent.maximumSectionLength { errors.add("recommendations", "form.error.tooLong") }
        guard errors.isEmpty, let day, let findings, let risk else { return .failure(errors) }
        return .success(Report(visitedOn: day, findings: findings, risk: risk, recommendations: recommendations))
    }
}

// MARK: a follow-up action

public enum FollowUpStatus: String, CaseIterable, Codable, Sendable {
    case open
    case done
    case cancelled

    public var catalogKey: String { "followUp.status.\(rawValue)" }
}

public enum FollowUpEvent: Sendable, Equatable {
    case complete
    case cancel
}

extension FollowUpStatus: Lifecycle {
    public func after(_ event: FollowUpEvent) -> Result<FollowUpStatus, WorkflowRefusal> {
        switch (self, event) {
        case (.open, .complete): .success(.done)
        case (.open, .cancel): .success(.cancelled)
        case (_, .complete), (_, .cancel): .failure(WorkflowRefusal("followUp.error.closed"))
        }
    }
}

/// Who must carry out a follow-up action: the grantee (any of its CSO users), or one named
/// member of the programme's staff.
public enum FollowUpOwner: Sendable, Equatable {
    case grantee
    case staff(UUID)

    /// As a form and a table hold it: `grantee`, or the staff member's id.
    public var stored: String {
        switch self {
        case .grantee: "grantee"
        case .staff(let id): id.uuidString
        }
    }

    public init?(stored: String, staff: Set<UUID>? = nil) {
        if stored == "grantee" { self = .grantee; return }
        guard let id = UUID(uuidString: stored), staff?.contains(id) ?? true else { return nil }
        self = .staff(id)
    }
}

/// A follow-up action of a visit: what, who, by when.
public struct FollowUpForm: Codable, Sendable, Equatable {
    public var action = ""
    public var owner = ""
    public var dueOn = ""

    public static let maximumAction = 1_000

    public init(action: String = "", owner: String = "", dueOn: String = "") {
        (self.action, self.owner, self.dueOn) = (action, owner, dueOn)
    }

    public init(from decoder: any Decoder) throws {
        let form = try decoder.container(keyedBy: CodingKeys.self)
        action = try form.text(.action)
        owner = try form.text(.owner)
        dueOn = try form.text(.dueOn)
    }

    /// An action in words, an owner among the grantee and `staff`, a due day not in the past
    /// and within five years.
    public func validated(staff: Set<UUID>, today: LocalDate) -> Result<(action: String, owner: FollowUpOwner, dueOn: LocalDate), FieldErrors> {
        var errors = FieldErrors()
        let text = Text.clean(action)
        if text == nil { errors.add("action", "form.error.required") }
        else if text!.count > Self.maximumAction { errors.add("action", "form.error.tooLong") }
        let owner = FollowUpOwner(stored: self.owner, staff: staff)
        if owner == nil { errors.add("owner", "form.error.choose") }
        let day = ContractForm.date(dueOn)
        if let day {
            if day < today { errors.add("dueOn", "followUp.error.past") }
            else if day > today.adding(months: 60) { errors.add("dueOn", "followUp.error.tooFar") }
        } else { errors.add("dueOn", "form.error.date") }
        guard errors.isEmpty, let text, let owner, let day else { return .failure(errors) }
        return .success((text, owner, day))
    }
}

extension ContractWork {
    /// A planned visit, as its visitor's work list needs it.
    public struct Visit: Sendable {
        public let contract: UUID
        public let number: String
        public let visit: Int
        public let plannedOn: LocalDate

        public init(contract: UUID, number: String, visit: Int, plannedOn: LocalDate) {
            (self.contract, self.number, self.visit, self.plannedOn) = (contract, number, visit, plannedOn)
        }
    }

    /// The visitor records what a visit found, from its day on; until then it waits quietly.
    public static func visits(_ visits: [Visit], today: LocalDate) -> [WorkItem] {
        visits.filter { $0.plannedOn <= today }.map { visit in
            WorkItem("work.recordVisit", reference: "\(visit.number) · \(visit.visit)", due: visit.plannedOn.adding(days: paymentStepDays),
                     link: WorkLink("visit", visit.contract.uuidString, String(visit.visit)), section: "nav.contracts")
        }
    }

    /// An open follow-up action, as its owner's work list needs it.
    public struct FollowUp: Sendable {
        public let contract: UUID
        public let number: String
        public let visit: Int
        public let due: LocalDate

        public init(contract: UUID, number: String, visit: Int, due: LocalDate) {
            (self.contract, self.number, self.visit, self.due) = (contract, number, visit, due)
        }
    }

    /// Each open follow-up action is its owner's task until done, due on its day.
    public static func followUps(_ actions: [FollowUp], section: String) -> [WorkItem] {
        actions.map { action in
            WorkItem("work.followUp", reference: "\(action.number) · \(action.visit)", due: action.due,
                     link: WorkLink("visit", action.contract.uuidString, String(action.visit)), section: section)
        }
    }
}
