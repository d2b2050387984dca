import Foundation

/// A self-assessment as typed: a level (1–4) and an evidence note per question key. Unknown
/// keys are ignored; what was typed comes back as it was.
public struct SelfAssessmentForm: Codable, Sendable, Equatable {
    public var level: [String: String] = [:]
    public var evidence: [String: String] = [:]
    /// `save` keeps a draft; `submit` sends it to the facilitator.
    public var intent = ""

    public init(level: [String: String] = [:], evidence: [String: String] = [:], intent: String = "") {
        (self.level, self.evidence, self.intent) = (level, evidence, intent)
    }

    public init(from decoder: any Decoder) throws {
        let form = try decoder.container(keyedBy: CodingKeys.self)
        level = try form.decodeIfPresent([String: String].self, forKey: .level) ?? [:]
        evidence = try form.decodeIfPresent([String: String].self, forKey: .evidence) ?? [:]
        intent = try form.text(.intent)
    }

    /// The answers as they stand: `CapacityAnswers.levels` only for the levels given, errors
    /// for a level off the scale or a note too long, and, when submitting, for each
    /// question left without a level. Field names are `level.<key>` and `evidence.<key>`.
    public func validated(_ instrument: CapacityInstrument, submitting: Bool) -> Result<CapacityAnswers, FieldErrors> {
        var errors = FieldErrors()
        var answers = CapacityAnswers()
        for question in instrument.questions {
            let typed = (level[question.key] ?? "").trimmingCharacters(in: .whitespaces)
            if typed.isEmpty {
                if submitting { errors.add("level.\(question.key)", "assessment.error.unanswered") }
            } else if let value = Bounded.integer(typed, in: CapacityInstrument.levels) {
                answers.levels[question.key] = value
            } else {
                errors.add("level.\(question.key)", "assessment.error.level")
            }
            if let note = Text.clean(evidence[question.key]) {
                if note.count > CapacityInstrument.maximumText { errors.add("evidence.\(question.key)", "form.error.tooLong") }
                else { answers.evidence[question.key] = note }
            }
        }
        return errors.isEmpty ? .success(answers) : .failure(errors)
    }
}

/// Opening a round: its kind, the instrument, the day self-assessments are due, the
/// facilitator, and which CSOs (every active CSO of the regions ticked; none ticked: all).
public struct RoundForm: Codable, Sendable, Equatable {
    public var kind = ""
    public var instrument = ""
    public var dueOn = ""
    public var facilitator = ""
    public var regions: [String] = []

    public init(kind: String = "", instrument: String = "", dueOn: String = "", facilitator: String = "", regions: [String] = []) {
        (self.kind, self.instrument, self.dueOn, self.facilitator, self.regions) = (kind, instrument, dueOn, facilitator, regions)
    }

    public init(from decoder: any Decoder) throws {
        let form = try decoder.container(keyedBy: CodingKeys.self)
        kind = try form.text(.kind)
        instrument = try form.text(.instrument)
        dueOn = try form.text(.dueOn)
        facilitator = try form.text(.facilitator)
        regions = try form.list(.regions)
    }

    public struct Round: Sendable, Equatable {
        public let kind: RoundKind
        public let instrument: UUID
        public let dueOn: LocalDate
        public let facilitator: UUID
        public let regions: Set<UUID>
    }

    /// A kind, an instrument and a facilitator among those offered, a due day from today on
    /// (at most two years ahead), regions among those offered.
    public func validated(instruments: Set<UUID>, facilitators: Set<UUID>, regions known: Set<UUID>, today: LocalDate) -> Result<Round, FieldErrors> {
        var errors = FieldErrors()
        let kind = RoundKind(rawValue: kind)
        if kind == nil { errors.add("kind", "form.error.choose") }
        let instrument = UUID(uuidString: instrument).flatMap { instruments.contains($0) ? $0 : nil }
        if instrument == nil { errors.add("instrument", "form.error.choose") }
        let facilitator = UUID(uuidString: facilitator).flatMap { facilitators.contains($0) ? $0 : nil }
        if facilitator == nil { errors.add("facilitator", "form.error.choose") }
        let due = LocalDate(dueOn.trimmingCharacters(in: .whitespaces))
        if let due {
            if due < today || due > today.adding(days: 730) { errors.add("dueOn", "round.error.dueOn") }
        } else { errors.add("dueOn", "form.error.date") }
        let chosen = regions.compactMap(UUID.init(uuidString:))
        if chosen.count != regions.count || !Set(chosen).isSubset(of: known) { errors.add("regions", "form.error.choose") }
        guard errors.isEmpty, let kind, let instrument, let facilitator, let due else { return .failure(errors) }
        return .success(Round(kind: kind, instrument: instrument, dueOn: due, facilitator: facilitator, regions: Set(chosen)))
    }
}

/// A facilitator's change to one answer, as typed: the question, the new level, the reason.
public struct ChangeForm: Codable, Sendable, Equatable {
    public var question = ""
    public var level = ""
    public var reason = ""

