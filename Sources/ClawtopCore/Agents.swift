import Foundation

/// Why a service is on the agent list.
public enum AgentSource: String, Sendable, Equatable {
    /// Named in orchestrator.yaml.
    case config
    /// Labelled `orchestrator.agent`.
    case label
    /// Any service, with `--all` or when there are neither configured nor labelled agents.
    case all
    /// Known to Warren only (added through its admin API).
    case warren
    /// One of Warren's process workers: no service, no URL; Warren says how it goes.
    case process
}

/// An agent: what it is called, which Swarm service runs it, and how its health is checked.
public struct AgentDefinition: Sendable, Equatable {
    public var name: String
    /// The Swarm service; nil for an unmanaged agent that runs outside the swarm.
    public var serviceName: String?
    /// Warren's policy (`always-on`, `on-demand`, `unmanaged`), when the agent is configured.
    public var policy: String?
    public var healthURL: String?
    public var checkInterval: Double
    public var startupTimeout: Double
    public var maxFailures: Int
    public var source: AgentSource
    /// A file holding the agent's OpenClaw gateway token, sent with its probes so the gateway tells why it is not
    /// ready. The path only: the token is read by the prober and never enters the model.
    public var gatewayTokenFile: String?

    public init(name: String, serviceName: String?, policy: String? = nil, healthURL: String? = nil,
                checkInterval: Double = 30, startupTimeout: Double = 60, maxFailures: Int = 3, source: AgentSource,
                gatewayTokenFile: String? = nil) {
        self.name = name
        self.serviceName = serviceName
        self.policy = policy
        self.healthURL = healthURL
        self.checkInterval = checkInterval
        self.startupTimeout = startupTimeout
        self.maxFailures = maxFailures
        self.source = source
        self.gatewayTokenFile = gatewayTokenFile
    }

    /// A probe's time limit: 5 s, as Warren's client, and never longer than the interval.
    public var probeTimeout: Double { min(5, checkInterval) }

    /// In a health URL, the address of the node each replica runs on: `http://{node}:18789/health` probes every
    /// replica where it runs (agents with host-mode ports), one history each.
    public static let nodePlaceholder = "{node}"

    /// Whether the health URL names `{node}`: one probe per running replica, on its node.
    public var probesEachReplica: Bool { healthURL?.contains(Self.nodePlaceholder) == true && serviceName != nil }
}

/// How the agent list is made: the configured agents and the operator's options.
public struct AgentSetup: Sendable, Equatable {
    public var configured: [AgentDefinition]
    /// `--all`: every service is an agent.
    public var showAll: Bool
    /// `--health-url AGENT=URL`: probe this address instead of the configured one.
    public var healthURLs: [String: String]
    /// `--gateway-token-file AGENT=FILE`: send the token in this file with the agent's probes.
    public var gatewayTokenFiles: [String: String]
    /// `defaults.health_check_interval`, for agents found by label.
    public var defaultCheckInterval: Double
    /// Samples kept per agent.
    public var historySize: Int

    /// Marks a service as an agent (any value), as Warren's examples do.
    public static let agentLabel = "orchestrator.agent"
    /// A service label that sets the URL clawtop probes, e.g. one reachable from a manager.
    public static let healthURLLabel = "clawtop.health.url"
    /// A service label naming a file, on the machine clawtop runs on, that holds the agent's gateway token.
    public static let gatewayTokenFileLabel = "clawtop.gateway.token-file"

    public init(configured: [AgentDefinition] = [], showAll: Bool = false, healthURLs: [String: String] = [:],
                gatewayTokenFiles: [String: String] = [:], defaultCheckInterval: Double = 30, historySize: Int = 720) {
        self.configured = configured
        self.showAll = showAll
        self.healthURLs = healthURLs
        self.gatewayTokenFiles = gatewayTokenFiles
        self.defaultCheckInterval = defaultCheckInterval
        self.historySize = historySize
    }
}

