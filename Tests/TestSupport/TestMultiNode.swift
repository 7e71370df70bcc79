import Foundation

/// The three-node swarm that `scripts/test` starts (a manager `mgr1`, workers `wk1` and `wk2`, each a dockerd in a
/// network namespace of its own). clawtop runs inside the manager's namespace, where `127.0.0.1` is the manager's
/// loopback and the workers are at `10.213.0.12` and `.13`, as it would on a real manager. Like `TestDocker`, the
/// suites run when the swarm is in the environment and always in CI, where they fail with the reason.
public enum TestMultiNode {
    static let env = ProcessInfo.processInfo.environment

    public static var shouldRun: Bool { env["CLAWTOP_TEST_MN_DOCKER_HOST"] != nil || TestDocker.isCI }

    public static func host() throws -> String { try TestDocker.require(env["CLAWTOP_TEST_MN_DOCKER_HOST"], "CLAWTOP_TEST_MN_DOCKER_HOST") }
    public static func netns() throws -> String { try TestDocker.require(env["CLAWTOP_TEST_MN_NETNS"], "CLAWTOP_TEST_MN_NETNS") }

    /// `docker -H <manager> args…`, with `stdin` on its standard input.
    @discardableResult
    public static func docker(_ args: [String], stdin: String? = nil) async throws -> String {
        let r = try await run("/usr/bin/env", ["docker", "-H", try host()] + args, stdin: stdin)
        guard r.status == 0 else {
            throw TestDocker.CommandFailed(description: "docker \(args.joined(separator: " ")) exited \(r.status): \(r.stderr)")
        }
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Stops (SIGTERM, until it has exited), kills (SIGKILL) or starts (until it answers) a node's dockerd.
    public static func node(_ action: String, _ node: String) async throws {
        let ctl = try TestDocker.require(env["CLAWTOP_TEST_MN_NODE_CTL"], "CLAWTOP_TEST_MN_NODE_CTL")
        let r = try await run(ctl, [action, node])
        guard r.status == 0 else { throw TestDocker.CommandFailed(description: "node-ctl \(action) \(node): \(r.stderr)") }
    }

    /// A node's `Status.State` and `Spec.Availability`, from the manager.
    public static func nodeState(_ node: String) async throws -> (state: String, availability: String) {
        let out = try await docker(["node", "inspect", node, "--format", "{{.Status.State}} {{.Spec.Availability}}"])
        let parts = out.split(separator: " ").map(String.init)
        return (parts.first ?? "", parts.count > 1 ? parts[1] : "")
    }

    /// The hostnames of the nodes where the service's tasks that should run are running.
    public static func runningNodes(_ service: String) async throws -> [String] {
        let out = try await docker(["service", "ps", service, "--filter", "desired-state=running", "--format", "{{.Node}} {{.CurrentState}}"])
        return out.split(separator: "\n").filter { $0.contains("Running") }.compactMap { $0.split(separator: " ").first.map(String.init) }.sorted()
    }

    /// Creates a service on the three-node swarm (busybox, host network, a 1 s stop grace), runs `body`, removes it.
    @discardableResult
    public static func withService<T>(_ prefix: String, replicas: Int = 1, command: String = "sleep 3600", flags: [String] = [],
                                      _ body: (String) async throws -> T) async throws -> T {
        let name = TestDocker.uniqueName(prefix)
        try await docker(["service", "create", "-d", "--no-resolve-image", "--name", name, "--network", "host",
                          "--stop-grace-period", "1s", "--replicas", String(replicas)] + flags + [TestDocker.image, "sh", "-c", command])
        do {
            let result = try await body(name)
            _ = try? await docker(["service", "rm", name])
            return result
        } catch {
            _ = try? await docker(["service", "rm", name])
            throw error
        }
    }

    /// A node's own daemon: the socket beside the manager's (`unix://…/mn/wk1/docker.sock`).
    public static func nodeHost(_ node: String) throws -> String {
        let manager = try host()
        return String(manager.dropLast("mgr1/docker.sock".count)) + "\(node)/docker.sock"
    }

    /// `ip netns exec <manager's namespace> clawtop args…`, with the manager's socket as DOCKER_HOST (and `environment`).
    public static func clawtop(_ args: [String], environment: [String: String] = [:]) async throws -> ProcessResult {
        let extra = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        return try await run("/usr/sbin/ip", ["netns", "exec", try netns(), "env", "DOCKER_HOST=\(try host())", "LANG=C.UTF-8"]
                                 + extra + [try clawtopBinary()] + args)
    }

    /// The console in tmux, inside the manager's namespace.
    public static func console(_ args: String, width: Int = 140, height: Int = 30, state: String) throws -> Tmux {
        let tmux = try Tmux(width: width, height: height, environment: ["LANG": "C.UTF-8", "TERM": "tmux-256color",
                                                                        "XDG_STATE_HOME": state])
        try tmux.type("clear; ip netns exec \(try netns()) env DOCKER_HOST=\(try host()) \(try clawtopBinary()) \(args); echo \"exit=$?\"")
        return tmux
    }
}
