import ClawtopCore
import Foundation
import HistoryStore
import Testing

/// A database file in a directory of its own, removed after.
final class Scratch {
    let directory = NSTemporaryDirectory() + "clawtop-history-\(UUID().uuidString.prefix(8))"
    var path: String { directory + "/swarm.sqlite" }
    deinit { try? FileManager.default.removeItem(atPath: directory) }
}

let now = Date(timeIntervalSince1970: 1_795_545_600)  // on the hour

func sample(_ key: String, _ secondsAgo: Double, ok: Bool = true, latency: Double? = 0.02) -> RecordedSample {
    RecordedSample(key: key, url: "http://127.0.0.1:1/health",
                   sample: HealthSample(time: now.addingTimeInterval(-secondsAgo), ok: ok, latency: ok ? latency : nil,
                                        status: ok ? 200 : 500, reason: ok ? nil : "HTTP 500"))
}

struct HistoryStoreTests {
    @Test func whatIsWrittenIsReadBackNewestLastWithTheStartOfALongStreak() throws {
        let scratch = Scratch()
        let store = try HistoryStore(path: scratch.path)
        // a: failed 2 h ago, ok every 10 s since; b: one failure.
        var batch = [sample("a", 7_210, ok: false)]
        batch += stride(from: 7_200.0, through: 0, by: -10).map { sample("a", $0) }
        batch.append(sample("b", 30, ok: false))
        try store.write(samples: batch, transitions: [Transition(time: now.addingTimeInterval(-7_200), agent: "a", from: .unhealthy, to: .healthy)])
        let past = try store.loadPast(capacity: 5)
        #expect(past.samples["a"]?.map(\.time) == (0..<5).reversed().map { now.addingTimeInterval(-Double($0) * 10) })
        #expect(past.samples["b"]?.first?.reason == "HTTP 500" && past.samples["b"]?.first?.status == 500)
        #expect(past.samples["a"]?.last?.latency == 0.02)
        #expect(past.streakStarts["a"] == now.addingTimeInterval(-7_200))
        #expect(past.streakStarts["b"] == nil, "one sample: the ring holds the whole streak")
        #expect(past.transitions.map(\.to) == [.healthy] && past.urls["a"] == "http://127.0.0.1:1/health")
        #expect(try store.integrityCheck() == "ok")
    }

    @Test func theWindowsCountTheLastHourDayAndWeek() throws {
        let scratch = Scratch()
        let store = try HistoryStore(path: scratch.path)
        // The last hour: 9 ok at 20 ms, 1 failure. Two days ago: 10 failures. Three hours ago: 10 ok at 1 s.
        var batch = (1...9).map { sample("a", Double($0) * 60) } + [sample("a", 600, ok: false)]
        batch += (0..<10).map { sample("a", 2 * 86_400 + Double($0), ok: false) }
        batch += (0..<10).map { sample("a", 3 * 3_600 + Double($0), latency: 1.0) }
        try store.write(samples: batch, transitions: [])
        let w = try #require(try store.windows(now: now)["a"])
        #expect(w.hour.samples == 10 && w.hour.ok == 9 && w.hour.p95 == 0.02)
        #expect(w.day.samples == 20 && w.day.ok == 19)
        #expect(w.week.samples == 30 && w.week.ok == 19)
        // Half the day's answers took 1 s: its p95 is the bucket that holds 1 s (a quarter wide at most).
        let p95 = try #require(w.day.p95)
        #expect(p95 >= 1.0 && p95 < 1.25)
    }

    @Test func retentionDropsOldSamplesHoursAndTransitions() throws {
        let scratch = Scratch()
        let store = try HistoryStore(path: scratch.path, retention: 3_600)
        try store.write(samples: [sample("a", 7_200), sample("a", 60)],
                        transitions: [Transition(time: now.addingTimeInterval(-7_200), agent: "a", from: .healthy, to: .failing),
                                      Transition(time: now.addingTimeInterval(-60), agent: "a", from: .failing, to: .healthy)])
        try store.prune(now: now)
        let past = try store.loadPast(capacity: 100)
        #expect(past.samples["a"]?.count == 1 && past.transitions.count == 1)
        #expect(try store.windows(now: now)["a"]?.week.samples == 1)
    }

    @Test func theSizeIsBoundedByDroppingTheOldestHours() throws {
        let scratch = Scratch()
        let store = try HistoryStore(path: scratch.path, maxBytes: 1 << 20)
        // 20 agents every 10 s for 6 hours: about 2 MiB.
        for hour in 0..<6 {
            var batch: [RecordedSample] = []
            for i in 0..<360 {
                let secondsAgo = Double((6 - hour) * 3_600 - i * 10)
                for agent in 0..<20 { batch.append(sample("agent-\(agent)", secondsAgo)) }
            }
            try store.write(samples: batch, transitions: [])
        }
        try store.prune(now: now)
        let past = try store.loadPast(capacity: 100_000)
        let kept = try #require(past.samples["agent-0"])
        #expect(kept.count < 2_160, "the oldest hours went")
        #expect(kept.last?.time == now.addingTimeInterval(-10), "the newest stayed")
        // What the file holds in use is back under the bound (freed pages are reused, not returned).
        #expect(try store.usedBytes() <= 1 << 20)
    }

