import Foundation

/// What the swarm's backend (Docker, or the demo) posts.
public enum DockerMessage: Sendable, Equatable {
    /// A full re-read (on connecting): replaces everything Docker reported. `at`, here and in `.service`,
    /// `.serviceRemoved` and `.tasks`, is when the read began; those three drop what they read of a service when
    /// it began before the last read of it that was applied.
    case snapshot(nodes: [NodeInfo], services: [ServiceInfo], tasks: [TaskInfo], at: Date)
    /// One service re-read after an event, with its tasks.
    case service(ServiceInfo, tasks: [TaskInfo], at: Date)
    case serviceRemoved(id: String, at: Date)
    /// Every node, re-read after a node event (a node went down, came back, was drained).
    case nodes([NodeInfo])
    /// The networks, read with the first read (and each full re-read).
    case networks([NetworkInfo])
    /// Every task of the swarm, re-read: replaces the tasks of each known service, and its running count from
    /// them. Docker's health-check status of a task already known is kept (this read does not carry it).
    case tasks([TaskInfo], at: Date)
    case connection(ConnectionState)
    /// A Docker event about a service, for its recent history.
    case event(service: String, ServiceEventNote)

    /// Whether the message can change which agents exist or should be probed.
    var changesAgents: Bool {
        switch self {
        case .snapshot, .service, .serviceRemoved, .nodes, .networks, .tasks: return true
        case .connection, .event: return false
        }
    }
}

/// Applies what Docker said. Pure.
func reduce(_ state: inout FleetState, _ message: DockerMessage) {
    switch message {
    case .snapshot(let nodes, let services, let tasks, let at):
        state.nodes = nodes
        state.services = Dictionary(services.map { ($0.id, $0) }, uniquingKeysWith: { $1 })
        state.tasks = Dictionary(grouping: tasks, by: \.serviceID)
        for service in services { countRestarts(&state, service: service, tasks: state.tasks[service.id] ?? []) }
        for service in services { state.readAt[service.id] = at }
        state.forgetOldReads(now: at)
        state.lastSync = at
        state.connection = .live
    case .service(let service, let tasks, let at):
        guard state.isNewRead(of: service.id, at: at) else { return }
        state.services[service.id] = service
        state.tasks[service.id] = tasks
        countRestarts(&state, service: service, tasks: tasks)
        state.lastSync = at
    case .networks(let networks):
        state.networks = Dictionary(networks.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    case .nodes(let nodes):
        // A node that went down takes its tasks' log lines with it: the logs shown say where they end.
        let wasDown = state.downNodes
        state.nodes = nodes
        if let shown = state.logService {
            let ids = Set(state.services.values.filter { $0.name == shown || $0.id == shown }.map(\.id))
            for node in nodes where state.downNodes.contains(node.id) && !wasDown.contains(node.id) {
                let there = ids.flatMap { state.tasks[$0] ?? [] }.contains { $0.isRunning && $0.nodeID == node.id }
                if there { state.logs.append(contentsOf: [LogEntry(time: nil, stream: .stderr, replica: "@" + node.hostname,
                                                                     text: "node \(node.hostname) is down: its lines end here")]) }
            }
        }
    case .serviceRemoved(let id, let at):
        guard state.isNewRead(of: id, at: at) else { return }
        state.services[id] = nil
        state.tasks[id] = nil
        state.lastSync = at
    case .tasks(let all, let at):
        let byService = Dictionary(grouping: all, by: \.serviceID)
        for (id, var service) in state.services where state.isNewRead(of: id, at: at) {
            let known = Dictionary((state.tasks[id] ?? []).map { ($0.id, $0.containerHealth) }, uniquingKeysWith: { a, _ in a })
            var tasks = byService[id] ?? []
            for i in tasks.indices where tasks[i].containerHealth == nil { tasks[i].containerHealth = known[tasks[i].id] ?? nil }
            service.running = tasks.filter(\.isRunning).count
            state.services[id] = service
            state.tasks[id] = tasks
            countRestarts(&state, service: service, tasks: tasks)
        }
        state.forgetOldReads(now: at)
        state.lastSync = at
        state.connection = .live
    case .connection(let c):
        state.connection = c
    case .event(let service, let note):
        state.events[service, default: []].append(note)
        if state.events[service]!.count > FleetState.eventsKept { state.events[service]!.removeFirst() }
    }
}
