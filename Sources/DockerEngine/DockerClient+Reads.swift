import Foundation

extension DockerClient {
    /// `GET /info`.
    public func info() async throws(DockerError) -> SystemInfo {
        let r = try await send(.GET, "/info")
        return try decode(SystemInfo.self, from: r.body, what: "/info")
    }

    /// `GET /info`, and a typed error unless this daemon is an active swarm manager.
    @discardableResult
    public func requireManager() async throws(DockerError) -> SystemInfo {
        let info = try await info()
        let swarm = info.Swarm
        guard swarm.LocalNodeState == "active" else {
            let detail = swarm.LocalNodeState == "inactive" ? "this node is not in a swarm" : "swarm state is '\(swarm.LocalNodeState)'"
            throw .notSwarmManager(detail: swarm.Error.map { $0.isEmpty ? detail : "\(detail): \($0)" } ?? detail)
        }
        guard swarm.ControlAvailable else { throw .notSwarmManager(detail: "this node is a worker") }
        return info
    }

    /// `GET /nodes`.
    public func nodes() async throws(DockerError) -> [SwarmNode] {
        let r = try await send(.GET, "/nodes")
        return try decode([SwarmNode].self, from: r.body, what: "/nodes")
    }

    /// `GET /networks`: every network the daemon knows (on a manager, the swarm's overlays too).
    public func networks() async throws(DockerError) -> [DockerNetwork] {
        let r = try await send(.GET, "/networks")
        return try decode([DockerNetwork].self, from: r.body, what: "/networks")
    }

    /// `GET /networks/{id}`: also the swarm's own `host` network, which a service on `--network host` names by an ID
    /// the list does not have (it lists the node's local `host`).
    public func network(_ id: String) async throws(DockerError) -> DockerNetwork {
        let r = try await send(.GET, "/networks/\(DockerClient.percentEncode(id))", notFound: { message in .api(status: 404, message: message) })
        return try decode(DockerNetwork.self, from: r.body, what: "/networks/\(id)")
    }

    /// `GET /services?status=true`: every service with its running and desired task counts.
    /// With `id`, only that service (an ID-prefix filter; exact IDs are matched here): `GET /services/{id}`
    /// has no `ServiceStatus`, only the list computes it.
    public func services(id: String? = nil) async throws(DockerError) -> [SwarmService] {
        var query = [("status", "true")]
        if let id { query.append(("filters", Self.filters(["id": [id]]))) }
        let r = try await send(.GET, "/services", query: query)
        var all = try decode([SwarmService].self, from: r.body, what: "/services", leavingOutRawSpec: true)
        guard case .array(let raw) = try parse(r.body, what: "/services"), raw.count == all.count else {
            throw .decoding(what: "/services", reason: "the list changed between two readings of it")
        }
        for i in all.indices { all[i].rawSpec = raw[i]["Spec"] ?? .null }
        return id.map { id in all.filter { $0.ID == id } } ?? all
    }

    /// `GET /services/{id}`: one service by ID, ID prefix or exact name, with its whole spec.
    public func service(_ ref: String) async throws(DockerError) -> SwarmService {
        try await serviceWithSpec(ref)
    }

    func serviceWithSpec(_ ref: String) async throws(DockerError) -> SwarmService {
        let r = try await send(.GET, "/services/\(DockerClient.percentEncode(ref))",
                               notFound: { _ in .serviceNotFound(ref) })
        var service = try decode(SwarmService.self, from: r.body, what: "/services/\(ref)", leavingOutRawSpec: true)
        service.rawSpec = try parse(r.body, what: "/services/\(ref)")["Spec"] ?? .null
        return service
    }

    /// `GET /tasks`, optionally for one service (tasks of every state, history included).
    public func tasks(service: String? = nil) async throws(DockerError) -> [SwarmTask] {
        var query: [(String, String)] = []
        if let service { query.append(("filters", Self.filters(["service": [service]]))) }
        let r = try await send(.GET, "/tasks", query: query, notFound: { _ in .serviceNotFound(service ?? "") })
        return try decode([SwarmTask].self, from: r.body, what: "/tasks")
    }

    /// `GET /containers/{id}/json`: works only for containers on the daemon's own node.
    public func container(_ id: String) async throws(DockerError) -> ContainerInspect {
        let r = try await send(.GET, "/containers/\(DockerClient.percentEncode(id))/json",
                               notFound: { message in .api(status: 404, message: message) })
        return try decode(ContainerInspect.self, from: r.body, what: "/containers/\(id)/json")
    }

    /// `GET /containers/json`: the running containers of swarm tasks on the daemon's own node, or of one service;
    /// `all`, the stopped ones too (Swarm keeps the last few of each slot). One call gives every local task's
    /// health-check status.
    public func taskContainers(service: String? = nil, all: Bool = false) async throws(DockerError) -> [ContainerSummary] {
        let label = service.map { "com.docker.swarm.service.id=\($0)" } ?? "com.docker.swarm.task.id"
        let r = try await send(.GET, "/containers/json", query: [("filters", Self.filters(["label": [label]]))] + (all ? [("all", "true")] : []))
        return try decode([ContainerSummary].self, from: r.body, what: "/containers/json")
    }

