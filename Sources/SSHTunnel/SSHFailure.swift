import Foundation

/// Why an ssh session to a Docker host ended badly, told from ssh's exit and the text ssh and the remote wrote to
/// stderr; each case says, in one line, what the operator can do about it.
public struct SSHFailure: Sendable, Equatable, Codable, CustomStringConvertible {
    public enum Kind: String, Sendable, Codable {
        /// The host's key is not in known_hosts (and ssh runs in batch mode, so it cannot ask).
        case hostKeyUnknown
        /// The host's key differs from the one in known_hosts.
        case hostKeyChanged
        /// The server refused every key ssh offered.
        case authenticationFailed
        /// The remote shell found no `docker` command.
        case dockerMissing
        /// `docker` ran on the remote but may not open the Docker socket there.
        case remotePermissionDenied
        /// `docker` ran on the remote but no daemon answered there.
        case remoteDaemonDown
        /// The host name does not resolve.
        case hostUnknown
        /// Nothing listens on the host's SSH port.
        case connectionRefused
        /// The host did not answer in time, or there is no route to it.
        case unreachable
        /// An established session ended (the network, the server, or a killed ssh).
        case connectionLost
        /// There is no `ssh` program to run here.
        case sshMissing
        /// A forward (`ssh -W`): nothing listens at the address, as the SSH host sees it.
        case forwardRefused
        /// A forward: the server does not allow forwarding (`AllowTcpForwarding`, `DisableForwarding`).
        case forwardProhibited
        /// A forward: the SSH host cannot resolve the address's name.
        case forwardUnresolved
        /// A forward: the SSH host has no route to the address, or it did not answer in time.
        case forwardUnreachable
        /// Anything else: ssh's own last words.
        case other
    }

    public var kind: Kind
    public var target: SSHTarget
    /// A sanitized line from ssh or the remote, or how ssh exited: for the message, never for deciding.
    public var detail: String

    public init(kind: Kind, target: SSHTarget, detail: String) {
        self.kind = kind
        self.target = target
        self.detail = detail
    }

    /// How the ssh process ended.
    public enum Exit: Sendable, Equatable {
        case status(Int32)
        case signal(Int32)

        var text: String {
            switch self {
            case .status(let code): return "ssh exited with status \(code)"
            case .signal(let sig): return "ssh was killed by signal \(sig)"
            }
        }
    }

    /// The failure an ssh run shows, or nil when it ended well. `established` says whether the remote daemon had
    /// already answered through this session: then any bad end is a lost connection.
    public static func classify(target: SSHTarget, exit: Exit, stderr: String, established: Bool) -> SSHFailure? {
        if exit == .status(0) { return nil }
        let lines = stderr.split(whereSeparator: \.isNewline).map { sanitize($0) }.filter { !$0.isEmpty }
        let last = lines.last ?? exit.text
        func has(_ needle: String) -> Bool { stderr.range(of: needle, options: .caseInsensitive) != nil }
        func line(_ needle: String) -> String { lines.first { $0.range(of: needle, options: .caseInsensitive) != nil } ?? last }
        func failure(_ kind: Kind, _ detail: String) -> SSHFailure { SSHFailure(kind: kind, target: target, detail: detail) }

        if established { return failure(.connectionLost, lines.isEmpty ? exit.text : last) }
        // A forward's channel that the server could not open ("channel 0: open failed: connect failed: …"): the
        // session itself was fine, so these come before ssh's own connection errors, whose words they share.
        if has("open failed") {
            let why = line("open failed")
            if has("administratively prohibited") { return failure(.forwardProhibited, why) }
            if has("Connection refused") { return failure(.forwardRefused, why) }
            if has("Name or service not known") || has("No address associated") || has("Temporary failure in name resolution") {
                return failure(.forwardUnresolved, why)
            }
            return failure(.forwardUnreachable, why)
        }
        if has("REMOTE HOST IDENTIFICATION HAS CHANGED") { return failure(.hostKeyChanged, "the host key differs from the one in known_hosts") }
        if has("Host key verification failed") || has("host key is known for") {
            return failure(.hostKeyUnknown, line("host key is known for"))
        }
        // The remote docker CLI's own words ("failed to open the raw stream connection: dial unix …: connect: …")
        // come before ssh's: its "permission denied" is the socket's, not ssh refusing the key.
        let dockerDial = has("raw stream connection") || has("dial unix") || has("while trying to connect to the Docker")
        if dockerDial && has("permission denied") { return failure(.remotePermissionDenied, line("permission denied")) }
        if dockerDial || has("Cannot connect to the Docker daemon") || has("Is the docker daemon running") {
            return failure(.remoteDaemonDown, line("connect"))
        }
        if exit == .status(127) || has("docker: not found") || has("docker: command not found") || has("command not found: docker") {
            return failure(.dockerMissing, line("docker"))
        }
        if has("Permission denied (") || has("Too many authentication failures") || has("no more authentication methods") {
            return failure(.authenticationFailed, line("Permission denied"))
        }
        if has("Could not resolve hostname") { return failure(.hostUnknown, line("Could not resolve hostname")) }
        if has("Connection refused") { return failure(.connectionRefused, line("Connection refused")) }
        if has("Connection timed out") || has("Operation timed out") || has("No route to host") || has("Network is unreachable") {
            return failure(.unreachable, last)
        }
        if has("Connection closed by") || has("Connection reset") || has("Broken pipe") || has("client_loop:") {
            return failure(.connectionLost, last)
        }
        if case .signal = exit { return failure(.connectionLost, exit.text) }
        return failure(.other, lines.isEmpty ? exit.text : "\(last) (\(exit.text))")
    }

