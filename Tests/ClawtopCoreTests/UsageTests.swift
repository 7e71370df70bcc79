import ClawtopCore
import Foundation
import Testing

/// What the nodes' readers post, as the model keeps it: each task's CPU from two readings, summed per service
/// against its limits, the nodes clawtop cannot read, and the tasks the kernel killed for memory.
struct UsageTests {
    let nodes = [NodeInfo(id: "n1", hostname: "wk1", role: "worker", state: "ready"),
                 NodeInfo(id: "n2", hostname: "wk2", role: "worker", state: "ready")]

    /// A service limited to half a core and 16 MiB, with a running task on each node.
    func fleet() -> FleetState {
        var state = FleetState(endpoint: "test")
        var s = service("agent", desired: 2, running: 2)
        s.spec.cpuLimit = 0.5
        s.spec.memoryLimit = 16 << 20
        reduce(&state, .docker(.snapshot(nodes: nodes, services: [s], tasks: [
            TaskInfo(id: "t1", serviceID: s.id, slot: 1, nodeID: "n1", state: "running", desiredState: "running", timestamp: t0),
            TaskInfo(id: "t2", serviceID: s.id, slot: 2, nodeID: "n2", state: "running", desiredState: "running", timestamp: t0),
        ], at: t0)))
        return state
    }

    func reading(_ task: String, used: UInt64, host: UInt64, memory: Int64, at: Double) -> ContainerReading {
        ContainerReading(containerID: "c-\(task)", taskID: task, serviceID: "id-agent",
                         cpu: CPUCounters(used: used, host: host, cpus: 2, at: t0 + at), memory: memory)
    }

    var agent: ServiceInfo { fleet().services["id-agent"]! }

    @Test func nothingIsShownWhereNoNodeIsRead() {
        #expect(fleet().usage(of: agent) == nil)
    }

    @Test func theCPUComesWithTheSecondReadingAndTheNodeWithoutEndpointIsNamed() throws {
        var state = fleet()
        reduce(&state, .usage(.reach(["n1": NodeReach(via: "this daemon")], unmatched: [])))
        reduce(&state, .usage(.readings(node: "n1", [reading("t1", used: 1_000_000_000, host: 10_000_000_000, memory: 15 << 20, at: 0)], at: t0)))
        var usage = try #require(state.usage(of: agent))
        #expect(usage.replicas == 1 && usage.cores == nil && usage.memory == 15 << 20)
        #expect(usage.unreachable == ["wk2"])
        // 0.4 s of CPU over 2 s of both host CPUs' time (4 s) on 2 CPUs: 0.2 cores, 40% of the limit.
        reduce(&state, .usage(.readings(node: "n1", [reading("t1", used: 1_400_000_000, host: 14_000_000_000, memory: 15 << 20, at: 2)], at: t0 + 2)))
        usage = try #require(state.usage(of: agent))
        #expect(abs(try #require(usage.cores) - 0.2) < 1e-9)
        #expect(abs(try #require(usage.coreFraction) - 0.4) < 1e-9)
        #expect(usage.memoryLimit == 16 << 20 && usage.worstMemoryFraction! > ServiceUsage.memoryWarning)
    }

    @Test func aTaskNoLongerReadIsDroppedAndALostNodeMarksItsFiguresStale() throws {
        var state = fleet()
        reduce(&state, .usage(.reach(["n1": NodeReach(via: "this daemon"), "n2": NodeReach(via: "--node ssh://wk2")], unmatched: [])))
        reduce(&state, .usage(.readings(node: "n2", [reading("t2", used: 1, host: 1, memory: 1 << 20, at: 0)], at: t0)))
        #expect(state.usage["t2"] != nil)
        reduce(&state, .usage(.lost(node: "n2", "connection refused")))
        #expect(try #require(state.usage(of: agent)).stale)
        reduce(&state, .usage(.readings(node: "n2", [], at: t0 + 10)))
        #expect(state.usage["t2"] == nil)
        #expect(try #require(state.usage(of: agent)).stale == false)
    }

    @Test func oneServicesReadingsLeaveTheOthersOnItsNode() throws {
        var state = fleet()
        reduce(&state, .usage(.reach(["n1": NodeReach(via: "this daemon")], unmatched: [])))
        var other = reading("t9", used: 1, host: 1, memory: 1 << 20, at: 0)
        other.serviceID = "id-other"
        reduce(&state, .usage(.readings(node: "n1", [reading("t1", used: 1_000_000_000, host: 10_000_000_000, memory: 1 << 20, at: 0), other], at: t0)))
        reduce(&state, .usage(.serviceReadings(node: "n1", service: "id-agent",
                                               [reading("t1", used: 1_400_000_000, host: 14_000_000_000, memory: 2 << 20, at: 2)], at: t0 + 2)))
        #expect(state.usage["t9"] != nil, "another service's task on the node stays")
        #expect(state.usage["t1"]?.memory == 2 << 20 && abs((state.usage["t1"]?.cores ?? 0) - 0.2) < 1e-9)
        reduce(&state, .usage(.serviceReadings(node: "n1", service: "id-agent", [], at: t0 + 4)))
        #expect(state.usage["t1"] == nil && state.usage["t9"] != nil)
    }

