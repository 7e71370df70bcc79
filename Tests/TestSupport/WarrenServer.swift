import Foundation

/// The real Warren orchestrator (`warren-server`, built by scripts/test from Warren's kit), on loopback against the
/// private swarm, with an `orchestrator.yaml` the test writes. Its proxy and admin API listen on free loopback
/// ports. `hosts` gives it names only it resolves (in a mount namespace of its own, over /etc/hosts): a health URL
/// such as `http://tasks.openclaw_x:PORT/…` then reaches Warren's probe and not clawtop's, as inside an overlay.
public final class WarrenServer: @unchecked Sendable {
    public let adminPort: Int
    public let proxyPort: Int
    public let directory: String
    public let configPath: String
    private var pid: pid_t?
    private let hosts: [String: String]

    public var admin: String { "http://127.0.0.1:\(adminPort)" }

    /// The binary scripts/test exported, or nil.
    public static var binary: String? {
        guard let path = ProcessInfo.processInfo.environment["CLAWTOP_TEST_WARREN_SERVER"], !path.isEmpty else { return nil }
        return path
    }

    /// Run when there is a binary, and in CI even when there is not (to fail loudly).
    public static var shouldRun: Bool { binary != nil || TestDocker.isCI }

    /// The path to warren-server, or a failure that says how to get it.
    public static func requireBinary() throws -> String {
        guard let path = binary else {
            throw TestDocker.Unavailable(description: "CLAWTOP_TEST_WARREN_SERVER is not set: scripts/test builds Warren from ../shared/warren (or WARREN_KIT) and sets it")
        }
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw TestDocker.Unavailable(description: "CLAWTOP_TEST_WARREN_SERVER=\(path) is not an executable file")
        }
        return path
    }

    /// Writes the config: `agents` is the YAML of the `agents:` map (indented by two), `top` more top-level keys.
    public init(agents: String, top: String = "", hosts: [String: String] = [:], adminPort: Int? = nil,
                proxyPort: Int? = nil) throws {
        self.adminPort = try adminPort ?? freeLoopbackPort()
        self.proxyPort = try proxyPort ?? freeLoopbackPort()
        self.hosts = hosts
        directory = NSTemporaryDirectory() + "clawtop-warren-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        configPath = directory + "/orchestrator.yaml"
        try """
            listen: "127.0.0.1:\(self.proxyPort)"
            admin_listen: "127.0.0.1:\(self.adminPort)"
            alexandria: {url: "http://127.0.0.1:1"}
            \(top)
            agents:
            \(agents)
            """.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// Starts warren-server and waits until its admin API answers.
    public func start() async throws {
        let binary = try Self.requireBinary()
        let host = try TestDocker.requireHost()
        let log = directory + "/warren.log"
        var environment = ["DOCKER_HOST": host, "PATH": "/usr/bin:/bin", "HOME": directory]
        let executable: String
        var arguments: [String]
        if hosts.isEmpty {
            (executable, arguments) = (binary, ["--config", configPath])
        } else {
            let file = directory + "/hosts"
            try (["127.0.0.1 localhost"] + hosts.map { "\($0.value) \($0.key)" }).joined(separator: "\n")
                .appending("\n").write(toFile: file, atomically: true, encoding: .utf8)
            executable = "/usr/bin/unshare"
            arguments = ["--mount", "--propagation", "private", "/bin/sh", "-c",
                         "mount --bind \"$0\" /etc/hosts && exec \"$1\" --config \"$2\"", file, binary, configPath]
            environment["GODEBUG"] = "netdns=go"
        }
        pid = try spawn(executable, arguments, environment: environment) { actions in
            posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        let admin = self.admin
        do {
            try await TestDocker.waitUntil("warren-server answering on \(admin)", timeout: 30) {
                let code = try await curl(["-o", "/dev/null", "-w", "%{http_code}", admin + "/admin/health"])
                return code == "200" || code == "401"
            }
        } catch {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            stop()
            throw TestDocker.Unavailable(description: "\(error); its log:\n\(text.suffix(3000))")
        }
    }

    /// SIGTERM (Warren stops cleanly), then SIGKILL after 5 s.
    public func stop() {
        guard let pid else { return }
        self.pid = nil
        kill(pid, SIGTERM)
        var status: Int32 = 0
        for _ in 0..<50 {
            if waitpid(pid, &status, WNOHANG) == pid { return }
            usleep(100_000)
        }
        kill(pid, SIGKILL)
        _ = waitpid(pid, &status, 0)
    }

    /// What Warren logged, for a failing test's message.
    public var log: String { (try? String(contentsOfFile: directory + "/warren.log", encoding: .utf8)) ?? "" }

    /// A GET of Warren's admin API with a token (through curl, not the code under test).
    public func get(_ path: String, token: String? = nil) async throws -> String {
        try await curl((token.map { ["-H", "Authorization: Bearer \($0)"] } ?? []) + [admin + path])
    }

    /// A POST of JSON to Warren's admin API (through curl).
    public func post(_ path: String, json: String, token: String? = nil) async throws -> String {
        try await curl(["-X", "POST", "-H", "Content-Type: application/json", "-d", json]
                       + (token.map { ["-H", "Authorization: Bearer \($0)"] } ?? []) + [admin + path])
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
