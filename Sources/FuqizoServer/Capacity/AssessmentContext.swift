import Foundation
import FuqizoCore
import Vapor

/// One CSO's self-assessment (the form while it is a draft, the answers and the facilitator's
/// changes after), and the CSO's capacity page: every round's scores as a radar chart drawn on
/// the server, the same figures as a table, and the gain per domain.
enum AssessmentContext {
    struct Level: Encodable {
        let value: Int
        let text: String
        let checked: Bool
    }

    struct Question: Encodable {
        let key: String
        let anchor: String
        let text: String
        let levels: [Level]
        /// The answer as read: "3 — …", or "not answered".
        let answer: String
        let evidence: String
        let errorKey: String?
        let evidenceErrorKey: String?
        let changed: Bool
    }

    struct Domain: Encodable {
        let name: String
        let score: String?
        let questions: [Question]
    }

    struct Change: Encodable {
        let question: String
        let line: String
        let reason: String
    }

    struct Page: Encodable {
        let id: String
        let round: String
        let kind: String
        let organisation: String
        let organisationHref: String
        let status: String
        let due: String
        let overall: String?
        let domains: [Domain]
        let changes: [Change]
        let canFill: Bool
        let canChange: Bool
        let canReview: Bool
        let canConfirm: Bool
        let changeFields: [FieldContext]
        let hasErrors: Bool
    }

    static func page(_ req: Request, _ assessment: SelfAssessment, changes: [AssessmentChange], people: [UUID: String],
                     typed: SelfAssessmentForm? = nil, change: ChangeForm = ChangeForm(), errors: FieldErrors = .init()) throws -> Page {
        let language = req.language
        let instrument = try assessment.round.instrument.instrument()
        let answers = try assessment.decodedAnswers()
        let actor = req.actor
        let resource = assessment.resource
        let canFill = assessment.status == .draft && Policy.decide(actor, .fillSelfAssessment, resource).isAllowed
        let canFacilitate = Policy.decide(actor, .facilitateAssessment, resource).isAllowed
        let canConfirm = assessment.status == .reviewed && Policy.decide(actor, .fillSelfAssessment, resource).isAllowed
        let changedKeys = Set(changes.map(\.question))
        let scores = CapacityScoring.domainScores(instrument, answers)
        let texts = Dictionary(instrument.questions.map { ($0.key, language.pick($0.textSq, $0.textEn)) }, uniquingKeysWith: { a, _ in a })
        func levelText(_ key: String, _ level: Int?) -> String {
            guard let level, let question = instrument.questions.first(where: { $0.key == key }),
                  question.levelsSq.indices.contains(level - 1) else { return req.t("assessment.unanswered") }
            return "\(level) — \(language.pick(question.levelsSq, question.levelsEn)[level - 1])"
        }
        let domains = instrument.domains.map { domain in
            Domain(name: language.pick(domain.nameSq, domain.nameEn), score: scores[domain.key]?.written(language),
                   questions: domain.questions.map { question in
                       let chosen = typed.map { Bounded.integer($0.level[question.key] ?? "", in: CapacityInstrument.levels) } ?? answers.levels[question.key]
                       return Question(
                           key: question.key, anchor: question.key.replacingOccurrences(of: ".", with: "-"),
                           text: language.pick(question.textSq, question.textEn),
                           levels: language.pick(question.levelsSq, question.levelsEn).enumerated().map { index, text in
                               Level(value: index + 1, text: text, checked: chosen == index + 1)
                           },
                           answer: levelText(question.key, answers.levels[question.key]),
                           evidence: typed?.evidence[question.key] ?? answers.evidence[question.key] ?? "",
                           errorKey: errors["level.\(question.key)"], evidenceErrorKey: errors["evidence.\(question.key)"],
                           changed: changedKeys.contains(question.key))
                   })
        }
        let canChange = assessment.status == .submitted && canFacilitate
        return Page(
            id: try assessment.requireID().uuidString, round: assessment.round.reference, kind: req.t(assessment.round.kind.catalogKey),
            organisation: assessment.organisation.nameSq, organisationHref: SiteURL.organisationCapacity(assessment.$organisation.id).path,
            status: req.t(assessment.status.catalogKey), due: Display.date(iso: assessment.round.dueOn, language),
            overall: CapacityScoring.overall(scores)?.written(language),
            domains: domains,
            changes: changes.map { change in
                Change(question: texts[change.question] ?? change.question,
                       line: req.t("assessment.change.line", [
                           "from": change.fromLevel.map(String.init) ?? "—", "to": String(change.toLevel),
                           "who": people[change.changedBy] ?? req.t("audit.who.removed"),
                           "when": change.changedAt.map { Display.day($0, language) } ?? "",
                       ]),
                       reason: change.reason)
            },
            canFill: canFill, canChange: canChange, canReview: canChange, canConfirm: canConfirm,
            changeFields: canChange ? [
                FieldContext("question", label: "assessment.field.question", kind: "select", value: change.question,
                             options: instrument.questions.map { .init(value: $0.key, label: "\($0.key) · \(texts[$0.key] ?? "")", selected: $0.key == change.question) },
                             errors: errors, required: true),
                FieldContext("level", label: "assessment.field.level", kind: "select", value: change.level,
                             options: CapacityInstrument.levels.map { .init(value: String($0), label: String($0), selected: String($0) == change.level) },
                             errors: errors, required: true),
                FieldContext("reason", label: "assessment.field.reason", kind: "textarea", value: change.reason, errors: errors, required: true,
                             hint: "assessment.reason.hint"),
            ] : [],
            hasErrors: !errors.isEmpty)
    }

