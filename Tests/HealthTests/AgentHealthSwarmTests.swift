import ClawtopCore
import Foundation
import DockerSource
import Health
import Testing
import TestSupport

/// Agents' health on the real swarm: busybox services serving HTTP on loopback (host networking), probed by the
/// scheduler while the watcher follows Docker, exactly as the console wires them.
@Suite(.enabled(if: TestDocker.shouldRun)) struct AgentHealthSwarmTests {
    func agent(_ service: String, url: String?, interval: Double = 1, startup: Double = 60, maxFailures: Int = 3) -> AgentSetup {
        AgentSetup(configured: [AgentDefinition(name: "agent", serviceName: service, policy: "always-on", healthURL: url,
                                                checkInterval: interval, startupTimeout: startup, maxFailures: maxFailures,
                                                source: .config)])
    }

    func row(_ store: FleetStore) -> AgentRow? { store.current.agentRows(now: Date()).first { $0.id == "agent" } }

    /// The states the agent goes through until `until` is seen (polled every 100 ms), in order, without repeats.
    func states(_ store: FleetStore, until: HealthState, timeout: Double = 60) async throws -> [HealthState] {
        var seen: [HealthState] = []
        try await TestDocker.waitUntil("the agent to become \(until) (seen \(seen))", timeout: timeout, every: 0.1) {
            if let h = row(store)?.health, h != seen.last { seen.append(h) }
            return seen.last == until
        }
        return seen
    }

    @Test func aSlowStarterIsStartingThenHealthy() async throws {
        let port = try freeLoopbackPort()
        try await TestDocker.withService("slow", command: "sleep 8; exec httpd -f -p 127.0.0.1:\(port) -h /www") { name in
            try await LiveFleet.with(agent(name, url: "http://127.0.0.1:\(port)/api/health")) { store in
                let seen = try await states(store, until: .healthy)
                #expect(seen.contains(.starting), "seen: \(seen)")
                #expect(!seen.contains(.failing) && !seen.contains(.unhealthy), "failures inside startup_timeout are 'starting': \(seen)")
                let failures = row(store)?.history.samples.filter { !$0.ok } ?? []
                #expect(!failures.isEmpty && failures.allSatisfy { $0.reason == "refused" }, "\(failures.map(\.reason))")
            }
        }
    }

    @Test func aFlippedAgentIsFailingThenUnhealthyAtExactlyMaxFailures() async throws {
        let port = try freeLoopbackPort()
        try await TestDocker.withService("flip", command: "exec httpd -f -p 127.0.0.1:\(port) -h /www") { name in
            try await LiveFleet.with(agent(name, url: "http://127.0.0.1:\(port)/api/health", startup: 1, maxFailures: 3)) { store in
                _ = try await states(store, until: .healthy)
                let container = try await TestDocker.docker(["ps", "-q", "--filter", "label=com.docker.swarm.service.name=\(name)"])
                try await TestDocker.docker(["exec", container, "/bin/busybox", "rm", "/www/api/health"])
                // Every observation pairs the failures in a row with the state shown for them.
                var observed: [Int: Set<HealthState>] = [:]
                try await TestDocker.waitUntil("three failures in a row", timeout: 30, every: 0.05) {
                    guard let r = row(store) else { return false }
                    observed[r.history.consecutiveFailures, default: []].insert(r.health)
                    return r.history.consecutiveFailures >= 4
                }
                // Whatever a slow moment let the 50 ms polls see, each count showed its own state: under max_failures
                // failing, from it on unhealthy; and both sides of the line were seen.
                for (count, states) in observed where count > 0 {
                    #expect(states == [count < 3 ? .failing : .unhealthy], "\(count) in a row: \(states)")
                }
                #expect(observed.keys.contains { (1...2).contains($0) } && observed.keys.contains { $0 >= 3 }, "\(observed)")
                #expect(row(store)?.lastError == "HTTP 404")
            }
        }
    }

    @Test func scaledToZeroIsAsleepAndNotProbed() async throws {
        let port = try freeLoopbackPort()
        try await TestDocker.withService("sleep", command: "exec httpd -f -p 127.0.0.1:\(port) -h /www") { name in
            try await LiveFleet.with(agent(name, url: "http://127.0.0.1:\(port)/api/health")) { store in
                _ = try await states(store, until: .healthy)
                try await TestDocker.docker(["service", "scale", "-d", "\(name)=0"])
                _ = try await states(store, until: .asleep)
                #expect(!store.current.probeTargets.contains { $0.agent == "agent" })
                let count = row(store)?.history.count ?? 0
                // Three intervals pass with no probe (any probe would fail: nothing listens any more).
                try await Task.sleep(for: .seconds(3))
                #expect(row(store)?.history.count == count)
                #expect(row(store)?.health == .asleep)
            }
        }
    }

    @Test func historySurvivesAForceRestartAndTheRestartIsCounted() async throws {
        let port = try freeLoopbackPort()
        try await TestDocker.withService("force", command: "exec httpd -f -p 127.0.0.1:\(port) -h /www") { name in
            try await LiveFleet.with(agent(name, url: "http://127.0.0.1:\(port)/api/health")) { store in
                // The watcher reads a service a moment after its container starts: on a busy machine the probes can
                // be quicker to see the agent than the watcher to see its task running.
                try await TestDocker.waitUntil("three healthy samples and the task seen running") {
                    (row(store)?.history.count ?? 0) >= 3 && runningTask(store, name) != nil
                }
                let before = row(store)?.history.samples ?? []
                #expect(row(store)?.restarts == 0)
                let oldTask = try #require(runningTask(store, name))
                try await TestDocker.docker(["service", "update", "-d", "--force", name])
                try await TestDocker.waitUntil("the restart to be counted") { row(store)?.restarts == 1 }
                var replacedAt = Date.distantFuture
                try await TestDocker.waitUntil("a new task running") {
                    guard let task = runningTask(store, name), task != oldTask else { return false }
                    replacedAt = Date()
                    return true
                }
                try await TestDocker.waitUntil("a healthy sample from the new task") {
                    (row(store)?.history.latest).map { $0.ok && $0.time > replacedAt } ?? false
                }
                let after = row(store)?.history.samples ?? []
                #expect(Array(after.prefix(before.count)) == before, "the samples from before the restart are kept")
                #expect(after.count > before.count)
            }
        }
    }

    func runningTask(_ store: FleetStore, _ service: String) -> String? {
        let state = store.current
        guard let id = state.services.values.first(where: { $0.name == service })?.id else { return nil }
        return state.tasks[id]?.first { $0.state == "running" && $0.desiredState == "running" }?.id
    }

    @Test func aFailingDockerHealthCheckIsShownWhenTheURLIsUnreachableFromHere() async throws {
        let port = try freeLoopbackPort()
        try await TestDocker.withService("dockerhealth", command: "exec httpd -f -p 127.0.0.1:\(port) -h /www",
                                         extraFlags: ["--health-cmd", "wget -q -O- http://127.0.0.1:\(port)/missing",
                                                      "--health-interval", "1s", "--health-retries", "2",
                                                      "--health-start-period", "0s"]) { name in
            // Warren's usual URL: a swarm-internal name that does not resolve here.
            try await LiveFleet.with(agent(name, url: "http://tasks.\(name):\(port)/api/health")) { store in
                try await TestDocker.waitUntil("Docker's health check to fail, and a probe") {
                    row(store)?.dockerHealth == .unhealthy && row(store)?.probe != nil
                }
                let r = try #require(row(store))
                #expect(r.probe?.unreachable?.hasPrefix("DNS: cannot resolve") == true, "\(String(describing: r.probe))")
                #expect(r.history.count == 0, "an unreachable probe is not a failure")
                #expect(r.health == .unhealthy && r.source == .docker)
            }
        }
    }

    @Test func aPassingDockerHealthCheckStandsInForAnUnreachableURL() async throws {
        let port = try freeLoopbackPort()
        try await TestDocker.withService("dockerok", command: "exec httpd -f -p 127.0.0.1:\(port) -h /www",
                                         extraFlags: ["--health-cmd", "wget -q -O- http://127.0.0.1:\(port)/api/health",
                                                      "--health-interval", "1s"]) { name in
            try await LiveFleet.with(agent(name, url: "http://tasks.\(name):\(port)/api/health")) { store in
                try await TestDocker.waitUntil("Docker's health check to pass") { row(store)?.health == .healthy }
                #expect(row(store)?.source == .docker && row(store)?.dockerHealth == .healthy)
            }
        }
    }
}
