import Foundation
import Synchronization

/// HTTP to addresses that the SSH host reaches and this machine may not: a health URL on the manager's loopback, a
/// worker's private address, Warren's admin port. One `SSHRelay` per host and port, made on first use, each session
/// an `ssh -W host:port`; an HTTP client asks the relay's unix socket instead of the address (see `route`).
public final class SSHForwards: Sendable {
    public let target: SSHTarget
    let connectTimeout: Int
    private let relays = Mutex<[SSHRemoteEnd: SSHRelay]>([:])

    public init(target: SSHTarget, connectTimeout: Int = 5) {
        self.target = target
        self.connectTimeout = connectTimeout
    }

    /// How the path is named where a probe is shown: "ssh ops@manager".
    public var label: String { "ssh \(target.destination)" }

    /// A request for `url` that goes through the SSH host: the URL to ask (`http+unix://` on the relay's socket, same
    /// path and query) and the `Host` header the server expects. Nil when `url` is not an http(s) URL with a host.
    public func route(_ url: String) throws(SSHRelay.SetupError) -> SSHRoute? {
        guard let parts = URLComponents(string: url), let scheme = parts.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = parts.host, !host.isEmpty else { return nil }
        let port = parts.port ?? (scheme == "https" ? 443 : 80)
        let relay = try relay(for: .forward(host: host, port: port))
        let socket = relay.socketPath.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? relay.socketPath
        let path = parts.percentEncodedPath.isEmpty ? "/" : parts.percentEncodedPath
        let query = parts.percentEncodedQuery.map { "?\($0)" } ?? ""
        let authority = (host.contains(":") ? "[\(host)]" : host) + (parts.port.map { ":\($0)" } ?? "")
        return SSHRoute(url: "\(scheme)+unix://\(socket)\(path)\(query)", hostHeader: authority)
    }

    private func relay(for end: SSHRemoteEnd) throws(SSHRelay.SetupError) -> SSHRelay {
        try relays.withLock { relays throws(SSHRelay.SetupError) -> SSHRelay in
            if let relay = relays[end] { return relay }
            let relay = try SSHRelay(target: target, remote: end, connectTimeout: connectTimeout)
            relays[end] = relay
            return relay
        }
    }

    /// Stops every relay (blocks while their ssh processes end; see `SSHRelay.stop`).
    public func stop() {
        let all = relays.withLock { relays in
            defer { relays.removeAll() }
            return Array(relays.values)
        }
        for relay in all { relay.stop() }
    }
}

/// A request's way through the SSH host.
public struct SSHRoute: Sendable, Equatable {
    /// `http+unix://` (or `https+unix://`) on the relay's socket, with the original path and query.
    public var url: String
    /// The original `host[:port]`, for the `Host` header.
    public var hostHeader: String
}
