import Foundation
import FuqizoCore
import Vapor

/// The capacity assessment pages of the programme's staff: the rounds and instruments, a
/// round's self-assessments, an instrument and its domain editor, the needs map.
enum CapacityContext {
    struct RoundLine: Encodable {
        let href: String
        let reference: String
        let kind: String
        let due: String
        let progress: String
    }

    struct InstrumentLine: Encodable {
        let href: String
        let name: String
        let state: String
    }

    struct OwnLine: Encodable {
        let href: String
        let round: String
        let organisation: String
        let status: String
        let due: String
    }

    struct Index: Encodable {
        let isStaff: Bool
        let rounds: [RoundLine]
        let instruments: [InstrumentLine]
        let own: [OwnLine]
        let organisations: [InstrumentLine]
    }

    static func index(_ req: Request, rounds: [AssessmentService.RoundRow], instruments: [InstrumentRecord],
                      own: [CapacityFigures.OwnRow], organisations: [Organisation]) -> Index {
        let language = req.language
        return Index(
            isStaff: Policy.decide(req.actor, .manageCapacity).isAllowed,
            rounds: rounds.map { row in
                RoundLine(href: SiteURL.capacityRound(row.id).path, reference: row.reference,
                          kind: req.t(RoundKind(rawValue: row.kind)?.catalogKey ?? row.kind),
                          due: Display.date(iso: row.dueOn, language),
                          progress: req.t("round.progress", ["confirmed": Display.count(row.confirmed, language),
                                                             "submitted": Display.count(row.submitted, language),
                                                             "all": Display.count(row.assessments, language)]))
            },
            instruments: instruments.compactMap { record in
                record.id.map { InstrumentLine(href: SiteURL.capacityInstrument($0).path, name: record.name,
                                               state: req.t(record.frozen ? "instrument.frozen" : "instrument.editable")) }
            },
            own: own.map { row in
                OwnLine(href: SiteURL.selfAssessment(row.id).path,
                        round: row.reference + " · " + req.t(RoundKind(rawValue: row.kind)?.catalogKey ?? row.kind),
                        organisation: row.organisation, status: req.t(SelfAssessmentStatus(rawValue: row.status)?.catalogKey ?? row.status),
                        due: Display.date(iso: row.dueOn, language))
            },
            organisations: organisations.compactMap { organisation in
                organisation.id.map { InstrumentLine(href: SiteURL.organisationCapacity($0).path, name: organisation.nameSq, state: "") }
            })
    }

    // MARK: opening a round

    struct RoundFormPage: Encodable {
        let fields: [FieldContext]
        let hasErrors: Bool
    }

    static func roundForm(_ req: Request, form: RoundForm, instruments: [InstrumentRecord], facilitators: [(id: UUID, name: String)],
                          regions: [GeographyDirectory.Region], errors: FieldErrors) -> RoundFormPage {
        let language = req.language
        return RoundFormPage(fields: [
            FieldContext("kind", label: "round.field.kind", kind: "radios", value: form.kind,
                         options: RoundKind.allCases.map { .init(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0.rawValue == form.kind) },
                         errors: errors, required: true),
            FieldContext("instrument", label: "round.field.instrument", kind: "select", value: form.instrument,
                         options: instruments.compactMap { record in
                             record.id.map { .init(value: $0.uuidString, label: record.name, selected: $0.uuidString == form.instrument) }
                         }, errors: errors, required: true, hint: "round.instrument.hint"),
            FieldContext("dueOn", label: "round.field.dueOn", kind: "date", value: form.dueOn, errors: errors, required: true),
            FieldContext("facilitator", label: "round.field.facilitator", kind: "select", value: form.facilitator,
                         options: VisitContext.staffOptions(facilitators, selected: form.facilitator), errors: errors, required: true),
            FieldContext("regions", label: "round.field.regions", kind: "checkboxes",
                         options: regions.map { .init(value: $0.id.uuidString, label: $0.name(language), selected: form.regions.contains($0.id.uuidString)) },
                         errors: errors, hint: "round.regions.hint"),
        ], hasErrors: !errors.isEmpty)
    }

