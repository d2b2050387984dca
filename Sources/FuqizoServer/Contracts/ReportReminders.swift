import Fluent
import Foundation
import FuqizoCore
import SQLKit
import Vapor

/// Mails the grantee's CSO users about each report not yet submitted: once on its first
/// reminder day (the contract's days before the due date) and on each day it is overdue.
/// One instance at a time looks (a lease); `report_reminders` makes each day's mail go once.
enum ReportReminders {
    static let leaseName = "lease.reportReminders"
    static let interval: TimeInterval = 600

    private struct Due: Decodable {
        let id: UUID
        let number: Int
        let dueDate: String
        let remindFrom: String
        let contractId: UUID
        let contractNumber: String
        let organisationId: UUID
    }

    private struct Recipient: Decodable {
        let email: String
        let language: String
    }

    /// The reminders mailed in this look.
    @discardableResult
    static func run(_ app: Application) async throws -> Int {
        let now = app.clock.now()
        guard try await Lease.claim(leaseName, for: interval, now: now, on: app.db), let sql = app.db as? any SQLDatabase else { return 0 }
        let today = TiranaTime.today(at: now)
        let due = try await sql.raw("""
            SELECT r.id, r.number, r.due_date, r.remind_from, c.id AS contract_id, c.number AS contract_number, c.organisation_id
            FROM contract_reports r JOIN grant_contracts c ON c.id = r.contract_id
            WHERE r.status IN \(SQLBind.group([ReportStatus.draft.rawValue, ReportStatus.returned.rawValue]))
              AND c.status IN \(SQLBind.group([ContractStatus.signed.rawValue, ContractStatus.inImplementation.rawValue]))
              AND (r.remind_from = \(bind: today.description) OR r.due_date < \(bind: today.description))
            """).all(decoding: Due.self, keyDecodingStrategy: .convertFromSnakeCase)
        var mailed = 0
        for report in due {
            guard let dueDay = LocalDate(report.dueDate), let remindFrom = LocalDate(report.remindFrom),
                  ReportRule.remindsOn(today, remindFrom: remindFrom, due: dueDay) else { continue }
            mailed += try await app.db.writeTransaction { db -> Int in
                guard let claimed = db as? any SQLDatabase else { return 0 }
                let rows = try await claimed.raw("""
                    INSERT INTO report_reminders (report_id, sent_on) VALUES (\(bind: report.id), \(bind: today.description))
                    ON CONFLICT DO NOTHING RETURNING report_id
                    """).all()
                guard !rows.isEmpty else { return 0 }
                let recipients = try await claimed.raw("""
                    SELECT u.email, u.preferred_language AS language FROM users u JOIN role_assignments a ON a.user_id = u.id
                    WHERE a.organisation_id = \(bind: report.organisationId) AND a.role = \(bind: Role.csoUser.rawValue) AND u.is_active = \(bind: true)
                    """).all(decoding: Recipient.self)
                let link = app.services.config.publicURL + SiteURL.report(contract: report.contractId, number: report.number).path
                for recipient in Set(recipients.map(\.email)) {
                    let language = recipients.first { $0.email == recipient }.flatMap { Language(rawValue: $0.language) } ?? .default
                    let values = ["report": String(report.number), "number": report.contractNumber, "due": Display.date(dueDay, language), "link": link]
                    let catalog = app.services.catalog
                    try await Outbox.enqueue(to: recipient, subject: catalog.format("mail.reportReminder.subject", language, values),
                                             body: catalog.format(dueDay < today ? "mail.reportReminder.overdue" : "mail.reportReminder.body", language, values),
                                             now: now, sealedBy: app.services.mailBox, on: db)
                }
                return recipients.isEmpty ? 0 : 1
            }
        }
        return mailed
    }
}

extension Application {
    func remindReports() async throws {
        try await ReportReminders.run(self)
    }
}
