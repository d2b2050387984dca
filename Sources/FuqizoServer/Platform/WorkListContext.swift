import Foundation
import FuqizoCore

/// A person's work as their home page shows it: one sentence a line, in their language, with
/// its record's reference, the date it is due, and the page where it is done.
struct WorkListContext: Encodable {
    struct Row: Encodable {
        let text: String
        let reference: String
        let href: String
        let due: String?
        /// `work.urgency.overdue`, `.soon`, `.later` or `.undated`.
        let urgencyKey: String
        let overdue: Bool
        let soon: Bool
    }

    let rows: [Row]
    let overdue: Int
    /// Items beyond the first `shown`: counted in the menu, listed on their module's pages.
    let more: Int

    /// A home page stays small on a slow connection even for an office with thousands of cases.
    static let shown = 30

    /// Items whose link names no page are left out: a module's mistake must not break the
    /// home page (the suite checks every kind's link).
    /// Only the rows shown are written out; the others are only counted.
    static func build(_ items: [WorkItem], language: Language, catalog: Catalog, today: LocalDate) -> WorkListContext {
        var rows: [Row] = []
        var (overdue, listed) = (0, 0)
        for item in items {
            guard let url = SiteURL(name: item.link.name, values: item.link.values) else { continue }
            let urgency = item.urgency(today: today)
            listed += 1
            if urgency == .overdue { overdue += 1 }
            guard rows.count < shown else { continue }
            let text = catalog.has("\(item.kind).other") ? catalog.counted(item.kind, item.count, language) : catalog.text(item.kind, language)
            rows.append(Row(text: text, reference: item.reference, href: url.path, due: item.due.map { Display.date($0, language) },
                            urgencyKey: urgency.catalogKey, overdue: urgency == .overdue, soon: urgency == .soon))
        }
        return WorkListContext(rows: rows, overdue: overdue, more: listed - rows.count)
    }
}