    // MARK: one round

    struct AssessmentLine: Encodable {
        let href: String
        let organisation: String
        let status: String
    }

    struct Filter: Encodable {
        let href: String
        let label: String
        let current: Bool
    }

    struct RoundPage: Encodable {
        let reference: String
        let kind: String
        let due: String
        let instrument: String
        let instrumentHref: String
        let needsHref: String
        let filters: [Filter]
        let rows: [AssessmentLine]
        let pages: PageLinks
    }

    static func round(_ req: Request, _ round: AssessmentRound, status: SelfAssessmentStatus?,
                      rows: [AssessmentService.AssessmentRow], pager: Pager) throws -> RoundPage {
        let id = try round.requireID()
        let base = SiteURL.capacityRound(id)
        let statuses: [SelfAssessmentStatus?] = [nil] + SelfAssessmentStatus.allCases
        return RoundPage(
            reference: round.reference, kind: req.t(round.kind.catalogKey), due: Display.date(iso: round.dueOn, req.language),
            instrument: round.instrument.name, instrumentHref: SiteURL.capacityInstrument(round.$instrument.id).path,
            needsHref: SiteURL.needsMap.with([("round", id.uuidString)]),
            filters: statuses.map { option in
                Filter(href: base.with([("status", option?.rawValue)]), label: req.t(option?.catalogKey ?? "round.filter.all"), current: option == status)
            },
            rows: rows.map { row in
                AssessmentLine(href: SiteURL.selfAssessment(row.id).path, organisation: row.name,
                               status: req.t(SelfAssessmentStatus(rawValue: row.status)?.catalogKey ?? row.status))
            },
            pages: PageLinks(pager) { base.with([("status", status?.rawValue), ("page", String($0))]) })
    }

    // MARK: instruments

    struct QuestionView: Encodable {
        let key: String
        let text: String
        let levels: [String]
    }

    struct DomainView: Encodable {
        let key: String
        let name: String
        let questions: [QuestionView]
        let editHref: String?
    }

    struct InstrumentPage: Encodable {
        let id: String
        let name: String
        let frozen: Bool
        let domains: [DomainView]
        let copyFields: [FieldContext]
        let hasErrors: Bool
    }

    static func domains(_ instrument: CapacityInstrument, _ language: Language, edit: ((String) -> String)? = nil) -> [DomainView] {
        instrument.domains.map { domain in
            DomainView(key: domain.key, name: language.pick(domain.nameSq, domain.nameEn),
                       questions: domain.questions.map { QuestionView(key: $0.key, text: language.pick($0.textSq, $0.textEn),
                                                                      levels: language.pick($0.levelsSq, $0.levelsEn)) },
                       editHref: edit?(domain.key))
        }
    }

    static func instrument(_ req: Request, _ record: InstrumentRecord, copyName: String, errors: FieldErrors) throws -> InstrumentPage {
        let id = try record.requireID()
        let edit: ((String) -> String)? = record.frozen ? nil : { SiteURL.capacityInstrument(id).path + "/domains/" + $0 }
        return InstrumentPage(id: id.uuidString, name: record.name, frozen: record.frozen,
                              domains: domains(try record.instrument(), req.language, edit: edit),
                              copyFields: [FieldContext("name", label: "instrument.field.name", value: copyName, errors: errors, required: true)],
                              hasErrors: !errors.isEmpty)
    }

    struct RowView: Encodable {
        let index: Int
        let number: Int
        let key: String
        let textSq: String
        let textEn: String
        /// The four levels, each in both languages.
        let levels: [LevelView]
    }

    struct LevelView: Encodable {
        let number: Int
        let sq: String
        let en: String
    }

