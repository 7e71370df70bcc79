import Foundation
import Testing
import TestSupport

/// The history on disk, through the real binary: a console killed with SIGKILL comes back with its history; a
/// recorder in the background takes over the probes from a console and gives them back when it stops; `status`
/// reads a live recorder's line without a request to Docker; `--notify` once per transition, not per flap; the
/// timeline in JSON, as text and in tmux. Each test has its own state directory, so its recorder is no one else's.
@Suite(.enabled(if: TestDocker.shouldRun, "needs the private swarm from scripts/test"))
struct HistoryEndToEndTests {
    /// A health server whose /flippable answers 200 or 503 (flipped by /flip), one unmanaged agent probing it every
    /// second, and a state directory of the test's own.
    struct Setup {
        let server: ScriptServer
        let directory: String
        let config: String
        let host: String

        /// `host`: the daemon to read (default the one-node private swarm).
        init(maxFailures: Int = 2, host: String? = nil) async throws {
            self.host = try host ?? TestDocker.requireHost()
            server = try await ScriptServer.start(script: "misbehaving-http.py")
            directory = NSTemporaryDirectory() + "clawtop-history-e2e-\(UUID().uuidString.prefix(8))"
            try FileManager.default.createDirectory(atPath: directory + "/state", withIntermediateDirectories: true)
            config = directory + "/orchestrator.yaml"
            try """
                agents:
                  kept:
                    hostname: kept.example.com
                    backend: http://127.0.0.1:1
                    policy: unmanaged
                    health: {url: "\(server.address)/flippable?recorder", check_interval: 1s, max_failures: \(maxFailures)}
                """.write(toFile: config, atomically: true, encoding: .utf8)
        }

        var environment: [String: String] {
            ["DOCKER_HOST": host, "LANG": "C.UTF-8", "PATH": "/usr/bin:/bin", "XDG_STATE_HOME": directory + "/state"]
        }

        /// How many probes the server has had at /flippable?`who`.
        func probes(_ who: String) async throws -> Int {
            let counts = try JSONSerialization.jsonObject(with: Data(try await server.get("/counts").utf8)) as? [String: Int]
            return counts?["/flippable?\(who)"] ?? 0
        }

        func flip() async throws { _ = try await server.get("/flip") }

