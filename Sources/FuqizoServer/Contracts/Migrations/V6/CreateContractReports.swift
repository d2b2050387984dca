import Fluent
import SQLKit

/// Contracts' reports, their expenditure lines, and the reminders sent about them.
struct CreateContractReports: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("contract_reports")
            .id()
            .field("contract_id", .uuid, .required, .references("grant_contracts", "id", onDelete: .restrict))
            .field("number", .int, .required)
            .field("kind", .string, .required)
            .field("period_end", .string, .required)
            .field("due_date", .string, .required)
            .field("remind_from", .string, .required)
            .field("status", .string, .required)
            .field("narrative", .string)
            .field("submitted_on", .string)
            .field("submitted_by", .uuid)
            .field("reviewed_on", .string)
            .field("reviewed_by", .uuid)
            .field("review_comment", .string)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "contract_id", "number")
            .create()
        try await database.schema("expenditure_lines")
            .id()
            .field("report_id", .uuid, .required, .references("contract_reports", "id", onDelete: .restrict))
            .field("contract_id", .uuid, .required, .references("grant_contracts", "id", onDelete: .restrict))
            .field("budget_line", .int, .required)
            .field("heading", .string, .required)
            .field("spent_on", .string, .required)
            .field("supplier", .string, .required)
            .field("description", .string, .required)
            .field("original_minor_units", .int64, .required)
            .field("currency", .string, .required)
            .field("rate", .int64, .required)
            .field("rate_source", .string)
            .field("minor_units", .int64, .required)
            .field("comment", .string)
            .field("created_by", .uuid, .required)
            .field("created_at", .datetime)
            .create()
        // One reminder a day per report, whichever instance sends it.
        try await database.schema("report_reminders")
            .field("report_id", .uuid, .required, .references("contract_reports", "id", onDelete: .restrict))
            .field("sent_on", .string, .required)
            .unique(on: "report_id", "sent_on")
            .create()
        // A report's lines are read together; reminders look for reports by status and due date.
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "expenditure_lines_report").on("expenditure_lines").column("report_id").run()
            try await sql.create(index: "expenditure_lines_contract").on("expenditure_lines").column("contract_id").run()
            try await sql.create(index: "contract_reports_status_due").on("contract_reports").column("status").column("due_date").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("report_reminders").delete()
        try await database.schema("expenditure_lines").delete()
        try await database.schema("contract_reports").delete()
    }
}
