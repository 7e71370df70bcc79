import Foundation

/// What a service's running replicas consumed together at one reading: what the history of usage is made of.
public struct UsagePoint: Sendable, Equatable {
    /// The service's name (its key in the history on disk).
    public var service: String
    public var time: Date
    /// The working set of its replicas read, in bytes.
    public var memory: Int64
    /// Cores in use; nil until a second reading.
    public var cores: Double?

    public init(service: String, time: Date, memory: Int64, cores: Double?) {
        self.service = service
        self.time = time
        self.memory = memory
        self.cores = cores
    }
}

/// One service's usage over one clock minute: the peak memory of its readings and their mean CPU.
public struct UsageMinute: Sendable, Equatable {
    /// Minutes since 1970.
    public var minute: Int64
    /// The highest working set read in the minute, in bytes.
    public var memory: Int64
    /// The cores of the readings that had a CPU figure, summed, and how many they were.
    public var cpuTotal: Double
    public var cpuReadings: Int

    public init(minute: Int64, memory: Int64, cpuTotal: Double = 0, cpuReadings: Int = 0) {
        self.minute = minute
        self.memory = memory
        self.cpuTotal = cpuTotal
        self.cpuReadings = cpuReadings
    }

    public init(_ point: UsagePoint) {
        self.init(minute: Self.minute(of: point.time), memory: point.memory, cpuTotal: point.cores ?? 0,
                  cpuReadings: point.cores == nil ? 0 : 1)
    }

    /// The mean cores in use over the minute's readings.
    public var cores: Double? { cpuReadings > 0 ? cpuTotal / Double(cpuReadings) : nil }

    public var start: Date { Date(timeIntervalSince1970: Double(minute) * 60) }

    public static func minute(of time: Date) -> Int64 { Int64((time.timeIntervalSince1970 / 60).rounded(.down)) }

    /// Both minutes' readings as one.
    public mutating func merge(_ other: UsageMinute) {
        memory = max(memory, other.memory)
        cpuTotal += other.cpuTotal
        cpuReadings += other.cpuReadings
    }
}

/// A service's usage minute by minute over the last hours, oldest first: what the details draw as a strip.
public struct UsageHistory: Sendable, Equatable {
    public private(set) var minutes: [UsageMinute] = []

    /// The hours kept in memory (and read from the history on disk at the start).
    public static let hours = 6
    static var kept: Int { hours * 60 }

    public init(minutes: [UsageMinute] = []) {
        for minute in minutes.sorted(by: { $0.minute < $1.minute }) { add(minute) }
    }

    public mutating func add(_ point: UsagePoint) {
        add(UsageMinute(point))
    }

    /// Adds a minute's readings: to its minute when that is the newest or is held, else in its place.
    mutating func add(_ minute: UsageMinute) {
        if let last = minutes.last, last.minute <= minute.minute {
            if last.minute == minute.minute { minutes[minutes.count - 1].merge(minute) } else { minutes.append(minute) }
        } else if let i = minutes.firstIndex(where: { $0.minute >= minute.minute }) {
            if minutes[i].minute == minute.minute { minutes[i].merge(minute) } else { minutes.insert(minute, at: i) }
        } else {
            minutes.append(minute)
        }
        if let newest = minutes.last?.minute, let first = minutes.first?.minute, newest - first >= Int64(Self.kept) {
            minutes.removeAll { $0.minute <= newest - Int64(Self.kept) }
        }
    }

    /// The highest memory read since `time`, if any was.
    public func peakMemory(since time: Date) -> Int64? {
        let from = UsageMinute.minute(of: time)
        return minutes.reversed().prefix { $0.minute >= from }.map(\.memory).max()
    }

    /// The peak memory of each span of `minutesEach` minutes, `count` of them ending with the minute of `now`,
    /// oldest first; nil where nothing was read.
    public func peaks(count: Int, minutesEach: Int, now: Date) -> [Int64?] {
        guard count > 0, minutesEach > 0 else { return [] }
        let last = UsageMinute.minute(of: now), first = last - Int64(count * minutesEach) + 1
        var cells = [Int64?](repeating: nil, count: count)
        for m in minutes where m.minute >= first && m.minute <= last {
            let i = Int(m.minute - first) / minutesEach
            cells[i] = max(cells[i] ?? 0, m.memory)
        }
        return cells
    }
}

extension FleetState {
    /// How many usage points wait for the history on disk before the oldest go (a swarm shown no more).
    static let usageWaitingKept = 10_000

    /// What the services with containers on `node` consume now (the node's readings just applied): a minute of
    /// their history, and a point for the history on disk.
    mutating func noteUsage(of serviceIDs: Set<String>, at time: Date) {
        let (names, down) = (nodeNames, downNodes)
        for id in serviceIDs.sorted() {
            guard let service = services[id], let used = usage(of: service, nodeNames: names, downNodes: down),
                  used.replicas > 0 else { continue }
            let point = UsagePoint(service: service.name, time: time, memory: used.memory, cores: used.cores)
            usageHistory[service.name, default: UsageHistory()].add(point)
            usageToRecord.append(point)
        }
        if usageToRecord.count > Self.usageWaitingKept { usageToRecord.removeFirst(usageToRecord.count - Self.usageWaitingKept) }
    }

    /// The points for the history on disk since the last call.
    public mutating func takeUsageToRecord() -> [UsagePoint] {
        defer { usageToRecord = [] }
        return usageToRecord
    }

    /// Puts the minutes read from the history on disk under those seen since the start.
    mutating func loadPastUsage(_ past: [String: [UsageMinute]]) {
        for (service, minutes) in past {
            var history = UsageHistory(minutes: minutes)
            for minute in usageHistory[service]?.minutes ?? [] { history.add(minute) }
            usageHistory[service] = history
        }
    }
}
