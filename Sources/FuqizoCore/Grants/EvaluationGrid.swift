/// An evaluation grid as data: sections of sub-criteria, each scored 1–5 ("very poor" to
/// "very good") and multiplied by its weight. Grids are edited before a call opens and frozen
/// after; these defaults follow the EU's grids for calls for proposals (PRAG).
public struct EvaluationGrid: Codable, Sendable, Equatable {
    public struct Criterion: Codable, Sendable, Equatable {
        public var code: String
        public var titleSq: String
        public var titleEn: String
        public var weight: Int

        public init(code: String, titleSq: String, titleEn: String, weight: Int = 1) {
            self.code = code
            self.titleSq = titleSq
            self.titleEn = titleEn
            self.weight = weight
        }

        public var maximum: Int { EvaluationGrid.maximumScore * weight }
    }

    public struct Section: Codable, Sendable, Equatable {
        public var code: String
        public var titleSq: String
        public var titleEn: String
        public var criteria: [Criterion]
        /// Taken over from the concept note's section of the same code, not scored again.
        public var carriedOver: Bool

        public init(code: String, titleSq: String, titleEn: String, criteria: [Criterion], carriedOver: Bool = false) {
            self.code = code
            self.titleSq = titleSq
            self.titleEn = titleEn
            self.criteria = criteria
            self.carriedOver = carriedOver
        }

        public var maximum: Int { criteria.reduce(0) { $0 + $1.maximum } }
    }

    public static let minimumScore = 1
    public static let maximumScore = 5

    public var sections: [Section]
    /// Applications scoring below this are out (pre-selection for a concept note).
    public var threshold: Int

    public init(sections: [Section], threshold: Int) {
        self.sections = sections
        self.threshold = threshold
    }

    public var maximum: Int { sections.reduce(0) { $0 + $1.maximum } }

    /// The criteria an evaluator scores (carried-over sections excluded).
    public var scoredCriteria: [Criterion] { sections.filter { !$0.carriedOver }.flatMap(\.criteria) }

    public enum Problem: Equatable, Sendable {
        case empty
        case duplicateCode(String)
        case invalidWeight(String)
        case thresholdOutOfRange
    }

    /// What is wrong with a grid someone edited, if anything.
    public var problems: [Problem] {
        var problems: [Problem] = []
        if sections.isEmpty || sections.contains(where: { $0.criteria.isEmpty }) { problems.append(.empty) }
        var seen = Set<String>()
        for code in sections.map(\.code) + sections.flatMap(\.criteria).map(\.code) where !seen.insert(code).inserted {
            problems.append(.duplicateCode(code))
        }
        for criterion in sections.flatMap(\.criteria) where !(1...5).contains(criterion.weight) {
            problems.append(.invalidWeight(criterion.code))
        }
        if threshold < 0 || threshold > maximum { problems.append(.thresholdOutOfRange) }
        return problems
    }

    /// Concept note: relevance 30 (the first two sub-criteria count double), design 20; total 50;
    /// pre-selection at 30.
    public static let conceptNote = EvaluationGrid(sections: [
        Section(code: "relevance", titleSq: "Rëndësia e veprimit", titleEn: "Relevance of the action", criteria: [
            Criterion(code: "1.1", titleSq: "Sa i rëndësishëm është propozimi për objektivat dhe prioritetet e thirrjes?",
                      titleEn: "How relevant is the proposal to the objectives and priorities of the call?", weight: 2),
            Criterion(code: "1.2", titleSq: "Sa i rëndësishëm është për nevojat dhe kufizimet e rajonit?",
                      titleEn: "How relevant is it to the needs and constraints of the region?", weight: 2),
            Criterion(code: "1.3", titleSq: "Sa qartë janë përcaktuar dhe zgjedhur grupet e synuara dhe përfituesit?",
                      titleEn: "How clearly defined and strategically chosen are the target groups and beneficiaries?"),
            Criterion(code: "1.4", titleSq: "A ka veprimi vlerë të shtuar të veçantë?",
                      titleEn: "Does the action contain particular added-value elements?"),
        ]),
        Section(code: "design", titleSq: "Hartimi i veprimit", titleEn: "Design of the action", criteria: [
            Criterion(code: "2.1", titleSq: "Sa koherent është hartimi i përgjithshëm i veprimit?",
                      titleEn: "How coherent is the overall design of the action?", weight: 2),
            Criterion(code: "2.2", titleSq: "A është veprimi i realizueshëm dhe në përputhje me objektivat dhe rezultatet?",
                      titleEn: "Is the action feasible and consistent with its objectives and expected results?", weight: 2),
        ]),
    ], threshold: 30)

