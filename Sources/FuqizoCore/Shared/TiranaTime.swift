import Foundation

/// Local times in the programme's zone. Deadlines are typed as Tirana wall-clock time and
/// stored as UTC instants.
public enum TiranaTime {
    public static let zone = TimeZone(identifier: "Europe/Tirane")!

    /// "2019-06-30" and "16:00" → the instant; nil when either is malformed.
    public static func instant(date: String, time: String) -> Date? {
        guard let day = LocalDate(date.trimmingCharacters(in: .whitespaces)) else { return nil }
        let parts = time.trimmingCharacters(in: .whitespaces).split(separator: ":")
        guard parts.count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]),
              (0..<24).contains(hour), (0..<60).contains(minute) else { return nil }
        var components = DateComponents()
        components.year = day.year
        components.month = day.month
        components.day = day.day
        components.hour = hour
        components.minute = minute
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar.date(from: components)
    }

    /// The calendar day it is in Tirana at that instant.
    public static func today(at instant: Date) -> LocalDate {
        LocalDate(parts(of: instant).date)!
    }

    /// The hour of the day (0–23) it is in Tirana at that instant.
    public static func hour(at instant: Date) -> Int {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar.component(.hour, from: instant)
    }

    /// The instant as ("2019-06-30", "16:00") in Tirana.
    public static func parts(of instant: Date) -> (date: String, time: String) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: instant)
        return (String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!), String(format: "%02d:%02d", c.hour!, c.minute!))
    }
}
