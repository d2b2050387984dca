import Fluent
import Foundation
import FuqizoCore
import SQLKit
import Vapor

/// `fuqizo keys rotate`: moves the installation to a new master key. Survivors' data keys are
/// re-wrapped (their ciphertexts stay as they are), second-factor secrets re-sealed, duplicate-
/// check values recomputed, the key check value replaced and every session ended, in one
/// transaction with its audit entry. The order makes an interruption recoverable: the new key
/// is on disk before the database moves to it, and the key file is swapped only after.
struct KeyRotation {
    struct Report: Sendable {
        var survivorKeys = 0
        var duplicateKeys = 0
        var userSecrets = 0
        var sessionsEnded = 0
        /// Where the new key is: `master.key`, or the file named for an operator who keeps the
        /// key in `FUQIZO_MASTER_KEY`.
        var newKeyFile: URL
        /// Where the previous key file went, when the key was kept in the data directory.
        var retiredKeyFile: URL?
        /// True when this run only finished an earlier, interrupted rotation.
        var finishedInterrupted = false
    }

    enum Failure: Error, CustomStringConvertible {
        case outputNeeded
        case outputExists(String)

        var description: String {
            switch self {
            case .outputNeeded:
                "The master key comes from FUQIZO_MASTER_KEY: name a new file for the new key with --output PATH."
            case .outputExists(let path):
                "\(path) exists already; name a file that does not."
            }
        }
    }

    let app: Application
    /// Where the new key goes when the current one comes from the environment.
    let output: URL?

    private var config: AppConfig { app.services.config }
    private var pendingFile: URL { KeyStore.keyFile(config).appendingPathExtension("next") }

    func rotate(to next: MasterKey = .generate()) async throws -> Report {
        let lock = try ServerLock.acquire(in: config.dataDirectory, exclusive: true)
        defer { withExtendedLifetime(lock) {} }
        let old = app.services.masterKey
        let keptInFile = config.masterKeyBase64 == nil
        do {
            try await KeyStore.verify(old, on: app.db)
        } catch let mismatch as ConfigError {
            if keptInFile, let finished = try await finishInterrupted() { return finished }
            throw mismatch
        }
        try await AuditLog.markKeyedFrom(key: AppServices.auditKey(old).key, on: app.db)
        let destination: URL
        if keptInFile {
            // Left by a rotation that stopped before the database moved: a key nothing uses.
            try? FileManager.default.removeItem(at: pendingFile)
            destination = pendingFile
        } else {
            guard let output else { throw Failure.outputNeeded }
            guard !FileManager.default.fileExists(atPath: output.path) else { throw Failure.outputExists(output.path) }
            destination = output
        }

        let now = app.services.clock.now()
        var report: Report
        do {
            report = try await app.db.writeTransaction { db in
                // On a shared PostgreSQL, alone from the first read to the commit: a server
                // elsewhere that still has the old key waits, then finds the new key check
                // and seals nothing (KeyGuard). The lock file covers this machine only.
                try await KeyGuard.rotating(on: db)
                let rekeying = try await Rekeying.prepare(on: db, from: old, to: next)
                try KeyStore.store(next, inNewFile: destination)
                let sessions = try await rekeying.apply(on: db, at: now, action: "keys.rotated")
                return Report(survivorKeys: rekeying.survivors.rewrapped.count, duplicateKeys: rekeying.duplicateKeys,
                              userSecrets: rekeying.secrets.users.count, sessionsEnded: sessions, newKeyFile: destination)
            }
        } catch {
            // The database is still under the old key: the new one must not be left to be mistaken for it.
            try? FileManager.default.removeItem(at: destination)
            throw error
        }
        if keptInFile {
            report.retiredKeyFile = try swapKeyFiles()
            report.newKeyFile = KeyStore.keyFile(config)
        }
        return report
    }

    /// The database is not under `master.key`: if a rotation moved it to `master.key.next` and
    /// stopped before swapping the files, they are swapped now.
    private func finishInterrupted() async throws -> Report? {
        guard FileManager.default.fileExists(atPath: pendingFile.path),
              try await KeyStore.matches(try KeyStore.read(pendingFile), on: app.db) else { return nil }
        var report = Report(newKeyFile: KeyStore.keyFile(config), finishedInterrupted: true)
        report.retiredKeyFile = try swapKeyFiles()
        return report
    }

