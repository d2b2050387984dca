import Foundation

/// When the server backs itself up, when the administrator is warned, and which of the
/// scheduled backups are kept.
public enum BackupSchedule {
    /// A backup is taken when the last one is this old: a little under a day, so the next one
    /// is always there before the last is a day old.
    public static let interval: TimeInterval = 23 * 3600 + 30 * 60
    /// The administrator is warned (home page, backups page, `fuqizo doctor`) past this age.
    public static let warningAge: TimeInterval = 24 * 3600

    public static func isDue(lastBackup: Date?, now: Date) -> Bool {
        guard let lastBackup else { return true }
        return now.timeIntervalSince(lastBackup) >= interval
    }

    public static func isOverdue(lastBackup: Date?, now: Date) -> Bool {
        guard let lastBackup else { return true }
        return now.timeIntervalSince(lastBackup) > warningAge
    }

    /// The folder a scheduled backup goes to, named by its UTC time so names sort by age.
    public static func folderName(at date: Date) -> String {
        "fuqizo-" + stampFormat.string(from: date)
    }

    /// The time in a scheduled backup's folder name, nil for any other name.
    public static func date(ofFolder name: String) -> Date? {
        guard name.hasPrefix("fuqizo-"), name.count == "fuqizo-".count + 16 else { return nil }
        return stampFormat.date(from: String(name.dropFirst("fuqizo-".count)))
    }

    private static let stampFormat: DateFormatter = {
        let format = DateFormatter()
        format.locale = Locale(identifier: "en_US_POSIX")
        format.timeZone = TimeZone(identifier: "UTC")
        format.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return format
    }()
}

/// How many scheduled backups are kept: the newest of each of the last `daily` days that have
/// one, and the newest of each of the last `weekly` weeks (ISO weeks, UTC) that have one.
/// A backup may count for both. The newest backup is always kept.
public struct BackupRetention: Sendable, Equatable {
    public let daily: Int
    public let weekly: Int

    public static let standard = BackupRetention(daily: 7, weekly: 4)

    public init(daily: Int, weekly: Int) {
        self.daily = max(1, daily)
        self.weekly = max(0, weekly)
    }

    public func kept(_ backups: [Date]) -> Set<Date> {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let newestFirst = backups.sorted(by: >)
        var kept = Set<Date>()
        var days = Set<DateComponents>(), weeks = Set<DateComponents>()
        for backup in newestFirst {
            let day = calendar.dateComponents([.year, .month, .day], from: backup)
            if days.count < daily, days.insert(day).inserted { kept.insert(backup) }
            let week = calendar.dateComponents([.yearForWeekOfYear, .weekOfYear], from: backup)
            if weeks.count < weekly, weeks.insert(week).inserted { kept.insert(backup) }
        }
        return kept
    }
}
