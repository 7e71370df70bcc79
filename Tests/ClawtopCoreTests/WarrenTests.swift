import ClawtopCore
import Foundation
import Testing

/// Warren's view in the model: its agents beside Docker's, its verdict where clawtop's probe cannot reach, its
/// events into the agents' events and history, and a disagreement with clawtop's own probe.
struct WarrenModelTests {
    func fleet(probeURL: String = "http://tasks.openclaw_alpha:18789/health") -> FleetState {
        var state = FleetState(endpoint: "test")
        state.setup = AgentSetup(configured: [AgentDefinition(name: "alpha", serviceName: "openclaw_alpha", policy: "always-on",
                                                              healthURL: probeURL, source: .config)])
        state.warren = WarrenView(address: "http://127.0.0.1:9090")
        reduce(&state, .docker(.snapshot(nodes: [], services: [service("openclaw_alpha", desired: 1, running: 1),
                                                       service("openclaw_beta", desired: 0, running: 0)],
                                 tasks: [task("openclaw_alpha", "running")], at: t0)))
        return state
    }

    let alpha = WarrenAgent(name: "alpha", hostname: "alpha.example.com", policy: "always-on", backend: "http://tasks.openclaw_alpha:18789",
                            containerName: "openclaw_alpha", state: "ready", connections: 2)
    let beta = WarrenAgent(name: "beta", hostname: "beta.example.com", policy: "on-demand", backend: "http://x",
                           containerName: "openclaw_beta", idleTimeout: "30m", state: "sleeping")
    let worker = WarrenAgent(name: "cc-7f3a", type: "process", state: "running", runtime: "claude-code", taskID: "t-1")
    let status = WarrenStatus(uptime: 3600, agents: 2, ready: 1, sleeping: 1, webSockets: 2)

