import Fluent
import Foundation
import FuqizoCore
import Vapor

/// Referrals between organisations, as their case workers see them. The receiver's page shows
/// the code, the service and — while open and consented — the fields the consent shares.
struct ReferralsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let referrals = routes.grouped("referrals")
        referrals.get(use: list).access(.viewReferrals)
        referrals.get(":referralID", use: show).access(.readReferral, .referral)
        // The sender's one move has its own path, so each route names one action.
        referrals.post(":referralID", .constant(ReferralStatus.revoked.rawValue), use: move).access(.revokeReferral, .referral)
        referrals.post(":referralID", ":move", use: move).access(.answerReferral, .referral)
    }

    private func desk(_ req: Request) -> ReferralDesk { ReferralDesk(database: req.db, services: req.services) }

    struct Row: Encodable {
        let id: String
        let code: String
        let organisation: String
        let service: String
        let status: String
        let sent: String
    }

    struct ListPage: Encodable {
        let received: [Row]
        let sent: [Row]
    }

    private func names(_ req: Request, _ ids: Set<UUID>) async throws -> [UUID: String] {
        try await OrganisationService(database: req.db, services: req.services).names(ids)
    }

    func list(req: Request) async throws -> View {
        let organisations = req.actor.organisations(as: .caseWorker)
        let received = try await desk(req).list(organisations: organisations, received: true)
        let sent = try await desk(req).list(organisations: organisations, received: false)
        let names = try await names(req, Set((received + sent).flatMap { [$0.from, $0.to] }))
        func rows(_ list: [ReferralDesk.Row], other: (ReferralDesk.Row) -> UUID) -> [Row] {
            list.map { row in
                Row(id: row.id.uuidString, code: row.code, organisation: names[other(row)] ?? "", service: req.t(row.service.catalogKey),
                    status: req.t(row.status.catalogKey), sent: TiranaTime.parts(of: row.sentAt).date)
            }
        }
        return try await req.page("referrals/list", title: "referral.list.title",
                                  ListPage(received: rows(received, other: \.from), sent: rows(sent, other: \.to)))
    }

    struct DetailPage: Encodable {
        let id: String
        let code: String
        let from: String
        let to: String
        let service: String
        let status: String
        let sent: String
        let isReceiver: Bool
        let consentActive: Bool
        let shared: [RecordFact]
        let moves: [Move]
    }

    struct Move: Encodable {
        let value: String
        let labelKey: String
    }

    /// The referral named in the path, as the policy allowed it for the route's action.
    private func loaded(_ req: Request) throws -> ReferralDesk.Loaded {
        try req.record(ReferralDesk.Loaded.self)
    }

    func show(req: Request) async throws -> View {
        let loaded = try loaded(req)
        let actor = req.actor
        let isReceiver = actor.has(.caseWorker, in: loaded.access.to)
        var shared: [RecordFact] = []
        if Policy.decide(actor, .readReferredData, .referral(loaded.access)).isAllowed {
            shared = try await desk(req).sharedData(loaded, actor: try req.requireSignedIn().actor.userID!)
                .map { RecordFact(labelKey: $0.field.catalogKey, value: $0.value) }
        }
        let status = loaded.referral.status
        let side: ReferralStatus.Side = isReceiver ? .receiver : .sender
        let moves = ReferralStatus.allCases.filter { status.canMove(to: $0, by: side) }.map { Move(value: $0.rawValue, labelKey: "referral.move.\($0.rawValue)") }
        let names = try await names(req, [loaded.access.from, loaded.access.to])
        return try await req.page("referrals/show", title: "referral.detail.title", DetailPage(
            id: loaded.referral.id!.uuidString, code: loaded.survivor.code, from: names[loaded.access.from] ?? "",
            to: names[loaded.access.to] ?? "", service: ReferralNeed(rawValue: loaded.referral.service).map { req.t($0.catalogKey) } ?? "",
            status: req.t(status.catalogKey), sent: TiranaTime.parts(of: loaded.referral.sentAt).date, isReceiver: isReceiver,
            consentActive: loaded.access.consentActive, shared: shared, moves: moves))
    }

    /// Accept, decline, complete (the receiver) or revoke (the sender).
    func move(req: Request) async throws -> Response {
        // The route says which side moves: the revocation's path is the sender's, `:move` the receiver's.
        let next: ReferralStatus, side: ReferralStatus.Side
        if let move = req.parameters.get("move") {
            guard let answer = ReferralStatus(rawValue: move), answer != .revoked else { throw AppError.notFound }
            (next, side) = (answer, .receiver)
        } else {
            (next, side) = (.revoked, .sender)
        }
        let loaded = try loaded(req)
        try await desk(req).move(loaded, to: next, by: side, actor: req.requireSignedIn().actor.userID!)
        return Flash.redirect(req, to: .referral(loaded.referral.id!), flash: "referral.moved")
    }
}
