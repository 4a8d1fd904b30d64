// Votes are written without invalidating the state caches (one a second would otherwise rebuild every cached
// manifest), so what reads votes and is cached — the memory bundle — keys its entries on this counter as well.
import Synchronization

/// Counts the votes cast or withdrawn by this process.
final class VoteGeneration: Sendable {
    private let counter = Atomic<UInt64>(0)

    /// The count now: read it before reading votes, and a value read under it is current while it stays the same.
    var current: UInt64 { counter.load(ordering: .acquiring) }

    /// Called after a vote is written.
    func advance() { counter.add(1, ordering: .releasing) }
}
