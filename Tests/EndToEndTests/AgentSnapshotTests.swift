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

    func snapshot(_ args: [String]) async throws -> ProcessResult {
        try await run(clawtopBinary(), ["snapshot", "--width", "160", "--height", "20"] + args,
                environment: ["DOCKER_HOST": try TestDocker.requireHost(), "LANG": "C.UTF-8", "PATH": "/usr/bin:/bin"])
    }

    /// The frame's row for an agent.
    func line(_ frame: String, _ agent: String) -> String {
        frame.split(separator: "\n").first { $0.split(separator: " ").contains { $0 == agent } }.map(String.init) ?? ""
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
                    return r.status == 0 && line(r.stdout, "up").contains("● healthy")
                }
                let r = try await snapshot(["--config", path, "--health-url", "up=http://127.0.0.1:\(port)/api/health"])
                #expect(line(r.stdout, "up").contains("100%") && line(r.stdout, "up").contains("1/1"), "\(r.stdout)")
                #expect(line(r.stdout, "down").contains("○ asleep"), "\(r.stdout)")
                #expect(line(r.stdout, "gone").contains("◌ missing"), "\(r.stdout)")
                #expect(!r.stdout.contains(" \(name) "), "services that are not agents are not listed")

                // Without the override, the probe cannot reach tasks.<service> from here, and says so.
                let plain = try await snapshot(["--config", path])
                #expect(line(plain.stdout, "up").contains("unreacha"), "\(plain.stdout)")
                #expect(line(plain.stdout, "up").contains("? unknown") && line(plain.stdout, "up").contains("probe: DNS: cannot"), "\(plain.stdout)")
            }
        }
    }

    @Test func labelledServicesAreAgentsWithTheirLabelledURL() async throws {
        let port = try freeLoopbackPort()
        try await TestDocker.withService("label", command: "exec httpd -f -p 127.0.0.1:\(port) -h /www",
                                         extraFlags: ["--label", "orchestrator.agent=true",
                                                      "--label", "clawtop.health.url=http://127.0.0.1:\(port)/api/health"]) { name in
            try await TestDocker.waitUntil("the labelled agent healthy in a snapshot") {
                await line(try snapshot([]).stdout, name).contains("● healthy")
            }
        }
    }

    @Test func aMalformedHealthURLOptionIsAUsageError() async throws {
        let r = try await run(clawtopBinary(), ["snapshot", "--health-url", "alpha"], environment: ["DOCKER_HOST": "unix:///nonexistent.sock"])
        #expect(r.status == 64)
        #expect(r.stderr.contains("--health-url takes AGENT=URL"), "\(r.stderr)")
    }
}