    /// A batch torn in the middle of its write (the last frames of the journal cut short, as a crash or a power cut
    /// leaves them): the file opens, is whole, and only that batch is lost.
    @Test func aTornLastWriteLosesThatBatchOnly() throws {
        let scratch = Scratch()
        let store = try HistoryStore(path: scratch.path)
        try store.write(samples: (0..<100).map { sample("a", Double(1_000 + $0)) }, transitions: [])
        let walBefore = try #require(try FileManager.default.attributesOfItem(atPath: scratch.path + "-wal")[.size] as? Int)
        try store.write(samples: (0..<100).map { sample("a", Double($0)) }, transitions: [])
        // A copy of the file and its journal as they are on disk now, the journal cut inside the second batch.
        let copy = scratch.directory + "/copy.sqlite"
        try FileManager.default.copyItem(atPath: scratch.path, toPath: copy)
        let wal = try Data(contentsOf: URL(fileURLWithPath: scratch.path + "-wal"))
        #expect(wal.count > walBefore)
        try wal.prefix(walBefore + (wal.count - walBefore) / 2).write(to: URL(fileURLWithPath: copy + "-wal"))
        let reopened = try HistoryStore(path: copy)
        #expect(try reopened.integrityCheck() == "ok")
        let past = try reopened.loadPast(capacity: 1_000)
        #expect(past.samples["a"]?.count == 100)
        #expect(past.samples["a"]?.last?.time == now.addingTimeInterval(-1_000))
    }

    @Test func oneRecorderHoldsTheLeaseUntilItStopsOrGoesSilent() throws {
        let scratch = Scratch()
        let store = try HistoryStore(path: scratch.path)
        let report = StatusReport(rows: [], endpoint: "test", now: now)
        #expect(try store.claimRecorder(pid: 10, host: "mgr1", now: now) == nil)
        #expect(try store.beat(pid: 10, host: "mgr1", now: now, status: report))
        #expect(try store.liveRecorder(now: now)?.description == "10@mgr1")
        #expect(HistoryStore.recorderStatus(path: scratch.path, now: now)?.report.endpoint == "test")
        // A second recorder is told who holds it.
        #expect(try store.claimRecorder(pid: 11, host: "mgr1", now: now.addingTimeInterval(5))?.pid == 10)
        // Silent too long: gone, and the second takes over; the first learns it at its next beat.
        let later = now.addingTimeInterval(HistoryStore.staleAfter + 1)
        #expect(try store.liveRecorder(now: later) == nil && HistoryStore.recorderStatus(path: scratch.path, now: later) == nil)
        #expect(try store.claimRecorder(pid: 11, host: "mgr1", now: later) == nil)
        #expect(try !store.beat(pid: 10, host: "mgr1", now: later, status: report))
        try store.releaseRecorder(pid: 11, host: "mgr1")
        #expect(try store.liveRecorder(now: later) == nil)
    }

    /// Another process writes the same file meanwhile (Python's sqlite3, through SQLite's own locks): both finish,
    /// nothing is lost, the file is whole.
    @Test func anotherProcessWritingAtTheSameTimeIsWaitedFor() throws {
        let scratch = Scratch()
        let store = try HistoryStore(path: scratch.path)
        let script = """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1], timeout=10, isolation_level=None)
            for i in range(200):
                db.execute("BEGIN IMMEDIATE")
                db.execute('INSERT INTO transition (time, agent, "from", "to") VALUES (?, ?, ?, ?)', (i, "py", "healthy", "failing"))
                db.execute("COMMIT")
            print("done")
            """
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", "-c", script, scratch.path]
        let out = Pipe()
        python.standardOutput = out
        try python.run()
        for i in 0..<200 { try store.write(samples: [sample("a", Double(i))], transitions: []) }
        python.waitUntilExit()
        #expect(python.terminationStatus == 0)
        #expect(String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) == "done\n")
        let past = try store.loadPast(capacity: 1_000, transitions: 1_000)
        #expect(past.samples["a"]?.count == 200 && past.transitions.count == 200)
        #expect(try store.integrityCheck() == "ok")
    }

    /// A console following a recorder reads each sample once, an agent seen for the first time included.
    @Test func aFollowerReadsWhatIsWrittenAfterItsCursorOnce() throws {
        let scratch = Scratch()
        let store = try HistoryStore(path: scratch.path)
        try store.write(samples: [sample("a", 30), sample("a", 20)], transitions: [])
        var cursor = try store.endOfSamples()
        #expect(try store.samples(after: &cursor).isEmpty)
        try store.write(samples: [sample("a", 10), sample("b", 10, ok: false)], transitions: [])
        let new = try store.samples(after: &cursor)
        #expect(new.map { "\($0.key) \($0.sample.ok)" }.sorted() == ["a true", "b false"])
        #expect(try store.samples(after: &cursor).isEmpty)
        // The same result written twice (two consoles, one millisecond) is kept once.
        try store.write(samples: [sample("a", 0), sample("a", 0)], transitions: [])
        #expect(try store.samples(after: &cursor).count == 1)
    }

    @Test func aSwarmsNameBecomesOneFileName() {
        #expect(HistoryStore.defaultPath(swarm: "prod", environment: ["XDG_STATE_HOME": "/s"]) == "/s/clawtop/history/prod.sqlite")
        #expect(HistoryStore.defaultPath(swarm: "unix:///run/docker.sock", environment: ["HOME": "/h"])
                == "/h/.local/state/clawtop/history/unix%3A%2F%2F%2Frun%2Fdocker.sock.sqlite")
        #expect(HistoryStore.defaultPath(swarm: "..", environment: ["XDG_STATE_HOME": "/s"]) == "/s/clawtop/history/_...sqlite")
    }
}
