import ClawtopCore
import DockerEngine
import FleetSource
import Health
import Foundation
import SSHTunnel
import Synchronization

/// The fleet of a real Docker daemon: events and re-reads by `DockerWatcher`, probes over HTTP by `HealthProber`,
/// actions as service updates. Over `ssh://`, probes go out from the SSH host too (unless `probeFromSwarm` is
/// false): a health URL that only the manager reaches is probed as Warren on the manager would.
public final class DockerBackend: FleetBackend {
    public let client: DockerClient
    /// For an `ssh://` endpoint probed from the swarm: the forwards that probes (and Warren's link) go through.
    public let forwards: SSHForwards?
    private let httpProber: HealthProber
    /// The nodes' own daemons, as the operator named them (`--node NAME=ENDPOINT`), besides the docker contexts named
    /// after nodes.
    public let nodeEndpoints: [NodeEndpoint]
    /// `--ssh-nodes`: each node no other way reaches, at its address over ssh, as the manager is reached.
    public let sshNodes: Bool
    /// The clients of the nodes' daemons while their readers run.
    let nodeClients = Mutex<[DockerClient]>([])
    /// The client that reaches each node's daemon, by node ID (this daemon's own node included), once the readers
    /// have been set up; nil before.
    let clientOfNode = Mutex<[String: DockerClient]?>(nil)
    /// The service whose containers are read every `focusInterval` (the selected agent's).
    let focus = Mutex<String?>(nil)

    public init(client: DockerClient, probeFromSwarm: Bool = true, nodeEndpoints: [NodeEndpoint] = [], sshNodes: Bool = false) {
        self.client = client
        self.nodeEndpoints = nodeEndpoints
        self.sshNodes = sshNodes
        if probeFromSwarm, case .ssh(let target) = client.endpoint.transport {
            forwards = SSHForwards(target: target)
        } else {
            forwards = nil
        }
        httpProber = HealthProber(forwards: forwards)
    }

    /// The daemon the environment names (DOCKER_HOST, DOCKER_CONTEXT, the docker config's context, the default
    /// socket), or the docker context `context`; throws when its address is malformed, before any connection.
    public static func fromEnvironment(context: String? = nil, probeFromSwarm: Bool = true,
                                       nodeEndpoints: [NodeEndpoint] = [], sshNodes: Bool = false) throws(SourceError) -> DockerBackend {
        let found: DockerEndpoint
        do throws(DockerError) { found = try endpoint(context: context) } catch { throw SourceError(error) }
        if sshNodes {
            guard case .ssh = found.transport else {
                throw SourceError("--ssh-nodes reaches each node over ssh:// as the manager is reached, and \(found.displayName) is "
                                  + "\(found.address): name each node's daemon with --node instead")
            }
        }
        do throws(DockerError) {
            return DockerBackend(client: try DockerClient(endpoint: found), probeFromSwarm: probeFromSwarm,
                                 nodeEndpoints: nodeEndpoints, sshNodes: sshNodes)
        } catch {
            throw SourceError(error)
        }
    }

    /// The daemon the docker context `context` names, or (nil) the one the environment names.
    private static func endpoint(context: String?) throws(DockerError) -> DockerEndpoint {
        let resolver = EndpointResolver()
        guard let context else { return try resolver.resolve() }
        return try resolver.endpoint(forContext: context, origin: "--context")
    }

    public var displayName: String { client.endpoint.displayName }

    /// The name `fromEnvironment(context:)` would give its daemon (its history's name), without a client: nothing is
    /// opened or asked.
    public static func displayName(context: String? = nil) throws(SourceError) -> String {
        do throws(DockerError) {
            return try endpoint(context: context).displayName
        } catch {
            throw SourceError(error)
        }
    }
    public var prober: any HealthProbing { httpProber }

    public func load() async throws(SourceError) -> [Message] {
        do {
            let snapshot = try await DockerWatcher.snapshot(client)
            // The networks only name what the details show: a daemon that will not list them costs nothing else.
            let networks = await WireToModel.networks(client, services: snapshot.servicesRead)
            return [snapshot] + (networks.map { [.docker(.networks($0))] } ?? [])
        } catch {
            throw SourceError(error)
        }
    }

    public func watch(post: @escaping @Sendable (Message) -> Void) async {
        await DockerWatcher(client: client, post: post).run()
    }

    public func perform(_ request: ActionRequest) async throws(SourceError) -> ActionChange {
        do { return try await update(request) } catch { throw SourceError(error) }
    }

    private func update(_ request: ActionRequest) async throws(DockerError) -> ActionChange {
        // The listed service carries its version and whole spec: a service update needs no other read.
        func listed() async throws(DockerError) -> SwarmService? { try await client.services(id: request.id).first }
        switch request.kind {
        case .restart:
            let result = try await client.forceRestart(request.id, known: try await listed())
            let force = result.before.forceUpdate
            return ActionChange(before: "ForceUpdate \(force)", after: "ForceUpdate \(force + 1)")
        case .scale(let from, let to):
            let result = try await client.scale(request.id, to: UInt64(to), known: try await listed())
            return ActionChange(before: "replicas \(result.before.replicas.map(String.init) ?? String(from))",
                                after: "replicas \(to)")
        case .rollback:
            let result = try await client.rollback(request.id, known: try await listed())
            return ActionChange(before: "image \(result.before.Spec.TaskTemplate.ContainerSpec?.Image ?? "?")", after: "previous spec")
        case .availability(_, let to):
            let before = try await client.setAvailability(node: request.id, to: to)
            return ActionChange(before: "availability \(before)", after: "availability \(to)")
        }
    }

    public func logs(service: String, request: LogRequest) async throws(SourceError) -> AsyncThrowingStream<LogEntry, Error> {
        // A TTY service's log is raw text, not 8-byte frames: the spec says which.
        let tty: Bool
        do { tty = try await client.service(service).Spec.TaskTemplate.ContainerSpec?.TTY ?? false } catch { throw SourceError(error) }
        let lines = client.serviceLogs(service, options: LogOptions(follow: request.follow, tail: request.tail,
                                                                    since: request.since, timestamps: true), tty: tty)
        return AsyncThrowingStream { continuation in
            let reading = Task {
                do {
                    for try await line in lines { continuation.yield(Self.entry(line)) }
                    continuation.finish()
                } catch let error as DockerError {
                    continuation.finish(throwing: SourceError(error))
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in reading.cancel() }
        }
    }

    /// A Docker log line as the model keeps it; the model labels its replica from the task ID.
    static func entry(_ line: LogLine) -> LogEntry {
        LogEntry(time: line.timestamp, stream: line.stream == .stderr ? .stderr : .stdout, taskID: line.taskID,
                 text: line.text)
    }

    public func shutdown() async {
        await httpProber.shutdown()
        let nodes = nodeClients.withLock { clients in
            defer { clients = [] }
            return clients
        }
        for node in nodes { await node.shutdown() }
        await client.shutdown()
    }
}

extension SourceError {
    /// Docker's error as the operator reads it, and whether it means there is no swarm here to show (rather than
    /// one clawtop may not use).
    init(_ error: DockerError) {
        switch error {
        case .socketMissing, .connectionRefused, .notSwarmManager, .contextNotFound, .transport, .timeout:
            self.init(error.description, noSwarmHere: true)
        default:
            self.init(error.description)
        }
    }
}
