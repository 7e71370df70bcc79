import ClawtopCore
import DockerEngine

/// Where the fleet comes from: a Docker daemon (`DockerBackend`), or the demo's simulated swarm. The console and
/// `snapshot` see only this, so the demo runs through the same store, scheduler, follower and views as Docker.
/// Failures are `DockerError`s, so both fail the same way on screen.
public protocol FleetBackend: Sendable {
    /// Where the data comes from, for the header and the action log: a context or address, or "demo".
    var displayName: String { get }
    /// What answers the health probes.
    var prober: any HealthProbing { get }
    /// The first state: one full read (and, for the demo, the history it has simulated so far). Throws when there
    /// is no swarm to read.
    func load() async throws(DockerError) -> [Message]
    /// Keeps the state current until cancelled, posting what changes.
    func watch(post: @escaping @Sendable (Message) -> Void) async
    /// Carries out a confirmed restart or scale of `request.serviceID`.
    func perform(_ request: ActionRequest) async throws(DockerError) -> ActionChange
    /// The log lines of a service (a name or ID); throws at once when the service does not exist.
    func logs(service: String, options: LogOptions) async throws(DockerError) -> AsyncThrowingStream<LogLine, Error>
    /// Closes connections; the backend is not used afterwards.
    func shutdown() async
}

/// What an action changed, for the action log: "replicas 1" → "replicas 0", "ForceUpdate 3" → "ForceUpdate 4".
public struct ActionChange: Sendable, Equatable {
    public var before: String
    public var after: String
    public init(before: String, after: String) {
        self.before = before
        self.after = after
    }
}

/// Answers one health probe; never throws: every outcome is a sample.
public protocol HealthProbing: Sendable {
    func probe(_ target: ProbeTarget) async -> HealthSample
}

extension HealthProber: HealthProbing {
    public func probe(_ target: ProbeTarget) async -> HealthSample {
        await probe(target.url, timeout: target.timeout)
    }
}
