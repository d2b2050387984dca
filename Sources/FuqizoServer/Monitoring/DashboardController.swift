import Foundation
import FuqizoCore
import Vapor

/// The monitoring dashboard, for programme managers and donors.
struct DashboardController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("monitoring", use: dashboard).access(.viewMonitoring)
    }

    struct Query: Content {
        var period: String?
        var region: String?
        var indicator: String?
    }

    func dashboard(req: Request) async throws -> Response {
        let logframes = LogframeService(database: req.db, services: req.services)
        guard let logframe = try await logframes.approved() else {
            return try await req.page("monitoring/dashboard-empty", title: "monitoring.title",
                                      ["logframeHref": SiteURL.logframe.path], status: .ok)
        }
        let tree = try await logframes.tree(logframe)
        let query = (try? req.query.decode(Query.self)) ?? Query()
        let now = req.services.clock.now()
        let today = TiranaTime.today(at: now)
        // The period asked for, else the latest one begun, else the first.
        guard let period = tree.periods.first(where: { $0.code == query.period })
            ?? tree.periods.last(where: { $0.startsOn <= today }) ?? tree.periods.first else { throw AppError.server }
        let regions = try await WebsiteService(database: req.db, now: now).regions()
        let region = regions.first { $0.code == query.region }?.code
        let (table, computedAt) = try await LogframeFigures(database: req.db, services: req.services).stampedValues(tree)
        let settings = try await SettingsService(database: req.db, services: req.services).current()
        return try await req.page("monitoring/dashboard", title: "monitoring.title", DashboardContext.page(req, .init(
            tree: tree, table: table, period: period, region: region, regions: regions,
            threshold: FigureAudience.donor.threshold(in: settings), detail: query.indicator, computedAt: computedAt)), status: .ok)
    }
}
