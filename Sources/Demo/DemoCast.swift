import ClawtopCore
import Foundation

/// How a demo agent's gateway behaves.
enum Behaviour: Sendable, Equatable {
    /// Answers every check, in about `latency` seconds.
    case steady(latency: Double)
    /// Answers, slowly, and now and then not within the timeout.
    case slow
    /// Healthy for a while, then not ready (503) for long enough to turn unhealthy, over and over: its Telegram
    /// channel keeps dropping.
    case flapping
    /// Healthy, but every `cycle` seconds a rollout replaces it: its gateway drains (503 `gateway-draining`) for
    /// `drain` seconds, then the new one starts (503 `startup-sidecars`) for a few seconds more.
    case rollingOut(cycle: Double, drain: Double)
    /// Answers as `steady` does while its memory climbs from 200 MiB to its limit over `every` seconds; then the
    /// kernel kills it (exit 137) and Swarm restarts it.
    case leaking(latency: Double, every: Double)
    /// Starts, answers 500, exits 1 after `uptime` seconds; Swarm restarts it after the restart delay.
    case crashLooping(uptime: Double)
    /// Needs `boot` seconds after its container starts before it answers (then it is healthy).
    case slowStarter(boot: Double)
    /// Its URL names a swarm-internal host, so only Docker's HEALTHCHECK tells its health.
    case dockerHealthOnly
}

/// One agent of the demo fleet, as Warren's config and Swarm would describe it.
struct DemoAgent: Sendable {
    var name: String
    /// Warren's policy; nil for an agent found by its `orchestrator.agent` label.
    var policy: String?
    var behaviour: Behaviour
    /// 0: asleep.
    var replicas: Int
    var interval: Double
    var image: String
    var node: Int
    var team: String
    /// The service does not exist: configured, never deployed.
    var missing = false
    /// When its current task started, before the demo's first moment.
    var upFor: Double = 3 * 86_400 + 4 * 3600

    var service: String { "openclaw_\(name)" }
    /// The name clawtop lists it under: Warren's for a configured agent, its service's for one found by label.
    var listedAs: String { policy == nil ? service : name }
    /// A name that resolves only inside the swarm for the agent with no other check, else a name on the LAN.
    var url: String {
        behaviour == .dockerHealthOnly ? "http://tasks.\(service):8080/healthz" : "http://\(name).agents.internal:18789/readyz"
    }
    /// Seconds from container start to the first good answer.
    var boot: Double {
        switch behaviour {
        case .slowStarter(let boot): return boot
        case .crashLooping: return 6
        default: return 4
        }
    }
}

/// The demo's cast: a dozen agents doing what real fleets do, and the orchestrator's own services.
enum DemoCast {
    static let agents: [DemoAgent] = [
        DemoAgent(name: "research", policy: "always-on", behaviour: .steady(latency: 0.034), replicas: 1, interval: 10,
                  image: "ghcr.io/openclaw/openclaw:2026.11.2", node: 1, team: "research"),
        DemoAgent(name: "support-triage", policy: "always-on", behaviour: .leaking(latency: 0.021, every: 600), replicas: 1,
                  interval: 10, image: "ghcr.io/openclaw/openclaw:2026.11.2", node: 2, team: "support"),
        DemoAgent(name: "code-review", policy: "always-on", behaviour: .rollingOut(cycle: 600, drain: 25), replicas: 1, interval: 10,
                  image: "ghcr.io/openclaw/openclaw:2026.11.2", node: 0, team: "platform"),
        DemoAgent(name: "sales-outreach", policy: "always-on", behaviour: .flapping, replicas: 1, interval: 5,
                  image: "ghcr.io/openclaw/openclaw:2026.11.1", node: 1, team: "sales"),
        DemoAgent(name: "data-pipeline", policy: "always-on", behaviour: .crashLooping(uptime: 25), replicas: 1,
                  interval: 5, image: "registry.internal:5000/agents/data-pipeline:0.14.0", node: 2, team: "data"),
        DemoAgent(name: "inbox", policy: "on-demand", behaviour: .steady(latency: 0.018), replicas: 1, interval: 10,
                  image: "ghcr.io/openclaw/openclaw:2026.11.2", node: 0, team: "ops", upFor: 47 * 60),
        DemoAgent(name: "translator", policy: "on-demand", behaviour: .slow, replicas: 1, interval: 10,
                  image: "ghcr.io/openclaw/openclaw:2026.11.2", node: 1, team: "support", upFor: 2 * 3600 + 10 * 60),
        DemoAgent(name: "docs-writer", policy: "on-demand", behaviour: .slowStarter(boot: 45), replicas: 1, interval: 5,
                  image: "ghcr.io/openclaw/openclaw:2026.11.2", node: 2, team: "platform", upFor: 20),
        DemoAgent(name: "calendar", policy: "on-demand", behaviour: .steady(latency: 0.015), replicas: 0, interval: 10,
                  image: "ghcr.io/openclaw/openclaw:2026.11.2", node: 0, team: "ops"),
        DemoAgent(name: "incident-scribe", policy: "on-demand", behaviour: .steady(latency: 0.027), replicas: 0,
                  interval: 10, image: "ghcr.io/openclaw/openclaw:2026.11.0", node: 1, team: "sre"),
        DemoAgent(name: "mail-sorter", policy: "always-on", behaviour: .dockerHealthOnly, replicas: 1, interval: 10,
                  image: "registry.internal:5000/agents/mail-sorter:1.3.7", node: 0, team: "ops"),
        DemoAgent(name: "standup-bot", policy: "always-on", behaviour: .steady(latency: 0.02), replicas: 1, interval: 10,
                  image: "ghcr.io/openclaw/openclaw:2026.11.2", node: 2, team: "eng", missing: true),
        DemoAgent(name: "billing-helper", policy: nil, behaviour: .steady(latency: 0.041), replicas: 1, interval: 30,
                  image: "ghcr.io/openclaw/openclaw:2026.11.2", node: 2, team: "finance"),
    ]

