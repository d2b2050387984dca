import Fluent
import Foundation
@testable import FuqizoCore
@testable import FuqizoServer
import Testing
import Vapor

/// A small logframe made through the services: programme dates in the settings, a first
/// version approved (one period, an overall objective, a manual indicator), and a second
/// version drafted from it; a value entered by hand, and a report made and submitted.
enum MonitoringFixtures {
    struct Records {
        let approved: UUID
        let logframe: UUID
        let entry: UUID
        let indicator: UUID
        let value: UUID
        let report: UUID
    }

    static func programmeDates(_ app: Application, by actor: UUID, start: String = "2025-01-01", end: String = "2028-12-31") async throws {
        let settings = SettingsService(database: app.db, services: app.services)
        var form = ProgrammeSettingsForm(try await settings.current())
        (form.startDate, form.endDate) = (start, end)
        guard case .success = try await settings.update(form, actor: actor) else { throw AppError.badRequest }
    }

    static func indicatorForm(code: String, source: String, unit: String = "count", target: String = "10", targets: [String: String] = [:],
                              baseline: String = "", baselineYear: String = "") -> IndicatorForm {
        var form = IndicatorForm()
        (form.code, form.nameSq, form.nameEn, form.definitionSq, form.definitionEn) = (code, "Tregues \(code)", "Indicator \(code)", "Përkufizim", "Definition")
        (form.source, form.unit, form.direction, form.finalTarget, form.targets) = (source, unit, "increase", target, targets)
        (form.baseline, form.baselineYear, form.verificationSq, form.verificationEn) = (baseline, baselineYear, "Regjistrat", "Records")
        return form
    }

    static func entryForm(level: LogframeLevel, code: String, parent: UUID? = nil) -> LogframeEntryForm {
        var form = LogframeEntryForm()
        (form.level, form.code, form.parent) = (level.rawValue, code, parent?.uuidString ?? "")
        (form.titleSq, form.titleEn) = ("Objektivi \(code)", "Objective \(code)")
        return form
    }

    static func records(_ app: Application, by actor: UUID) async throws -> Records {
        try await programmeDates(app, by: actor)
        let logframes = LogframeService(database: app.db, services: app.services)
        let first = try await logframes.startDraft(actor: actor)
        _ = try await logframes.addPeriod(ReportingPeriodForm(code: "P1", kind: "interim", startsOn: "2025-01-01", endsOn: "2026-06-30"), to: first, actor: actor).get()
        let overall = try await logframes.save(entryForm(level: .overallObjective, code: "OO"), in: first, entry: nil, actor: actor).get()
        _ = try await logframes.save(indicatorForm(code: "I1", source: "manual"), under: overall, in: first, indicator: nil, actor: actor).get()
        try await logframes.approve(first, reason: "Agreed with the donor", actor: actor)
        let approvedTree = try await logframes.tree(first)
        let value = try await IndicatorValueService(database: app.db, services: app.services)
            .enter(ManualValueForm(indicator: "I1", period: "P1", value: "4", evidence: "Survey of 2026"), in: approvedTree, actor: UUID()).get()
        let reports = DonorReportService(database: app.db, services: app.services)
        let report = try await reports.make(period: "P1", actor: actor)
        try await reports.submit(report, reason: "Sent to the delegation", actor: actor)
        let draft = try await logframes.startDraft(actor: actor)
        let tree = try await logframes.tree(draft)
        return Records(approved: try first.requireID(), logframe: try draft.requireID(), entry: try #require(tree.entries.first?.id),
                       indicator: try #require(tree.indicators.first?.id), value: try value.requireID(), report: try report.requireID())
    }
}
