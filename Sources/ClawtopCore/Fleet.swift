import Foundation

/// A swarm node, as the console needs it.
public struct NodeInfo: Sendable, Equatable {
    public var id: String
    public var hostname: String
    /// `manager` or `worker`.
    public var role: String
    /// `ready`, `down`, `unknown`, `disconnected`.
    public var state: String
    /// `active`, `pause` or `drain`: whether the scheduler may place tasks there.
    public var availability: String
    /// The manager that leads the swarm's Raft.
    public var leader: Bool
    /// The address the node is reached at.
    public var address: String
    /// The Docker Engine version it runs.
    public var engine: String

    public init(id: String, hostname: String, role: String, state: String, availability: String = "active",
                leader: Bool = false, address: String = "", engine: String = "") {
        self.id = id
        self.hostname = hostname
        self.role = role
        self.state = state
        self.availability = availability
        self.leader = leader
        self.address = address
        self.engine = engine
    }
}

/// A network services attach to: an overlay across the swarm's nodes, maybe encrypted.
public struct NetworkInfo: Sendable, Equatable {
    public var id: String
    public var name: String
    public var driver: String
    /// IPsec between nodes (`--opt encrypted`).
    public var encrypted: Bool

    public init(id: String, name: String, driver: String, encrypted: Bool = false) {
        self.id = id
        self.name = name
        self.driver = driver
        self.encrypted = encrypted
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
    /// When the last update (or rollback) began, and what Swarm says of it.
    public var updateStartedAt: Date?
    public var updateMessage: String?
    public var spec: ServiceSpecSummary

    /// The stack `docker stack deploy` made it part of (`com.docker.stack.namespace`).
    public var stack: String? { labels["com.docker.stack.namespace"] }

    public init(id: String, name: String, image: String, mode: ServiceMode, desired: Int, running: Int,
                createdAt: Date?, labels: [String: String] = [:], updateState: String? = nil, updateStartedAt: Date? = nil,
                updateMessage: String? = nil, spec: ServiceSpecSummary = ServiceSpecSummary()) {
        self.id = id
        self.name = name
        self.image = image
        self.mode = mode
        self.desired = desired
        self.running = running
        self.createdAt = createdAt
        self.labels = labels
        self.updateState = updateState
        self.updateStartedAt = updateStartedAt
        self.updateMessage = updateMessage
        self.spec = spec
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
    /// When the task last changed state.
    public var timestamp: Date?
    /// When swarm created the task: the start of its `startup_timeout` grace.
    public var createdAt: Date?
    /// Docker's HEALTHCHECK status of its container (`starting`, `healthy`, `unhealthy`), where the daemon knows
    /// it: only containers on the node clawtop talks to, and only when the image or service defines a check.
    public var containerHealth: ContainerHealth?
    /// Its container on its node, once the node has started one.
    public var containerID: String?

    public init(id: String, serviceID: String, slot: Int?, nodeID: String?, state: String, desiredState: String,
                error: String? = nil, exitCode: Int? = nil, timestamp: Date?, createdAt: Date? = nil,
                containerHealth: ContainerHealth? = nil, containerID: String? = nil) {
        self.id = id
        self.serviceID = serviceID
        self.slot = slot
        self.nodeID = nodeID
        self.state = state
        self.desiredState = desiredState
        self.error = error
        self.exitCode = exitCode
        self.timestamp = timestamp
        self.createdAt = createdAt
        self.containerHealth = containerHealth
        self.containerID = containerID
    }

    /// The label the logs show for the task's replica: its slot ("1"), or for a global service's task the start
    /// of its node's ID.
    public var replicaLabel: String? { slot.map(String.init) ?? nodeID.map { String($0.prefix(6)) } }

    /// Where the task runs in its service: the replica slot, or the node for a global service.
    public var slotKey: String { slot.map { "slot \($0)" } ?? "node \(nodeID ?? "")" }

    /// Running, as Docker counts `RunningTasks`: a task being stopped runs until its container dies (10 s by
    /// default), and Docker's own count shows it meanwhile.
    public var isRunning: Bool { state == "running" }

    public var isTerminal: Bool {
        ["complete", "shutdown", "failed", "rejected", "remove", "orphaned"].contains(state)
    }

    /// Swarm wants it running and it is getting there (new, pending, assigned, … starting): Swarm marks it running
    /// later, and no event says when.
    public var isOnItsWay: Bool { desiredState == "running" && !isRunning && !isTerminal }

    /// A task that ended badly: failed or rejected, or exited non-zero on its own. A task Swarm shut down (an update,
    /// a scale, a drain) ends in `shutdown`, maybe with a signal's exit code, and is not a failure.
    public var isFailure: Bool {
        state == "failed" || state == "rejected" || (isTerminal && state != "shutdown" && (exitCode ?? 0) != 0)
    }
}

/// Docker's HEALTHCHECK status of a container. Ordered worst first.
public enum ContainerHealth: String, Sendable, Equatable, Comparable {
    case unhealthy, starting, healthy

    public static func < (a: ContainerHealth, b: ContainerHealth) -> Bool { a.rank < b.rank }
    private var rank: Int {
        switch self {
        case .unhealthy: return 0
        case .starting: return 1
        case .healthy: return 2
        }
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

/// Everything the console knows about the swarm and its agents.
public struct FleetState: Sendable, Equatable {
    /// The daemon's name for the header: a context name or an address.
    public var endpoint: String
    public var connection: ConnectionState = .connecting
    public var nodes: [NodeInfo] = []
    /// The networks by ID, for the details of the services attached to them.
    public var networks: [String: NetworkInfo] = [:]
    public var services: [String: ServiceInfo] = [:]
    /// Tasks by service ID, history included.
    public var tasks: [String: [TaskInfo]] = [:]
    public var lastSync: Date?

    /// Which services are agents, and how to probe them.
    public var setup: AgentSetup
    /// Probe history by agent name: it outlives tasks, containers and service updates.
    public var health: [String: HealthHistory] = [:]
    /// The last probe of each agent, and whether its URL could not be reached from here (see `ProbeOutcome`).
    public var probes: [String: ProbeNote] = [:]
    /// Task restarts by service name: counted from task history at first sight, then from each new task.
    public var restarts: [String: Int] = [:]
    /// Recent Docker events by service name, newest last (at most `eventsKept`).
    public var events: [String: [ServiceEventNote]] = [:]
    public static let eventsKept = 20
    /// The log of the service whose logs are shown (one at a time), and why it is not streaming, if it is not.
    public var logs = LogBuffer()
    public var logService: String?
    public var logProblem: String?
    /// The last action taken from the console and how it ended.
    public var lastAction: ActionOutcome?
    /// The output of the last command run in a container (the `x` key, `snapshot --exec-status`).
    public var execOutput: ExecOutput?
    /// Its lines, as the output pane shows them.
    public var execLines = LogBuffer(capacity: 20_000)
    /// What Warren says, when clawtop knows where its admin API is.
    public var warren: WarrenView?
    /// The wakes Warren accepted and has not been seen acting on yet, by agent: when they were asked.
    var wakesAsked: [String: Date] = [:]
    /// Where the health results come from: the console's own probes or a recorder's.
    public var healthFrom: HealthOrigin = .probes
    /// What each running task consumes, by task ID, where its node's containers are read.
    public var usage: [String: TaskUsage] = [:]
    /// What each agent's probes came to since this process started, by agent name (for the metrics).
    public var probeTotals: [String: ProbeTotals] = [:]
    /// The out-of-memory kills found since this process started, by service name (for the metrics).
    public var oomKillTotals: [String: Int] = [:]
    /// Each service's usage minute by minute over the last hours, by service name.
    public var usageHistory: [String: UsageHistory] = [:]
    /// Usage read since the last look, for the history on disk.
    var usageToRecord: [UsagePoint] = []
    /// The nodes whose containers are read, by node ID (empty: none is, nothing samples).
    public var reach: [String: NodeReach] = [:]
    /// What each task's container runs as, by task ID, where its node's daemon was read.
    public var containerConfigs: [String: ContainerConfig] = [:]
    /// Nodes named with `--node` that are not in the swarm.
    public var unmatchedNodes: [String] = []
    /// Tasks whose containers were killed for memory, by task ID, and when that was found.
    public var oomKilled: [String: Date] = [:]
    /// The last reading of tasks that ended (at most `endedKept`, the oldest dropped first).
    var lastUsage: [String: TaskUsage] = [:]
    var endedOrder: [String] = []
    /// Why the history on disk is not being written (the disk is full, the file is gone), while it is not.
    public var historyProblem: String?
    /// Each agent's figures over the last hour, day and week, from the history on disk (empty without one).
    public var windows: [String: HealthWindows] = [:]
    /// The agents' recent transitions, oldest first (at most `timelineKept`).
    public var timeline: [Transition] = []
    /// Each agent's last state seen, for the next transition.
    var timelineStates: [String: TimelineState] = [:]
    /// Actions that worked, by agent, for the transitions they cause.
    var recentActions: [String: RecentAction] = [:]
    /// Entries of the timeline that change no state (actions that worked, out-of-memory kills), until the next look
    /// at the agents' states.
    var notesToAdd: [Transition] = []
    /// When the newest read applied to each service began (kept for removed services too): reads run
    /// concurrently, and one that began earlier but ended later must not bring back an older state.
    var readAt: [String: Date] = [:]

    public init(endpoint: String, setup: AgentSetup = AgentSetup()) {
        self.endpoint = endpoint
        self.setup = setup
    }
}

extension FleetState {
    /// Whether a read of the service that began at `at` is not older than the last one applied; if so, it is now
    /// the last one.
    mutating func isNewRead(of id: String, at: Date) -> Bool {
        if let last = readAt[id], at < last { return false }
        readAt[id] = at
        return true
    }

    /// Node hostnames by node ID.
    public var nodeNames: [String: String] {
        Dictionary(nodes.map { ($0.id, $0.hostname) }, uniquingKeysWith: { a, _ in a })
    }

    /// The IDs of the nodes that are down (or cut off from the managers).
    public var downNodes: Set<String> {
        Set(nodes.filter { $0.state == "down" || $0.state == "disconnected" }.map(\.id))
    }

    /// Empties the logs, to show those of `service` (nil for none) as they come.
    public mutating func showLogs(of service: String?) {
        logs = LogBuffer()
        logService = service
        logProblem = nil
    }

    /// Adds a batch of `service`'s log lines, labelled with their replica, keeping only those whose label (`2@wk1`)
    /// contains `replica` (case-insensitive; empty for all). Lines of another service than the one shown start its
    /// logs anew.
    public mutating func appendLogs(_ entries: [LogEntry], of service: String, replica: String = "") {
        if logService != service { showLogs(of: service) }
        let filter = replica.lowercased()
        logs.append(contentsOf: labelled(entries, of: service).filter { filter.isEmpty || ($0.replica ?? "").lowercased().contains(filter) })
    }

    /// Log lines with their replica labelled from the task that printed them: its slot, or for a global service's
    /// task its node; on a swarm of several nodes, the node too (`2@wk1`); the start of the task ID for a task not
    /// read yet.
    func labelled(_ entries: [LogEntry], of service: String) -> [LogEntry] {
        guard entries.contains(where: { $0.replica == nil && $0.taskID != nil }) else { return entries }
        var labels: [String: String] = [:]
        let names = nodes.count > 1 ? nodeNames : [:]
        // The tasks of that service only (by name or ID, as the logs were asked for), not the whole swarm's.
        for s in services.values where s.name == service || s.id == service {
            for task in tasks[s.id] ?? [] {
                let host = task.nodeID.flatMap { names[$0] }
                labels[task.id] = task.slot == nil ? host ?? task.replicaLabel : [task.replicaLabel, host].compactMap { $0 }.joined(separator: "@")
            }
        }
        return entries.map { entry in
            var e = entry
            if e.replica == nil, let id = e.taskID { e.replica = labels[id] ?? String(id.prefix(6)) }
            return e
        }
    }

    /// Forgets when removed services were read, a minute on: no read takes that long.
    mutating func forgetOldReads(now: Date) {
        let services = self.services
        readAt = readAt.filter { services[$0.key] != nil || now.timeIntervalSince($0.value) < 60 }
    }
}


/// The last probe of an agent.
public struct ProbeNote: Sendable, Equatable {
    public var at: Date
    /// Why the URL cannot be reached from where clawtop runs (a swarm-internal name that does not resolve here,
    /// a network with no route); nil when the last probe reached it (whatever it answered).
    public var unreachable: String?
    /// The way the probe went when not straight from here: "ssh ops@manager".
    public var via: String?
    public init(at: Date, unreachable: String? = nil, via: String? = nil) {
        self.at = at
        self.unreachable = unreachable
        self.via = via
    }
}

/// What can happen to the fleet state: one kind of message a source, each with its own reducer. The sources post
/// these (the swarm's backend, the health scheduler, Warren, the history, the log follower, the action runner);
/// `reduce` applies them.
public enum Message: Sendable, Equatable {
    /// What Docker said (`DockerMessage.swift`).
    case docker(DockerMessage)
    /// One health probe of an agent.
    case probe(agent: String, url: String, sample: HealthSample)
    /// What Warren's admin API said.
    case warren(WarrenMessage)
    /// What the history on disk said (`HistoryMessage.swift`).
    case history(HistoryMessage)
    /// The logs followed (`LogMessage.swift`).
    case logs(LogMessage)
    /// What the tasks' containers consume, read on their nodes (`UsageMessage.swift`).
    case usage(UsageMessage)
    /// An action started from the console has ended. A scale that worked sets the service's desired count at
    /// once: the next key must start from it, not from what was read before the update.
    case action(ActionOutcome)
    /// A shell or a command in a replica's container (`ExecMessage.swift`).
    case exec(ExecMessage)

    /// Whether the message can change which agents exist or should be probed. Exhaustive: a new message says.
    public var changesAgents: Bool {
        switch self {
        case .docker(let d): return d.changesAgents
        case .usage(let u): return u.changesAgents
        case .warren(let w):
            if case .read = w { return true }
            return false
        case .probe, .history, .logs, .action, .exec: return false
        }
    }

    /// Whether the message can change who probes the agents: the console itself, or a recorder for it.
    public var changesProbing: Bool {
        if case .history(.healthFrom) = self { return true }
        return false
    }
}

/// Applies a message to the state. Pure.
public func reduce(_ state: inout FleetState, _ message: Message) {
    switch message {
    case .docker(let m): reduce(&state, m)
    case .history(let m): reduce(&state, m)
    case .logs(let m): reduce(&state, m)
    case .usage(let m): reduce(&state, m)
    case .warren(let m): state.apply(m)
    case .exec(let m): state.apply(m)
    case .action(let outcome):
        state.lastAction = outcome
        state.noteAction(outcome)
        state.noteWakeAsked(outcome)
        if outcome.ok, case .scale(_, let to) = outcome.request.kind, state.services[outcome.request.id] != nil {
            state.services[outcome.request.id]!.desired = to
        }
    case .probe(let agent, let url, let sample):
        state.probeTotals[agent, default: ProbeTotals()].add(sample)
        if sample.unreachable && isSwarmInternal(url: url, serviceNames: state.services.values.map(\.name)) {
            // Not the agent's fault: this name resolves only inside the swarm's networks. Docker's status stands in.
            state.probes[agent] = ProbeNote(at: sample.time, unreachable: sample.reason ?? "unreachable from here", via: sample.via)
        } else {
            state.probes[agent] = ProbeNote(at: sample.time, via: sample.via)
            let before = state.health[agent]?.latest?.readiness?.detail
            state.health[agent, default: HealthHistory(capacity: state.setup.historySize)].append(sample)
            if let readiness = sample.readiness, readiness.detail != before,
               readiness.detail == .tokenRefused || readiness.detail == .tokenUnreadable {
                noteTokenProblem(&state, agent: agent, readiness, at: sample.time)
            }
        }
    }
}

/// Says once, in the agent's events, that its gateway token brought no detail: not with every probe.
private func noteTokenProblem(_ state: inout FleetState, agent: String, _ readiness: Readiness, at time: Date) {
    guard let service = state.agents.first(where: { $0.name == agent })?.serviceName, let note = readiness.detailNote else { return }
    let text = "readiness: \(note), the gateway answers without detail"
    reduce(&state, .docker(.event(service: service, ServiceEventNote(time: time, text: text))))
}

/// Restarts of a service: at first sight, every task beyond the first in a slot that Docker still keeps (it keeps
/// five per slot); after that, each new task in a slot whose other task was live or had failed, which is a
/// restart, a crash or a forced update, not a wake from zero.
func countRestarts(_ state: inout FleetState, service: ServiceInfo, tasks: [TaskInfo]) {
    let evicting = Set(state.nodes.filter { $0.availability == "drain" || $0.state == "down" || $0.state == "disconnected" }.map(\.id))
    state.restarts[service.name] = restarts(in: tasks, evicting: evicting)
}

/// How long after a task's end its replacement may be created and still be one: a forced or rolling update stops
/// the old task and creates the new one at about the same time (within the old one's stop grace).
let replacementWindow: TimeInterval = 60

/// The restarts the task history tells, in the tasks Swarm keeps (the last few of each slot, 5 by default): the
/// console and `snapshot` read the same history and count the same. In each slot, a task is a restart when the one
/// before it crashed (failed, rejected, or exited on its own), or was shut down for it (a forced or rolling update:
/// the new one created within a minute of the old one's end). Not a restart: a slot filled again after a scale
/// down or a sleep, a task moved off a node that was drained or went down (`evicting`).
func restarts(in tasks: [TaskInfo], evicting: Set<String>) -> Int {
    var count = 0
    for (_, slot) in Dictionary(grouping: tasks, by: \.slotKey) {
        let ordered = slot.sorted {
            ($0.createdAt ?? $0.timestamp ?? .distantPast, $0.isTerminal ? 0 : 1) < ($1.createdAt ?? $1.timestamp ?? .distantPast, $1.isTerminal ? 0 : 1)
        }
        for (before, task) in zip(ordered, ordered.dropFirst()) {
            switch before.state {
            case "failed", "rejected", "complete":
                count += 1
            case "shutdown", "running", "starting", "ready", "preparing", "assigned", "accepted", "pending", "new", "allocated":
                // Swarm stopped it (or is stopping it) for this one: an update, unless it was moved off its node.
                guard before.desiredState == "shutdown" || before.isTerminal, !(before.nodeID.map(evicting.contains) ?? false) else { continue }
                let ended = before.timestamp ?? .distantPast, created = task.createdAt ?? task.timestamp ?? .distantPast
                if abs(created.timeIntervalSince(ended)) <= replacementWindow { count += 1 }
            default:
                continue
            }
        }
    }
    return count
}

/// Whether a URL names a host that resolves only inside a swarm: `tasks.<service>`, a service name, or any name
/// without a dot (a network alias).
public func isSwarmInternal(url: String, serviceNames: [String]) -> Bool {
    guard let host = URL(string: url)?.host?.lowercased(), !host.isEmpty else { return false }
    if host.hasPrefix("tasks.") || !host.contains(".") { return true }
    return serviceNames.contains { $0.lowercased() == host }
}
