import Foundation
import Testing
import TestSupport

/// What agents consume on the workers of the three-node swarm, read through each node's own daemon (`--node`, or a
/// docker context named after the node): the manager's API has no container stats, inspect or `oom` event for them.
/// In the serialized multi-node suite: one test stops a worker's daemon.
extension MultiNodeTests {
    static let hog = UsageEndToEndTests.hog(40)

    func node(_ name: String) throws -> [String] { ["--node", "\(name)=\(try TestMultiNode.nodeHost(name))"] }

    func usage(_ report: [String: Any], _ name: String) -> [String: Any]? { agent(report, name)?["usage"] as? [String: Any] }

    @Test func usageOnEachWorkerThroughItsOwnDaemonAndNoneWithoutOne() async throws {
        try await TestMultiNode.withService("mhog", command: Self.hog, flags: ["--constraint", "node.hostname==wk1", "--limit-memory", "256M"]) { hog in
            let both = try node("wk1") + node("wk2")
            // Half a core on wk2, for as short a time as the check takes: the suites beside this one share two cores.
            try await TestMultiNode.withService("mburn", command: "while :; do :; done",
                                                flags: ["--constraint", "node.hostname==wk2", "--limit-cpu", "0.5"]) { burner in
                try await TestDocker.waitUntil("the burner's CPU read through wk2's daemon", timeout: 90) {
                    usage(try await report(["--all"] + both).report, burner)?["cpuPercent"] != nil
                }
                let ours = try #require(usage(try await report(["--all"] + both).report, burner))
                let docker = try await DockerStats.of(burner, host: try TestMultiNode.nodeHost("wk2")).cpuPercent
                let cpu = try #require(ours["cpuPercent"] as? Double)
                // About half a core on an idle machine; on a busy one, what docker stats sees then.
                #expect(cpu <= 60 && (abs(cpu - docker) <= 15 || (40...60).contains(cpu)), "clawtop \(cpu)%, docker stats on wk2 \(docker)%")
                #expect(ours["cpuLimitPercent"] as? Double == 50, "\(ours)")
            }
            try await TestDocker.waitUntil("the hog's 40 MB read through wk1's daemon", timeout: 90) {
                (usage(try await report(["--all"] + both).report, hog)?["memoryBytes"] as? Int ?? 0) > 39_000_000
            }
            try await TestDocker.waitUntil("clawtop's figure within 10% of docker stats' on wk1", timeout: 30) {
                let memory = Double(usage(try await report(["--all"] + both).report, hog)?["memoryBytes"] as? Int ?? 0)
                let docker = try await DockerStats.of(hog, host: try TestMultiNode.nodeHost("wk1")).memoryBytes
                return abs(memory - docker) / docker < 0.1
            }

            // Without wk1's daemon: its agent shows "-", and the details and the nodes view say why.
            let without = try await report(["--all"] + node("wk2")).report
            #expect(usage(without, hog)?["unreachableNodes"] as? [String] == ["wk1"] && usage(without, hog)?["replicasRead"] as? Int == 0)
            let table = try await TestMultiNode.clawtop(["snapshot", "--all", "--width", "200"] + node("wk2"))
            #expect(frameRow(table.stdout, hog).contains(" 1/1   -     -  "), "\(table.stdout)")
            let details = try await TestMultiNode.clawtop(["snapshot", "--all", "--view", "details", "--select", hog, "--height", "40"] + node("wk2"))
            #expect(details.stdout.contains("wk1: no endpoint, see --node"), "\(details.stdout)")
            let nodes = try await TestMultiNode.clawtop(["snapshot", "--view", "nodes", "--width", "220"] + node("wk2"))
            #expect(frameRow(nodes.stdout, "wk1").contains("no endpoint, see --node"), "\(nodes.stdout)")
            #expect(frameRow(nodes.stdout, "wk2").contains("--node unix://"), "\(nodes.stdout)")
        }
    }

