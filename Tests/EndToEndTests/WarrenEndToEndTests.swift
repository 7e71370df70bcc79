import Foundation
import Testing
import TestSupport

/// clawtop with the real Warren (warren-server from Warren's kit) on loopback, against the private swarm: Warren's
/// states per agent, its verdict where only it can reach an agent, its events live, wake and sleep through it, a
/// wrong token, and Warren going away and coming back.
@Suite(.enabled(if: TestDocker.shouldRun && WarrenServer.shouldRun, "needs the private swarm and warren-server from scripts/test"))
struct WarrenEndToEndTests {
    /// A swarm service for an agent, a health server Warren alone can reach (by a `tasks.` name in its own
    /// /etc/hosts), and Warren running it.
    struct Fleet {
        let health: ScriptServer
        let warren: WarrenServer
        let steady: String

        /// `steady`: always-on, its health URL `http://tasks.<service>:PORT/flippable` reaches Warren only.
        /// `sleepy`: on-demand, asleep, with this `wake_cooldown`.
        init(steady: String, sleepy: (service: String, port: Int)? = nil, wakeCooldown: String = "1s", top: String = "") async throws {
            health = try await ScriptServer.start(script: "misbehaving-http.py")
            self.steady = steady
            let port = Int(health.address.split(separator: ":").last ?? "") ?? 0
            var agents = """
                  steady:
                    hostname: steady.example.com
                    backend: http://tasks.\(steady):\(port)
                    policy: always-on
                    container: {name: \(steady)}
                    health: {url: "http://tasks.\(steady):\(port)/flippable", check_interval: 1s, max_failures: 2}

                """
            if let sleepy {
                agents += """
                      sleepy:
                        hostname: sleepy.example.com
                        backend: http://127.0.0.1:\(sleepy.port)
                        policy: on-demand
                        container: {name: \(sleepy.service)}
                        health: {url: "http://127.0.0.1:\(sleepy.port)/api/health", check_interval: 2s, startup_timeout: 60s}
                        idle: {timeout: 30m, wake_cooldown: \(wakeCooldown)}

                    """
            }
            warren = try WarrenServer(agents: agents, top: top, hosts: ["tasks.\(steady)": "127.0.0.1"])
            try await warren.start()
        }

        /// Until Warren's policy for sleepy waits for a wake (it answers "sleeping" before its policy has looked).
        func sleepyWaitsForAWake() async throws {
            try await TestDocker.waitUntil("Warren's policy for sleepy waiting for a wake", timeout: 30) {
                warren.log.split(separator: "\n").contains { $0.contains("\"agent\":\"sleepy\"") && $0.contains("waiting for wake signal") }
            }
        }

        func stop() {
            warren.stop()
            health.stop()
        }
    }

    static func environment(_ extra: [String: String] = [:]) throws -> [String: String] {
        ["DOCKER_HOST": try TestDocker.requireHost(), "LANG": "C.UTF-8", "PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]
            .merging(extra) { $1 }
    }

    func snapshotJSON(_ fleet: Fleet, _ extra: [String] = [], env: [String: String] = [:]) async throws -> [String: Any] {
        let r = try await run(clawtopBinary(), ["snapshot", "--format", "json", "--config", fleet.warren.configPath] + extra,
                              environment: try Self.environment(env))
        #expect(r.status != 2, "\(r.stderr)")
        return (try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]) ?? [:]
    }

    /// The console on the fleet's config (which names Warren by its admin_listen), in a private tmux.
    func console(_ fleet: Fleet, state: String? = nil) throws -> Tmux {
        let tmux = try Tmux(width: 200, height: 30,
                            environment: try Self.environment(["TERM": "tmux-256color"].merging(state.map { ["XDG_STATE_HOME": $0] } ?? [:]) { $1 }))
        try tmux.type("clear; \(try clawtopBinary()) --config \(fleet.warren.configPath); echo \"exit=$?\"")
        return tmux
    }

    func agent(_ report: [String: Any], _ name: String) -> [String: Any] {
        ((report["agents"] as? [[String: Any]]) ?? []).first { $0["name"] as? String == name } ?? [:]
    }

