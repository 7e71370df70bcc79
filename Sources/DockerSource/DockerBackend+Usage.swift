import ClawtopCore
import DockerEngine
import FleetSource
import Foundation
import SSHTunnel

/// A node's own daemon, as the operator named it: `--node wk1=ssh://ops@10.0.0.12`.
public struct NodeEndpoint: Sendable, Equatable {
    /// The node's hostname (or the start of its ID).
    public var node: String
    public var endpoint: DockerEndpoint

    public init(node: String, endpoint: DockerEndpoint) {
        self.node = node
        self.endpoint = endpoint
    }

    /// `NAME=ENDPOINT`: an address as DOCKER_HOST takes it (unix://, tcp:// with the environment's TLS, ssh://), or the
    /// name of a docker context.
    public static func parse(_ entry: String, resolver: EndpointResolver = EndpointResolver()) throws(SourceError) -> NodeEndpoint {
        guard let eq = entry.firstIndex(of: "="), eq != entry.startIndex, entry.index(after: eq) != entry.endIndex else {
            throw SourceError("--node takes NODE=ENDPOINT (an address such as ssh://ops@10.0.0.12, or a docker context): '\(entry)'")
        }
        let name = String(entry[..<eq]), value = String(entry[entry.index(after: eq)...])
        do throws(DockerError) {
            let endpoint = value.contains("://")
                ? try DockerEndpoint.parse(host: value, tls: resolver.tlsFromEnvironment(), source: .dockerHost)
                : try resolver.endpoint(forContext: value, origin: "--node \(name)")
            return NodeEndpoint(node: name, endpoint: endpoint)
        } catch .invalidHost(let value, let reason) {
            throw SourceError("--node \(name): \(value) is not a Docker address: \(reason).")
        } catch {
            throw SourceError("--node \(name): \(error.description)")
        }
    }
}

extension DockerBackend {
    /// How often each node's containers are read; the first reading is followed by a second one sooner, for a CPU
    /// figure.
    static let usageInterval = 10.0
    static let secondReading = 2.0
    /// How often the selected agent's containers are read.
    static let focusInterval = 2.0

    public func focusUsage(service: String?) {
        focus.withLock { $0 = service }
    }

    public func readUsage(post: @escaping @Sendable (Message) -> Void) async {
        var readers: [NodeUsageReader] = []
        while !Task.isCancelled {
            if let found = await usageReaders(post: post) {
                readers = found
                break
            }
            do { try await Task.sleep(for: .seconds(Self.usageInterval)) } catch { return }
        }
        await withDiscardingTaskGroup { group in
            for reader in readers {
                group.addTask {
                    for message in await reader.read() { post(.usage(message)) }
                    do { try await Task.sleep(for: .seconds(Self.secondReading)) } catch { return }
                    await reader.run(every: Self.usageInterval, post: post)
                }
                group.addTask { [self] in
                    while !Task.isCancelled {
                        do { try await Task.sleep(for: .seconds(Self.focusInterval)) } catch { return }
                        guard let service = focus.withLock({ $0 }) else { continue }
                        for message in await reader.read(service: service) { post(.usage(message)) }
                    }
                }
            }
        }
    }

    public func usageOnce(cpu: Bool) async -> [Message] {
        let posted = MessageList()
        guard let readers = await usageReaders(post: posted.append) else { return posted.all }
        func readAll() async -> [UsageMessage] {
            await withTaskGroup(of: [UsageMessage].self) { group in
                for reader in readers { group.addTask { await reader.read() } }
                return await group.reduce(into: []) { $0 += $1 }
            }
        }
        var read = await readAll()
        if cpu {
            // A second reading a second on, for the CPU between the two, as `docker stats --no-stream` waits a
            // second for its own.
            try? await Task.sleep(for: .seconds(1))
            read += await readAll()
        }
        return posted.all + read.map(Message.usage)
    }