    struct DomainPage: Encodable {
        let instrument: String
        let action: String
        let back: String
        let nameSq: String
        let nameEn: String
        let rows: [RowView]
        let errorKey: String?
        let hasErrors: Bool
    }

    /// The editor shows every question and one blank row to add a question.
    static func domainEditor(_ record: InstrumentRecord, domain key: String, form: DomainForm, errors: FieldErrors) throws -> DomainPage {
        let id = try record.requireID()
        let rows = form.rows + [DomainForm.Row()]
        return DomainPage(
            instrument: record.name, action: SiteURL.capacityInstrument(id).path + "/domains/" + key, back: SiteURL.capacityInstrument(id).path,
            nameSq: form.nameSq, nameEn: form.nameEn,
            rows: rows.enumerated().map { index, row in
                RowView(index: index, number: index + 1, key: row.key, textSq: row.textSq, textEn: row.textEn, levels: (0..<4).map { level in
                    LevelView(number: level + 1, sq: row.levelsSq.indices.contains(level) ? row.levelsSq[level] : "",
                              en: row.levelsEn.indices.contains(level) ? row.levelsEn[level] : "")
                })
            },
            errorKey: errors["domain"], hasErrors: !errors.isEmpty)
    }

    // MARK: the needs map

    struct MapCell: Encodable {
        let mean: String
        let below: String
        let band: String
    }

    struct MapRow: Encodable {
        let domain: String
        let priority: Int
        let cells: [MapCell]
    }

    struct NeedsPage: Encodable {
        let roundOptions: [FieldContext.Option]
        let regions: [String]
        let rows: [MapRow]
        let priorities: [String]
        let assessed: String
        let threshold: String
        let hasData: Bool
    }

    static func needs(_ req: Request, rounds: [AssessmentService.RoundChoice], chosen: AssessmentRound?, instrument: CapacityInstrument?,
                      cells: [NeedsMap.Cell], assessed: Int, regions: [GeographyDirectory.Region]) -> NeedsPage {
        let language = req.language
        let threshold = CapacityScore(total: NeedsMap.defaultThresholdHundredths, count: 100)?.written(language) ?? ""
        let columns: [(UUID?, String)] = regions.map { ($0.id, $0.name(language)) } + [(nil, req.t("needs.noRegion"))]
        let shown = columns.filter { column in cells.contains { $0.region == column.0 } }
        let priorities = NeedsMap.priorities(cells)
        let names = Dictionary((instrument?.domains ?? []).map { ($0.key, language.pick($0.nameSq, $0.nameEn)) }, uniquingKeysWith: { a, _ in a })
        func cell(_ found: NeedsMap.Cell?) -> MapCell {
            guard let found else { return MapCell(mean: "—", below: "", band: "none") }
            let band = found.mean.isBelow(hundredths: 200) ? "low" : found.mean.isBelow(hundredths: NeedsMap.defaultThresholdHundredths) ? "mid" : "ok"
            return MapCell(mean: found.mean.written(language),
                           below: req.t("needs.below", ["percent": String(found.percentBelow), "count": Display.count(found.organisations, language)]),
                           band: band)
        }
        return NeedsPage(
            roundOptions: rounds.map { .init(value: $0.id.uuidString, label: "\($0.reference) · \(req.t(RoundKind(rawValue: $0.kind)?.catalogKey ?? $0.kind))",
                                             selected: $0.id == chosen?.id) },
            regions: shown.map(\.1),
            rows: (instrument?.domains ?? []).map { domain in
                MapRow(domain: names[domain.key] ?? domain.key, priority: (priorities.firstIndex(of: domain.key) ?? priorities.count) + 1,
                       cells: shown.map { column in cell(cells.first { $0.domain == domain.key && $0.region == column.0 }) })
            },
            priorities: priorities.compactMap { names[$0] },
            assessed: Display.count(assessed, language), threshold: threshold, hasData: !cells.isEmpty)
    }
}
