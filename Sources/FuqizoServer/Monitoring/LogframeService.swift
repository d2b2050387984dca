import Fluent
import Foundation
import FuqizoCore
import SQLKit

/// The logframe's versions: a draft is built entry by entry, approved once complete (which
/// supersedes the version approved before), and a change after approval starts a new draft
/// copied from the approved version. Every change is audited.
struct LogframeService {
    let database: any Database
    let services: AppServices

    var now: Date { services.clock.now() }

    /// A version with everything it holds, in reading order.
    struct Tree: Sendable {
        let logframe: Logframe
        let periods: [ReportingPeriod]
        let entries: [LogframeEntry]
        let indicators: [LogframeIndicator]

        var id: UUID { logframe.id ?? UUID() }

        func indicators(of entry: LogframeEntry) -> [LogframeIndicator] { indicators.filter { $0.entryID == entry.id } }

        /// Entries depth first: each followed by what hangs under it, codes in order at each level.
        var ordered: [LogframeEntry] {
            let children = Dictionary(grouping: entries, by: \.parentID)
            var result: [LogframeEntry] = []
            func visit(_ parent: UUID?) {
                for entry in (children[parent] ?? []).sorted(by: { $0.code.localizedStandardCompare($1.code) == .orderedAscending }) {
                    result.append(entry)
                    if let id = entry.id { visit(id) }
                }
            }
            visit(nil)
            // An entry whose parent is gone (never, by the rules) is still listed.
            return result + entries.filter { entry in !result.contains { $0 === entry } }
        }

        func period(_ code: String) -> ReportingPeriod? { periods.first { $0.code == code } }

        /// Indicators in the logframe's reading order: by entry, depth first.
        var orderedIndicators: [LogframeIndicator] { ordered.flatMap(indicators(of:)) }
    }

    /// Limits that keep a page and a report readable; a real logframe has a few dozen rows.
    static let maximumEntries = 200
    static let maximumIndicators = 200
    static let maximumPeriods = 12

    func logframe(_ id: UUID) async throws -> Logframe {
        guard let logframe = try await Logframe.find(id, on: database) else { throw AppError.notFound }
        return logframe
    }

    func entry(_ id: UUID) async throws -> LogframeEntry {
        guard let entry = try await LogframeEntry.find(id, on: database) else { throw AppError.notFound }
        return entry
    }

    func indicator(_ id: UUID) async throws -> LogframeIndicator {
        guard let indicator = try await LogframeIndicator.find(id, on: database) else { throw AppError.notFound }
        return indicator
    }

    /// Every version, newest first.
    func versions() async throws -> [Logframe] {
        try await Logframe.query(on: database).sort(\.$version, .descending).all()
    }

    /// The version in force: the approved one.
    func approved() async throws -> Logframe? {
        try await Logframe.query(on: database).filter(\.$status == .approved).first()
    }

    func draft() async throws -> Logframe? {
        try await Logframe.query(on: database).filter(\.$status == .draft).first()
    }

    /// The version to open first: the one in force, else the draft.
    func current() async throws -> Logframe? {
        if let approved = try await approved() { return approved }
        return try await draft()
    }

    func tree(_ logframe: Logframe) async throws -> Tree {
        let id = try logframe.requireID()
        let periods = try await LogframePeriod.query(on: database).filter(\.$logframeID == id).sort(\.$startsOn).all()
        return Tree(logframe: logframe, periods: periods.compactMap(\.period),
                    entries: try await LogframeEntry.query(on: database).filter(\.$logframeID == id).all(),
                    indicators: try await LogframeIndicator.query(on: database).filter(\.$logframeID == id).sort(\.$code).all())
    }

    /// The programme's dates from the settings: every period lies inside them.
    func programmeDates() async throws -> ClosedRange<LocalDate> {
        let settings = try await SettingsService(database: database, services: services).current()
        guard let start = LocalDate(settings.startDate), let end = LocalDate(settings.endDate), start <= end else {
            throw AppError(status: .conflict, messageKey: "logframe.error.noProgrammeDates")
        }
        return start...end
    }

