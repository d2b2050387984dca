import Foundation
import FuqizoCore
import NIOConcurrencyHelpers
import Vapor

/// Bcrypt hashing off the event loop: at cost 12 one hash takes a noticeable fraction of a
/// second, which must not stall other requests.
struct PasswordHasher: Sendable {
    let cost: Int
    let threadPool: NIOThreadPool

    func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await threadPool.runIfActive { try Bcrypt.hash(password, cost: cost) }
    }

    func verify(_ password: String, against hash: String) async throws -> Bool {
        try await threadPool.runIfActive { try Bcrypt.verify(password, created: hash) }
    }

    /// Checked when no account matches, so that an unknown e-mail costs as much time as a
    /// wrong password and timing does not reveal which accounts exist.
    func burnTime(_ password: String) async throws {
        _ = try await verify(password, against: try await decoyHash())
    }

    /// A hash of nothing at the configured cost, made once per cost: a decoy at a lower cost
    /// than real hashes would answer faster and tell which accounts exist.
    func decoyHash() async throws -> String {
        if let hash = Self.decoys.withLockedValue({ $0[cost] }) { return hash }
        let hash = try await self.hash(SecretToken.generate())
        return Self.decoys.withLockedValue { decoys in
            if let existing = decoys[cost] { return existing }
            decoys[cost] = hash
            return hash
        }
    }

    private static let decoys = NIOLockedValueBox<[Int: String]>([:])
}

extension Application {
    var passwordHasher: PasswordHasher { PasswordHasher(cost: services.config.bcryptCost, threadPool: threadPool) }
}