    /// Warren answers every wake "waking": one it ignored (inside its wake_cooldown) is told from its state 5 s on,
    /// in the timeline; one it took (its `agent.wake` event, even with a read after it that still says sleeping, or a
    /// read that says starting) is not.
    @Test func aWakeWarrenIgnoredIsToldFromItsState() {
        let wake = ActionRequest(agent: "beta", service: "openclaw_beta", serviceID: "id-openclaw_beta",
                                 kind: .scale(from: 0, to: 1), verb: .wake, route: .warren)
        func asked(then messages: [Message]) -> (FleetState, [String]) {
            var state = fleet()
            reduce(&state, .warren(.read(agents: [alpha, beta], status: status, at: t0)))
            reduce(&state, .action(ActionOutcome(request: wake, ok: true, message: "done", at: t0 + 1)))
            for m in messages { reduce(&state, m) }
            #expect(state.ignoredWakes(now: t0 + 5.9).isEmpty, "not before 5 s")
            let said = state.ignoredWakes(now: t0 + 6)
            return (state, said)
        }
        let first = asked(then: [])
        var ignored = first.0
        #expect(first.1 == ["beta"])
        #expect(ignored.ignoredWakes(now: t0 + 20).isEmpty, "said once")
        _ = ignored.noteTransitions(rows: ignored.agentRows(now: t0 + 6), now: t0 + 6)
        #expect(ignored.timeline.last?.reason == FleetState.ignoredWake && ignored.timeline.last?.agent == "beta")

        var starting = beta
        starting.state = "starting"
        #expect(asked(then: [.warren(.event(WarrenEvent(type: "agent.wake", agent: "beta", time: t0 + 1.2))),
                             .warren(.read(agents: [alpha, beta], status: status, at: t0 + 1.3))]).1.isEmpty)
        #expect(asked(then: [.warren(.read(agents: [alpha, starting], status: status, at: t0 + 3))]).1.isEmpty)
        // Warren away: nothing to tell the wake's fate by.
        #expect(asked(then: [.warren(.link(.unreachable("refused")))]).1.isEmpty)
        // A wake that failed, or went to Docker, is not Warren's to ignore.
        var failed = fleet()
        reduce(&failed, .action(ActionOutcome(request: wake, ok: false, message: "refused", at: t0 + 1)))
        #expect(failed.ignoredWakes(now: t0 + 10).isEmpty)
    }

    @Test func warrensVerdictStandsWhereClawtopCannotReach() {
        var state = fleet()
        reduce(&state, .probe(agent: "alpha", url: "http://tasks.openclaw_alpha:18789/health",
                              sample: HealthSample(time: t0, ok: false, reason: "DNS: cannot resolve tasks.openclaw_alpha", unreachable: true)))
        reduce(&state, .warren(.read(agents: [alpha, beta, worker], status: status, at: t0)))
        let rows = Dictionary(state.agentRows(now: t0 + 1).map { ($0.agent.name, $0) }, uniquingKeysWith: { a, _ in a })
        #expect(rows["alpha"]?.health == .healthy && rows["alpha"]?.source == .warren)
        #expect(rows["alpha"]?.warren?.connections == 2)
        // Known to Warren only (added through its API), and its process worker in a group of its own, last.
        #expect(rows["beta"]?.agent.source == .warren && rows["beta"]?.health == .asleep)
        #expect(rows["cc-7f3a"]?.agent.source == .process && rows["cc-7f3a"]?.health == .healthy && rows["cc-7f3a"]?.source == .warren)
        #expect(state.agentRows(now: t0 + 1).last?.agent.name == "cc-7f3a")

        // Warren away: its verdict no longer stands in.
        reduce(&state, .warren(.link(.unreachable("refused"))))
        let away = state.agentRows(now: t0 + 2).first { $0.agent.name == "alpha" }
        #expect(away?.source != .warren && away?.warren == nil)
    }

    @Test func eventsMoveTheStateAndGoIntoEventsAndHistory() {
        var state = fleet()
        reduce(&state, .probe(agent: "alpha", url: "http://tasks.openclaw_alpha:18789/health",
                              sample: HealthSample(time: t0, ok: false, reason: "DNS", unreachable: true)))
        reduce(&state, .warren(.read(agents: [alpha], status: status, at: t0)))
        reduce(&state, .warren(.event(WarrenEvent(type: "agent.health_failed", agent: "alpha", time: t0 + 5,
                                                  fields: ["error": "connection refused"]))))
        reduce(&state, .warren(.event(WarrenEvent(type: "agent.degraded", agent: "alpha", time: t0 + 6))))
        let row = state.agentRows(now: t0 + 7).first { $0.agent.name == "alpha" }
        #expect(row?.health == .unhealthy && row?.warren?.state == "degraded")
        #expect(row?.lastError == "warren: health failed: connection refused")
        #expect(state.events["openclaw_alpha"]?.map(\.text) == ["warren: health failed: connection refused", "warren: degraded"])
        #expect(state.health["alpha"]?.count == 1)
        // Docker's events as Warren passes them on are not said twice.
        reduce(&state, .warren(.event(WarrenEvent(type: "docker.container.die", agent: "alpha", time: t0 + 8,
                                                  fields: ["action": "container.die"]))))
        #expect(state.events["openclaw_alpha"]?.count == 2)
    }

    @Test func aDisagreementIsSaidAndComesFirst() {
        var state = fleet(probeURL: "http://127.0.0.1:18789/health")
        for i in 0..<3 {
            reduce(&state, .probe(agent: "alpha", url: "http://127.0.0.1:18789/health",
                                  sample: HealthSample(time: t0 + Double(i), ok: true, latency: 0.01, status: 200)))
        }
        var degraded = alpha
        degraded.state = "degraded"
        reduce(&state, .warren(.read(agents: [degraded], status: status, at: t0)))
        let row = state.agentRows(now: t0 + 5).first { $0.agent.name == "alpha" }
        #expect(row?.health == .healthy && row?.source == .probe)
        #expect(row?.disagreement == "warren sees degraded")
        #expect(row?.lastError == "warren sees degraded, clawtop healthy: routing or network?")
        #expect(row?.urgency == 1)
        // In the JSON too.
        let report = FleetReport(state, now: t0 + 5)
        #expect(report.agents.first { $0.name == "alpha" }?.disagreement == "warren sees degraded")
        #expect(report.warren?.link == "live" && report.warren?.ready == 1)

        // Failing short of max_failures while Warren still says ready is agreement, not a fault.
        var failing = fleet(probeURL: "http://127.0.0.1:18789/health")
        reduce(&failing, .probe(agent: "alpha", url: "http://127.0.0.1:18789/health",
                                sample: HealthSample(time: t0, ok: false, status: 500, reason: "HTTP 500")))
        reduce(&failing, .warren(.read(agents: [alpha], status: status, at: t0)))
        let row2 = failing.agentRows(now: t0 + 90).first { $0.agent.name == "alpha" }
        #expect(row2?.health == .failing && row2?.disagreement == nil)
    }

    @Test func eventsParseTheirStateAndNote() {
        #expect(WarrenEvent(type: "agent.wake", agent: "a", time: t0).state == "starting")
        #expect(WarrenEvent(type: "agent.sleep", agent: "a", time: t0).note == "warren: asleep")
        #expect(WarrenEvent(type: "agent.health_failed", agent: "a", time: t0, fields: ["error": "HTTP 503", "failures": "2"]).note
                == "warren: health failed: HTTP 503 (2 in a row)")
        #expect(WarrenEvent(type: "docker.container.die", agent: "a", time: t0).state == nil)
    }
}
