import ClawtopCore
import Foundation
import GRDB

extension HistoryStore {
    /// What the console needs to start as if it had been running: each agent's newest `capacity` samples, when its
    /// current run of ok (or failing) samples began if that is older, the newest `transitions` transitions, and each
    /// service's usage over the last `UsageHistory.hours` before `now`.
    public func loadPast(capacity: Int, transitions kept: Int = FleetState.timelineKept,
                         now: Date = Date()) throws(HistoryError) -> PastHistory {
        try read { db in
            var past = PastHistory()
            let newest = try db.cachedStatement(sql: """
                SELECT time, ok, latency, status, reason, unreachable FROM sample WHERE agent = ? ORDER BY time DESC LIMIT ?
                """)
            for agent in try Row.fetchAll(db, sql: "SELECT id, key, url FROM agent") {
                let id: Int64 = agent[0], key: String = agent[1]
                past.urls[key] = agent[2]
                let samples = try Row.fetchAll(newest, arguments: [id, capacity]).reversed().map { Self.sample($0) }
                guard let latest = samples.last else { continue }
                past.samples[key] = samples
                if samples.count == capacity, samples.allSatisfy({ $0.ok == latest.ok }),
                   let start = try Self.streakStart(of: id, ok: latest.ok, in: db) {
                    past.streakStarts[key] = start
                }
            }
            past.transitions = try Row.fetchAll(db, sql: """
                SELECT time, agent, "from", "to", reason, actor FROM transition ORDER BY time DESC, id DESC LIMIT ?
                """, arguments: [kept]).reversed().compactMap(Self.transition)
            past.usage = try Self.usage(since: now.addingTimeInterval(-Double(UsageHistory.hours) * 3_600), in: db)
            return past
        }
    }

    /// Each service's usage minutes since `time`, oldest first, by service name (none in a file from before usage
    /// was kept).
    static func usage(since time: Date, in db: Database) throws -> [String: [UsageMinute]] {
        guard try db.tableExists("usage") else { return [:] }
        let minutes = try db.cachedStatement(sql: """
            SELECT minute, memory, cpu, cpu_readings FROM usage WHERE agent = ? AND minute >= ? ORDER BY minute
            """)
        var result: [String: [UsageMinute]] = [:]
        for agent in try Row.fetchAll(db, sql: "SELECT id, key FROM agent") {
            let rows = try Row.fetchAll(minutes, arguments: [agent[0] as Int64, UsageMinute.minute(of: time)])
            guard !rows.isEmpty else { continue }
            result[agent[1]] = rows.map { UsageMinute(minute: $0[0], memory: $0[1], cpuTotal: $0[2], cpuReadings: $0[3]) }
        }
        return result
    }

    /// When the agent's newest run of samples that are all `ok` (or all failing) began. The hours' figures say in
    /// which hour the last sample of the other kind is, so only that hour's samples are read.
    static func streakStart(of agent: Int64, ok: Bool, in db: Database) throws -> Date? {
        let other = ok ? "ok < samples" : "ok > 0"
        let breakTime: Int64?
        if let hour = try Int64.fetchOne(db, sql: "SELECT max(hour) FROM hourly WHERE agent = ? AND \(other)", arguments: [agent]) {
            breakTime = try Int64.fetchOne(db, sql: """
                SELECT max(time) FROM sample WHERE agent = ? AND time >= ? AND time < ? AND ok != ?
                """, arguments: [agent, hour * 3_600_000, (hour + 1) * 3_600_000, ok])
        } else {
            breakTime = nil
        }
        let start = try Int64.fetchOne(db, sql: "SELECT min(time) FROM sample WHERE agent = ? AND time > ?",
                                       arguments: [agent, breakTime ?? Int64.min])
        return start.map(Date.init(millis:))
    }