    public init(question: String = "", level: String = "", reason: String = "") {
        (self.question, self.level, self.reason) = (question, level, reason)
    }

    public init(from decoder: any Decoder) throws {
        let form = try decoder.container(keyedBy: CodingKeys.self)
        question = try form.text(.question)
        level = try form.text(.level)
        reason = try form.text(.reason)
    }

    /// The change, checked by `FacilitatorChange.validated`, with its refusal on the field it is about.
    public func validated(from current: Int?, _ instrument: CapacityInstrument) -> Result<FacilitatorChange, FieldErrors> {
        var errors = FieldErrors()
        guard let to = Bounded.integer(level.trimmingCharacters(in: .whitespaces), in: CapacityInstrument.levels) else {
            errors.add("level", "assessment.error.level")
            return .failure(errors)
        }
        switch FacilitatorChange.validated(question: question, from: current, to: to, reason: reason, instrument: instrument) {
        case .success(let change): return .success(change)
        case .failure(let refusal):
            errors.add(refusal.messageKey == "assessment.error.reason" ? "reason" : "level", refusal.messageKey)
            return .failure(errors)
        }
    }
}

/// One domain of an instrument as typed on its edit page: the names, and for each question
/// row its texts and the four levels in both languages. A row whose texts are all blank is
/// dropped (that is how a question is removed); a new row gets a fresh key.
public struct DomainForm: Codable, Sendable, Equatable {
    public struct Row: Codable, Sendable, Equatable {
        public var key = ""
        public var textSq = ""
        public var textEn = ""
        public var levelsSq: [String] = []
        public var levelsEn: [String] = []

        public init(key: String = "", textSq: String = "", textEn: String = "", levelsSq: [String] = [], levelsEn: [String] = []) {
            (self.key, self.textSq, self.textEn, self.levelsSq, self.levelsEn) = (key, textSq, textEn, levelsSq, levelsEn)
        }

        public init(from decoder: any Decoder) throws {
            let form = try decoder.container(keyedBy: CodingKeys.self)
            key = try form.text(.key)
            textSq = try form.text(.textSq)
            textEn = try form.text(.textEn)
            levelsSq = try form.list(.levelsSq)
            levelsEn = try form.list(.levelsEn)
        }

        var isBlank: Bool { ([textSq, textEn] + levelsSq + levelsEn).allSatisfy { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty } }
    }

    public var nameSq = ""
    public var nameEn = ""
    public var rows: [Row] = []

    public init(nameSq: String = "", nameEn: String = "", rows: [Row] = []) {
        (self.nameSq, self.nameEn, self.rows) = (nameSq, nameEn, rows)
    }

    public init(_ domain: CapacityInstrument.Domain) {
        self.init(nameSq: domain.nameSq, nameEn: domain.nameEn, rows: domain.questions.map {
            Row(key: $0.key, textSq: $0.textSq, textEn: $0.textEn, levelsSq: $0.levelsSq, levelsEn: $0.levelsEn)
        })
    }

    public init(from decoder: any Decoder) throws {
        let form = try decoder.container(keyedBy: CodingKeys.self)
        nameSq = try form.text(.nameSq)
        nameEn = try form.text(.nameEn)
        rows = try form.decodeIfPresent([Row].self, forKey: .rows) ?? []
    }

    /// The instrument with this domain replaced, or the problems (`CapacityInstrument.problems`)
    /// on the `domain` field. New questions get the key `<domain>.<n>`, past every key in use.
    public func applied(to instrument: CapacityInstrument, domain key: String) -> Result<CapacityInstrument, FieldErrors> {
        var errors = FieldErrors()
        guard let index = instrument.domains.firstIndex(where: { $0.key == key }) else {
            errors.add("domain", "instrument.error.keys")
            return .failure(errors)
        }
        let used = Set(instrument.questions.map(\.key))
        var next = 1
        func freshKey() -> String {
            while used.contains("\(key).\(next)") { next += 1 }
            defer { next += 1 }
            return "\(key).\(next)"
        }
        let own = Set(instrument.domains[index].questions.map(\.key))
        let questions = rows.filter { !$0.isBlank }.prefix(CapacityInstrument.maximumQuestions + 1).map { row in
            CapacityInstrument.Question(key: own.contains(row.key) ? row.key : freshKey(),
                                        textSq: row.textSq.trimmingCharacters(in: .whitespacesAndNewlines),
                                        textEn: row.textEn.trimmingCharacters(in: .whitespacesAndNewlines),
                                        levelsSq: row.levelsSq.prefix(5).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) },
                                        levelsEn: row.levelsEn.prefix(5).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) })
        }
        var edited = instrument
        edited.domains[index] = CapacityInstrument.Domain(key: key, nameSq: nameSq.trimmingCharacters(in: .whitespacesAndNewlines),
                                                          nameEn: nameEn.trimmingCharacters(in: .whitespacesAndNewlines), questions: Array(questions))
        if let problem = edited.problems().first {
            errors.add("domain", problem)
            return .failure(errors)
        }
        return .success(edited)
    }
}
