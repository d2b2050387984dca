import Fluent
import Foundation
import FuqizoCore
import SQLKit
import NIOConcurrencyHelpers
import Vapor

/// A message ready to hand to a transport.
struct MailMessage: Sendable, Equatable {
    let from: String
    let to: String
    let subject: String
    let body: String
    /// The same for every attempt at one outbox message: a copy sent again after a crash
    /// between handing it over and marking it sent is recognised as the same mail.
    var messageID: String?

    /// RFC 5322 text for sendmail-compatible programs. Header values are stripped of line
    /// breaks so no header can be injected.
    var rfc5322: String {
        func clean(_ value: String) -> String { value.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ") }
        let subjectWord = "=?UTF-8?B?\(Data(clean(subject).utf8).base64EncodedString())?="
        var lines = ["From: \(clean(from))", "To: \(clean(to))", "Subject: \(subjectWord)"]
        if let messageID { lines.append("Message-ID: \(clean(messageID))") }
        lines += ["MIME-Version: 1.0", "Content-Type: text/plain; charset=UTF-8", "Content-Transfer-Encoding: 8bit", "", body, ""]
        return lines.joined(separator: "\r\n")
    }
}

protocol MailTransport: Sendable {
    func send(_ message: MailMessage) async throws
}

/// Development transport: writes the mail to the console so links can be followed while the
/// product is tried out (the server says so when it starts). Mails carry no names; the
/// address is shown only by its domain.
struct LogMailTransport: MailTransport {
    func send(_ message: MailMessage) async throws {
        print("--- mail to \(Self.masked(message.to)): \(message.subject)\n\(message.body)\n---")
    }

    static func masked(_ address: String) -> String {
        guard let at = address.lastIndex(of: "@") else { return "…" }
        return "…" + address[at...]
    }
}

/// Pipes the message to a sendmail-compatible program (sendmail, msmtp, …).
struct SendmailTransport: MailTransport {
    let command: String

    struct Failure: Error, CustomStringConvertible {
        let status: Int32
        let output: String
        var description: String { "exit \(status): \(output.prefix(200))" }
    }

    func send(_ message: MailMessage) async throws {
        let parts = command.split(separator: " ").map(String.init)
        guard let program = parts.first else { throw Failure(status: -1, output: "no command") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = Array(parts.dropFirst())
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        // A program that exits early must give an error, not kill the server with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        try process.run()
        do {
            try input.fileHandleForWriting.write(contentsOf: Data(message.rfc5322.utf8))
        } catch {
            // The exit status below says what went wrong.
        }
        try? input.fileHandleForWriting.close()
        let status: Int32 = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                process.waitUntilExit()
                continuation.resume(returning: process.terminationStatus)
            }
        }
        guard status == 0 else {
            let text = String(data: output.fileHandleForReading.readDataToEndOfFile(), encoding: .utf8) ?? ""
            throw Failure(status: status, output: text)
        }
    }
}

/// The key mail bodies are sealed with at rest, and the check value of the master key it is
/// derived from, which `KeyGuard` compares with the database's before a mail is sealed.
struct MailSeal: Sendable {
    let box: SecretBox
    let keyCheck: String

    init(_ masterKey: MasterKey) {
        box = SecretBox(key: masterKey.derivedKey(for: "mail-bodies"))
        keyCheck = masterKey.checkValue
    }
}

/// The outbox: mails are written in the same transaction as the change that causes them,
/// and delivered later by whichever instance claims them first.
enum Outbox {
    /// The latest messages, newest first, for the administrator's page.
    static func recent(limit: Int = 200, on database: any Database) async throws -> [OutboxMessage] {
        try await OutboxMessage.query(on: database).sort(\.$createdAt, .descending).limit(limit).all()
    }

    static func message(_ id: UUID, on database: any Database) async throws -> OutboxMessage {
        guard let message = try await OutboxMessage.find(id, on: database) else { throw AppError.notFound }
        return message
    }

    static let maxAttempts = 8
    static let claimDuration: TimeInterval = 120

    /// Queues a mail. Its body (invitation and reset links, receipts, letters) is sealed at
    /// rest under a key derived from the master key, bound to the message, and dropped once
    /// the mail is delivered; recipient, subject and times stay for the administrator's list.
    static func enqueue(to recipient: String, subject: String, body: String, now: Date, sealedBy box: MailSeal,
                        on database: any Database) async throws {
        // A server elsewhere that still holds a rotated-out key must not seal a mail nobody can open.
        try await KeyGuard.sealing(check: box.keyCheck, on: database)
        let message = OutboxMessage(recipient: recipient, subject: subject, body: "", now: now)
        let id = UUID()
        message.id = id
        message.body = try seal(body, id: id, box: box)
        try await message.create(on: database)
    }

