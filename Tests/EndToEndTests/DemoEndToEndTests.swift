import Foundation
import Testing
import TestSupport

/// `--demo` through the real binary, with no Docker anywhere: DOCKER_HOST points at a socket that does not exist.
enum Demo {
    static let noDocker = ["LANG": "C.UTF-8", "PATH": "/usr/bin:/bin", "DOCKER_HOST": "unix:///nonexistent/clawtop-test.sock"]

    static func snapshot(_ args: [String]) async throws -> ProcessResult {
        try await run(clawtopBinary(), ["snapshot", "--demo"] + args, environment: noDocker)
    }

    /// The JSON with every ISO 8601 time replaced by its offset from `generatedAt` ("T-12.5s"): the demo's scene is
    /// the same every run, but it opens at the time of the run.
    static func relativeTimes(_ json: String) throws -> String {
        let pattern = try NSRegularExpression(pattern: #""(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)""#)
        let iso = ISO8601DateFormatter()
        let generated = try #require(json.firstMatch(of: /"generatedAt" : "([^"]+)"/).flatMap { iso.date(from: String($0.1)) })
        var result = json
        for match in pattern.matches(in: json, range: NSRange(json.startIndex..., in: json)).reversed() {
            let range = Range(match.range, in: json)!
            let date = iso.date(from: String(json[Range(match.range(at: 1), in: json)!]))!
            result.replaceSubrange(range, with: "\"T\(String(format: "%+.0f", date.timeIntervalSince(generated)))s\"")
        }
        return result
    }
}

struct DemoSnapshotTests {
    static let goldens = ["demo-table-120x40", "demo-details-120x40", "demo-logs-120x40", "demo-table-80x24-ascii",
                          "demo-table-100x30-ansi", "demo-json"]

    /// Every golden under Golden/ is one a test here compares with, and each of those exists.
    @Test func everyGoldenFileIsReadByATest() throws {
        try assertGoldenFilesAre(Self.goldens)
    }

    @Test(arguments: [
        (["--view", "table"], "demo-table-120x40"),
        (["--view", "details", "--select", "data-pipeline"], "demo-details-120x40"),
        (["--view", "logs", "--select", "sales-outreach"], "demo-logs-120x40"),
    ])
    func textFramesMatchTheirGoldens(args: [String], golden: String) async throws {
        let r = try await Demo.snapshot(["--width", "120", "--height", "40"] + args)
        #expect(r.status == 1, "the demo has an unhealthy and a missing agent: \(r.stderr)")
        try assertGolden(r.stdout, golden)
    }

    /// `--view` takes every page by its name (the nodes here, through the binary); another name is refused with the
    /// list, and exit status 64.
    @Test func theNodesViewAndAnUnknownView() async throws {
        let nodes = try await Demo.snapshot(["--width", "100", "--height", "12", "--view", "nodes"])
        let lines = nodes.stdout.split(separator: "\n")
        #expect(lines.count > 4 && lines[1].contains("NODE") && lines[1].contains("ADDRESS"), "\(nodes.stdout)")
        #expect(["mgr-1", "worker-1", "worker-2"].allSatisfy { n in lines.contains { $0.contains(n) } }, "\(nodes.stdout)")
        #expect(lines.last?.contains("d drain  p pause  a activate  n back") == true, "\(nodes.stdout)")
        let bogus = try await Demo.snapshot(["--view", "bogus"])
        #expect(bogus.status == 64 && bogus.stderr.contains("table, details, logs, nodes, timeline"), "\(bogus.stderr)")
    }

    @Test func smallASCIIAndColourFramesMatchTheirGoldens() async throws {
        let ascii = try await Demo.snapshot(["--width", "80", "--height", "24", "--ascii"])
        try assertGolden(ascii.stdout, "demo-table-80x24-ascii")
        let ansi = try await Demo.snapshot(["--width", "100", "--height", "30", "--format", "ansi"])
        #expect(ansi.stdout.contains("\u{1B}["))
        try assertGolden(ansi.stdout, "demo-table-100x30-ansi")
    }

