import Fluent
import SQLKit

/// Checks, the evaluation committee, evaluation rounds and assignments, and decision letters.
struct CreateEvaluation: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("application_checks")
            .id()
            .field("application_id", .uuid, .required, .references("grant_applications", "id", onDelete: .cascade))
            .field("stage", .string, .required)
            .field("kind", .string, .required)
            .field("passed", .bool, .required)
            .field("result", .string, .required)
            .field("checked_by", .uuid, .required)
            .field("checked_at", .datetime, .required)
            .unique(on: "application_id", "stage", "kind")
            .create()
        try await database.schema("committee_members")
            .id()
            .field("call_id", .uuid, .required, .references("grant_calls", "id", onDelete: .cascade))
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .restrict))
            .field("role", .string, .required)
            .unique(on: "call_id", "user_id")
            .create()
        try await database.schema("evaluation_rounds")
            .id()
            .field("call_id", .uuid, .required, .references("grant_calls", "id", onDelete: .cascade))
            .field("stage", .string, .required)
            .field("started_at", .datetime, .required)
            .field("started_by", .uuid, .required)
            .field("approved_at", .datetime)
            .field("approved_by", .uuid)
            .field("decision_date", .string)
            .field("decided_at", .datetime)
            .field("decided_by", .uuid)
            .unique(on: "call_id", "stage")
            .create()
        try await database.schema("evaluation_assignments")
            .id()
            .field("application_id", .uuid, .required, .references("grant_applications", "id", onDelete: .cascade))
            .field("stage", .string, .required)
            .field("evaluator_id", .uuid, .required, .references("users", "id", onDelete: .restrict))
            .field("position", .int, .required)
            .field("status", .string, .required)
            .field("declared_at", .datetime)
            .field("conflict_reason", .string)
            .field("scorecard", .string)
            .field("total", .double)
            .field("relevance", .double)
            .field("submitted_at", .datetime)
            .field("created_at", .datetime, .required)
            .unique(on: "application_id", "stage", "evaluator_id")
            .create()
        try await database.schema("decision_letters")
            .id()
            .field("application_id", .uuid, .required, .references("grant_applications", "id", onDelete: .cascade))
            .field("stage", .string, .required)
            .field("outcome", .string, .required)
            .field("due_date", .string, .required)
            .field("created_at", .datetime, .required)
            .field("sent_at", .datetime)
            .field("sent_by", .uuid)
            .unique(on: "application_id", "stage", "outcome")
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "evaluation_assignments_evaluator").on("evaluation_assignments").column("evaluator_id").run()
        }
    }

    func revert(on database: any Database) async throws {
        for table in ["decision_letters", "evaluation_assignments", "evaluation_rounds", "committee_members", "application_checks"] {
            try await database.schema(table).delete()
        }
    }
}
