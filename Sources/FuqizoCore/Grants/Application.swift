import Crypto
import Foundation

/// Which form an application is at. A two-stage call takes a concept note first and a full
/// application only from pre-selected applicants; a single-stage call only the full one.
public enum ApplicationStage: String, CaseIterable, Codable, Sendable {
    case concept
    case full

    public var catalogKey: String { "application.stage.\(rawValue)" }
}

/// Where an application is in the selection cycle.
public enum ApplicationStatus: String, CaseIterable, Codable, Sendable {
    /// Being written by the CSO; nobody else sees it.
    case draft
    /// Submitted at the current stage; read-only for the applicant.
    case submitted
    /// Failed the administrative or the eligibility check (the reasons are on the check).
    case rejected
    /// A concept note not pre-selected for the full application.
    case notPreselected
    /// Awarded a grant by the award decision.
    case awarded
    /// Above the threshold but not awarded: on the reserve list, in ranking order.
    case reserve
    /// Below the threshold at the award decision.
    case notAwarded
    /// Awarded, then withdrawn by the applicant.
    case withdrawn

    public var catalogKey: String { "application.status.\(rawValue)" }
}

/// An application as the CSO types it. Every field is text, so that a draft can hold anything
/// and a form with errors comes back exactly as it was typed; the checklist decides what may
/// be submitted.
public struct ApplicationContent: Codable, Sendable, Equatable {
    public struct ResultRow: Codable, Sendable, Equatable {
        public var result = ""
        public var indicator = ""
        public var baseline = ""
        public var target = ""

        public init(result: String = "", indicator: String = "", baseline: String = "", target: String = "") {
            self.result = result
            self.indicator = indicator
            self.baseline = baseline
            self.target = target
        }

        public init(from decoder: any Decoder) throws {
            let row = try decoder.container(keyedBy: CodingKeys.self)
            result = try row.text(.result)
            indicator = try row.text(.indicator)
            baseline = try row.text(.baseline)
            target = try row.text(.target)
        }

        var isBlank: Bool { [result, indicator, baseline, target].allSatisfy { Text.clean($0) == nil } }
        var isComplete: Bool { [result, indicator, baseline, target].allSatisfy { Text.clean($0) != nil } }
    }

    public struct LineRow: Codable, Sendable, Equatable {
        public var heading = ""
        public var description = ""
        public var units = ""
        public var unitCost = ""

        public init(heading: String = "", description: String = "", units: String = "", unitCost: String = "") {
            self.heading = heading
            self.description = description
            self.units = units
            self.unitCost = unitCost
        }

        public init(from decoder: any Decoder) throws {
            let row = try decoder.container(keyedBy: CodingKeys.self)
            heading = try row.text(.heading)
            description = try row.text(.description)
            units = try row.text(.units)
            unitCost = try row.text(.unitCost)
        }

        var isBlank: Bool { [description, units, unitCost].allSatisfy { Text.clean($0) == nil } }
    }

    /// The narrative sections, in the order of the form.
    public enum Section: String, CaseIterable, Sendable {
        case title, summary, problem, activities, workPlan, partners, sustainability

        public var catalogKey: String { "application.section.\(rawValue)" }

        /// What a concept note must say; the full application says everything.
        public var inConceptNote: Bool { [.title, .summary, .problem, .activities].contains(self) }
    }

    public var title = ""
    public var summary = ""
    public var problem = ""
    public var activities = ""
    public var workPlan = ""
    public var partners = ""
    public var sustainability = ""
    public var objective = ""
    public var results: [ResultRow] = []
    public var lines: [LineRow] = []
    public var requested = ""

    public init() {}

    public init(from decoder: any Decoder) throws {
        let form = try decoder.container(keyedBy: CodingKeys.self)
        title = try form.text(.title)
        summary = try form.text(.summary)
        problem = try form.text(.problem)
        activities = try form.text(.activities)
        workPlan = try form.text(.workPlan)
        partners = try form.text(.partners)
        sustainability = try form.text(.sustainability)
        objective = try form.text(.objective)
        results = try form.decodeIfPresent([ResultRow].self, forKey: .results) ?? []
        lines = try form.decodeIfPresent([LineRow].self, forKey: .lines) ?? []
        requested = try form.text(.requested)
    }

    public subscript(section: Section) -> String {
        switch section {
        case .title: title
        case .summary: summary
        case .problem: problem
        case .activities: activities
        case .workPlan: workPlan
        case .partners: partners
        case .sustainability: sustainability
        }
    }

    /// The longest a narrative section may be, in characters (about four pages).
    public static let maximumSectionLength = 12_000
    public static let maximumTitleLength = 200