    public var description: String {
        let host = target.host
        // Without a user in the address, ssh's configuration names it; the message cannot.
        let user = target.user ?? "your SSH user"
        let usermod = "sudo usermod -aG docker " + (target.user ?? "$USER")
        let at = "ssh to \(target.destination)" + (target.port.map { " (port \($0))" } ?? "")
        let d = Self.sanitize(Substring(detail))
        switch kind {
        case .hostKeyUnknown:
            let (scanHost, scanPort) = Self.knownHostsName(in: d) ?? (host, target.port)
            let keyscan = "ssh-keyscan " + (scanPort.map { "-p \($0) " } ?? "") + scanHost + " >> ~/.ssh/known_hosts"
            return "\(at): the host key of \(host) is not known (\(d)); accept it once by running `\(target.sshCommand)` and checking its fingerprint, or add it with `\(keyscan)`."
        case .hostKeyChanged:
            return "\(at): the host key of \(host) has changed (\(d)); if that is expected, remove the old key with `ssh-keygen -R \(host)` and accept the new one with `\(target.sshCommand)`; if not, someone may be intercepting the connection."
        case .authenticationFailed:
            return "\(at): authentication failed (\(d)); clawtop runs ssh in batch mode, so the key must work without a prompt: add it to ssh-agent (ssh-add) or name it with IdentityFile in ~/.ssh/config, then check `\(target.sshCommand) docker version`."
        case .dockerMissing:
            return "\(at): there is no `docker` command in the PATH of \(user)'s SSH sessions on \(host) (\(d)); clawtop needs the docker CLI on the remote (it runs `docker system dial-stdio` there): install it, or add its directory to that PATH."
        case .remotePermissionDenied:
            return "\(at): \(user) may not open the Docker socket on \(host) (\(d)); add \(user) to the 'docker' group there (\(usermod)), or connect as a user who can."
        case .remoteDaemonDown:
            return "\(at): the docker CLI on \(host) cannot reach its daemon (\(d)); is Docker running there?"
        case .hostUnknown:
            return "\(at): the host name \(host) does not resolve (\(d)); check the address, or the Host entry in ~/.ssh/config."
        case .connectionRefused:
            return "\(at): nothing accepts SSH connections there (\(d)); is sshd running, and is the port right?"
        case .unreachable:
            return "\(at): the host cannot be reached (\(d)); check the network, the address and the port."
        case .connectionLost:
            return "\(at): the connection was lost (\(d))."
        case .sshMissing:
            return "there is no `ssh` program in PATH to reach \(target.address); install the OpenSSH client (openssh-client)."
        case .forwardRefused:
            return "\(at): nothing accepts connections at the forwarded address, as \(host) sees it (\(d))."
        case .forwardProhibited:
            return "\(at): the SSH server on \(host) does not allow forwarding (\(d)); allow it for \(user) (AllowTcpForwarding in sshd_config), or probe from here with --probe-from here."
        case .forwardUnresolved:
            return "\(at): \(host) cannot resolve the forwarded address's name (\(d))."
        case .forwardUnreachable:
            return "\(at): \(host) cannot reach the forwarded address (\(d))."
        case .other:
            return "\(at) failed: \(d); try `\(target.sshCommand) docker system dial-stdio` by hand to see why."
        }
    }

    /// A probe's reason in a few words, as the row's LAST ERROR shows it: a refusal at the far end reads as it would
    /// from here; the rest say that ssh is where it went wrong.
    public var probeReason: String {
        switch kind {
        case .forwardRefused: return "refused"
        case .forwardUnresolved: return "DNS: cannot resolve (on \(target.host))"
        case .forwardUnreachable: return "unreachable from \(target.host)"
        case .forwardProhibited: return "ssh: forwarding not allowed"
        case .hostKeyUnknown: return "ssh: host key unknown"
        case .hostKeyChanged: return "ssh: host key changed"
        case .authenticationFailed: return "ssh: authentication failed"
        case .hostUnknown: return "ssh: cannot resolve \(target.host)"
        case .connectionRefused: return "ssh: refused"
        case .unreachable: return "ssh: host unreachable"
        case .connectionLost: return "ssh: connection lost"
        case .sshMissing: return "ssh: not installed"
        case .dockerMissing, .remotePermissionDenied, .remoteDaemonDown, .other: return "ssh: " + Self.sanitize(Substring(detail))
        }
    }

    /// Whether a probe that failed this way never reached the agent's address at all (see `HealthSample.unreachable`).
    public var probeUnreachable: Bool { kind == .forwardUnresolved || kind == .forwardUnreachable }

    /// The host and port ssh checked the key of, from "… host key is known for [10.0.0.5]:2222 and …": with a Host
    /// alias from ~/.ssh/config it is the real address, which ssh-keyscan (reading no config) needs.
    static func knownHostsName(in line: String) -> (String, Int?)? {
        guard let start = line.range(of: "host key is known for ") else { return nil }
        let name = line[start.upperBound...].prefix { !$0.isWhitespace }
        guard !name.isEmpty else { return nil }
        if name.hasPrefix("["), let close = name.firstIndex(of: "]") {
            let host = name[name.index(after: name.startIndex)..<close]
            let port = name[name.index(after: close)...].dropFirst()
            return (String(host), Int(port))
        }
        return (String(name), nil)
    }

    /// One line of untrusted text, safe to print: no control characters, no escape sequences, bounded length.
    static func sanitize(_ text: Substring) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar.properties.generalCategory == .control || scalar.properties.generalCategory == .format { continue }
            out.unicodeScalars.append(scalar)
            if out.count >= 200 { out += "…"; break }
        }
        return out.trimmingCharacters(in: .whitespaces)
    }
}
