import ClawtopCore
import Foundation
@testable import Health
import Synchronization
import Testing
import TestSupport

/// The scheduler against real loopback servers (scripts/misbehaving-http.py).
@Suite struct HealthSchedulerTests {
    /// Runs the scheduler on `targets` for `seconds` and returns every sample by agent.
    func collect(_ targets: [ProbeTarget], for seconds: Double, maxConcurrent: Int = 256,
                 change: (@Sendable (HealthScheduler) -> Void)? = nil) async throws -> [String: [HealthSample]] {
        let prober = HealthProber()
        let scheduler = HealthScheduler(prober: prober, maxConcurrent: maxConcurrent)
        let samples = Mutex<[String: [HealthSample]]>([:])
        scheduler.setTargets(targets)
        let running = Task {
            await scheduler.run { message in
                if case .probe(let agent, _, let sample) = message { samples.withLock { $0[agent, default: []].append(sample) } }
            }
        }
        if let change {
            try await Task.sleep(for: .seconds(seconds / 2))
            change(scheduler)
            try await Task.sleep(for: .seconds(seconds / 2))
        } else {
            try await Task.sleep(for: .seconds(seconds))
        }
        running.cancel()
        await running.value
        await prober.shutdown()
        return samples.withLock { $0 }
    }

    @Test func twoHundredAgentsWithTwentyHangingAreEachSampledEveryInterval() async throws {
        let server = try await ScriptServer.start(script: "misbehaving-http.py")
        defer { server.stop() }
        let hanging = Set((0..<200).filter { $0 % 10 == 0 }.map { "agent-\($0)" })
        let targets = (0..<200).map { i in
            let name = "agent-\(i)"
            return ProbeTarget(agent: name, url: server.address + (hanging.contains(name) ? "/hang" : "/ok"), interval: 1, timeout: 1)
        }
        // Ten one-second intervals; the first round is spread over the first second. Generous, because the whole
        // suite runs in parallel on two cores: at least five samples each, and at least one healthy answer (the
        // loopback server itself can be slow to answer then). This is about isolation, not speed.
        let samples = try await collect(targets, for: 10)
        for t in targets where !hanging.contains(t.agent) {
            let mine = samples[t.agent] ?? []
            #expect(mine.count >= 5, "\(t.agent) was sampled \(mine.count) times")
            #expect(mine.contains { $0.ok }, "\(t.agent): \(mine.compactMap(\.reason))")
        }
        for name in hanging {
            let mine = samples[name] ?? []
            #expect(!mine.isEmpty && mine.allSatisfy { !$0.ok && $0.reason == "timeout after 1s" }, "\(name): \(mine.compactMap(\.reason))")
        }
    }

    @Test func aFullSetOfSlotsDelaysButNeverStopsTheHealthyOnes() async throws {
        // Two slots, one held by a hanging agent: the other agents still get probed through the free one.
        let server = try await ScriptServer.start(script: "misbehaving-http.py")
        defer { server.stop() }
        let targets = [ProbeTarget(agent: "hang", url: server.address + "/hang", interval: 1, timeout: 1)]
            + (0..<2).map { ProbeTarget(agent: "ok-\($0)", url: server.address + "/ok", interval: 1, timeout: 1) }
        let samples = try await collect(targets, for: 8, maxConcurrent: 2)
        for i in 0..<2 { #expect((samples["ok-\(i)"] ?? []).count >= 3, "ok-\(i): \(samples["ok-\(i)"]?.count ?? 0)") }
        #expect((samples["hang"] ?? []).count >= 2)
    }

    @Test func removedAgentsStopAndAddedOnesStart() async throws {
        let server = try await ScriptServer.start(script: "misbehaving-http.py")
        defer { server.stop() }
        let a = ProbeTarget(agent: "a", url: server.address + "/ok", interval: 0.5, timeout: 0.5)
        let b = ProbeTarget(agent: "b", url: server.address + "/500", interval: 0.5, timeout: 0.5)
        let samples = try await collect([a], for: 8) { $0.setTargets([b]) }
        let lastA = samples["a"]?.last?.time ?? .distantPast
        let firstB = samples["b"]?.first?.time ?? .distantFuture
        #expect((samples["a"] ?? []).count >= 2 && (samples["b"] ?? []).count >= 2)
        #expect(lastA < firstB, "a was still probed after it was removed")
        #expect(samples["b"]?.contains { $0.reason == "HTTP 500" } == true && samples["b"]?.allSatisfy { !$0.ok } == true)
    }

    @Test func oneRoundProbesEveryTargetOnce() async throws {
        let server = try await ScriptServer.start(script: "misbehaving-http.py")
        defer { server.stop() }
        let prober = HealthProber()
        let scheduler = HealthScheduler(prober: prober, maxConcurrent: 3)
        let paths = ["/ok", "/500", "/html", "/204", "/404", "/ok-false", "/text"]
        let targets = paths.map { ProbeTarget(agent: $0, url: server.address + $0, interval: 5, timeout: 2) }
        let messages = await scheduler.probeOnce(targets)
        await prober.shutdown()
        var ok: [String: Bool] = [:]
        for case .probe(let agent, _, let sample) in messages { ok[agent] = sample.ok }
        #expect(ok == ["/ok": true, "/500": false, "/html": false, "/204": true, "/404": false, "/ok-false": false, "/text": true])
    }

    @Test func phasesAreSpreadAndStable() {
        let phases = (0..<500).map { HealthScheduler.phase(of: "openclaw_agent-\($0)") }
        #expect(phases.allSatisfy { (0..<1).contains($0) })
        #expect(HealthScheduler.phase(of: "x") == HealthScheduler.phase(of: "x"))
        // Each tenth of the interval gets a share of the 500 agents, none a crowd.
        let buckets = Dictionary(grouping: phases) { Int($0 * 10) }.mapValues(\.count)
        #expect(buckets.count == 10 && buckets.values.allSatisfy { (20...80).contains($0) }, "\(buckets)")
    }

    @Test func steadyRoundsFallOnTheAnchorAndSkipMissedOnes() {
        let anchor = ContinuousClock.now
        let next = HealthScheduler.nextRound(after: anchor + .seconds(0.2), anchor: anchor, interval: 10)
        #expect(next == anchor + .seconds(10))
        // Late by three rounds: the next one is the first at least half an interval ahead, not a burst of three.
        let late = HealthScheduler.nextRound(after: anchor + .seconds(31), anchor: anchor, interval: 10)
        #expect(late == anchor + .seconds(40))
        let early = HealthScheduler.nextRound(after: anchor - .seconds(8), anchor: anchor, interval: 10)
        #expect(early == anchor)
    }

    @Test func theQueueIsOrderedByDueTime() {
        let base = ContinuousClock.now
        var heap = DueHeap()
        let order = [5, 1, 9, 3, 7, 2, 8, 0, 6, 4]
        for i in order { heap.push((base + .seconds(i), "a\(i)")) }
        var popped: [String] = []
        while let e = heap.pop() { popped.append(e.agent) }
        #expect(popped == (0..<10).map { "a\($0)" })
    }
}