    @Test func aDockerContextNamedAfterTheNodeIsItsEndpoint() async throws {
        let config = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: config) }
        let made = try await run("/usr/bin/env", ["DOCKER_CONFIG=\(config)", "docker", "context", "create", "wk1",
                                                  "--docker", "host=\(try TestMultiNode.nodeHost("wk1"))"])
        #expect(made.status == 0, "\(made.stderr)")
        try await TestMultiNode.withService("chog", command: Self.hog, flags: ["--constraint", "node.hostname==wk1"]) { hog in
            try await TestDocker.waitUntil("the hog read through the context wk1", timeout: 90) {
                let r = try await TestMultiNode.clawtop(["snapshot", "--all", "--format", "json"], environment: ["DOCKER_CONFIG": config])
                let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any] ?? [:]
                return (usage(object, hog)?["memoryBytes"] as? Int ?? 0) > 39_000_000
            }
            let nodes = try await TestMultiNode.clawtop(["snapshot", "--view", "nodes", "--width", "220"], environment: ["DOCKER_CONFIG": config])
            #expect(frameRow(nodes.stdout, "wk1").contains("context wk1"), "\(nodes.stdout)")
        }
    }

    /// The manager over ssh:// (an alias in the operator's ssh config): `--ssh-nodes` reaches each worker at its
    /// address with the alias's user, port and keys. Without it the workers have no endpoint; with a manager that is
    /// not ssh://, it is refused.
    @Test func sshNodesReachEachWorkerAtItsAddressAsTheManagerIsReached() async throws {
        var manager = try TestSSH.server()
        manager.host = "10.213.0.11"
        let client = try TestSSH.Client(manager)
        let environment = client.environment.merging(["DOCKER_HOST": client.address]) { $1 }
        try await TestMultiNode.withService("shog", command: Self.hog, flags: ["--constraint", "node.hostname==wk1"]) { hog in
            try await TestDocker.waitUntil("the hog on wk1 read over ssh at its address", timeout: 90) {
                let r = try await TestMultiNode.clawtop(["snapshot", "--all", "--format", "json", "--ssh-nodes"], environment: environment)
                let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any] ?? [:]
                return (usage(object, hog)?["memoryBytes"] as? Int ?? 0) > 39_000_000
            }
            let nodes = try await TestMultiNode.clawtop(["snapshot", "--view", "nodes", "--width", "220", "--ssh-nodes"], environment: environment)
            for (node, address) in [("wk1", "10.213.0.12"), ("wk2", "10.213.0.13")] {
                #expect(frameRow(nodes.stdout, node).contains("--ssh-nodes ssh://\(manager.user)@\(address):\(manager.port)"), "\(nodes.stdout)")
            }
            #expect(frameRow(nodes.stdout, "mgr1").contains("this daemon"), "\(nodes.stdout)")
            let without = try await TestMultiNode.clawtop(["snapshot", "--view", "nodes", "--width", "220"], environment: environment)
            #expect(frameRow(without.stdout, "wk1").contains("no endpoint, see --node"), "\(without.stdout)")
        }
        let refused = try await TestMultiNode.clawtop(["snapshot", "--ssh-nodes"])
        #expect(refused.status == 2 && refused.stderr.contains("--ssh-nodes reaches each node over ssh://"), "\(refused.stderr)")
    }

    @Test func anOutOfMemoryKillOnAWorkerIsNamedOnlyWhereItsDaemonCanTell() async throws {
        let command = "sleep 1; x=$(head -c 200000000 /dev/zero | tr '\\0' a); sleep 3600"
        try await TestMultiNode.withService("moom", command: command, flags: ["--constraint", "node.hostname==wk1", "--limit-memory", "16M"]) { name in
            let words = "out of memory (limit 16 MiB)"
            try await TestDocker.waitUntil("the kill named", timeout: 90) {
                agent(try await report(["--all"] + node("wk1")).report, name)?["lastError"] as? String == words
            }
            let details = try await TestMultiNode.clawtop(["snapshot", "--all", "--view", "details", "--select", name, "--height", "40"] + node("wk1"))
            #expect(details.stdout.contains(words), "\(details.stdout)")
            // Without wk1's daemon, the manager cannot tell memory from any other SIGKILL: it says so.
            let blind = try await report(["--all"]).report
            #expect(agent(blind, name)?["lastError"] as? String == "killed (exit 137); wk1 has no endpoint to tell if it was memory",
                    "\(agent(blind, name) ?? [:])")
        }
    }

    @Test func aWorkersDaemonThatStopsMarksItsFiguresStaleUntilItIsBack() async throws {
        let state = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: state) }
        try await TestMultiNode.withService("mback", command: Self.hog, flags: ["--constraint", "node.hostname==wk2"]) { name in
            try await TestDocker.waitUntil("running on wk2", timeout: 60) { try await TestMultiNode.runningNodes(name) == ["wk2"] }
            let tmux = try TestMultiNode.console("--all " + node("wk2").joined(separator: " "), width: 200, height: 40, state: state)
            defer { tmux.kill() }
            try await tmux.waitFor("nodes 3/3")
            try tmux.literal("/\(name)")
            try tmux.keys("Enter")
            // The first row's details may say "1 replica read" too.
            try await tmux.waitFor(all: ["details: \(name)", "1 replica read"], timeout: 30)
            do {
                try await TestMultiNode.node("stop", "wk2")
                try await tmux.waitFor("wk2: stale, its daemon does not answer", timeout: 60)
            } catch {
                try? await TestMultiNode.node("start", "wk2")
                throw error
            }
            try await TestMultiNode.node("start", "wk2")
            try await TestDocker.waitUntil("the figures back", timeout: 120) {
                let screen = try await tmux.screen()
                return screen.contains("1 replica read") && !screen.contains("stale")
            }
            try tmux.keys("Escape")
            try tmux.keys("q")
            try await tmux.waitFor("exit=0")
        }
    }
}
