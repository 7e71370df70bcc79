import ClawtopCore
import Foundation

/// A fleet of `count` agents as a long-running console would hold it: every agent configured with a URL, its
/// service running one task, `samples` health checks each (a few failing), and, for the first agent, a full log ring.
func syntheticFleet(agents count: Int, samples: Int = 720, logLines: Int = 5000, now: Date) -> FleetState {
    let agents = (0..<count).map { i in
        AgentDefinition(name: "agent-\(i)", serviceName: "openclaw_agent-\(i)", policy: i % 3 == 0 ? "on-demand" : "always-on",
                        healthURL: "http://agent-\(i).agents.internal:18789/health", checkInterval: 10, source: .config)
    }
    var state = FleetState(endpoint: "bench", setup: AgentSetup(configured: agents))
    let node = NodeInfo(id: "node-1", hostname: "mgr-1", role: "manager", state: "ready")
    let services = (0..<count).map { i in
        ServiceInfo(id: "svc-\(i)", name: "openclaw_agent-\(i)", image: "ghcr.io/openclaw/openclaw:2026.11.2", mode: .replicated,
                    desired: 1, running: 1, createdAt: now - 86_400 * 3)
    }
    let tasks = (0..<count).map { i in
        TaskInfo(id: "task-\(i)", serviceID: "svc-\(i)", slot: 1, nodeID: "node-1", state: "running", desiredState: "running",
                 timestamp: now - 86_400, createdAt: now - 86_400)
    }
    reduce(&state, .docker(.snapshot(nodes: [node], services: services, tasks: tasks, at: now)))
    for i in 0..<count {
        var history = HealthHistory(capacity: 720)
        for k in 0..<samples {
            let ok = (k + i) % 97 != 0
            history.append(HealthSample(time: now - Double(samples - k) * 10, ok: ok, latency: ok ? 0.01 + Double((k * 7 + i) % 50) / 1000 : nil,
                                        status: ok ? 200 : 503, reason: ok ? nil : "HTTP 503"))
        }
        state.health["agent-\(i)"] = history
        state.probes["agent-\(i)"] = ProbeNote(at: now - 1)
    }
    if count > 0 {
        var entries: [LogEntry] = []
        for k in 0..<logLines {
            entries.append(LogEntry(time: now - Double(logLines - k) / 10, stream: k % 13 == 0 ? .stderr : .stdout, replica: "1",
                                    text: "[agent] run \(k) done in \(k % 90 / 10).\(k % 10)s (in \(800 + k % 7000) tok, out \(k % 900) tok)"))
        }
        reduce(&state, .logs(.lines(service: "openclaw_agent-0", entries)))
    }
    return state
}

/// A new sample for agent `i`: a health change when `ok` differs from its last one.
func sample(_ state: inout FleetState, agent i: Int, ok: Bool, at time: Date) {
    reduce(&state, probe(agent: i, ok: ok, at: time))
}

/// A probe result of agent `i`.
func probe(agent i: Int, ok: Bool, at time: Date) -> Message {
    .probe(agent: "agent-\(i)", url: "http://agent-\(i).agents.internal:18789/health",
           sample: HealthSample(time: time, ok: ok, latency: ok ? 0.02 : nil, status: ok ? 200 : 500,
                                reason: ok ? nil : "HTTP 500"))
}
