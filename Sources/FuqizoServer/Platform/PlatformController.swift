import Fluent
import Foundation
import FuqizoCore
import Metrics
import NIOConcurrencyHelpers
import Prometheus
import Vapor

/// The home page, the disclaimer, and the operators' endpoints.
struct PlatformController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(use: home).access(.viewPublic)
        routes.get("about", "disclaimer", use: disclaimer).access(.viewPublic)
        routes.get("healthz", use: health).access(.viewPublic)
        routes.get("metrics", use: metrics).access(.viewPublic)
    }

    struct HomePage: Encodable {
        let programmeName: String
        let regions: [RegionCount]
        let organisationTotal: Int?
        let work: WorkListContext
    }

    struct RegionCount: Encodable {
        let name: String
        let organisations: Int
    }

    /// Signed in, a person's work; signed out, the public website is the front door, in the
    /// visitor's language.
    func home(req: Request) async throws -> Response {
        guard req.signedIn != nil else { return req.redirect(to: PublicSite.Page.home.path(req.language), redirectType: .normal) }
        let settings = try await SettingsService(database: req.db, services: req.services).current()
        var regions: [RegionCount] = []
        var total: Int?
        if Policy.decide(req.actor, .viewOrganisationRegistry).isAllowed {
            let geography = try await GeographyDirectory.load(on: req.db)
            let counts = try await OrganisationService(database: req.db, services: req.services).counts(in: geography.regions)
            regions = zip(geography.regions, counts.perRegion).map { RegionCount(name: $0.name(req.language), organisations: $1) }
            total = counts.total
        }
        let work = WorkListContext.build(try await req.work(), language: req.language, catalog: req.services.catalog, today: TiranaTime.today(at: req.now))
        return try await req.page("home", title: "home.title", HomePage(
            programmeName: settings.name(req.language), regions: regions, organisationTotal: total, work: work)).encodeResponse(for: req)
    }

    func disclaimer(req: Request) async throws -> View {
        let settings = try await SettingsService(database: req.db, services: req.services).current()
        return try await req.page("disclaimer", title: "disclaimer.title",
                                  ["organisation": settings.implementingOrganisation.isEmpty ? req.t("disclaimer.defaultOrganisation") : settings.implementingOrganisation])
    }

    /// Liveness and database reachability, for load balancers. No details for strangers.
    func health(req: Request) async throws -> Response {
        do {
            try await SystemValue.ping(req.db)
            return Response(status: .ok, headers: ["Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"], body: "ok\n")
        } catch {
            return Response(status: .serviceUnavailable, headers: ["Content-Type": "text/plain; charset=utf-8"], body: "unavailable\n")
        }
    }

    /// Prometheus metrics: for a scraper on this machine, or anyone holding the metrics token.
    func metrics(req: Request) async throws -> Response {
        let token = req.services.config.metricsToken
        let fromLoopback = req.isDirectLoopback
        let bearer = req.headers.bearerAuthorization?.token
        let allowed = token.map { expected in bearer.map { constantTimeEquals($0, expected) } ?? false } ?? fromLoopback
        guard allowed else { throw AppError.forbidden }
        // Read at each scrape: alert when the last backup is over a day old, or the last attempt failed.
        if let record = try? await BackupRecord.read(on: req.db) {
            let registry = MetricsRegistry.shared.registry
            registry.makeGauge(name: "fuqizo_backup_last_success_timestamp_seconds")
                .set(record.lastAt?.timeIntervalSince1970 ?? 0)
            registry.makeGauge(name: "fuqizo_backup_last_attempt_failed").set(record.failure == nil ? 0.0 : 1.0)
        }
        let body = MetricsRegistry.shared.registry.emitToString()
        return Response(status: .ok, headers: ["Content-Type": "text/plain; version=0.0.4", "Cache-Control": "no-store"], body: .init(string: body))
    }
}

/// swift-metrics can be bootstrapped once per process; the registry lives as long.
final class MetricsRegistry: Sendable {
    static let shared = MetricsRegistry()

    let registry = PrometheusCollectorRegistry()
    private let bootstrapped = NIOLockedValueBox(false)

    func bootstrap() {
        bootstrapped.withLockedValue { done in
            guard !done else { return }
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
            done = true
        }
    }
}
