import Fluent
import Foundation
import FuqizoCore

/// Donor reports: made for a period of the logframe in force, with every figure they show
/// frozen at that moment (the logframe's indicators for that period and the ones before, and
/// the summaries' measures); remade while a draft, never changed once submitted.
struct DonorReportService {
    let database: any Database
    let services: AppServices

    var now: Date { services.clock.now() }

    static let maximumComment = 2_000

    func report(_ id: UUID) async throws -> DonorReport {
        guard let report = try await DonorReport.find(id, on: database) else { throw AppError.notFound }
        return report
    }

    /// Reports, newest first; donors see only submitted ones.
    func reports(submittedOnly: Bool) async throws -> [DonorReport] {
        var query = DonorReport.query(on: database)
        if submittedOnly { query = query.filter(\.$status == .submitted) }
        return try await query.sort(\.$madeAt, .descending).limit(100).all()
    }

    /// The figures of `tree` for `period` and every period before it, frozen now.
    private func freeze(_ tree: LogframeService.Tree, period: ReportingPeriod) async throws -> FrozenFigures {
        let figures = LogframeFigures(database: database, services: services)
        let periods = tree.periods.filter { $0.endsOn <= period.endsOn }
        let table = try await figures.values(tree, periods: periods)
        return FrozenFigures(frozenAt: now, figures: tree.indicators.flatMap { indicator in
            periods.compactMap { period in
                table[indicator.code]?[period.code].map { .init(indicator: indicator.code, period: period.code, source: indicator.source, value: $0) }
            }
        }, measures: try await figures.measures(by: period.endsOn))
    }

    private func encoded(_ figures: FrozenFigures) throws -> String {
        String(decoding: try JSONEncoder().encode(figures), as: UTF8.self)
    }

    /// Makes the report of a period of the logframe in force; a draft already made for that
    /// period is remade instead (one draft per period).
    func make(period code: String, actor: UUID) async throws -> DonorReport {
        let logframes = LogframeService(database: database, services: services)
        guard let approved = try await logframes.approved() else { throw AppError(status: .conflict, messageKey: "donorReport.error.noLogframe") }
        let tree = try await logframes.tree(approved)
        guard let period = tree.period(code) else { throw AppError(status: .conflict, messageKey: "donorReport.error.period") }
        let figures = try encoded(try await freeze(tree, period: period))
        let logframeID = try approved.requireID()
        return try await database.writeTransaction { db in
            let report = try await DonorReport.query(on: db).filter(\.$logframeID == logframeID).filter(\.$periodCode == code)
                .filter(\.$status == .draft).first() ?? DonorReport()
            let made = report.id == nil
            if made {
                (report.logframeID, report.periodCode, report.kind, report.status) = (logframeID, code, period.kind, .draft)
                report.comments = [:]
            }
            (report.figuresJSON, report.madeBy, report.madeAt) = (figures, actor, now)
            try await report.save(on: db)
            try await audit(made ? "donorReport.made" : "donorReport.remade", report, ["period": code], actor: actor, on: db)
            return report
        }
    }

    /// Freezes a draft's figures again, under the version it was made with.
    func remake(_ report: DonorReport, actor: UUID) async throws {
        _ = try report.status.transition(.remake)
        let logframes = LogframeService(database: database, services: services)
        let tree = try await logframes.tree(try await logframes.logframe(report.logframeID))
        guard let period = tree.period(report.periodCode) else { throw AppError(status: .conflict, messageKey: "donorReport.error.period") }
        let figures = try encoded(try await freeze(tree, period: period))
        let id = try report.requireID()
        try await database.writeTransaction { db in
            try await DonorReport.query(on: db).filter(\.$id == id).filter(\.$status == .draft)
                .set(\.$figuresJSON, to: figures).set(\.$madeBy, to: actor).set(\.$madeAt, to: now).update()
            try await audit("donorReport.remade", report, ["period": report.periodCode], actor: actor, on: db)
        }
    }

    /// Saves the programme's comments on the indicators (a draft's only), each bounded.
    func comment(_ report: DonorReport, comments typed: [String: String], codes: Set<String>, actor: UUID) async throws -> Result<Void, FieldErrors> {
        _ = try report.status.transition(.remake)
        var errors = FieldErrors()
        var comments: [String: String] = [:]
        for (code, text) in typed where codes.contains(code) {
            guard let clean = Text.clean(text) else { continue }
            if clean.count > Self.maximumComment { errors.add("comments[\(code)]", "form.error.tooLong") } else { comments[code] = clean }
        }
        guard errors.isEmpty else { return .failure(errors) }
        report.comments = comments
        let count = String(comments.count)
        try await database.writeTransaction { db in
            try await report.save(on: db)
            try await audit("donorReport.commented", report, ["count": count], actor: actor, on: db)
        }
        return .success(())
    }

    /// Submits a draft for good: from now on donors read it, and nothing in it changes.
    func submit(_ report: DonorReport, reason: String, actor: UUID) async throws {
        let next = try report.status.transition(.submit)
        let id = try report.requireID()
        try await database.writeTransaction { db in
            guard try await DonorReport.query(on: db).filter(\.$id == id).filter(\.$status == .draft).count() == 1 else {
                throw AppError(status: .conflict, messageKey: "donorReport.error.submitted")
            }
            try await DonorReport.query(on: db).filter(\.$id == id).set(\.$status, to: next).set(\.$submittedBy, to: actor)
                .set(\.$submittedAt, to: now).update()
            try await audit("donorReport.submitted", report, ["period": report.periodCode, "reason": reason], actor: actor, on: db)
        }
    }

    private func audit(_ action: String, _ report: DonorReport, _ details: [String: String], actor: UUID, on db: any Database) async throws {
        try await services.audit.record(.init(action, target: ("donorReport", try report.requireID().uuidString), details: details),
                                        actor: actor, at: now, on: db)
    }
}
