import Fluent
import Foundation
import FuqizoCore
import Vapor

/// `fuqizo audit verify`: walks the hash chain and names the first entry that does not fit.
struct AuditCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action", help: "verify")
        var action: String
    }

    var help: String { "Checks the audit trail's hash chain (fuqizo audit verify)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard signature.action == "verify" else {
            context.console.error("Unknown audit action '\(signature.action)'; use: fuqizo audit verify")
            throw ExitCode(2)
        }
        let verification = try await AuditLog.verify(on: context.application.db)
        if let broken = verification.firstBreak {
            context.console.error("Audit trail BROKEN at \(broken) (\(verification.checked) entries intact before it).")
            throw ExitCode(1)
        }
        guard verification.headMatches else {
            context.console.error("Audit trail BROKEN: entries after \(verification.checked) were removed.")
            throw ExitCode(1)
        }
        context.console.print("Audit trail intact: \(verification.checked) entries verified.")
    }
}

struct ExitCode: Error, CustomStringConvertible {
    let code: Int32
    init(_ code: Int32) { self.code = code }
    var description: String { "exit code \(code)" }
}

/// `fuqizo setup-link`: issues a new one-time setup link while no administrator exists
/// (for when the first one expired).
struct SetupLinkCommand: AsyncCommand {
    struct Signature: CommandSignature {}

    var help: String { "Prints a new one-time link to create the first administrator." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let identity = IdentityService(database: app.db, services: app.services, passwords: app.passwordHasher)
        guard try await !identity.administratorExists() else {
            context.console.error("An administrator already exists; invite new users from the Users page.")
            throw ExitCode(1)
        }
        let token = try await identity.issueSetupLink()
        context.console.print("\(app.services.config.publicURL)/setup/\(token)")
    }
}