    /// A mail to someone without an account (a CSO's member), so with no language of their
    /// own: Albanian first, then English, from the catalog's `mail` + `.subject` and `.body`.
    static func enqueueInBothLanguages(to recipient: String, mail: String, values: (Language) -> [String: String], catalog: Catalog,
                                       now: Date, sealedBy box: MailSeal, on database: any Database) async throws {
        try await enqueue(to: recipient,
                          subject: catalog.format("\(mail).subject", .sq, values(.sq)) + " / " + catalog.format("\(mail).subject", .en, values(.en)),
                          body: catalog.format("\(mail).body", .sq, values(.sq)) + "\n\n---\n\n" + catalog.format("\(mail).body", .en, values(.en)),
                          now: now, sealedBy: box, on: database)
    }

    static let sealedPrefix = "sealed:"

    /// What a sealed body is bound to: its own message, so it opens nowhere else.
    private static func context(_ id: UUID) -> String { "mail:\(id.uuidString.lowercased())" }

    static func seal(_ body: String, id: UUID, box: MailSeal) throws -> String {
        sealedPrefix + (try box.box.seal(Data(body.utf8), boundTo: context(id))).base64EncodedString()
    }

    /// The body as it will be sent; a body from before bodies were sealed is returned as stored.
    static func openedBody(of message: OutboxMessage, box: MailSeal) throws -> String {
        guard message.body.hasPrefix(sealedPrefix) else { return message.body }
        guard let sealed = Data(base64Encoded: String(message.body.dropFirst(sealedPrefix.count))), let id = message.id else {
            throw StoredDataError(table: OutboxMessage.schema, column: "body", id: message.id)
        }
        return String(decoding: try box.box.open(sealed, boundTo: context(id)), as: UTF8.self)
    }

    /// The wait before the next try: 1, 2, 4 … minutes, at most six hours.
    static func backoff(afterAttempts attempts: Int) -> TimeInterval {
        min(60 * pow(2, Double(max(attempts - 1, 0))), 6 * 3600)
    }

    /// Sends what is due. Each message is claimed with a conditional UPDATE before it is sent,
    /// so two instances never send the same message (on PostgreSQL the UPDATE's row lock
    /// makes the second claimant see the first one's claim).
    @discardableResult
    static func deliverDue(database: any Database, transport: any MailTransport, from: String, box: MailSeal, now: Date,
                           logger: Logger, limit: Int = 20) async throws -> Int {
        let due = try await OutboxMessage.query(on: database)
            .filter(\.$status == OutboxMessage.Status.pending)
            .filter(\.$nextAttemptAt <= now)
            .group(.or) { $0.filter(\.$claimedUntil == nil).filter(\.$claimedUntil < now) }
            .sort(\.$nextAttemptAt)
            .limit(limit)
            .all()
        var sent = 0
        for message in due {
            guard try await claim(message, now: now, on: database) else { continue }
            do {
                let body = try openedBody(of: message, box: box)
                try await transport.send(MailMessage(from: from, to: message.recipient, subject: message.subject, body: body,
                                                     messageID: Self.messageID(of: message, from: from)))
                message.status = .sent
                message.sentAt = now
                // Delivered: the link in it must not outlive its journey.
                message.body = ""
                message.lastError = nil
                sent += 1
            } catch {
                message.attempts += 1
                message.lastError = String(describing: error).prefix(300).description
                if message.attempts >= maxAttempts {
                    message.status = .failed
                } else {
                    message.nextAttemptAt = now.addingTimeInterval(backoff(afterAttempts: message.attempts))
                }
                logger.warning("Mail delivery failed (attempt \(message.attempts))")
            }
            message.claimedUntil = nil
            try await message.save(on: database)
        }
        return sent
    }

