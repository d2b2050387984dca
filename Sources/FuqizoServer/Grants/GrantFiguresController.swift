import Fluent
import Foundation
import FuqizoCore
import Vapor

/// Aggregate figures of the grant scheme for donors and programme staff.
struct GrantFiguresController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("grants", "figures", use: figures).access(.viewGrantFigures)
    }

    struct FigureRow: Encodable {
        let reference: String
        let title: String
        let submitted: Int
        let rejected: Int
        let awarded: Int
        let reserve: Int
        let awardedAmount: String
        let envelope: String
    }

    /// Counts and sums per call: what donors may see, never an application or an applicant.
    /// One grouped query for every call.
    func figures(req: Request) async throws -> View {
        let calls = try await CallService(database: req.db, services: req.services).published()
        let byCall = Dictionary(grouping: try await DecisionService(database: req.db, services: req.services).submittedCounts(),
                                by: \.callId)
        let rows = calls.map { call in
            let lines = byCall[call.id!] ?? []
            func count(_ status: ApplicationStatus) -> Int { lines.first { $0.status == status }?.applications ?? 0 }
            let awarded = lines.first { $0.status == .awarded }?.requested ?? 0
            return FigureRow(reference: call.reference, title: req.language.pick(call.titleSq, call.titleEn),
                             submitted: lines.reduce(0) { $0 + $1.applications }, rejected: count(.rejected), awarded: count(.awarded),
                             reserve: count(.reserve), awardedAmount: Money(minorUnits: awarded, currency: call.currency).written(in: req.language),
                             envelope: Money(minorUnits: call.lots.reduce(0) { $0 + $1.envelopeMinorUnits }, currency: call.currency).written(in: req.language))
        }
        return try await req.page("grants/figures", title: "figures.title", Figures(rows: rows, regions: try await regionRows(req)))
    }

    struct Figures: Encodable {
        let rows: [FigureRow]
        let regions: [RegionRow]
    }

    struct RegionRow: Encodable {
        let region: String
        let awarded: String
        let contracted: String
        let paid: String
        let reported: String
        let recovered: String
    }

    /// Contracts' money per programme region, in the regions' order.
    private func regionRows(_ req: Request) async throws -> [RegionRow] {
        let geography = try await GeographyDirectory.load(on: req.db)
        let order = Dictionary(geography.regions.enumerated().map { ($0.element.id, $0.offset) }, uniquingKeysWith: { first, _ in first })
        return try await ContractPortfolio(database: req.db).figuresByRegion()
            .sorted { (order[$0.regionID ?? UUID()] ?? .max, $0.currency) < (order[$1.regionID ?? UUID()] ?? .max, $1.currency) }
            .map { figures in
                func money(_ minorUnits: Int64) -> String { Money(minorUnits: minorUnits, currency: figures.currency).written(in: req.language) }
                let region = geography.regions.first { $0.id == figures.regionID }?.name(req.language) ?? req.t("figures.noRegion")
                return RegionRow(region: region, awarded: money(figures.awarded), contracted: money(figures.contracted), paid: money(figures.paid),
                                 reported: money(figures.reported), recovered: money(figures.recovered))
            }
    }
}
