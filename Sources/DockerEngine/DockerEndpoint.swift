import Foundation
import SSHTunnel

/// Where the Docker daemon is and how to talk to it.
public struct DockerEndpoint: Sendable, Equatable {
    public enum Transport: Sendable, Equatable {
        case unix(path: String)
        case tcp(host: String, port: Int, tls: TLSSettings?)
        /// `ssh://[user@]host[:port]`: the system's ssh runs `docker system dial-stdio` on the host (see `SSHRelay`).
        case ssh(SSHTarget)
    }

    /// Where the endpoint came from, for messages and the header.
    public enum Source: Sendable, Equatable {
        case dockerHost
        case context(String)
        case defaultSocket
    }

    public var transport: Transport
    public var source: Source

    public init(transport: Transport, source: Source) {
        self.transport = transport
        self.source = source
    }

    public static let defaultSocketPath = "/var/run/docker.sock"

    /// `unix:///var/run/docker.sock` or `tcp://host:2376`: what the operator would write in DOCKER_HOST.
    public var address: String {
        switch transport {
        case .unix(let path): return "unix://\(path)"
        case .tcp(let host, let port, _):
            let h = host.contains(":") ? "[\(host)]" : host
            return "tcp://\(h):\(port)"
        case .ssh(let target): return target.address
        }
    }

    /// A short name for the header: the context name, or the address.
    public var displayName: String {
        switch source {
        case .context(let name): return name
        case .dockerHost, .defaultSocket: return address
        }
    }
}

/// TLS for a tcp:// endpoint, as the docker CLI reads it (DOCKER_TLS_VERIFY, DOCKER_CERT_PATH, or a context's tls dir).
public struct TLSSettings: Sendable, Equatable {
    public var caFile: String?
    public var certFile: String?
    public var keyFile: String?
    public var verifyServer: Bool

    public init(caFile: String?, certFile: String?, keyFile: String?, verifyServer: Bool) {
        self.caFile = caFile
        self.certFile = certFile
        self.keyFile = keyFile
        self.verifyServer = verifyServer
    }

    /// The three files the CLI looks for in a directory, each only if it exists.
    static func fromDirectory(_ dir: String, verifyServer: Bool, fileExists: (String) -> Bool) -> TLSSettings {
        func file(_ name: String) -> String? {
            let path = (dir as NSString).appendingPathComponent(name)
            return fileExists(path) ? path : nil
        }
        return TLSSettings(caFile: file("ca.pem"), certFile: file("cert.pem"), keyFile: file("key.pem"),
                           verifyServer: verifyServer)
    }
}

extension DockerEndpoint {
    /// Parses a DOCKER_HOST value: `unix:///path`, `tcp://host[:port]`, or `host:port` (tcp, as the CLI allows).
    /// TLS for tcp comes from `tls` (the caller decides it from the environment or a context).
    public static func parse(host raw: String, tls: TLSSettings?, source: Source) throws(DockerError) -> DockerEndpoint {
        let value = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !value.isEmpty else { throw .invalidHost(raw, reason: "it is empty") }
        let scheme: String
        let rest: Substring
        if let range = value.range(of: "://") {
            scheme = value[..<range.lowerBound].lowercased()
            rest = value[range.upperBound...]
        } else {
            scheme = "tcp"
            rest = Substring(value)
        }
        switch scheme {
        case "unix":
            guard rest.hasPrefix("/") else {
                throw .invalidHost(raw, reason: "a unix socket needs an absolute path, as in unix:///var/run/docker.sock")
            }
            return DockerEndpoint(transport: .unix(path: String(rest)), source: source)
        case "tcp", "http", "https":
            var hostPort = rest
            if let slash = hostPort.firstIndex(of: "/") {
                let path = hostPort[slash...]
                guard path == "/" else {
                    throw .invalidHost(raw, reason: "a tcp address takes no path (\(path))")
                }
                hostPort = hostPort[..<slash]
            }
            let (host, port) = try splitHostPort(hostPort, raw: raw)
            guard !host.isEmpty else { throw .invalidHost(raw, reason: "there is no host name, as in tcp://host:2376") }
            let useTLS = tls ?? (scheme == "https" ? TLSSettings(caFile: nil, certFile: nil, keyFile: nil, verifyServer: true) : nil)
            let defaultPort = useTLS == nil ? 2375 : 2376
            return DockerEndpoint(transport: .tcp(host: host, port: port ?? defaultPort, tls: useTLS), source: source)
        case "ssh":
            return DockerEndpoint(transport: .ssh(try parseSSH(rest, raw: raw)), source: source)
        case "npipe", "fd":
            throw .invalidHost(raw, reason: "\(scheme):// is not available on this system; use unix:// or tcp://")
        default:
            throw .invalidHost(raw, reason: "unknown scheme '\(scheme)'; use unix:///path or tcp://host:port")
        }
    }

    /// `[user@]host[:port]` after `ssh://`, as the docker CLI takes it: no password, no path, no query.
    private static func parseSSH(_ rest: Substring, raw: String) throws(DockerError) -> SSHTarget {
        var hostPort = rest
        if let slash = hostPort.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) {
            guard hostPort[slash...] == "/" else {
                throw .invalidHost(raw, reason: "an ssh address takes no path (\(hostPort[slash...])), as in ssh://user@host:22")
            }
            hostPort = hostPort[..<slash]
        }
        var user: String?
        if let at = hostPort.lastIndex(of: "@") {
            let userInfo = hostPort[..<at]
            guard !userInfo.contains(":") else {
                throw .invalidHost(raw, reason: "a password in the address is not supported; use an SSH key (ssh-agent or ~/.ssh/config)")
            }
            guard !userInfo.isEmpty else { throw .invalidHost(raw, reason: "the user name before '@' is empty") }
            user = String(userInfo)
            hostPort = hostPort[hostPort.index(after: at)...]
        }
        let (host, port) = try splitHostPort(hostPort, raw: raw)
        guard !host.isEmpty else { throw .invalidHost(raw, reason: "there is no host name, as in ssh://user@host") }
        // ssh would read these as options or as more than one argument.
        for part in [host, user ?? ""] where part.hasPrefix("-") || part.contains(where: { $0.isWhitespace || $0.isNewline }) {
            throw .invalidHost(raw, reason: "'\(part)' is not a host or user name ssh can take")
        }
        return SSHTarget(user: user, host: host, port: port)
    }

    private static func splitHostPort(_ s: Substring, raw: String) throws(DockerError) -> (String, Int?) {
        var host: Substring
        var portText: Substring?
        if s.hasPrefix("[") {
            guard let close = s.firstIndex(of: "]") else { throw .invalidHost(raw, reason: "an IPv6 address is missing its ']'") }
            host = s[s.index(after: s.startIndex)..<close]
            let after = s[s.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty {
                throw .invalidHost(raw, reason: "unexpected text after the address")
            }
        } else if let colon = s.lastIndex(of: ":") {
            host = s[..<colon]
            portText = s[s.index(after: colon)...]
            if host.contains(":") { throw .invalidHost(raw, reason: "write an IPv6 address in brackets, as in tcp://[::1]:2376") }
        } else {
            host = s
        }
        guard let portText else { return (String(host), nil) }
        guard let port = Int(portText), (1...65535).contains(port) else {
            throw .invalidHost(raw, reason: "'\(portText)' is not a port number (1-65535)")
        }
        return (String(host), port)
    }
}
