import DockerEngine
import DockerSource
import Foundation

/// The private daemons that `scripts/test` starts, and helpers for tests that use them.
///
/// Tests that need Docker are enabled when the daemon's address is in the environment, and always when `CI` is set:
/// there they fail with the reason instead of skipping.
public enum TestDocker {
    static let env = ProcessInfo.processInfo.environment

    /// The swarm manager's `DOCKER_HOST` (unix socket).
    public static var host: String? { env["CLAWTOP_TEST_DOCKER_HOST"] }
    /// A daemon that is not in a swarm.
    public static var plainHost: String? { env["CLAWTOP_TEST_PLAIN_DOCKER_HOST"] }
    /// A second one-node swarm, for switching between swarms.
    public static var swarm2Host: String? { env["CLAWTOP_TEST_SWARM2_DOCKER_HOST"] }
    /// The swarm manager over TCP with mutual TLS, and the client certificates for it.
    public static var tlsHost: String? { env["CLAWTOP_TEST_TLS_DOCKER_HOST"] }
    public static var tlsCertPath: String? { env["CLAWTOP_TEST_TLS_CERT_PATH"] }
    public static var image: String { env["CLAWTOP_TEST_IMAGE"] ?? "clawtop-test-agent:latest" }

    public static var isCI: Bool { !(env["CI"] ?? "").isEmpty }
    /// For `.enabled(if:)`: run when there is a daemon, and in CI even when there is not (to fail loudly).
    public static var shouldRun: Bool { host != nil || isCI }

    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    /// The swarm's address, or a failure that says how to get one.
    public static func requireHost() throws -> String {
        guard let host else {
            throw Unavailable(description: "CLAWTOP_TEST_DOCKER_HOST is not set: the private swarm from scripts/test is not running. Run the suite with scripts/test.")
        }
        return host
    }

    public static func require(_ value: String?, _ name: String) throws -> String {
        guard let value else { throw Unavailable(description: "\(name) is not set: run the suite with scripts/test.") }
        return value
    }

    /// A client for the swarm, shut down after `body`.
    @discardableResult
    /// The Docker backend the console uses, on a client of the private daemon; shut down afterwards.
    public static func withBackend<T>(host: String? = nil, _ body: (DockerBackend) async throws -> T) async throws -> T {
        try await withClient(host: host) { client in
            let backend = DockerBackend(client: client)
            do {
                let result = try await body(backend)
                await backend.shutdown()
                return result
            } catch {
                await backend.shutdown()
                throw error
            }
        }
    }

    public static func withClient<T>(host: String? = nil, _ body: (DockerClient) async throws -> T) async throws -> T {
        let h = try host ?? requireHost()
        let client = try DockerClient(endpoint: DockerEndpoint.parse(host: h, tls: nil, source: .dockerHost))
        do {
            let result = try await body(client)
            await client.shutdown()
            return result
        } catch {
            await client.shutdown()
            throw error
        }
    }

    // MARK: - The docker CLI, for setting up and checking from outside clawtop

