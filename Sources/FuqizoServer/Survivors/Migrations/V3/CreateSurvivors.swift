import Fluent
import SQLKit

/// Survivor records, their data keys, consents and case notes. Identity fields and notes are
/// ciphertext columns; the data keys sit in a table of their own so that an operator can back
/// them up apart from the data (see docs/operations.md).
struct CreateSurvivors: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("survivors")
            .id()
            .field("organisation_id", .uuid, .required, .references("organisations", "id", onDelete: .restrict))
            .field("code", .string, .required)
            .field("status", .string, .required)
            .field("year_of_birth", .int)
            .field("sex", .string, .required)
            .field("region_id", .uuid, .required, .references("programme_regions", "id", onDelete: .restrict))
            .field("municipality_id", .uuid, .references("municipalities", "id", onDelete: .setNull))
            .field("harm", .string, .required)
            .field("referral_source", .string, .required)
            .field("washington_group", .string, .required)
            .field("has_disability", .bool, .required)
            .field("duplicate_key", .string)
            .field("first_name_sealed", .data)
            .field("last_name_sealed", .data)
            .field("birth_date_sealed", .data)
            .field("phone_sealed", .data)
            .field("address_sealed", .data)
            .field("id_number_sealed", .data)
            .field("emergency_contact_sealed", .data)
            .field("opened_at", .datetime, .required)
            .field("closed_at", .datetime)
            .field("closure_reason", .string)
            .field("identity_destroyed_at", .datetime)
            .field("created_by", .uuid)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "code")
            .create()
        try await database.schema("survivor_keys")
            .field("survivor_id", .uuid, .identifier(auto: false), .references("survivors", "id", onDelete: .cascade))
            .field("wrapped_key", .data, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema("survivor_consents")
            .id()
            .field("survivor_id", .uuid, .required, .references("survivors", "id", onDelete: .cascade))
            .field("purpose", .string, .required)
            .field("recipient_organisation_id", .uuid, .references("organisations", "id", onDelete: .restrict))
            // For a referral: the identity fields the receiver may see, comma-separated.
            .field("shared_fields", .string)
            .field("form_version", .string, .required)
            .field("interpreter_sealed", .data)
            .field("witness_sealed", .data)
            .field("given_at", .datetime, .required)
            .field("recorded_by", .uuid, .required)
            .field("withdrawn_at", .datetime)
            .field("withdrawn_by", .uuid)
            .create()
        try await database.schema("survivor_notes")
            .id()
            .field("survivor_id", .uuid, .required, .references("survivors", "id", onDelete: .cascade))
            .field("author_id", .uuid, .required)
            .field("written_at", .datetime, .required)
            .field("body_sealed", .data, .required)
            .create()
        if let sql = database as? any SQLDatabase {
            // The caseload is read per organisation and status, in code order.
            try await sql.create(index: "survivors_caseload").on("survivors").column("organisation_id").column("status").column("code").run()
            try await sql.create(index: "survivors_duplicate").on("survivors").column("duplicate_key").run()
            try await sql.create(index: "survivor_consents_survivor").on("survivor_consents").column("survivor_id").run()
            try await sql.create(index: "survivor_notes_survivor").on("survivor_notes").column("survivor_id").run()
        }
    }

    func revert(on database: any Database) async throws {
        for table in ["survivor_notes", "survivor_consents", "survivor_keys", "survivors"] {
            try await database.schema(table).delete()
        }
    }
}
