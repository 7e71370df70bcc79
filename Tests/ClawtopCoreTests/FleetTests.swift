import ClawtopCore
import Foundation
import Testing

let t0 = Date(timeIntervalSince1970: 1_795_545_132)

func service(_ name: String, desired: Int, running: Int, mode: ServiceMode = .replicated, update: String? = nil) -> ServiceInfo {
    ServiceInfo(id: "id-\(name)", name: name, image: "img:1", mode: mode, desired: desired, running: running,
                createdAt: t0, updateState: update)
}

func task(_ service: String, _ state: String, desired: String = "running", slot: Int = 1, error: String? = nil,
          exit: Int? = nil, at: Date = t0) -> TaskInfo {
    TaskInfo(id: UUID().uuidString, serviceID: "id-\(service)", slot: slot, nodeID: "n1", state: state,
             desiredState: desired, error: error, exitCode: exit, timestamp: at)
}

struct ConditionTests {
    let now = t0.addingTimeInterval(30)

    func condition(_ s: ServiceInfo, _ tasks: [TaskInfo]) -> ServiceCondition {
        ServiceSummary(service: s, tasks: tasks, nodeNames: ["n1": "vm"], now: now).condition
    }

    @Test func allDesiredRunningIsRunning() {
        #expect(condition(service("a", desired: 2, running: 2), [task("a", "running"), task("a", "running", slot: 2)]) == .running)
    }

    @Test func scaledToZeroIsStopped() {
        #expect(condition(service("a", desired: 0, running: 0), []) == .stopped)
    }

    @Test func shortHandedWithARecentFailureIsFailing() {
        let tasks = [task("a", "failed", desired: "shutdown", error: "task: non-zero exit (3)", exit: 3, at: now.addingTimeInterval(-5)),
                     task("a", "ready", desired: "ready")]
        #expect(condition(service("a", desired: 1, running: 0), tasks) == .failing)
    }

    @Test func anOldFailureDoesNotMakeItFailing() {
        let tasks = [task("a", "failed", desired: "shutdown", error: "boom", exit: 1, at: now.addingTimeInterval(-3600)),
                     task("a", "starting")]
        #expect(condition(service("a", desired: 1, running: 0), tasks) == .starting)
    }

    @Test func shortHandedWithNothingStartingIsDegraded() {
        #expect(condition(service("a", desired: 2, running: 1), [task("a", "running")]) == .degraded)
    }

    @Test func updateStatusWins() {
        #expect(condition(service("a", desired: 1, running: 1, update: "updating"), [task("a", "running")]) == .updating)
        #expect(condition(service("a", desired: 1, running: 0, update: "paused"), []) == .paused)
    }

    @Test func nodesAreThoseRunningItsTasks() {
        let tasks = [task("a", "failed", desired: "shutdown", error: "x", exit: 3),
                     task("a", "shutdown", desired: "shutdown"), // an update or scale-down
                     task("a", "running")]
        let s = ServiceSummary(service: service("a", desired: 1, running: 1), tasks: tasks, nodeNames: ["n1": "vm"], now: now)
        #expect(s.nodes == ["vm"])
    }

    /// A crash loop between restarts runs nowhere: NODE says where its newest task was (it was empty).
    @Test func aServiceRunningNowhereShowsWhereItsNewestTaskWas() {
        var older = task("a", "failed", desired: "shutdown", error: "x", exit: 3, at: t0)
        older.nodeID = "n1"
        var newest = task("a", "failed", desired: "shutdown", error: "x", exit: 3, at: t0.addingTimeInterval(5))
        newest.nodeID = "n2"
        let s = ServiceSummary(service: service("a", desired: 1, running: 0), tasks: [older, newest],
                               nodeNames: ["n1": "mgr1", "n2": "wk1"], now: now)
        #expect(s.nodes == ["wk1"])
    }

    @Test func lastErrorIsTheNewest() {
        let tasks = [task("a", "failed", desired: "shutdown", error: "old", exit: 1, at: t0),
                     task("a", "failed", desired: "shutdown", error: "new", exit: 1, at: t0.addingTimeInterval(10)),
                     task("a", "failed", desired: "shutdown", error: "middle", exit: 1, at: t0.addingTimeInterval(5))]
        let s = ServiceSummary(service: service("a", desired: 1, running: 0), tasks: tasks, nodeNames: [:], now: now)
        #expect(s.lastError == "new")
    }
}