    /// Full application: capacity 20, relevance 30 (carried over from the concept note),
    /// effectiveness and feasibility 20, sustainability 15, budget and cost-effectiveness 15.
    /// The threshold is 60 of 100: "adequate" (3 of 5) on average. PRAG's guidelines leave the
    /// overall minimum to each call; without one, an application scoring 40 could be awarded.
    public static let fullApplicationThreshold = 60
    public static let fullApplication = EvaluationGrid(sections: [
        Section(code: "capacity", titleSq: "Kapaciteti financiar dhe operacional", titleEn: "Financial and operational capacity", criteria: [
            Criterion(code: "C.1", titleSq: "Përvojë e mjaftueshme në menaxhimin e projekteve?", titleEn: "Sufficient experience of project management?"),
            Criterion(code: "C.2", titleSq: "Ekspertizë teknike e mjaftueshme?", titleEn: "Sufficient technical expertise?"),
            Criterion(code: "C.3", titleSq: "Kapacitet i mjaftueshëm menaxhimi (staf, pajisje, buxhet)?",
                      titleEn: "Sufficient management capacity (staff, equipment, ability to handle the budget)?"),
            Criterion(code: "C.4", titleSq: "Burime financimi të qëndrueshme dhe të mjaftueshme?", titleEn: "Stable and sufficient sources of finance?"),
        ]),
        Section(code: "relevance", titleSq: "Rëndësia e veprimit", titleEn: "Relevance of the action",
                criteria: conceptNote.sections[0].criteria, carriedOver: true),
        Section(code: "effectiveness", titleSq: "Efektiviteti dhe realizueshmëria", titleEn: "Effectiveness and feasibility", criteria: [
            Criterion(code: "E.1", titleSq: "Aktivitetet janë të përshtatshme dhe në përputhje me objektivat?",
                      titleEn: "Are the activities appropriate, practical and consistent with the objectives?"),
            Criterion(code: "E.2", titleSq: "Plani i veprimit është i qartë dhe i realizueshëm?", titleEn: "Is the action plan clear and feasible?"),
            Criterion(code: "E.3", titleSq: "Përmban tregues të verifikueshëm objektivisht?", titleEn: "Does it contain objectively verifiable indicators?"),
            Criterion(code: "E.4", titleSq: "Pjesëmarrja e partnerëve është e kënaqshme?", titleEn: "Is the partners' involvement satisfactory?"),
        ]),
        Section(code: "sustainability", titleSq: "Qëndrueshmëria", titleEn: "Sustainability", criteria: [
            Criterion(code: "S.1", titleSq: "Ndikim i prekshëm te grupet e synuara?", titleEn: "A tangible impact on the target groups?"),
            Criterion(code: "S.2", titleSq: "Efekte shumëfishuese?", titleEn: "Multiplier effects?"),
            Criterion(code: "S.3", titleSq: "Rezultate të qëndrueshme (financiarisht, institucionalisht)?",
                      titleEn: "Sustainable results (financially, institutionally)?"),
        ]),
        Section(code: "budget", titleSq: "Buxheti dhe efektiviteti i kostos", titleEn: "Budget and cost-effectiveness", criteria: [
            Criterion(code: "B.1", titleSq: "Raporti kosto–rezultate është i kënaqshëm?", titleEn: "Is the ratio between costs and results satisfactory?"),
            Criterion(code: "B.2", titleSq: "Shpenzimet e propozuara janë të nevojshme?", titleEn: "Is the proposed expenditure necessary?", weight: 2),
        ]),
    ], threshold: fullApplicationThreshold)
}

/// A grid as typed in the grid editor. Sections are fixed; their titles, their criteria
/// (a criterion with an empty title is removed) and the threshold can change until the call
/// is published.
public struct GridForm: Codable, Sendable, Equatable {
    public struct CriterionForm: Codable, Sendable, Equatable {
        public var code: String = ""
        public var titleSq: String = ""
        public var titleEn: String = ""
        public var weight: String = "1"

        public init(code: String = "", titleSq: String = "", titleEn: String = "", weight: String = "1") {
            self.code = code
            self.titleSq = titleSq
            self.titleEn = titleEn
            self.weight = weight
        }