    @Test func aTaskKilledForMemoryIsSaidSoWithItsLimit() throws {
        var state = fleet()
        let failed = TaskInfo(id: "t3", serviceID: "id-agent", slot: 1, nodeID: "n1", state: "failed", desiredState: "shutdown",
                              error: "task: non-zero exit (137)", exitCode: 137, timestamp: t0 + 5)
        reduce(&state, .docker(.service(agent, tasks: state.tasks["id-agent"]! + [failed], at: t0 + 5)))
        // Nothing read: Swarm's words stand.
        #expect(state.summaries(now: t0 + 6).first?.lastError == "task: non-zero exit (137)")
        reduce(&state, .usage(.reach(["n1": NodeReach(via: "this daemon")], unmatched: [])))
        #expect(state.summaries(now: t0 + 6).first?.lastError == "killed (exit 137)")
        reduce(&state, .usage(.oomKilled(node: "n1", tasks: ["t3"], at: t0 + 6)))
        #expect(state.summaries(now: t0 + 6).first?.lastError == "out of memory (limit 16 MiB)")
    }

    @Test func anOutOfMemoryKillIsAnEntryOfTheTimelineAndAnAlert() throws {
        var state = fleet()
        state.setup = AgentSetup(showAll: true)
        _ = state.noteTransitions(rows: state.agentRows(now: t0), now: t0)
        reduce(&state, .usage(.oomKilled(node: "n1", tasks: ["t1"], at: t0 + 3)))
        reduce(&state, .usage(.oomKilled(node: "n1", tasks: ["t1"], at: t0 + 4)))
        let seen = state.noteTransitions(rows: state.agentRows(now: t0 + 5), now: t0 + 5)
        #expect(seen.count == 1)
        #expect(seen.first?.agent == "agent" && seen.first?.isNote == true && seen.first?.actor == "the kernel")
        #expect(seen.first?.reason == "killed: out of memory (limit 16 MiB)" && seen.first?.time == t0 + 3)
        #expect(state.timeline.last == seen.first)
        // Told at once; the kills within the window after, as one when it ends.
        var debouncer = AlertDebouncer(window: 60)
        #expect(debouncer.offer(seen, now: t0 + 5) == seen)
        let again = Transition.outOfMemory(agent: "agent", state: .healthy, limit: 16 << 20, at: t0 + 20)
        let more = Transition.outOfMemory(agent: "agent", state: .healthy, limit: 16 << 20, at: t0 + 30)
        #expect(debouncer.offer([again], now: t0 + 20).isEmpty && debouncer.offer([more], now: t0 + 30).isEmpty)
        #expect(debouncer.due(now: t0 + 40).isEmpty)
        let told = debouncer.due(now: t0 + 65)
        #expect(told.count == 1 && told.first?.reason == "killed: out of memory (limit 16 MiB) (2 kills)" && told.first?.time == t0 + 30)
        #expect(debouncer.due(now: t0 + 200).isEmpty, "told once")
        // An action taken from clawtop is a note too, and no alert.
        let action = Transition(time: t0 + 300, agent: "agent", from: .healthy, to: .healthy, reason: "restart", actor: "clawtop")
        #expect(debouncer.offer([action], now: t0 + 300).isEmpty)
    }

    @Test func aKillOnANodeWithoutEndpointSaysWhatCannotBeKnown() throws {
        var state = fleet()
        let failed = TaskInfo(id: "t3", serviceID: "id-agent", slot: 2, nodeID: "n2", state: "failed", desiredState: "shutdown",
                              error: "task: non-zero exit (137)", exitCode: 137, timestamp: t0 + 5)
        reduce(&state, .docker(.service(agent, tasks: state.tasks["id-agent"]! + [failed], at: t0 + 5)))
        reduce(&state, .usage(.reach(["n1": NodeReach(via: "this daemon")], unmatched: [])))
        #expect(state.summaries(now: t0 + 6).first?.lastError == "killed (exit 137); wk2 has no endpoint to tell if it was memory")
        // Swarm's reason for a kill of its own stands.
        var unhealthy = failed
        unhealthy.error = "task: non-zero exit (137): dockerexec: unhealthy container"
        reduce(&state, .docker(.service(agent, tasks: state.tasks["id-agent"]!.filter { $0.id != "t3" } + [unhealthy], at: t0 + 7)))
        #expect(state.summaries(now: t0 + 8).first?.lastError == unhealthy.error)
    }

    @Test func theMemoryAtTheLastReadingOfATaskThatEndedIsKept() throws {
        var state = fleet()
        reduce(&state, .usage(.reach(["n1": NodeReach(via: "this daemon")], unmatched: [])))
        reduce(&state, .usage(.readings(node: "n1", [reading("t1", used: 1, host: 1, memory: 15 << 20, at: 0)], at: t0)))
        reduce(&state, .usage(.readings(node: "n1", [], at: t0 + 10)))
        let failed = TaskInfo(id: "t1", serviceID: "id-agent", slot: 1, nodeID: "n1", state: "failed", desiredState: "shutdown",
                              error: "task: non-zero exit (137)", exitCode: 137, timestamp: t0 + 9)
        reduce(&state, .docker(.service(agent, tasks: [failed], at: t0 + 10)))
        #expect(state.summaries(now: t0 + 11).first?.lastError == "killed (exit 137); memory was at 94% of its limit at the last reading")
    }
}