    /// Each agent's figures over the last hour (from its samples), day and week (from its hours' figures; the
    /// oldest hour counts whole).
    public func windows(now: Date) throws(HistoryError) -> [String: HealthWindows] {
        try read { db in
            let hourAgo = now.addingTimeInterval(-3_600).millis
            let nowHour = now.millis / 3_600_000
            let lastHour = try db.cachedStatement(sql: "SELECT ok, latency FROM sample WHERE agent = ? AND time >= ?")
            let hours = try db.cachedStatement(sql: "SELECT hour, samples, ok, latencies FROM hourly WHERE agent = ? AND hour > ?")
            var result: [String: HealthWindows] = [:]
            for agent in try Row.fetchAll(db, sql: "SELECT id, key FROM agent") {
                let id: Int64 = agent[0], key: String = agent[1]
                var hour = WindowFigures()
                var latencies: [Double] = []
                for row in try Row.fetchAll(lastHour, arguments: [id, hourAgo]) {
                    hour.samples += 1
                    if row[0] as Bool { hour.ok += 1 }
                    if let micros = row[1] as Int64? { latencies.append(Double(micros) / 1e6) }
                }
                hour.p95 = nearestRank(0.95, of: latencies.sorted())
                var day = HourFigures(), week = HourFigures()
                for row in try Row.fetchAll(hours, arguments: [id, nowHour - 168]) {
                    let h: Int64 = row[0]
                    let figures = HourFigures(samples: row[1], ok: row[2], latencies: LatencyBuckets(text: row[3]))
                    if h > nowHour - 24 { day.merge(figures) }
                    week.merge(figures)
                }
                guard hour.samples + week.samples > 0 else { continue }
                result[key] = HealthWindows(hour: hour, day: day.window, week: week.window)
            }
            return result
        }
    }

    /// Where each agent's samples end now: a follower reads what comes after.
    public func endOfSamples() throws(HistoryError) -> SampleCursor {
        try read { db in
            var cursor = SampleCursor()
            let last = try db.cachedStatement(sql: "SELECT max(time) FROM sample WHERE agent = ?")
            for agent in try Int64.fetchAll(db, sql: "SELECT id FROM agent") {
                cursor.last[agent] = try Int64.fetchOne(last, arguments: [agent]) ?? Int64.min
            }
            return cursor
        }
    }

    /// The samples written after `cursor`, each agent's oldest first, and the cursor moved past them: how a console
    /// follows a recorder. An agent's samples come in time order (it is never probed twice at once).
    public func samples(after cursor: inout SampleCursor) throws(HistoryError) -> [RecordedSample] {
        let (samples, moved) = try read { db -> ([RecordedSample], SampleCursor) in
            var moved = cursor
            var samples: [RecordedSample] = []
            let newer = try db.cachedStatement(sql: """
                SELECT time, ok, latency, status, reason, unreachable FROM sample WHERE agent = ? AND time > ? ORDER BY time
                """)
            for agent in try Row.fetchAll(db, sql: "SELECT id, key, url FROM agent") {
                let id: Int64 = agent[0]
                for row in try Row.fetchAll(newer, arguments: [id, cursor.last[id] ?? Int64.min]) {
                    moved.last[id] = row[0]
                    samples.append(RecordedSample(key: agent[1], url: agent[2], sample: Self.sample(row)))
                }
            }
            return (samples, moved)
        }
        cursor = moved
        return samples
    }

    static func sample(_ row: Row, from i: Int = 0) -> HealthSample {
        HealthSample(time: Date(millis: row[i]), ok: row[i + 1], latency: (row[i + 2] as Int64?).map { Double($0) / 1e6 },
                     status: row[i + 3], reason: row[i + 4], unreachable: row[i + 5])
    }

    static func transition(_ row: Row) -> Transition? {
        guard let from = TimelineState(rawValue: row[2]), let to = TimelineState(rawValue: row[3]) else { return nil }
        return Transition(time: Date(millis: row[0]), agent: row[1], from: from, to: to, reason: row[4], actor: row[5])
    }
}

/// Where a follower has read each agent's samples to (by the agent's row id, its newest sample's time).
public struct SampleCursor: Sendable, Equatable {
    var last: [Int64: Int64] = [:]
}


extension HourFigures {
    mutating func merge(_ other: HourFigures) {
        samples += other.samples
        ok += other.ok
        latencies.merge(other.latencies)
    }

    var window: WindowFigures { WindowFigures(samples: samples, ok: ok, p95: latencies.percentile(0.95)) }
}
