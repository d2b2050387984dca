import Foundation
import FuqizoCore
import Vapor

/// What a call says — its rules, lots, grids, documents and answered questions — as the
/// officer's pages and the public ones both show it.
enum CallContext {
    struct LotLine: Encodable {
        let name: String
        let envelope: String
    }

    struct GridSection: Encodable {
        let title: String
        let maximum: Int
        let carriedOver: Bool
        let criteria: [GridCriterion]
    }

    struct GridCriterion: Encodable {
        let code: String
        let title: String
        let weight: Int
        let maximum: Int
    }

    struct CallFacts: Encodable {
        let id: String
        let reference: String
        let title: String
        let summary: String
        let stagesKey: String
        let statusKey: String
        let questionsDeadline: String
        let conceptDeadline: String?
        let fullDeadline: String
        let minimumGrant: String
        let maximumGrant: String
        let maximumGrantShare: Int
        let maximumIndirect: Int
        let divergence: Int
        let blindReview: Bool
        let evaluatorsPerApplication: Int
        let letterDays: Int
        let evaluationDays: Int
        let eligibleApplicants: [String]
        let eligibleActivities: [String]
        let lots: [LotLine]
        let totalEnvelope: String
        let conceptGrid: [GridSection]?
        let conceptThreshold: Int?
        let fullGrid: [GridSection]
        let isDraft: Bool
        let isOpen: Bool
        var questions: [QuestionLine] = []
        var documents: [DocumentLine] = []
        /// The upload form, on the officer's page.
        var documentFields: [FieldContext]? = nil
        var hasErrors = false
        /// The question form, for a CSO user while questions are accepted.
        var askFields: [FieldContext]? = nil
        /// Where "Apply" leads on the public page while the call is open: the applicant's
        /// start form, or sign-in for a visitor; nil for staff.
        var applyHref: String? = nil
        var applySignIn = false
    }

    struct DocumentLine: Encodable {
        let id: String
        let title: String
        let categoryKey: String
        let filename: String
        let kind: String
        let size: String
        let addedAt: String
        let href: String
    }

    /// The call's documents, linked for the officer's pages or the public ones.
    static func documents(_ req: Request, callID: UUID, base: String) async throws -> [DocumentLine] {
        try await DocumentStore(database: req.db).attachments(of: .call, callID).map {
            DocumentLine(id: $0.id!.uuidString, title: $0.label,
                         categoryKey: CallService.DocumentCategory(rawValue: $0.category ?? "")?.catalogKey ?? "call.document.annex",
                         filename: $0.filename, kind: $0.kind.uppercased(), size: FileSize.text($0.size),
                         addedAt: Display.dateTime($0.uploadedAt), href: "\(base)/\($0.id!.uuidString)")
        }
    }

    struct QuestionLine: Encodable {
        let id: String
        let question: String
        let answer: String?
        let askedAt: String
        let fields: [FieldContext]
    }

    static func facts(_ call: GrantCall, _ req: Request) throws -> CallFacts {
        let language = req.language
        let rules = try call.grantRules()
        func money(_ minor: Int64) -> String { Money(minorUnits: minor, currency: call.currency).written(in: req.language) }
        func grid(_ text: String) -> EvaluationGrid? { try? StoredJSON.decode(EvaluationGrid.self, from: text) }
        // The English list, or the Albanian one for a call written before calls had both.
        func list(_ sq: String, _ en: String) -> [String] {
            let albanian = (try? StoredJSON.decode([String].self, from: sq)) ?? []
            let english = (try? StoredJSON.decode([String].self, from: en)) ?? []
            return language == .en && !english.isEmpty ? english : albanian
        }
        func sections(_ grid: EvaluationGrid) -> [GridSection] {
            grid.sections.map { section in
                GridSection(title: language.pick(section.titleSq, section.titleEn), maximum: section.maximum,
                            carriedOver: section.carriedOver,
                            criteria: section.criteria.map {
                                GridCriterion(code: $0.code, title: language.pick($0.titleSq, $0.titleEn), weight: $0.weight, maximum: $0.maximum)
                            })
            }
        }
        let twoStage = call.stages == .two
        let concept = twoStage ? grid(call.conceptGrid) : nil
        let lots = call.lots.sorted { $0.position < $1.position }
        return CallFacts(
            id: call.id!.uuidString, reference: call.reference,
            title: language.pick(call.titleSq, call.titleEn),
            summary: language.pick(call.summarySq, call.summaryEn),
            stagesKey: call.stages.catalogKey,
            statusKey: call.status.catalogKey,
            questionsDeadline: Display.dateTime(call.questionsDeadline),
            conceptDeadline: call.conceptDeadline.map(Display.dateTime),
            fullDeadline: Display.dateTime(call.fullDeadline),
            minimumGrant: money(rules.minimumGrantMinorUnits), maximumGrant: money(rules.maximumGrantMinorUnits),
            maximumGrantShare: rules.maximumGrantShareBasisPoints / 100, maximumIndirect: rules.maximumIndirectBasisPoints / 100,
            divergence: call.divergenceBasisPoints / 100, blindReview: call.blindReview,
            evaluatorsPerApplication: call.evaluatorsPerApplication, letterDays: call.letterDays, evaluationDays: call.evaluationDays,
            eligibleApplicants: list(call.eligibleApplicants, call.eligibleApplicantsEn),
            eligibleActivities: list(call.eligibleActivities, call.eligibleActivitiesEn),
            lots: lots.map { LotLine(name: language.pick($0.nameSq, $0.nameEn), envelope: money($0.envelopeMinorUnits)) },
            totalEnvelope: money(lots.reduce(0) { $0 + $1.envelopeMinorUnits }),
            conceptGrid: concept.map(sections), conceptThreshold: concept?.threshold,
            fullGrid: grid(call.fullGrid).map(sections) ?? [],
            isDraft: call.status.allows(.edit),
            isOpen: call.status.isOpen && call.fullDeadline > req.now)
    }
}
