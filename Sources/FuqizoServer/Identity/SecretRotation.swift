import Fluent
import Foundation
import FuqizoCore

/// The identity side of `fuqizo keys rotate`: second-factor secrets sealed under the old master
/// key are opened and sealed again under the new one. Sessions end (their CSRF tokens were
/// derived from the old key) and the per-address sign-in throttle starts again (its digests
/// were keyed by the old key and cannot be recomputed: the addresses were never kept).
struct SecretRotation: Sendable {
    struct Resealed: Sendable {
        let userID: UUID
        let secret: Data?
        let pending: Data?
    }

    let users: [Resealed]
    /// Bodies of mails not yet delivered, sealed again under the new key.
    let mails: [(id: UUID, body: String)]

    /// Opens every sealed secret with the old key and seals it with the new one, in memory:
    /// a secret that does not open stops the rotation before anything is written.
    static func prepare(on database: any Database, from old: MasterKey, to next: MasterKey) async throws -> SecretRotation {
        let (oldBox, nextBox) = (AppServices.secretsBox(old), AppServices.secretsBox(next))
        func reseal(_ sealed: Data?, _ userID: UUID, pending: Bool) throws -> Data? {
            let context = IdentityService.secretContext(of: userID, pending: pending)
            return try sealed.map { try nextBox.seal(try oldBox.open($0, boundTo: context), boundTo: context) }
        }
        let holders = try await User.query(on: database)
            .group(.or) { $0.filter(\.$totpSecret != nil).filter(\.$totpPendingSecret != nil) }
            .all()
        let (oldMail, nextMail) = (AppServices.mailBox(old), AppServices.mailBox(next))
        let waiting = try await OutboxMessage.query(on: database).filter(\.$body, .contains(inverse: false, .prefix), Outbox.sealedPrefix).all()
        return SecretRotation(users: try holders.map { user in
            let id = try user.requireID()
            return Resealed(userID: id, secret: try reseal(user.totpSecret, id, pending: false),
                            pending: try reseal(user.totpPendingSecret, id, pending: true))
        }, mails: try waiting.map { message in
            let id = try message.requireID()
            return (id, try Outbox.seal(try Outbox.openedBody(of: message, box: oldMail), id: id, box: nextMail))
        })
    }

    /// Writes the resealed secrets and ends what the old key vouched for; returns how many
    /// sessions ended.
    func apply(on db: any Database) async throws -> Int {
        for user in users {
            try await User.query(on: db).filter(\.$id == user.userID)
                .set(\.$totpSecret, to: user.secret).set(\.$totpPendingSecret, to: user.pending).update()
        }
        for mail in mails {
            try await OutboxMessage.query(on: db).filter(\.$id == mail.id).set(\.$body, to: mail.body).update()
        }
        let sessions = try await UserSession.query(on: db).count()
        try await UserSession.query(on: db).delete()
        try await SignInFailure.query(on: db).delete()
        return sessions
    }
}
