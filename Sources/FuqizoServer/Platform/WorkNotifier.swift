import Fluent
import Foundation
import FuqizoCore
import SQLKit
import Vapor

/// That a person has been told of a piece of work (`WorkItem.key`).
final class WorkNotice: Model, @unchecked Sendable {
    static let schema = "work_notices"

    @ID(key: .id) var id: UUID?
    @Field(key: "user_id") var userID: UUID
    @Field(key: "item_key") var itemKey: String
    @Field(key: "told_at") var toldAt: Date

    init() {}

    init(userID: UUID, itemKey: String, toldAt: Date) {
        self.userID = userID
        self.itemKey = itemKey
        self.toldAt = toldAt
    }
}

/// How a person wants to hear of new work; no row means `NoticePreference.default`.
final class NoticeSetting: Model, @unchecked Sendable {
    static let schema = "notice_settings"

    @ID(custom: "user_id", generatedBy: .user) var id: UUID?
    @Field(key: "preference") var preference: String
    @OptionalField(key: "digest_sent_on") var digestSentOn: String?

    init() {}

    init(userID: UUID, preference: NoticePreference) {
        self.id = userID
        self.preference = preference.rawValue
    }

    var choice: NoticePreference { NoticePreference(rawValue: preference) ?? .default }
}

/// Tells people by mail when work arrives on their list. Every few minutes one instance (a
/// lease in `system_values`) gathers each active person's work with the same registered
/// `WorkSource`s the home page uses, and compares it with what they were told: new items make
/// one short mail through the outbox, with links and no content; a daily digest goes to those
/// who chose it. A new module's work is told by mail as soon as it registers its source.
enum WorkNotifier {
    static let leaseName = "lease.workNotices"
    /// Set after the first look: the work that existed when notices began is not announced.
    static let startedName = "workNotices.started"
    static let interval: TimeInterval = 300
    /// A digest lists this many items and says how many more wait.
    static let digestItems = 20

    struct Outcome: Equatable {
        var mailed = 0
        var digests = 0
    }

    /// One look for everyone, if this instance holds the lease; nil when another one does.
    @discardableResult
    static func run(_ app: Application, force: Bool = false) async throws -> Outcome? {
        let now = app.clock.now()
        guard try await Lease.claim(leaseName, for: interval, now: now, on: app.db) || force else { return nil }
        let started = try await SystemValue.find(startedName, on: app.db) != nil
        let users = try await User.query(on: app.db).filter(\.$isActive == true).filter(\.$passwordHash != nil).with(\.$roles).all()
        let settings = Dictionary(uniqueKeysWithValues: try await NoticeSetting.query(on: app.db).all().compactMap { row in row.id.map { ($0, row) } })
        var outcome = Outcome()
        for user in users {
            guard let id = user.id else { continue }
            let setting = settings[id]
            let preference = setting?.choice ?? .default
            let actor = Actor(userID: id, grants: Set(user.roles.compactMap(\.grant)))
            let today = TiranaTime.today(at: now)
            var items: [WorkItem] = []
            for source in app.workSources {
                items += try await source.items(for: actor, today: today, now: now, on: app.db)
            }
            items = WorkList.ordered(items, today: today)
            let told = Set(try await WorkNotice.query(on: app.db).filter(\.$userID == id).all().map(\.itemKey))
            let arrived = WorkNotices.arrived(items, told: told)
            let current = Set(items.map(\.key))
            let language = Language(code: user.preferredLanguage) ?? .default
            let services = app.services
            let mailed = try await app.db.writeTransaction { db -> Bool in
                for item in arrived { try await WorkNotice(userID: id, itemKey: item.key, toldAt: now).create(on: db) }
                // Work that is done is forgotten: if it comes back, it is new again.
                let gone = told.subtracting(current)
                if !gone.isEmpty { try await WorkNotice.query(on: db).filter(\.$userID == id).filter(\.$itemKey ~~ gone).delete() }
                guard started, preference == .each, !arrived.isEmpty else { return false }
                let mail = Self.mail(arrived, language: language, services: services, digest: false, more: 0)
                try await Outbox.enqueue(to: user.email, subject: mail.subject, body: mail.body, now: now, sealedBy: services.mailBox, on: db)
                return true
            }
            if mailed { outcome.mailed += 1 }
            if preference == .daily, !items.isEmpty,
               WorkNotices.digestDue(lastSent: setting?.digestSentOn.flatMap(LocalDate.init), now: now),
               try await claimDigest(id, today: today, on: app.db) {
                let shown = Array(items.prefix(digestItems))
                let mail = Self.mail(shown, language: language, services: services, digest: true, more: items.count - shown.count)
                try await Outbox.enqueue(to: user.email, subject: mail.subject, body: mail.body, now: now, sealedBy: services.mailBox, on: app.db)
                outcome.digests += 1
            }
        }
        if !started { try await SystemValue(id: startedName, value: SpreadsheetText.utc(now)).create(on: app.db) }
        return outcome
    }

