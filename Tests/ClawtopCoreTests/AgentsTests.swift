import ClawtopCore
import Foundation
import Testing

func labelled(_ name: String, desired: Int = 1, labels: [String: String]) -> ServiceInfo {
    var s = service(name, desired: desired, running: desired)
    s.labels = labels
    return s
}

func fleet(_ services: [ServiceInfo], tasks: [TaskInfo] = [], setup: AgentSetup = AgentSetup()) -> FleetState {
    var state = FleetState(endpoint: "test", setup: setup)
    reduce(&state, .docker(.snapshot(nodes: [], services: services, tasks: tasks, at: t0)))
    return state
}

func configured(_ name: String, service: String?, url: String? = "http://127.0.0.1:1/health", policy: String = "always-on",
                interval: Double = 10, maxFailures: Int = 3) -> AgentDefinition {
    AgentDefinition(name: name, serviceName: service, policy: policy, healthURL: url, checkInterval: interval,
                    startupTimeout: 60, maxFailures: maxFailures, source: .config)
}

struct AgentListTests {
    let services = [service("openclaw_alpha", desired: 1, running: 1),
                    labelled("openclaw_beta", labels: ["orchestrator.agent": "true", "clawtop.health.url": "http://127.0.0.1:2/h"]),
                    service("redis", desired: 1, running: 1)]

    @Test func configuredAgentsThenLabelledServices() {
        let state = fleet(services, setup: AgentSetup(configured: [configured("alpha", service: "openclaw_alpha"),
                                                                    configured("gone", service: "openclaw_gone")]))
        #expect(state.agents.map(\.name) == ["alpha", "gone", "openclaw_beta"])
        #expect(state.agents.map(\.source) == [.config, .config, .label])
        #expect(state.agents[2].healthURL == "http://127.0.0.1:2/h")
        let rows = state.agentRows(now: t0)
        #expect(rows.first { $0.id == "gone" }?.health == .missing)
    }

    @Test func everyServiceWithAllOrWhenThereAreNoAgents() {
        #expect(fleet([service("redis", desired: 1, running: 1), service("web", desired: 2, running: 2)]).agents.map(\.source) == [.all, .all])
        let all = fleet(services, setup: AgentSetup(showAll: true))
        #expect(all.agents.map(\.name) == ["openclaw_beta", "openclaw_alpha", "redis"])
    }

    @Test func theHealthURLCanBePointedElsewhere() {
        var s = services
        s[0].labels["clawtop.health.url"] = "http://127.0.0.1:3/label"
        let setup = AgentSetup(configured: [configured("alpha", service: "openclaw_alpha", url: "http://tasks.openclaw_alpha:18789/health")])
        #expect(fleet(s, setup: setup).agents[0].healthURL == "http://127.0.0.1:3/label")
        var flag = setup
        flag.healthURLs = ["alpha": "http://127.0.0.1:4/flag"]
        #expect(fleet(s, setup: flag).agents[0].healthURL == "http://127.0.0.1:4/flag")
    }

    @Test func asleepAndMissingAgentsAreNotProbed() {
        let setup = AgentSetup(configured: [configured("alpha", service: "openclaw_alpha", interval: 30),
                                            configured("sleepy", service: "openclaw_sleepy", policy: "on-demand"),
                                            configured("gone", service: "openclaw_gone"),
                                            configured("native", service: nil, policy: "unmanaged", interval: 2)])
        let state = fleet(services + [service("openclaw_sleepy", desired: 0, running: 0)], setup: setup)
        #expect(state.probeTargets.map(\.agent) == ["alpha", "native", "openclaw_beta"])
        #expect(state.probeTargets[0].timeout == 5 && state.probeTargets[1].timeout == 2)
        let rows = Dictionary(uniqueKeysWithValues: state.agentRows(now: t0).map { ($0.id, $0.health) })
        #expect(rows["sleepy"] == .asleep && rows["gone"] == .missing)
        #expect(rows["alpha"] == .starting, "a service with no task yet is about to start")
    }
}

struct AgentHealthTests {
    let setup = AgentSetup(configured: [configured("alpha", service: "openclaw_alpha", url: "http://tasks.openclaw_alpha:18789/health", maxFailures: 2),
                                        configured("ext", service: "openclaw_ext", url: "http://agent.example.invalid/health")])

    func sample(_ i: Double, ok: Bool, reason: String? = nil, unreachable: Bool = false) -> HealthSample {
        HealthSample(time: t0.addingTimeInterval(i), ok: ok, latency: ok ? 0.01 : nil, reason: reason, unreachable: unreachable)
    }

