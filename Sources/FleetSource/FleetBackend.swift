import ClawtopCore
import Foundation

/// Where the fleet comes from: a Docker daemon (`DockerBackend`), or the demo's simulated swarm. The console and
/// `snapshot` see only this, in the model's terms, so the demo runs through the same update, scheduler, follower and
/// views as Docker, and fails the same way on screen.
public protocol FleetBackend: Sendable {
    /// Where the data comes from, for the header and the action log: a context or address, or "demo".
    var displayName: String { get }
    /// What answers the health probes.
    var prober: any HealthProbing { get }
    /// The first state: one full read (and, for the demo, the history it has simulated so far). Throws when there
    /// is no swarm to read.
    func load() async throws(SourceError) -> [Message]
    /// Keeps the state current until cancelled, posting what changes.
    func watch(post: @escaping @Sendable (Message) -> Void) async
    /// Carries out a confirmed action on a service or a node, by its ID (`request.id`).
    func perform(_ request: ActionRequest) async throws(SourceError) -> ActionChange
    /// The log lines of a service (a name or ID), each with the task that printed it; throws at once when the
    /// service does not exist. The stream fails with a `SourceError` when it breaks.
    func logs(service: String, request: LogRequest) async throws(SourceError) -> AsyncThrowingStream<LogEntry, Error>
    /// Keeps what the tasks' containers consume current until cancelled, reading each node the backend can reach.
    func readUsage(post: @escaping @Sendable (Message) -> Void) async
    /// Reads this service's containers more often than the others, from now on (nil: none).
    func focusUsage(service: String?)
    /// One reading of what the tasks' containers consume, for a one-off frame; `cpu`, with a second reading for
    /// the CPU in use between them.
    func usageOnce(cpu: Bool) async -> [Message]
    /// The `docker` CLI's global options that reach the daemon of this node (by ID), to run a command in one of its
    /// containers; throws why there is none.
    func dockerCLI(node: String) async throws(SourceError) -> DockerCommand
    /// Closes connections; the backend is not used afterwards.
    func shutdown() async
    /// The moment a one-off frame shows (`snapshot`): nil for now; the demo's opening moment, so that its scene is
    /// the same every run.
    var openingMoment: Date? { get }
}

extension FleetBackend {
    public var openingMoment: Date? { nil }

    public func dockerCLI(node: String) async throws(SourceError) -> DockerCommand {
        throw SourceError("\(displayName) has no containers to open: a shell or a command needs a real swarm")
    }
}

/// Why a source could not do what was asked, as the operator should read it.
public struct SourceError: Error, CustomStringConvertible, Equatable {
    public var description: String
    /// There is no swarm here to show (no daemon, not a manager, no such context): the demo is worth a mention.
    public var noSwarmHere: Bool

    public init(_ description: String, noSwarmHere: Bool = false) {
        self.description = description
        self.noSwarmHere = noSwarmHere
    }
}

/// Which log lines to read.
public struct LogRequest: Sendable, Equatable {
    /// Go on with new lines as they come.
    public var follow: Bool
    /// Lines per task from the end to start with; nil for all.
    public var tail: Int?
    /// Only lines from this time on.
    public var since: Date?

    public init(follow: Bool, tail: Int? = nil, since: Date? = nil) {
        self.follow = follow
        self.tail = tail
        self.since = since
    }
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