        public init(from decoder: any Decoder) throws {
            let form = try decoder.container(keyedBy: CodingKeys.self)
            code = try form.text(.code)
            titleSq = try form.text(.titleSq)
            titleEn = try form.text(.titleEn)
            weight = try form.text(.weight)
        }
    }

    public struct SectionForm: Codable, Sendable, Equatable {
        public var titleSq: String = ""
        public var titleEn: String = ""
        public var criteria: [CriterionForm] = []

        public init(titleSq: String = "", titleEn: String = "", criteria: [CriterionForm] = []) {
            self.titleSq = titleSq
            self.titleEn = titleEn
            self.criteria = criteria
        }

        public init(from decoder: any Decoder) throws {
            let form = try decoder.container(keyedBy: CodingKeys.self)
            titleSq = try form.text(.titleSq)
            titleEn = try form.text(.titleEn)
            criteria = try form.decodeIfPresent([CriterionForm].self, forKey: .criteria) ?? []
        }
    }

    public var threshold: String = "0"
    public var sections: [SectionForm] = []

    public init(threshold: String = "0", sections: [SectionForm] = []) {
        self.threshold = threshold
        self.sections = sections
    }

    public init(from decoder: any Decoder) throws {
        let form = try decoder.container(keyedBy: CodingKeys.self)
        threshold = try form.text(.threshold)
        sections = try form.decodeIfPresent([SectionForm].self, forKey: .sections) ?? []
    }

    /// The form of a grid, with one empty criterion per editable section for adding one.
    public init(_ grid: EvaluationGrid) {
        threshold = String(grid.threshold)
        sections = grid.sections.map { section in
            SectionForm(titleSq: section.titleSq, titleEn: section.titleEn,
                        criteria: section.criteria.map { CriterionForm(code: $0.code, titleSq: $0.titleSq, titleEn: $0.titleEn, weight: String($0.weight)) }
                            + (section.carriedOver ? [] : [CriterionForm(weight: "1")]))
        }
    }

    /// Applies the form to `grid` (whose section codes and carried-over sections stay as they
    /// are). Field names: `threshold`, `section-<i>`, `criterion-<i>-<j>`.
    public func validated(onto grid: EvaluationGrid) -> Result<EvaluationGrid, FieldErrors> {
        var errors = FieldErrors()
        var result = grid
        guard sections.count == grid.sections.count else {
            errors.add("sections", "grid.error.sections")
            return .failure(errors)
        }
        for (i, section) in grid.sections.enumerated() where !section.carriedOver {
            let typed = sections[i]
            guard let titleSq = Text.clean(typed.titleSq), let titleEn = Text.clean(typed.titleEn) else {
                errors.add("section-\(i)", "grid.error.sectionTitle")
                continue
            }
            result.sections[i].titleSq = titleSq
            result.sections[i].titleEn = titleEn
            var criteria: [EvaluationGrid.Criterion] = []
            for (j, criterion) in typed.criteria.enumerated() {
                let sq = Text.clean(criterion.titleSq), en = Text.clean(criterion.titleEn)
                if sq == nil, en == nil { continue }
                guard let sq, let en else {
                    errors.add("criterion-\(i)-\(j)", "grid.error.criterionTitles")
                    continue
                }
                guard let weight = Int(criterion.weight.trimmingCharacters(in: .whitespaces)), (1...5).contains(weight) else {
                    errors.add("criterion-\(i)-\(j)", "grid.error.weight")
                    continue
                }
                let code = Text.clean(criterion.code) ?? "\(i + 1).\(criteria.count + 1)"
                criteria.append(.init(code: code, titleSq: sq, titleEn: en, weight: weight))
            }
            if criteria.isEmpty { errors.add("section-\(i)", "grid.error.noCriteria") }
            result.sections[i].criteria = criteria
        }
        if let value = Int(threshold.trimmingCharacters(in: .whitespaces)) {
            result.threshold = value
        } else {
            errors.add("threshold", "grid.error.threshold")
        }
        if errors.isEmpty {
            for problem in result.problems {
                switch problem {
                case .duplicateCode: errors.add("sections", "grid.error.duplicateCode")
                case .thresholdOutOfRange: errors.add("threshold", "grid.error.threshold")
                case .empty: errors.add("sections", "grid.error.noCriteria")
                case .invalidWeight: errors.add("sections", "grid.error.weight")
                }
            }
        }
        return errors.isEmpty ? .success(result) : .failure(errors)
    }
}
