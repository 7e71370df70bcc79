import ClawtopCore
import Dashboard
@testable import Demo
import Foundation
import FleetSource
import Health
import Testing

let start = Date(timeIntervalSinceReferenceDate: 800_000_000)

/// The fleet state the console would hold after these messages.
func fleet(_ messages: [Message]) -> FleetState {
    var state = FleetState(endpoint: "demo", setup: DemoCast.setup())
    for m in messages { reduce(&state, m) }
    return state
}

func rows(_ state: FleetState, at now: Date) -> [String: AgentRow] {
    Dictionary(uniqueKeysWithValues: state.agentRows(now: now).map { ($0.id, $0) })
}

/// Runs the world and the probes the console would run for `seconds`, one second at a time.
func live(_ world: inout DemoWorld, _ state: inout FleetState, for seconds: Int, from: Date,
          each: (Date, FleetState) -> Void = { _, _ in }) {
    for s in 1...seconds {
        let now = from + Double(s)
        world.advance(to: now)
        for m in world.drain() { reduce(&state, m) }
        for target in state.probeTargets where s % Int(target.interval) == 0 {
            reduce(&state, .probe(agent: target.agent, url: target.url, sample: world.sample(agent: target.agent, at: now)))
        }
        each(now, state)
    }
}

struct DemoOpeningTests {
    @Test func theSceneIsTheSameWheneverItOpens() {
        let later = start + 3 * 86_400 + 7
        let (_, a) = DemoWorld.opening(at: start), (_, b) = DemoWorld.opening(at: later)
        #expect(a == DemoWorld.opening(at: start).messages)
        for (width, height) in [(120, 40), (80, 24)] {
            for pane in [Pane.details, .logs] {
                var ui = UIState()
                ui.pane = pane
                #expect(render(fleet(a), ui: ui, width: width, height: height, now: start).text
                        == render(fleet(b), ui: ui, width: width, height: height, now: later).text)
            }
        }
        #expect(StatusReport(rows: fleet(a).agentRows(now: start), endpoint: "", now: start).exitStatus == 1)
    }

    /// The hours of usage and kills the demo opens with are the same at any (whole) minute it opens.
    @Test func thePastIsTheSameWheneverItOpens() {
        let first = Date(timeIntervalSince1970: (start.timeIntervalSince1970 / 60).rounded(.down) * 60)
        let later = first + 3 * 86_400 + 5 * 60
        let (a, b) = (DemoPast.history(before: first), DemoPast.history(before: later))
        #expect(!a.usage.isEmpty && a.usage.keys == b.usage.keys)
        for (service, minutes) in a.usage {
            #expect(minutes.map(\.memory) == b.usage[service]?.map(\.memory), "\(service)")
            #expect(minutes.map(\.cpuTotal) == b.usage[service]?.map(\.cpuTotal), "\(service)")
        }
        #expect(a.transitions.map { $0.time.timeIntervalSince(first) } == b.transitions.map { $0.time.timeIntervalSince(later) })
        #expect(a.transitions.filter(\.isOOMKill).count >= 10, "killed every ten minutes or so, for two hours")
    }

    @Test func theCastHasWhatOperatorsMeet() {
        let (world, messages) = DemoWorld.opening(at: start)
        let state = fleet(messages)
        let r = rows(state, at: start)
        #expect(r.count == 13)
        #expect(r["data-pipeline"]?.health == .unhealthy, "the crash-looper")
        #expect((r["data-pipeline"]?.restarts ?? 0) >= 4)
        #expect(r["standup-bot"]?.health == .missing)
        #expect(r["calendar"]?.health == .asleep && r["incident-scribe"]?.health == .asleep)
        #expect(r["docs-writer"]?.health == .starting, "woken 20 s ago, still booting")
        #expect(r["mail-sorter"]?.health == .healthy && r["mail-sorter"]?.source == .docker)
        #expect(r["openclaw_billing-helper"]?.agent.source == .label && r["openclaw_billing-helper"]?.health == .healthy)
        // Not ready because of a channel, and draining in a rollout: the why from their gateways' readiness answers.
        #expect(r["sales-outreach"]?.readiness?.failing == ["telegram"] && r["sales-outreach"]?.lastError == "not ready: telegram")
        #expect(r["sales-outreach"]?.health == .failing || r["sales-outreach"]?.health == .unhealthy)
        #expect(r["code-review"]?.readiness?.phase == .draining && r["code-review"]?.health == .failing)
        for name in ["research", "support-triage", "inbox", "translator"] {
            #expect(r[name]?.health == .healthy && r[name]?.source == .probe, "\(name)")
            #expect((r[name]?.history.count ?? 0) >= 50, "\(name) opens with its history")
        }
        #expect(state.nodes.count == 3 && state.services.count == 14)
        #expect(world.now == start)
    }

    @Test func theFlappingAgentTurnsUnhealthyAndBack() {
        var (world, messages) = DemoWorld.opening(at: start)
        var state = fleet(messages)
        var seen: [HealthState] = []
        live(&world, &state, for: 300, from: start) { now, state in
            if let h = rows(state, at: now)["sales-outreach"]?.health, seen.last != h { seen.append(h) }
        }
        #expect(seen.filter { $0 == .unhealthy }.count >= 2 && seen.filter { $0 == .healthy }.count >= 2, "\(seen)")
    }

    @Test func theCrashLooperIsReplacedAndCounted() {
        var (world, messages) = DemoWorld.opening(at: start)
        var state = fleet(messages)
        live(&world, &state, for: 160, from: start)
        let tasks = state.tasks[demoID("service", "openclaw_data-pipeline")] ?? []
        #expect(state.restarts["openclaw_data-pipeline"] == DemoWorld.tasksKeptPerSlot - 1,
                "the history Swarm keeps: each task kept but the first replaced a crash")
        #expect(tasks.count == DemoWorld.tasksKeptPerSlot)
        #expect(tasks.filter { $0.state == "failed" }.allSatisfy { $0.error == "task: non-zero exit (1)" && $0.exitCode == 1 })
        #expect(rows(state, at: start + 160)["data-pipeline"]?.health == .unhealthy)
        #expect(state.events["openclaw_data-pipeline"]?.contains { $0.text == "container die (exit 1)" } == true)
    }

    @Test func theRolloutDrainsStartsAndIsHealthyAgain() {
        var (world, messages) = DemoWorld.opening(at: start)
        var state = fleet(messages)
        var phases: [String] = []
        live(&world, &state, for: 60, from: start) { now, state in
            guard let row = rows(state, at: now)["code-review"] else { return }
            let phase = row.readiness?.phase.rawValue ?? row.health.rawValue
            if phases.last != phase { phases.append(phase) }
        }
        #expect(phases == ["draining", "starting", "healthy"], "\(phases)")
    }

    @Test func theSlowStarterBecomesHealthy() {
        var (world, messages) = DemoWorld.opening(at: start)
        var state = fleet(messages)
        live(&world, &state, for: 40, from: start)
        #expect(rows(state, at: start + 40)["docs-writer"]?.health == .healthy)
    }
}

