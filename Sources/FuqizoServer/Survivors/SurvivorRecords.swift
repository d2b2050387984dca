import Foundation
import FuqizoCore
import Vapor

/// The survivor records routes name, for the policy (see `ResourceSource.record`).
extension ResourceSource {
    /// The survivor record named by its pseudonymous `:code`, with its consents as they stand now.
    static let survivor = ResourceSource.record(SurvivorService.Loaded.self) { req in
        let loaded = try await SurvivorService(database: req.db, services: req.services).load(code: req.parameters.get("code") ?? "")
        return (loaded, .survivor(loaded.access))
    }

    /// The referral named by `:referralID`, between which organisations and under what consent.
    static let referral = ResourceSource.record(ReferralDesk.Loaded.self) { req in
        guard let id = req.parameters.get("referralID", as: UUID.self) else { throw AppError.forbidden }
        let loaded = try await ReferralDesk(database: req.db, services: req.services).load(id)
        return (loaded, .referral(loaded.access))
    }

    /// The Club session named by `:sessionID`: whose it is and who facilitates it.
    static let clubSession = ResourceSource.record(ClubSession.self) { req in
        guard let id = req.parameters.get("sessionID", as: UUID.self) else { throw AppError.forbidden }
        let session = try await ClubService(database: req.db, services: req.services).session(id)
        return (session, session.resource)
    }
}

extension ClubSession {
    /// What the policy needs to know about this session.
    var resource: Resource { .clubSession(organisation: organisationID, facilitator: facilitatorID) }
}
