import Foundation
import Testing
import TestSupport

/// A shell in a replica's container through its node's own daemon, from the console in tmux on the three-node swarm:
/// the key, the shell's own answers, a resize reaching the container, the console back as it was, and the terminal's
/// modes (`stty -a`) the same before and after every way out. In the serialized multi-node suite.
extension MultiNodeTests {
    /// A console in tmux in the manager's namespace, between two `stty -a` written to `state`/before and /after;
    /// `prefix` goes before the command (an environment), `environment` into clawtop's.
    func execConsole(_ args: String, state: String, environment: [String: String] = [:], prefix: String = "") throws -> Tmux {
        let tmux = try Tmux(width: 160, height: 40, environment: ["LANG": "C.UTF-8", "TERM": "tmux-256color", "XDG_STATE_HOME": state])
        let extra = environment.sorted { $0.key < $1.key }.map { "\($0.key)='\($0.value)'" }.joined(separator: " ")
        try tmux.type("clear; stty -a > \(state)/before; \(prefix) ip netns exec \(try TestMultiNode.netns()) env DOCKER_HOST=\(try TestMultiNode.host()) "
                      + "\(extra) \(try clawtopBinary()) \(args); echo \"exit=$?\"; stty -a > \(state)/after")
        return tmux
    }

    /// The service's row selected by the filter, then `e`: the shell's prompt (busybox's `/ # `, its blank trimmed).
    func openShell(_ tmux: Tmux, _ name: String) async throws {
        try await tmux.waitFor(String(name.prefix(12)))
        try tmux.literal("/\(name)")
        try tmux.keys("Enter")
        try await tmux.waitFor("filter: \(name)")
        try tmux.literal("e")
        try await tmux.waitFor("/ #", timeout: 30)
    }

    /// The console's terminal modes are those of before it started (its size aside: a test resizes it).
    func sameModes(_ state: String) throws {
        func modes(_ file: String) throws -> String {
            try String(contentsOfFile: state + "/" + file, encoding: .utf8)
                .replacingOccurrences(of: #"rows \d+; columns \d+;"#, with: "", options: .regularExpression)
        }
        let (before, after) = (try modes("before"), try modes("after"))
        #expect(before.contains("icanon") && before == after, "before:\n\(before)\nafter:\n\(after)")
    }

    /// `e` on an agent whose one replica runs on wk1 (reached with --node, or at its address with --ssh-nodes when
    /// the manager is ssh://): `hostname` answers the container's, a resize reaches it, `exit` brings the console
    /// back on the same agent with the status; the action log says who opened a shell where, not what was typed.
    @Test(arguments: [false, true]) func aShellInAReplicaOnAWorker(overSSH: Bool) async throws {
        let state = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let hostname = "inside-\(UUID().uuidString.prefix(6).lowercased())"
        try await TestMultiNode.withService("msh", flags: ["--constraint", "node.hostname==wk1", "--hostname", hostname]) { name in
            try await TestDocker.waitUntil("its task running on wk1", timeout: 60) { try await TestMultiNode.runningNodes(name) == ["wk1"] }
            let tmux: Tmux
            var manager = try TestSSH.server()
            manager.host = "10.213.0.11"
            let client = try TestSSH.Client(manager)
            if overSSH {
                var environment = client.environment
                environment["DOCKER_HOST"] = client.address
                tmux = try execConsole("--all --ssh-nodes", state: state, environment: environment, prefix: client.pathPrefix)
            } else {
                tmux = try execConsole("--all " + node("wk1").joined(separator: " "), state: state)
            }
            defer { tmux.kill() }
            try await openShell(tmux, name)
            try tmux.type("hostname")
            try await tmux.waitFor("\n\(hostname)\n", timeout: 20)
            try tmux.resize(width: 100, height: 30)
            try tmux.type("stty size")
            try await tmux.waitFor("\n30 100\n", timeout: 20)
            try tmux.type("exit")
            let back = try await tmux.waitFor("ended: exit 0", timeout: 30)
            #expect(back.contains("shell in \(name) (1@wk1) ended: exit 0") && back.contains("filter: \(name)"), "\(back)")
            try tmux.keys("Enter")
            try await tmux.waitFor("details: \(name)")
            try tmux.keys("Escape")
            try tmux.keys("Escape")
            try tmux.keys("q")
            try await tmux.waitFor("exit=0")
            try await TestDocker.waitUntil("the modes written after") { FileManager.default.fileExists(atPath: state + "/after") }
            try sameModes(state)
            let log = try String(contentsOfFile: state + "/clawtop/actions.log", encoding: .utf8)
            let line = try #require(log.split(separator: "\n").last { $0.contains("\"shell\"") }, "\(log)")
            #expect(line.contains("\"agent\":\"\(name)\"") && line.contains("\"replica\":\"1@wk1\"") && line.contains("\"message\":\"exit 0\""),
                    "\(line)")
            #expect(!log.contains("stty size") && !log.contains("\"hostname\""), "nothing typed: \(log)")
        }
    }

