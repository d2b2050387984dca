import Foundation
@testable import FuqizoCore
import Testing

@Suite("Backup schedule and retention")
struct BackupScheduleTests {
    static func utc(_ text: String) -> Date {
        ISO8601DateFormatter().date(from: text)!
    }

    @Test("a month of nightly backups keeps the last 7 days and the newest of each of the last 4 weeks")
    func retention() {
        // 1 to 30 November 2026 at 02:00 UTC; the 30th is a Monday.
        let nights = (1...30).map { Self.utc(String(format: "2026-11-%02dT02:00:00Z", $0)) }
        let kept = BackupRetention.standard.kept(nights)
        let days = Set(kept.map { Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: $0).day! })
        #expect(days == [15, 22, 24, 25, 26, 27, 28, 29, 30], "the days kept: 24–30, and the Sundays ending the 3 weeks before")
    }

    @Test("two backups in one day keep only the newer; the newest backup is always kept; nothing is kept from nothing")
    func sameDay() {
        let morning = Self.utc("2026-12-05T02:00:00Z"), evening = Self.utc("2026-12-05T20:00:00Z")
        let kept = BackupRetention(daily: 1, weekly: 0).kept([morning, evening, Self.utc("2026-12-01T02:00:00Z")])
        #expect(kept == [evening])
        #expect(BackupRetention(daily: 0, weekly: 0).kept([morning]) == [morning], "at least one day is kept whatever the setting")
        #expect(BackupRetention.standard.kept([]).isEmpty)
    }

    @Test("a backup is due a little before a day has passed, and the administrator is warned only after a whole day")
    func dueAndOverdue() {
        let last = Self.utc("2026-12-04T02:00:00Z")
        #expect(BackupSchedule.isDue(lastBackup: nil, now: last) && BackupSchedule.isOverdue(lastBackup: nil, now: last), "no backup yet")
        #expect(!BackupSchedule.isDue(lastBackup: last, now: last.addingTimeInterval(23 * 3600)))
        #expect(BackupSchedule.isDue(lastBackup: last, now: last.addingTimeInterval(23.5 * 3600)))
        #expect(!BackupSchedule.isOverdue(lastBackup: last, now: last.addingTimeInterval(24 * 3600)))
        #expect(BackupSchedule.isOverdue(lastBackup: last, now: last.addingTimeInterval(24 * 3600 + 1)))
    }

    @Test("scheduled backups' folders are named by their UTC time, and only such names are read back as backups")
    func folderNames() {
        let made = Self.utc("2026-12-05T06:30:09Z")
        #expect(BackupSchedule.folderName(at: made) == "fuqizo-20261205T063009Z")
        #expect(BackupSchedule.date(ofFolder: "fuqizo-20261205T063009Z") == made)
        for other in ["fuqizo-latest", "manual-20261205T063009Z", "fuqizo-20261205T063009Z.old", "fuqizo-20261345T063009Z"] {
            #expect(BackupSchedule.date(ofFolder: other) == nil, "\(other) is not a scheduled backup")
        }
    }
}
