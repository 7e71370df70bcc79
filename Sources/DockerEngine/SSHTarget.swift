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
    /// ssh must never prompt), no pseudo-terminal, and `docker system dial-stdio` on the remote, which joins the
    /// session's stdin and stdout to the remote daemon's socket. `--` ends the options before the host name.
    public func sshArguments(connectTimeout: Int) -> [String] {
        var args = ["-o", "BatchMode=yes", "-o", "ConnectTimeout=\(connectTimeout)", "-T"]
        if let user { args += ["-l", user] }
        if let port { args += ["-p", String(port)] }
        return args + ["--", host, "docker", "system", "dial-stdio"]
    }
}
