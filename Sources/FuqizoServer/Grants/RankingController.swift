import Fluent
import Foundation
import FuqizoCore
import Vapor

/// A stage's ranking, the chair's approval, the decision and the call's letters.
struct RankingController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let call = routes.grouped("grants", "calls", ":callID")
        call.get("ranking", ":stage", use: ranking).access(.viewRanking, .committee)
        call.post("ranking", ":stage", "approve", use: approve).access(.approveRanking, .committee)
        call.post("ranking", ":stage", "decision", use: decide).access(.manageCalls)
        call.get("letters", use: letters).access(.manageCalls)
        call.post("letters", "send", use: sendLetters).access(.manageCalls)
    }

    private func decisions(_ req: Request) -> DecisionService {
        DecisionService(database: req.db, services: req.services)
    }

    struct RankRow: Encodable {
        let id: String
        let rank: Int?
        let reference: String
        let organisation: String
        let score: String
        let relevance: String
        let requested: String
        /// Translated here: a ranking can have hundreds of rows.
        let outcome: String
        let reason: String
        let reservePosition: Int?
        let canWithdraw: Bool
    }

    struct LotBlock: Encodable {
        let name: String
        let envelope: String
        let awarded: String
        let remaining: String
        let rows: [RankRow]
        let pending: [String]
        let rejected: [String]
    }

    struct LotLink: Encodable {
        let name: String
        let href: String
        let count: Int
        let current: Bool
    }

    struct RankingPage: Encodable {
        let lotLinks: [LotLink]
        let callID: String
        let reference: String
        let stage: String
        let stageKey: String
        let isConcept: Bool
        let threshold: String
        let lots: [LotBlock]
        let started: Bool
        let complete: Bool
        let approvedAt: String?
        let decisionDate: String?
        let canApprove: Bool
        let canDecide: Bool
        let decisionFields: [FieldContext]
        let hasErrors: Bool
    }

    static func reasonText(_ reason: Ranking.Reason, currency: String, isConcept: Bool, _ req: Request) -> String {
        func money(_ minor: Int64) -> String { Money(minorUnits: minor, currency: currency).written(in: req.language) }
        let catalog = req.services.catalog
        switch reason {
        case .fitsEnvelope(let left):
            return isConcept ? req.t("ranking.reason.preselected") : catalog.format("ranking.reason.fits", req.language, ["left": money(left)])
        case .doesNotFit(let left): return catalog.format("ranking.reason.doesNotFit", req.language, ["left": money(left)])
        case .envelopeUsed: return req.t("ranking.reason.envelopeUsed")
        case .belowThreshold(let threshold):
            return catalog.format("ranking.reason.belowThreshold", req.language, ["threshold": String(format: "%.0f", threshold)])
        case .withdrawn: return req.t("ranking.reason.withdrawn")
        }
    }

    private func renderRanking(_ req: Request, callID: UUID, stage: ApplicationStage, decisionDate: String = "", errors: FieldErrors = .init(),
                               status: HTTPResponseStatus = .ok) async throws -> Response {
        let ranking = try await decisions(req).ranking(callID: callID, stage: stage)
        let call = ranking.call
        let isConcept = stage == .concept
        func money(_ minor: Int64) -> String { Money(minorUnits: minor, currency: call.currency).written(in: req.language) }
        let isOfficer = Policy.decide(req.actor, .manageCalls).isAllowed
        // One lot a page: a lot's ranking is read on its own, and a call can have hundreds of applications.
        let chosen = (try? req.query.get(String.self, at: "lot")).flatMap(UUID.init(uuidString:))
        let shown = ranking.lots.first { $0.lot.id == chosen } ?? ranking.lots.first
        let lotLinks = ranking.lots.map { lot in
            LotLink(name: req.language.pick(lot.lot.nameSq, lot.lot.nameEn),
                    href: SiteURL.ranking(call: callID, stage: stage).with([("lot", lot.lot.id?.uuidString)]),
                    count: lot.result.entries.count + lot.pending.count + lot.rejected.count, current: lot.lot.id == shown?.lot.id)
        }
        let lots = [shown].compactMap { $0 }.map { lot in
            LotBlock(
                name: req.language.pick(lot.lot.nameSq, lot.lot.nameEn), envelope: money(lot.lot.envelopeMinorUnits),
                awarded: isConcept ? "" : money(lot.result.awardedMinorUnits), remaining: isConcept ? "" : money(lot.result.remainingMinorUnits),
                rows: lot.result.entries.map { entry in
                    let application = lot.applications[UUID(uuidString: entry.candidate.id)!]
                    let outcomeKey = isConcept
                        ? (entry.outcome == .awarded ? "ranking.outcome.preselected" : "ranking.outcome.notPreselected")
                        : "ranking.outcome.\(entry.outcome.rawValue)"
                    return RankRow(id: entry.candidate.id, rank: entry.rank, reference: entry.candidate.reference,
                                   organisation: application?.organisation ?? "",
                                   score: String(format: "%.2f", entry.candidate.score), relevance: String(format: "%.2f", entry.candidate.relevance),
                                   requested: money(entry.candidate.requestedMinorUnits), outcome: req.t(outcomeKey),
                                   reason: Self.reasonText(entry.reason, currency: call.currency, isConcept: isConcept, req),
                                   reservePosition: entry.reservePosition,
                                   canWithdraw: isOfficer && application?.status.allows(.withdraw) == true)
                },
                pending: lot.pending.map(\.reference), rejected: lot.rejected.map(\.reference))
        }
        let round = ranking.round
        let canApprove = round.rankingState.allows(.approve(complete: ranking.isComplete))
            && Policy.decide(req.actor, .approveRanking, .committee(ranking.committee)).isAllowed
        let canDecide = round.rankingState.allows(.decide) && isOfficer
        return try await req.page("grants/ranking", title: "ranking.title", RankingPage(
            lotLinks: lotLinks, callID: callID.uuidString, reference: call.reference, stage: stage.rawValue, stageKey: stage.catalogKey, isConcept: isConcept,
            threshold: String(format: "%.0f", ranking.threshold), lots: lots, started: round != nil, complete: ranking.isComplete,
            approvedAt: round?.approvedAt.map(Display.dateTime), decisionDate: round?.decisionDate.flatMap(LocalDate.init).map(\.description),
            canApprove: canApprove, canDecide: canDecide,
            decisionFields: [FieldContext("decisionDate", label: "decision.date", kind: "date", value: decisionDate, errors: errors, required: true)],
            hasErrors: !errors.isEmpty), status: status)
    }

    func ranking(req: Request) async throws -> Response {
        try await renderRanking(req, callID: try req.id("callID"), stage: try req.parameter("stage", as: ApplicationStage.self))
    }

    func approve(req: Request) async throws -> Response {
        let callID = try req.id("callID"), stage = try req.parameter("stage", as: ApplicationStage.self)
        try await decisions(req).approve(callID: callID, stage: stage, actor: try req.requireSignedIn().userID)
        return Flash.redirect(req, to: .ranking(call: callID, stage: stage), flash: "ranking.approved")
    }

    struct DecisionForm: Content {
        var decisionDate: String?
    }

    func decide(req: Request) async throws -> Response {
        let callID = try req.id("callID"), stage = try req.parameter("stage", as: ApplicationStage.self)
        let form = try req.form(DecisionForm.self)
        switch try await decisions(req).decide(callID: callID, stage: stage, date: form.decisionDate ?? "", actor: try req.requireSignedIn().userID) {
        case .success: return Flash.redirect(req, to: .callLetters(callID), flash: "decision.recorded")
        case .failure(let errors):
            return try await renderRanking(req, callID: callID, stage: stage, decisionDate: form.decisionDate ?? "", errors: errors, status: .badRequest)
        }
    }

    struct LetterRow: Encodable {
        let href: String
        let reference: String
        let organisation: String
        let stageKey: String
        let outcomeKey: String
        let dueDate: String
        let sentAt: String?
        let overdue: Bool
    }

    struct LettersPage: Encodable {
        let callID: String
        let reference: String
        let letterDays: Int
        let rows: [LetterRow]
        let unsent: Int
    }

    static func outcomeKey(_ outcome: ApplicationStatus) -> String {
        outcome == .submitted ? "ranking.outcome.preselected" : outcome.catalogKey
    }

    func letters(req: Request) async throws -> View {
        let callID = try req.id("callID")
        let call = try await CallService(database: req.db, services: req.services).find(callID)
        let today = LocalDate(TiranaTime.parts(of: req.now).date)!
        let rows = try await decisions(req).letters(callID: callID).map { letter in
            LetterRow(href: SiteURL.letter(application: letter.$application.id, letter: letter.id!).path,
                      reference: letter.application.reference ?? "", organisation: letter.application.organisation.nameSq,
                      stageKey: letter.stage.catalogKey, outcomeKey: Self.outcomeKey(letter.outcome),
                      dueDate: letter.dueDate, sentAt: letter.sentAt.map(Display.dateTime),
                      overdue: letter.sentAt == nil && (LocalDate(letter.dueDate).map { $0 < today } ?? false))
        }
        return try await req.page("grants/letters", title: "letters.title", LettersPage(
            callID: callID.uuidString, reference: call.reference, letterDays: call.letterDays, rows: rows, unsent: rows.filter { $0.sentAt == nil }.count))
    }

    func sendLetters(req: Request) async throws -> Response {
        let callID = try req.id("callID")
        _ = try await decisions(req).sendLetters(callID: callID, actor: try req.requireSignedIn().userID)
        return Flash.redirect(req, to: .callLetters(callID), flash: "letters.sent")
    }
}