struct ReduceTests {
    @Test func snapshotReplacesAndOrdersFailingFirst() {
        var state = FleetState(endpoint: "test")
        #expect(state.connection == .connecting)
        reduce(&state, .docker(.snapshot(nodes: [NodeInfo(id: "n1", hostname: "vm", role: "manager", state: "ready")],
                                 services: [service("b-ok", desired: 1, running: 1), service("a-ok", desired: 1, running: 1),
                                            service("z-bad", desired: 1, running: 0)],
                                 tasks: [task("z-bad", "failed", desired: "shutdown", error: "boom", exit: 1, at: t0)], at: t0)))
        #expect(state.connection == .live)
        #expect(state.summaries(now: t0).map(\.service.name) == ["z-bad", "a-ok", "b-ok"])
        reduce(&state, .docker(.snapshot(nodes: [], services: [service("c", desired: 0, running: 0)], tasks: [], at: t0)))
        #expect(state.services.count == 1)
        #expect(state.tasks.isEmpty)
    }

    @Test func aReReadOfEveryTaskReplacesThemAndTheRunningCounts() {
        var state = FleetState(endpoint: "test")
        var checked = task("a", "running")
        checked.containerHealth = .healthy
        reduce(&state, .docker(.snapshot(nodes: [], services: [service("a", desired: 1, running: 1), service("b", desired: 1, running: 1)],
                                 tasks: [checked, task("b", "running")], at: t0)))
        reduce(&state, .docker(.connection(.failed("a read failed"))))
        // a's task crashed on another node and was replaced; b's task is gone from the list.
        var crashed = checked
        crashed.state = "failed"
        crashed.desiredState = "shutdown"
        crashed.containerHealth = nil
        reduce(&state, .docker(.tasks([crashed, task("a", "starting")], at: t0 + 30)))
        #expect(state.services["id-a"]?.running == 0 && state.services["id-b"]?.running == 0)
        #expect(state.tasks["id-a"]?.count == 2 && state.tasks["id-b"] == [])
        #expect(state.tasks["id-a"]?.first { $0.id == checked.id }?.containerHealth == .healthy, "Docker's check is kept")
        #expect(state.restarts["a"] == 1)
        #expect(state.lastSync == t0 + 30 && state.connection == .live)
    }

    @Test func oneServiceIsReplacedAndRemoved() {
        var state = FleetState(endpoint: "test")
        reduce(&state, .docker(.snapshot(nodes: [], services: [service("a", desired: 1, running: 1)], tasks: [task("a", "running")], at: t0)))
        reduce(&state, .docker(.service(service("a", desired: 2, running: 1), tasks: [task("a", "running"), task("a", "starting", slot: 2)], at: t0)))
        #expect(state.services["id-a"]?.desired == 2)
        #expect(state.tasks["id-a"]?.count == 2)
        reduce(&state, .docker(.serviceRemoved(id: "id-a", at: t0)))
        #expect(state.services.isEmpty && state.tasks.isEmpty)
        reduce(&state, .docker(.connection(.reconnecting("dropped"))))
        #expect(state.connection == .reconnecting("dropped"))
    }

    @Test func aReadThatBeganBeforeTheLastOneAppliedIsDropped() {
        var state = FleetState(endpoint: "test")
        reduce(&state, .docker(.snapshot(nodes: [], services: [service("a", desired: 1, running: 1)], tasks: [task("a", "running")], at: t0)))
        // Two reads of a overlap: the one that began later ends first.
        reduce(&state, .docker(.service(service("a", desired: 2, running: 2), tasks: [], at: t0 + 2)))
        reduce(&state, .docker(.service(service("a", desired: 1, running: 1), tasks: [], at: t0 + 1)))
        #expect(state.services["id-a"]?.desired == 2)
        reduce(&state, .docker(.tasks([task("a", "failed")], at: t0 + 1.5)))
        #expect(state.services["id-a"]?.running == 2, "an older read of every task leaves a alone")
        // A read that began before the service was removed does not bring it back.
        reduce(&state, .docker(.serviceRemoved(id: "id-a", at: t0 + 3)))
        reduce(&state, .docker(.service(service("a", desired: 2, running: 2), tasks: [], at: t0 + 2.5)))
        #expect(state.services.isEmpty)
        // The same service created again is read again.
        reduce(&state, .docker(.service(service("a", desired: 1, running: 0), tasks: [], at: t0 + 4)))
        #expect(state.services["id-a"]?.desired == 1)
    }

