/// Where an `ssh://[user@]host[:port]` Docker address points. User and port are what the address says, or nil: then
/// the operator's ssh configuration (`User`, `Port` in ~/.ssh/config) decides, as with the docker CLI.
public struct SSHTarget: Sendable, Equatable, Codable {
    public var user: String?
    public var host: String
    public var port: Int?

    public init(user: String?, host: String, port: Int?) {
        self.user = user
        self.host = host
        self.port = port
    }

    /// `ssh://user@host:port`, as written in DOCKER_HOST.
    public var address: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return "ssh://" + (user.map { "\($0)@" } ?? "") + h + (port.map { ":\($0)" } ?? "")
    }

    /// `user@host`, or `host`: how ssh names the destination in its messages.
    public var destination: String { (user.map { "\($0)@" } ?? "") + host }

    /// What an operator types to reach the same host by hand: `ssh -p 2222 user@host`.
    public var sshCommand: String { "ssh " + (port.map { "-p \($0) " } ?? "") + destination }

    /// The arguments for the system's ssh, as the docker CLI builds them: batch mode (clawtop owns the terminal, so
    /// ssh must never prompt), no pseudo-terminal, and the far end: `docker system dial-stdio` on the remote, which
    /// joins the session's stdin and stdout to the remote daemon's socket, or `-W host:port`, which joins them to a
    /// TCP connection the remote side makes. Keep-alives (every 15 s, three missed) end a session whose network died
    /// silently (a laptop that slept, a NAT that forgot), so its stream reconnects instead of waiting forever.
    /// `--` ends the options before the host name.
    public func sshArguments(connectTimeout: Int, remote: SSHRemoteEnd = .dockerDialStdio) -> [String] {
        var args = ["-o", "BatchMode=yes", "-o", "ConnectTimeout=\(connectTimeout)",
                    "-o", "ServerAliveInterval=15", "-o", "ServerAliveCountMax=3", "-T"]
        if let user { args += ["-l", user] }
        if let port { args += ["-p", String(port)] }
        switch remote {
        case .dockerDialStdio:
            return args + ["--", host, "docker", "system", "dial-stdio"]
        case .forward(let host, let port):
            let h = host.contains(":") ? "[\(host)]" : host
            return args + ["-W", "\(h):\(port)", "--", self.host]
        }
    }
}

/// What the far end of an ssh session joins its stdin and stdout to.
public enum SSHRemoteEnd: Sendable, Equatable, Hashable {
    /// The remote Docker daemon's socket, through `docker system dial-stdio`.
    case dockerDialStdio
    /// A TCP connection from the SSH host to `host:port` (`ssh -W`): an address the host reaches and this machine
    /// may not.
    case forward(host: String, port: Int)
}
