import Fluent
import Foundation
import FuqizoCore

/// Reads and writes the programme settings (one row holding a JSON document).
struct SettingsService {
    let database: any Database
    let services: AppServices

    /// The settings as stored, or the defaults before anyone saved any. A stored document that
    /// does not read fails loudly: silently falling back would, say, lower a suppression
    /// threshold or change the retention period without anyone deciding it.
    func current() async throws -> ProgrammeSettings {
        guard let row = try await SettingsRow.find(1, on: database) else { return .defaults }
        do {
            return try JSONDecoder().decode(ProgrammeSettings.self, from: Data(row.document.utf8))
        } catch {
            throw StoredDataError(table: SettingsRow.schema, column: "document", id: nil)
        }
    }

    func update(_ form: ProgrammeSettingsForm, actor: UUID) async throws -> Result<ProgrammeSettings, FieldErrors> {
        let settings: ProgrammeSettings
        switch form.validated() {
        case .failure(let errors): return .failure(errors)
        case .success(let valid): settings = valid
        }
        let before = try await current()
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let document = String(decoding: try encoder.encode(settings), as: UTF8.self)
        let changed = Self.changedFields(before, settings)
        let now = services.clock.now()
        try await database.writeTransaction { db in
            let row = try await SettingsRow.find(1, on: db) ?? SettingsRow(id: 1, document: document)
            row.document = document
            try await row.save(on: db)
            try await services.audit.record(.init("settings.updated", details: ["fields": changed.joined(separator: ",")]),
                                      actor: actor, at: now, on: db)
        }
        return .success(settings)
    }

    /// Names of the settings that differ, read off the encoded form.
    static func changedFields(_ old: ProgrammeSettings, _ new: ProgrammeSettings) -> [String] {
        let a = Mirror(reflecting: old).children, b = Mirror(reflecting: new).children
        return zip(a, b).compactMap { lhs, rhs in
            String(describing: lhs.value) == String(describing: rhs.value) ? nil : lhs.label
        }
    }
}
