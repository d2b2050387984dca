import Fluent
import Foundation
import FuqizoCore
import NIOConcurrencyHelpers
import Vapor

/// A module's part of people's work lists: it reads the facts its core rules need, for this
/// person only, and returns the core's items. A module registers one with
/// `app.registerWork(_:)` in `routes.swift`; the home page and the navigation's counts then
/// include it.
protocol WorkSource: Sendable {
    func items(for actor: Actor, today: LocalDate, now: Date, on database: any Database) async throws -> [WorkItem]
}

extension Application {
    private struct WorkSourcesKey: StorageKey {
        typealias Value = [any WorkSource]
    }

    private struct WorkCountsKey: StorageKey {
        typealias Value = WorkCounts
    }

    var workSources: [any WorkSource] { storage[WorkSourcesKey.self] ?? [] }

    /// Called while the application is configured, never while it serves: storage is not
    /// written once requests run on several threads.
    func registerWork(_ source: any WorkSource) {
        storage[WorkSourcesKey.self] = workSources + [source]
        if storage[WorkCountsKey.self] == nil { storage[WorkCountsKey.self] = WorkCounts() }
    }

    /// Set up with the first registration; an application without work sources has nothing
    /// to count, so a throwaway memory is enough.
    var workCounts: WorkCounts { storage[WorkCountsKey.self] ?? WorkCounts() }
}

extension Request {
    /// Everything waiting for the person signed in, most urgent first. Fresh each time; the
    /// navigation's counts are remembered for a short while (`WorkCounts`).
    func work() async throws -> [WorkItem] {
        let actor = self.actor
        guard actor.isSignedIn else { return [] }
        let now = self.now
        let today = TiranaTime.today(at: now)
        var items: [WorkItem] = []
        for source in application.workSources {
            items += try await source.items(for: actor, today: today, now: now, on: db)
        }
        let ordered = WorkList.ordered(items, today: today)
        if let user = actor.userID { application.workCounts.remember(WorkList.counts(ordered), for: user, at: now) }
        return ordered
    }

    /// The counts the navigation shows. A failure to gather them leaves the menu without
    /// counts rather than failing the page (error pages are rendered through here too).
    func navigationCounts() async -> [String: Int] {
        guard let user = actor.userID else { return [:] }
        if let counts = application.workCounts.recent(for: user, at: now) { return counts }
        guard let items = try? await work() else { return [:] }
        return WorkList.counts(items)
    }
}

/// The navigation's counts per person, kept for `lifetime` so that a page view does not run
/// every module's queries. A person's own change forgets theirs (`WorkCountsMiddleware`), so
/// what they just did shows at once; work others give them shows within the lifetime.
final class WorkCounts: Sendable {
    static let lifetime: TimeInterval = 30
    /// Beyond this many people the memory is cleared rather than grown.
    static let capacity = 10_000

    private let entries = NIOLockedValueBox<[UUID: (at: Date, counts: [String: Int])]>([:])

    func recent(for user: UUID, at now: Date) -> [String: Int]? {
        entries.withLockedValue { entries in
            guard let entry = entries[user], now.timeIntervalSince(entry.at) < Self.lifetime, now >= entry.at else { return nil }
            return entry.counts
        }
    }

    func remember(_ counts: [String: Int], for user: UUID, at now: Date) {
        entries.withLockedValue { entries in
            if entries.count >= Self.capacity { entries.removeAll() }
            entries[user] = (now, counts)
        }
    }

    func forget(_ user: UUID) {
        _ = entries.withLockedValue { $0.removeValue(forKey: user) }
    }
}

/// After a person changes something, their counts are gathered afresh on the next page.
struct WorkCountsMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if request.method != .GET, request.method != .HEAD, let user = request.actor.userID {
            request.application.workCounts.forget(user)
        }
        return try await next.respond(to: request)
    }
}
