import Fluent

/// Bodies of mails already delivered were kept in clear, links included: they go. From now on
/// a body waits sealed and is dropped once delivered.
struct UpdateMailOutboxDropSentBodies: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await OutboxMessage.query(on: database).filter(\.$status == OutboxMessage.Status.sent).set(\.$body, to: "").update()
    }

    func revert(on database: any Database) async throws {}
}
