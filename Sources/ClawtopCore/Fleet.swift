import Foundation

/// A swarm node, as the console needs it.
public struct NodeInfo: Sendable, Equatable {
    public var id: String
    public var hostname: String
    public var role: String
    public var state: String
    public init(id: String, hostname: String, role: String, state: String) {
        self.id = id
        self.hostname = hostname
        self.role = role
        self.state = state
    }
}

public enum ServiceMode: Sendable, Equatable {
    case replicated
    case global
    case job

    public var word: String {
        switch self {
        case .replicated: return "replicated"
        case .global: return "global"
        case .job: return "job"
        }
    }
}

/// A swarm service, as the console needs it.
public struct ServiceInfo: Sendable, Equatable {
    public var id: String
    public var name: String
    public var image: String
    public var mode: ServiceMode
    /// Desired tasks (replicas, or eligible nodes for global services).
    public var desired: Int
    /// Tasks in the `running` state.
    public var running: Int
    public var createdAt: Date?
    public var labels: [String: String]
    /// `UpdateStatus.State`: updating, paused, completed, rollback_started, …; nil when no update ran.
    public var updateState: String?

    public init(id: String, name: String, image: String, mode: ServiceMode, desired: Int, running: Int,
                createdAt: Date?, labels: [String: String] = [:], updateState: String? = nil) {
        self.id = id
        self.name = name
        self.image = image
        self.mode = mode
        self.desired = desired
        self.running = running
        self.createdAt = createdAt
        self.labels = labels
        self.updateState = updateState
    }
}

/// One task of a service (current or historic).
public struct TaskInfo: Sendable, Equatable {
    public var id: String
    public var serviceID: String
    /// Replica slot; nil for global services (they are grouped by node instead).
    public var slot: Int?
    public var nodeID: String?
    /// Observed state: new … running, complete, shutdown, failed, rejected, …
    public var state: String
    public var desiredState: String
    /// `Status.Err`: why the task failed, when it did.
    public var error: String?
    public var exitCode: Int?
    public var timestamp: Date?

    public init(id: String, serviceID: String, slot: Int?, nodeID: String?, state: String, desiredState: String,
                error: String? = nil, exitCode: Int? = nil, timestamp: Date?) {
        self.id = id
        self.serviceID = serviceID
        self.slot = slot
        self.nodeID = nodeID
        self.state = state
        self.desiredState = desiredState
        self.error = error
        self.exitCode = exitCode
        self.timestamp = timestamp
    }

    public var isTerminal: Bool {
        ["complete", "shutdown", "failed", "rejected", "remove", "orphaned"].contains(state)
    }

    /// A task that ended badly: failed or rejected, or exited non-zero. Updates and scale-downs end in
    /// `shutdown` with no error and are not failures.
    public var isFailure: Bool {
        state == "failed" || state == "rejected" || (isTerminal && (exitCode ?? 0) != 0)
    }
}

/// Whether the console is getting live data.
public enum ConnectionState: Sendable, Equatable {
    case connecting
    case live
    /// The events stream dropped; data may be stale until it reconnects and resyncs.
    case reconnecting(String)
    /// A call failed for good (the message says why).
    case failed(String)
}

/// Everything the console knows about the swarm.
public struct FleetState: Sendable, Equatable {
    /// The daemon's name for the header: a context name or an address.
    public var endpoint: String
    public var connection: ConnectionState = .connecting
    public var nodes: [NodeInfo] = []
    public var services: [String: ServiceInfo] = [:]
    /// Tasks by service ID, history included.
    public var tasks: [String: [TaskInfo]] = [:]
    public var lastSync: Date?

    public init(endpoint: String) { self.endpoint = endpoint }
}

/// What can happen to the fleet state. Producers (the Docker watcher) send these; `reduce` applies them.
public enum Message: Sendable, Equatable {
    /// A full re-read: replaces everything.
    case snapshot(nodes: [NodeInfo], services: [ServiceInfo], tasks: [TaskInfo], at: Date)
    /// One service re-read after an event, with its tasks.
    case service(ServiceInfo, tasks: [TaskInfo], at: Date)
    case serviceRemoved(id: String, at: Date)
    case connection(ConnectionState)
}

/// Applies a message to the state. Pure.
public func reduce(_ state: inout FleetState, _ message: Message) {
    switch message {
    case .snapshot(let nodes, let services, let tasks, let at):
        state.nodes = nodes
        state.services = Dictionary(services.map { ($0.id, $0) }, uniquingKeysWith: { $1 })
        state.tasks = Dictionary(grouping: tasks, by: \.serviceID)
        state.lastSync = at
        state.connection = .live
    case .service(let service, let tasks, let at):
        state.services[service.id] = service
        state.tasks[service.id] = tasks
        state.lastSync = at
    case .serviceRemoved(let id, let at):
        state.services[id] = nil
        state.tasks[id] = nil
        state.lastSync = at
    case .connection(let c):
        state.connection = c
    }
}
