import Fluent
import SQLKit

/// Needs, the empowerment plan, referrals, the Club and employment outcomes. Free text that
/// could identify a person (goals, steps, who is responsible) is ciphertext under the
/// survivor's data key; categories, dates and statuses stay in clear for statistics.
struct CreateCaseWork: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("survivor_needs")
            .field("survivor_id", .uuid, .identifier(auto: false), .references("survivors", "id", onDelete: .cascade))
            .field("education", .string, .required)
            .field("work_history", .string, .required)
            .field("housing", .string, .required)
            .field("needs_childcare", .bool, .required)
            .field("skills", .string, .required)
            .field("health", .string, .required)
            .field("assessed_at", .datetime, .required)
            .field("assessed_by", .uuid, .required)
            .create()
        try await database.schema("plan_goals")
            .id()
            .field("survivor_id", .uuid, .required, .references("survivors", "id", onDelete: .cascade))
            .field("area", .string, .required)
            .field("text_sealed", .data)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema("plan_steps")
            .id()
            .field("goal_id", .uuid, .required, .references("plan_goals", "id", onDelete: .cascade))
            .field("survivor_id", .uuid, .required, .references("survivors", "id", onDelete: .cascade))
            .field("text_sealed", .data)
            .field("responsible_sealed", .data)
            .field("due_on", .string)
            .field("status", .string, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime)
            .create()
        try await database.schema("survivor_referrals")
            .id()
            .field("survivor_id", .uuid, .required, .references("survivors", "id", onDelete: .cascade))
            .field("consent_id", .uuid, .required, .references("survivor_consents", "id", onDelete: .restrict))
            .field("from_organisation_id", .uuid, .required, .references("organisations", "id", onDelete: .restrict))
            .field("to_organisation_id", .uuid, .required, .references("organisations", "id", onDelete: .restrict))
            .field("service", .string, .required)
            .field("status", .string, .required)
            .field("sent_at", .datetime, .required)
            .field("answered_at", .datetime)
            .field("closed_at", .datetime)
            .field("sent_by", .uuid, .required)
            .create()
        try await database.schema("club_memberships")
            .id()
            .field("survivor_id", .uuid, .required, .references("survivors", "id", onDelete: .cascade))
            .field("organisation_id", .uuid, .required, .references("organisations", "id", onDelete: .restrict))
            .field("joined_on", .string, .required)
            .field("left_on", .string)
            .create()
        try await database.schema("club_sessions")
            .id()
            .field("organisation_id", .uuid, .required, .references("organisations", "id", onDelete: .restrict))
            .field("kind", .string, .required)
            .field("held_on", .string, .required)
            .field("place", .string, .required)
            .field("facilitator_id", .uuid, .required, .references("users", "id", onDelete: .restrict))
            .field("created_by", .uuid, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema("club_attendance")
            .id()
            .field("session_id", .uuid, .required, .references("club_sessions", "id", onDelete: .cascade))
            .field("survivor_id", .uuid, .required, .references("survivors", "id", onDelete: .cascade))
            .field("present", .bool, .required)
            .field("recorded_at", .datetime)
            .unique(on: "session_id", "survivor_id")
            .create()
        try await database.schema("club_skills")
            .id()
            .field("survivor_id", .uuid, .required, .references("survivors", "id", onDelete: .cascade))
            .field("skill", .string, .required)
            .field("session_kind", .string)
            .field("certificate", .bool, .required)
            .field("awarded_on", .string, .required)
            .field("recorded_by", .uuid, .required)
            .create()
        try await database.schema("employment_outcomes")
            .id()
            .field("survivor_id", .uuid, .required, .references("survivors", "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("sector", .string, .required)
            .field("start_on", .string, .required)
            .field("contract_type", .string, .required)
            .field("wage_band", .string, .required)
            .field("business_grant_minor_units", .int64)
            .field("currency", .string)
            .field("recorded_at", .datetime, .required)
            .field("recorded_by", .uuid, .required)
            .create()
        try await database.schema("employment_followups")
            .id()
            .field("outcome_id", .uuid, .required, .references("employment_outcomes", "id", onDelete: .cascade))
            .field("survivor_id", .uuid, .required, .references("survivors", "id", onDelete: .cascade))
            .field("months", .int, .required)
            .field("due_on", .string, .required)
            .field("still_working", .bool)
            .field("recorded_at", .datetime)
            .field("recorded_by", .uuid)
            .unique(on: "outcome_id", "months")
            .create()
        if let sql = database as? any SQLDatabase {
            for (name, table, columns) in [
                ("plan_goals_survivor", "plan_goals", ["survivor_id"]),
                ("plan_steps_goal", "plan_steps", ["goal_id"]),
                ("survivor_referrals_to", "survivor_referrals", ["to_organisation_id", "status"]),
                ("survivor_referrals_survivor", "survivor_referrals", ["survivor_id"]),
                ("club_memberships_survivor", "club_memberships", ["survivor_id"]),
                ("club_sessions_organisation", "club_sessions", ["organisation_id", "held_on"]),
                ("club_sessions_facilitator", "club_sessions", ["facilitator_id", "held_on"]),
                ("club_attendance_survivor", "club_attendance", ["survivor_id"]),
                ("club_skills_survivor", "club_skills", ["survivor_id"]),
                ("employment_outcomes_survivor", "employment_outcomes", ["survivor_id"]),
                ("employment_followups_due", "employment_followups", ["recorded_at", "due_on"]),
                ("employment_followups_survivor", "employment_followups", ["survivor_id"]),
            ] {
                var index = sql.create(index: SQLIdentifier(name)).on(table)
                for column in columns { index = index.column(column) }
                try await index.run()
            }
        }
    }

    func revert(on database: any Database) async throws {
        for table in ["employment_followups", "employment_outcomes", "club_skills", "club_attendance", "club_sessions",
                      "club_memberships", "survivor_referrals", "plan_steps", "plan_goals", "survivor_needs"] {
            try await database.schema(table).delete()
        }
    }
}
