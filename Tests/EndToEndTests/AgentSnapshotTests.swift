import Foundation
import Testing
import TestSupport

/// `clawtop snapshot` with agents, through the real binary against the private swarm: one probe round, then the frame.
@Suite(.enabled(if: TestDocker.shouldRun)) struct AgentSnapshotTests {
    func write(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "clawtop-agents-\(UUID().uuidString.prefix(8)).yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func configuredAgentsAreProbedOnceBeforeTheFrame() async throws {
        let port = try freeLoopbackPort()
        try await TestDocker.withService("snap", command: "exec httpd -f -p 127.0.0.1:\(port) -h /www") { name in
            try await TestDocker.withService("snapsleep", replicas: 0) { asleep in
                try await TestDocker.waitUntil("the agent serving") { (try? TestDocker.runningTasks(name)) == 1 }
                let path = try write("""
                    defaults: {health_check_interval: 30s}
                    agents:
                      up:
                        hostname: up.example.com
                        backend: http://tasks.\(name):\(port)
                        policy: always-on
                        container: {name: \(name)}
                        health: {url: "http://tasks.\(name):\(port)/api/health", startup_timeout: 1s}
                      down:
                        hostname: down.example.com
                        backend: http://tasks.\(asleep):1
                        policy: on-demand
                        container: {name: \(asleep)}
                        health: {url: "http://127.0.0.1:1/health"}
                        idle: {timeout: 30m}
                      gone:
                        hostname: gone.example.com
                        backend: http://tasks.openclaw_gone:1
                        policy: always-on
                        container: {name: openclaw_gone_\(port)}
                        health: {url: "http://127.0.0.1:1/health"}
                    """)
                defer { try? FileManager.default.removeItem(atPath: path) }
                // Warren's URL does not resolve here; --health-url points the probe at the loopback port.
                try await TestDocker.waitUntil("the agent healthy in a snapshot") {
                    let r = try await snapshot(["--config", path, "--health-url", "up=http://127.0.0.1:\(port)/api/health"])
                    // Exit 1: the agent "gone" is missing.
                    return r.status == 1 && frameRow(r.stdout, "up").contains("● healthy")
                }
                let r = try await snapshot(["--config", path, "--health-url", "up=http://127.0.0.1:\(port)/api/health"])
                #expect(frameRow(r.stdout, "up").contains("100%") && frameRow(r.stdout, "up").contains("1/1"), "\(r.stdout)")
                #expect(frameRow(r.stdout, "down").contains("○ asleep"), "\(r.stdout)")
                #expect(frameRow(r.stdout, "gone").contains("◌ missing"), "\(r.stdout)")
                #expect(!r.stdout.contains(" \(name) "), "services that are not agents are not listed")

                // Without the override, the probe cannot reach tasks.<service> from here, and says so.
                let plain = try await snapshot(["--config", path], width: 200)
                #expect(frameRow(plain.stdout, "up").contains("unreacha"), "\(plain.stdout)")
                #expect(frameRow(plain.stdout, "up").contains("? unknown") && frameRow(plain.stdout, "up").contains("probe: DNS: cannot"), "\(plain.stdout)")
            }
        }
    }

    @Test func labelledServicesAreAgentsWithTheirLabelledURL() async throws {
        let port = try freeLoopbackPort()
        try await TestDocker.withService("label", command: "exec httpd -f -p 127.0.0.1:\(port) -h /www",
                                         extraFlags: ["--label", "orchestrator.agent=true",
                                                      "--label", "clawtop.health.url=http://127.0.0.1:\(port)/api/health"]) { name in
            try await TestDocker.waitUntil("the labelled agent healthy in a snapshot") {
                await frameRow(try snapshot([]).stdout, name).contains("● healthy")
            }
        }
    }

    @Test func aMalformedHealthURLOptionIsAUsageError() async throws {
        let r = try await run(clawtopBinary(), ["snapshot", "--health-url", "alpha"], environment: ["DOCKER_HOST": "unix:///nonexistent.sock"])
        #expect(r.status == 64)
        #expect(r.stderr.contains("--health-url takes AGENT=URL"), "\(r.stderr)")
    }

    @Test func exitStatusJSONAndViewsOfAHealthyFleet() async throws {
        let port = try freeLoopbackPort()
        try await TestDocker.withService("json", command: "echo hello-from-the-agent; exec httpd -f -p 127.0.0.1:\(port) -h /www") { name in
            let path = try write("""
                agents:
                  solo:
                    hostname: solo.example.com
                    backend: http://127.0.0.1:\(port)
                    policy: always-on
                    container: {name: \(name)}
                    health: {url: "http://127.0.0.1:\(port)/api/health", startup_timeout: 1s}
                """)
            defer { try? FileManager.default.removeItem(atPath: path) }
            try await TestDocker.waitUntil("the agent healthy, exit 0") {
                let r = try await snapshot(["--config", path])
                return r.status == 0 && frameRow(r.stdout, "solo").contains("● healthy")
            }
            // The probe can answer before the manager has heard that the task runs (its state still "starting").
            try await TestDocker.waitUntil("the replica counted running") {
                try await TestDocker.runningTasks(name) == 1
            }
            let json = try await snapshot(["--config", path, "--format", "json"])
            #expect(json.status == 0)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            // Other tests' labelled services may be agents too.
            let agents = try #require(object["agents"] as? [[String: Any]])
            let solo = try #require(agents.first { $0["name"] as? String == "solo" })
            #expect(solo["health"] as? String == "healthy" && solo["healthSource"] as? String == "probe")
            #expect(solo["service"] as? String == name && solo["running"] as? Int == 1 && solo["desired"] as? Int == 1)
            #expect((solo["history"] as? [String: Any])?["samples"] as? Int == 1)
            #expect((object["services"] as? [[String: Any]])?.contains { $0["name"] as? String == name } == true)
            #expect(object["connection"] as? String == "live")

            let details = try await snapshot(["--config", path, "--view", "details", "--select", "solo"])
            #expect(details.stdout.contains("details: solo") && details.stdout.contains("service   \(name)"), "\(details.stdout)")
            try await TestDocker.waitUntil("the agent's log line in the logs view") {
                try await snapshot(["--config", path, "--view", "logs"]).stdout.contains("hello-from-the-agent")
            }
            let ansi = try await snapshot(["--config", path, "--format", "ansi"])
            #expect(ansi.stdout.hasPrefix("\u{1B}[0;30;46m clawtop ") && ansi.stdout.contains("● healthy"), "\(ansi.stdout)")

            let unknown = try await snapshot(["--config", path, "--select", "nobody"])
            #expect(unknown.status == 2 && unknown.stderr.contains("no agent named 'nobody'; the agents are: solo"))
        }
    }
}
