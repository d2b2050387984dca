import Fluent
import Foundation
import FuqizoCore
import SQLKit
import Vapor

/// The audit trail as people read it: filtered by person, by family of actions, by period and
/// by record, and told as sentences in the reader's language. The stored entries stay the
/// codes the chain hashes; only their reading changes.
enum AuditReading {
    static let pageSize = 100
    /// The most an export carries; a wider selection is refused with the count, to narrow.
    static let exportLimit = 50_000

    /// The families of actions, by the first part of their code ("survivor.consentWithdrawn").
    static let families = [
        "signIn", "password", "passwordReset", "twoFactor", "user", "setup", "settings", "region", "organisation",
        "call", "application", "committee", "evaluation", "ranking", "decision", "letter",
        "survivor", "club", "mail", "keys", "demo",
    ]

    struct Filter: Sendable {
        /// Words of a person's name or e-mail address.
        var person: String?
        var family: String?
        var from: LocalDate?
        var to: LocalDate?
        /// A record: a survivor's code, an application's or call's reference, a user's e-mail.
        var record: String?
        var page: Int?
        /// Old links: one action or family, typed.
        var action: String?

        /// The filter's values for a link or an export.
        var items: [(String, String?)] {
            [("person", person), ("family", family), ("from", from?.description), ("to", to?.description), ("record", record), ("action", action)]
        }
    }

    struct Row: Sendable {
        let entry: AuditEntry
        let actor: User?
    }

    /// A page of entries, newest first. Nil when a person or record named matches nobody:
    /// the page then says so instead of showing everything.
    static func page(_ filter: Filter, on database: any Database) async throws -> (rows: [Row], pager: Pager) {
        guard let query = try await query(filter, on: database) else {
            return ([], Pager(requested: 1, total: 0, pageSize: pageSize))
        }
        let pager = Pager(requested: filter.page, total: try await query.copy().count(), pageSize: pageSize)
        let entries = try await query.sort(\.$sequence, .descending).range(pager.offset..<(pager.offset + pager.pageSize)).all()
        return (try await withActors(entries, on: database), pager)
    }

    /// Every entry the filter selects, oldest first (for an export); nil when more than `limit`.
    static func all(_ filter: Filter, limit: Int = exportLimit, on database: any Database) async throws -> (rows: [Row], total: Int)? {
        guard let query = try await query(filter, on: database) else { return ([], 0) }
        let total = try await query.copy().count()
        guard total <= limit else { return nil }
        var rows: [Row] = []
        var after = Int.min
        while true {
            let batch = try await query.copy().filter(\.$sequence > after).sort(\.$sequence).limit(1_000).all()
            guard let last = batch.last else { break }
            rows += try await withActors(batch, on: database)
            after = last.sequence
        }
        return (rows, total)
    }

    private static func withActors(_ entries: [AuditEntry], on database: any Database) async throws -> [Row] {
        let ids = Set(entries.compactMap(\.actorID))
        let actors = ids.isEmpty ? [] : try await User.query(on: database).filter(\.$id ~~ ids).with(\.$roles).all()
        let byID = Dictionary(uniqueKeysWithValues: actors.compactMap { user in user.id.map { ($0, user) } })
        return entries.map { Row(entry: $0, actor: $0.actorID.flatMap { byID[$0] }) }
    }

    private static func query(_ filter: Filter, on database: any Database) async throws -> QueryBuilder<AuditEntry>? {
        var query = AuditEntry.query(on: database)
        if let words = filter.person.flatMap(Text.clean) {
            let key = words.lowercased()
            // The staff of a programme are a few hundred: matched here rather than in SQL, so
            // that case and accents behave the same on SQLite and PostgreSQL.
            let people = try await User.query(on: database).all().filter {
                $0.email.lowercased().contains(key) || Text.searchKey($0.displayName).contains(Text.searchKey(words))
            }
            guard !people.isEmpty else { return nil }
            query = query.filter(\.$actorID ~~ Set(people.compactMap(\.id)))
        }
        if let family = filter.family, families.contains(family) {
            query = query.filter(\.$action, .contains(inverse: false, .prefix), family + ".")
        }
        if let action = filter.action.flatMap(Text.clean) {
            query = query.group(.or) { $0.filter(\.$action == action).filter(\.$action, .contains(inverse: false, .prefix), action + ".") }
        }
        if let from = filter.from, let start = TiranaTime.instant(date: from.description, time: "00:00") {
            query = query.filter(\.$occurredAt >= start)
        }
        if let to = filter.to, let end = TiranaTime.instant(date: to.adding(days: 1).description, time: "00:00") {
            query = query.filter(\.$occurredAt < end)
        }
        if let record = filter.record.flatMap(Text.clean) {
            let ids = try await recordIDs(record, on: database)
            query = query.filter(\.$targetID ~~ ids)
        }
        return query
    }

    /// What a typed record may be: the code or id itself, an application's or a call's
    /// reference, a user's e-mail address.
    private static func recordIDs(_ typed: String, on database: any Database) async throws -> Set<String> {
        var ids: Set<String> = [typed, typed.uppercased()]
        let upper = typed.uppercased()
        if let application = try await GrantApplication.query(on: database).filter(\.$reference == upper).first(), let id = application.id {
            ids.insert(id.uuidString)
        }
        if let call = try await GrantCall.query(on: database).filter(\.$reference == upper).first(), let id = call.id {
            ids.insert(id.uuidString)
        }
        if let user = try await User.query(on: database).filter(\.$email == typed.lowercased()).first(), let id = user.id {
            ids.insert(id.uuidString)
        }
        return ids
    }
}

/// Audit entries in words: who (with their role), what, on which record, and why.
struct AuditWording {
    let req: Request
    /// Names of the organisations, users, applications and calls the entries point at.
    private var labels: [String: String] = [:]