    /// `master.key` becomes `master.key.retired-<UTC time>` and `master.key.next` becomes `master.key`.
    private func swapKeyFiles() throws -> URL {
        let current = KeyStore.keyFile(config)
        let stamp = ISO8601DateFormatter.string(from: app.services.clock.now(), timeZone: .gmt,
                                                formatOptions: [.withYear, .withMonth, .withDay, .withTime, .withTimeZone])
        var retired = current.deletingLastPathComponent().appendingPathComponent("\(current.lastPathComponent).retired-\(stamp)")
        var suffix = 1
        while FileManager.default.fileExists(atPath: retired.path) {
            suffix += 1
            retired = retired.deletingLastPathComponent().appendingPathComponent("\(current.lastPathComponent).retired-\(stamp)-\(suffix)")
        }
        try FileManager.default.moveItem(at: current, to: retired)
        try FileManager.default.moveItem(at: pendingFile, to: current)
        return retired
    }
}

/// The database's part of moving to a new master key, for a rotation and for a re-wrapped
/// backup: everything is computed, and every sealed value opened, before anything is written;
/// then it is written in one transaction with its audit entry.
struct Rekeying: Sendable {
    let survivors: SurvivorKeyRotation
    let secrets: SecretRotation
    let chain: [(sequence: Int, hash: String, previous: String)]
    let keyedFrom: Int
    let next: MasterKey

    var duplicateKeys: Int { survivors.duplicateKeys.count { $0.duplicateKey != nil } }

    static func prepare(on database: any Database, from old: MasterKey, to next: MasterKey) async throws -> Rekeying {
        let survivors = try await SurvivorKeyRotation.prepare(on: database, from: old, to: next)
        let secrets = try await SecretRotation.prepare(on: database, from: old, to: next)
        // The audit chain is checked under the old key, then hashed again under the new one:
        // a chain that does not verify stops the rotation instead of being laundered.
        let oldAudit = AppServices.auditKey(old).key
        let chain = try await AuditLog.rechained(on: database, from: oldAudit, to: AppServices.auditKey(next).key)
        guard let keyedFrom = try await AuditLog.keyedFrom(key: oldAudit, on: database) else {
            throw AuditChainBroken(verification: try await AuditLog.verify(on: database, key: oldAudit))
        }
        return Rekeying(survivors: survivors, secrets: secrets, chain: chain, keyedFrom: keyedFrom, next: next)
    }

    /// Returns how many sessions ended.
    func apply(on database: any Database, at now: Date, action: String) async throws -> Int {
        let auditKey = AppServices.auditKey(next)
        return try await database.writeTransaction { db in
            try await KeyStore.replaceCheck(with: next, on: db)
            try await survivors.apply(on: db)
            let sessions = try await secrets.apply(on: db)
            for entry in chain {
                try await AuditEntry.query(on: db).filter(\.$sequence == entry.sequence)
                    .set(\.$hash, to: entry.hash).set(\.$previousHash, to: entry.previous).update()
            }
            if let last = chain.last {
                try await AuditHead.query(on: db).filter(\.$id == 1).set(\.$hash, to: last.hash).update()
            }
            try await AuditLog.remark(keyedFrom, key: auditKey.key, on: db)
            try await AuditLog.record(.init(action, details: [
                "survivorKeys": "\(survivors.rewrapped.count)", "userSecrets": "\(secrets.users.count)",
                "sessionsEnded": "\(sessions)", "auditEntriesRehashed": "\(chain.count)",
            ]), actor: nil, at: now, key: auditKey.key, on: db)
            return sessions
        }
    }
}

/// Sealing with the master key on a PostgreSQL that several servers share. Each transaction
/// that seals a lasting secret (a survivor's data key, a second factor) first takes a shared
/// advisory lock and checks that the database is still under this server's key; a rotation
/// holds the same lock alone for its whole transaction. So a server elsewhere that still has
/// the old key either seals before the rotation reads (and its secret is re-wrapped with the
/// rest) or after it commits (and is refused), never in between. On SQLite the data
/// directory's lock file already keeps a rotation apart from every server.
enum KeyGuard {
    /// One number for the whole installation ("FuqzoKey").
    static let lockID: Int64 = 0x4675_717A_6F4B_6579

    /// The page says to try again shortly; the server stops itself at its next background look.
    static let rotatedElsewhere = AppError(status: .serviceUnavailable, messageKey: "error.keyRotated")

    static func sealing(under key: MasterKey, on database: any Database) async throws {
        try await sealing(check: key.checkValue, on: database)
    }

    /// The same, for a value sealed under a key derived from the master key (mail bodies).
    static func sealing(check: String, on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase, sql.dialect.name == "postgresql" else { return }
        try await sql.raw("SELECT pg_advisory_xact_lock_shared(\(bind: lockID))").run()
        guard try await KeyStore.matches(check: check, on: database) else { throw rotatedElsewhere }
    }

    static func rotating(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase, sql.dialect.name == "postgresql" else { return }
        try await sql.raw("SELECT pg_advisory_xact_lock(\(bind: lockID))").run()
    }
}
