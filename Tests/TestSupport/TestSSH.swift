import Foundation

/// The private sshd that `scripts/test` starts in a network namespace of its own (the remote side, whose loopback
/// only ssh reaches), and the client side a test sets up for the real ssh.
///
/// Its users: `user` logs in with `key` and its docker CLI reaches the private swarm; `noDockerUser` has no docker
/// in PATH; `noPermUser` may not open the swarm's socket. Like `TestDocker`, the suites run when the server is in
/// the environment and always in CI, where they fail with the reason instead of skipping.
public enum TestSSH {
    static let env = ProcessInfo.processInfo.environment

    public static var shouldRun: Bool { env["CLAWTOP_TEST_SSH_PORT"] != nil || TestDocker.isCI }

    public struct Server: Sendable {
        public var host: String
        public var port: Int
        public var user: String
        public var noDockerUser: String
        public var noPermUser: String
        public var key: String
        public var wrongKey: String
        public var knownHosts: String
        /// The remote side's network namespace: a server started there listens where only the SSH host reaches.
        public var netns: String

        /// `ssh://user@host:port`
        public func address(user: String? = nil) -> String { "ssh://\(user ?? self.user)@\(host):\(port)" }
    }

    public static func server() throws -> Server {
        func value(_ name: String) throws -> String { try TestDocker.require(env[name], name) }
        guard let port = Int(try value("CLAWTOP_TEST_SSH_PORT")) else {
            throw TestDocker.Unavailable(description: "CLAWTOP_TEST_SSH_PORT is not a port")
        }
        return Server(host: try value("CLAWTOP_TEST_SSH_HOST"), port: port, user: try value("CLAWTOP_TEST_SSH_USER"),
                      noDockerUser: try value("CLAWTOP_TEST_SSH_NODOCKER_USER"),
                      noPermUser: try value("CLAWTOP_TEST_SSH_NOPERM_USER"), key: try value("CLAWTOP_TEST_SSH_KEY"),
                      wrongKey: try value("CLAWTOP_TEST_SSH_WRONG_KEY"),
                      knownHosts: try value("CLAWTOP_TEST_SSH_KNOWN_HOSTS"), netns: try value("CLAWTOP_TEST_SSH_NETNS"))
    }

    /// An operator's side of ssh in a temporary home: `home/.ssh/config` names the server as `alias` (HostName,
    /// Port, User, IdentityFile, UserKnownHostsFile, strict host key checking), and `bin/ssh` runs the system's
    /// ssh with `-F` that file. OpenSSH reads ~/.ssh from the user database, not `$HOME`, hence the `-F`: the
    /// machine's own ssh configuration is never read nor touched. Put `environment` in front of clawtop's.
    public final class Client: @unchecked Sendable {
        public let home: String
        public let alias: String
        public let configPath: String

        /// - Parameters:
        ///   - identity: the key ssh offers (the server's `key`, or `wrongKey`).
        ///   - knownHosts: the known_hosts file (the server's, or an empty one for an unknown host key).
        public init(_ server: Server, user: String? = nil, identity: String? = nil, knownHosts: String? = nil) throws {
            home = NSTemporaryDirectory() + "clawtop-ssh-home-\(UUID().uuidString.prefix(8))"
            alias = "sshtest-\(UUID().uuidString.prefix(8).lowercased())"
            configPath = home + "/.ssh/config"
            let fm = FileManager.default
            try fm.createDirectory(atPath: home + "/.ssh", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try fm.createDirectory(atPath: home + "/bin", withIntermediateDirectories: true)
            try fm.createDirectory(atPath: home + "/tmp", withIntermediateDirectories: true)
            try """
                Host \(alias)
                    HostName \(server.host)
                    Port \(server.port)
                    User \(user ?? server.user)
                Host *
                    IdentityFile \(identity ?? server.key)
                    IdentitiesOnly yes
                    UserKnownHostsFile \(knownHosts ?? server.knownHosts)
                    GlobalKnownHostsFile /dev/null
                    StrictHostKeyChecking yes
                    UpdateHostKeys no

                """.write(toFile: configPath, atomically: true, encoding: .utf8)
            // Written by a child process: a file this (multi-threaded) runner writes could leak its write
            // descriptor into a child another test forks meanwhile, and executing it would fail with "Text file busy".
            let wrapper = "#!/bin/sh\nexec /usr/bin/ssh -F '\(configPath)' \"$@\"\n"
            let written = try run("/bin/sh", ["-c", "cat > \"$1\" && chmod 755 \"$1\"", "sh", home + "/bin/ssh"], stdin: wrapper)
            guard written.status == 0 else { throw TestDocker.CommandFailed(description: "writing the ssh wrapper: \(written.stderr)") }
        }

        /// `ssh://ALIAS`: user and port come from the config, as an operator's would.
        public var address: String { "ssh://\(alias)" }

        /// PATH with the wrapper first, HOME, and TMPDIR (where clawtop's relay makes its private directory).
        public var environment: [String: String] {
            ["PATH": "\(home)/bin:/usr/bin:/bin", "HOME": home, "TMPDIR": home + "/tmp", "LANG": "C.UTF-8"]
        }

        /// Rewrites the port of `alias`: a closed one makes every new connection fail as an outage would.
        public func setPort(_ port: Int, server: Server) throws {
            let text = try String(contentsOfFile: configPath, encoding: .utf8)
            try text.replacingOccurrences(of: #"Port \d+"#, with: "Port \(port)", options: .regularExpression)
                .write(toFile: configPath, atomically: true, encoding: .utf8)
        }

        /// The ssh processes (running clawtop's sessions to `alias`: to the daemon, or forwards) that are alive now.
        public func sshProcesses() async throws -> [Int32] {
            let r = try await run("/usr/bin/pgrep", ["-f", "ssh .*-- \(alias)( docker system dial-stdio)?$"])
            return r.stdout.split(separator: "\n").compactMap { Int32($0) }
        }

        /// `PATH=…` to put before a command typed in tmux (tmux's `-e` does not override the server's PATH).
        public var pathPrefix: String { "PATH='\(environment["PATH"]!)'" }

        /// What clawtop's relays left in TMPDIR (nothing, once clawtop has exited).
        public func leftInTemp() -> [String] {
            (try? FileManager.default.contentsOfDirectory(atPath: home + "/tmp")) ?? []
        }

        public func remove() { try? FileManager.default.removeItem(atPath: home) }

        deinit { remove() }
    }
}
