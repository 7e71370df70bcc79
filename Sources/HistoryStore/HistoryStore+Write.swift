import ClawtopCore
import Foundation
import GRDB

/// A probe's result as the history keeps it: the agent (or `agent#replica`) it belongs to and the URL probed.
public struct RecordedSample: Sendable, Equatable {
    public var key: String
    public var url: String
    public var sample: HealthSample

    public init(key: String, url: String, sample: HealthSample) {
        self.key = key
        self.url = url
        self.sample = sample
    }
}

extension HistoryStore {
    /// Writes a batch in one transaction: the samples, their hours' figures, the transitions and the usage read
    /// (added to its minutes). All or nothing.
    public func write(samples: [RecordedSample], transitions: [Transition], usage: [UsagePoint] = []) throws(HistoryError) {
        guard !samples.isEmpty || !transitions.isEmpty || !usage.isEmpty else { return }
        try write { db in
            var ids: [String: Int64] = [:]
            let agent = try db.cachedStatement(sql: """
                INSERT INTO agent (key, url) VALUES (?, ?)
                ON CONFLICT (key) DO UPDATE SET url = excluded.url WHERE url != excluded.url
                """)
            let agentID = try db.cachedStatement(sql: "SELECT id FROM agent WHERE key = ?")
            for s in samples where ids[s.key] == nil {
                try agent.execute(arguments: [s.key, s.url])
                ids[s.key] = try Int64.fetchOne(agentID, arguments: [s.key])
            }
            try Self.addUsage(usage, in: db)
            // Two consoles may write the same probe result at the same millisecond: the first stands.
            let insert = try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO sample (agent, time, ok, latency, status, reason, unreachable) VALUES (?, ?, ?, ?, ?, ?, ?)
                """)
            var hours: [HourKey: HourFigures] = [:]
            for s in samples {
                guard let id = ids[s.key] else { continue }
                let x = s.sample
                let ms = x.time.millis
                try insert.execute(arguments: [id, ms, x.ok, x.latency.map { Int64(($0 * 1e6).rounded()) }, x.status,
                                               x.reason, x.unreachable])
                hours[HourKey(agent: id, hour: ms / 3_600_000), default: HourFigures()].add(x)
            }
            try Self.addHours(hours, in: db)
            let transition = try db.cachedStatement(sql: """
                INSERT INTO transition (time, agent, "from", "to", reason, actor) VALUES (?, ?, ?, ?, ?, ?)
                """)
            for t in transitions {
                try transition.execute(arguments: [t.time.millis, t.agent, t.from.rawValue, t.to.rawValue, t.reason, t.actor])
            }
        }
    }

    /// Adds the usage read to its services' minutes: the higher memory, the CPU readings summed.
    static func addUsage(_ points: [UsagePoint], in db: Database) throws {
        guard !points.isEmpty else { return }
        var minutes: [UsageKey: UsageMinute] = [:]
        for point in points {
            let minute = UsageMinute(point)
            minutes[UsageKey(service: point.service, minute: minute.minute), default: UsageMinute(minute: minute.minute, memory: 0)]
                .merge(minute)
        }
        // A service's usage goes under its name, with no URL (a probe's row sets one; this never clears it).
        let service = try db.cachedStatement(sql: "INSERT INTO agent (key) VALUES (?) ON CONFLICT (key) DO NOTHING")
        let serviceID = try db.cachedStatement(sql: "SELECT id FROM agent WHERE key = ?")
        let add = try db.cachedStatement(sql: """
            INSERT INTO usage (agent, minute, memory, cpu, cpu_readings) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (agent, minute) DO UPDATE SET memory = max(memory, excluded.memory), cpu = cpu + excluded.cpu,
                cpu_readings = cpu_readings + excluded.cpu_readings
            """)
        var ids: [String: Int64] = [:]
        for (key, m) in minutes {
            if ids[key.service] == nil {
                try service.execute(arguments: [key.service])
                ids[key.service] = try Int64.fetchOne(serviceID, arguments: [key.service])
            }
            guard let id = ids[key.service] else { continue }
            try add.execute(arguments: [id, m.minute, m.memory, m.cpuTotal, m.cpuReadings])
        }
    }

    /// Adds a batch's figures to those of their hours, one statement each.
    static func addHours(_ hours: [HourKey: HourFigures], in db: Database) throws {
        let add = try db.cachedStatement(sql: """
            INSERT INTO hourly (agent, hour, samples, ok, latencies) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (agent, hour) DO UPDATE SET samples = samples + excluded.samples, ok = ok + excluded.ok,
                latencies = clawtop_merge_latencies(latencies, excluded.latencies)
            """)
        for (key, figures) in hours {
            try add.execute(arguments: [key.agent, key.hour, figures.samples, figures.ok, figures.latencies.text])
        }
    }
}

struct UsageKey: Hashable {
    var service: String
    var minute: Int64
}

struct HourKey: Hashable {
    var agent: Int64
    var hour: Int64
}

/// One agent's probes in one clock hour.
struct HourFigures {
    var samples = 0
    var ok = 0
    var latencies = LatencyBuckets()

    mutating func add(_ sample: HealthSample) {
        samples += 1
        if sample.ok { ok += 1 }
        if let latency = sample.latency { latencies.add(latency) }
    }
}
