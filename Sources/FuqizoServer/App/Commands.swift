import Fluent
import Foundation
import FuqizoCore
import Vapor

/// `fuqizo audit verify`: walks the hash chain and names the first entry that does not fit.
struct AuditCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action", help: "verify | anchor")
        var action: String
        @Option(name: "anchor", help: "With verify: an anchor printed earlier by `fuqizo audit anchor`, which the chain must still hold.")
        var anchor: String?
    }

    var help: String { "Checks the audit trail's keyed hash chain (verify [--anchor TEXT]), or prints an anchor of its head to keep elsewhere (anchor)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let key = app.services.audit.key.key
        switch signature.action {
        case "verify": break
        case "anchor":
            // Printed for the operator to keep outside the database (paper, another system).
            context.console.print(try await AuditLog.anchor(on: app.db, key: app.services.anchorKey.key).text)
            return
        default:
            context.console.error("Unknown audit action '\(signature.action)'; use: fuqizo audit verify [--anchor TEXT] | fuqizo audit anchor")
            throw ExitCode(2)
        }
        let verification = try await AuditLog.verify(on: app.db, key: key)
        guard verification.markerIntact else {
            context.console.error("Audit trail BROKEN: the record of where keyed hashes begin is missing or was altered.")
            throw ExitCode(1)
        }
        if let broken = verification.firstBreak {
            context.console.error("Audit trail BROKEN at \(broken) (\(verification.checked) entries intact before it).")
            throw ExitCode(1)
        }
        guard verification.headMatches else {
            context.console.error("Audit trail BROKEN: entries after \(verification.checked) were removed.")
            throw ExitCode(1)
        }
        if let text = signature.anchor {
            guard let anchor = AuditAnchor(text: text) else {
                context.console.error("That is not an anchor printed by fuqizo audit anchor.")
                throw ExitCode(2)
            }
            guard try await AuditLog.holds(anchor, key: app.services.anchorKey.key, on: app.db) else {
                context.console.error("Audit trail BROKEN: it no longer holds the anchor at entry \(anchor.sequence) (or the anchor was altered, or made under another master key).")
                throw ExitCode(1)
            }
            context.console.print("Audit trail intact: \(verification.checked) entries verified; it holds the anchor at entry \(anchor.sequence).")
            return
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

/// `fuqizo keys rotate` and `fuqizo keys rewrap-backup`.
enum KeysCommands {
    static func group() -> any AsyncCommandGroup {
        var commands = AsyncCommands()
        commands.use(RotateKeyCommand(), as: "rotate")
        commands.use(RewrapBackupCommand(), as: "rewrap-backup")
        return commands.group(help: "The master key: rotate it (keys rotate), or re-wrap a backup made before a rotation (keys rewrap-backup DIR --retired-key FILE).")
    }
}

/// `fuqizo keys rewrap-backup DIR --retired-key FILE` (see BackupRewrap).
struct RewrapBackupCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "directory", help: "A folder written by fuqizo backup before the key was rotated")
        var directory: String
        @Option(name: "retired-key", help: "The file holding the master key the backup was made under (master.key.retired-…)")
        var retiredKey: String?
    }

    var help: String { "Writes a copy of a backup made under a retired master key that opens with the current one, beside it as DIR-rewrapped." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let path = signature.retiredKey else {
            context.console.error("Name the retired key: fuqizo keys rewrap-backup DIR --retired-key FILE")
            throw ExitCode(2)
        }
        let directory = URL(fileURLWithPath: signature.directory, isDirectory: true).standardizedFileURL
        let report = try await context.stopping("Re-wrap stopped") {
            try await BackupRewrap(app: context.application).run(backup: directory, retiredKey: try KeyStore.read(URL(fileURLWithPath: path)))
        }
        context.console.print("""
            Re-wrapped into \(report.output.path): \(report.survivorKeys) survivor data keys and \(report.userSecrets) \
            second-factor secrets now open with the current key. Restore it with fuqizo restore \(report.output.path).
            The original is unchanged; it and the retired key can be destroyed together when no longer needed.
            """)
    }
}

/// `fuqizo keys rotate [--output PATH]`: moves the installation to a new master key
/// (see KeyRotation). Run it with every server stopped.
struct RotateKeyCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "output", help: "Where to write the new key when the current one is in FUQIZO_MASTER_KEY (a new file).")
        var output: String?
    }

    var help: String { "Rotates the master key: re-wraps survivors' data keys and re-seals stored secrets." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let rotation = KeyRotation(app: context.application, output: signature.output.map { URL(fileURLWithPath: $0) })
        let report = try await context.stopping("Key rotation stopped; nothing changed") { try await rotation.rotate() }
        if report.finishedInterrupted {
            context.console.print("An interrupted rotation is finished: the new key is now \(report.newKeyFile.path).")
        } else {
            context.console.print("""
            Master key rotated: \(report.survivorKeys) survivor data keys re-wrapped, \(report.duplicateKeys) duplicate-check \
            values recomputed, \(report.userSecrets) second-factor secrets re-sealed, \(report.sessionsEnded) sessions ended.
            The new key is in \(report.newKeyFile.path).
            """)
        }
        if let retired = report.retiredKeyFile {
            context.console.print("""
            The previous key is in \(retired.path). Backups made before now open only with it: move it offline, \
            next to those backups, and destroy it when the last of them expires.
            """)
        } else if !report.finishedInterrupted {
            context.console.print("""
            Set FUQIZO_MASTER_KEY to the contents of that file on every instance, start them, then delete the file. \
            Keep the previous key offline with the backups made before now; they open only with it.
            """)
        }
    }
}

/// `fuqizo export iati DIR` and `fuqizo export 360giving FILE`: the open-data files, as the
/// public addresses serve them, written for publishing elsewhere (the IATI Registry, 360Giving).
struct ExportCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "format", help: "iati | 360giving")
        var format: String
        @Argument(name: "path", help: "iati: a directory for iati-activities.xml and iati-organisations.xml; 360giving: the JSON file to write")
        var path: String
    }

    var help: String { "Writes the open data: the IATI 2.03 activity and organisation files into a directory, or the sub-grants as a 360Giving package." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        guard let programme = try await OpenDataService(database: app.db, services: app.services).programme() else {
            context.console.error("The open data is not set up: name the publisher and the funder in the administration's open-data settings first.")
            throw ExitCode(1)
        }
        let target = URL(fileURLWithPath: signature.path)
        switch signature.format {
        case "iati":
            try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
            try Data(IATIFiles.activities(programme).utf8).write(to: target.appendingPathComponent("iati-activities.xml"), options: .atomic)
            try Data(IATIFiles.organisations(programme).utf8).write(to: target.appendingPathComponent("iati-organisations.xml"), options: .atomic)
            context.console.print("Wrote iati-activities.xml (\(programme.subGrants.count) sub-grants, \(programme.results.count) results) and iati-organisations.xml to \(target.path).")
        case "360giving":
            guard !programme.subGrants.isEmpty else {
                context.console.error("No sub-grant contract is signed yet, and a 360Giving package holds at least one grant: nothing written.")
                throw ExitCode(1)
            }
            try GivingPackage.json(programme).write(to: target, options: .atomic)
            context.console.print("Wrote \(programme.subGrants.count) grants to \(target.path).")
        default:
            context.console.error("Unknown format '\(signature.format)'; use: fuqizo export iati DIR | fuqizo export 360giving FILE")
            throw ExitCode(2)
        }
    }
}
