import Foundation

/// A capacity-building event as typed: what, for which domains, where, who trains, how many
/// places, and its sessions (a row each: day, start, end).
public struct EventForm: Codable, Sendable, Equatable {
    public struct SessionRow: Codable, Sendable, Equatable {
        public var day = ""
        public var starts = ""
        public var ends = ""

        public init(day: String = "", starts: String = "", ends: String = "") { (self.day, self.starts, self.ends) = (day, starts, ends) }

        public init(from decoder: any Decoder) throws {
            let form = try decoder.container(keyedBy: CodingKeys.self)
            day = try form.text(.day)
            starts = try form.text(.starts)
            ends = try form.text(.ends)
        }

        var isBlank: Bool { [day, starts, ends].allSatisfy { $0.trimmingCharacters(in: .whitespaces).isEmpty } }
    }

    public var kind = ""
    public var titleSq = ""
    public var titleEn = ""
    public var descriptionSq = ""
    public var descriptionEn = ""
    public var domains: [String] = []
    public var region = ""
    public var venue = ""
    public var online = ""
    public var capacity = ""
    public var trainers: [String] = []
    public var sessions: [SessionRow] = []

    public init() {}

    public init(from decoder: any Decoder) throws {
        let form = try decoder.container(keyedBy: CodingKeys.self)
        kind = try form.text(.kind)
        titleSq = try form.text(.titleSq)
        titleEn = try form.text(.titleEn)
        descriptionSq = try form.text(.descriptionSq)
        descriptionEn = try form.text(.descriptionEn)
        domains = try form.list(.domains)
        region = try form.text(.region)
        venue = try form.text(.venue)
        online = try form.text(.online)
        capacity = try form.text(.capacity)
        trainers = try form.list(.trainers)
        sessions = try form.decodeIfPresent([SessionRow].self, forKey: .sessions) ?? []
    }

    public struct Session: Sendable, Equatable {
        public let day: LocalDate
        /// "09:00", 24-hour.
        public let starts: String
        public let ends: String
    }

    public struct Event: Sendable, Equatable {
        public let kind: EventKind
        public let titleSq: String
        public let titleEn: String
        public let descriptionSq: String
        public let descriptionEn: String
        public let domains: [String]
        public let region: UUID?
        public let venue: String
        public let online: Bool
        public let capacity: Int
        public let trainers: Set<UUID>
        public let sessions: [Session]
    }

    public static let maximumSessions = 30
    public static let capacities = 1...500
    public static let maximumTitle = 200
    public static let maximumDescription = 4_000

    /// "9:00" or "09:00" as "09:00"; nil when it is not a time of day.
    public static func time(_ text: String) -> String? {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[1].count == 2, let hour = Bounded.integer(String(parts[0]), in: 0...23),
              let minute = Bounded.integer(String(parts[1]), in: 0...59) else { return nil }
        return (hour < 10 ? "0" : "") + "\(hour):" + (minute < 10 ? "0" : "") + "\(minute)"
    }

    /// A kind, titles in both languages, domains of the instrument, a region among those
    /// offered (or none), a venue unless online, 1–500 places, trainers among those offered,
    /// and 1–30 sessions each on a real day (within two years of today) ending after it starts.
    /// Blank session rows are dropped. Sessions come back ordered by day and time.
    public func validated(domains known: Set<String>, regions: Set<UUID>, trainers offered: Set<UUID>, today: LocalDate) -> Result<Event, FieldErrors> {
        var errors = FieldErrors()
        let kind = EventKind(rawValue: kind)
        if kind == nil { errors.add("kind", "form.error.choose") }
        func text(_ value: String, _ field: String, limit: Int) -> String? {
            guard let clean = Text.clean(value) else { errors.add(field, "form.error.required"); return nil }
            if clean.count > limit { errors.add(field, "form.error.tooLong") }
            return clean
        }
        let titleSq = text(titleSq, "titleSq", limit: Self.maximumTitle), titleEn = text(titleEn, "titleEn", limit: Self.maximumTitle)
        let descriptionSq = text(descriptionSq, "descriptionSq", limit: Self.maximumDescription)
        let descriptionEn = text(descriptionEn, "descriptionEn", limit: Self.maximumDescription)
        if domains.isEmpty || !Set(domains).isSubset(of: known) { errors.add("domains", "event.error.domains") }
        var region: UUID?
        if !self.region.isEmpty {
            region = UUID(uuidString: self.region).flatMap { regions.contains($0) ? $0 : nil }
            if region == nil { errors.add("region", "form.error.choose") }
        }
        let online = self.online == "yes"
        let venue = Text.clean(venue) ?? ""
        if !online, venue.isEmpty { errors.add("venue", "event.error.venue") }
        if venue.count > Self.maximumTitle { errors.add("venue", "form.error.tooLong") }
        let capacity = Bounded.integer(capacity.trimmingCharacters(in: .whitespaces), in: Self.capacities)
        if capacity == nil { errors.add("capacity", "event.error.capacity") }
        let trainerIDs = trainers.compactMap(UUID.init(uuidString:))
        if trainerIDs.isEmpty || trainerIDs.count != trainers.count || !Set(trainerIDs).isSubset(of: offered) { errors.add("trainers", "event.error.trainers") }
        var sessions: [Session] = []
        let rows = self.sessions.filter { !$0.isBlank }
        if rows.isEmpty || rows.count > Self.maximumSessions { errors.add("sessions", "event.error.sessions") }
        for row in rows.prefix(Self.maximumSessions) {
            guard let day = LocalDate(row.day.trimmingCharacters(in: .whitespaces)), day >= today.adding(days: -730), day <= today.adding(days: 730),
                  let starts = Self.time(row.starts), let ends = Self.time(row.ends), starts < ends else {
                errors.add("sessions", "event.error.session")
                continue
            }
            sessions.append(Session(day: day, starts: starts, ends: ends))
        }
        guard errors.isEmpty, let kind, let titleSq, let titleEn, let descriptionSq, let descriptionEn, let capacity else { return .failure(errors) }
        sessions.sort { ($0.day, $0.starts) < ($1.day, $1.starts) }
        return .success(Event(kind: kind, titleSq: titleSq, titleEn: titleEn, descriptionSq: descriptionSq, descriptionEn: descriptionEn,
                              domains: domains, region: region, venue: venue, online: online, capacity: capacity,
                              trainers: Set(trainerIDs), sessions: sessions))
    }
}