    /// Docker's `filters` query parameter: JSON `{"key":["v1","v2"]}`.
    static func filters(_ f: [String: [String]]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: f, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

// MARK: - Writes

/// What an update did: the service before and after, and how many attempts it took (2 after a stale version).
public struct UpdateResult: Sendable, Equatable {
    public var serviceID: String
    public var name: String
    public var before: SwarmService
    public var attempts: Int
}

extension DockerClient {
    /// Scales a replicated service to `replicas`. Refuses global-mode services.
    /// - Parameter known: the service as the caller last saw it; its version is sent first, and on
    ///   "update out of sequence" the service is re-read and the update retried once.
    public func scale(_ ref: String, to replicas: UInt64, known: SwarmService? = nil) async throws(DockerError) -> UpdateResult {
        try await update(ref, known: known) { service, spec throws(DockerError) in
            guard !service.isGlobal else { throw .cannotScaleGlobal(service: service.Spec.Name) }
            spec.set(["Mode", "Replicated", "Replicas"], to: .int(Int64(replicas)))
        }
    }

    /// Restarts every task of a service, as `docker service update --force` does: `ForceUpdate + 1`.
    public func forceRestart(_ ref: String, known: SwarmService? = nil) async throws(DockerError) -> UpdateResult {
        try await update(ref, known: known) { service, spec throws(DockerError) in
            spec.set(["TaskTemplate", "ForceUpdate"], to: .int(Int64(service.forceUpdate) + 1))
        }
    }

    /// Rolls a service back to its previous spec, as `docker service rollback` does (`rollback=previous`); the
    /// daemon refuses a service that has none.
    public func rollback(_ ref: String, known: SwarmService? = nil) async throws(DockerError) -> UpdateResult {
        try await update(ref, known: known, query: [("rollback", "previous")]) { _, _ in }
    }

    /// Sets a node's availability (`active`, `pause`, `drain`), as `docker node update --availability` does: a
    /// read of its spec and version, the spec written back with the one field changed. Returns the availability
    /// it had.
    public func setAvailability(node id: String, to availability: String) async throws(DockerError) -> String {
        var attempts = 0
        while true {
            attempts += 1
            let r = try await send(.GET, "/nodes/\(DockerClient.percentEncode(id))",
                                   notFound: { message in .api(status: 404, message: message) })
            let node = try parse(r.body, what: "/nodes/\(id)")
            guard case .int(let version)? = node["Version"]?["Index"], var spec = node["Spec"] else {
                throw .decoding(what: "/nodes/\(id)", reason: "no Version.Index or Spec")
            }
            let before: String
            if case .string(let s)? = spec["Availability"] { before = s } else { before = "active" }
            spec.set(["Availability"], to: .string(availability))
            let body: Data
            do { body = try JSONEncoder().encode(spec) } catch { throw .decoding(what: "node spec", reason: "\(error)") }
            do {
                _ = try await send(.POST, "/nodes/\(DockerClient.percentEncode(id))/update", query: [("version", String(version))],
                                   body: body, notFound: { message in .api(status: 404, message: message) },
                                   operation: "update of node \(id)")
                return before
            } catch .outOfSequence(_) {
                guard attempts < 2 else { throw .outOfSequence(service: "node \(id)") }
            }
        }
    }

    /// Read-modify-write of a service spec with the current version; one retry on "update out of sequence".
    func update(_ ref: String, known: SwarmService?, query extra: [(String, String)] = [],
                change: (SwarmService, inout JSONValue) throws(DockerError) -> Void) async throws(DockerError) -> UpdateResult {
        var attempts = 0
        // A caller's copy (from the service list) carries its version and whole spec: no extra read.
        var current: SwarmService
        if let known { current = known } else { current = try await serviceWithSpec(ref) }
        while true {
            attempts += 1
            var spec = current.rawSpec
            try change(current, &spec)
            let body: Data
            do { body = try JSONEncoder().encode(spec) } catch {
                throw .decoding(what: "service spec", reason: "\(error)")
            }
            do {
                _ = try await send(.POST, "/services/\(current.ID)/update",
                                   query: [("version", String(current.Version.Index))] + extra, body: body,
                                   notFound: { _ in .serviceNotFound(ref) }, operation: "update of \(current.Spec.Name)")
                return UpdateResult(serviceID: current.ID, name: current.Spec.Name, before: current, attempts: attempts)
            } catch .outOfSequence(_) {
                guard attempts < 2 else { throw .outOfSequence(service: current.Spec.Name) }
                current = try await serviceWithSpec(current.ID)
            }
        }
    }
}
