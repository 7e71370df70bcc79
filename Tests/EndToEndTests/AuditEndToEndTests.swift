import Foundation
import Testing
import TestSupport

/// The fleet held to the containerising guide, on the three-node swarm (an encrypted overlay needs more than one
/// node: on a one-node swarm its tasks are rejected, "encryption keys not present"): one service per rule that breaks
/// exactly that rule, one that keeps them all, and the guide's own stack file. clawtop runs in the manager's
/// namespace, each worker's daemon named with --node. scripts/test runs this suite after the others: its eleven
/// services and the overlay's keys, started at once on three daemons, kept other tests' services from starting
/// within 30 s.
@Suite(.enabled(if: TestMultiNode.shouldRun, "needs the three-node swarm from scripts/test"))
struct AuditEndToEndTests {
    func node(_ name: String) throws -> [String] { ["--node", "\(name)=\(try TestMultiNode.nodeHost(name))"] }

    /// What `clawtop audit --format json` says of the agents named `prefix…`: rules by agent, and the exit status.
    func audit(only prefix: String, _ extra: [String] = []) async throws -> (status: Int32, rules: [String: [String]], printed: String) {
        let r = try await TestMultiNode.clawtop(["audit", "--format", "json", "--no-history"] + node("wk1") + node("wk2") + extra)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "\(r.stdout) \(r.stderr)")
        var rules: [String: [String]] = [:]
        for entry in object["audit"] as? [[String: Any]] ?? [] {
            guard let agent = entry["agent"] as? String, agent.hasPrefix(prefix), let rule = entry["rule"] as? String else { continue }
            rules[agent, default: []].append((entry["verdict"] as? String == "fails" ? "" : "?") + rule)
        }
        return (r.status, rules, r.stdout + r.stderr)
    }

    @Test func oneServicePerRuleShowsItsRuleAndOnlyItAndTheGoodOneNone() async throws {
        let health = try await ScriptServer.start(script: "misbehaving-http.py", netns: try TestMultiNode.netns())
        defer { health.stop() }
        let id = UUID().uuidString.prefix(5).lowercased()
        let (encrypted, plain) = ("aud\(id)enc", "aud\(id)plain")
        _ = try await TestMultiNode.docker(["network", "create", "-d", "overlay", "--opt", "encrypted", encrypted])
        _ = try await TestMultiNode.docker(["network", "create", "-d", "overlay", plain])
        let key = "sk-ant-api03-\(UUID().uuidString.replacingOccurrences(of: "-", with: ""))"
        /// The guide's stack file, as flags; `health` is the path its health URL answers on.
        func flags(_ name: String, health path: String = "/ok") -> [String] {
            ["--limit-memory", "64M", "--limit-cpu", "0.5", "--reserve-memory", "16M", "--reserve-cpu", "0.1",
             "--restart-max-attempts", "10", "--restart-window", "120s", "--user", "1000", "--health-cmd", "true",
             "--network", encrypted, "--label", "orchestrator.agent=\(name)", "--label", "clawtop.health.url=\(health.address)\(path)"]
        }
        func without(_ list: [String], _ options: String...) -> [String] {
            var out: [String] = [], i = 0
            while i < list.count {
                if options.contains(list[i]) { i += 2; continue }
                out.append(list[i])
                i += 1
            }
            return out
        }
        let breakers: [(rule: String, flags: (String) -> [String])] = [
            ("secret-in-env", { flags($0) + ["--env", "ANTHROPIC_API_KEY=\(key)"] }),
            ("root-user", { without(flags($0), "--user") }),
            ("memory-limit", { without(flags($0), "--limit-memory") }),
            ("health-ready", { flags($0, health: "/html") }),
            ("healthcheck", { without(flags($0), "--health-cmd") }),
            ("restart-attempts", { without(flags($0), "--restart-max-attempts") }),
            ("cpu-limit", { without(flags($0), "--limit-cpu") }),
            ("reservations", { without(flags($0), "--reserve-memory", "--reserve-cpu") }),
            ("encrypted-network", { without(flags($0), "--network") + ["--network", plain] }),
        ]
        let prefix = "aud\(id)-"
        var names = ["\(prefix)keeps-all"]
        _ = try await TestMultiNode.docker(["service", "create", "-d", "--no-resolve-image", "--name", names[0]] + flags(names[0])
                                        + [TestDocker.image, "sleep", "3600"])
        for (rule, made) in breakers {
            let name = "\(prefix)\(rule)"
            names.append(name)
            _ = try await TestMultiNode.docker(["service", "create", "-d", "--no-resolve-image", "--name", name] + made(name)
                                            + [TestDocker.image, "sleep", "3600"])
        }
        defer {
            let manager = (try? TestMultiNode.host()) ?? ""
            _ = try? run("/usr/bin/env", ["docker", "-H", manager, "service", "rm"] + names)
            for _ in 0..<40 {
                if (try? run("/usr/bin/env", ["docker", "-H", manager, "network", "rm", encrypted, plain]))?.status == 0 { break }
                usleep(500_000)
            }
        }
        try await TestDocker.waitUntil("every service running", timeout: 120) {
            let ls = try await TestMultiNode.docker(["service", "ls", "--filter", "name=\(prefix)", "--format", "{{.Replicas}}"])
            return ls.split(separator: "\n").filter { $0 == "1/1" }.count == names.count
        }
        var last: (status: Int32, rules: [String: [String]], printed: String)?
        try await TestDocker.waitUntil("each breaking service with its rule and only it", timeout: 60) {
            last = try await audit(only: prefix)
            return breakers.allSatisfy { last?.rules["\(prefix)\($0.rule)"] == [$0.rule] } && last?.rules["\(prefix)keeps-all"] == nil
        }
        let result = try #require(last)
        #expect(result.status == 1)
        let text = try await TestMultiNode.clawtop(["audit", "--no-history"] + node("wk1") + node("wk2"))
        #expect(text.status == 1 && text.stdout.contains("\(prefix)secret-in-env: ANTHROPIC_API_KEY is set in the environment, not a secret"),
                "\(text.stdout)")
        // The key itself is nowhere: not in the audit, the snapshot, its JSON, the details.
        let snapshots = [try await TestMultiNode.clawtop(["snapshot", "--no-history", "--view", "audit", "--width", "200", "--height", "60"]),
                         try await TestMultiNode.clawtop(["snapshot", "--no-history", "--format", "json"]),
                         try await TestMultiNode.clawtop(["snapshot", "--no-history", "--view", "details", "--select", "\(prefix)secret-in-env", "--height", "60"])]
        #expect(snapshots[0].stdout.contains("secret-in-env") && snapshots[0].stdout.contains("keeps every") == false, "\(snapshots[0].stdout)")
        for output in [result.printed, text.stdout + text.stderr] + snapshots.map({ $0.stdout + $0.stderr }) {
            #expect(!output.contains(key) && !output.contains("sk-ant-api03"), "the key printed: \(output)")
        }

        // Silenced by its label, a rule no longer fails; the page says how many are.
        _ = try await TestMultiNode.docker(["service", "update", "-d", "--label-add", "clawtop.audit.ignore=cpu-limit", "\(prefix)cpu-limit"])
        try await TestDocker.waitUntil("the rule silenced", timeout: 30) {
            let r = try await audit(only: prefix)
            return r.rules["\(prefix)cpu-limit"] == nil
        }
        let page = try await TestMultiNode.clawtop(["snapshot", "--no-history", "--view", "audit", "--width", "200", "--height", "60"])
        #expect(page.stdout.contains("1 silenced (clawtop.audit.ignore)"), "\(page.stdout)")

        // With the breaking ones gone, the one that keeps every rule passes: exit 0.
        _ = try await TestMultiNode.docker(["service", "rm"] + names.dropFirst())
        try await TestDocker.waitUntil("the audit passing", timeout: 60) {
            let r = try await audit(only: prefix)
            return r.status == 0 && r.rules.isEmpty
        }
    }

    /// The guide's stack file ("Stack File" in containerising-agents.md), deployed as written but for three things:
    /// its network's `encrypted: true` moved under `driver_opts` (which `docker stack deploy` requires), no `ports:`
    /// (the private swarms run without an ingress network), and the test image. Every rule its file keeps passes; of
    /// the image-level rules, the test image (busybox, no USER) runs as root, and only that fails.
    @Test func theGuidesOwnStackFileKeepsEveryRuleItsFileCanKeep() async throws {
        let host = try TestMultiNode.host()
        let health = try await ScriptServer.start(script: "misbehaving-http.py", netns: try TestMultiNode.netns())
        defer { health.stop() }
        let id = UUID().uuidString.prefix(5).lowercased()
        let stack = "guide\(id)"
        let directory = NSTemporaryDirectory() + "clawtop-guide-\(id)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let secrets = ["my-agent-api-key-\(id)", "my-agent-gateway-token-\(id)"]
        for secret in secrets {
            _ = try await run("/bin/sh", ["-c", "echo not-a-real-key | docker -H '\(host)' secret create \(secret) -"])
        }
        try """
            version: "3.8"

            services:
              my-agent:
                image: \(TestDocker.image)
                command: ["sleep", "3600"]
                deploy:
                  replicas: 1  # or 0 for on-demand
                  restart_policy:
                    condition: any
                    delay: 5s
                    max_attempts: 10
                    window: 120s
                  resources:
                    limits:
                      cpus: "2.0"
                      memory: 4G
                    reservations:
                      cpus: "0.5"
                      memory: 1G
                secrets:
                  - \(secrets[0])
                  - \(secrets[1])
                networks:
                  - agent-net
                healthcheck:
                  test: ["CMD", "curl", "-f", "http://localhost:8081/api/health"]
                  interval: 10s
                  timeout: 5s
                  retries: 3
                  start_period: 30s

            secrets:
              \(secrets[0]):
                external: true
              \(secrets[1]):
                external: true

            networks:
              agent-net:
                driver: overlay
                driver_opts:
                  encrypted: ""
            """.write(toFile: directory + "/stack.yml", atomically: true, encoding: .utf8)
        try """
            agents:
              my-agent:
                hostname: my-agent.example.com
                backend: http://tasks.\(stack)_my-agent:8081
                policy: always-on
                container: {name: \(stack)_my-agent}
                health: {url: "\(health.address)/ok"}
            """.write(toFile: directory + "/orchestrator.yaml", atomically: true, encoding: .utf8)
        let deployed = try await run("/usr/bin/env", ["docker", "-H", host, "stack", "deploy", "-c", directory + "/stack.yml", stack])
        #expect(deployed.status == 0, "\(deployed.stderr)")
        defer {
            _ = try? run("/usr/bin/env", ["docker", "-H", host, "stack", "rm", stack])
            for _ in 0..<40 {
                if (try? run("/usr/bin/env", ["docker", "-H", host, "secret", "rm"] + secrets))?.status == 0 { break }
                usleep(500_000)
            }
        }
        var last: (status: Int32, rules: [String: [String]], printed: String)?
        try await TestDocker.waitUntil("its task read on its node", timeout: 90) {
            last = try await audit(only: "my-agent", ["--config", directory + "/orchestrator.yaml"])
            return last?.rules["my-agent"] == ["root-user"]
        }
        #expect(last?.status == 1, "the test image runs as root: \(last?.printed ?? "")")
    }
}