    /// Starts a new draft: a copy of the approved version, or an empty first version. There is
    /// at most one draft at a time.
    func startDraft(actor: UUID) async throws -> Logframe {
        try await database.writeTransaction { db in
            guard try await Logframe.query(on: db).filter(\.$status == .draft).first() == nil else {
                throw AppError(status: .conflict, messageKey: "logframe.error.draftExists")
            }
            let latest = try await Logframe.query(on: db).sort(\.$version, .descending).first()
            let approved = try await Logframe.query(on: db).filter(\.$status == .approved).first()
            let draft = Logframe()
            (draft.version, draft.status, draft.basedOn, draft.createdBy, draft.createdAt) =
                ((latest?.version ?? 0) + 1, .draft, approved?.id, actor, now)
            try await draft.create(on: db)
            if let approved { try await copy(approved, into: draft, on: db) }
            try await services.audit.record(.init("logframe.drafted", target: ("logframe", try draft.requireID().uuidString),
                                                  details: ["version": String(draft.version)]), actor: actor, at: now, on: db)
            return draft
        }
    }

    private func copy(_ source: Logframe, into draft: Logframe, on db: any Database) async throws {
        let sourceID = try source.requireID(), draftID = try draft.requireID()
        for period in try await LogframePeriod.query(on: db).filter(\.$logframeID == sourceID).all() {
            let copy = LogframePeriod()
            (copy.logframeID, copy.code, copy.kind, copy.startsOn, copy.endsOn) = (draftID, period.code, period.kind, period.startsOn, period.endsOn)
            try await copy.create(on: db)
        }
        let entries = try await LogframeEntry.query(on: db).filter(\.$logframeID == sourceID).all()
        var newIDs: [UUID: UUID] = [:]
        for entry in entries { if let id = entry.id { newIDs[id] = UUID() } }
        for entry in entries {
            let copy = LogframeEntry()
            copy.id = entry.id.flatMap { newIDs[$0] }
            (copy.logframeID, copy.parentID, copy.level, copy.code) = (draftID, entry.parentID.flatMap { newIDs[$0] }, entry.level, entry.code)
            (copy.titleSq, copy.titleEn, copy.assumptionsSq, copy.assumptionsEn) = (entry.titleSq, entry.titleEn, entry.assumptionsSq, entry.assumptionsEn)
            try await copy.create(on: db)
        }
        for indicator in try await LogframeIndicator.query(on: db).filter(\.$logframeID == sourceID).all() {
            guard let entry = newIDs[indicator.entryID] else { continue }
            let copy = LogframeIndicator()
            copy.logframeID = draftID
            copy.entryID = entry
            copy.fill(from: indicator)
            try await copy.create(on: db)
        }
    }

    /// Refuses any change to a version that is not a draft.
    private func requireDraft(_ logframe: Logframe) throws {
        _ = try logframe.status.transition(.edit)
    }

    func addPeriod(_ form: ReportingPeriodForm, to logframe: Logframe, actor: UUID) async throws -> Result<ReportingPeriod, FieldErrors> {
        try requireDraft(logframe)
        let tree = try await tree(logframe)
        guard tree.periods.count < Self.maximumPeriods else { throw AppError(status: .conflict, messageKey: "logframe.error.tooMany") }
        switch form.validated(programme: try await programmeDates(), taken: Set(tree.periods.map(\.code))) {
        case .failure(let errors): return .failure(errors)
        case .success(let period):
            if tree.periods.contains(where: { $0.startsOn <= period.endsOn && period.startsOn <= $0.endsOn }) {
                var errors = FieldErrors()
                errors.add("startsOn", "period.error.overlap")
                return .failure(errors)
            }
            let row = LogframePeriod()
            (row.logframeID, row.code, row.kind, row.startsOn, row.endsOn) =
                (try logframe.requireID(), period.code, period.kind, period.startsOn.description, period.endsOn.description)
            try await database.writeTransaction { db in
                try await row.create(on: db)
                try await audit("logframe.periodAdded", logframe, ["period": period.code], actor: actor, on: db)
            }
            return .success(period)
        }
    }

    func removePeriod(_ code: String, from logframe: Logframe, actor: UUID) async throws {
        try requireDraft(logframe)
        let id = try logframe.requireID()
        try await database.writeTransaction { db in
            try await LogframePeriod.query(on: db).filter(\.$logframeID == id).filter(\.$code == code).delete()
            try await audit("logframe.periodRemoved", logframe, ["period": code], actor: actor, on: db)
        }
    }