    /// Drops the empty rows a form offers for adding more, so stored drafts stay small.
    public func trimmed() -> ApplicationContent {
        var copy = self
        copy.results = results.filter { !$0.isBlank }
        copy.lines = lines.filter { !$0.isBlank }
        return copy
    }

    /// The budget lines as numbers; rows that are not numbers yet are reported by index.
    public func budget(currency: String) -> (budget: Budget, errors: FieldErrors) {
        var errors = FieldErrors()
        var parsed: [BudgetLine] = []
        for (index, line) in lines.enumerated() where !line.isBlank {
            let heading = BudgetHeading(rawValue: line.heading)
            let amounts = BudgetLine.parse(units: line.units, unitCost: line.unitCost, currency: currency)
            guard let heading, let amounts else {
                errors.add("line-\(index)", heading == nil ? "budget.error.lineHeading" : "budget.error.lineAmount")
                continue
            }
            parsed.append(BudgetLine(heading: heading, description: line.description, units: amounts.units, unitCostMinorUnits: amounts.cost.minorUnits))
        }
        let requestedAmount = Money(parsing: requested, currency: currency)?.minorUnits ?? 0
        return (Budget(lines: parsed, requestedMinorUnits: requestedAmount), errors)
    }

    /// The submission checklist: every missing or invalid item against its field. Empty means
    /// the application may be submitted at this stage.
    public func problems(stage: ApplicationStage, rules: GrantRules, currency: String) -> FieldErrors {
        var errors = FieldErrors()
        for section in Section.allCases where stage == .full || section.inConceptNote {
            let text = Text.clean(self[section])
            if text == nil { errors.add(section.rawValue, "form.error.required") }
            let limit = section == .title ? Self.maximumTitleLength : Self.maximumSectionLength
            if (text?.count ?? 0) > limit { errors.add(section.rawValue, "form.error.tooLong") }
        }
        guard let requestedAmount = Money(parsing: requested, currency: currency) else {
            errors.add("requested", Text.clean(requested) == nil ? "form.error.required" : "call.error.amount")
            return errors
        }
        if stage == .concept {
            // A concept note states the amount it will ask for; the budget comes with the full application.
            if requestedAmount.minorUnits < rules.minimumGrantMinorUnits { errors.add("requested", "budget.error.belowMinimum") }
            if requestedAmount.minorUnits > rules.maximumGrantMinorUnits { errors.add("requested", "budget.error.aboveMaximum") }
            return errors
        }
        if Text.clean(objective) == nil { errors.add("objective", "form.error.required") }
        let filled = results.filter { !$0.isBlank }
        if filled.isEmpty { errors.add("results", "application.error.noResults") }
        for (index, row) in results.enumerated() where !row.isBlank && !row.isComplete {
            errors.add("result-\(index)", "application.error.resultIncomplete")
        }
        let (budget, lineErrors) = self.budget(currency: currency)
        errors.merge(lineErrors)
        var budgetErrors = budget.problems(under: rules)
        if lineErrors.isEmpty == false, budget.lines.isEmpty { budgetErrors = budgetErrors.removing("budget") }
        // Budget.problems reports lines by their index among parsed lines; map them back.
        let rowIndices = lines.indices.filter { !lines[$0].isBlank && lineErrors["line-\($0)"] == nil }
        for (field, key) in budgetErrors.messages {
            if field.hasPrefix("line-"), let parsedIndex = Int(field.dropFirst(5)), parsedIndex < rowIndices.count {
                errors.add("line-\(rowIndices[parsedIndex])", key)
            } else {
                errors.add(field, key)
            }
        }
        return errors
    }

    /// The digest a receipt quotes: SHA-256 over the stored form of the content and the
    /// digests of its attachments, so the CSO and the programme can later prove exactly what
    /// was submitted.
    public func contentDigest(attachments: [AttachedDocument] = []) -> String {
        struct Submitted: Encodable {
            let content: ApplicationContent
            let attachments: [AttachedDocument]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let submitted = Submitted(content: trimmed(), attachments: attachments.sorted { ($0.digest, $0.label) < ($1.digest, $1.label) })
        let data = (try? encoder.encode(submitted)) ?? Data()
        return SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}

/// An attachment as the submission digest covers it: what it is called and its bytes' digest.
public struct AttachedDocument: Codable, Sendable, Equatable {
    public let label: String
    public let digest: String

    public init(label: String, digest: String) {
        self.label = label
        self.digest = digest
    }
}

extension FieldErrors {
    func removing(_ field: String) -> FieldErrors {
        var copy = FieldErrors()
        for (name, key) in messages where name != field { copy.add(name, key) }
        return copy
    }
}
