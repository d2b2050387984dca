import Foundation

/// A member of a CSO's staff, board or volunteers whom trainings are for. Most never have an
/// account. Never a survivor: these records never mix with survivor records.
public enum PersonSex: String, CaseIterable, Codable, Sendable {
    case female, male, other, unstated

    public var catalogKey: String { "person.sex.\(rawValue)" }
}


public struct CsoPersonForm: Codable, Sendable, Equatable {
    public var name = ""
    public var role = ""
    public var email = ""
    public var phone = ""
    public var sex = ""
    public var ageBand = ""

    public init(name: String = "", role: String = "", email: String = "", phone: String = "", sex: String = "", ageBand: String = "") {
        (self.name, self.role, self.email, self.phone, self.sex, self.ageBand) = (name, role, email, phone, sex, ageBand)
    }

    public init(from decoder: any Decoder) throws {
        let form = try decoder.container(keyedBy: CodingKeys.self)
        name = try form.text(.name)
        role = try form.text(.role)
        email = try form.text(.email)
        phone = try form.text(.phone)
        sex = try form.text(.sex)
        ageBand = try form.text(.ageBand)
    }

    public struct Person: Sendable, Equatable {
        public let name: String
        public let role: String
        public let email: String?
        public let phone: String?
        public let sex: PersonSex
        public let ageBand: AgeBand
    }

    public static let maximumText = 120

    /// Age bands are the survivors' statistics' own (`AgeBand`), so indicators add up.
    /// A name, a role in the CSO, an e-mail address or a phone number (at least one: that is
    /// how a test link or a place freed on a waitlist reaches them), sex and age band.
    public func validated() -> Result<Person, FieldErrors> {
        var errors = FieldErrors()
        func text(_ value: String, _ field: String, required: Bool, limit: Int = Self.maximumText) -> String? {
            guard let clean = Text.clean(value) else {
                if required { errors.add(field, "form.error.required") }
                return nil
            }
            if clean.count > limit { errors.add(field, "form.error.tooLong") }
            return clean
        }
        let name = text(name, "name", required: true)
        let role = text(role, "role", required: true)
        var email = text(email, "email", required: false, limit: 254)
        if let address = email {
            if Text.isEmail(address) { email = Text.normalisedEmail(address) } else { errors.add("email", "form.error.email") }
        }
        let phone = text(phone, "phone", required: false, limit: 40)
        if let phone, !phone.allSatisfy({ $0.isNumber || " +-()/".contains($0) }) { errors.add("phone", "person.error.phone") }
        if email == nil, phone == nil { errors.add("email", "person.error.contact") }
        let sex = PersonSex(rawValue: sex)
        if sex == nil { errors.add("sex", "form.error.choose") }
        let band = AgeBand(rawValue: ageBand)
        if band == nil { errors.add("ageBand", "form.error.choose") }
        guard errors.isEmpty, let name, let role, let sex, let band else { return .failure(errors) }
        return .success(Person(name: name, role: role, email: email, phone: phone, sex: sex, ageBand: band))
    }
}

// MARK: the action plan

/// Where an action of a CSO's plan stands.
public enum PlanActionStatus: String, CaseIterable, Codable, Sendable {
    case planned, inProgress, done, dropped

    public var catalogKey: String { "action.status.\(rawValue)" }
    public var isOpen: Bool { self == .planned || self == .inProgress }
}

public struct PlanActionForm: Codable, Sendable, Equatable {
    public var domain = ""
    public var action = ""
    public var owner = ""
    public var dueOn = ""
    public var status = ""

    public init(domain: String = "", action: String = "", owner: String = "", dueOn: String = "", status: String = "") {
        (self.domain, self.action, self.owner, self.dueOn, self.status) = (domain, action, owner, dueOn, status)
    }

    public init(from decoder: any Decoder) throws {
        let form = try decoder.container(keyedBy: CodingKeys.self)
        domain = try form.text(.domain)
        action = try form.text(.action)
        owner = try form.text(.owner)
        dueOn = try form.text(.dueOn)
        status = try form.text(.status)
    }

    public struct Action: Sendable, Equatable {
        public let domain: String
        public let action: String
        public let owner: String
        public let dueOn: LocalDate
        public let status: PlanActionStatus
    }

    public static let maximumAction = 1_000

    /// A domain of the instrument, what is to be done, who does it, by when (within five
    /// years), and its status (planned when new).
    public func validated(domains: Set<String>, today: LocalDate) -> Result<Action, FieldErrors> {
        var errors = FieldErrors()
        if !domains.contains(domain) { errors.add("domain", "form.error.choose") }
        let action = Text.clean(action)
        if action == nil { errors.add("action", "form.error.required") } else if action!.count > Self.maximumAction { errors.add("action", "form.error.tooLong") }
        let owner = Text.clean(owner)
        if owner == nil { errors.add("owner", "form.error.required") } else if owner!.count > CsoPersonForm.maximumText { errors.add("owner", "form.error.tooLong") }
        let due = LocalDate(dueOn.trimmingCharacters(in: .whitespaces))
        if let due {
            if due < today.adding(days: -366) || due > today.adding(days: 5 * 366) { errors.add("dueOn", "action.error.dueOn") }
        } else { errors.add("dueOn", "form.error.date") }
        let status = status.isEmpty ? .planned : PlanActionStatus(rawValue: status)
        if status == nil { errors.add("status", "form.error.choose") }
        guard errors.isEmpty, let action, let owner, let due, let status else { return .failure(errors) }
        return .success(Action(domain: domain, action: action, owner: owner, dueOn: due, status: status))
    }
}

public enum ActionPlan {
    /// The domains a CSO's plan should start with: those scored below the threshold (2.5 by
    /// default) in its latest confirmed round, lowest first, ties in the instrument's order.
    public static func priorityDomains(_ scores: [String: CapacityScore], order: [String],
                                       thresholdHundredths: Int = NeedsMap.defaultThresholdHundredths) -> [String] {
        let below = order.filter { scores[$0]?.isBelow(hundredths: thresholdHundredths) == true }
        return below.enumerated().sorted { a, b in
            let (sa, sb) = (scores[a.element]!, scores[b.element]!)
            return sa == sb ? a.offset < b.offset : sa < sb
        }.map(\.element)
    }

    /// The domains whose trainings a CSO's plan shows: its priority domains in their order,
    /// then those of its open actions (planned or in progress) in the instrument's order.
    /// Domains the instrument does not have are left out.
    public static func trainingDomains(priorities: [String], openActions: [String], order: [String]) -> [String] {
        let known = Set(order)
        let first = priorities.filter { known.contains($0) }
        let wanted = Set(openActions).subtracting(first)
        return first + order.filter { wanted.contains($0) }
    }
}
