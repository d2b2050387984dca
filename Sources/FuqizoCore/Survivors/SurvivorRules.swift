import Foundation

/// The pseudonymous code a survivor is known by everywhere: region, year, number
/// (`KU-2019-0042`). It names nobody.
public enum SurvivorCode {
    public static func make(regionCode: String, year: Int, number: Int) -> String {
        let digits = String(number)
        return "\(regionCode.uppercased())-\(year)-\(String(repeating: "0", count: max(0, 4 - digits.count)))\(digits)"
    }

    public static func isValid(_ code: String) -> Bool {
        code.range(of: #"^[A-Z]{2,3}-[0-9]{4}-[0-9]{4,}$"#, options: .regularExpression) != nil
    }
}

/// Age shown in bands, never as a birth date: statistics and pages use the band.
public enum AgeBand: String, CaseIterable, Codable, Sendable {
    case under18, from18to24, from25to34, from35to44, from45to54, from55
    case unknown

    public static func of(yearOfBirth: Int?, in year: Int) -> AgeBand {
        guard let yearOfBirth, yearOfBirth <= year, year - yearOfBirth < 120 else { return .unknown }
        // The age reached during the year: a band never depends on the day of birth.
        switch year - yearOfBirth {
        case ..<18: return .under18
        case 18...24: return .from18to24
        case 25...34: return .from25to34
        case 35...44: return .from35to44
        case 45...54: return .from45to54
        default: return .from55
        }
    }

    public var catalogKey: String { "survivor.age.\(rawValue)" }
}

/// The Washington Group short set: six questions on seeing, hearing, walking, remembering,
/// self-care and communicating, each answered on four levels.
public enum WashingtonGroup {
    public enum Domain: String, CaseIterable, Codable, Sendable {
        case seeing, hearing, walking, cognition, selfCare, communication
    }

    public enum Answer: String, CaseIterable, Codable, Sendable {
        case noDifficulty, someDifficulty, aLotOfDifficulty, cannotDoAtAll
    }

    /// The recommended cut-off: "a lot of difficulty" or "cannot do at all" in any domain
    /// counts as disability. Unanswered domains do not count either way.
    public static func hasDisability(_ answers: [Domain: Answer]) -> Bool {
        answers.values.contains { $0 == .aLotOfDifficulty || $0 == .cannotDoAtAll }
    }
}

/// What a survivor has agreed to, purpose by purpose.
public enum ConsentPurpose: String, CaseIterable, Codable, Sendable {
    case services, club, referral, employerContact, phoneFollowUp, statistics, media

    public var catalogKey: String { "consent.purpose.\(rawValue)" }
}

/// One consent as recorded: given on a date, for a purpose (a referral's consent names the
/// receiving organisation), possibly withdrawn later.
public struct ConsentRecord: Codable, Sendable, Equatable {
    public let purpose: ConsentPurpose
    /// For a referral: the organisation the data may go to.
    public let recipient: UUID?
    public let givenAt: Date
    public let withdrawnAt: Date?

    public init(purpose: ConsentPurpose, recipient: UUID? = nil, givenAt: Date, withdrawnAt: Date? = nil) {
        self.purpose = purpose
        self.recipient = recipient
        self.givenAt = givenAt
        self.withdrawnAt = withdrawnAt
    }

    public func isActive(at instant: Date) -> Bool {
        givenAt <= instant && (withdrawnAt.map { instant < $0 } ?? true)
    }
}

/// Consent is checked on every read, share and export, not only at referral; a withdrawal
/// takes effect at once.
public enum ConsentRule {
    public static func allows(_ purpose: ConsentPurpose, recipient: UUID? = nil, records: [ConsentRecord], at instant: Date) -> Bool {
        records.contains { record in
            record.purpose == purpose && record.isActive(at: instant) && (purpose != .referral || record.recipient == recipient)
        }
    }
}

/// Follow-ups after a job or business starts: at 3, 6 and 12 months, shown when due and when late.
public enum FollowUpSchedule {
    public static let months = [3, 6, 12]
    /// A follow-up is late this many days after its date.
    public static let graceDays = 14

    public enum State: String, Sendable, Equatable {
        case upcoming, due, late, done
    }

    public static func dates(from start: LocalDate) -> [LocalDate] {
        months.map { start.adding(months: $0) }
    }

    public static func state(of date: LocalDate, today: LocalDate, recorded: Bool) -> State {
        if recorded { return .done }
        if today < date { return .upcoming }
        return today <= date.adding(days: graceDays) ? .due : .late
    }
}

extension LocalDate {
    /// The same day some months later, or the month's last day when it has no such day.
    public func adding(months: Int) -> LocalDate {
        let total = (year * 12 + month - 1) + months
        let newYear = total / 12, newMonth = total % 12 + 1
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let first = calendar.date(from: DateComponents(year: newYear, month: newMonth, day: 1))!
        let length = calendar.range(of: .day, in: .month, for: first)!.count
        return LocalDate(String(format: "%04d-%02d-%02d", newYear, newMonth, min(day, length)))!
    }
}

/// Who may join the Social Cause Club: a record with an active consent to the Club, whose
/// identity still exists, not already a member.
public enum ClubRule {
    /// Why this record cannot join now; nil when it can. Already a member is no refusal to
    /// report: joining again changes nothing.
    public static func refusalToJoin(_ record: SurvivorAccess) -> WorkflowRefusal? {
        guard record.activeConsents.contains(.club), !record.identityDestroyed else { return WorkflowRefusal("club.error.consent") }
        return nil
    }

    /// Attendance is taken on the session's day or after it, never for a session to come.
    public static func refusalToRecordAttendance(sessionOn day: LocalDate, today: LocalDate) -> WorkflowRefusal? {
        day > today ? WorkflowRefusal("club.error.attendanceBeforeSession") : nil
    }

    /// Whether the record's page offers to join.
    public static func offersJoining(_ record: SurvivorAccess, isMember: Bool) -> Bool {
        !isMember && refusalToJoin(record) == nil
    }
}
