import Foundation

/// What capacity assessment asks of each person, from plain facts about the self-assessments.
public enum CapacityWork {
    /// One organisation's self-assessment in a round.
    public struct Assessment: Sendable {
        public let id: UUID
        /// The round's reference (`CA-2026-01`), never the organisation's name.
        public let round: String
        public let status: SelfAssessmentStatus
        /// The day the round asks self-assessments to be submitted by.
        public let dueOn: LocalDate?

        public init(id: UUID, round: String, status: SelfAssessmentStatus, dueOn: LocalDate?) {
            (self.id, self.round, self.status, self.dueOn) = (id, round, status, dueOn)
        }
    }

    /// Self-assessments of a round waiting for its facilitator's review, counted per round.
    public struct Waiting: Sendable {
        public let round: UUID
        public let reference: String
        public let submitted: Int
        public let dueOn: LocalDate?

        public init(round: UUID, reference: String, submitted: Int, dueOn: LocalDate?) {
            (self.round, self.reference, self.submitted, self.dueOn) = (round, reference, submitted, dueOn)
        }
    }

    /// Days a facilitator has to review after the round's due day.
    public static let reviewDays = 14

    /// The CSO fills and submits a draft by the round's day, and confirms a reviewed one.
    public static func organisation(_ assessments: [Assessment]) -> [WorkItem] {
        assessments.compactMap { assessment in
            let kind: String
            switch assessment.status {
            case .draft: kind = "work.capacity.fill"
            case .reviewed: kind = "work.capacity.confirm"
            case .submitted, .confirmed: return nil
            }
            return WorkItem(kind, reference: assessment.round, due: assessment.dueOn,
                            link: WorkLink("selfAssessment", assessment.id.uuidString), section: "nav.capacity")
        }
    }

    /// The facilitator reviews what was submitted: one item per round, counting them.
    public static func facilitator(_ rounds: [Waiting]) -> [WorkItem] {
        rounds.filter { $0.submitted > 0 }.map { round in
            WorkItem("work.capacity.review", reference: round.reference, due: round.dueOn?.adding(days: reviewDays),
                     count: round.submitted, link: WorkLink("capacityRound", round.round.uuidString), section: "nav.capacity")
        }
    }

    /// Some of a CSO's people and an event: invitations not yet answered, or registered people to
    /// remind by phone.
    public struct Invitation: Sendable {
        public let event: UUID
        public let reference: String
        public let people: Int
        public let startsOn: LocalDate?

        public init(event: UUID, reference: String, people: Int, startsOn: LocalDate?) {
            (self.event, self.reference, self.people, self.startsOn) = (event, reference, people, startsOn)
        }
    }

    /// The CSO accepts or declines its people's invitations: one item per event, counting the
    /// people, due the day before the event starts.
    public static func invitations(_ invitations: [Invitation]) -> [WorkItem] {
        invitations.filter { $0.people > 0 }.map { invitation in
            WorkItem("work.event.invitations", reference: invitation.reference, due: invitation.startsOn?.adding(days: -1),
                     count: invitation.people, link: WorkLink("event", invitation.event.uuidString), section: "nav.events")
        }
    }

    /// The CSO reminds by phone those of its registered people who have no e-mail address (the
    /// server mails the others, `EventReminder`): one item per event, counting them, while the
    /// reminders are due, and due the day before the event starts.
    public static func phoneReminders(_ events: [Invitation], today: LocalDate) -> [WorkItem] {
        events.filter { event in event.people > 0 && event.startsOn.map { EventReminder.isDue(today: today, startsOn: $0) } == true }.map { event in
            WorkItem("work.event.phoneReminders", reference: event.reference, due: event.startsOn?.adding(days: -1),
                     count: event.people, link: WorkLink("event", event.event.uuidString), section: "nav.events")
        }
    }

    /// A session of an event a trainer runs, held and without its attendance.
    public struct Session: Sendable {
        public let event: UUID
        public let reference: String
        public let number: Int
        public let heldOn: LocalDate

        public init(event: UUID, reference: String, number: Int, heldOn: LocalDate) {
            (self.event, self.reference, self.number, self.heldOn) = (event, reference, number, heldOn)
        }
    }

    /// Days after a session in which its attendance is still asked for.
    public static let attendanceDays = 30

    /// The trainer takes the attendance of each session held in the last month without it,
    /// due on its day.
    public static func trainer(_ sessions: [Session], today: LocalDate) -> [WorkItem] {
        sessions.filter { $0.heldOn <= today && $0.heldOn >= today.adding(days: -attendanceDays) }.map { session in
            WorkItem("work.event.attendance", reference: "\(session.reference)/\(session.number)", due: session.heldOn,
                     link: WorkLink("eventSession", session.event.uuidString, String(session.number)), section: "nav.events")
        }
    }

    /// Events past their last day and not yet closed (their certificates wait): one counted
    /// item for the programme manager, due a week after the earliest.
    public static func closing(over: Int, earliest: LocalDate?) -> [WorkItem] {
        guard over > 0 else { return [] }
        return [WorkItem("work.event.close", reference: "", due: earliest?.adding(days: 7), count: over, link: WorkLink("events"), section: "nav.events")]
    }
}