    /// `labels`: names already known, by id (a survivor record's organisations).
    init(_ req: Request, labels: [String: String] = [:]) {
        self.req = req
        self.labels = labels
    }

    /// Reads the names of every record `entries` point at, in a few grouped queries.
    static func load(_ req: Request, for entries: [AuditEntry]) async throws -> AuditWording {
        var wording = AuditWording(req)
        func ids(_ type: String) -> Set<UUID> {
            Set(entries.filter { $0.targetType == type }.compactMap { $0.targetID.flatMap(UUID.init(uuidString:)) })
        }
        let details = entries.flatMap { AuditDetails.parse($0.details) }
        let organisationIDs = ids("organisation").union(details.filter { $0.key == "to" || $0.key == "organisation" }.compactMap { UUID(uuidString: $0.value) })
        for organisation in try await OrganisationService(database: req.db, services: req.services).named(organisationIDs) {
            wording.labels[organisation.id!.uuidString] = organisation.nameSq
        }
        let userIDs = ids("user").union(details.filter { $0.key == "evaluator" }.compactMap { UUID(uuidString: $0.value) })
        if !userIDs.isEmpty {
            for user in try await User.query(on: req.db).filter(\.$id ~~ userIDs).all() { wording.labels[user.id!.uuidString] = user.displayName }
        }
        let applicationIDs = ids("application")
        if !applicationIDs.isEmpty {
            for application in try await GrantApplication.query(on: req.db).filter(\.$id ~~ applicationIDs).all() {
                wording.labels[application.id!.uuidString] = application.reference ?? req.t("audit.record.draftApplication")
            }
        }
        let callIDs = ids("call")
        if !callIDs.isEmpty {
            for call in try await GrantCall.query(on: req.db).filter(\.$id ~~ callIDs).all() { wording.labels[call.id!.uuidString] = call.reference }
        }
        let contractIDs = ids("contract")
        if !contractIDs.isEmpty {
            for contract in try await GrantContract.query(on: req.db).filter(\.$id ~~ contractIDs).all() { wording.labels[contract.id!.uuidString] = contract.number }
        }
        return wording
    }

    /// "Arta Hoxha (Case worker)"; "The system" for entries without a person.
    func who(_ actor: User?, id: UUID?) -> String {
        guard let actor else { return req.t(id == nil ? "timeline.system" : "audit.who.removed") }
        let roles = Set(actor.roles.compactMap { Role(rawValue: $0.role) }).sorted()
        guard let role = roles.first else { return actor.displayName }
        return "\(actor.displayName) (\(req.t(role.catalogKey)))"
    }

    /// The record an entry is about, as people name it.
    func target(_ entry: AuditEntry) -> String {
        guard let id = entry.targetID else { return "" }
        if let label = labels[id] { return label }
        if entry.targetType == "survivor" { return id }
        return "\(req.t("audit.record.\(entry.targetType ?? "other")", fallback: entry.targetType ?? "")) \(id.prefix(8))"
    }

    /// The sentence: "Arta Hoxha (Case worker) withdrew the consent to Club participation for
    /// DI-2026-0076 — reason: She asked to stop".
    func sentence(_ row: AuditReading.Row) -> String {
        let entry = row.entry
        var subject = target(entry)
        if subject.isEmpty, entry.action == "signIn.failed" { subject = req.t("audit.record.unknownAccount") }
        var values = ["who": who(row.actor, id: entry.actorID), "target": subject, "action": entry.action]
        var reason: String?
        for pair in AuditDetails.parse(entry.details) {
            let text = detail(pair.key, pair.value, action: entry.action)
            values[pair.key] = text
            if pair.key == "reason" { reason = text }
        }
        let key = "audit.did.\(entry.action)"
        var sentence = req.services.catalog.has(key) ? req.t(key, values) : req.t("audit.did.other", values)
        if let reason, !sentence.contains(reason) { sentence += req.t("audit.reason", ["reason": reason]) }
        return sentence
    }

    /// A detail's code in the reader's language: a consent's purpose, a reason, an
    /// organisation's name; anything else as stored.
    func detail(_ key: String, _ value: String, action: String) -> String {
        let catalogKey: String? = switch key {
        case "purpose": ConsentPurpose(rawValue: value)?.catalogKey
        case "reason" where action == "survivor.consentWithdrawn": ConsentWithdrawalReason(rawValue: value)?.catalogKey
        case "reason" where action == "survivor.erased": ErasureReason(rawValue: value)?.catalogKey
        case "reason" where action == "survivor.closed": ClosureReason(rawValue: value)?.catalogKey
        case "area": PlanArea(rawValue: value)?.catalogKey
        case "status": StepStatus(rawValue: value)?.catalogKey
        case "kind" where action == "campaign.actionAdded": CampaignActionKind(rawValue: value)?.catalogKey
        case "kind" where action == "campaign.mentionAdded": MediaKind(rawValue: value)?.catalogKey
        case "kind": EmploymentKind(rawValue: value)?.catalogKey
        case "service": ReferralNeed(rawValue: value)?.catalogKey
        case "stage": ApplicationStage(rawValue: value)?.catalogKey
        case "stillWorking": value == "yes" ? "followUp.stillWorking" : "followUp.notWorking"
        case "certificate": value == "yes" ? "timeline.withCertificate" : "timeline.withoutCertificate"
        default: nil
        }
        if let catalogKey { return req.t(catalogKey) }
        if let label = labels[value] { return label }
        return value
    }
}

extension Request {
    /// A catalog text, or `fallback` when the catalog has no such key.
    func t(_ key: String, fallback: String) -> String {
        services.catalog.has(key) ? t(key) : fallback
    }
}
