import Fluent
import SQLKit

/// The portfolio asks of every contract on its page for its next report due and its earliest
/// open follow-up, and its lot filter asks which lots have contracts. Without these indexes
/// SQLite answered the first through the index on report status (every draft report of the
/// programme, for each row) and the last by scanning every contract for each lot
/// (docs/performance.md).
struct AddContractIndexes: AsyncMigration {
    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "contract_reports_contract_status").on("contract_reports")
            .column("contract_id").column("status").column("due_date").run()
        try await sql.create(index: "follow_up_actions_contract_status").on("follow_up_actions")
            .column("contract_id").column("status").column("due_on").run()
        try await sql.create(index: "grant_contracts_lot").on("grant_contracts").column("lot_id").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        for index in ["contract_reports_contract_status", "follow_up_actions_contract_status", "grant_contracts_lot"] {
            try await sql.drop(index: index).run()
        }
    }
}
