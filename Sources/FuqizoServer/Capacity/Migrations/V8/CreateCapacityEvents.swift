import Fluent
import SQLKit

/// Capacity-building events: their trainers, sessions, registrations and attendance.
struct CreateCapacityEvents: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("capacity_events")
            .id()
            .field("reference", .string, .required)
            .field("kind", .string, .required)
            .field("title_sq", .string, .required)
            .field("title_en", .string, .required)
            .field("description_sq", .string, .required)
            .field("description_en", .string, .required)
            .field("domains", .string, .required)
            .field("region_id", .uuid)
            .field("venue", .string, .required)
            .field("online", .bool, .required)
            .field("capacity", .int, .required)
            .field("minimum_percent", .int, .required)
            .field("starts_on", .string, .required)
            .field("ends_on", .string, .required)
            .field("closed_on", .string)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "reference")
            .create()
        try await database.schema("event_trainers")
            .id()
            .field("user_id", .uuid, .required)
            .field("event_id", .uuid, .required, .references("capacity_events", "id", onDelete: .cascade))
            .unique(on: "event_id", "user_id")
            .create()
        try await database.schema("event_sessions")
            .id()
            .field("number", .int, .required)
            .field("held_on", .string, .required)
            .field("starts_at", .string, .required)
            .field("ends_at", .string, .required)
            .field("attendance_taken_at", .datetime)
            .field("event_id", .uuid, .required, .references("capacity_events", "id", onDelete: .cascade))
            .unique(on: "event_id", "number")
            .create()
        try await database.schema("event_registrations")
            .id()
            .field("status", .string, .required)
            .field("asked_at", .datetime, .required)
            .field("registered_by", .uuid, .required)
            .field("certificate_code", .string)
            .field("certified_on", .string)
            .field("event_id", .uuid, .required, .references("capacity_events", "id", onDelete: .restrict))
            .field("person_id", .uuid, .required, .references("cso_people", "id", onDelete: .restrict))
            .field("organisation_id", .uuid, .required, .references("organisations", "id", onDelete: .restrict))
            .unique(on: "event_id", "person_id")
            .unique(on: "certificate_code")
            .create()
        try await database.schema("event_attendance")
            .id()
            .field("mark", .string, .required)
            .field("recorded_by", .uuid, .required)
            .field("registration_id", .uuid, .required, .references("event_registrations", "id", onDelete: .restrict))
            .field("session_id", .uuid, .required, .references("event_sessions", "id", onDelete: .restrict))
            .unique(on: "registration_id", "session_id")
            .create()
        // Lists by day; a trainer's events; an event's registrations by status; a CSO's.
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "capacity_events_starts").on("capacity_events").column("starts_on").run()
            try await sql.create(index: "event_trainers_user").on("event_trainers").column("user_id").run()
            try await sql.create(index: "event_registrations_event").on("event_registrations").column("event_id").column("status").run()
            try await sql.create(index: "event_registrations_organisation").on("event_registrations").column("organisation_id").run()
            try await sql.create(index: "event_attendance_session").on("event_attendance").column("session_id").run()
        }
    }

    func revert(on database: any Database) async throws {
        for table in ["event_attendance", "event_registrations", "event_sessions", "event_trainers", "capacity_events"] {
            try await database.schema(table).delete()
        }
    }
}
