import Foundation

// MARK: capacity-building events

public enum EventKind: String, CaseIterable, Codable, Sendable {
    case training
    case workshop
    case mentoring
    case studyVisit

    public var catalogKey: String { "event.kind.\(rawValue)" }
}

// MARK: registrations

/// A person's place at an event. Invited by staff, registered (or waitlisted when the event is
/// full), cancelled; after the event, attended or a no-show.
public enum RegistrationStatus: String, CaseIterable, Codable, Sendable {
    case invited
    case registered
    case waitlisted
    case cancelled
    case attended
    case noShow

    public var catalogKey: String { "registration.status.\(rawValue)" }

    /// Holds one of the event's places.
    public var holdsPlace: Bool { self == .registered || self == .attended }
}

public enum RegistrationEvent: Sendable, Equatable {
    /// Staff invite the person: no place is held until their CSO accepts.
    case invite
    /// The person takes up an invitation (or is registered): a place if one is free.
    case register(placeFree: Bool)
    /// A place freed up: the first on the waitlist takes it.
    case promote
    case cancel
    /// After the event: the attendance decides.
    case close(attended: Bool)
}

extension RegistrationStatus: Lifecycle {
    public func after(_ event: RegistrationEvent) -> Result<RegistrationStatus, WorkflowRefusal> {
        switch (self, event) {
        case (.cancelled, .invite): .success(.invited)
        case (.invited, .invite), (.registered, .invite), (.waitlisted, .invite): .failure(WorkflowRefusal("registration.error.twice"))
        case (.invited, .register(let free)): .success(free ? .registered : .waitlisted)
        case (.cancelled, .register(let free)): .success(free ? .registered : .waitlisted)
        case (.waitlisted, .promote): .success(.registered)
        case (.invited, .cancel), (.registered, .cancel), (.waitlisted, .cancel): .success(.cancelled)
        case (.registered, .close(let attended)): .success(attended ? .attended : .noShow)
        case (.registered, .register), (.waitlisted, .register): .failure(WorkflowRefusal("registration.error.twice"))
        case (.attended, _), (.noShow, _): .failure(WorkflowRefusal("registration.error.eventOver"))
        default: .failure(WorkflowRefusal("registration.error.notNow"))
        }
    }
}

/// Who takes the places: the event's capacity against the registrations, in the order people
/// asked.
/// When the people registered for an event are reminded of it by mail.
public enum EventReminder {
    /// From this many days before the first session.
    public static let daysBefore = 2

    /// In the days before the first session, never on or after it: a server that was down on
    /// the first of those days still reminds on the next.
    public static func isDue(today: LocalDate, startsOn: LocalDate) -> Bool {
        today < startsOn && startsOn <= today.adding(days: daysBefore)
    }
}

public enum Places {
    public struct Registration: Sendable, Equatable {
        public let id: UUID
        public let status: RegistrationStatus
        /// When the person asked (the waitlist's order); equal times keep the id order.
        public let askedAt: Date

        public init(id: UUID, status: RegistrationStatus, askedAt: Date) { (self.id, self.status, self.askedAt) = (id, status, askedAt) }
    }

    /// Places still free: never negative, even if capacity was lowered below those registered.
    public static func free(capacity: Int, _ registrations: [Registration]) -> Int {
        max(0, capacity - registrations.filter(\.status.holdsPlace).count)
    }

    /// The waitlisted who take the places now free, first asked first.
    public static func promotions(capacity: Int, _ registrations: [Registration]) -> [UUID] {
        let waiting = registrations.filter { $0.status == .waitlisted }.sorted { a, b in
            a.askedAt != b.askedAt ? a.askedAt < b.askedAt : a.id.uuidString < b.id.uuidString
        }
        return waiting.prefix(free(capacity: capacity, registrations)).map(\.id)
    }
}

// MARK: attendance and certificates

/// A person at one session of an event.
public enum AttendanceMark: String, CaseIterable, Codable, Sendable {
    case present
    case late
    case excused
    case absent

    public var catalogKey: String { "attendance.\(rawValue)" }

    /// Counts as attending the session.
    public var attended: Bool { self == .present || self == .late }
}

