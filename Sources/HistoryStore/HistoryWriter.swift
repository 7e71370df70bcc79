import ClawtopCore
import Foundation
import Dispatch
import Synchronization

/// Gathers samples, transitions and usage and writes them in batches, one transaction every `every` seconds, and prunes
/// the history every ten minutes. A crash loses at most what waits. The writes run on a thread of their own: one
/// that waits for another process's lock must not hold up the tasks that watch and probe.
///
/// A write that fails (a full disk, a lock held too long) loses nothing: what it held waits for the next, tried
/// again after 5 s, 10 s, 20 s… at most a minute apart, and the problem is said once. What waits is bounded by
/// `pendingLimit` samples (and as many transitions, and usage points): beyond it the oldest go, and `dropped` counts
/// them. A store that only reads keeps nothing.
public final class HistoryWriter: Sendable {
    public let store: HistoryStore
    let every: Duration
    let batchLimit: Int
    let pendingLimit: Int
    private let pending = Mutex(Pending())
    private let queue = DispatchQueue(label: "clawtop.history.writer")
    /// Told when a write fails (the disk is full, the file is gone), once per kind of failure in a row.
    private let problem = Mutex<@Sendable (String?) -> Void>({ _ in })

    struct Pending {
        var samples: [RecordedSample] = []
        var transitions: [Transition] = []
        var usage: [UsagePoint] = []
        var lastProblem: String?
        /// Failed writes in a row, and when to try again.
        var failures = 0
        var retryAt: ContinuousClock.Instant?
        var dropped = 0
    }

    public init(store: HistoryStore, every: Duration = .seconds(5), batchLimit: Int = 20_000, pendingLimit: Int = 100_000) {
        self.store = store
        self.every = every
        self.batchLimit = batchLimit
        self.pendingLimit = max(1, pendingLimit)
    }

    /// The samples and transitions waiting to be written.
    public var waiting: Int { pending.withLock { $0.samples.count + $0.transitions.count + $0.usage.count } }

    /// The samples and transitions let go unwritten: the oldest beyond `pendingLimit` while writes failed, and all
    /// given to a store that only reads.
    public var dropped: Int { pending.withLock { $0.dropped } }

    /// How long to wait after `failures` failed writes in a row: 5 s, 10 s, 20 s, 40 s, then a minute.
    static func retryDelay(after failures: Int) -> Duration {
        .seconds(min(60, 5 << min(max(failures - 1, 0), 4)))
    }

    public func add(_ sample: RecordedSample) {
        pending.withLock { $0.samples.append(sample) }
    }

    public func add(_ transitions: [Transition]) {
        guard !transitions.isEmpty else { return }
        pending.withLock { $0.transitions.append(contentsOf: transitions) }
    }

    public func add(_ usage: [UsagePoint]) {
        guard !usage.isEmpty else { return }
        pending.withLock { $0.usage.append(contentsOf: usage) }
    }

    /// Writes every `every` (and prunes now and then) until cancelled, then writes what is left. A write that fails
    /// (a full disk) is posted as `.historyProblem`, once, and nil when one works again.
    public func run(post: @escaping @Sendable (Message) -> Void) async {
        telling { post(.history(.problem($0))) }
        // The first pruning a minute after the start, away from the first frames.
        var sincePrune = ContinuousClock.now - .seconds(540)
        while !Task.isCancelled {
            if ContinuousClock.now - sincePrune > .seconds(600), !retrying {
                sincePrune = ContinuousClock.now
                await onQueue { self.prune() }
            }
            try? await Task.sleep(for: every)
            if due(at: .now) { await onQueue { self.flush() } }
        }
        await onQueue { self.flush() }
    }

    /// Where a write's problem is told (and nil when writing works again).
    func telling(_ tell: @escaping @Sendable (String?) -> Void) {
        problem.withLock { $0 = tell }
    }

    private func onQueue(_ work: @escaping @Sendable () -> Void) async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            queue.async {
                work()
                done.resume()
            }
        }
    }

    /// Whether writes are failing (and waiting to be tried again).
    private var retrying: Bool { pending.withLock { $0.retryAt != nil } }

    /// Whether the next write is due at `now`: always, but after a failure not before its back-off has passed.
    func due(at now: ContinuousClock.Instant) -> Bool {
        pending.withLock { p in p.retryAt.map { now >= $0 } ?? true }
    }

    /// Writes what waits, now (on the caller's thread). What a failed write held waits for the next.
    public func flush() {
        flush(at: .now)
    }

    /// `flush`, the back-off after a failure counted from `now`.
    func flush(at now: ContinuousClock.Instant) {
        let (samples, transitions, usage) = pending.withLock { p in
            defer { p.samples = []; p.transitions = []; p.usage = [] }
            return (p.samples, p.transitions, p.usage)
        }
        guard !samples.isEmpty || !transitions.isEmpty || !usage.isEmpty else { return }
        if store.isReadOnly {
            pending.withLock { $0.dropped += samples.count + transitions.count + usage.count }
            return
        }
        var start = 0
        var failure: HistoryError?
        repeat {
            let end = min(samples.count, start + batchLimit)
            do {
                try store.write(samples: Array(samples[start..<end]), transitions: start == 0 ? transitions : [],
                                usage: start == 0 ? usage : [])
            } catch {
                failure = error
                break
            }
            start = end
        } while start < samples.count
        pending.withLock { p in
            guard failure != nil else {
                p.failures = 0
                p.retryAt = nil
                return
            }
            // Back in front of what came meanwhile, the transitions and usage too unless they went with the first part.
            p.samples = Array(samples[start...]) + p.samples
            if start == 0 {
                p.transitions = transitions + p.transitions
                p.usage = usage + p.usage
            }
            let over = p.samples.count - pendingLimit, overTransitions = p.transitions.count - pendingLimit
            let overUsage = p.usage.count - pendingLimit
            if over > 0 { p.samples.removeFirst(over) }
            if overTransitions > 0 { p.transitions.removeFirst(overTransitions) }
            if overUsage > 0 { p.usage.removeFirst(overUsage) }
            p.dropped += max(over, 0) + max(overTransitions, 0) + max(overUsage, 0)
            p.failures += 1
            p.retryAt = now + Self.retryDelay(after: p.failures)
        }
        report(failure.map { "not written: \($0.description); keeping what waits and trying again" })
    }

    /// Drops what the retention and the bound say; says so only when it fails (a write that works says the problem
    /// is over).
    private func prune() {
        do { try store.prune(now: Date()) } catch { report("not pruned: \(error.description)") }
    }

    /// Tells `problem` when it changed: a new one, or nil when writing works again.
    private func report(_ text: String?) {
        let changed = pending.withLock { p in
            defer { p.lastProblem = text }
            return p.lastProblem != text
        }
        if changed { problem.withLock { $0 }(text) }
    }
}