    @Test func warrensStatesAndItsVerdictWhereOnlyItCanReach() async throws {
        try await TestDocker.withService("wsteady") { steady in
            let fleet = try await Fleet(steady: steady)
            defer { fleet.stop() }
            // The config's admin_listen names Warren: no option needed.
            var report: [String: Any] = [:]
            try await TestDocker.waitUntil("Warren's verdict on steady", timeout: 30) {
                report = try await snapshotJSON(fleet)
                return (agent(report, "steady")["warren"] as? [String: Any])?["state"] as? String == "ready"
            }
            let warren = report["warren"] as? [String: Any] ?? [:]
            #expect(warren["link"] as? String == "live" && warren["address"] as? String == fleet.warren.admin, "\(warren)")
            let steadyRow = agent(report, "steady")
            #expect(steadyRow["health"] as? String == "healthy" && steadyRow["healthSource"] as? String == "warren", "\(steadyRow)")
            #expect((steadyRow["unreachable"] as? String)?.contains("DNS") == true, "clawtop's own probe cannot resolve it")

            // An agent added through Warren's API. Warren writes it into its own config file; clawtop reads a copy
            // made before, as an operator's copy elsewhere would be, so the agent is known to Warren alone.
            let config = try String(contentsOfFile: fleet.warren.configPath, encoding: .utf8)
            let copy = fleet.warren.directory + "/as-started.yaml"
            try config.write(toFile: copy, atomically: true, encoding: .utf8)
            let added = try await fleet.warren.post("/admin/agents", json: #"{"name":"added","hostname":"added.example.com","backend":"http://127.0.0.1:1","policy":"unmanaged"}"#)
            #expect(added.contains("\"status\":\"ok\""), "\(added)")
            let r = try await run(clawtopBinary(), ["snapshot", "--format", "json", "--config", copy, "--warren", fleet.warren.admin],
                                  environment: try Self.environment())
            let withAdded = (try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]) ?? [:]
            #expect(agent(withAdded, "added")["source"] as? String == "warren", "\(agent(withAdded, "added"))")
            #expect((agent(withAdded, "added")["warren"] as? [String: Any])?["state"] as? String == "ready")
        }
    }

    @Test func aHealthFlipArrivesThroughTheEventStream() async throws {
        try await TestDocker.withService("wflip") { steady in
            let fleet = try await Fleet(steady: steady)
            defer { fleet.stop() }
            let tmux = try console(fleet)
            defer { tmux.kill() }
            try await TestDocker.waitUntil("steady healthy through Warren", timeout: 30) {
                try tmux.screen().split(separator: "\n").contains { $0.contains(" steady ") && $0.contains("● healthy") }
            }
            // "health failed" is the word of Warren's event (agent.health_failed): its state, read every 10 s,
            // says "degraded". So the flip on screen came through the event stream, however long it took.
            _ = try await fleet.health.get("/flip")
            try await TestDocker.waitUntil("steady failing on screen", timeout: 30) {
                try tmux.screen().split(separator: "\n").contains { $0.contains(" steady ") && $0.contains("warren: health failed") }
            }
            try await TestDocker.waitUntil("steady unhealthy: Warren says degraded", timeout: 15) {
                try tmux.screen().split(separator: "\n").contains { $0.contains(" steady ") && $0.contains("unhealthy") && $0.contains("degraded") }
            }
            try tmux.keys("q")
            try await tmux.waitFor("exit=0")
        }
    }

