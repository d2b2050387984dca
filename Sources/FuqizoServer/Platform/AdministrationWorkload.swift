import Fluent
import Foundation
import FuqizoCore

/// The platform's part of administrators' work lists.
struct AdministrationWorkload: WorkSource {
    func items(for actor: Actor, today: LocalDate, now: Date, on database: any Database) async throws -> [WorkItem] {
        guard Policy.decide(actor, .viewMailOutbox).isAllowed else { return [] }
        let failed = try await OutboxMessage.query(on: database).filter(\.$status == .failed).count()
        let lastBackup = try await BackupRecord.read(on: database).lastAt
        return AdministrationWork.administrator(undeliveredMail: failed,
                                                backupOverdue: BackupSchedule.isOverdue(lastBackup: lastBackup, now: now))
    }
}
