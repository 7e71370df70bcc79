import Foundation
import Testing
import TestSupport

/// Why an OpenClaw agent is not ready, through the real binary: agents probed at a loopback server that answers
/// OpenClaw's exact readiness bodies (scripts/misbehaving-http.py), as `snapshot` draws them (row, details, JSON)
/// and as the console shows them in tmux. The gateway token goes to its agent only and is never printed.
@Suite(.enabled(if: TestDocker.shouldRun, "needs the private swarm from scripts/test"))
struct ReadinessEndToEndTests {
    static let token = "gw-e2e-93b1f0c4d7e2"

    /// The server, a config of unmanaged agents probing its endpoints, and the token files.
    struct Setup {
        let server: ScriptServer
        let config: String
        let right: String
        let wrong: String

        init() async throws {
            server = try await ScriptServer.start(script: "misbehaving-http.py", arguments: [ReadinessEndToEndTests.token])
            let dir = NSTemporaryDirectory() + "clawtop-readiness-\(UUID().uuidString.prefix(8))/"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            right = dir + "right.token"
            wrong = dir + "wrong.token"
            try (ReadinessEndToEndTests.token + "\n").write(toFile: right, atomically: true, encoding: .utf8)
            try "gw-not-the-one".write(toFile: wrong, atomically: true, encoding: .utf8)
            let agents = [("channels", "/openclaw/channels"), ("draining", "/openclaw/draining"), ("bare", "/openclaw/bare"),
                          ("startup", "/openclaw/startupz"), ("conditions", "/openclaw/conditions"), ("huge", "/openclaw/huge"),
                          ("gated", "/openclaw/gated?gated"), ("nosy", "/openclaw/gated?nosy"), ("refused", "/openclaw/gated?refused")]
            config = dir + "orchestrator.yaml"
            try ("agents:\n" + agents.map { name, path in
                """
                  \(name):
                    hostname: \(name).example.com
                    backend: http://127.0.0.1:1
                    policy: unmanaged
                    health: {url: "\(server.address)\(path)", check_interval: 30s}

                """
            }.joined()).write(toFile: config, atomically: true, encoding: .utf8)
        }

        var options: [String] {
            // No history: one from an earlier run on this machine would count its failures too.
            ["--config", config, "--gateway-token-file", "gated=\(right)", "--gateway-token-file", "refused=\(wrong)", "--no-history"]
        }

        func remove() {
            server.stop()
            try? FileManager.default.removeItem(atPath: (config as NSString).deletingLastPathComponent)
        }
    }

    @Test func eachReasonInTheRowTheDetailsAndJSON() async throws {
        let setup = try await Setup()
        defer { setup.remove() }
        let text = try await snapshot(setup.options, width: 260)
        let expected = [
            "channels": "not ready: discord, telegram", "draining": "draining (expected during a rollout)",
            "bare": "not ready (detail needs the gateway token)", "startup": "starting: startup-sidecars",
            "conditions": "not ready: discord", "huge": "HTTP 503", "gated": "not ready: discord, telegram",
            "nosy": "not ready (detail needs the gateway token)", "refused": "not ready (gateway token refused)",
        ]
        for (agent, reason) in expected {
            #expect(frameRow(text.stdout, agent).contains(reason), "\(agent): \(frameRow(text.stdout, agent))")
        }
        // Warren's verdict stands: every 503 fails; the 200 that says "starting" is healthy.
        #expect(frameRow(text.stdout, "startup").contains("● healthy") && frameRow(text.stdout, "draining").contains("failing"), "\(text.stdout)")

        let details = try await snapshot(setup.options + ["--view", "details", "--select", "conditions"], width: 260)
        let screen = details.stdout
        #expect(screen.contains("readiness not ready: discord  HTTP 503"), "\(screen)")
        #expect(screen.contains("✗ ChannelRuntimeReady  False  Selected channels are not ready: discord."), "\(screen)")
        #expect(screen.contains("▲ EventLoopHealthy  Unknown  advisory  Event-loop health is not available yet."), "\(screen)")
        #expect(screen.contains("WorkspaceWritable  False  workspace is read-only") && !screen.contains("\u{1B}"),
                "an escape sequence from the body is stripped")

