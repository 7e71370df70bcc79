import Foundation

/// What the readers of the nodes' containers post: what each task consumes, which were killed for memory, and
/// which nodes can be read at all.
public enum UsageMessage: Sendable, Equatable {
    /// The nodes whose containers clawtop reads, by node ID, and how: the others have no endpoint. Sent once, when
    /// the readers start.
    /// `unmatched`: the nodes named with `--node` that are not in the swarm.
    case reach([String: NodeReach], unmatched: [String])
    /// Every running task container of a node, read at once: replaces what was known of the node's tasks.
    case readings(node: String, [ContainerReading], at: Date)
    /// The running containers of one service on a node (the selected agent's, read more often): replaces what was
    /// known of that service's tasks there.
    case serviceReadings(node: String, service: String, [ContainerReading], at: Date)
    /// Tasks whose containers the kernel killed for memory (`State.OOMKilled`, the `oom` event), by task ID.
    case oomKilled(node: String, tasks: [String], at: Date)
    /// The node's daemon stopped answering: its figures are kept, marked stale.
    case lost(node: String, String)
    /// What running containers run as, read once each on their node (for the audit).
    case containerConfigs(node: String, [ContainerConfig])

    var changesAgents: Bool { false }
}

/// Applies what the readers said. Pure.
func reduce(_ state: inout FleetState, _ message: UsageMessage) {
    switch message {
    case .reach(let reach, let unmatched):
        state.reach = reach
        state.unmatchedNodes = unmatched
    case .readings(let node, let readings, let at):
        state.apply(readings, node: node) { $0.nodeID == node }
        state.reach[node, default: NodeReach(via: "?")].state = .live
        state.noteUsage(of: Set(readings.map(\.serviceID)), at: at)
    case .serviceReadings(let node, let service, let readings, _):
        state.apply(readings, node: node) { $0.nodeID == node && $0.serviceID == service }
    case .oomKilled(_, let tasks, let at):
        for task in tasks where state.oomKilled[task] == nil {
            state.oomKilled[task] = at
            state.noteOOMKill(task: task, at: at)
        }
        if state.oomKilled.count > FleetState.endedKept {
            for (id, _) in state.oomKilled.sorted(by: { $0.value < $1.value }).prefix(state.oomKilled.count - FleetState.endedKept) {
                state.oomKilled[id] = nil
            }
        }
    case .lost(let node, let why):
        state.reach[node, default: NodeReach(via: "?")].state = .lost(why)
    case .containerConfigs(_, let configs):
        for config in configs { state.containerConfigs[config.taskID] = config }
        // Those of tasks Docker no longer lists go.
        let known = Set(state.tasks.values.joined().map(\.id))
        if state.containerConfigs.count > known.count + FleetState.endedKept {
            state.containerConfigs = state.containerConfigs.filter { known.contains($0.key) }
        }
    }
}

extension FleetState {
    /// How many ended tasks' last readings and out-of-memory kills are kept.
    static let endedKept = 256

    /// Puts an out-of-memory kill in the timeline, under the agents of the task's service: an entry of its own, the
    /// agent's state unchanged; and counts it.
    mutating func noteOOMKill(task id: String, at: Date) {
        guard let serviceID = tasks.first(where: { $0.value.contains { $0.id == id } })?.key ?? usage[id]?.serviceID ?? lastUsage[id]?.serviceID,
              let service = services[serviceID] else { return }
        oomKillTotals[service.name, default: 0] += 1
        for agent in agents where agent.serviceName == service.name {
            let state = timelineStates[agent.name] ?? .unknown
            notesToAdd.append(.outOfMemory(agent: agent.name, state: state, limit: service.spec.memoryLimit, at: at))
        }
    }

    /// Applies readings of a node: the tasks `covered` that were not read have ended; each task read gets its CPU
    /// from its reading before (of the same container).
    mutating func apply(_ readings: [ContainerReading], node: String, covered: (TaskUsage) -> Bool) {
        let read = Set(readings.map(\.taskID))
        for (id, gone) in usage where covered(gone) && !read.contains(id) {
            usage[id] = nil
            noteEnded(gone)
        }
        for r in readings {
            let before = usage[r.taskID].flatMap { $0.containerID == r.containerID ? $0.counters : nil }
            usage[r.taskID] = TaskUsage(taskID: r.taskID, serviceID: r.serviceID, nodeID: node, containerID: r.containerID,
                                        cores: before.flatMap { r.cpu.cores(since: $0) }, memory: r.memory, counters: r.cpu)
        }
    }

    /// Keeps the last reading of a task that ended, for what its end says.
    mutating func noteEnded(_ usage: TaskUsage) {
        lastUsage[usage.taskID] = usage
        endedOrder.append(usage.taskID)
        if endedOrder.count > Self.endedKept { lastUsage[endedOrder.removeFirst()] = nil }
    }
}