    @Test func aScaleThatWorkedSetsTheDesiredCountAtOnce() {
        var state = FleetState(endpoint: "test")
        reduce(&state, .docker(.snapshot(nodes: [], services: [service("a", desired: 2, running: 2)], tasks: [], at: t0)))
        func outcome(_ kind: ActionKind, ok: Bool) -> Message {
            .action(ActionOutcome(request: ActionRequest(agent: "a", service: "a", serviceID: "id-a", kind: kind, verb: .scale),
                                  ok: ok, message: ok ? "done" : "refused", at: t0 + 1))
        }
        reduce(&state, outcome(.scale(from: 2, to: 5), ok: false))
        #expect(state.services["id-a"]?.desired == 2)
        reduce(&state, outcome(.restart, ok: true))
        #expect(state.services["id-a"]?.desired == 2)
        reduce(&state, outcome(.scale(from: 2, to: 1), ok: true))
        #expect(state.services["id-a"]?.desired == 1 && state.services["id-a"]?.running == 2)
    }

    @Test func agesAreCoarse() {
        #expect(formatAge(0) == "0s")
        #expect(formatAge(59) == "59s")
        #expect(formatAge(60) == "1m")
        #expect(formatAge(3599) == "59m")
        #expect(formatAge(7200) == "2h")
        #expect(formatAge(86400 * 3 + 5) == "3d")
        #expect(formatAge(-5) == "0s")
        #expect([0, 9.9, 10, 59, 60, 7200].map(formatCoarseAge) == ["<10s", "<10s", "10s", "50s", "1m", "2h"])
    }
}

/// What several nodes bring: a node down, a node drained, a task that cannot be placed.
struct NodeConditionTests {
    let now = t0.addingTimeInterval(30)

    func fleet(nodes: [NodeInfo], service s: ServiceInfo, tasks: [TaskInfo]) -> FleetState {
        var state = FleetState(endpoint: "e")
        reduce(&state, .docker(.snapshot(nodes: nodes, services: [s], tasks: tasks, at: t0)))
        return state
    }

    /// Swarm (and `docker service ls`) still counts a task on a node that went down as running; clawtop does not,
    /// and says where it is.
    @Test func aTaskOnADownNodeIsNotRunning() {
        var state = fleet(nodes: [NodeInfo(id: "n1", hostname: "wk2", role: "worker", state: "ready")],
                          service: service("a", desired: 1, running: 1), tasks: [task("a", "running")])
        #expect(state.summaries(now: now).first?.service.running == 1)
        reduce(&state, .docker(.nodes([NodeInfo(id: "n1", hostname: "wk2", role: "worker", state: "down")])))
        let summary = state.summaries(now: now).first
        #expect(summary?.service.running == 0 && summary?.condition != .running)
        #expect(summary?.lastError == "node wk2 is down: its task is out of reach")
    }