    /// `<outbox id@sender's domain>`: one per outbox message, whatever the attempt.
    static func messageID(of message: OutboxMessage, from: String) -> String? {
        guard let id = message.id else { return nil }
        let address = from.split(separator: "<").last.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "> ")) } ?? from
        let domain = address.split(separator: "@").last.map(String.init) ?? "fuqizo.invalid"
        return "<\(id.uuidString.lowercased())@\(domain)>"
    }

    private static func claim(_ message: OutboxMessage, now: Date, on database: any Database) async throws -> Bool {
        guard let sql = database as? any SQLDatabase, let id = message.id else { return false }
        let rows = try await sql.update(OutboxMessage.schema)
            .set("claimed_until", to: SQLBind(now.addingTimeInterval(claimDuration)))
            .where("id", .equal, SQLBind(id))
            .where("status", .equal, SQLBind(OutboxMessage.Status.pending.rawValue))
            .where(SQLGroupExpression(SQLBinaryExpression(
                SQLBinaryExpression(SQLColumn("claimed_until"), .is, SQLLiteral.null), .or,
                SQLBinaryExpression(SQLColumn("claimed_until"), .lessThan, SQLBind(now)))))
            .returning("id")
            .all()
        return !rows.isEmpty
    }

    /// Puts a failed message back in the queue (the administrator's "retry").
    /// An administrator sends a failed message again from the start; audited with it.
    static func retry(_ message: OutboxMessage, now: Date, actor: UUID?, audit: AuditTrail, on database: any Database) async throws {
        try await database.writeTransaction { db in
            message.status = .pending
            message.attempts = 0
            message.nextAttemptAt = now
            try await message.save(on: db)
            try await audit.record(.init("mail.retried", target: ("mail", try message.requireID().uuidString)), actor: actor, at: now, on: db)
        }
    }
}

extension Application {
    private struct TransportKey: StorageKey { typealias Value = any MailTransport }

    /// The configured transport; tests may replace it (a fake at the outer edge).
    var mailTransport: any MailTransport {
        get {
            if let transport = storage[TransportKey.self] { return transport }
            switch services.config.mailTransport {
            case .log: return LogMailTransport()
            case .sendmail: return SendmailTransport(command: services.config.sendmailCommand)
            }
        }
        set { storage[TransportKey.self] = newValue }
    }

    @discardableResult
    func deliverMail() async throws -> Int {
        try await Outbox.deliverDue(database: db, transport: mailTransport, from: services.config.mailFrom, box: services.mailBox,
                                    now: clock.now(), logger: logger)
    }
}

/// Runs background work (mail delivery, mail about new work, report and event reminders, retention of survivor records) on a timer in every instance; claims make sure each
/// piece of work is done once.
struct BackgroundJobs: LifecycleHandler {
    final class Runner: Sendable {
        let task: NIOLockedValueBox<Task<Void, Never>?> = .init(nil)
    }

    let runner = Runner()

    func didBootAsync(_ application: Application) async throws {
        guard application.services.config.runsBackgroundJobs, application.isServing else { return }
        let interval = application.services.config.backgroundInterval
        let task = Task {
            while !Task.isCancelled {
                // An instance elsewhere rotated the key (PostgreSQL shared by several servers):
                // this one would seal new secrets nobody could open, so it stops.
                if let current = try? await KeyStore.matches(application.services.masterKey, on: application.db), !current {
                    application.logger.critical("The database is under a new master key (fuqizo keys rotate); this server stops. Start it with the new key.")
                    application.running?.stop()
                    return
                }
                do {
                    try await application.deliverMail()
                } catch {
                    application.logger.warning("Background mail delivery failed: \(String(reflecting: type(of: error)))")
                }
                // Before the work notices: a new installation's first backup is made before
                // administrators would be told there is none.
                do {
                    try await ScheduledBackups(app: application).runIfDue()
                } catch {
                    // The reason is on the administrator's backups page; it names files, never people.
                    application.logger.error("Scheduled backup failed: \(error)")
                }
                do {
                    try await application.tellNewWork()
                } catch {
                    application.logger.warning("Background work notices failed: \(String(reflecting: type(of: error)))")
                }
                do {
                    try await application.remindReports()
                } catch {
                    application.logger.warning("Background report reminders failed: \(String(reflecting: type(of: error)))")
                }
                do {
                    try await application.remindEvents()
                } catch {
                    application.logger.warning("Background event reminders failed: \(String(reflecting: type(of: error)))")
                }
                do {
                    try await application.shredExpiredSurvivorRecords()
                } catch {
                    application.logger.warning("Background retention failed: \(String(reflecting: type(of: error)))")
                }
                try? await Task.sleep(for: .seconds(interval))
            }
        }
        runner.task.withLockedValue { $0 = task }
    }

    func shutdownAsync(_ application: Application) async {
        let task = runner.task.withLockedValue { task in
            task?.cancel()
            return task
        }
        // The look under way finishes before the databases close beneath it: a job reaching
        // for a closed database would stop the process (seen when the port was taken).
        await task?.value
    }
}