        func remove() {
            server.stop()
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    static func checks(in screen: String) -> Int? { SwarmSwitchTests.checks(in: screen) }

    /// Whether the details' availability is strictly between 0% and 100% ("58.3% of 24"): healthy and failed
    /// checks both in the history.
    static func partlyAvailable(_ screen: String) -> Bool {
        screen.range(of: #"checks +\d+\.\d% of"#, options: .regularExpression) != nil
    }

    /// "3 failed in a row" in the details.
    static func failedInARow(in screen: String) -> Int? {
        guard let range = screen.range(of: #"\d+ failed in a row"#, options: .regularExpression) else { return nil }
        return Int(screen[range].split(separator: " ")[0])
    }

    @Test func aConsoleKilledWithSigkillComesBackWithTheHistoryItHad() async throws {
        let setup = try await Setup()
        defer { setup.remove() }
        let tmux = try Tmux(width: 170, height: 30, environment: setup.environment)
        let start = "\(try clawtopBinary()) --config \(setup.config)"
        try tmux.type(start)
        try await tmux.waitFor("kept")
        try tmux.keys("Enter")
        try await TestDocker.waitUntil("six checks", timeout: 60) { Self.checks(in: try await tmux.screen()) ?? 0 >= 6 }
        try await setup.flip()
        var before = ""
        try await TestDocker.waitUntil("unhealthy, eight failures in a row", timeout: 60) {
            before = try await tmux.screen()
            return before.contains("unhealthy") && Self.failedInARow(in: before) ?? 0 >= 8
        }
        let (checks, failures) = (try #require(Self.checks(in: before)), try #require(Self.failedInARow(in: before)))
        let pid = try #require(try tmux.childPID())
        kill(pid, SIGKILL)
        try await TestDocker.waitUntil("the console gone") { try tmux.childPID() == nil }
        // The dead console's last frame stays on the screen it left: leave that screen and wait for it to be gone,
        // so that what is read next comes from the new console.
        try tmux.type("stty sane; printf '\\033[?1049l'; clear")
        try await TestDocker.waitUntil("the old frame gone") { !(try await tmux.screen()).contains("kept") }
        try tmux.type(start)
        try await tmux.waitFor("kept")
        try tmux.keys("Enter")
        // The history comes in just after the first frame, less at most the batch being written when it was killed
        // (5 s of samples, and one in flight). Probes alone could never show it: every check since the flip fails,
        // so without the healthy ones from before, availability would stay at 0%.
        var after = ""
        try await TestDocker.waitUntil("the history back on screen", timeout: 30) {
            after = try await tmux.screen()
            return Self.checks(in: after) ?? 0 >= checks - 6 && Self.failedInARow(in: after) ?? 0 >= failures - 6
                && Self.partlyAvailable(after)
        }
        #expect(after.contains("✗ unhealthy"), "\(after)")
        // The availability counts the healthy start too: under 100%, over 0%.
        #expect(Self.partlyAvailable(after) && !after.contains("checks    100% of") && !after.contains("checks    0% of"), "\(after)")
        try tmux.keys("q")
    }

    /// A docker config with the context `rec` at `host` (the same name, so the same history, for every config).
    func context(_ host: String, in directory: String) async throws -> String {
        let config = directory + "/docker-\(UUID().uuidString.prefix(6))"
        let made = try await run("/usr/bin/env", ["docker", "context", "create", "rec", "--docker", "host=\(host)"],
                                 environment: ["DOCKER_CONFIG": config, "PATH": "/usr/bin:/bin"])
        #expect(made.status == 0, "\(made.stderr)")
        return config
    }

    @Test func aRecorderTakesOverTheConsolesProbesAndStatusReadsItWithoutDocker() async throws {
        let setup = try await Setup()
        defer { setup.remove() }
        let direct = try await context(setup.host, in: setup.directory)
        var environment = setup.environment
        environment["DOCKER_HOST"] = nil
        environment["DOCKER_CONFIG"] = direct
        let tmux = try Tmux(width: 170, height: 30, environment: environment)
        try tmux.type("\(try clawtopBinary()) --context rec --config \(setup.config) --health-url kept=\(setup.server.address)/flippable?console")
        // The first frame's (the command line says kept too).
        try await tmux.waitFor("HEALTH")
        try tmux.keys("Enter")
        try await TestDocker.waitUntil("the console probing", timeout: 60) { try await setup.probes("console") >= 3 }

        let recorder = try BackgroundProcess(try clawtopBinary(), ["record", "--context", "rec", "--config", setup.config],
                                             environment: environment)
        try await tmux.waitFor("health: recorder \(recorder.pid)@")
        let checksThen = Self.checks(in: try await tmux.screen()) ?? 0
        let (consoleThen, recorderThen) = (try await setup.probes("console"), try await setup.probes("recorder"))
        // While the recorder probes five times, the console (on the same interval) would too, were it still probing.
        try await TestDocker.waitUntil("the recorder probing", timeout: 60) { try await setup.probes("recorder") >= recorderThen + 5 }
        let consoleNow = try await setup.probes("console")
        #expect(consoleNow - consoleThen <= 1, "the console probes no more (one may have been in flight): \(consoleThen) → \(consoleNow)")
        try await TestDocker.waitUntil("the console showing the recorder's checks") {
            Self.checks(in: try await tmux.screen()) ?? 0 > checksThen
        }

        // status, through a proxy that logs every request to the daemon: none while the recorder lives.
        let log = setup.directory + "/proxy.log"
        let proxy = try DockerProxy(targetHost: setup.host, listen: "unix:\(setup.directory)/proxy.sock", log: log)
        defer { proxy.stop() }
        var proxied = environment
        proxied["DOCKER_CONFIG"] = try await context("unix://\(setup.directory)/proxy.sock", in: setup.directory)
        let bin = try clawtopBinary()
        for format in ["plain", "tmux", "json"] {
            let status = try await run(bin, ["status", "--context", "rec", "--config", setup.config, "--format", format],
                                       environment: proxied)
            #expect(status.status == 0, "\(format): \(status.stdout) \(status.stderr)")
            // Other tests' labelled services may be agents too: "kept" is among the healthy, none is failing.
            #expect(status.stdout.contains(format == "json" ? "\"failing\":[]" : "● "), "\(format): \(status.stdout)")
            #expect(!status.stdout.contains("kept"), "\(format): \(status.stdout)")
        }
        #expect(proxy.requests().isEmpty, "status asked Docker: \(proxy.requests())")
        // Without a recorder, status asks Docker itself: the proxy sees it (the check above can fail).
        let other = try await run(bin, ["status", "--context", "rec", "--config", setup.config,
                                        "--no-history"], environment: proxied)
        #expect(other.status == 0 && !proxy.requests().isEmpty, "\(other.stderr)")

        // One recorder per swarm.
        let second = try await run(bin, ["record", "--context", "rec", "--config", setup.config], environment: environment, timeout: 30)
        #expect(second.status == 2 && second.stderr.contains("another recorder writes") && second.stderr.contains("pid \(recorder.pid)"),
                "\(second.status) \(second.stderr)")

        // The recorder stops: the console probes again, by itself.
        #expect(recorder.stop(SIGTERM) == 0, "\(recorder.printed)")
        #expect(recorder.printed.contains("stopping (signal 15)"), "\(recorder.printed)")
        try await TestDocker.waitUntil("the header without the recorder", timeout: 20) {
            !(try await tmux.screen()).contains("health: recorder")
        }
        let resumed = try await setup.probes("console")
        try await TestDocker.waitUntil("the console probing again", timeout: 20) { try await setup.probes("console") >= resumed + 2 }
        try tmux.keys("q")
    }

    /// In the console: `--bell` rings the terminal's bell, and a `--notify` command that fails is told in the status
    /// line.
    @Test func theConsolesBellAndAFailingNotifyCommand() async throws {
        let setup = try await Setup(maxFailures: 1)
        defer { setup.remove() }
        let bin = try clawtopBinary()
        let tmux = try Tmux(width: 170, height: 30, environment: setup.environment)
        // Every byte the console writes, to find the bell (BEL) among them.
        let output = setup.directory + "/pane.out"
        _ = try await tmux.tmux(["pipe-pane", "-o", "-t", tmux.session, "cat >> \(output)"])
        try tmux.type("\(bin) --config \(setup.config) --no-history --bell --notify-debounce 0 --notify 'exit 3'")
        try await tmux.waitFor("kept")
        try await TestDocker.waitUntil("a healthy probe", timeout: 30) { try await setup.probes("recorder") >= 2 }
        func bells() -> Int { ((try? Data(contentsOf: URL(fileURLWithPath: output))) ?? Data()).filter { $0 == 0x07 }.count }
        let before = bells()
        try await setup.flip()
        try await tmux.waitFor("--notify exited with 3 for kept healthy → unhealthy", timeout: 30)
        try await TestDocker.waitUntil("the bell rung", timeout: 10) { bells() > before }
        try tmux.keys("q")
        try await TestDocker.waitUntil("the console gone") { try tmux.childPID() == nil }
    }

    /// Where the history goes (CLAWTOP_HISTORY_DIR; --history-dir before it), and the bounds' options refused when
    /// they make no sense.
    @Test func theHistoryFolderAndItsBounds() async throws {
        let setup = try await Setup()
        defer { setup.remove() }
        let bin = try clawtopBinary()
        let (fromEnvironment, fromOption) = (setup.directory + "/env", setup.directory + "/option")
        var environment = setup.environment
        environment["CLAWTOP_HISTORY_DIR"] = fromEnvironment
        for (arguments, folder) in [([String](), fromEnvironment), (["--history-dir", fromOption], fromOption)] {
            let recorder = try BackgroundProcess(bin, ["record", "--config", setup.config] + arguments, environment: environment)
            try await TestDocker.waitUntil("a history in \(folder)", timeout: 30) {
                ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).contains { $0.hasSuffix(".sqlite") }
            }
            #expect(recorder.stop() == 0, "\(recorder.printed)")
        }
        #expect(!FileManager.default.fileExists(atPath: setup.directory + "/state/clawtop/history"), "nothing in the default place")
        for (option, value) in [("--history-retention", "30s"), ("--history-retention", "soon"), ("--history-max-mb", "0")] {
            let r = try await run(bin, ["snapshot", "--config", setup.config, option, value], environment: environment)
            #expect(r.status == 64 && r.stderr.contains(option), "\(option) \(value): \(r.status) \(r.stderr)")
        }
        let fine = try await run(bin, ["status", "--config", setup.config, "--history-retention", "48h", "--history-max-mb", "5"],
                                 environment: environment)
        #expect(fine.status == 0, "\(fine.stderr)")
    }

    /// A recorder that stops beating (stopped, not dead: its lease stays) is taken for gone after 20 s of silence:
    /// the console probes again by itself.
    @Test func aRecorderFoundSilentIsTakenForGone() async throws {
        let setup = try await Setup()
        defer { setup.remove() }
        let bin = try clawtopBinary()
        let recorder = try BackgroundProcess(bin, ["record", "--config", setup.config, "--health-url",
                                                   "kept=\(setup.server.address)/flippable?recorder"], environment: setup.environment)
        defer {
            kill(recorder.pid, SIGCONT)
            recorder.stop(SIGKILL)
        }
        try await TestDocker.waitUntil("the recorder probing", timeout: 60) { try await setup.probes("recorder") >= 2 }
        let tmux = try Tmux(width: 170, height: 30, environment: setup.environment)
        try tmux.type("\(bin) --config \(setup.config) --health-url kept=\(setup.server.address)/flippable?console")
        try await tmux.waitFor("health: recorder \(recorder.pid)@")
        kill(recorder.pid, SIGSTOP)
        let stoppedAt = Date()
        try await TestDocker.waitUntil("the header without the recorder", timeout: 60) {
            !(try await tmux.screen()).contains("health: recorder")
        }
        #expect(Date().timeIntervalSince(stoppedAt) >= 15, "taken for gone only after its silence")
        let resumed = try await setup.probes("console")
        try await TestDocker.waitUntil("the console probing again", timeout: 20) { try await setup.probes("console") >= resumed + 2 }
        try tmux.keys("q")
    }

    @Test func notifyRunsOncePerTransitionNotPerFlapAndTheTimelineTellsThemAll() async throws {
        let setup = try await Setup(maxFailures: 1)
        defer { setup.remove() }
        let told = setup.directory + "/told.txt"
        let bin = try clawtopBinary()
        let recorder = try BackgroundProcess(bin, ["record", "--config", setup.config, "--notify-debounce", "30",
                                                   "--notify", "echo \"$CLAWTOP_AGENT $CLAWTOP_OLD $CLAWTOP_NEW $CLAWTOP_REASON\" >> \(told)"],
                                             environment: setup.environment)
        defer { recorder.stop() }
        func lines() -> [String] {
            ((try? String(contentsOfFile: told, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }
        func seen(_ n: Int) async throws {
            try await TestDocker.waitUntil("\(n) transitions", timeout: 30) {
                recorder.printed.components(separatedBy: "kept: ").count - 1 >= n
            }
        }
        try await TestDocker.waitUntil("a healthy probe", timeout: 30) { try await setup.probes("recorder") >= 2 }
        try await Task.sleep(for: .seconds(2))
        try await setup.flip()
        try await seen(1)
        try await TestDocker.waitUntil("the first alert") { lines().count == 1 }
        // It was told by now: its window ends 30 s after at the latest.
        let toldBy = Date()
        #expect(lines() == ["kept healthy unhealthy HTTP 503"], "\(lines())")
        // It flaps within the debounce: healthy, then unhealthy again. Nothing is told.
        try await setup.flip()
        try await seen(2)
        try await setup.flip()
        try await seen(3)
        #expect(Date().timeIntervalSince(toldBy) < 28, "the flaps came within the debounce")
        // Past the window's end, and the second after it when held changes are told.
        try await Task.sleep(until: .now + .seconds(max(0, 32 - Date().timeIntervalSince(toldBy))), clock: .continuous)
        #expect(lines().count == 1, "a flap that ends where it was tells nothing: \(lines())")
        // status, from the live recorder's line: the agent by name, exit status 1.
        try await TestDocker.waitUntil("status says unhealthy", timeout: 15) {
            let status = try await run(bin, ["status", "--config", setup.config], environment: setup.environment)
            return status.status == 1 && status.stdout.contains("unhealthy: kept")
        }
        // Recovered, after the window: told at once.
        try await setup.flip()
        try await seen(4)
        try await TestDocker.waitUntil("the recovery told") { lines().count == 2 }
        #expect(lines().last == "kept unhealthy healthy ", "\(lines())")

        // Every transition is in the history, for JSON, the text frame and the console.
        try await TestDocker.waitUntil("the four transitions written", timeout: 20) {
            let json = try await run(bin, ["snapshot", "--config", setup.config, "--format", "json"], environment: setup.environment)
            let report = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
            let timeline = (report?["timeline"] as? [[String: Any]]) ?? []
            let moves = timeline.filter { $0["agent"] as? String == "kept" }.map { "\($0["from"] ?? "")>\($0["to"] ?? "")" }
            return moves == ["healthy>unhealthy", "unhealthy>healthy", "healthy>unhealthy", "unhealthy>healthy"]
        }
        let text = try await run(bin, ["snapshot", "--config", setup.config, "--view", "timeline", "--width", "120"],
                                 environment: setup.environment)
        #expect(text.stdout.components(separatedBy: "→ ✗ unhealthy").count - 1 == 2 && text.stdout.contains("HTTP 503"), "\(text.stdout)")

        let tmux = try Tmux(width: 120, height: 20, environment: setup.environment)
        try tmux.type("\(bin) --config \(setup.config)")
        try await tmux.waitFor("kept")
        try tmux.literal("h")
        // The history is read beside the first frame: its transitions come a moment after the timeline opens.
        var timeline = ""
        try await TestDocker.waitUntil("the two recoveries in the timeline", timeout: 20) {
            timeline = try await tmux.screen()
            return timeline.contains("AGO") && timeline.components(separatedBy: "→ ● healthy").count - 1 >= 2
        }
        // s goes round the states: healthy, starting, failing, unhealthy.
        for _ in 0..<4 { try tmux.literal("s") }
        let only = try await tmux.waitFor("only into unhealthy")
        #expect(!only.contains("→ ● healthy") && only.contains("→ ✗ unhealthy"), "\(only)")
        try tmux.keys("Escape")
        try tmux.keys("Escape")
        try await tmux.waitFor("healthy")
        try tmux.keys("q")
    }
}
