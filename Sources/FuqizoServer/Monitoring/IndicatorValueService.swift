import Fluent
import Foundation
import FuqizoCore

/// Values typed by hand for manual indicators: entered with their evidence for one period,
/// then approved or given back by a second person. Approved, a value counts; a newer value for
/// the same indicator and period replaces it once approved in turn.
struct IndicatorValueService {
    let database: any Database
    let services: AppServices

    var now: Date { services.clock.now() }

    func value(_ id: UUID) async throws -> IndicatorValueEntry {
        guard let value = try await IndicatorValueEntry.find(id, on: database) else { throw AppError.notFound }
        return value
    }

    /// The values of these indicators, newest first (a programme has a few hundred at most).
    func values(codes: [String]) async throws -> [IndicatorValueEntry] {
        guard !codes.isEmpty else { return [] }
        return try await IndicatorValueEntry.query(on: database).filter(\.$indicatorCode ~~ codes).sort(\.$enteredAt, .descending).limit(500).all()
    }

    /// The evidence files of these values, by value.
    func evidence(of values: [IndicatorValueEntry]) async throws -> [UUID: Attachment] {
        let ids = values.compactMap(\.id)
        guard !ids.isEmpty else { return [:] }
        let files = try await Attachment.query(on: database).filter(\.$ownerType == Attachment.Owner.indicatorValue.rawValue)
            .filter(\.$ownerID ~~ ids).all()
        return Dictionary(files.map { ($0.ownerID, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Values waiting for a review by someone other than `actor`.
    func waiting(for actor: UUID) async throws -> [IndicatorValueEntry] {
        try await IndicatorValueEntry.query(on: database).filter(\.$status == .submitted).filter(\.$enteredBy != actor)
            .sort(\.$enteredAt).limit(100).all()
    }

    /// Enters a value for a manual indicator of `tree` (the logframe in force) and one of its periods.
    /// `evidence`: the file that proves it, checked by its bytes, kept with the value.
    func enter(_ form: ManualValueForm, in tree: LogframeService.Tree, evidence file: (CheckedDocument, [UInt8])? = nil,
               actor: UUID) async throws -> Result<IndicatorValueEntry, FieldErrors> {
        var errors = FieldErrors()
        let indicator = tree.indicators.first { $0.code == form.indicator && $0.source == .manual }
        if indicator == nil { errors.add("indicator", "form.error.choose") }
        if tree.period(form.period) == nil { errors.add("period", "form.error.choose") }
        switch form.validated(unit: indicator?.unit ?? .count) {
        case .failure(let problems):
            errors.merge(problems)
            return .failure(errors)
        case .success(let valid):
            guard errors.isEmpty, let indicator else { return .failure(errors) }
            let entry = IndicatorValueEntry()
            (entry.indicatorCode, entry.periodCode, entry.value, entry.evidence) = (indicator.code, form.period, valid.value, valid.evidence)
            (entry.status, entry.enteredBy, entry.enteredAt) = (.submitted, actor, now)
            let at = now
            try await database.writeTransaction { db in
                try await entry.create(on: db)
                if let (document, bytes) = file {
                    _ = try await DocumentStore.attach(document, bytes: bytes, to: .indicatorValue, try entry.requireID(),
                                                       label: "\(indicator.code) \(form.period)", actor: actor, at: at, on: db)
                }
                try await audit("indicatorValue.entered", entry, ["indicator": indicator.code, "period": form.period], actor: actor, on: db)
            }
            return .success(entry)
        }
    }

    /// Approves a value (counted from now on), or gives it back with a note.
    func review(_ entry: IndicatorValueEntry, approve: Bool, note: String, actor: UUID) async throws {
        let next = try entry.status.transition(approve ? .approve : .giveBack)
        let id = try entry.requireID()
        try await database.writeTransaction { db in
            // Conditional: two reviewers at once decide once.
            guard try await IndicatorValueEntry.query(on: db).filter(\.$id == id).filter(\.$status == .submitted).count() == 1 else {
                throw AppError(status: .conflict, messageKey: "manualValue.error.notNow")
            }
            try await IndicatorValueEntry.query(on: db).filter(\.$id == id).set(\.$status, to: next).set(\.$reviewedBy, to: actor)
                .set(\.$reviewedAt, to: now).set(\.$reviewNote, to: note.isEmpty ? nil : note).update()
            try await audit(approve ? "indicatorValue.approved" : "indicatorValue.returned", entry,
                            ["indicator": entry.indicatorCode, "period": entry.periodCode] .merging(note.isEmpty ? [:] : ["reason": note]) { a, _ in a },
                            actor: actor, on: db)
        }
        // An approved value counts from now on; the dashboard computes again.
        services.indicatorTables.forget()
    }

    private func audit(_ action: String, _ entry: IndicatorValueEntry, _ details: [String: String], actor: UUID, on db: any Database) async throws {
        try await services.audit.record(.init(action, target: ("indicatorValue", try entry.requireID().uuidString), details: details),
                                        actor: actor, at: now, on: db)
    }
}
