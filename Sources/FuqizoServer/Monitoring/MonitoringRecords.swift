import Foundation
import FuqizoCore
import Vapor

/// The monitoring records routes name, for the policy (see `ResourceSource.record`).
extension ResourceSource {
    /// The logframe version named by `:logframeID`.
    static let logframe = ResourceSource.record(Logframe.self) { req in
        (try await LogframeService(database: req.db, services: req.services).logframe(try req.id("logframeID")), .logframe)
    }

    /// The logframe entry named by `:entryID`: programme-wide, like its version.
    static let logframeEntry = ResourceSource.record(LogframeEntry.self) { req in
        (try await LogframeService(database: req.db, services: req.services).entry(try req.id("entryID")), .logframe)
    }

    /// The logframe indicator named by `:indicatorID`.
    static let logframeIndicator = ResourceSource.record(LogframeIndicator.self) { req in
        (try await LogframeService(database: req.db, services: req.services).indicator(try req.id("indicatorID")), .logframe)
    }

    /// The value entered by hand named by `:valueID`, with who entered it.
    static let indicatorValue = ResourceSource.record(IndicatorValueEntry.self) { req in
        let value = try await IndicatorValueService(database: req.db, services: req.services).value(try req.id("valueID"))
        return (value, value.resource)
    }

    /// The donor report named by `:reportID`. A draft is not shown to donors, who are not told
    /// it exists.
    static let donorReport = ResourceSource.record(DonorReport.self, conceals: { _, report in report.status == .draft }) { req in
        let report = try await DonorReportService(database: req.db, services: req.services).report(try req.id("reportID"))
        return (report, report.resource)
    }
}
