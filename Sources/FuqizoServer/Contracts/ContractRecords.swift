import Foundation
import FuqizoCore
import Vapor

/// The contract records routes name, for the policy (see `ResourceSource.record`).
extension ResourceSource {
    /// The contract named by `:contractID`. To anyone outside the programme's staff (another
    /// CSO, or the grantee while it is a draft) a refusal says "not found".
    static let contract = ResourceSource.record(GrantContract.self, conceals: { req, _ in
        !Policy.decide(req.actor, .viewContracts).isAllowed
    }) { req in
        let contract = try await ContractService(database: req.db, services: req.services).find(try req.id("contractID"))
        return (contract, contract.resource)
    }
}
