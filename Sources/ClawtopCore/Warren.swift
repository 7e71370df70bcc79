import Foundation

/// What Warren, the orchestrator in front of the agents, says of them through its admin API, as far as clawtop has
/// heard: its link, its figures, each agent's state and connections, and its process workers.
public struct WarrenView: Sendable, Equatable {
    /// How clawtop stands with Warren's admin API.
    public enum Link: Sendable, Equatable {
        case connecting
        case live
        /// Nothing answers (refused, timeout, no route), with the reason.
        case unreachable(String)
        /// Warren answered 401: no admin token, or the wrong one.
        case unauthorized
        /// Something answers at the address, but not as Warren's admin API does.
        case notWarren(String)

        /// `connecting`, `live`, `unreachable`, `unauthorized`, `not-warren`.
        public var word: String {
            switch self {
            case .connecting: return "connecting"
            case .live: return "live"
            case .unreachable: return "unreachable"
            case .unauthorized: return "unauthorized"
            case .notWarren: return "not-warren"
            }
        }

        /// Why the link is not live, when it is not.
        public var problem: String? {
            switch self {
            case .unreachable(let why), .notWarren(let why): return why
            case .unauthorized: return "401: no admin token, or not the one Warren has"
            case .connecting, .live: return nil
            }
        }
    }

    /// The admin API's address, as the operator gave it (never with the token).
    public var address: String
    public var link: Link = .connecting
    /// From `/admin/health`.
    public var status: WarrenStatus?
    /// Container agents by name, from `/admin/agents`, kept up to date by Warren's events.
    public var agents: [String: WarrenAgent] = [:]
    /// Process workers (Claude Code or PicoClaw sessions run through Hermes), by name.
    public var processes: [String: WarrenAgent] = [:]
    /// When the last full read ended.
    public var readAt: Date?

    public init(address: String) {
        self.address = address
    }

    public var isLive: Bool { link == .live }

    /// The agent Warren runs under this agent name or service name, while the link is live.
    public func agent(named name: String, service: String?) -> WarrenAgent? {
        guard isLive else { return nil }
        if let a = agents[name] { return a }
        guard let service else { return nil }
        return agents.values.first { $0.containerName == service }
    }
}

/// Warren's own figures (`GET /admin/health`); the counts cover container agents.
public struct WarrenStatus: Sendable, Equatable {
    public var uptime: Double
    public var agents: Int
    public var ready: Int
    public var sleeping: Int
    public var webSockets: Int

    public init(uptime: Double, agents: Int, ready: Int, sleeping: Int, webSockets: Int) {
        self.uptime = uptime
        self.agents = agents
        self.ready = ready
        self.sleeping = sleeping
        self.webSockets = webSockets
    }
}

/// One row of `GET /admin/agents`.
public struct WarrenAgent: Sendable, Equatable {
    public var name: String
    public var hostname: String
    public var policy: String
    public var backend: String
    /// The Swarm service, for a container agent.
    public var containerName: String?
    public var healthURL: String?
    /// As Warren prints it (`30m0s`, or what the API was given).
    public var idleTimeout: String?
    /// `container` or `process`.
    public var type: String
    /// `sleeping`, `starting`, `ready`, `degraded` or `unknown`; for a process `running`, `done` or `failed`.
    public var state: String
    /// Open WebSocket connections to its primary hostname.
    public var connections: Int
    /// For a process worker: `claude-code`, `picoclaw`, …, its task and session.
    public var runtime: String?
    public var taskID: String?
    public var sessionID: String?

    public init(name: String, hostname: String = "", policy: String = "", backend: String = "", containerName: String? = nil,
                healthURL: String? = nil, idleTimeout: String? = nil, type: String = "container", state: String,
                connections: Int = 0, runtime: String? = nil, taskID: String? = nil, sessionID: String? = nil) {
        self.name = name
        self.hostname = hostname
        self.policy = policy
        self.backend = backend
        self.containerName = containerName
        self.healthURL = healthURL
        self.idleTimeout = idleTimeout
        self.type = type
        self.state = state
        self.connections = connections
        self.runtime = runtime
        self.taskID = taskID
        self.sessionID = sessionID
    }