    /// Adds an entry, or changes one (`entry`), in a draft.
    func save(_ form: LogframeEntryForm, in logframe: Logframe, entry existing: LogframeEntry?, actor: UUID) async throws
        -> Result<LogframeEntry, FieldErrors> {
        try requireDraft(logframe)
        let tree = try await tree(logframe)
        guard existing != nil || tree.entries.count < Self.maximumEntries else { throw AppError(status: .conflict, messageKey: "logframe.error.tooMany") }
        let others = tree.entries.filter { $0.id != existing?.id }
        // An entry cannot hang under itself or under what hangs under it: its own level's parent
        // level is always above it, so excluding itself is enough.
        let levels = Dictionary(uniqueKeysWithValues: others.compactMap { entry in entry.id.map { ($0, entry.level) } })
        switch form.validated(entries: levels, taken: Set(others.map(\.code))) {
        case .failure(let errors): return .failure(errors)
        case .success(let value):
            if let existing, value.level != existing.level, tree.entries.contains(where: { $0.parentID == existing.id }) {
                var errors = FieldErrors()
                errors.add("level", "logframe.error.hasChildren")
                return .failure(errors)
            }
            let entry = existing ?? LogframeEntry()
            entry.logframeID = try logframe.requireID()
            (entry.level, entry.parentID, entry.code) = (value.level, value.parent, value.code)
            (entry.titleSq, entry.titleEn, entry.assumptionsSq, entry.assumptionsEn) = (value.titleSq, value.titleEn, value.assumptionsSq, value.assumptionsEn)
            try await database.writeTransaction { db in
                try await entry.save(on: db)
                try await audit(existing == nil ? "logframe.entryAdded" : "logframe.entryChanged", logframe, ["code": value.code], actor: actor, on: db)
            }
            return .success(entry)
        }
    }

    /// Removes an entry with nothing under it.
    func remove(_ entry: LogframeEntry, from logframe: Logframe, actor: UUID) async throws {
        try requireDraft(logframe)
        let id = try entry.requireID()
        try await database.writeTransaction { db in
            let children = try await LogframeEntry.query(on: db).filter(\.$parentID == id).count()
            let indicators = try await LogframeIndicator.query(on: db).filter(\.$entryID == id).count()
            guard children == 0, indicators == 0 else { throw AppError(status: .conflict, messageKey: "logframe.error.notEmpty") }
            try await entry.delete(on: db)
            try await audit("logframe.entryRemoved", logframe, ["code": entry.code], actor: actor, on: db)
        }
    }

    /// Adds an indicator to an entry, or changes one, in a draft.
    func save(_ form: IndicatorForm, under entry: LogframeEntry, in logframe: Logframe, indicator existing: LogframeIndicator?,
              actor: UUID) async throws -> Result<LogframeIndicator, FieldErrors> {
        try requireDraft(logframe)
        let tree = try await tree(logframe)
        guard existing != nil || tree.indicators.count < Self.maximumIndicators else { throw AppError(status: .conflict, messageKey: "logframe.error.tooMany") }
        let dates = try await programmeDates()
        let taken = Set(tree.indicators.filter { $0.id != existing?.id }.map(\.code))
        switch form.validated(periods: Set(tree.periods.map(\.code)), taken: taken, programmeYears: dates.lowerBound.year...dates.upperBound.year) {
        case .failure(let errors): return .failure(errors)
        case .success(let value):
            let indicator = existing ?? LogframeIndicator()
            (indicator.logframeID, indicator.entryID) = (try logframe.requireID(), try entry.requireID())
            indicator.fill(from: value)
            try await database.writeTransaction { db in
                try await indicator.save(on: db)
                try await audit(existing == nil ? "logframe.indicatorAdded" : "logframe.indicatorChanged", logframe,
                                ["code": value.code, "source": value.source.code], actor: actor, on: db)
            }
            return .success(indicator)
        }
    }