    @Test func anInternalNameThatDoesNotResolveFallsBackToDockerHealth() {
        var tasks = [task("openclaw_alpha", "running", at: t0), task("openclaw_ext", "running", at: t0)]
        tasks[0].containerHealth = .healthy
        var state = fleet([service("openclaw_alpha", desired: 1, running: 1), service("openclaw_ext", desired: 1, running: 1)],
                          tasks: tasks, setup: setup)
        reduce(&state, .probe(agent: "alpha", url: "http://tasks.openclaw_alpha:18789/health",
                              sample: sample(1, ok: false, reason: "DNS: cannot resolve tasks.openclaw_alpha", unreachable: true)))
        reduce(&state, .probe(agent: "ext", url: "http://agent.example.invalid/health",
                              sample: sample(1, ok: false, reason: "DNS: cannot resolve agent.example.invalid", unreachable: true)))
        #expect(state.health["alpha"] == nil, "an unreachable probe is not a failure sample")
        #expect(state.probes["alpha"]?.unreachable == "DNS: cannot resolve tasks.openclaw_alpha")
        #expect(state.health["ext"]?.count == 1, "an outside name that does not resolve is a failure")
        let rows = Dictionary(uniqueKeysWithValues: state.agentRows(now: t0.addingTimeInterval(120)).map { ($0.id, $0) })
        #expect(rows["alpha"]?.health == .healthy && rows["alpha"]?.source == .docker)
        #expect(rows["alpha"]?.lastError == "probe: DNS: cannot resolve tasks.openclaw_alpha")
        #expect(rows["ext"]?.health == .failing && rows["ext"]?.source == .probe)
        #expect(rows["ext"]?.lastError == "DNS: cannot resolve agent.example.invalid")
    }

    @Test func failuresBecomeUnhealthyAtMaxFailuresAndSortFirst() {
        var state = fleet([service("openclaw_alpha", desired: 1, running: 1), service("openclaw_ext", desired: 1, running: 1)],
                          tasks: [task("openclaw_alpha", "running", at: t0)], setup: setup)
        for (i, ok) in [true, true].enumerated() {
            reduce(&state, .probe(agent: "ext", url: "u", sample: sample(100 + Double(i), ok: ok)))
        }
        reduce(&state, .probe(agent: "alpha", url: "u", sample: sample(100, ok: false, reason: "HTTP 500")))
        let now = t0.addingTimeInterval(200)
        #expect(state.agentRows(now: now).map { "\($0.id) \($0.health)" } == ["alpha failing", "ext healthy"])
        reduce(&state, .probe(agent: "alpha", url: "u", sample: sample(101, ok: false, reason: "HTTP 500")))
        let rows = state.agentRows(now: now)
        #expect(rows[0].health == .unhealthy && rows[0].lastError == "HTTP 500")
        #expect(rows[1].since == t0.addingTimeInterval(100))
    }

    @Test func anAgentNotProbedYetKeepsItsPlaceAmongTheHealthy() {
        let setup = AgentSetup(configured: ["a", "b", "c", "d"].map { configured($0, service: "openclaw_\($0)", url: "http://127.0.0.1:1/\($0)") }
                               + [configured("e", service: "openclaw_e", url: nil)])
        let names = ["a", "b", "c", "d", "e"]
        var state = fleet(names.map { service("openclaw_\($0)", desired: 1, running: 1) },
                          tasks: names.map { task("openclaw_\($0)", "running", at: t0) }, setup: setup)
        let now = t0.addingTimeInterval(600)
        func order() -> String { state.agentRows(now: now).map { "\($0.id) \($0.health)" }.joined(separator: ", ") }
        // e has no URL and no Docker check: nothing will ever tell, so it comes before the healthy.
        #expect(order() == "e unknown, a unknown, b unknown, c unknown, d unknown")
        reduce(&state, .probe(agent: "c", url: "u", sample: sample(500, ok: true)))
        reduce(&state, .probe(agent: "d", url: "u", sample: sample(500, ok: false, reason: "HTTP 500")))
        #expect(order() == "d failing, e unknown, a unknown, b unknown, c healthy")
    }

