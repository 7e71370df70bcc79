import ClawtopCore
import Foundation
import Dispatch
import Synchronization

/// Gathers samples and transitions and writes them in batches, one transaction every `every` seconds, and prunes
/// the history every ten minutes. A crash loses at most what waits. The writes run on a thread of their own: one
/// that waits for another process's lock must not hold up the tasks that watch and probe.
public final class HistoryWriter: Sendable {
    public let store: HistoryStore
    let every: Duration
    let batchLimit: Int
    private let pending = Mutex(Pending())
    private let queue = DispatchQueue(label: "clawtop.history.writer")
    /// Told when a write fails (the disk is full, the file is gone), once per kind of failure in a row.
    private let problem = Mutex<@Sendable (String?) -> Void>({ _ in })

    struct Pending {
        var samples: [RecordedSample] = []
        var transitions: [Transition] = []
        var lastProblem: String?
    }

    public init(store: HistoryStore, every: Duration = .seconds(5), batchLimit: Int = 20_000) {
        self.store = store
        self.every = every
        self.batchLimit = batchLimit
    }

    public func add(_ sample: RecordedSample) {
        pending.withLock { $0.samples.append(sample) }
    }

    public func add(_ transitions: [Transition]) {
        guard !transitions.isEmpty else { return }
        pending.withLock { $0.transitions.append(contentsOf: transitions) }
    }

    /// Writes every `every` (and prunes now and then) until cancelled, then writes what is left. A write that fails
    /// (a full disk) is posted as `.historyProblem`, once, and nil when one works again.
    public func run(post: @escaping @Sendable (Message) -> Void) async {
        problem.withLock { $0 = { post(.historyProblem($0)) } }
        // The first pruning a minute after the start, away from the first frames.
        var sincePrune = ContinuousClock.now - .seconds(540)
        while !Task.isCancelled {
            if ContinuousClock.now - sincePrune > .seconds(600) {
                sincePrune = ContinuousClock.now
                await onQueue { self.report { () throws(HistoryError) in try self.store.prune(now: Date()) } }
            }
            try? await Task.sleep(for: every)
            await onQueue { self.flush() }
        }
        await onQueue { self.flush() }
    }

    private func onQueue(_ work: @escaping @Sendable () -> Void) async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            queue.async {
                work()
                done.resume()
            }
        }
    }

    /// Writes what waits, now (on the caller's thread).
    public func flush() {
        let (samples, transitions) = pending.withLock { p in
            defer { p.samples = []; p.transitions = [] }
            return (p.samples, p.transitions)
        }
        var start = 0
        repeat {
            let end = min(samples.count, start + batchLimit)
            let part = Array(samples[start..<end])
            let moments = start == 0 ? transitions : []
            report { () throws(HistoryError) in try store.write(samples: part, transitions: moments) }
            start = end
        } while start < samples.count
    }

    private func report(_ body: () throws(HistoryError) -> Void) {
        var text: String?
        do { try body() } catch { text = error.description }
        let changed = pending.withLock { p in
            defer { p.lastProblem = text }
            return p.lastProblem != text
        }
        if changed { problem.withLock { $0 }(text) }
    }
}