/// One probe the poller should run on a schedule.
public struct ProbeTarget: Sendable, Equatable, Hashable {
    public var agent: String
    public var url: String
    public var interval: Double
    public var timeout: Double
    /// The file holding the gateway token to send with this probe (`AgentDefinition.gatewayTokenFile`).
    public var tokenFile: String?
    public init(agent: String, url: String, interval: Double, timeout: Double, tokenFile: String? = nil) {
        self.agent = agent
        self.url = url
        self.interval = interval
        self.timeout = timeout
        self.tokenFile = tokenFile
    }
}

extension FleetState {
    /// The agents: those in the config, then services labelled `orchestrator.agent`, then, with `--all` or when
    /// there are neither, every other service. The health URL is the config's, unless the service's
    /// `clawtop.health.url` label or `--health-url` names another; the gateway token file is the one
    /// `--gateway-token-file` names, else the service's `clawtop.gateway.token-file` label's.
    public var agents: [AgentDefinition] {
        let byName = servicesByName
        var result = setup.configured
        var claimed = Set(result.compactMap(\.serviceName))
        // Only the services that become agents are sorted (each frame derives the agents).
        func unclaimed(_ include: (ServiceInfo) -> Bool) -> [ServiceInfo] {
            byName.values.filter { !claimed.contains($0.name) && include($0) }.sorted { $0.name < $1.name }
        }
        let labelled = unclaimed { $0.labels[AgentSetup.agentLabel] != nil }
        result += labelled.map { discovered($0, source: .label) }
        claimed.formUnion(labelled.map(\.name))
        if let warren {
            // Agents added through Warren's API, then its process workers in their own group.
            let named = Set(result.map(\.name))
            let added = warren.agents.values.filter { !named.contains($0.name) && !claimed.contains($0.containerName ?? "") }
            result += added.sorted { $0.name < $1.name }.map { w in
                AgentDefinition(name: w.name, serviceName: w.containerName, policy: w.policy, healthURL: w.healthURL,
                                checkInterval: setup.defaultCheckInterval, source: .warren)
            }
            claimed.formUnion(added.compactMap(\.containerName))
            result += warren.processes.values.sorted { $0.name < $1.name }.map {
                AgentDefinition(name: $0.name, serviceName: nil, policy: $0.runtime, source: .process)
            }
        }
        if setup.showAll || result.isEmpty {
            result += unclaimed { _ in true }.map { discovered($0, source: .all) }
        }
        for i in result.indices {
            let labels = result[i].serviceName.flatMap { byName[$0]?.labels } ?? [:]
            if let url = setup.healthURLs[result[i].name] {
                result[i].healthURL = url
            } else if let url = labels[AgentSetup.healthURLLabel], !url.isEmpty {
                result[i].healthURL = url
            }
            if let file = setup.gatewayTokenFiles[result[i].name] {
                result[i].gatewayTokenFile = file
            } else if let file = labels[AgentSetup.gatewayTokenFileLabel], !file.isEmpty {
                result[i].gatewayTokenFile = file
            }
        }
        return result
    }