    @Test func theJSONHasTheDocumentedFieldsAndMatchesItsGolden() async throws {
        let r = try await Demo.snapshot(["--format", "json"])
        #expect(r.status == 1)
        let top = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(Set(top.keys) == ["generatedAt", "endpoint", "connection", "nodes", "warren", "agents", "services", "healthFrom", "timeline", "audit", "auditSilenced"])
        let warren = try #require(top["warren"] as? [String: Any])
        #expect(Set(warren.keys).isSubset(of: ["address", "link", "problem", "uptime", "agents", "ready", "sleeping", "webSockets"]))
        #expect(warren["link"] as? String == "live")
        let agents = try #require(top["agents"] as? [[String: Any]])
        let documented: Set<String> = ["name", "service", "policy", "source", "health", "healthSource", "healthURL", "unreachable",
                                       "probeVia", "dockerHealth", "dockerHealthFrom", "state", "running", "desired", "restarts",
                                       "lastError", "lastCheck", "readiness", "warren", "disagreement", "tasks", "update", "stack", "replicas", "history",
                                       "usage"]
        #expect(agents.count == 13 && agents.allSatisfy { Set($0.keys).isSubset(of: documented) })
        #expect(agents.first?["name"] as? String == "data-pipeline" && agents.first?["health"] as? String == "unhealthy")
        let history: Set<String> = ["samples", "availability", "latencyP50", "latencyP95", "streak", "streakOK", "since",
                                    "lastFailure", "lastFailureReason"]
        #expect(agents.allSatisfy { Set(($0["history"] as? [String: Any] ?? [:]).keys).isSubset(of: history) })
        let readiness: Set<String> = ["phase", "detail", "summary", "failing", "checks", "pendingReason"]
        let told = agents.compactMap { $0["readiness"] as? [String: Any] }
        #expect(told.count == 2 && told.allSatisfy { Set($0.keys).isSubset(of: readiness) }, "not ready on a channel, and draining")
        // The demo's Warren sees an agent clawtop cannot reach, degraded.
        let sorter = agents.first { $0["name"] as? String == "mail-sorter" }
        #expect(sorter?["healthSource"] as? String == "warren" && sorter?["health"] as? String == "unhealthy")
        #expect((sorter?["warren"] as? [String: Any])?["state"] as? String == "degraded")
        let services = try #require(top["services"] as? [[String: Any]])
        #expect(services.allSatisfy {
            Set($0.keys).isSubset(of: ["id", "name", "image", "mode", "desired", "running", "state", "tasks", "lastError"])
        })
        try assertGolden(try Demo.relativeTimes(r.stdout), "demo-json")
    }

    @Test func sortPutsTheTableInTheOrderAsked() async throws {
        func names(_ args: [String]) async throws -> [String] {
            let r = try await Demo.snapshot(["--width", "120", "--height", "20"] + args)
            #expect(r.status == 1, "\(r.stderr)")
            // The agent rows: after the title and the header, up to the first blank line.
            return r.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropFirst(2)
                .prefix { !$0.isEmpty }.map { $0.split(separator: " ")[2].description }
        }
        let byName = try await names(["--sort", "name"])
        #expect(byName.count == 13 && byName == byName.sorted() && byName.first == "calendar")
        #expect(try await names([]).first == "data-pipeline", "urgency, the default: the unhealthy agent first")
        let bad = try await Demo.snapshot(["--sort", "bogus"])
        #expect(bad.status == 64 && ["urgency", "name", "restarts", "availability", "stack", "cpu", "mem"].allSatisfy { bad.stderr.contains("  - \($0)\n") }, "\(bad.stderr)")
    }

    @Test func noDaemonExitsTwoAndSuggestsTheDemo() async throws {
        let r = try await run(clawtopBinary(), ["snapshot"], environment: Demo.noDocker)
        #expect(r.status == 2)
        #expect(r.stderr.contains("no Docker socket at /nonexistent/clawtop-test.sock") && r.stderr.contains("clawtop --demo"),
                "\(r.stderr)")
        #expect(r.stdout.isEmpty)
        let config = try await run(clawtopBinary(), ["snapshot", "--demo", "--config", "/etc/hosts"], environment: Demo.noDocker)
        #expect(config.status == 64 && config.stderr.contains("--demo brings its own agents"))
    }
}

