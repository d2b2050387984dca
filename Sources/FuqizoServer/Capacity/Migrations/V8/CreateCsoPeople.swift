import Fluent
import SQLKit

/// The people of each CSO whom trainings are for.
struct CreateCsoPeople: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("cso_people")
            .id()
            .field("name", .string, .required)
            .field("role", .string, .required)
            .field("email", .string)
            .field("phone", .string)
            .field("sex", .string, .required)
            .field("age_band", .string, .required)
            .field("archived", .bool, .required)
            .field("organisation_id", .uuid, .required, .references("organisations", "id", onDelete: .restrict))
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "cso_people_organisation").on("cso_people").column("organisation_id").column("archived").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("cso_people").delete()
    }
}
