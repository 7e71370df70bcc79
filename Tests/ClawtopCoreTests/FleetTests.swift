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
        reduce(&state, .snapshot(nodes: [NodeInfo(id: "n1", hostname: "vm", role: "manager", state: "ready")],
                                 services: [service("b-ok", desired: 1, running: 1), service("a-ok", desired: 1, running: 1),
                                            service("z-bad", desired: 1, running: 0)],
                                 tasks: [task("z-bad", "failed", desired: "shutdown", error: "boom", exit: 1, at: t0)], at: t0))
        #expect(state.connection == .live)
        #expect(state.summaries(now: t0).map(\.service.name) == ["z-bad", "a-ok", "b-ok"])
        reduce(&state, .snapshot(nodes: [], services: [service("c", desired: 0, running: 0)], tasks: [], at: t0))
        #expect(state.services.count == 1)
        #expect(state.tasks.isEmpty)
    }

    @Test func aReReadOfEveryTaskReplacesThemAndTheRunningCounts() {
        var state = FleetState(endpoint: "test")
        var checked = task("a", "running")
        checked.containerHealth = .healthy
        reduce(&state, .snapshot(nodes: [], services: [service("a", desired: 1, running: 1), service("b", desired: 1, running: 1)],
                                 tasks: [checked, task("b", "running")], at: t0))
        reduce(&state, .connection(.failed("a read failed")))
        // a's task crashed on another node and was replaced; b's task is gone from the list.
        var crashed = checked
        crashed.state = "failed"
        crashed.desiredState = "shutdown"
        crashed.containerHealth = nil
        reduce(&state, .tasks([crashed, task("a", "starting")], at: t0 + 30))
        #expect(state.services["id-a"]?.running == 0 && state.services["id-b"]?.running == 0)
        #expect(state.tasks["id-a"]?.count == 2 && state.tasks["id-b"] == [])
        #expect(state.tasks["id-a"]?.first { $0.id == checked.id }?.containerHealth == .healthy, "Docker's check is kept")
        #expect(state.restarts["a"] == 1)
        #expect(state.lastSync == t0 + 30 && state.connection == .live)
    }

    @Test func oneServiceIsReplacedAndRemoved() {
        var state = FleetState(endpoint: "test")
        reduce(&state, .snapshot(nodes: [], services: [service("a", desired: 1, running: 1)], tasks: [task("a", "running")], at: t0))
        reduce(&state, .service(service("a", desired: 2, running: 1), tasks: [task("a", "running"), task("a", "starting", slot: 2)], at: t0))
        #expect(state.services["id-a"]?.desired == 2)
        #expect(state.tasks["id-a"]?.count == 2)
        reduce(&state, .serviceRemoved(id: "id-a", at: t0))
        #expect(state.services.isEmpty && state.tasks.isEmpty)
        reduce(&state, .connection(.reconnecting("dropped")))
        #expect(state.connection == .reconnecting("dropped"))
    }

    @Test func aReadThatBeganBeforeTheLastOneAppliedIsDropped() {
        var state = FleetState(endpoint: "test")
        reduce(&state, .snapshot(nodes: [], services: [service("a", desired: 1, running: 1)], tasks: [task("a", "running")], at: t0))
        // Two reads of a overlap: the one that began later ends first.
        reduce(&state, .service(service("a", desired: 2, running: 2), tasks: [], at: t0 + 2))
        reduce(&state, .service(service("a", desired: 1, running: 1), tasks: [], at: t0 + 1))
        #expect(state.services["id-a"]?.desired == 2)
        reduce(&state, .tasks([task("a", "failed")], at: t0 + 1.5))
        #expect(state.services["id-a"]?.running == 2, "an older read of every task leaves a alone")
        // A read that began before the service was removed does not bring it back.
        reduce(&state, .serviceRemoved(id: "id-a", at: t0 + 3))
        reduce(&state, .service(service("a", desired: 2, running: 2), tasks: [], at: t0 + 2.5))
        #expect(state.services.isEmpty)
        // The same service created again is read again.
        reduce(&state, .service(service("a", desired: 1, running: 0), tasks: [], at: t0 + 4))
        #expect(state.services["id-a"]?.desired == 1)
    }

    @Test func aScaleThatWorkedSetsTheDesiredCountAtOnce() {
        var state = FleetState(endpoint: "test")
        reduce(&state, .snapshot(nodes: [], services: [service("a", desired: 2, running: 2)], tasks: [], at: t0))
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
