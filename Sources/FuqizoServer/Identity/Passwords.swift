import Foundation
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
        _ = try await verify(password, against: Self.decoyHash)
    }

    private static let decoyHash = (try? Bcrypt.hash(UUID().uuidString, cost: 12)) ?? ""
}

extension Application {
    var passwordHasher: PasswordHasher { PasswordHasher(cost: services.config.bcryptCost, threadPool: threadPool) }
}
