import ClawtopCore
import Foundation
import Testing

/// The guide's rules against one service each that breaks exactly one, and one that keeps them all.
struct AuditTests {
    static let overlay = NetworkInfo(id: "net-enc", name: "agents_secure", driver: "overlay", encrypted: true)

    /// A service as the guide's stack file makes it: limits, reservations, restart policy, user, HEALTHCHECK, an
    /// encrypted overlay.
    static func good(_ name: String) -> ServiceInfo {
        var s = service(name, desired: 1, running: 1)
        s.spec = ServiceSpecSummary(restartCondition: "any", restartDelay: 5, restartMaxAttempts: 10, restartWindow: 120,
                                    cpuLimit: 2, memoryLimit: 4 << 30, cpuReservation: 0.5, memoryReservation: 1 << 30,
                                    envNames: ["ANTHROPIC_API_KEY_FILE"], secrets: ["api-key"], healthcheck: "CMD curl -f http://localhost:8081/api/health")
        s.spec.user = "agent"
        s.spec.networks = [overlay.id]
        return s
    }

    /// Each rule and the change to a good service that breaks it (and only it).
    static let breakers: [(rule: String, change: @Sendable (inout ServiceInfo) -> Void)] = [
        ("secret-in-env", { $0.spec.inlineSecrets = ["ANTHROPIC_API_KEY"] }),
        ("root-user", { $0.spec.user = "root" }),
        ("memory-limit", { $0.spec.memoryLimit = nil }),
        ("healthcheck", { $0.spec.healthcheck = nil; $0.spec.healthcheckDisabled = true }),
        ("restart-attempts", { $0.spec.restartMaxAttempts = 0 }),
        ("cpu-limit", { $0.spec.cpuLimit = nil }),
        ("reservations", { $0.spec.cpuReservation = nil; $0.spec.memoryReservation = nil }),
        ("encrypted-network", { $0.spec.networks = ["net-plain"] }),
    ]

    func fleet(_ services: [ServiceInfo], tasks: [TaskInfo] = []) -> FleetState {
        let agents = services.map { AgentDefinition(name: $0.name, serviceName: $0.name, healthURL: "http://127.0.0.1:1/health", source: .config) }
        var state = FleetState(endpoint: "test", setup: AgentSetup(configured: agents))
        let running = services.map { TaskInfo(id: "t-\($0.name)", serviceID: $0.id, slot: 1, nodeID: "n1", state: "running",
                                              desiredState: "running", timestamp: t0, containerID: "c-\($0.name)") }
        reduce(&state, .docker(.snapshot(nodes: [NodeInfo(id: "n1", hostname: "mgr1", role: "manager", state: "ready")],
                                         services: services, tasks: running + tasks, at: t0)))
        reduce(&state, .docker(.networks([Self.overlay, NetworkInfo(id: "net-plain", name: "plain", driver: "overlay")])))
        for s in services {
            reduce(&state, .probe(agent: s.name, url: "http://127.0.0.1:1/health", sample: HealthSample(time: t0, ok: true, latency: 0.01, status: 200)))
        }
        return state
    }

    func report(_ state: FleetState) -> AuditReport { AuditReport(state, rows: state.agentRows(now: t0)) }

    @Test func eachBreakingServiceShowsItsRuleAndOnlyItsRule() {
        var services = [Self.good("keeper")]
        for (rule, change) in Self.breakers {
            var s = Self.good("breaks-\(rule)")
            change(&s)
            services.append(s)
        }
        let report = report(fleet(services))
        #expect(report.unjudged.isEmpty, "\(report.unjudged)")
        for (rule, _) in Self.breakers {
            #expect(report.failing.filter { $0.agent == "breaks-\(rule)" }.map(\.rule) == [rule], "\(report.failing)")
        }
        #expect(!report.failing.contains { $0.agent == "keeper" })
        #expect(report.failing.first?.rule == "secret-in-env", "the worst first")
        #expect(report.failing.first { $0.rule == "secret-in-env" }?.fact == "ANTHROPIC_API_KEY is set in the environment, not a secret")
        #expect(report.failing.first { $0.rule == "memory-limit" }?.fix == "the guide: `deploy.resources.limits.memory`")
    }

    /// A 200 that is not ready, a task pending for a secret, and the image's user read on its node (or not).
    @Test func probesTasksAndContainersJudgeTheirRules() {
        var noUser = Self.good("image-root")
        noUser.spec.user = nil
        noUser.spec.healthcheck = nil
        var state = fleet([Self.good("html"), Self.good("nosecret"), noUser],
                          tasks: [TaskInfo(id: "t-pending", serviceID: "id-nosecret", slot: 2, nodeID: nil, state: "pending",
                                           desiredState: "running", error: "secret not found: api-key", timestamp: t0)])
        reduce(&state, .probe(agent: "html", url: "http://127.0.0.1:1/health",
                              sample: HealthSample(time: t0 + 1, ok: false, status: 200, reason: "HTML on 200: not a health endpoint")))
        // Another node's daemon is read; not mgr1's.
        reduce(&state, .usage(.reach(["n9": NodeReach(via: "--node wk9")], unmatched: [])))
        var r = report(state)
        #expect(r.failing.filter { $0.agent == "html" }.map(\.fact) == ["health URL answers 200 while not ready (HTML on 200: not a health endpoint)"])
        #expect(r.failing.filter { $0.agent == "nosecret" }.map(\.fact) == ["secret not found: task pending"])
        // Where no node's containers are read, the image's user and HEALTHCHECK cannot be judged, and say why.
        #expect(r.unjudged.filter { $0.agent == "image-root" }.map(\.rule) == ["root-user", "healthcheck"], "\(r.unjudged)")
        #expect(r.unjudged.first?.fact == "its container on mgr1: no endpoint, see --node")
        #expect(!r.passes)
        reduce(&state, .usage(.reach(["n1": NodeReach(via: "this daemon")], unmatched: [])))
        reduce(&state, .usage(.containerConfigs(node: "n1", [ContainerConfig(taskID: "t-image-root", user: "", healthcheck: true)])))
        r = report(state)
        #expect(r.unjudged.isEmpty, "\(r.unjudged)")
        #expect(r.failing.filter { $0.agent == "image-root" }.map(\.fact) == ["runs as root (image user empty, no --user)"])
    }

    @Test func aLabelSilencesRulesAndSaysHowMany() {
        var s = Self.good("quiet")
        s.spec.memoryLimit = nil
        s.spec.cpuLimit = nil
        s.labels[AuditReport.ignoreLabel] = "memory-limit, cpu-limit"
        let r = report(fleet([s]))
        #expect(r.failing.isEmpty && r.silenced == 2 && r.passes)
    }
}
