import Fluent
import Foundation

/// Counties, municipalities and the default programme regions, loaded from the reference
/// data shipped with the binary (`Resources/Data/albania-municipalities.csv`).
struct CreateGeography: AsyncMigration {
    let referenceData: URL

    func prepare(on database: any Database) async throws {
        try await database.schema("counties")
            .id()
            .field("iso_code", .string, .required)
            .field("name_sq", .string, .required)
            .field("name_en", .string, .required)
            .unique(on: "iso_code")
            .create()
        try await database.schema("municipalities")
            .id()
            .field("name", .string, .required)
            .field("county_id", .uuid, .required, .references("counties", "id"))
            .unique(on: "name")
            .create()
        try await database.schema("programme_regions")
            .id()
            .field("code", .string, .required)
            .field("name_sq", .string, .required)
            .field("name_en", .string, .required)
            .unique(on: "code")
            .create()
        try await database.schema("region_municipalities")
            .id()
            .field("region_id", .uuid, .required, .references("programme_regions", "id", onDelete: .cascade))
            .field("municipality_id", .uuid, .required, .references("municipalities", "id", onDelete: .cascade))
            .unique(on: "region_id", "municipality_id")
            .create()
        try await GeographySeed.load(from: referenceData, on: database)
    }

    func revert(on database: any Database) async throws {
        for table in ["region_municipalities", "programme_regions", "municipalities", "counties"] {
            try await database.schema(table).delete()
        }
    }
}