    /// A reader for each node clawtop has a way to: the node of this daemon, each `--node`, each node a docker
    /// context is named after, and with `--ssh-nodes` each other node at its address. Posts which nodes those are.
    /// Nil when this daemon cannot say which node it is.
    private func usageReaders(post: @escaping @Sendable (Message) -> Void) async -> [NodeUsageReader]? {
        guard let info = try? await client.info(), !info.Swarm.NodeID.isEmpty,
              let nodes = try? await client.nodes() else { return nil }
        func node(named name: String) -> SwarmNode? {
            nodes.first { $0.Description?.Hostname == name } ?? nodes.first { $0.ID.hasPrefix(name) && name.count >= 6 }
        }
        var readers = [NodeUsageReader(client: client, node: info.Swarm.NodeID)]
        var clients = [info.Swarm.NodeID: client]
        var reach = [info.Swarm.NodeID: NodeReach(via: "this daemon")]
        var unmatched: [String] = []
        var opened: [DockerClient] = []
        for given in nodeEndpoints {
            guard let found = node(named: given.node) else {
                unmatched.append(given.node)
                continue
            }
            guard reach[found.ID] == nil, let client = try? DockerClient(endpoint: given.endpoint) else { continue }
            opened.append(client)
            clients[found.ID] = client
            readers.append(NodeUsageReader(client: client, node: found.ID))
            reach[found.ID] = NodeReach(via: "--node \(given.endpoint.address)")
        }
        // Docker contexts named after the nodes, for those not named yet.
        let resolver = EndpointResolver()
        let contexts = Set(resolver.contexts().filter { $0.problem == nil }.map(\.name))
        for n in nodes where reach[n.ID] == nil {
            guard let host = n.Description?.Hostname, contexts.contains(host),
                  let endpoint = try? resolver.endpoint(forContext: host, origin: "the context named after node \(host)"),
                  let client = try? DockerClient(endpoint: endpoint) else { continue }
            opened.append(client)
            clients[n.ID] = client
            readers.append(NodeUsageReader(client: client, node: n.ID))
            reach[n.ID] = NodeReach(via: "context \(host)")
        }
        // With --ssh-nodes, each node left at its address, over ssh with the manager's user and port.
        if sshNodes, case .ssh(let manager) = client.endpoint.transport {
            // `ssh -G` is a process to wait for: off the cooperative pool.
            let through = await withCheckedContinuation { done in DispatchQueue.global().async { done.resume(returning: manager.effective()) } }
            for n in nodes where reach[n.ID] == nil {
                guard let address = n.Status.Addr, !address.isEmpty, address != "0.0.0.0" else { continue }
                let target = SSHTarget(user: through.user, host: address, port: through.port)
                guard let client = try? DockerClient(endpoint: DockerEndpoint(transport: .ssh(target), source: .dockerHost)) else { continue }
                opened.append(client)
                clients[n.ID] = client
                readers.append(NodeUsageReader(client: client, node: n.ID))
                reach[n.ID] = NodeReach(via: "--ssh-nodes \(target.address)")
            }
        }
        nodeClients.withLock { $0 += opened }
        clientOfNode.withLock { $0 = clients }
        post(.usage(.reach(reach, unmatched: unmatched)))
        return readers
    }
}

extension DockerBackend {
    public func dockerCLI(node: String) async throws(SourceError) -> DockerCommand {
        guard let clients = clientOfNode.withLock({ $0 }) else {
            // The readers are not set up yet: this daemon's own node is known all the same.
            if let info = try? await client.info(), info.Swarm.NodeID == node { return DockerCommand(arguments: client.cliArguments) }
            throw SourceError("the nodes' daemons are not known yet: try again in a moment")
        }
        guard let client = clients[node] else {
            let name = (try? await client.nodes())?.first { $0.ID == node }?.Description?.Hostname ?? String(node.prefix(12))
            throw SourceError("\(name): no endpoint, see --node")
        }
        return DockerCommand(arguments: client.cliArguments)
    }
}

/// Messages gathered from a callback.
private final class MessageList: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [Message] = []
    func append(_ message: Message) { lock.withLock { messages.append(message) } }
    var all: [Message] { lock.withLock { messages } }
}