struct DemoActionTests {
    func opened() -> (DemoWorld, FleetState) {
        let (world, messages) = DemoWorld.opening(at: start)
        return (world, fleet(messages))
    }

    @Test func restartReplacesTheTaskAndCountsARestart() throws {
        var (world, state) = opened()
        let id = demoID("service", "openclaw_research")
        let old = try #require(state.tasks[id]?.first { $0.desiredState == "running" })
        let change = try world.restart("openclaw_research")
        #expect(change == ActionChange(before: "ForceUpdate 0", after: "ForceUpdate 1"))
        live(&world, &state, for: 3, from: start)
        let tasks = state.tasks[id] ?? []
        #expect(tasks.first { $0.id == old.id }?.state == "shutdown")
        #expect(tasks.filter { $0.desiredState == "running" && $0.state == "running" }.count == 1)
        #expect(state.services[id]?.spec.forceUpdate == 1)
        #expect(state.restarts["openclaw_research"] == 1)
    }

    @Test func scaleUpAndDown() throws {
        var (world, state) = opened()
        let id = demoID("service", "openclaw_inbox")
        #expect(try world.scale("openclaw_inbox", to: 3) == ActionChange(before: "replicas 1", after: "replicas 3"))
        live(&world, &state, for: 3, from: start)
        #expect(state.services[id]?.running == 3 && state.services[id]?.desired == 3)
        #expect(Set(state.tasks[id]!.filter { $0.state == "running" }.compactMap(\.slot)) == [1, 2, 3])
        _ = try world.scale(id, to: 1)
        live(&world, &state, for: 1, from: start + 3)
        #expect(state.services[id]?.running == 1)
        #expect(state.tasks[id]!.filter { $0.state == "shutdown" }.compactMap(\.slot).sorted() == [2, 3])
        #expect(state.restarts["openclaw_inbox"] == 0, "scaling is not restarting")
    }

    @Test func wakeThenSleep() throws {
        var (world, state) = opened()
        #expect(try world.scale("openclaw_calendar", to: 1) == ActionChange(before: "replicas 0", after: "replicas 1"))
        live(&world, &state, for: 20, from: start)
        #expect(rows(state, at: start + 20)["calendar"]?.health == .healthy)
        _ = try world.scale("openclaw_calendar", to: 0)
        live(&world, &state, for: 1, from: start + 20)
        #expect(rows(state, at: start + 21)["calendar"]?.health == .asleep)
        #expect(!state.probeTargets.contains { $0.agent == "calendar" })
    }

    @Test func anUnknownServiceIsNotFound() {
        var (world, _) = opened()
        #expect(throws: DemoWorld.notFound("openclaw_nosuch")) { try world.restart("openclaw_nosuch") }
        #expect(throws: DemoWorld.notFound("openclaw_standup-bot")) { try world.scale("openclaw_standup-bot", to: 1) }
    }
}

struct DemoLogTests {
    @Test func linesAreTheSameWheneverAskedAndFollowOn() {
        var (world, _) = DemoWorld.opening(at: start)
        let first = world.logLines("openclaw_research", since: nil, tail: 50, until: start)
        #expect(first.count == 50)
        #expect(first == world.logLines("openclaw_research", since: nil, tail: 50, until: start))
        #expect(first.allSatisfy { ($0.time ?? .distantFuture) < start && $0.taskID != nil })
        world.advance(to: start + 60)
        let next = world.logLines("openclaw_research", since: start, tail: nil, until: start + 60)
        #expect(!next.isEmpty && next.allSatisfy { $0.time! >= start && $0.time! < start + 60 })
        // Asked again in two halves, the same lines come, none twice.
        let halves = world.logLines("openclaw_research", since: start, tail: nil, until: start + 30)
            + world.logLines("openclaw_research", since: start + 30, tail: nil, until: start + 60)
        #expect(halves == next)
    }

    @Test func theCrashLooperSaysWhyOnStderr() {
        let (world, _) = DemoWorld.opening(at: start)
        let lines = world.logLines("openclaw_data-pipeline", since: nil, tail: 200, until: start)
        #expect(lines.contains { $0.stream == .stderr && $0.text.hasPrefix("Error: no model provider") })
        #expect(lines.contains { $0.text == "[gateway] exiting with code 1" })
        #expect(Set(lines.compactMap(\.taskID)).count > 1, "lines of every retained task")
    }
}
