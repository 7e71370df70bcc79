import ClawtopCore
import FleetSource
import Foundation
import Synchronization

/// Probes each agent's health URL on its own interval, in the background.
///
/// - Start times are spread: each agent has a fixed phase within its interval (from a hash of its name), so many
///   agents on one interval do not fire at once. The probes due within the next second (at most a quarter of their
///   interval early) start together, so that fifty agents on 10 s wake the process once a second, not five times.
///   The first round is spread over at most two seconds, so the console has data soon after it starts.
/// - At most `maxConcurrent` probes run at once; an agent is never probed twice at the same time, and a probe's
///   timeout never exceeds its interval, so a hanging endpoint holds one slot and delays no other agent.
/// - Rounds missed while a probe was still running (or slots were full) are skipped, not made up in a burst.
public final class HealthScheduler: Sendable {
    public let prober: any HealthProbing
    public let maxConcurrent: Int
    /// Told of each probe as it starts, with how late it starts against its schedule (for the benchmark).
    private let onLaunch: (@Sendable (_ agent: String, _ late: Duration) -> Void)?
    private let state = Mutex(State())

    struct Entry {
        var target: ProbeTarget
        var due: ContinuousClock.Instant
        /// Where the agent's steady-state rounds fall: `anchor + k × interval`.
        var anchor: ContinuousClock.Instant
    }

    struct State {
        var entries: [String: Entry] = [:]
        var heap = DueHeap()
        var inFlight: Set<String> = []
        var running = 0
        /// A due probe waits for a free slot: wake the loop when one frees.
        var starved = false
        var poked = false
        var sleeper: Task<Void, Never>?
    }

    public init(prober: any HealthProbing, maxConcurrent: Int = 256,
                onLaunch: (@Sendable (_ agent: String, _ late: Duration) -> Void)? = nil) {
        self.prober = prober
        self.maxConcurrent = max(1, maxConcurrent)
        self.onLaunch = onLaunch
    }

    /// The agents to probe from now on. Agents already scheduled keep their phase; new ones start within
    /// `min(interval, 2 s)`; agents no longer listed stop (a probe in flight finishes, and its result is dropped).
    public func setTargets(_ targets: [ProbeTarget]) {
        let now = ContinuousClock.now
        let changed = state.withLock { s -> Bool in
            let old = s.entries
            var next: [String: Entry] = [:]
            for t in targets {
                if var e = old[t.agent], e.target.interval == t.interval {
                    e.target = t
                    next[t.agent] = e
                } else {
                    let phase = Self.phase(of: t.agent)
                    let first = now + .seconds(phase * min(t.interval, 2))
                    next[t.agent] = Entry(target: t, due: first, anchor: now + .seconds(phase * t.interval))
                }
            }
            guard next.mapValues(\.target) != old.mapValues(\.target) else { return false }
            s.entries = next
            s.heap = DueHeap(next.map { ($0.value.due, $0.key) })
            return true
        }
        if changed { poke() }
    }

    /// Probes on schedule until cancelled; each result goes to `post` as a `.probe` message.
    public func run(post: @escaping @Sendable (Message) -> Void) async {
        await withTaskCancellationHandler {
            await withDiscardingTaskGroup { group in
                while !Task.isCancelled {
                    let now = ContinuousClock.now
                    let (launch, wake) = nextBatch(now: now)
                    for (target, due) in launch {
                        onLaunch?(target.agent, max(.zero, now - due))
                        group.addTask {
                            let sample = await self.prober.probe(target)
                            self.finished(target, sample: sample, post: post)
                        }
                    }
                    await sleep(until: wake)
                }
            }
        } onCancel: {
            poke()
        }
    }

    /// One probe of every target, at most `maxConcurrent` at a time: what `snapshot` draws after.
    public func probeOnce(_ targets: [ProbeTarget]) async -> [Message] {
        await withTaskGroup(of: Message.self) { group in
            var results: [Message] = []
            var pending = targets[...]
            func launch() {
                guard let t = pending.popFirst() else { return }
                group.addTask {
                    .probe(agent: t.agent, url: t.url, sample: await self.prober.probe(t))
                }
            }
            for _ in 0..<min(maxConcurrent, targets.count) { launch() }
            while let message = await group.next() {
                results.append(message)
                launch()
            }
            return results
        }
    }

