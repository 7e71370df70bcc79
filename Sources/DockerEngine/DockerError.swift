import Foundation
import SSHTunnel

/// Everything that can go wrong talking to Docker, each case with a message an operator can act on.
public enum DockerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// DOCKER_HOST (or a context's host) cannot be parsed.
    case invalidHost(String, reason: String)
    /// The docker config or a context file is unreadable.
    case invalidConfig(path: String, reason: String)
    /// DOCKER_CONTEXT or currentContext names a context that does not exist.
    case contextNotFound(name: String, origin: String, directory: String)
    /// The unix socket does not exist.
    case socketMissing(path: String)
    /// The unix socket exists but this user may not open it; `group` is the socket's group when known.
    case permissionDenied(path: String, group: String?)
    /// Nothing listens at the address.
    case connectionRefused(address: String)
    /// TLS could not be set up or the handshake failed.
    case tls(address: String, reason: String)
    /// The daemon is reachable but this node cannot manage the swarm.
    case notSwarmManager(detail: String)
    /// The daemon's API is older than clawtop needs.
    case apiTooOld(daemon: String, required: String)
    /// No service by that name or ID.
    case serviceNotFound(String)
    /// The service changed between reading and updating it (after the one retry).
    case outOfSequence(service: String)
    /// Scaling makes no sense for a global-mode service.
    case cannotScaleGlobal(service: String)
    /// A call did not finish in time.
    case timeout(operation: String, seconds: Double)
    /// Any other answer from the daemon.
    case api(status: Int, message: String)
    /// The daemon's answer could not be decoded.
    case decoding(what: String, reason: String)
    /// Any other transport failure.
    case transport(address: String, reason: String)
    /// ssh to an `ssh://` host failed, or its connection was lost.
    case ssh(SSHFailure)

    public var description: String {
        switch self {
        case .invalidHost(let value, let reason):
            return "DOCKER_HOST=\(value) is not a Docker address: \(reason)."
        case .invalidConfig(let path, let reason):
            return "cannot read \(path): \(reason)."
        case .contextNotFound(let name, let origin, let directory):
            return "docker context '\(name)' (from \(origin)) does not exist in \(directory); run `docker context ls`, or unset it."
        case .socketMissing(let path):
            return "no Docker socket at \(path): is the Docker daemon running on this machine? Set DOCKER_HOST or DOCKER_CONTEXT to reach another daemon."
        case .permissionDenied(let path, let group):
            if let group {
                return "permission denied on \(path): add your user to the '\(group)' group (sudo usermod -aG \(group) $USER, then log in again), or run clawtop as root."
            }
            return "permission denied on \(path): this user may not open the Docker socket; run clawtop as a user that can (usually a member of the 'docker' group) or as root."
        case .connectionRefused(let address):
            return "nothing answers at \(address): the Docker daemon is not running there, or listens elsewhere."
        case .tls(let address, let reason):
            return "TLS to \(address) failed: \(reason). Check DOCKER_CERT_PATH (ca.pem, cert.pem, key.pem) and DOCKER_TLS_VERIFY."
        case .notSwarmManager(let detail):
            let suffix = detail.isEmpty ? "" : " (\(detail))"
            return "this Docker daemon is not a swarm manager\(suffix): run clawtop against a manager node (DOCKER_HOST or DOCKER_CONTEXT), or `docker swarm init` to start a swarm."
        case .apiTooOld(let daemon, let required):
            return "the Docker daemon speaks API \(daemon), but clawtop needs \(required) or newer (Docker Engine 20.10+); upgrade Docker on that host."
        case .serviceNotFound(let name):
            return "service '\(name)' not found: it may have been removed; `docker service ls` lists what exists."
        case .outOfSequence(let service):
            return "service '\(service)' kept changing while it was being updated (update out of sequence); try again."
        case .cannotScaleGlobal(let service):
            return "service '\(service)' runs in global mode (one task per node) and cannot be scaled; change its placement instead."
        case .timeout(let operation, let seconds):
            return "Docker did not answer \(operation) within \(Self.format(seconds)) s; the daemon may be overloaded or unreachable."
        case .api(let status, let message):
            return "Docker answered \(status): \(message)"
        case .decoding(let what, let reason):
            return "could not understand Docker's answer to \(what): \(reason)"
        case .transport(let address, let reason):
            return "cannot talk to Docker at \(address): \(reason)"
        case .ssh(let failure):
            return failure.description
        }
    }

    private static func format(_ s: Double) -> String {
        s == s.rounded() ? String(Int(s)) : String(format: "%.1f", s)
    }
}