    /// The container dying mid-session brings the console back with the shell's status; SIGTERM to clawtop
    /// mid-session ends the shell and clawtop (143). The terminal's modes are as before either way.
    @Test func aContainerThatDiesAndASigtermMidSessionLeaveTheTerminalAsItWas() async throws {
        let state = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: state) }
        try await TestMultiNode.withService("mdie", flags: ["--constraint", "node.hostname==wk1"]) { name in
            try await TestDocker.waitUntil("its task running on wk1", timeout: 60) { try await TestMultiNode.runningNodes(name) == ["wk1"] }
            let tmux = try execConsole("--all " + node("wk1").joined(separator: " "), state: state)
            defer { tmux.kill() }
            try await openShell(tmux, name)
            // Its container killed on wk1 (Swarm starts another).
            let wk1 = try TestMultiNode.nodeHost("wk1")
            let ids = try await run("/usr/bin/env", ["docker", "-H", wk1, "ps", "-q", "--filter", "label=com.docker.swarm.service.name=\(name)"])
            _ = try await run("/usr/bin/env", ["docker", "-H", wk1, "kill"] + ids.stdout.split(separator: "\n").map(String.init))
            let back = try await tmux.waitFor("shell in \(name) (1@wk1) ended: exit", timeout: 30)
            #expect(!back.contains("ended: exit 0"), "\(back)")

            // A new task; a shell in it, then SIGTERM to clawtop.
            try await TestDocker.waitUntil("a new task running", timeout: 60) { try await TestMultiNode.runningNodes(name) == ["wk1"] }
            try await TestDocker.waitUntil("the new container in the console", timeout: 30, every: 3) {
                try tmux.literal("e")
                return try await tmux.screen().contains("/ #")
            }
            let pid = try #require(try tmux.childPID())
            kill(pid, SIGTERM)
            try await tmux.waitFor("exit=143", timeout: 20)
            try await TestDocker.waitUntil("the modes written after") { FileManager.default.fileExists(atPath: state + "/after") }
            try sameModes(state)
        }
    }

    /// An image without a shell, a node without an endpoint and --read-only each say so on one line, and the console
    /// goes on.
    @Test func noShellNoEndpointAndReadOnlyEachGiveTheirLine() async throws {
        let state = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: state) }
        // An image of one program (busybox as /bin/sleep): no sh, no bash.
        let tag = "clawtop-noshell:\(UUID().uuidString.prefix(6).lowercased())"
        let rootfs = state + "/rootfs"
        try FileManager.default.createDirectory(atPath: rootfs + "/bin", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "/bin/busybox", toPath: rootfs + "/bin/sleep")
        let imported = try await run("/bin/sh", ["-c", "tar -C '\(rootfs)' -c . | docker -H '\(try TestMultiNode.host())' import - \(tag)"])
        #expect(imported.status == 0, "\(imported.stderr)")
        let noShell = TestDocker.uniqueName("mnosh")
        _ = try await TestMultiNode.docker(["service", "create", "-d", "--no-resolve-image", "--name", noShell, "--network", "host",
                                            "--constraint", "node.hostname==mgr1", tag, "/bin/sleep", "3600"])
        defer { _ = try? run("/usr/bin/env", ["docker", "-H", (try? TestMultiNode.host()) ?? "", "service", "rm", noShell]) }
        try await TestMultiNode.withService("mwk2", flags: ["--constraint", "node.hostname==wk2"]) { onWk2 in
            try await TestDocker.waitUntil("both running", timeout: 60) {
                let (first, second) = (try await TestMultiNode.runningNodes(noShell), try await TestMultiNode.runningNodes(onWk2))
                return first == ["mgr1"] && second == ["wk2"]
            }
            let tmux = try execConsole("--all", state: state)
            defer { tmux.kill() }
            // The flash's own words: the details of a replica on wk2 say "wk2: no endpoint, see --node" already.
            for (name, line) in [(noShell, "its image has no shell (neither bash nor sh)"), (onWk2, "wk2: no endpoint, see --node (")] {
                try await tmux.waitFor(String(name.prefix(12)))
                try tmux.literal("/\(name)")
                try tmux.keys("Enter")
                try await tmux.waitFor("filter: \(name)")
                try tmux.literal("e")
                try await tmux.waitFor(line, timeout: 30)
                try tmux.keys("Escape")
            }
            try tmux.literal("q")
            try await tmux.waitFor("exit=0")

            let readOnly = try execConsole("--all --read-only", state: state)
            defer { readOnly.kill() }
            try await readOnly.waitFor(String(onWk2.prefix(12)))
            try readOnly.literal("e")
            try await readOnly.waitFor("read-only: no shell (started with --read-only)")
            try readOnly.literal("q")
            try await readOnly.waitFor("exit=0")
        }
        _ = try? await TestMultiNode.docker(["service", "rm", noShell])
    }
}
