import Fluent
import SQLKit

/// A call's eligible applicants and activities in English beside the Albanian ones. Calls
/// written before keep an empty English list, and their English page shows the Albanian one.
struct AddCallEnglishLists: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("grant_calls")
            .field("eligible_applicants_en", .string, .required, .sql(.default("[]")))
            .update()
        try await database.schema("grant_calls")
            .field("eligible_activities_en", .string, .required, .sql(.default("[]")))
            .update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("grant_calls").deleteField("eligible_applicants_en").update()
        try await database.schema("grant_calls").deleteField("eligible_activities_en").update()
    }
}
