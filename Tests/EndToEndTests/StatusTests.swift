import Foundation
import Testing
import TestSupport

/// `clawtop status` through the binary: the demo's line in each format, and an unhealthy agent on the private swarm.
struct StatusTests {
    @Test func theDemosLineInEachFormat() async throws {
        let plain = try await run(clawtopBinary(), ["status", "--demo"], environment: ["LANG": "C.UTF-8"])
        #expect(plain.status == 1, "the demo has unhealthy agents: \(plain.stderr)")
        #expect(plain.stdout == "✗ 3 unhealthy: data-pipeline, mail-sorter, sales-outreach · ◌ 1 missing: standup-bot · "
                + "▲ 1 failing: code-review · ◐ 1 · ● 5 · ○ 2\n")
        let ascii = try await run(clawtopBinary(), ["status", "--demo"], environment: ["LANG": "C"])
        #expect(ascii.stdout.hasPrefix("x 3 unhealthy: ") && ascii.stdout.unicodeScalars.allSatisfy(\.isASCII))
        let tmux = try await run(clawtopBinary(), ["status", "--demo", "--format", "tmux"], environment: ["LANG": "C.UTF-8"])
        #expect(tmux.stdout.hasPrefix("#[fg=red]✗ 3 unhealthy: ") && tmux.stdout.contains("#[fg=green]● 5#[default]"))
        let json = try await run(clawtopBinary(), ["status", "--demo", "--format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["unhealthy"] as? [String] == ["data-pipeline", "mail-sorter", "sales-outreach"])
        #expect(object["healthy"] as? Int == 5 && object["exitStatus"] as? Int == 1 && json.status == 1)
    }

    /// An agent whose probes are refused, after its grace: named in the line, exit status 1.
    @Test(.enabled(if: TestDocker.shouldRun)) func anUnhealthyAgentIsNamed() async throws {
        try await TestDocker.withService("stat") { name in
            try await TestDocker.waitUntil("\(name) running") { try await TestDocker.runningTasks(name) == 1 }
            let path = NSTemporaryDirectory() + "clawtop-status-\(UUID().uuidString.prefix(8)).yaml"
            defer { try? FileManager.default.removeItem(atPath: path) }
            try """
                agents:
                  stalled:
                    hostname: stalled.example.com
                    backend: http://127.0.0.1:9
                    policy: always-on
                    container: {name: \(name)}
                    health: {url: "http://127.0.0.1:9/health", startup_timeout: 1s, max_failures: 1}
                """.write(toFile: path, atomically: true, encoding: .utf8)
            try await TestDocker.waitUntil("its grace over", timeout: 30) {
                let r = try await run(clawtopBinary(), ["status", "--config", path],
                                      environment: ["DOCKER_HOST": try TestDocker.requireHost(), "LANG": "C.UTF-8"])
                return r.status == 1 && r.stdout.contains("unhealthy: ") && r.stdout.contains("stalled")
            }
        }
    }
}