public enum Certificate {
    /// The share of sessions a person must attend to be certified, by default.
    public static let defaultMinimumPercent = 80

    /// Attended at least `minimumPercent` of the event's sessions (exact: 4 of 5 is 80 %).
    public static func isEligible(marks: [AttendanceMark], sessions: Int, minimumPercent: Int = defaultMinimumPercent) -> Bool {
        guard sessions > 0, (1...100).contains(minimumPercent) else { return false }
        let attended = min(marks.filter(\.attended).count, sessions)
        return attended * 100 >= minimumPercent * sessions
    }

    /// The code printed on a certificate and typed on the public verification page: ten
    /// characters of Crockford's base 32 in two groups ("7KQ2M-9XD4R"), from random bytes.
    public static func verificationCode(random: [UInt8]) -> String? {
        guard random.count >= 7 else { return nil }
        let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
        var bits = random.prefix(7).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        var characters: [Character] = []
        for _ in 0..<10 {
            characters.append(alphabet[Int(bits & 31)])
            bits >>= 5
        }
        return String(characters[0..<5]) + "-" + String(characters[5..<10])
    }

    /// A typed code made comparable: upper case, without spaces or dashes, the letters people
    /// confuse read as the digits they look like (O → 0, I and L → 1). Nil when it cannot be one.
    public static func normalisedCode(_ typed: String) -> String? {
        let cleaned = typed.uppercased().filter { $0 != "-" && !$0.isWhitespace }.map { character -> Character in
            switch character {
            case "O": "0"
            case "I", "L": "1"
            default: character
            }
        }
        let alphabet = Set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
        guard cleaned.count == 10, cleaned.allSatisfy({ alphabet.contains($0) }) else { return nil }
        return String(cleaned[0..<5]) + "-" + String(cleaned[5..<10])
    }
}

// MARK: knowledge tests

/// A pre- or post-test: questions with options, one right.
public struct KnowledgeTest: Codable, Sendable, Equatable {
    public struct Question: Codable, Sendable, Equatable {
        public var text: String
        public var options: [String]
        /// The index of the right option.
        public var answer: Int

        public init(text: String, options: [String], answer: Int) { (self.text, self.options, self.answer) = (text, options, answer) }
    }

    public var questions: [Question]

    public init(questions: [Question]) { self.questions = questions }

    public static let maximumQuestions = 50

    /// Usable: one to fifty questions, each with two to six options and its answer among them.
    public var isUsable: Bool {
        !questions.isEmpty && questions.count <= Self.maximumQuestions
            && questions.allSatisfy { (2...6).contains($0.options.count) && $0.options.indices.contains($0.answer) }
    }

    /// A person's score in whole percent (rounded half up): right answers of all questions;
    /// a question left blank, or answered with an option that does not exist, is wrong.
    public func percent(_ answers: [Int?]) -> Int {
        guard !questions.isEmpty else { return 0 }
        let right = questions.indices.filter { index in answers.indices.contains(index) && answers[index] == questions[index].answer }.count
        return (right * 200 + questions.count) / (questions.count * 2)
    }
}

public enum TestGain {
    /// The event's gain in percentage points: the mean post-test score minus the mean pre-test
    /// score, over the people who took both (nil when nobody did). Means in tenths of a point.
    public static func tenths(pre: [UUID: Int], post: [UUID: Int]) -> Int? {
        let both = pre.keys.filter { post[$0] != nil }
        guard !both.isEmpty else { return nil }
        let difference = both.map { (post[$0] ?? 0) - (pre[$0] ?? 0) }.reduce(0, +)
        let scaled = difference * 10
        // Rounded half away from zero.
        let half = both.count / 2
        return scaled >= 0 ? (scaled + half) / both.count : -((-scaled + half) / both.count)
    }
}

// MARK: satisfaction survey

public enum Satisfaction {
    /// The mean of the 1–5 ratings given (others ignored), in tenths ("4.3" is 43).
    public static func meanTenths(_ ratings: [Int]) -> Int? {
        let valid = ratings.filter { (1...5).contains($0) }
        guard !valid.isEmpty else { return nil }
        return (valid.reduce(0, +) * 20 + valid.count) / (valid.count * 2)
    }
}
