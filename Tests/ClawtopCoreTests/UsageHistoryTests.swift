import ClawtopCore
import Foundation
import Testing

/// A service's usage minute by minute: what the readings add, what the history on disk brings, and what the
/// details and JSON read of it.
struct UsageHistoryTests {
    /// On a minute.
    let start = Date(timeIntervalSince1970: 1_795_545_600)

    func point(_ seconds: Double, _ mebibytes: Int64, cores: Double? = nil) -> UsagePoint {
        UsagePoint(service: "svc", time: start + seconds, memory: mebibytes << 20, cores: cores)
    }

    @Test func aMinuteKeepsItsPeakMemoryAndItsMeanCPU() throws {
        var history = UsageHistory()
        history.add(point(0, 10, cores: 0.2))
        history.add(point(20, 30, cores: nil))
        history.add(point(40, 20, cores: 0.4))
        history.add(point(61, 5, cores: 1))
        #expect(history.minutes.count == 2)
        let first = try #require(history.minutes.first)
        #expect(first.memory == 30 << 20 && first.cpuReadings == 2)
        #expect(abs((first.cores ?? 0) - 0.3) < 1e-9)
        #expect(history.minutes.last?.memory == 5 << 20)
    }

    @Test func thePastGoesUnderWhatWasReadSinceAndOnlyTheLastHoursAreKept() {
        var state = FleetState(endpoint: "test")
        let old = (0..<400).map { UsageMinute(minute: UsageMinute.minute(of: start) - 400 + Int64($0), memory: Int64($0)) }
        reduce(&state, .history(.past(PastHistory(usage: ["svc": old]))))
        let history = state.usageHistory["svc"]
        #expect(history?.minutes.count == UsageHistory.hours * 60, "bounded to the hours the strip shows")
        #expect(history?.minutes.last?.memory == 399)
        // The same minute from the disk and from a reading: one minute, its peak the higher.
        var merged = UsageHistory(minutes: [UsageMinute(minute: 10, memory: 7, cpuTotal: 1, cpuReadings: 2)])
        merged.add(UsagePoint(service: "svc", time: Date(timeIntervalSince1970: 10 * 60 + 5), memory: 3, cores: 0.5))
        #expect(merged.minutes == [UsageMinute(minute: 10, memory: 7, cpuTotal: 1.5, cpuReadings: 3)])
    }

    @Test func thePeaksOfTheStripAndOfTheLastHour() {
        var history = UsageHistory()
        history.add(point(-7_200, 50))   // two hours ago
        history.add(point(-1_800, 20))   // half an hour ago
        history.add(point(-60, 10))
        #expect(history.peakMemory(since: start - 3_600) == 20 << 20)
        #expect(history.peakMemory(since: start - 6 * 3_600) == 50 << 20)
        // Six cells of an hour each, the newest holding the minute of `start`.
        let cells = history.peaks(count: 6, minutesEach: 60, now: start)
        #expect(cells == [nil, nil, nil, 50 << 20, nil, 20 << 20])
    }

    @Test func readingsOfANodeAddToTheHistoryOfEachServiceOnIt() throws {
        let node = NodeInfo(id: "n1", hostname: "wk1", role: "worker", state: "ready")
        var state = FleetState(endpoint: "test")
        reduce(&state, .docker(.snapshot(nodes: [node], services: [service("agent", desired: 1, running: 1)], tasks: [
            TaskInfo(id: "t1", serviceID: "id-agent", slot: 1, nodeID: "n1", state: "running", desiredState: "running", timestamp: t0),
        ], at: t0)))
        reduce(&state, .usage(.reach(["n1": NodeReach(via: "this daemon")], unmatched: [])))
        let reading = ContainerReading(containerID: "c1", taskID: "t1", serviceID: "id-agent",
                                       cpu: CPUCounters(used: 0, host: nil, cpus: 1, at: t0), memory: 12 << 20)
        reduce(&state, .usage(.readings(node: "n1", [reading], at: t0)))
        #expect(state.usageHistory["agent"]?.minutes.map(\.memory) == [12 << 20])
        #expect(state.takeUsageToRecord() == [UsagePoint(service: "agent", time: t0, memory: 12 << 20, cores: nil)])
        #expect(state.takeUsageToRecord().isEmpty, "taken once")
    }
}