    private var servicesByName: [String: ServiceInfo] {
        Dictionary(services.values.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    }

    private func discovered(_ service: ServiceInfo, source: AgentSource) -> AgentDefinition {
        AgentDefinition(name: service.name, serviceName: service.name, checkInterval: setup.defaultCheckInterval, source: source)
    }

    /// What the poller should probe now: agents with a health URL whose service has replicas (or that run outside
    /// the swarm). Asleep and missing agents are not probed.
    public var probeTargets: [ProbeTarget] {
        let byName = servicesByName
        return agents.flatMap { agent -> [ProbeTarget] in
            guard let url = agent.healthURL, !url.isEmpty else { return [] }
            func target(_ key: String, _ url: String) -> ProbeTarget {
                ProbeTarget(agent: key, url: url, interval: agent.checkInterval, timeout: agent.probeTimeout,
                            tokenFile: agent.gatewayTokenFile)
            }
            if let name = agent.serviceName {
                guard let service = byName[name], service.desired > 0 else { return [] }
                if agent.probesEachReplica {
                    return replicas(of: service).map { target(replicaKey(agent.name, $0.label), url.replacingOccurrences(of: AgentDefinition.nodePlaceholder, with: $0.address)) }
                }
            }
            return [target(agent.name, url)]
        }
    }

    /// A replica of a service as probed where it runs: its label (`2@wk1`) and its node's address.
    struct Replica {
        var label: String
        var address: String
        var task: TaskInfo
    }

    /// The running replicas of a service, each with where it runs (its node's address, else its hostname).
    func replicas(of service: ServiceInfo) -> [Replica] {
        let byID = Dictionary(nodes.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        return (tasks[service.id] ?? []).filter { $0.isRunning && $0.desiredState == "running" }.compactMap { task in
            guard let node = task.nodeID.flatMap({ byID[$0] }) else { return nil }
            let label = task.slot.map { "\($0)@\(node.hostname)" } ?? node.hostname
            return Replica(label: label, address: node.address.isEmpty ? node.hostname : node.address, task: task)
        }.sorted { $0.label < $1.label }
    }

    /// The agent table's rows: the most urgent first, then by name (`AgentRow.precedes`).
    public func agentRows(now: Date) -> [AgentRow] {
        let summaries = Dictionary(unsortedSummaries(now: now).map { ($0.service.name, $0) }, uniquingKeysWith: { a, _ in a })
        let rows = agents.map { agent in row(agent, summary: agent.serviceName.flatMap { summaries[$0] }, now: now) }
        // Sorted by keys worked out once: urgency is derived, and a row is costly to move.
        let keys = rows.map { (urgency: $0.urgency, name: $0.agent.name) }
        return rows.indices.sorted { (keys[$0].urgency, keys[$0].name) < (keys[$1].urgency, keys[$1].name) }.map { rows[$0] }
    }

    /// The row of one agent, derived anew: for a message about that agent alone.
    public func agentRow(_ agent: AgentDefinition, now: Date) -> AgentRow {
        let service = agent.serviceName.flatMap { name in services.values.first { $0.name == name } }
        return row(agent, summary: service.map { summary(of: $0, nodeNames: nodeNames, downNodes: downNodes, now: now) }, now: now)
    }

    private func row(_ agent: AgentDefinition, summary: ServiceSummary?, now: Date) -> AgentRow {
        let all = summary.map { tasks[$0.service.id] ?? [] } ?? []
        func row(tasks: [TaskInfo], key: String) -> AgentRow {
            AgentRow(agent: agent, summary: summary, tasks: tasks,
                     history: health[key] ?? HealthHistory(capacity: 1), probe: probes[key],
                     restarts: agent.serviceName.flatMap { restarts[$0] } ?? 0,
                     warren: agent.source == .process ? warren?.processes[agent.name]
                         : warren?.agent(named: agent.name, service: agent.serviceName), now: now)
        }
        guard agent.probesEachReplica, let service = summary?.service else { return row(tasks: all, key: agent.name) }
        // One history per replica, each judged as an agent of its own (its task's grace, its failures): the row is
        // the worst of them, and lists them all.
        let each = replicas(of: service).map { replica in
            (replica, row(tasks: all.filter { $0.slotKey == replica.task.slotKey }, key: replicaKey(agent.name, replica.label)))
        }
        guard var worst = each.map(\.1).min(by: { $0.urgency < $1.urgency }) else {
            return row(tasks: all, key: agent.name)
        }
        worst.replicas = each.map { replica, r in
            ReplicaHealth(label: replica.label, url: agent.healthURL!.replacingOccurrences(of: AgentDefinition.nodePlaceholder, with: replica.address),
                          health: r.health, history: r.history, lastError: r.lastError)
        }
        // Which replica the row's error is about.
        if each.count > 1, let error = worst.lastError, let replica = worst.replicas.first(where: { $0.lastError == error && $0.health == worst.health }) {
            worst.lastError = "\(replica.label): \(error)"
        }
        return worst
    }
}

/// One replica of an agent whose health URL names `{node}`, probed on its node.
public struct ReplicaHealth: Sendable, Equatable {
    /// `2@wk1`: the slot and the node (the node alone for a global service).
    public var label: String
    public var url: String
    public var health: HealthState
    public var history: HealthHistory
    public var lastError: String?
}

/// The key a replica's probes and history go by: the agent's name, `#`, the replica's label.
func replicaKey(_ agent: String, _ label: String) -> String { "\(agent)#\(label)" }

/// Where an agent's health comes from.
public enum HealthSource: Sendable, Equatable {
    /// clawtop's own probes of the health URL.
    case probe
    /// Docker's HEALTHCHECK, because there is no URL or it cannot be reached from here.
    case docker
    /// Warren's state, because clawtop's probe cannot reach the URL and Warren can.
    case warren
    /// Nothing tells: no URL, no Docker health check (or the agent is asleep or missing).
    case none
}

/// One row of the agent table: the agent, its service, and its health by the orchestrator's rules.
public struct AgentRow: Sendable, Equatable {
    public var agent: AgentDefinition
    /// The service and what its tasks say; nil when it does not exist (or the agent runs outside the swarm).
    public var summary: ServiceSummary?
    public var health: HealthState
    public var source: HealthSource
    public var history: HealthHistory
    public var probe: ProbeNote?
    /// Docker's health-check status of the agent's current containers (the worst of them).
    public var dockerHealth: ContainerHealth?
    /// `dockerHealth` is Swarm's word, from its task states, not the containers' own: the daemon clawtop talks to
    /// knows the check's status only for containers on its node. Swarm keeps a task `starting` until its first check
    /// passes and replaces one whose check fails, so a running task's check has passed, as far as anyone here knows.
    public var dockerHealthFromTasks = false
    public var restarts: Int
    /// Why it is unwell, newest first: the failing probe's reason, else the newest task error. For a healthy agent
    /// whose gateway says it is starting or draining, or did not take its token, that.
    public var lastError: String?
    /// What the gateway said of its readiness in the latest probe, when it said anything.
    public var readiness: Readiness?
    /// When the current run of healthy (or failing) probes began.
    public var since: Date?
    /// When the newest current task was created: "since the last restart".
    public var startedAt: Date?
    /// What Warren says of the agent, while clawtop hears from Warren.
    public var warren: WarrenAgent?
    /// clawtop's probe and Warren see the agent differently (one healthy, the other not): a routing or network
    /// fault between them, "warren sees degraded".
    public var disagreement: String?
    /// For a health URL that names `{node}`: each running replica, probed where it runs. The row's own health and
    /// history are the worst replica's.
    public var replicas: [ReplicaHealth] = []

    public var id: String { agent.name }

    /// Whether the task before `task` in its slot failed: Swarm started `task` because the last one crashed.
    static func replacedFailure(_ task: TaskInfo, in tasks: [TaskInfo]) -> Bool {
        let created = task.createdAt ?? .distantPast
        let before = tasks.filter { $0.slotKey == task.slotKey && $0.id != task.id && ($0.createdAt ?? .distantPast) <= created }
        return before.max { ($0.createdAt ?? .distantPast) < ($1.createdAt ?? .distantPast) }?.isFailure ?? false
    }

    public init(agent: AgentDefinition, summary: ServiceSummary?, tasks: [TaskInfo], history: HealthHistory,
                probe: ProbeNote?, restarts: Int, warren: WarrenAgent? = nil, now: Date) {
        self.agent = agent
        self.summary = summary
        self.history = history
        self.probe = probe
        self.restarts = restarts
        self.warren = warren
        let current = tasks.filter { $0.desiredState == "running" && !$0.isTerminal }
        let known = current.compactMap(\.containerHealth)
        if known.isEmpty, summary?.service.spec.healthcheck != nil, !current.isEmpty {
            dockerHealth = current.contains { $0.state == "starting" } ? .starting : current.contains(where: \.isRunning) ? .healthy : nil
            dockerHealthFromTasks = dockerHealth != nil
        } else {
            dockerHealth = known.min()
        }
        // A new service with replicas wanted and no task at all yet is about to start: its grace begins now.
        let startedAt = current.compactMap(\.createdAt).max() ?? ((summary?.service.desired ?? 0) > 0 && tasks.isEmpty ? now : nil)
        self.startedAt = startedAt

        let probing = agent.healthURL != nil && probe?.unreachable == nil
        if agent.source == .process {
            (health, source) = (warren?.health ?? .unknown, warren == nil ? .none : .warren)
        } else if agent.serviceName != nil && summary == nil {
            (health, source) = (.missing, .none)
        } else if let s = summary, s.service.desired == 0 {
            (health, source) = (.asleep, .none)
        } else if probing {
            // A task that replaced a failed one gets no grace, and the failures before it count: a crash loop must
            // not pass for a slow start.
            let afterCrash = current.contains { Self.replacedFailure($0, in: tasks) }
            health = healthState(history: history, serviceExists: true, desiredReplicas: summary?.service.desired ?? 1,
                                 taskStartedAt: afterCrash ? nil : startedAt, startupTimeout: agent.startupTimeout,
                                 maxFailures: agent.maxFailures, now: now)
            source = .probe
        } else if let verdict = warren?.health {
            (health, source) = (verdict, .warren)
        } else {
            switch dockerHealth {
            case .healthy?: (health, source) = (.healthy, .docker)
            case .unhealthy?: (health, source) = (.unhealthy, .docker)
            case .starting?: (health, source) = (.starting, .docker)
            case nil: (health, source) = (.unknown, .none)
            }
        }
        since = source == .probe || source == .warren ? history.streakStart : nil
        readiness = source == .probe ? history.latest?.readiness : nil
        // Only the settled verdicts are compared: a failure or two short of max_failures is "failing" here and still
        // "ready" to Warren, and that is agreement.
        if source == .probe, let w = warren, let verdict = w.health,
           (health == .healthy && verdict == .unhealthy) || (health == .unhealthy && verdict == .healthy) {
            disagreement = "warren sees \(w.state)"
        }
        if let disagreement {
            lastError = "\(disagreement), clawtop \(health.rawValue): routing or network?"
        } else if source == .warren, let latest = history.latest, !latest.ok {
            lastError = latest.reason
        } else if source == .warren, let w = warren, health != .healthy && health != .asleep {
            lastError = "warren: \(w.state)"
        } else if source == .probe, let latest = history.latest, !latest.ok {
            // A replica the kernel killed for memory is why its probes fail: that comes first.
            lastError = summary?.killedForMemory == true ? summary?.lastError.map { "\($0); probe: \(latest.reason ?? "failed")" } : latest.reason
        } else if let readiness, readiness.phase != .ready || readiness.detail != .full {
            lastError = readiness.summary
        } else if let why = probe?.unreachable {
            lastError = "probe: \(why)"
        } else {
            lastError = summary?.lastError
        }
    }

    /// Whether this row comes before `other` in the table's order: the more urgent first, then by name.
    public func precedes(_ other: AgentRow) -> Bool { (urgency, agent.name) < (other.urgency, other.agent.name) }

    /// How urgently an operator should look: 0 is most urgent. The worse of the health and the service condition.
    /// An agent not probed yet sorts with the healthy ones: while the first round of probes comes in, the table
    /// keeps its order, and only the agents found failing move up.
    public var urgency: Int {
        let byHealth: Int
        switch health {
        case .unhealthy: byHealth = 0
        case .failing: byHealth = 1
        case .missing: byHealth = 2
        case .starting: byHealth = 3
        case .unknown: byHealth = source == .probe ? 5 : 4
        case .healthy: byHealth = 5
        case .asleep: byHealth = 6
        }
        // Two views of one agent that disagree point at the network between them: look there first.
        if disagreement != nil { return min(1, byHealth) }
        // Warren's process workers come in their own group, after the agents.
        if agent.source == .process { return 7 + byHealth }
        guard let condition = summary?.condition else { return byHealth }
        let byService: Int
        switch condition {
        case .failing, .pending: byService = 0
        case .degraded, .paused: byService = 1
        case .starting, .updating: byService = 3
        case .running: byService = 5
        case .stopped: byService = 6
        }
        return min(byHealth, byService)
    }
}
