import Foundation
import Testing
import TestSupport

/// Two swarms (two private daemons) as two docker contexts, the way an operator with a staging and a production
/// swarm has them: the console switches between them from the `c` picker without a restart, acts on the one shown,
/// and finds each swarm's history as it left it; `snapshot --context` reads each in turn.
@Suite(.enabled(if: TestDocker.shouldRun, "needs the private swarms from scripts/test"))
struct SwarmSwitchTests {
    /// A docker config (in a temporary directory) with contexts `one` and `two`, made by the real docker CLI.
    func contexts(one: String, two: String) async throws -> String {
        let config = NSTemporaryDirectory() + "clawtop-contexts-\(UUID().uuidString.prefix(8))"
        for (name, host, description) in [("one", one, "the first swarm"), ("two", two, "the second swarm")] {
            let made = try await run("/usr/bin/env", ["docker", "context", "create", name, "--description", description,
                                                      "--docker", "host=\(host)"],
                                     environment: ["DOCKER_CONFIG": config, "PATH": "/usr/bin:/bin"])
            #expect(made.status == 0, "\(made.stderr)")
        }
        return config
    }

    /// "checks    100% of 7" in the details: how many probes the history holds.
    static func checks(in screen: String) -> Int? {
        guard let line = screen.split(separator: "\n").first(where: { $0.contains("checks") && $0.contains("% of ") }),
              let range = line.range(of: #"% of \d+"#, options: .regularExpression) else { return nil }
        return Int(line[range].dropFirst(5))
    }

    @Test func theConsoleSwitchesBetweenTwoSwarmsFromThePickerKeepingEachOnesHistory() async throws {
        let one = try TestDocker.requireHost()
        let two = try TestDocker.require(TestDocker.swarm2Host, "CLAWTOP_TEST_SWARM2_DOCKER_HOST")
        let config = try await contexts(one: one, two: two)
        defer { try? FileManager.default.removeItem(atPath: config) }
        let health = try await ScriptServer.start(script: "misbehaving-http.py")
        defer { health.stop() }
        let state = NSTemporaryDirectory() + "clawtop-switch-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: state) }
        try await TestDocker.withService("swone") { first in
            try await TestDocker.withService("swtwo", host: two) { second in
                let yaml = state + "/orchestrator.yaml"
                try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
                try """
                    agents:
                      alpha:
                        hostname: alpha.example.com
                        backend: http://tasks.\(first):18789
                        policy: always-on
                        container: {name: \(first)}
                        health: {url: "\(health.address)/ok?alpha", check_interval: 1s}
                      beta:
                        hostname: beta.example.com
                        backend: http://tasks.\(second):18789
                        policy: always-on
                        container: {name: \(second)}
                        health: {url: "\(health.address)/ok?beta", check_interval: 1s}
                    """.write(toFile: yaml, atomically: true, encoding: .utf8)
                func probes(_ agent: String) async throws -> Int {
                    let counts = try JSONSerialization.jsonObject(with: Data(try await health.get("/counts").utf8)) as? [String: Int]
                    return counts?["/ok?\(agent)"] ?? 0
                }
                let tmux = try Tmux(width: 140, height: 30, environment: [
                    "LANG": "C.UTF-8", "TERM": "tmux-256color", "DOCKER_CONFIG": config, "XDG_STATE_HOME": state,
                ])
                defer { tmux.kill() }
                try tmux.type("clear; \(try clawtopBinary()) --context one --context two --config \(yaml) --all --no-history; echo \"exit=$?\"")
                try await tmux.waitFor("alpha")
                #expect(try await tmux.screen().split(separator: "\n").first?.contains("one") == true, "the header names the swarm")

                // alpha's history grows on swarm one.
                try tmux.literal("/alpha")
                try tmux.keys("Enter")
                try tmux.keys("Enter")
                try await TestDocker.waitUntil("five checks of alpha", timeout: 30) {
                    (Self.checks(in: try await tmux.screen()) ?? 0) >= 5
                }
                let before = try #require(Self.checks(in: try await tmux.screen()))
                try tmux.keys("Escape")
                try tmux.keys("Escape")

                // The picker lists both, with their addresses and descriptions; Enter on two shows it.
                try tmux.literal("c")
                let picker = try await tmux.waitFor("swarms")
                #expect(picker.contains(two.replacingOccurrences(of: "unix://", with: "")) || picker.contains("the second swarm"), "\(picker)")
                try tmux.literal("j")
                try tmux.keys("Enter")
                try await tmux.waitFor("showing two")
                // Swarm one's probes stop while two is shown: two's agent is probed three times meanwhile, one's at
                // most once more (one may have been in flight).
                let alphaThen = try await probes("alpha"), betaThen = try await probes("beta")
                try await TestDocker.waitUntil("beta probed on swarm two", timeout: 30) { try await probes("beta") >= betaThen + 3 }
                let alphaNow = try await probes("alpha")
                #expect(alphaNow - alphaThen <= 1, "swarm one probed on while away: \(alphaThen) → \(alphaNow)")
                try await tmux.waitFor(String(second.prefix(10)))
                #expect(try await tmux.screen().split(separator: "\n").first?.contains("two") == true)

                // An action on the swarm shown lands in that swarm.
                try tmux.literal("/\(second)")
                try tmux.keys("Enter")
                try tmux.literal("+")
                try await tmux.waitFor("scale \(second) 1 → 2?")
                try tmux.literal("y")
                try await TestDocker.waitUntil("2 replicas on swarm two") {
                    try await TestDocker.docker(["service", "inspect", second, "--format", "{{.Spec.Mode.Replicated.Replicas}}"],
                                                host: two) == "2"
                }
                try tmux.keys("Escape")

                // Back to one: alpha's history is there as it was left, and grows on.
                try tmux.literal("c")
                try await tmux.waitFor("swarms")
                try tmux.literal("k")
                try tmux.keys("Enter")
                try await tmux.waitFor("showing one")
                try tmux.literal("/alpha")
                try tmux.keys("Enter")
                try tmux.keys("Enter")
                // The switch selected the first row: its details are another agent's until the filter applies.
                try await tmux.waitFor("details: alpha")
                try await TestDocker.waitUntil("alpha's details", timeout: 15) { Self.checks(in: try await tmux.screen()) != nil }
                let after = try #require(Self.checks(in: try await tmux.screen()))
                // No history on disk (--no-history): only the parked state can bring the checks back; lost, they
                // would start again from none.
                #expect(after >= before, "the history kept while away: \(before) then \(after)")
                try tmux.keys("Escape")
                try tmux.keys("Escape")
                try tmux.keys("q")
                try await tmux.waitFor("exit=0")
            }
        }
    }

    /// `snapshot --context one --context two`: each swarm's frame in turn, each header naming its swarm.
    @Test func aSnapshotOfEachContextInTurn() async throws {
        let one = try TestDocker.requireHost()
        let two = try TestDocker.require(TestDocker.swarm2Host, "CLAWTOP_TEST_SWARM2_DOCKER_HOST")
        let config = try await contexts(one: one, two: two)
        defer { try? FileManager.default.removeItem(atPath: config) }
        try await TestDocker.withService("snaptwo", host: two) { second in
            let r = try await run(clawtopBinary(), ["snapshot", "--width", "140", "--height", "40", "--all",
                                                    "--context", "one", "--context", "two", "--context", "nowhere"],
                                  environment: ["DOCKER_CONFIG": config, "LANG": "C.UTF-8"])
            #expect(r.status == 2, "a context that does not exist makes it 2: \(r.stderr)")
            #expect(r.stderr.contains("nowhere") && r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
            let headers = r.stdout.split(separator: "\n").filter { $0.contains(" clawtop ") }
            let names = headers.map { $0.trimmingCharacters(in: .whitespaces) }
            #expect(names.count == 2 && names[0].hasSuffix("one") && names[1].hasSuffix("two"), "\(r.stdout)")
            let secondFrame = try #require(r.stdout.range(of: headers.count == 2 ? String(headers[1]) : "\u{0}"))
            #expect(r.stdout[secondFrame.upperBound...].contains(String(second.prefix(10))), "\(r.stdout)")
        }
    }
}