    public var isProcess: Bool { type == "process" }

    /// Warren's state in the health rules' terms; nil when Warren does not know.
    public var health: HealthState? {
        switch state {
        case "ready", "running": return .healthy
        case "degraded", "failed": return .unhealthy
        case "starting": return .starting
        case "sleeping", "done": return .asleep
        default: return nil
        }
    }
}

/// One event of Warren's stream (`GET /admin/events`).
public struct WarrenEvent: Sendable, Equatable {
    /// `agent.ready`, `agent.degraded`, `agent.health_failed`, `agent.wake`, `agent.sleep`, `agent.starting`, …
    public var type: String
    public var agent: String
    public var time: Date
    public var fields: [String: String]

    public init(type: String, agent: String, time: Date, fields: [String: String] = [:]) {
        self.type = type
        self.agent = agent
        self.time = time
        self.fields = fields
    }

    /// The state the event puts its agent in, when it says.
    public var state: String? {
        switch type {
        case "agent.ready": return "ready"
        case "agent.degraded": return "degraded"
        case "agent.sleep": return "sleeping"
        case "agent.wake", "agent.starting": return "starting"
        default: return nil
        }
    }

    /// For the agent's events: "warren: health failed: connection refused (2 in a row)".
    public var note: String {
        switch type {
        case "agent.health_failed":
            let count = fields["failures"].map { " (\($0) in a row)" } ?? ""
            return "warren: health failed: \(fields["error"] ?? "?")\(count)"
        case "agent.ready": return "warren: ready"
        case "agent.degraded": return "warren: degraded"
        case "agent.sleep": return "warren: asleep"
        case "agent.wake": return "warren: waking"
        case "agent.starting": return "warren: starting"
        default: return "warren: " + type
        }
    }
}

extension FleetState {
    /// Applies what Warren said.
    mutating func apply(_ message: WarrenMessage) {
        guard warren != nil else { return }
        switch message {
        case .link(let link):
            warren!.link = link
        case .read(let agents, let status, let at):
            warren!.agents = Dictionary(agents.filter { !$0.isProcess }.map { ($0.name, $0) }, uniquingKeysWith: { $1 })
            warren!.processes = Dictionary(agents.filter(\.isProcess).map { ($0.name, $0) }, uniquingKeysWith: { $1 })
            warren!.status = status
            warren!.readAt = at
            warren!.link = .live
        case .event(let event):
            // Warren passes Docker's own events on (`docker.container.die`, …); clawtop hears those from Docker.
            guard !event.type.hasPrefix("docker.") else { return }
            if let state = event.state { warren!.agents[event.agent]?.state = state }
            // Seen at once: a read that began before Warren took the wake may still say sleeping.
            forgetWakesTaken()
            let known = warren!.agents[event.agent]
            let definition = agents.first { $0.name == event.agent || ($0.serviceName != nil && $0.serviceName == known?.containerName) }
            guard let definition else { return }
            if let service = definition.serviceName {
                events[service, default: []].append(ServiceEventNote(time: event.time, text: event.note))
                if events[service]!.count > FleetState.eventsKept { events[service]!.removeFirst() }
            }
            // Where only Warren can see the agent, its verdicts are the agent's health history.
            guard probes[definition.name]?.unreachable != nil || definition.healthURL == nil else { return }
            let sample: HealthSample?
            switch event.type {
            case "agent.health_failed": sample = HealthSample(time: event.time, ok: false, reason: event.note)
            case "agent.ready": sample = HealthSample(time: event.time, ok: true, reason: nil)
            default: sample = nil
            }
            if let sample { health[definition.name, default: HealthHistory(capacity: setup.historySize)].append(sample) }
        }
    }
}

/// What Warren's watcher posts.
public enum WarrenMessage: Sendable, Equatable {
    case link(WarrenView.Link)
    /// A full read of `/admin/agents` and `/admin/health`, at the start and after each reconnect (the event stream
    /// has no replay).
    case read(agents: [WarrenAgent], status: WarrenStatus, at: Date)
    case event(WarrenEvent)
}
