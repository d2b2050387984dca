import Foundation
import NIOConcurrencyHelpers

/// A value added up from much of the database (the programme's facts, the public results, the
/// open-data files), kept so the busiest pages do not add it up at every view. It is kept while
/// it is asked for under the same key and, with a lifetime, for that long; `forget()` drops it
/// at once, and a value whose reading began before is not kept. While one request reads it
/// anew, the others asking under the same key go on with the previous value, so a slow read is
/// paid once rather than by every visitor at the same moment.
final class KeptValue<Key: Equatable & Sendable, Value: Sendable>: Sendable {
    let lifetime: TimeInterval?

    private struct State {
        var kept: (key: Key, at: Date, value: Value)?
        var loading = false
        /// Bumped by `forget`: a read begun before it is not kept.
        var generation = 0
    }

    private let state = NIOLockedValueBox(State())

    init(lifetime: TimeInterval?) {
        self.lifetime = lifetime
    }

    /// The value under `key` and when it was read: as kept, or read now.
    func value(key: Key, at now: Date, load: () async throws -> Value) async throws -> (value: Value, at: Date) {
        let (kept, reads, generation) = state.withLockedValue { state -> ((key: Key, at: Date, value: Value)?, Bool, Int) in
            guard let kept = state.kept, kept.key == key else {
                state.loading = true
                return (nil, true, state.generation)
            }
            let fresh = now >= kept.at && lifetime.map { now.timeIntervalSince(kept.at) < $0 } ?? true
            if fresh || state.loading { return (kept, false, state.generation) }
            state.loading = true
            return (nil, true, state.generation)
        }
        if let kept, !reads { return (kept.value, kept.at) }
        do {
            let value = try await load()
            state.withLockedValue { state in
                state.loading = false
                if state.generation == generation { state.kept = (key, now, value) }
            }
            return (value, now)
        } catch {
            state.withLockedValue { $0.loading = false }
            throw error
        }
    }

    func forget() {
        state.withLockedValue { state in
            state.kept = nil
            state.generation += 1
        }
    }
}

extension KeptValue where Key == String {
    /// For a value that has only one key.
    func value(at now: Date, load: () async throws -> Value) async throws -> Value {
        try await value(key: "", at: now, load: load).value
    }
}