        let json = try await snapshot(setup.options + ["--format", "json"], width: 260)
        let report = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let agents = Dictionary(((report?["agents"] as? [[String: Any]]) ?? []).map { ($0["name"] as? String ?? "", $0) },
                                uniquingKeysWith: { a, _ in a })
        func readiness(_ agent: String) -> [String: Any]? { agents[agent]?["readiness"] as? [String: Any] }
        #expect(readiness("draining")?["phase"] as? String == "draining")
        #expect(readiness("startup")?["phase"] as? String == "starting" && agents["startup"]?["health"] as? String == "healthy")
        #expect(readiness("channels")?["failing"] as? [String] == ["discord", "telegram"])
        #expect(readiness("bare")?["detail"] as? String == "withheld" && readiness("refused")?["detail"] as? String == "token-refused")
        #expect(readiness("huge") == nil && agents["huge"]?["lastError"] as? String == "HTTP 503")
        let checks = readiness("conditions")?["checks"] as? [[String: Any]] ?? []
        #expect(checks.first?["message"] as? String == "Selected channels are not ready: discord.", "\(checks)")

        for output in [text, details, json] {
            #expect(!output.stdout.contains(Self.token) && !output.stderr.contains(Self.token))
        }
    }

    @Test func theTokenGoesToItsAgentOnlyFromAFlagOrALabel() async throws {
        let setup = try await Setup()
        defer { setup.remove() }
        let label = ["--label", "orchestrator.agent=true",
                     "--label", "clawtop.health.url=\(setup.server.address)/openclaw/gated?label",
                     "--label", "clawtop.gateway.token-file=\(setup.right)"]
        try await TestDocker.withService("tokenlabel", extraFlags: label) { name in
            let r = try await snapshot(setup.options + ["--format", "json"], width: 260)
            #expect(!r.stdout.contains(Self.token) && !r.stderr.contains(Self.token))
            let counts = try JSONDecoder().decode([String: [String: Int]].self, from: Data(try await setup.server.get("/requests").utf8))
            #expect(counts["/openclaw/gated?gated"]?["right"] ?? 0 >= 1 && counts["/openclaw/gated?gated"]?["none"] == 0, "\(counts)")
            #expect(counts["/openclaw/gated?label"]?["right"] ?? 0 >= 1 && counts["/openclaw/gated?label"]?["none"] == 0, "\(counts)")
            #expect(counts["/openclaw/gated?nosy"]?["none"] ?? 0 >= 1 && counts["/openclaw/gated?nosy"]?["right"] == 0
                    && counts["/openclaw/gated?nosy"]?["wrong"] == 0, "\(counts)")
            #expect(counts["/openclaw/gated?refused"]?["wrong"] ?? 0 >= 1 && counts["/openclaw/gated?refused"]?["right"] == 0, "\(counts)")
            #expect(r.stdout.contains("\"name\" : \"\(name)\""), "the labelled service is an agent")
        }
    }

    @Test func aTokenFileThatCannotBeReadIsRefusedAtStart() async throws {
        let r = try await snapshot(["--gateway-token-file", "gated=/nonexistent/token"], width: 260)
        #expect(r.status == 64 && r.stderr.contains("--gateway-token-file gated=/nonexistent/token: cannot read a token"), "\(r.stderr)")
    }

    @Test func theConsoleShowsTheWhyAndNeverTheToken() async throws {
        let setup = try await Setup()
        defer { setup.remove() }
        let tmux = try Tmux(width: 260, height: 40, environment: ["LANG": "C.UTF-8", "DOCKER_HOST": try TestDocker.requireHost(),
                                                                   "TERM": "tmux-256color"])
        defer { tmux.kill() }
        try tmux.type("clear; \(try clawtopBinary()) " + setup.options.joined(separator: " ") + "; echo \"exit=$?\"")
        try await tmux.waitFor("not ready (gateway token refused)")
        try tmux.keys("/")
        try tmux.literal("gated")
        try tmux.keys("Enter", "Enter")
        // The first row's details (channels) say the same readiness: wait for gated's own, and its first probe.
        let screen = try await tmux.waitFor(all: ["details: gated", "readiness not ready: discord, telegram",
                                                  "✗ discord  failing", "✗ telegram  failing", "gateway token from \(setup.right)"])
        #expect(!screen.contains(Self.token))
        try tmux.keys("q", "q", "q")
        try await tmux.waitFor("exit=0")
    }
}
