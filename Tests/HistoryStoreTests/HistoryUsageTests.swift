import ClawtopCore
import Foundation
import HistoryStore
import Testing

func usagePoint(_ service: String, _ secondsAgo: Double, _ mebibytes: Int64, cores: Double? = nil) -> UsagePoint {
    UsagePoint(service: service, time: now.addingTimeInterval(-secondsAgo), memory: mebibytes << 20, cores: cores)
}

/// The usage kept in the history: a minute per service, its peak memory and mean CPU, read back for the hours the
/// details show, dropped with the retention.
struct HistoryUsageTests {
    @Test func aMinuteOnDiskKeepsItsPeakAndItsCPUReadingsAcrossBatches() throws {
        let scratch = Scratch()
        let store = try HistoryStore(path: scratch.path)
        try store.write(samples: [], transitions: [], usage: [usagePoint("svc", 50, 10, cores: 0.5), usagePoint("svc", 40, 30, cores: 0.1)])
        try store.write(samples: [], transitions: [], usage: [usagePoint("svc", 30, 20, cores: 0.3), usagePoint("other", 30, 1)])
        // Outside the hours read back.
        try store.write(samples: [], transitions: [], usage: [usagePoint("svc", Double(UsageHistory.hours) * 3_600 + 120, 99)])
        let past = try store.loadPast(capacity: 10, now: now)
        let minute = try #require(past.usage["svc"]?.last)
        #expect(past.usage["svc"]?.count == 1)
        #expect(minute.memory == 30 << 20 && minute.cpuReadings == 3 && abs((minute.cores ?? 0) - 0.3) < 1e-9)
        #expect(past.usage["other"]?.first?.memory == 1 << 20 && past.usage["other"]?.first?.cores == nil)
        // A service's name is no agent's probe: it brings no URL and no samples.
        #expect(past.samples.isEmpty && past.urls.values.allSatisfy(\.isEmpty))
    }

    @Test func theRetentionDropsOldUsage() throws {
        let scratch = Scratch()
        let store = try HistoryStore(path: scratch.path, retention: 3_600)
        try store.write(samples: [], transitions: [], usage: [usagePoint("svc", 7_200, 50), usagePoint("svc", 60, 5)])
        try store.prune(now: now)
        let past = try store.loadPast(capacity: 10, now: now)
        #expect(past.usage["svc"]?.map(\.memory) == [5 << 20])
    }

    @Test func theWriterWritesUsageWithItsBatch() throws {
        let scratch = Scratch()
        let store = try HistoryStore(path: scratch.path)
        let writer = HistoryWriter(store: store)
        writer.add([usagePoint("svc", 10, 7)])
        #expect(writer.waiting == 1)
        writer.flush()
        #expect(writer.waiting == 0)
        #expect(try store.loadPast(capacity: 10, now: now).usage["svc"]?.first?.memory == 7 << 20)
    }
}

extension HistoryFaultTests {
    /// A file from before usage was kept: a reader reads it as it is; the writer adds the table, and the rest stays.
    @Test func aHistoryFromBeforeUsageIsReadThenMigrated() throws {
        let scratch = Scratch()
        try filledHistory(scratch.path)
        try python(scratch.path, "DROP TABLE usage; DELETE FROM grdb_migrations WHERE identifier = 'v2'")
        let reading = HistoryStore.open(path: scratch.path, as: .reader)
        let old = try #require(reading.store)
        #expect(reading.notice == nil && reading.fault == nil)
        let past = try old.loadPast(capacity: 1_000, now: now)
        #expect(past.usage.isEmpty && past.samples["a"]?.count == 400)

        let opening = HistoryStore.open(path: scratch.path, as: .writer, now: now)
        let store = try #require(opening.store)
        #expect(opening.notice == nil && !store.isReadOnly)
        try store.write(samples: [], transitions: [], usage: [usagePoint("svc", 10, 3)])
        let migrated = try store.loadPast(capacity: 1_000, now: now)
        #expect(migrated.usage["svc"]?.first?.memory == 3 << 20 && migrated.samples["a"]?.count == 400)
        #expect(try python(scratch.path, "SELECT identifier FROM grdb_migrations ORDER BY identifier") == "v1\nv2\n")
    }
}