    func remove(_ indicator: LogframeIndicator, from logframe: Logframe, actor: UUID) async throws {
        try requireDraft(logframe)
        try await database.writeTransaction { db in
            try await indicator.delete(on: db)
            try await audit("logframe.indicatorRemoved", logframe, ["code": indicator.code], actor: actor, on: db)
        }
    }

    /// Approves a complete draft (an overall objective, a period, an indicator) and supersedes the
    /// version approved before, in one transaction.
    func approve(_ logframe: Logframe, reason: String, actor: UUID) async throws {
        let next = try logframe.status.transition(.approve)
        let tree = try await tree(logframe)
        guard tree.entries.contains(where: { $0.level == .overallObjective }), !tree.periods.isEmpty, !tree.indicators.isEmpty else {
            throw AppError(status: .conflict, messageKey: "logframe.error.incomplete")
        }
        let id = try logframe.requireID()
        try await database.writeTransaction { db in
            // Read again under the write lock: two approvals at once approve once.
            guard try await Logframe.query(on: db).filter(\.$id == id).filter(\.$status == .draft).count() == 1 else {
                throw AppError(status: .conflict, messageKey: "logframe.error.notNow")
            }
            try await Logframe.query(on: db).filter(\.$status == .approved).set(\.$status, to: .superseded).update()
            try await Logframe.query(on: db).filter(\.$id == id).filter(\.$status == .draft)
                .set(\.$status, to: next).set(\.$approvedBy, to: actor).set(\.$approvedAt, to: now).update()
            try await audit("logframe.approved", logframe, ["version": String(logframe.version), "reason": reason], actor: actor, on: db)
        }
    }

    private func audit(_ action: String, _ logframe: Logframe, _ details: [String: String], actor: UUID, on db: any Database) async throws {
        try await services.audit.record(.init(action, target: ("logframe", try logframe.requireID().uuidString), details: details),
                                        actor: actor, at: now, on: db)
    }
}

extension LogframeIndicator {
    func fill(from value: IndicatorForm.Indicator) {
        (code, nameSq, nameEn, definitionSq, definitionEn) = (value.code, value.nameSq, value.nameEn, value.definitionSq, value.definitionEn)
        (sourceCode, unit, direction, baseline, baselineYear, finalTarget) =
            (value.source.code, value.unit, value.direction, value.baseline, value.baselineYear, value.finalTarget)
        (verificationSq, verificationEn) = (value.verificationSq, value.verificationEn)
        targets = value.targets
        disaggregations = value.disaggregations
    }

    func fill(from other: LogframeIndicator) {
        (code, nameSq, nameEn, definitionSq, definitionEn) = (other.code, other.nameSq, other.nameEn, other.definitionSq, other.definitionEn)
        (sourceCode, unit, direction, baseline, baselineYear, finalTarget) =
            (other.sourceCode, other.unit, other.direction, other.baseline, other.baselineYear, other.finalTarget)
        (verificationSq, verificationEn, targetsJSON, disaggregationList) = (other.verificationSq, other.verificationEn, other.targetsJSON, other.disaggregationList)
    }

    /// The indicator as its form shows it, for changing it.
    var form: IndicatorForm {
        var form = IndicatorForm()
        (form.code, form.nameSq, form.nameEn, form.definitionSq, form.definitionEn) = (code, nameSq, nameEn, definitionSq, definitionEn)
        (form.source, form.unit, form.direction) = (sourceCode, unit.rawValue, direction.rawValue)
        form.baseline = baseline.map { IndicatorQuantity.typed($0, unit: unit) } ?? ""
        form.baselineYear = baselineYear.map(String.init) ?? ""
        form.finalTarget = IndicatorQuantity.typed(finalTarget, unit: unit)
        form.targets = targets.mapValues { IndicatorQuantity.typed($0, unit: unit) }
        (form.verificationSq, form.verificationEn, form.disaggregations) = (verificationSq, verificationEn, disaggregations.map(\.rawValue))
        return form
    }
}

extension LogframeEntry {
    var form: LogframeEntryForm {
        var form = LogframeEntryForm()
        (form.level, form.parent, form.code) = (level.rawValue, parentID?.uuidString ?? "", code)
        (form.titleSq, form.titleEn, form.assumptionsSq, form.assumptionsEn) = (titleSq, titleEn, assumptionsSq, assumptionsEn)
        return form
    }
}
