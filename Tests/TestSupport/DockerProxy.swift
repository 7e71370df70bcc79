import Foundation

/// A helper script from `scripts/` that prints `ready <address>` once it serves, and is killed on `stop()`.
public final class ScriptServer: @unchecked Sendable {
    public let address: String
    let pid: pid_t
    /// The network namespace it runs in (nil: this one); its loopback is its own.
    let netns: String?
    private var stopped = false

    public init(script: String, arguments: [String] = [], netns: String? = nil) throws {
        self.netns = netns
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw TestDocker.Unavailable(description: "pipe() failed") }
        let (readEnd, writeEnd) = (fds[0], fds[1])
        defer { close(readEnd) }
        do {
            let command = ["python3", packageRoot.appendingPathComponent("scripts/\(script)").path] + arguments
            let (tool, args) = netns.map { ("/usr/sbin/ip", ["netns", "exec", $0] + command) } ?? ("/usr/bin/env", command)
            pid = try spawn(tool, args) { actions in
                posix_spawn_file_actions_adddup2(&actions, writeEnd, 1)
                posix_spawn_file_actions_addclose(&actions, readEnd)
            }
        } catch {
            close(writeEnd)
            throw error
        }
        close(writeEnd)
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while read(readEnd, &byte, 1) == 1, byte != UInt8(ascii: "\n") { line.append(byte) }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("ready ") else {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            _ = waitpid(pid, &status, 0)
            throw TestDocker.Unavailable(description: "\(script) did not start: \(text)")
        }
        address = String(text.dropFirst("ready ".count))
    }

    /// Starts the script without blocking the cooperative pool while it gets ready (see `offPool`).
    public static func start(script: String, arguments: [String] = [], netns: String? = nil) async throws -> ScriptServer {
        try await offPool { try ScriptServer(script: script, arguments: arguments, netns: netns) }
    }

    /// The body of a GET of `path` on this server (through curl, not the code under test; in its namespace).
    public func get(_ path: String) async throws -> String { try await curl([address + path], netns: netns) }

    public func stop() {
        // SIGKILL: the test runner's threads block SIGTERM (unblocked in the child, but these hold no state anyway).
        guard !stopped else { return }
        stopped = true
        kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
    }

    deinit { stop() }
}

/// What curl prints for `arguments` (silent, failing on a transport error): HTTP in tests through a client that is
/// not the code under test. scripts/test installs curl.
public func curl(_ arguments: [String], netns: String? = nil) async throws -> String {
    let r = if let netns {
        try await run("/usr/sbin/ip", ["netns", "exec", netns, "/usr/bin/curl", "-sS"] + arguments)
    } else {
        try await run("/usr/bin/curl", ["-sS"] + arguments)
    }
    guard r.status == 0 else { throw TestDocker.Unavailable(description: "curl \(arguments.last ?? ""): \(r.stderr)") }
    return r.stdout
}

/// `scripts/docker-proxy.py` in front of the real daemon: a plain TCP endpoint, or a socket whose connections a
/// test can cut (SIGUSR1) to drop a client's streams without touching the daemon; with `log`, it counts requests.
public final class DockerProxy: @unchecked Sendable {
    private let server: ScriptServer
    private let log: String?
    public var address: String { server.address }

    /// - Parameter listen: `unix:PATH` or `tcp:127.0.0.1:0`.
    /// - Parameter log: a file that gets one `METHOD PATH` line per request (see `requests()`).
    public init(targetHost: String, listen: String, log: String? = nil) throws {
        guard targetHost.hasPrefix("unix://") else { throw TestDocker.Unavailable(description: "proxy needs a unix target") }
        self.log = log
        server = try ScriptServer(script: "docker-proxy.py",
                                  arguments: ["--target", String(targetHost.dropFirst("unix://".count)), "--listen", listen]
                                      + (log.map { ["--log", $0] } ?? []))
    }

    /// The requests seen so far, oldest first, as `METHOD PATH` (empty without a log).
    public func requests() -> [String] {
        guard let log, let text = try? String(contentsOfFile: log, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map(String.init)
    }

    /// Cuts every open connection; the proxy keeps listening.
    public func cutConnections() { kill(server.pid, SIGUSR1) }

    public func stop() { server.stop() }
}
