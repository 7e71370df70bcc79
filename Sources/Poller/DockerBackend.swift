import ClawtopCore
import DockerEngine
import Foundation

/// The fleet of a real Docker daemon: events and re-reads by `FleetWatcher`, probes over HTTP by `HealthProber`,
/// actions as service updates.
public final class DockerBackend: FleetBackend {
    public let client: DockerClient
    private let httpProber = HealthProber()

    public init(client: DockerClient) {
        self.client = client
    }

    public var displayName: String { client.endpoint.displayName }
    public var prober: any HealthProbing { httpProber }

    public func load() async throws(DockerError) -> [Message] {
        [try await FleetWatcher.snapshot(client)]
    }

    public func watch(post: @escaping @Sendable (Message) -> Void) async {
        await FleetWatcher(client: client, post: post).run()
    }

    public func perform(_ request: ActionRequest) async throws(DockerError) -> ActionChange {
        // The listed service carries its version and whole spec: the update needs no other read.
        let known = try await client.services(id: request.serviceID).first
        switch request.kind {
        case .restart:
            let result = try await client.forceRestart(request.serviceID, known: known)
            let force = result.before.forceUpdate
            return ActionChange(before: "ForceUpdate \(force)", after: "ForceUpdate \(force + 1)")
        case .scale(let from, let to):
            let result = try await client.scale(request.serviceID, to: UInt64(to), known: known)
            return ActionChange(before: "replicas \(result.before.replicas.map(String.init) ?? String(from))",
                                after: "replicas \(to)")
        }
    }

    public func logs(service: String, options: LogOptions) async throws(DockerError) -> AsyncThrowingStream<LogLine, Error> {
        // A TTY service's log is raw text, not 8-byte frames: the spec says which.
        let tty = try await client.service(service).Spec.TaskTemplate.ContainerSpec?.TTY ?? false
        return client.serviceLogs(service, options: options, tty: tty)
    }

    public func shutdown() async {
        await httpProber.shutdown()
        await client.shutdown()
    }
}
