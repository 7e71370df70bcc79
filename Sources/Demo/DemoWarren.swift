import ClawtopCore
import Foundation
import FleetSource

/// The demo's Warren: the orchestrator as it would see the simulated fleet. Its states follow the world (asleep at
/// zero replicas, degraded while an agent fails its checks), agents hold WebSocket connections, and it sees one
/// agent clawtop cannot reach (mail-sorter, behind a swarm-internal URL) failing its checks: degraded, though
/// Docker's own check says healthy. Wake and sleep scale the simulated service, as Warren would.
public struct DemoWarren: WarrenLink {
    let world: DemoBackend.Shared
    let tick: Double

    public var address: String { "http://warren.demo:9090" }

    public func readOnce() async -> [Message] {
        let (agents, status, now) = world.state.withLock { w in (w.warrenAgents(at: w.now), w.warrenStatus(at: w.now), w.now) }
        return [.warren(.read(agents: agents, status: status, at: now))]
    }

    /// Reads every `tick` and posts the events Warren would have sent in between: each change of state, and the
    /// failed checks of the agent it sees failing.
    public func watch(post: @escaping @Sendable (Message) -> Void) async {
        var last: [String: String] = [:]
        var lastCheck = Date()
        while !Task.isCancelled {
            let (agents, status, now) = world.state.withLock { w in (w.warrenAgents(at: w.now), w.warrenStatus(at: w.now), w.now) }
            for agent in agents where last[agent.name] != nil && last[agent.name] != agent.state {
                post(.warren(.event(WarrenEvent(type: DemoWarren.eventType(for: agent.state), agent: agent.name, time: now))))
            }
            if now.timeIntervalSince(lastCheck) >= 10 {
                lastCheck = now
                post(.warren(.event(WarrenEvent(type: "agent.health_failed", agent: "mail-sorter", time: now,
                                                fields: ["error": DemoWarren.mailSorterError]))))
            }
            last = Dictionary(agents.map { ($0.name, $0.state) }, uniquingKeysWith: { a, _ in a })
            post(.warren(.read(agents: agents, status: status, at: now)))
            do { try await Task.sleep(for: .seconds(tick)) } catch { return }
        }
    }

    static let mailSorterError = "health check failed: Get \"http://tasks.openclaw_mail-sorter:8080/healthz\": HTTP 500"

    static func eventType(for state: String) -> String {
        switch state {
        case "ready": return "agent.ready"
        case "degraded": return "agent.degraded"
        case "sleeping": return "agent.sleep"
        default: return "agent.starting"
        }
    }

    public func wake(_ agent: String) async throws(SourceError) { try await scale(agent, to: 1) }
    public func sleep(_ agent: String) async throws(SourceError) { try await scale(agent, to: 0) }

    private func scale(_ agent: String, to replicas: Int) async throws(SourceError) {
        guard let cast = DemoCast.agents.first(where: { $0.name == agent && $0.policy == "on-demand" }) else {
            throw SourceError("Warren refused: agent is not on-demand")
        }
        let now = Date()
        _ = try world.state.withLock { (w: inout DemoWorld) throws(SourceError) -> ActionChange in
            w.advance(to: now)
            return try w.scale(cast.service, to: replicas)
        }
    }

    public func shutdown() async {}
}

extension DemoWorld {
    /// What Warren's `/admin/agents` would say now: the configured agents (Warren does not know the labelled one).
    func warrenAgents(at t: Date) -> [WarrenAgent] {
        DemoCast.agents.filter { $0.policy != nil }.map { a in
            let state = warrenState(a, at: t)
            let connections = state == "ready" ? Int(noise(a.name, 0, "ws") * 5) : 0
            return WarrenAgent(name: a.name, hostname: "\(a.name).agents.example.com", policy: a.policy ?? "",
                               backend: "http://tasks.\(a.service):18789", containerName: a.service, healthURL: a.url,
                               idleTimeout: a.policy == "on-demand" ? "30m0s" : "0s", state: state, connections: connections)
        }
    }

    func warrenStatus(at t: Date) -> WarrenStatus {
        let agents = warrenAgents(at: t)
        return WarrenStatus(uptime: t.timeIntervalSince(origin) + 12 * 86_400, agents: agents.count,
                            ready: agents.filter { $0.state == "ready" }.count,
                            sleeping: agents.filter { $0.state == "sleeping" }.count,
                            webSockets: agents.reduce(0) { $0 + $1.connections })
    }

    private func warrenState(_ a: DemoAgent, at t: Date) -> String {
        guard let s = index(of: a.service) else { return "starting" }
        if services[s].info.desired == 0 { return "sleeping" }
        switch a.behaviour {
        case .dockerHealthOnly, .crashLooping: return "degraded"
        // Warren counts the same failures as clawtop: degraded at the third (5 s apart) of a spell.
        case .flapping: return flappingPhase(at: t) >= 110 ? "degraded" : "ready"
        case .rollingOut(let cycle, let drain):
            // Its checks fail through the drain and the restart after it: degraded from the third failure on.
            let into = rolloutPhase(at: t, cycle: cycle)
            return into >= 21 && into < drain + 8 ? "degraded" : "ready"
        case .slowStarter: return sample(a, at: t).ok ? "ready" : "starting"
        case .steady, .slow, .leaking: return services[s].info.running > 0 ? "ready" : "starting"
        }
    }
}
