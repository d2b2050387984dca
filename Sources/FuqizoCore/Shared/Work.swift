import Foundation

// What waits for a person. Each module turns plain facts about its records into work items
// with a pure function of its own (`GrantWork`, `CaseWork…`); the server gathers every
// module's items for the person signed in and shows them on their home page, most urgent
// first, and as counts in the navigation.

/// The page a work item opens, by the name a template would use (`#url("assignment", id)`):
/// the core names pages without knowing their paths.
public struct WorkLink: Sendable, Hashable {
    public let name: String
    public let values: [String]

    public init(_ name: String, _ values: String...) {
        self.name = name
        self.values = values
    }
}

/// One thing to do. It says what (a catalog key), about which record (a reference or code,
/// never a name), by when, and where it is done.
public struct WorkItem: Sendable, Hashable {
    /// Catalog key of the sentence, e.g. "work.declare"; the sentence may use {count}.
    public let kind: String
    /// The record's public reference (`CFP-2019-01`, `DI-2026-0076`): nothing personal.
    public let reference: String
    public let due: LocalDate?
    /// How many records the item stands for ("12 submissions to check").
    public let count: Int
    public let link: WorkLink
    /// The navigation entry whose count it adds to (its catalog key, e.g. "nav.evaluation").
    public let section: String
    /// Whether its arrival is told by mail. Not for what the person made themself (a draft).
    public let announced: Bool

    public init(_ kind: String, reference: String, due: LocalDate? = nil, count: Int = 1, link: WorkLink, section: String,
                announced: Bool = true) {
        self.kind = kind
        self.reference = reference
        self.due = due
        self.count = count
        self.link = link
        self.section = section
        self.announced = announced
    }

    /// The same piece of work from one look to the next: what and where, not how many or by
    /// when (twelve submissions to check for a call are the same work as eleven).
    public var key: String { ([kind, link.name] + link.values).joined(separator: "|") }

    public func urgency(today: LocalDate) -> WorkUrgency { WorkUrgency(due: due, today: today) }
}

/// How pressing an item is: overdue, due within a week, later, or without a date.
public enum WorkUrgency: Int, Sendable, Comparable {
    case overdue, soon, later, undated

    public static let soonDays = 7

    public init(due: LocalDate?, today: LocalDate) {
        guard let due else { self = .undated; return }
        if due < today { self = .overdue }
        else if due <= today.adding(days: Self.soonDays) { self = .soon }
        else { self = .later }
    }

    public static func < (lhs: WorkUrgency, rhs: WorkUrgency) -> Bool { lhs.rawValue < rhs.rawValue }

    public var catalogKey: String { "work.urgency.\(self)" }
}

public enum WorkList {
    /// Most urgent first: overdue, then by due date, then undated; equal items keep a stable
    /// order by kind and reference so the list does not shuffle between visits.
    public static func ordered(_ items: [WorkItem], today: LocalDate) -> [WorkItem] {
        // Each item's urgency once, not in every comparison: a grants officer's list runs to
        // thousands of items at national scale.
        items.map { ($0, $0.urgency(today: today)) }.sorted { left, right in
            let ((a, ua), (b, ub)) = (left, right)
            if ua != ub { return ua < ub }
            if let da = a.due, let db = b.due, da != db { return da < db }
            if a.kind != b.kind { return a.kind < b.kind }
            return a.reference < b.reference
        }.map(\.0)
    }

    /// The count each navigation entry shows.
    public static func counts(_ items: [WorkItem]) -> [String: Int] {
        items.reduce(into: [:]) { counts, item in counts[item.section, default: 0] += max(item.count, 0) }
    }
}

/// What the platform itself asks of administrators.
public enum AdministrationWork {
    /// Mail the outbox gave up on: someone did not get an invitation, a reset link or a letter.
    /// The last backup over a day old (or none yet): everything since would be lost with the disk.
    public static func administrator(undeliveredMail: Int, backupOverdue: Bool = false) -> [WorkItem] {
        var items: [WorkItem] = []
        if undeliveredMail > 0 {
            items.append(WorkItem("work.undeliveredMail", reference: "", count: undeliveredMail, link: WorkLink("outbox"), section: "nav.outbox"))
        }
        if backupOverdue {
            items.append(WorkItem("work.backupOverdue", reference: "", link: WorkLink("backups"), section: "nav.backups"))
        }
        return items
    }
}

/// How a person hears of new work by mail: at once (one short mail per look that finds new
/// work), once a day (a digest of everything waiting), or not at all (the home page only).
public enum NoticePreference: String, CaseIterable, Sendable {
    case each, daily, none

    public static let `default`: NoticePreference = .each

    public var catalogKey: String { "notices.preference.\(rawValue)" }
}

public enum WorkNotices {
    /// The digest goes out at the first look after this hour, Tirana time.
    public static let digestHour = 7

    /// The items whose arrival is to be told: announced, and not told before.
    public static func arrived(_ items: [WorkItem], told: Set<String>) -> [WorkItem] {
        var seen = Set<String>()
        return items.filter { $0.announced && !told.contains($0.key) && seen.insert($0.key).inserted }
    }

    /// Whether today's digest is due: past the hour in Tirana and not yet sent today.
    public static func digestDue(lastSent: LocalDate?, now: Date) -> Bool {
        let today = TiranaTime.today(at: now)
        if let lastSent, lastSent >= today { return false }
        return TiranaTime.hour(at: now) >= digestHour
    }
}
