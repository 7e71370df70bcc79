import ClawtopCore
import Foundation
import GRDB
@testable import HistoryStore
import Synchronization
import Testing

/// The writer when writes fail: what waits is kept (bounded), tried again with back-off, the problem said once.
/// Flushes are driven here, not the writer's clock.
struct HistoryWriterFaultTests {
    /// The file may hold no more pages than it has (`max_page_count`, SQLite's own bound: writes fail as on a full
    /// disk). Nothing is lost, the problem is said once, and what waited is written when there is room again.
    @Test func aFullDiskKeepsWhatWaitsAndWritesItWhenThereIsRoomAgain() throws {
        let scratch = Scratch()
        let store = try HistoryStore(path: scratch.path)
        try store.write(samples: [sample("a", 3_000)], transitions: [])
        try store.pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA max_page_count = 1") }
        let problems = Mutex<[String?]>([])
        let writer = HistoryWriter(store: store)
        writer.telling { text in problems.withLock { $0.append(text) } }
        for i in 0..<2_000 { writer.add(sample("a", Double(i))) }
        writer.add([Transition(time: now, agent: "a", from: .healthy, to: .failing)])
        let t0 = ContinuousClock.now
        writer.flush(at: t0)
        #expect(writer.waiting == 2_001 && writer.dropped == 0)
        #expect(problems.withLock { $0 } == ["not written: history \(scratch.path): database or disk is full; keeping what waits and trying again"])
        // Backing off: not due again before 5 s, then 10 s after the second failure.
        #expect(!writer.due(at: t0 + .seconds(4)) && writer.due(at: t0 + .seconds(5)))
        for i in 2_000..<2_010 { writer.add(sample("b", Double(i))) }
        writer.flush(at: t0 + .seconds(5))
        #expect(!writer.due(at: t0 + .seconds(14)) && writer.due(at: t0 + .seconds(15)))
        #expect(writer.waiting == 2_011 && problems.withLock { $0 }.count == 1, "said once")
        #expect(try store.loadPast(capacity: 10_000).samples["a"]?.count == 1, "the rows on disk stay")

        try store.pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA max_page_count = 1073741823") }
        writer.flush(at: t0 + .seconds(15))
        #expect(writer.waiting == 0 && writer.due(at: t0 + .seconds(15)))
        #expect(problems.withLock { $0 }.count == 2 && problems.withLock { $0 }.last == .some(nil))
        let past = try store.loadPast(capacity: 10_000)
        #expect(past.samples["a"]?.count == 2_001 && past.samples["b"]?.count == 10 && past.transitions.count == 1)
    }

    /// What waits is bounded: beyond the bound the oldest go, counted.
    @Test func whatWaitsWhileWritesFailIsBoundedByDroppingTheOldest() throws {
        let scratch = Scratch()
        let store = try HistoryStore(path: scratch.path)
        try store.pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA max_page_count = 1") }
        let writer = HistoryWriter(store: store, pendingLimit: 1_000)
        for i in 0..<1_500 { writer.add(sample("a", Double(2_000 - i))) }
        writer.flush()
        #expect(writer.waiting == 1_000 && writer.dropped == 500)
        try store.pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA max_page_count = 1073741823") }
        writer.flush()
        let kept = try #require(try store.loadPast(capacity: 1_000).samples["a"])
        #expect(kept.count == 1_000 && kept.first?.time == now.addingTimeInterval(-(2_000 - 500)), "the newest 1,000 stayed")
    }

    /// A store that only reads (a reader's, a newer clawtop's file): nothing is kept for it, nothing more said.
    @Test func aStoreThatOnlyReadsIsGivenNothingToKeep() throws {
        let scratch = Scratch()
        _ = try HistoryStore(path: scratch.path)
        let store = try #require(HistoryStore.open(path: scratch.path, as: .reader).store)
        let problems = Mutex<[String?]>([])
        let writer = HistoryWriter(store: store)
        writer.telling { text in problems.withLock { $0.append(text) } }
        writer.add(sample("a", 1))
        writer.add([Transition(time: now, agent: "a", from: .healthy, to: .failing)])
        writer.flush()
        #expect(writer.waiting == 0 && writer.dropped == 2 && problems.withLock { $0 }.isEmpty)
    }

    @Test func theBackOffDoublesUpToAMinute() {
        #expect((1...7).map { HistoryWriter.retryDelay(after: $0) } == [5, 10, 20, 40, 60, 60, 60].map { Duration.seconds($0) })
    }
}
