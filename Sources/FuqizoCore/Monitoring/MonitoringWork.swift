import Foundation

/// The monitoring part of a programme manager's work list: values others entered waiting for a
/// review, reporting periods over without a submitted report, and a logframe draft in progress.
public enum MonitoringWork {
    /// Days after a period's end by which its report is due to the donor (PRAG's 60 days).
    public static let reportDays = 60

    public struct Period: Sendable {
        public let code: String
        public let endsOn: LocalDate
        public let submitted: Bool

        public init(code: String, endsOn: LocalDate, submitted: Bool) { (self.code, self.endsOn, self.submitted) = (code, endsOn, submitted) }
    }

    public static func manager(valuesToReview: Int, periods: [Period], draft: (id: UUID, version: Int)?, today: LocalDate) -> [WorkItem] {
        var items: [WorkItem] = []
        if valuesToReview > 0 {
            items.append(WorkItem("work.monitoring.values", reference: "", count: valuesToReview, link: WorkLink("indicatorValues"), section: "nav.monitoring"))
        }
        for period in periods where !period.submitted && period.endsOn < today {
            items.append(WorkItem("work.monitoring.report", reference: period.code, due: period.endsOn.adding(days: reportDays),
                                  link: WorkLink("donorReports"), section: "nav.monitoring"))
        }
        if let draft {
            items.append(WorkItem("work.monitoring.draft", reference: String(draft.version), link: WorkLink("logframeVersion", draft.id.uuidString),
                                  section: "nav.monitoring", announced: false))
        }
        return items
    }
}
