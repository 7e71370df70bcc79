import Foundation

/// One health probe's result.
public struct HealthSample: Sendable, Equatable {
    public var time: Date
    public var ok: Bool
    /// Seconds from request to answer (nil when nothing answered: refused, DNS, timeout).
    public var latency: Double?
    /// The HTTP status, when there was one.
    public var status: Int?
    /// Why it failed, in a few words ("refused", "timeout after 5s", "HTTP 500", "ok:false in body").
    public var reason: String?
    /// The probe never reached a server: the name did not resolve, or there was no route. For a swarm-internal
    /// name this means "cannot be reached from here", not "failing" (see `isSwarmInternal`).
    public var unreachable: Bool
    /// What an OpenClaw gateway's body said of its readiness, when it said anything.
    public var readiness: Readiness?
    /// The way the probe went when not straight from here: "ssh ops@manager". Not kept in the history.
    public var via: String?

    public init(time: Date, ok: Bool, latency: Double? = nil, status: Int? = nil, reason: String? = nil,
                unreachable: Bool = false, readiness: Readiness? = nil, via: String? = nil) {
        self.time = time
        self.ok = ok
        self.latency = latency
        self.status = status
        self.reason = reason
        self.unreachable = unreachable
        self.readiness = readiness
        self.via = via
    }
}

/// A fixed-size ring of an agent's recent samples, oldest first, with the figures the console derives from it.
/// Keyed by agent (not container) by its owner, so it survives container replacement and service updates.
public struct HealthHistory: Sendable, Equatable {
    public let capacity: Int
    private var ring: [StoredSample] = []
    private var head = 0
    /// The failure reasons and readiness answers the ring refers to, each once (an agent has few).
    private var reasons = InternTable<String>()
    private var readinesses = InternTable<Readiness>()
    /// When the current run of ok (or failing) samples began: the time of its first sample.
    public private(set) var streakStart: Date?
    /// Kept as samples come and go, so a frame reads the figures without going through the ring: the ok samples,
    /// and the latencies in order.
    private var okCount = 0
    private var sortedLatencies: [Double] = []

    public init(capacity: Int = 720) {
        self.capacity = min(max(1, capacity), 30_000)
        ring.reserveCapacity(self.capacity)
    }

    public mutating func append(_ sample: HealthSample) {
        if latest?.ok != sample.ok { streakStart = sample.time }
        let stored = StoredSample(sample, reason: intern(sample.reason, in: \.reasons, at: \.reason),
                                  readiness: intern(sample.readiness, in: \.readinesses, at: \.readiness))
        if ring.count < capacity {
            ring.append(stored)
        } else {
            forget(ring[head])
            ring[head] = stored
            head = (head + 1) % capacity
        }
        if sample.ok { okCount += 1 }
        if let latency = sample.latency { sortedLatencies.insert(latency, at: Self.insertionPoint(of: latency, in: sortedLatencies)) }
    }

    private mutating func forget(_ old: StoredSample) {
        if old.ok { okCount -= 1 }
        if let latency = old.latencyValue {
            let i = Self.insertionPoint(of: latency, in: sortedLatencies)
            if i < sortedLatencies.count && sortedLatencies[i] == latency { sortedLatencies.remove(at: i) }
        }
    }

    /// The id of `value` in `table` (0 for none). When the table has many, the values no sample refers to any more
    /// (at `field`) are dropped first: the table never holds more than twice the ring.
    private mutating func intern<Value>(_ value: Value?, in table: WritableKeyPath<HealthHistory, InternTable<Value>>,
                                        at field: WritableKeyPath<StoredSample, UInt16>) -> UInt16 {
        guard let value else { return 0 }
        if let id = self[keyPath: table].id(of: value) { return id }
        if self[keyPath: table].count >= max(512, 2 * capacity) {
            let renumbered = self[keyPath: table].compact(keeping: Set(ring.map { $0[keyPath: field] }))
            for i in ring.indices { ring[i][keyPath: field] = renumbered[ring[i][keyPath: field]] ?? 0 }
        }
        return self[keyPath: table].id(for: value)
    }

