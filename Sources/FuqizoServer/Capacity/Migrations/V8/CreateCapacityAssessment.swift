import Fluent
import Foundation
import FuqizoCore
import SQLKit

/// Capacity assessment: instruments, rounds, self-assessments, facilitators' changes and the
/// confirmed scores per domain; and the default instrument shipped with the binary
/// (`Resources/Data/capacity-instrument.json`), ready to use or to copy.
struct CreateCapacityAssessment: AsyncMigration {
    let defaultInstrument: URL

    func prepare(on database: any Database) async throws {
        try await database.schema("capacity_instruments")
            .id()
            .field("name", .string, .required)
            .field("content", .string, .required)
            .field("frozen", .bool, .required)
            .field("copied_from", .uuid)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .create()
        try await database.schema("capacity_rounds")
            .id()
            .field("reference", .string, .required)
            .field("kind", .string, .required)
            .field("due_on", .string, .required)
            .field("facilitator_id", .uuid, .required)
            .field("opened_by", .uuid, .required)
            .field("instrument_id", .uuid, .required, .references("capacity_instruments", "id", onDelete: .restrict))
            .field("created_at", .datetime)
            .unique(on: "reference")
            .create()
        try await database.schema("capacity_assessments")
            .id()
            .field("status", .string, .required)
            .field("answers", .string, .required)
            .field("submitted_on", .string)
            .field("reviewed_on", .string)
            .field("confirmed_on", .string)
            .field("round_id", .uuid, .required, .references("capacity_rounds", "id", onDelete: .restrict))
            .field("organisation_id", .uuid, .required, .references("organisations", "id", onDelete: .restrict))
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "round_id", "organisation_id")
            .create()
        try await database.schema("capacity_changes")
            .id()
            .field("question", .string, .required)
            .field("from_level", .int)
            .field("to_level", .int, .required)
            .field("reason", .string, .required)
            .field("changed_by", .uuid, .required)
            .field("assessment_id", .uuid, .required, .references("capacity_assessments", "id", onDelete: .restrict))
            .field("changed_at", .datetime)
            .create()
        try await database.schema("capacity_domain_scores")
            .id()
            .field("domain", .string, .required)
            .field("total", .int, .required)
            .field("count", .int, .required)
            .field("assessment_id", .uuid, .required, .references("capacity_assessments", "id", onDelete: .restrict))
            .field("round_id", .uuid, .required, .references("capacity_rounds", "id", onDelete: .restrict))
            .field("organisation_id", .uuid, .required, .references("organisations", "id", onDelete: .restrict))
            .unique(on: "assessment_id", "domain")
            .create()
        // A CSO's page reads its assessments and scores; a round's page and the work lists count
        // its assessments by status; the needs map reads a round's scores.
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "capacity_assessments_organisation").on("capacity_assessments").column("organisation_id").run()
            try await sql.create(index: "capacity_assessments_round_status").on("capacity_assessments").column("round_id").column("status").run()
            try await sql.create(index: "capacity_changes_assessment").on("capacity_changes").column("assessment_id").run()
            try await sql.create(index: "capacity_domain_scores_organisation").on("capacity_domain_scores").column("organisation_id").run()
            try await sql.create(index: "capacity_domain_scores_round").on("capacity_domain_scores").column("round_id").run()
        }
        let instrument = InstrumentRecord()
        instrument.name = "OCA"
        instrument.frozen = false
        try instrument.store(try JSONDecoder().decode(CapacityInstrument.self, from: Data(contentsOf: defaultInstrument)))
        try await instrument.create(on: database)
    }

    func revert(on database: any Database) async throws {
        for table in ["capacity_domain_scores", "capacity_changes", "capacity_assessments", "capacity_rounds", "capacity_instruments"] {
            try await database.schema(table).delete()
        }
    }
}