    // MARK: - The loop

    /// Takes the probes that are due (as many as slots allow) and says when to look again (nil: when poked).
    private func nextBatch(now: ContinuousClock.Instant) -> ([(ProbeTarget, ContinuousClock.Instant)], ContinuousClock.Instant?) {
        state.withLock { s in
            s.poked = false
            s.starved = false
            var launch: [(ProbeTarget, ContinuousClock.Instant)] = []
            while let top = s.heap.peek {
                guard var e = s.entries[top.agent], e.due == top.due else {
                    s.heap.pop() // stale: the agent was removed or rescheduled
                    continue
                }
                // Probes due a little later start with these: one wake-up of the loop (and of the threads a probe
                // runs on) for several probes. At most a quarter of the probe's interval early, so that the next
                // round still falls on its anchor.
                guard top.due <= now + .seconds(min(Self.launchWindow, e.target.interval / 4)) else { break }
                if !s.inFlight.contains(top.agent) {
                    guard s.running < maxConcurrent else {
                        s.starved = true
                        return (launch, nil)
                    }
                    s.running += 1
                    s.inFlight.insert(top.agent)
                    launch.append((e.target, top.due))
                }
                s.heap.pop()
                e.due = Self.nextRound(after: now, anchor: e.anchor, interval: e.target.interval)
                s.entries[top.agent] = e
                s.heap.push((e.due, top.agent))
            }
            return (launch, s.heap.peek?.due)
        }
    }

    private func finished(_ target: ProbeTarget, sample: HealthSample, post: @Sendable (Message) -> Void) {
        let (current, wake) = state.withLock { s in
            s.running -= 1
            s.inFlight.remove(target.agent)
            return (s.entries[target.agent]?.target.url == target.url, s.starved)
        }
        if current && !Task.isCancelled { post(.probe(agent: target.agent, url: target.url, sample: sample)) }
        if wake { poke() }
    }

    private func sleep(until wake: ContinuousClock.Instant?) async {
        let deadline = wake ?? ContinuousClock.now + .seconds(3600)
        let sleeper = Task<Void, Never> { _ = try? await Task.sleep(until: deadline, clock: .continuous) }
        let poked = state.withLock { s in
            if s.poked { return true }
            s.sleeper = sleeper
            return false
        }
        if poked || Task.isCancelled { sleeper.cancel() }
        await sleeper.value
        state.withLock { $0.sleeper = nil }
    }

    /// Wakes the loop: targets changed, a slot freed, or the scheduler is being cancelled.
    private func poke() {
        state.withLock { s in
            s.poked = true
            s.sleeper?.cancel()
        }
    }

    /// How much earlier than due a probe may start, with others that are due now.
    static let launchWindow = 1.0

    /// The first steady-state round at least half an interval after `now`.
    static func nextRound(after now: ContinuousClock.Instant, anchor: ContinuousClock.Instant,
                          interval: Double) -> ContinuousClock.Instant {
        let elapsed = (now - anchor) / .seconds(interval) + 0.5
        let k = max(0, (elapsed).rounded(.down) + 1)
        return anchor + .seconds(k * interval)
    }

    /// A fraction in [0, 1) fixed for a name (FNV-1a), so an agent keeps its place in the interval across runs.
    static func phase(of name: String) -> Double {
        Double(stableHash(name) % 1_000_003) / 1_000_003
    }
}

/// A binary min-heap of (due time, agent): the scheduler's queue.
struct DueHeap {
    private var items: [(due: ContinuousClock.Instant, agent: String)] = []

    init(_ elements: [(ContinuousClock.Instant, String)] = []) {
        for e in elements { push(e) }
    }

    var peek: (due: ContinuousClock.Instant, agent: String)? { items.first }
    var count: Int { items.count }

    mutating func push(_ e: (ContinuousClock.Instant, String)) {
        items.append((e.0, e.1))
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard items[i].due < items[parent].due else { break }
            items.swapAt(i, parent)
            i = parent
        }
    }

    @discardableResult
    mutating func pop() -> (due: ContinuousClock.Instant, agent: String)? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let top = items.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < items.count && items[l].due < items[m].due { m = l }
            if r < items.count && items[r].due < items[m].due { m = r }
            guard m != i else { break }
            items.swapAt(i, m)
            i = m
        }
        return top
    }
}