    public struct CommandFailed: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    /// Runs `docker -H <swarm> args…` and returns its standard output.
    @discardableResult
    public static func docker(_ args: [String], host: String? = nil) throws -> String {
        let h = try host ?? requireHost()
        let result = try run("/usr/bin/env", ["docker", "-H", h] + args)
        guard result.status == 0 else {
            throw CommandFailed(description: "docker \(args.joined(separator: " ")) exited \(result.status): \(result.stderr)")
        }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `docker(_:host:)` for async code, off the cooperative pool.
    @discardableResult
    public static func docker(_ args: [String], host: String? = nil) async throws -> String {
        try await offPool { try docker(args, host: host) }
    }

    /// A unique service name for one test, so tests can run in parallel.
    public static func uniqueName(_ prefix: String) -> String {
        "t\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// Creates a service from the busybox test image with host networking, runs `body`, and removes the service.
    /// `command` is run with `sh -c`.
    @discardableResult
    public static func withService<T>(_ prefix: String, replicas: Int = 1, command: String = "sleep 3600",
                                      extraFlags: [String] = [], host: String? = nil,
                                      _ body: (String) async throws -> T) async throws -> T {
        let name = uniqueName(prefix)
        let mode = extraFlags.contains("global") ? [] : ["--replicas", String(replicas)]
        try await docker(["service", "create", "-d", "--no-resolve-image", "--name", name, "--network", "host"]
                    + mode + extraFlags + [image, "sh", "-c", command], host: host)
        do {
            let result = try await body(name)
            _ = try? await docker(["service", "rm", name], host: host)
            return result
        } catch {
            _ = try? await docker(["service", "rm", name], host: host)
            throw error
        }
    }

    // MARK: - Waiting on conditions

    public struct TimedOut: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    /// Polls `condition` until it is true, failing after `timeout` seconds. Never a fixed sleep.
    public static func waitUntil(_ what: String, timeout: Double = 30, every: Double = 0.2,
                                 _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        var lastError: Error?
        while Date() < deadline {
            do {
                if try await condition() { return }
            } catch {
                lastError = error
            }
            try await Task.sleep(for: .seconds(every))
        }
        throw TimedOut(description: "timed out after \(timeout) s waiting for \(what)" + (lastError.map { " (last error: \($0))" } ?? ""))
    }

    /// Running tasks of a service, as Docker (the CLI) reports them (async code, off the cooperative pool).
    public static func runningTasks(_ service: String) async throws -> Int {
        try await offPool { try runningTasks(service) }
    }

    /// Running tasks of a service, as Docker (the CLI) reports them.
    public static func runningTasks(_ service: String) throws -> Int {
        let out = try docker(["service", "ps", service, "--filter", "desired-state=running", "--format", "{{.CurrentState}}"])
        return out.split(separator: "\n").filter { $0.hasPrefix("Running") }.count
    }
}

// MARK: - Processes

public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs a program to completion and captures its output (killed after `timeout` seconds).
///
/// Built on posix_spawn and waitpid rather than Foundation's Process, whose exit detection proved unreliable in the
/// test runner. Output goes to temporary files rather than pipes: a daemon the program starts (a tmux server) may
/// keep inherited pipes open for ever. Signals blocked in the runner are unblocked in the child.
public func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                stdin: String? = nil, timeout: Double = 60) throws -> ProcessResult {
    let dir = NSTemporaryDirectory()
    let tag = UUID().uuidString
    let outPath = dir + "clawtop-run-\(tag).out", errPath = dir + "clawtop-run-\(tag).err", inPath = dir + "clawtop-run-\(tag).in"
    FileManager.default.createFile(atPath: inPath, contents: Data((stdin ?? "").utf8))
    defer { for p in [outPath, errPath, inPath] { try? FileManager.default.removeItem(atPath: p) } }

    let pid = try spawn(executable, arguments, environment: environment) { actions in
        posix_spawn_file_actions_addopen(&actions, 0, inPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    }

    var status: Int32 = 0
    let deadline = Date().addingTimeInterval(timeout)
    while true {
        let r = waitpid(pid, &status, WNOHANG)
        if r == pid || (r == -1 && errno != EINTR) { break }
        if Date() > deadline { kill(pid, SIGKILL); _ = waitpid(pid, &status, 0); break }
        usleep(5_000)
    }
    // Exit code, or 128 + signal as a shell reports it.
    let code: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    let stdout = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
    let stderr = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
    return ProcessResult(status: code, stdout: stdout, stderr: stderr)
}

/// Starts a program with posix_spawn: `redirect` sets up its file descriptors; signals blocked in the test runner
/// are unblocked and reset to their defaults in the child. Reap it with `waitpid`: Foundation's Process can miss a
/// child's exit and then spin in `waitUntilExit` for ever.
public func spawn(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                  redirect: (inout posix_spawn_file_actions_t) -> Void) throws -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    redirect(&actions)
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var empty = sigset_t()
    sigemptyset(&empty)
    posix_spawnattr_setsigmask(&attributes, &empty)
    var defaults = sigset_t()
    sigfillset(&defaults)
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

    // The run's own state directory (scripts/test sets it), unless the test names one: clawtop's history and action
    // log never land in the home directory of whoever runs the tests.
    var given = environment ?? ProcessInfo.processInfo.environment
    if given["XDG_STATE_HOME"] == nil, let state = ProcessInfo.processInfo.environment["XDG_STATE_HOME"] { given["XDG_STATE_HOME"] = state }
    let env = given.map { "\($0.key)=\($0.value)" }
    let argv = [executable] + arguments
    var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
    var cEnv: [UnsafeMutablePointer<CChar>?] = env.map { strdup($0) } + [nil]
    defer { for p in cArgs + cEnv { free(p) } }
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, executable, &actions, &attributes, &cArgs, &cEnv)
    guard rc == 0 else { throw TestDocker.CommandFailed(description: "cannot start \(executable): \(String(cString: strerror(rc)))") }
    return pid
}

/// The same, for async code: the wait happens on a thread of its own. Test functions run on Swift's cooperative
/// pool, which has one thread per core (two on CI machines); a blocking wait there stalls every other test's tasks
/// (the health scheduler's timers among them).
public func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                stdin: String? = nil, timeout: Double = 60) async throws -> ProcessResult {
    try await offPool { try run(executable, arguments, environment: environment, stdin: stdin, timeout: timeout) }
}

/// Runs blocking work on a thread of its own and awaits its result.
public func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try work() }) }
    }
}

/// The package's root directory (for the built binary and scripts).
public let packageRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