    /// Today's digest is this instance's to send: a conditional update that only one wins.
    private static func claimDigest(_ user: UUID, today: LocalDate, on database: any Database) async throws -> Bool {
        guard let sql = database as? any SQLDatabase else { return false }
        let rows = try await sql.update(NoticeSetting.schema)
            .set("digest_sent_on", to: SQLBind(today.description))
            .where("user_id", .equal, SQLBind(user))
            .where(SQLGroupExpression(SQLBinaryExpression(
                SQLBinaryExpression(SQLColumn("digest_sent_on"), .is, SQLLiteral.null), .or,
                SQLBinaryExpression(SQLColumn("digest_sent_on"), .lessThan, SQLBind(today.description)))))
            .returning("user_id")
            .all()
        return !rows.isEmpty
    }

    /// The mail: what waits, each with its link; no names, no record's content, and for
    /// survivor records not even the code (the link is the home page).
    static func mail(_ items: [WorkItem], language: Language, services: AppServices, digest: Bool, more: Int) -> (subject: String, body: String) {
        let catalog = services.catalog
        let base = services.config.publicURL
        let lines = items.map { item in
            let text = catalog.has("\(item.kind).other") ? catalog.counted(item.kind, item.count, language) : catalog.text(item.kind, language)
            let path = item.link.name == "survivor" ? SiteURL.home.path : (SiteURL(name: item.link.name, values: item.link.values)?.path ?? SiteURL.home.path)
            return "- \(text)\n  \(base)\(path)"
        }
        var list = lines.joined(separator: "\n")
        if more > 0 { list += "\n" + catalog.counted("notices.more", more, language) }
        let values = ["items": list, "home": base + SiteURL.home.path, "account": base + SiteURL.account.path]
        let prefix = digest ? "notices.digest" : "notices.new"
        return (catalog.text("\(prefix).subject", language), catalog.format("\(prefix).body", language, values))
    }
}

/// A named lease in `system_values`: one instance at a time does a periodic job.
enum Lease {
    /// True when this caller now holds `name` until `now + duration`.
    static func claim(_ name: String, for duration: TimeInterval, now: Date, on database: any Database) async throws -> Bool {
        guard let sql = database as? any SQLDatabase else { return false }
        let until = SpreadsheetText.utc(now.addingTimeInterval(duration))
        if try await SystemValue.find(name, on: database) == nil {
            do {
                try await SystemValue(id: name, value: until).create(on: database)
                return true
            } catch {
                // Another instance created it first: it holds the lease.
                return false
            }
        }
        let rows = try await sql.update(SystemValue.schema)
            .set("value", to: SQLBind(until))
            .where("name", .equal, SQLBind(name))
            .where("value", .lessThanOrEqual, SQLBind(SpreadsheetText.utc(now)))
            .returning("name")
            .all()
        return !rows.isEmpty
    }
}

extension Application {
    func tellNewWork() async throws {
        try await WorkNotifier.run(self)
    }
}