    // MARK: the CSO's capacity page

    /// One confirmed round of a CSO: its scores by domain.
    struct Scored {
        let reference: String
        let kind: RoundKind
        let scores: [String: CapacityScore]
    }

    struct Series: Encodable {
        let label: String
        let points: String
        let style: Int
    }

    struct Axis: Encodable {
        let number: Int
        let x: String
        let y: String
        let labelX: String
        let labelY: String
    }

    struct TableRow: Encodable {
        let number: Int
        let domain: String
        let scores: [String]
        let gain: String?
        let gainClass: String
    }

    struct CapacityPage: Encodable {
        let organisation: String
        let rings: [String]
        let axes: [Axis]
        let series: [Series]
        let rounds: [String]
        let rows: [TableRow]
        let overall: [String]
        let hasGain: Bool
        let open: [CapacityContext.OwnLine]
        let plan: PeopleContext.Plan
        let peopleHref: String?
    }

    /// The radar's geometry: a 320-unit square, level 4 at radius 120, domains clockwise from the top.
    static let centre = 160.0, radius = 120.0

    static func point(_ index: Int, of count: Int, value: Double) -> (Double, Double) {
        let angle = -Double.pi / 2 + 2 * Double.pi * Double(index) / Double(max(count, 1))
        let r = radius * value / 4
        return (centre + r * cos(angle), centre + r * sin(angle))
    }

    static func written(_ value: Double) -> String { String(format: "%.1f", value) }

    static func polygon(_ values: [Double]) -> String {
        values.enumerated().map { index, value in
            let (x, y) = point(index, of: values.count, value: value)
            return "\(written(x)),\(written(y))"
        }.joined(separator: " ")
    }

    static func capacity(_ req: Request, organisation: Organisation, instrument: CapacityInstrument?, rounds: [Scored],
                         open: [CapacityContext.OwnLine], plan: PeopleContext.Plan) -> CapacityPage {
        let language = req.language
        let domains = instrument?.domains ?? []
        let count = domains.count
        let first = rounds.first, last = rounds.count > 1 ? rounds.last : nil
        let gains = first.flatMap { first in last.map { CapacityScoring.gains(from: first.scores, to: $0.scores) } } ?? [:]
        return CapacityPage(
            organisation: organisation.nameSq,
            rings: (1...4).map { ring in polygon(Array(repeating: Double(ring), count: count)) },
            axes: domains.indices.map { index in
                let (x, y) = point(index, of: count, value: 4)
                let (lx, ly) = point(index, of: count, value: 4.45)
                return Axis(number: index + 1, x: written(x), y: written(y), labelX: written(lx), labelY: written(ly + 4))
            },
            series: rounds.enumerated().map { index, round in
                Series(label: "\(round.reference) · \(req.t(round.kind.catalogKey))",
                       points: polygon(domains.map { Double(round.scores[$0.key]?.hundredths ?? 0) / 100 }), style: index % 4)
            },
            rounds: rounds.map { "\($0.reference) · \(req.t($0.kind.catalogKey))" },
            rows: domains.enumerated().map { index, domain in
                let gain = gains[domain.key]
                return TableRow(number: index + 1, domain: language.pick(domain.nameSq, domain.nameEn),
                                scores: rounds.map { $0.scores[domain.key]?.written(language) ?? "—" },
                                gain: gain.map { signed($0, language) }, gainClass: gain.map { $0 > 0 ? "gain" : $0 < 0 ? "loss" : "" } ?? "")
            },
            overall: rounds.map { CapacityScoring.overall($0.scores)?.written(language) ?? "—" },
            hasGain: last != nil, open: open, plan: plan,
            peopleHref: organisation.id.flatMap { id in
                Policy.decide(req.actor, .manageCsoPeople, .organisation(id)).isAllowed ? SiteURL.csoPeople(id).path : nil
            })
    }

    /// "+0,40", "−0,25", "0,00" in hundredths of a level.
    static func signed(_ hundredths: Int, _ language: Language) -> String {
        let magnitude = CapacityScore(total: abs(hundredths), count: 100)?.written(language) ?? ""
        return hundredths > 0 ? "+" + magnitude : hundredths < 0 ? "−" + magnitude : magnitude
    }
}