    /// Services that are not agents: shown with `--all`.
    static let infrastructure: [(name: String, image: String, node: Int)] = [
        ("warren_orchestrator", "ghcr.io/warren-ai/warren:0.9.4", 0),
        ("warren_alexandria", "ghcr.io/warren-ai/alexandria:0.3.1", 0),
    ]

    static let nodes: [NodeInfo] = [
        NodeInfo(id: demoID("node", "mgr-1"), hostname: "mgr-1", role: "manager", state: "ready", leader: true,
                 address: "10.20.0.11", engine: "28.2.2"),
        NodeInfo(id: demoID("node", "worker-1"), hostname: "worker-1", role: "worker", state: "ready",
                 address: "10.20.0.12", engine: "28.2.2"),
        NodeInfo(id: demoID("node", "worker-2"), hostname: "worker-2", role: "worker", state: "ready",
                 address: "10.20.0.13", engine: "28.2.2"),
    ]

    /// Warren's view of the agents: what orchestrator.yaml would say (the labelled agent is not in it).
    static func setup(showAll: Bool = false, healthURLs: [String: String] = [:]) -> AgentSetup {
        let configured = agents.filter { $0.policy != nil }.map { a in
            AgentDefinition(name: a.name, serviceName: a.service, policy: a.policy, healthURL: a.url,
                            checkInterval: a.interval, startupTimeout: 60, maxFailures: 3, source: .config)
        }
        return AgentSetup(configured: configured, showAll: showAll, healthURLs: healthURLs, defaultCheckInterval: 30)
    }

    /// The overlay the agents share, encrypted as the guide's stack file has it.
    static let network = NetworkInfo(id: demoID("network", "openclaw_agents"), name: "openclaw_agents", driver: "overlay", encrypted: true)

    /// Each agent's spec as the guide's stack file has it, but two that break its rules (for the audit):
    /// data-pipeline keeps its API key in the environment and has no memory limit; translator runs as root and
    /// restarts without end.
    static func spec(_ a: DemoAgent) -> ServiceSpecSummary {
        var spec = ServiceSpecSummary(
            restartCondition: "any", restartDelay: 5, restartMaxAttempts: a.name == "translator" ? 0 : 10, restartWindow: 120,
            cpuLimit: a.name == "code-review" ? 2 : 1,
            memoryLimit: a.name == "data-pipeline" ? nil : (a.name == "code-review" ? 2 : 1) << 30,
            cpuReservation: 0.25, memoryReservation: 256 << 20,
            envNames: ["OPENCLAW_GATEWAY_BIND", "OPENCLAW_GATEWAY_PORT", "OPENCLAW_MODEL", "OPENCLAW_GATEWAY_TOKEN",
                       a.name == "data-pipeline" ? "ANTHROPIC_API_KEY" : "ANTHROPIC_API_KEY_FILE", "TZ"],
            secrets: ["openclaw_gateway_token", "anthropic_api_key"],
            healthcheck: a.behaviour == .dockerHealthOnly ? "CMD-SHELL wget -qO- http://127.0.0.1:8080/healthz || exit 1"
                : "CMD curl -f http://localhost:18789/health",
            healthcheckInterval: 10)
        spec.user = a.name == "translator" ? "root" : "agent"
        spec.inlineSecrets = a.name == "data-pipeline" ? ["ANTHROPIC_API_KEY"] : []
        spec.networks = [network.id]
        return spec
    }

    static func labels(_ a: DemoAgent) -> [String: String] {
        var labels = ["com.docker.stack.namespace": "openclaw", "openclaw.team": a.team]
        if a.policy == nil {
            labels[AgentSetup.agentLabel] = a.name
            labels[AgentSetup.healthURLLabel] = a.url
        }
        if a.name == "support-triage" { labels["openclaw.webhook.secret"] = "whsec_demo_4f9c2a7e1b" }
        return labels
    }
}

extension DemoAgent {
    /// The cores its gateway keeps busy: one agent burns its whole limit, the others a little.
    var cores: Double { name == "research" ? 0.99 : 0.01 + 0.12 * noise(name, 0, "cpu") }
    /// What it holds when it does not leak.
    var memory: Int64 { Int64(160 + 500 * noise(name, 0, "mem")) << 20 }
}

/// A stable 25-character ID in Docker's alphabet, from a kind and a name.
func demoID(_ kind: String, _ name: String) -> String {
    let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
    var hash = stableHash(kind + "/" + name)
    var id = ""
    for _ in 0..<25 {
        id.append(alphabet[Int(hash % 36)])
        hash = hash / 36 &+ stableHash(id) // mixes again as it goes, so 25 characters come from a 64-bit hash
    }
    return id
}

/// A number in [0, 1) fixed for (name, k, salt): the demo's only randomness, so a scene is the same every run.
func noise(_ name: String, _ k: Int, _ salt: String = "") -> Double {
    Double(stableHash("\(name)#\(k)#\(salt)") % 1_000_003) / 1_000_003
}