    /// The first index whose value is not below `value` (binary search).
    private static func insertionPoint(of value: Double, in sorted: [Double]) -> Int {
        var low = 0, high = sorted.count
        while low < high {
            let mid = (low + high) / 2
            if sorted[mid] < value { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// The current run began before the oldest sample kept (read back from the history on disk): `start` if it is
    /// older than what the ring says.
    public mutating func extendStreak(back start: Date) {
        guard let current = streakStart, start < current, streak?.count == ring.count else { return }
        streakStart = start
    }

    public var count: Int { ring.count }

    /// The stored sample `i` places from the oldest.
    private func stored(_ i: Int) -> StoredSample { ring[(head + i) % ring.count] }

    /// The sample `i` places from the oldest.
    private func sample(_ i: Int) -> HealthSample { stored(i).sample(reasons: reasons, readinesses: readinesses) }

    /// Oldest first.
    public var samples: [HealthSample] { (0..<ring.count).map(sample) }

    public var latest: HealthSample? { ring.isEmpty ? nil : sample(ring.count - 1) }

    /// The last `n` samples, oldest first (for a strip of `n` cells).
    public func recent(_ n: Int) -> [HealthSample] {
        (ring.count - min(max(0, n), ring.count)..<ring.count).map(sample)
    }

    /// Share of ok samples in the window, nil when empty.
    public var availability: Double? {
        guard !ring.isEmpty else { return nil }
        return Double(okCount) / Double(ring.count)
    }

    /// Latency percentile (0…1) over samples that had an answer, nearest-rank.
    public func latencyPercentile(_ p: Double) -> Double? { nearestRank(p, of: sortedLatencies) }

    /// How many of the newest samples agree with the latest one, and whether they are ok.
    public var streak: (count: Int, ok: Bool)? {
        guard !ring.isEmpty else { return nil }
        let last = stored(ring.count - 1)
        var n = 0
        for i in stride(from: ring.count - 1, through: 0, by: -1) {
            guard stored(i).ok == last.ok else { break }
            n += 1
        }
        return (n, last.ok)
    }

    /// Consecutive failures at the end (0 when the latest is ok).
    public var consecutiveFailures: Int { failuresInARow(since: nil) }

    /// Consecutive failures at the end, counting only samples taken at or after `start` (all when nil). Reads the
    /// ring in place: the health rules ask for it for every failing agent in every frame.
    public func failuresInARow(since start: Date?) -> Int {
        let from = start?.timeIntervalSinceReferenceDate ?? -.infinity
        var n = 0
        for i in stride(from: ring.count - 1, through: 0, by: -1) {
            let s = stored(i)
            guard !s.ok && s.time >= from else { break }
            n += 1
        }
        return n
    }

    /// The newest sample in the window whose body told its readiness.
    public var lastReadiness: HealthSample? {
        for i in stride(from: ring.count - 1, through: 0, by: -1) where stored(i).readiness != 0 { return sample(i) }
        return nil
    }

    /// The newest failure in the window.
    public var lastFailure: HealthSample? {
        for i in stride(from: ring.count - 1, through: 0, by: -1) where !stored(i).ok { return sample(i) }
        return nil
    }
}

/// A sample as the ring keeps it, in 24 bytes, a fraction of a HealthSample (whose readiness alone is larger): a
/// thousand agents' 720 samples each take 17 MB.
struct StoredSample: Sendable, Equatable {
    var time: Double
    /// NaN when nothing answered.
    var latency: Double
    /// 0 when there was no HTTP status.
    var status: UInt16
    /// From 1 into the history's reasons and readiness answers; 0 for none.
    var reason: UInt16
    var readiness: UInt16
    private var flags: UInt8

    init(_ s: HealthSample, reason: UInt16, readiness: UInt16) {
        time = s.time.timeIntervalSinceReferenceDate
        latency = s.latency ?? .nan
        status = UInt16(clamping: s.status ?? 0)
        self.reason = reason
        self.readiness = readiness
        flags = (s.ok ? 1 : 0) | (s.unreachable ? 2 : 0)
    }

    var ok: Bool { flags & 1 != 0 }
    var latencyValue: Double? { latency.isNaN ? nil : latency }

    func sample(reasons: InternTable<String>, readinesses: InternTable<Readiness>) -> HealthSample {
        HealthSample(time: Date(timeIntervalSinceReferenceDate: time), ok: ok, latency: latencyValue,
                     status: status == 0 ? nil : Int(status), reason: reasons[reason], unreachable: flags & 2 != 0,
                     readiness: readinesses[readiness])
    }

    static func == (a: StoredSample, b: StoredSample) -> Bool {
        a.time == b.time && a.latency.bitPattern == b.latency.bitPattern && a.status == b.status && a.reason == b.reason
            && a.readiness == b.readiness && a.flags == b.flags
    }
}

/// An agent's health, from the probe's history and Swarm, by the orchestrator's rules.
public enum HealthState: String, Sendable, Equatable, CaseIterable {
    case unknown, starting, healthy, failing, unhealthy, asleep, missing
}

/// The health rules: any 2xx is healthy; failures inside `startupTimeout` of the current task's start mean
/// "starting"; `maxFailures` failures in a row mean unhealthy; fewer mean failing. A service scaled to 0 is asleep
/// (and not probed); a configured agent without a service is missing.
public func healthState(history: HealthHistory, serviceExists: Bool, desiredReplicas: Int, taskStartedAt: Date?,
                        startupTimeout: Double, maxFailures: Int, now: Date) -> HealthState {
    guard serviceExists else { return .missing }
    if desiredReplicas == 0 { return .asleep }
    guard let latest = history.latest else {
        if let started = taskStartedAt, now.timeIntervalSince(started) < startupTimeout { return .starting }
        return .unknown
    }
    if latest.ok { return .healthy }
    if let started = taskStartedAt, now.timeIntervalSince(started) < startupTimeout { return .starting }
    // Only failures since the current task started count toward max_failures.
    return history.failuresInARow(since: taskStartedAt) >= max(1, maxFailures) ? .unhealthy : .failing
}

/// The `p` (0…1) percentile of sorted values, nearest-rank; nil when there are none.
public func nearestRank(_ p: Double, of sorted: [Double]) -> Double? {
    guard !sorted.isEmpty else { return nil }
    let rank = Int((p * Double(sorted.count)).rounded(.up))
    return sorted[min(sorted.count - 1, max(0, rank - 1))]
}
