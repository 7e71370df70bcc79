import ClawtopCore
import Dashboard
import Demo
import Foundation
import HistoryStore
import Runtime
import Synchronization
import Testing

/// The console and `record` are one runtime: for the same events at the same moments they write the same rows to
/// the history, through the same `update`.
struct HistoryRowsTests {
    /// A clock the test moves.
    final class Clock: Sendable {
        let now: Mutex<Date>
        init(_ start: Date) { now = Mutex(start) }
        func advance(_ seconds: TimeInterval) { now.withLock { $0 = $0.addingTimeInterval(seconds) } }
        var read: @Sendable () -> Date { { self.now.withLock { $0 } } }
    }

    /// The demo's opening read, then a scripted run of probes: an agent fails three times (unhealthy), recovers, and
    /// another is unreachable; ticks between, as a frame (or the recorder's second) brings them.
    func script(duty: HistoryDuty, store: HistoryStore) async throws -> PastHistory {
        let start = Date(timeIntervalSince1970: 1_796_000_000)
        let backend = DemoBackend(start: start)
        let startup = try await backend.load().filter { if case .history(.past) = $0 { false } else { true } }
        var model = ConsoleModel(fleet: FleetState(endpoint: "demo", setup: DemoBackend.setup()), ui: UIState(),
                                 width: 0, height: 0, now: start)
        model.historyDuty = duty
        let clock = Clock(start)
        let runtime = Runtime(model: model, frontend: nil, clock: clock.read, wake: {}) { post in
            SwarmSources(name: "default", backend: backend, warren: nil, actionLog: nil, history: store, follow: false,
                         post: post)
        }
        runtime.start(firstRead: startup)
        let url = "http://inbox:8080/health"
        for (i, ok) in [true, true, false, false, false, false, true, true].enumerated() {
            clock.advance(10)
            let sample = ok ? HealthSample(time: clock.read(), ok: true, latency: 0.01 * Double(i + 1), status: 200)
                            : HealthSample(time: clock.read(), ok: false, reason: "refused")
            runtime.send(.fleet(.probe(agent: "inbox", url: url, sample: sample)))
            runtime.send(.fleet(.probe(agent: "research", url: "http://research:8080/health",
                                       sample: HealthSample(time: clock.read(), ok: false, reason: "no route", unreachable: true))))
            runtime.send(.tick)
        }
        await runtime.stop()
        return try store.loadPast(capacity: 100)
    }

    @Test func theConsoleAndTheRecorderWriteTheSameRows() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("clawtop-rows-\(getpid())-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let console = try await script(duty: .write, store: try HistoryStore(path: folder.appendingPathComponent("console.sqlite").path))
        let recorder = try await script(duty: .record, store: try HistoryStore(path: folder.appendingPathComponent("record.sqlite").path))
        // The demo's opening read brings its probed past; the script's eight come last.
        let scripted = console.samples["inbox"]?.suffix(8).map(\.ok)
        #expect(scripted == [true, true, false, false, false, false, true, true], "\(console.samples.mapValues(\.count))")
        #expect(console.transitions.contains { $0.agent == "inbox" && $0.to == .unhealthy }, "\(console.transitions)")
        #expect(console == recorder)
    }

    /// A run that keeps no history (the demo, `--no-history`) writes nothing, whatever it sees.
    @Test func noDutyWritesNothing() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("clawtop-rows-\(getpid())-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let none = try await script(duty: .none, store: try HistoryStore(path: folder.appendingPathComponent("none.sqlite").path))
        #expect(none.samples.isEmpty && none.transitions.isEmpty)
    }
}