/// The demo console in tmux: the actions an operator would try first act on the simulated fleet.
struct DemoConsoleTests {
    @Test func wakeScaleRestartAndSleepWorkOnTheDemo() async throws {
        let state = NSTemporaryDirectory() + "clawtop-state-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: state) }
        let tmux = try Tmux(width: 140, height: 30, environment: Demo.noDocker.merging(["TERM": "tmux-256color", "XDG_STATE_HOME": state]) { $1 })
        defer { tmux.kill() }
        try tmux.type("clear; \(try clawtopBinary()) --demo; echo \"exit=$?\"")
        try await tmux.waitFor(" HEALTH ")
        func row(_ agent: String) async throws -> String {
            try await tmux.screen().split(separator: "\n").first { $0.contains(" \(agent) ") }.map(String.init) ?? ""
        }
        func select(_ agent: String) async throws {
            try tmux.literal("/\(agent)")
            try tmux.keys("Enter")
            try await tmux.waitFor("filter: \(agent)")
        }
        func act(_ key: String, _ effect: String, done: String? = nil) async throws {
            try tmux.literal(key)
            try await tmux.waitFor(effect + "?")
            try tmux.literal("y")
            try await tmux.waitFor((done ?? effect + ": done"))
        }

        try await select("calendar")
        #expect(try await row("calendar").contains("○ asleep"))
        // The demo's Warren runs calendar (on-demand): wake and sleep go through it, and the status line follows it.
        try await act("w", "wake calendar through Warren (openclaw_calendar 0 → 1)",
                      done: "wake calendar through Warren (openclaw_calendar 0 → 1): warren:")
        try await TestDocker.waitUntil("calendar awake and healthy", timeout: 60) {
            let line = try await row("calendar")
            return line.contains("● healthy") && line.contains("1/1")
        }
        try tmux.literal("+")
        try await tmux.waitFor("will not know of this scale")
        try tmux.keys("Escape")
        try await act("+", "scale openclaw_calendar 1 → 2")
        try await TestDocker.waitUntil("two replicas", timeout: 30) { try await row("calendar").contains("2/2") }
        try await act("r", "restart openclaw_calendar (force update, its 2 tasks replaced)",
                      done: "restart openclaw_calendar (force update): done")
        try await TestDocker.waitUntil("both tasks replaced, counted as restarts", timeout: 30) {
            let line = try await row("calendar")
            return line.contains("2/2") && line.contains(" 2   running")
        }
        try await act("z", "sleep calendar through Warren (openclaw_calendar 2 → 0)",
                      done: "sleep calendar through Warren (openclaw_calendar 2 → 0): warren:")
        try await TestDocker.waitUntil("asleep again", timeout: 30) { try await row("calendar").contains("○ asleep") }

        try tmux.keys("Escape", "q")
        try await tmux.waitFor("exit=0")
        #expect(!FileManager.default.fileExists(atPath: state + "/clawtop/actions.log"), "demo actions are not logged")
    }

    @Test func theConsoleOpensInTheOrderAskedAndOChangesIt() async throws {
        let tmux = try Tmux(width: 120, height: 24, environment: Demo.noDocker.merging(["TERM": "tmux-256color"]) { $1 })
        defer { tmux.kill() }
        try tmux.type("clear; \(try clawtopBinary()) --demo --sort name; echo \"exit=$?\"")
        try await tmux.waitFor(" HEALTH ")
        func first() async throws -> String {
            try await tmux.screen().split(separator: "\n").dropFirst(2).first.map(String.init) ?? ""
        }
        let top = try await first()
        #expect(top.contains(" calendar "), "\(top)")
        try tmux.literal("o")
        try await tmux.waitFor("sorted by restarts")
        let crashLooper = try await first()
        #expect(crashLooper.contains(" data-pipeline "), "the crash-looper has the most restarts: \(crashLooper)")
        try tmux.keys("q")
        try await tmux.waitFor("exit=0")
    }
}