    /// Found with the demo's crash-looping agent: each new task restarted the grace, so it showed `starting` forever.
    @Test func aTaskThatReplacedACrashGetsNoGrace() {
        func task(_ id: String, _ state: String, created: Double, exit: Int? = nil) -> TaskInfo {
            TaskInfo(id: id, serviceID: "id-openclaw_alpha", slot: 1, nodeID: "n1", state: state,
                     desiredState: state == "running" ? "running" : "shutdown", exitCode: exit,
                     timestamp: t0.addingTimeInterval(created), createdAt: t0.addingTimeInterval(created))
        }
        func health(_ tasks: [TaskInfo]) -> HealthState? {
            var state = fleet([service("openclaw_alpha", desired: 1, running: 1)], tasks: tasks, setup: setup)
            for i in 0..<3 { reduce(&state, .probe(agent: "alpha", url: "u", sample: sample(20 + Double(i), ok: false, reason: "HTTP 500"))) }
            return state.agentRows(now: t0.addingTimeInterval(30)).first { $0.id == "alpha" }?.health
        }
        // The same failures after a deploy or a forced update are a start; after a crash, they are what they are.
        #expect(health([task("1", "shutdown", created: -100), task("2", "running", created: 0)]) == .starting)
        #expect(health([task("1", "failed", created: -100, exit: 1), task("2", "running", created: 0)]) == .unhealthy)
    }
}

struct RestartCountTests {
    /// A task of slot `slot` created `created` seconds after t0, its state last changed `changed` seconds after t0.
    func t(_ id: String, _ state: String, slot: Int = 1, desired: String = "running", created: Double, changed: Double? = nil) -> TaskInfo {
        TaskInfo(id: id, serviceID: "id-a", slot: slot, nodeID: "n1", state: state, desiredState: desired,
                 timestamp: t0.addingTimeInterval(changed ?? created), createdAt: t0.addingTimeInterval(created))
    }

    /// The history Swarm keeps tells the restarts, the same at every read (so the console and `snapshot` agree):
    /// crashes and updates are restarts; a slot filled again after a sleep is not.
    @Test func theKeptHistoryTellsTheRestarts() {
        let a = service("a", desired: 1, running: 1)
        let crashes = [t("1", "failed", desired: "shutdown", created: 0, changed: 10), t("2", "failed", desired: "shutdown", created: 15, changed: 25)]
        let other = t("4", "running", slot: 2, created: 0)
        var state = fleet([a], tasks: crashes + [t("3", "running", created: 30), other])
        #expect(state.restarts["a"] == 2)
        reduce(&state, .docker(.snapshot(nodes: [], services: [a], tasks: crashes + [t("3", "running", created: 30), other], at: t0)))
        #expect(state.restarts["a"] == 2, "reading the same history again counts nothing more")
        // A crash replaces task 3.
        let crashed = t("3", "failed", desired: "shutdown", created: 30, changed: 100)
        reduce(&state, .docker(.service(a, tasks: crashes + [crashed, t("5", "starting", created: 105), other], at: t0)))
        #expect(state.restarts["a"] == 3)
        // A forced update: task 5 is told to stop at 195 and ends at 200; its replacement is created at 195.
        let updated = t("5", "shutdown", desired: "shutdown", created: 105, changed: 200)
        reduce(&state, .docker(.service(a, tasks: crashes + [crashed, updated, t("6", "running", created: 195), other], at: t0)))
        #expect(state.restarts["a"] == 4)
        // Asleep at 300, woken at 900: a new task, not a restart.
        let slept = t("6", "shutdown", desired: "shutdown", created: 195, changed: 300)
        reduce(&state, .docker(.service(a, tasks: crashes + [crashed, updated, slept, t("7", "running", created: 900), other], at: t0)))
        #expect(state.restarts["a"] == 4)
        // Read while a forced update replaces a task that is still stopping: a restart already.
        let early = fleet([a], tasks: [t("1", "running", desired: "shutdown", created: 0, changed: 50), t("2", "new", desired: "ready", created: 50)])
        #expect(early.restarts["a"] == 1)
    }
}

struct ReplicaLabelTests {
    @Test func aLogLineIsLabelledByItsTasksSlotOrNode() {
        let global = TaskInfo(id: "g1", serviceID: "id-g", slot: nil, nodeID: "node-abcdef123", state: "running",
                              desiredState: "running", timestamp: t0)
        var state = fleet([service("a", desired: 2, running: 2), service("g", desired: 1, running: 1, mode: .global)],
                          tasks: [task("a", "running", slot: 2), global])
        let slotTask = state.tasks["id-a"]!.first!.id
        var globalLogs = state
        reduce(&state, .logs(.lines(service: "a", [LogEntry(taskID: slotTask, text: "one"),
                                                LogEntry(taskID: "unknown-task", text: "three"),
                                                LogEntry(taskID: slotTask, replica: "kept", text: "four")])))
        #expect(state.logs.entries.map(\.replica) == ["2", "unknow", "kept"])
        reduce(&globalLogs, .logs(.lines(service: "g", [LogEntry(taskID: "g1", text: "two")])))
        #expect(globalLogs.logs.entries.map(\.replica) == ["node-a"])
    }
}
