import Fluent
import SQLKit

struct CreateOrganisations: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("organisations")
            .id()
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .field("name_sq", .string, .required)
            .field("name_en", .string)
            .field("search_key", .string, .required)
            .field("legal_form", .string, .required)
            .field("registration_number", .string, .required)
            .field("founding_year", .int)
            .field("municipality_id", .uuid, .required, .references("municipalities", "id"))
            .field("email", .string)
            .field("phone", .string)
            .field("address", .string)
            .field("website", .string)
            .field("contact_person", .string)
            .field("staff_count", .int)
            .field("volunteer_count", .int)
            .field("status", .string, .required)
            .field("bank_name", .string)
            .field("iban", .string)
            .field("account_holder", .string)
            .unique(on: "registration_number")
            .create()
        try await database.schema("organisation_focus_areas")
            .id()
            .field("organisation_id", .uuid, .required, .references("organisations", "id", onDelete: .cascade))
            .field("area", .string, .required)
            .unique(on: "organisation_id", "area")
            .create()
        // The registry list sorts by name and filters by place and focus area.
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "organisations_search_key").on("organisations").column("search_key").run()
            try await sql.create(index: "organisations_municipality").on("organisations").column("municipality_id").run()
            try await sql.create(index: "organisation_focus_areas_area").on("organisation_focus_areas").column("area").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("organisation_focus_areas").delete()
        try await database.schema("organisations").delete()
    }
}