    @Test func wAndZWakeAndSleepThroughWarren() async throws {
        let port = try freeLoopbackPort()
        try await TestDocker.withService("wsleepy", replicas: 0, command: "exec httpd -f -p 127.0.0.1:\(port) -h /www") { sleepy in
            try await TestDocker.withService("wsteady") { steady in
                let fleet = try await Fleet(steady: steady, sleepy: (sleepy, port))
                defer { fleet.stop() }
                let state = NSTemporaryDirectory() + "clawtop-warren-state-\(UUID().uuidString.prefix(8))"
                defer { try? FileManager.default.removeItem(atPath: state) }
                let tmux = try console(fleet, state: state)
                defer { tmux.kill() }
                try await tmux.waitFor("sleeping")
                // Warren answers "sleeping" before its policy has looked at the service; once it has, a wake within
                // wake_cooldown (1 s here) of that is ignored by design. Wait for the policy to wait, and the cooldown.
                try await fleet.sleepyWaitsForAWake()
                try await Task.sleep(for: .seconds(1.5))
                try tmux.keys("/")
                try tmux.literal("sleepy")
                try tmux.keys("Enter", "w")
                try await tmux.waitFor("wake sleepy through Warren")
                try tmux.keys("y")
                var said = ""
                do {
                    // Longer than Warren's own startup_timeout (60 s): Warren decides, then the test reads it.
                    try await TestDocker.waitUntil("Warren has sleepy ready", timeout: 90) {
                        said = try await fleet.warren.get("/admin/agents/sleepy")
                        return said.contains("\"state\":\"ready\"")
                    }
                } catch {
                    // What Warren said, where the replica got to, what clawtop did and Warren's own log of the agent.
                    let tasks = (try? await TestDocker.docker(["service", "ps", sleepy, "--no-trunc", "--format", "{{.CurrentState}} {{.Error}}"])) ?? "?"
                    let actions = (try? String(contentsOfFile: state + "/clawtop/actions.log", encoding: .utf8)) ?? "none"
                    let warrenLog = fleet.warren.log.split(separator: "\n").filter { $0.contains("sleepy") || $0.contains("wake") }
                    let screen = (try? await tmux.screen()) ?? ""
                    let logged = warrenLog.suffix(30).joined(separator: "\n")
                    Issue.record(Comment(rawValue: "Warren said: \(said)\ntasks:\n\(tasks)\nclawtop's action log: \(actions)\nthe screen:\n\(screen)\nWarren's log of sleepy:\n\(logged)"))
                    throw error
                }
                #expect(try await TestDocker.docker(["service", "inspect", "-f", "{{.Spec.Mode.Replicated.Replicas}}", sleepy])
                            .trimmingCharacters(in: .whitespacesAndNewlines) == "1")
                try await TestDocker.waitUntil("the status line follows Warren", timeout: 15) {
                    try tmux.screen().contains("warren: ready")
                }
                try tmux.keys("z")
                try await tmux.waitFor("sleep sleepy through Warren")
                try tmux.keys("y")
                try await TestDocker.waitUntil("Warren has sleepy sleeping", timeout: 30) {
                    try await fleet.warren.get("/admin/agents/sleepy").contains("\"state\":\"sleeping\"")
                }
                #expect(try await TestDocker.docker(["service", "inspect", "-f", "{{.Spec.Mode.Replicated.Replicas}}", sleepy])
                            .trimmingCharacters(in: .whitespacesAndNewlines) == "0")
                // A scale straight to Docker is asked with a warning.
                try tmux.keys("+")
                try await tmux.waitFor("will not know of this scale")
                try tmux.keys("n", "q", "q")
                try await tmux.waitFor("exit=0")
                // The action log says both went through Warren.
                let log = try String(contentsOfFile: state + "/clawtop/actions.log", encoding: .utf8)
                let entries = log.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
                #expect(entries.map { $0["action"] as? String } == ["wake", "sleep"], "\(log)")
                #expect(entries.allSatisfy { $0["path"] as? String == "warren" && $0["agent"] as? String == "sleepy"
                    && $0["service"] as? String == sleepy }, "\(log)")
            }
        }
    }

    /// Warren answers "waking" to a wake it ignores: here inside its wake_cooldown (10 minutes from finding sleepy
    /// asleep at its start). The console tells it from Warren's state, and Docker keeps sleepy at 0.
    @Test func aWakeWarrenIgnoresIsSaid() async throws {
        let port = try freeLoopbackPort()
        try await TestDocker.withService("wcool", replicas: 0, command: "exec httpd -f -p 127.0.0.1:\(port) -h /www") { sleepy in
            try await TestDocker.withService("wsteady") { steady in
                let fleet = try await Fleet(steady: steady, sleepy: (sleepy, port), wakeCooldown: "10m")
                defer { fleet.stop() }
                let tmux = try console(fleet)
                defer { tmux.kill() }
                try await tmux.waitFor("sleeping")
                try await fleet.sleepyWaitsForAWake()
                try tmux.keys("/")
                try tmux.literal("sleepy")
                try tmux.keys("Enter", "w")
                try await tmux.waitFor("wake sleepy through Warren")
                try tmux.keys("y")
                let screen = try await tmux.waitFor("Warren has not woken sleepy", timeout: 30)
                #expect(fleet.warren.log.contains("wake request ignored: cooldown active"), "\(fleet.warren.log.suffix(2000))")
                #expect(try await TestDocker.docker(["service", "inspect", "-f", "{{.Spec.Mode.Replicated.Replicas}}", sleepy])
                            .trimmingCharacters(in: .whitespacesAndNewlines) == "0", "\(screen)")
                try tmux.keys("Escape", "q")
                try await tmux.waitFor("exit=0")
            }
        }
    }

    @Test func aWrongTokenGivesTheUnauthorizedStateAndNoCrash() async throws {
        try await TestDocker.withService("wtoken") { steady in
            let token = "warren-admin-5d2c8e1f"
            let fleet = try await Fleet(steady: steady, top: "admin_token: \(token)")
            defer { fleet.stop() }
            let wrong = try await snapshotJSON(fleet, env: ["WARREN_ADMIN_TOKEN": "not-it"])
            #expect((wrong["warren"] as? [String: Any])?["link"] as? String == "unauthorized", "\(wrong["warren"] ?? "")")
            // The config's own admin_token is taken when nothing else names one.
            let right = try await snapshotJSON(fleet)
            #expect((right["warren"] as? [String: Any])?["link"] as? String == "live", "\(right["warren"] ?? "")")
            let r = try await run(clawtopBinary(), ["snapshot", "--config", fleet.warren.configPath, "--width", "200"],
                                  environment: try Self.environment(["WARREN_ADMIN_TOKEN": "not-it"]))
            #expect(r.stdout.contains("warren 401") && !r.stdout.contains(token) && !r.stderr.contains(token), "\(r.stdout)")
        }
    }

    @Test func somethingElseAtTheAddressAndNothingAtAllAreToldApart() async throws {
        let other = try await ScriptServer.start(script: "misbehaving-http.py")
        defer { other.stop() }
        let closed = "http://127.0.0.1:\(try freeLoopbackPort())"
        for (address, link, header) in [(other.address, "not-warren", "not warren"), (closed, "unreachable", "warren unreachable")] {
            let r = try await run(clawtopBinary(), ["snapshot", "--all", "--warren", address, "--format", "json"],
                                  environment: try Self.environment())
            let report = (try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]) ?? [:]
            let warren = report["warren"] as? [String: Any] ?? [:]
            #expect(r.status != 2 && warren["link"] as? String == link, "\(address): \(warren) \(r.stderr)")
            #expect((warren["problem"] as? String)?.isEmpty == false)
            let text = try await run(clawtopBinary(), ["snapshot", "--all", "--warren", address, "--width", "200"],
                                     environment: try Self.environment())
            #expect(text.stdout.split(separator: "\n").first?.contains(header) == true, "\(text.stdout)")
        }
    }

    @Test func aTokenWithoutAnAddressIsRefused() async throws {
        let file = NSTemporaryDirectory() + "clawtop-warren-token-\(UUID().uuidString.prefix(8))"
        try "some-token".write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let r = try await run(clawtopBinary(), ["snapshot", "--all", "--warren-token-file", file], environment: try Self.environment())
        #expect(r.status == 2 && r.stderr.contains("nothing names Warren's address"), "\(r.stderr)")
        let bad = try await run(clawtopBinary(), ["snapshot", "--all", "--warren", "warren:9090"], environment: try Self.environment())
        #expect(bad.status == 64 && bad.stderr.contains("--warren takes Warren's admin address"), "\(bad.stderr)")
    }

    @Test func warrenStoppedIsUnreachableAndItsReturnIsSeen() async throws {
        try await TestDocker.withService("wgone") { steady in
            let fleet = try await Fleet(steady: steady)
            defer { fleet.stop() }
            let tmux = try console(fleet)
            defer { tmux.kill() }
            try await tmux.waitFor("asleep ws")
            fleet.warren.stop()
            try await tmux.waitFor("warren unreachable", timeout: 20)
            try await fleet.warren.start()
            try await tmux.waitFor("asleep ws", timeout: 20)
            try tmux.keys("q")
            try await tmux.waitFor("exit=0")
        }
    }
}
