import Fluent
import Foundation
import FuqizoCore

/// Monitoring's part of the work lists, for programme managers and administrators: values
/// entered by others to review, periods over without a submitted report, the logframe draft.
/// The tables are small (a logframe has a few periods; values and reports a few dozen).
struct MonitoringWorkload: WorkSource {
    func items(for actor: Actor, today: LocalDate, now: Date, on database: any Database) async throws -> [WorkItem] {
        guard let user = actor.userID, Policy.decide(actor, .manageLogframe).isAllowed else { return [] }
        let toReview = try await IndicatorValueEntry.query(on: database).filter(\.$status == .submitted).filter(\.$enteredBy != user).count()
        var periods: [MonitoringWork.Period] = []
        if let approved = try await Logframe.query(on: database).filter(\.$status == .approved).first(), let id = approved.id {
            let submitted = Set(try await DonorReport.query(on: database).filter(\.$status == .submitted).all().map(\.periodCode))
            periods = try await LogframePeriod.query(on: database).filter(\.$logframeID == id).all().compactMap { row in
                row.period.map { MonitoringWork.Period(code: $0.code, endsOn: $0.endsOn, submitted: submitted.contains($0.code)) }
            }
        }
        let draft = try await Logframe.query(on: database).filter(\.$status == .draft).first()
        return MonitoringWork.manager(valuesToReview: toReview, periods: periods,
                                      draft: draft.flatMap { logframe in logframe.id.map { ($0, logframe.version) } }, today: today)
    }
}