    @Test func aTaskThatCannotBePlacedIsPendingWithSwarmsReason() {
        let pending = task("a", "pending", error: "no suitable node (scheduling constraints not satisfied on 3 nodes)")
        let summary = ServiceSummary(service: service("a", desired: 1, running: 0), tasks: [pending], nodeNames: [:], now: now)
        #expect(summary.condition == .pending && summary.lastError?.hasPrefix("no suitable node") == true)
        #expect(ServiceSummary(service: service("a", desired: 1, running: 0), tasks: [task("a", "pending")], nodeNames: [:],
                               now: now).condition == .starting, "pending without a reason is on its way")
    }

    /// A task Swarm shut down (a drain, an update) ends with a signal's exit code: not a failure. Its replacement,
    /// moved off a drained node, is not a restart.
    @Test func aDrainIsNeitherAFailureNorARestart() {
        let running = TaskInfo(id: "t1", serviceID: "id-a", slot: 1, nodeID: "n1", state: "running", desiredState: "running", timestamp: t0)
        var state = fleet(nodes: [NodeInfo(id: "n1", hostname: "wk1", role: "worker", state: "ready"),
                                  NodeInfo(id: "n2", hostname: "wk2", role: "worker", state: "ready")],
                          service: service("a", desired: 1, running: 1), tasks: [running])
        reduce(&state, .docker(.nodes([NodeInfo(id: "n1", hostname: "wk1", role: "worker", state: "ready", availability: "drain"),
                               NodeInfo(id: "n2", hostname: "wk2", role: "worker", state: "ready")])))
        var evicted = running
        (evicted.state, evicted.desiredState, evicted.exitCode) = ("shutdown", "shutdown", 137)
        #expect(!evicted.isFailure)
        let moved = TaskInfo(id: "t2", serviceID: "id-a", slot: 1, nodeID: "n2", state: "running", desiredState: "running", timestamp: now)
        reduce(&state, .docker(.service(service("a", desired: 1, running: 1), tasks: [evicted, moved], at: now)))
        #expect(state.restarts["a"] == 0)
        #expect(state.summaries(now: now).first?.condition == .running)
    }
}

/// A health URL that names `{node}`: each replica probed on its node, one history each, the row the worst.
struct ReplicaProbeTests {
    @Test func eachReplicaIsProbedWhereItRunsAndTheRowIsTheWorst() {
        let nodes = [NodeInfo(id: "n1", hostname: "mgr1", role: "manager", state: "ready", address: "10.213.0.11"),
                     NodeInfo(id: "n2", hostname: "wk1", role: "worker", state: "ready", address: "10.213.0.12")]
        let agent = AgentDefinition(name: "alpha", serviceName: "a", policy: "always-on", healthURL: "http://{node}:18791/health",
                                    checkInterval: 10, startupTimeout: 0, maxFailures: 1, source: .config)
        var state = FleetState(endpoint: "e", setup: AgentSetup(configured: [agent]))
        func running(_ id: String, slot: Int, node: String) -> TaskInfo {
            TaskInfo(id: id, serviceID: "id-a", slot: slot, nodeID: node, state: "running", desiredState: "running",
                     timestamp: t0, createdAt: t0)
        }
        reduce(&state, .docker(.snapshot(nodes: nodes, services: [service("a", desired: 2, running: 2)],
                                 tasks: [running("t1", slot: 1, node: "n1"), running("t2", slot: 2, node: "n2")], at: t0)))
        let targets = state.probeTargets
        #expect(targets.map(\.agent) == ["alpha#1@mgr1", "alpha#2@wk1"])
        #expect(targets.map(\.url) == ["http://10.213.0.11:18791/health", "http://10.213.0.12:18791/health"])
        let later = t0.addingTimeInterval(120)
        reduce(&state, .probe(agent: "alpha#1@mgr1", url: targets[0].url, sample: HealthSample(time: later, ok: true, latency: 0.01, status: 200)))
        reduce(&state, .probe(agent: "alpha#2@wk1", url: targets[1].url,
                              sample: HealthSample(time: later, ok: false, latency: 0.01, status: 404, reason: "HTTP 404")))
        let row = state.agentRows(now: later.addingTimeInterval(1)).first
        #expect(row?.replicas.map(\.label) == ["1@mgr1", "2@wk1"])
        #expect(row?.replicas.map(\.health) == [.healthy, .unhealthy])
        #expect(row?.health == .unhealthy && row?.lastError == "2@wk1: HTTP 404")
    }
}

/// Which tasks the watcher reads again for, since no event says when Swarm marks them running.
struct TaskOnItsWayTests {
    @Test func wantedRunningAndNotThereYet() {
        func task(_ state: String, desired: String = "running") -> TaskInfo {
            TaskInfo(id: "t", serviceID: "s", slot: 1, nodeID: "n", state: state, desiredState: desired, timestamp: t0)
        }
        #expect(["new", "pending", "assigned", "accepted", "preparing", "ready", "starting"].allSatisfy { task($0).isOnItsWay })
        #expect(!task("running").isOnItsWay && !task("failed").isOnItsWay && !task("complete").isOnItsWay)
        #expect(!task("starting", desired: "shutdown").isOnItsWay)
    }
}
