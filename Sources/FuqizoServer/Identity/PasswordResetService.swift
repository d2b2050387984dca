import Fluent
import Foundation
import FuqizoCore
import Vapor

/// "Forgot your password?": a single-use link by mail, valid one hour. The answer is the same
/// whether or not the address has an account, so the page tells nobody who uses Fuqizo.
struct PasswordResetService {
    let database: any Database
    let services: AppServices
    var now: Date { services.clock.now() }

    static let lifetime: TimeInterval = 3600
    /// Requests from one network address in `addressWindow` before the page says to wait.
    static let addressLimit = 5
    static let addressWindow: TimeInterval = 3600
    /// One mail per account in this long, however often it is asked for.
    static let accountInterval: TimeInterval = 15 * 60

    enum Outcome: Equatable {
        /// The same for every address typed: a mail went out only if the account exists.
        case answered
        case throttled
    }

    func request(email typed: String, addressDigest: String) async throws -> Outcome {
        let now = self.now
        let recent = try await PasswordResetRequest.query(on: database).filter(\.$addressDigest == addressDigest)
            .filter(\.$requestedAt > now.addingTimeInterval(-Self.addressWindow)).count()
        guard recent < Self.addressLimit else { return .throttled }
        let user = try await User.query(on: database).filter(\.$email == Text.normalisedEmail(typed)).first()
        // An account that never chose a password is waiting for its invitation: only the
        // administrator can send that again.
        guard let user, user.isActive, user.passwordHash != nil, let userID = user.id else {
            try await database.writeTransaction { db in
                try await PasswordResetRequest(addressDigest: addressDigest, requestedAt: now, userID: nil).create(on: db)
                try await services.audit.record(.init("passwordReset.requested", details: ["account": "unknown"]), actor: nil, at: now, on: db)
            }
            return .answered
        }
        let mailedLately = try await PasswordResetRequest.query(on: database).filter(\.$userID == userID)
            .filter(\.$requestedAt > now.addingTimeInterval(-Self.accountInterval)).count() > 0
        let token = SecretToken.generate()
        let language = Language(code: user.preferredLanguage) ?? .default
        try await database.writeTransaction { db in
            try await PasswordResetRequest(addressDigest: addressDigest, requestedAt: now, userID: mailedLately ? nil : userID).create(on: db)
            if !mailedLately {
                try await OneTimeLink.query(on: db).filter(\.$user.$id == userID)
                    .filter(\.$purpose == OneTimeLink.Purpose.passwordReset.rawValue).delete()
                try await OneTimeLink(purpose: .passwordReset, tokenDigest: SecretToken.digest(token), userID: userID,
                                      expiresAt: now.addingTimeInterval(Self.lifetime)).create(on: db)
                try await Outbox.enqueue(
                    to: user.email, subject: services.catalog.text("mail.reset.subject", language),
                    body: services.catalog.format("mail.forgot.body", language, ["link": "\(services.config.publicURL)/reset/\(token)"]),
                    now: now, sealedBy: services.mailBox, on: db)
            }
            try await services.audit.record(.init("passwordReset.requested", target: ("user", userID.uuidString),
                                                  details: ["mailed": mailedLately ? "no" : "yes"]), actor: nil, at: now, on: db)
        }
        return .answered
    }
}
