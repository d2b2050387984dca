import Foundation

/// What case work asks of case workers and Club facilitators, from plain facts. Items name a
/// survivor only by her code, which case workers see on their caseload already.
public enum SurvivorWork {
    public struct Dated: Sendable {
        /// The record the item opens: a survivor's code, a referral's or a session's id.
        public let record: String
        /// The survivor's code, shown as the item's reference.
        public let code: String
        public let on: LocalDate

        public init(record: String, code: String, on: LocalDate) {
            (self.record, self.code, self.on) = (record, code, on)
        }
    }

    /// A case worker: employment follow-ups due within a week or late, plan steps past their
    /// date, and referrals received that wait for an answer (due a week after they came).
    public static func caseWorker(followUps: [Dated], overdueSteps: [Dated], referralsReceived: [Dated], today: LocalDate) -> [WorkItem] {
        let horizon = today.adding(days: WorkUrgency.soonDays)
        let followUps = followUps.filter { $0.on <= horizon }.map {
            WorkItem("work.followUp", reference: $0.code, due: $0.on, link: WorkLink("survivor", $0.record), section: "nav.survivors")
        }
        let steps = overdueSteps.filter { $0.on < today }.map {
            WorkItem("work.planStep", reference: $0.code, due: $0.on, link: WorkLink("survivor", $0.record), section: "nav.survivors")
        }
        let referrals = referralsReceived.map {
            WorkItem("work.answerReferral", reference: $0.code, due: $0.on.adding(days: WorkUrgency.soonDays),
                     link: WorkLink("referral", $0.record), section: "nav.referrals")
        }
        return followUps + steps + referrals
    }

    public struct Session: Sendable {
        public let id: UUID
        public let on: LocalDate
        public let attendanceTaken: Bool

        public init(id: UUID, on: LocalDate, attendanceTaken: Bool) {
            (self.id, self.on, self.attendanceTaken) = (id, on, attendanceTaken)
        }
    }

    /// A facilitator: sessions of the coming week (the date tells them apart; a place could
    /// tell too much), and past sessions whose attendance is not
    /// yet recorded.
    public static func facilitator(_ sessions: [Session], today: LocalDate) -> [WorkItem] {
        let horizon = today.adding(days: WorkUrgency.soonDays)
        return sessions.compactMap { session in
            let link = WorkLink("clubSession", session.id.uuidString)
            if session.on >= today, session.on <= horizon {
                return WorkItem("work.session", reference: "", due: session.on, link: link, section: "nav.club")
            }
            if session.on < today, !session.attendanceTaken {
                return WorkItem("work.attendance", reference: "", due: session.on, link: link, section: "nav.club")
            }
            return nil
        }
    }
}
