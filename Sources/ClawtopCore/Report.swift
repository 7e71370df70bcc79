import Foundation

/// The state as `clawtop snapshot --format json` prints it. Field names are stable and documented in the README;
/// agents come in the table's order (most urgent first), times are ISO 8601 UTC, durations in seconds. Text from
/// containers (errors) is sanitized as for the screen, so even `jq -r` cannot garble a terminal.
public struct FleetReport: Codable, Sendable, Equatable {
    public var generatedAt: Date
    public var endpoint: String
    /// `live`, `connecting`, `reconnecting` or `failed`.
    public var connection: String
    public var nodes: [Node]
    /// Warren, when clawtop knows where its admin API is.
    public var warren: Warren?
    public var agents: [Agent]
    public var services: [Service]
    /// `probes` (clawtop's own) or `recorder` (a `clawtop record` writing the history).
    public var healthFrom: String
    /// The recorder's process and host ("4242@mgr1"), when health comes from one.
    public var recorder: String?
    /// The agents' recent transitions, newest last (from the history on disk and since the start).
    public var timeline: [TimelineEntry]
    /// The guide's rules each agent fails, the worst first, then those that cannot be judged (`AuditReport`).
    public var audit: [AuditEntry]
    /// Failures a service's `clawtop.audit.ignore` silences.
    public var auditSilenced: Int

    public struct AuditEntry: Codable, Sendable, Equatable {
        public var agent: String
        public var rule: String
        /// `fails`, or `cannot-judge`.
        public var verdict: String
        /// The fact that fails the rule, or why it cannot be judged.
        public var fact: String
        public var fix: String
        public var source: String
    }

    public struct TimelineEntry: Codable, Sendable, Equatable {
        public var time: Date
        public var agent: String
        public var from: String
        public var to: String
        public var reason: String?
        public var actor: String?
    }

    /// An agent's figures over one window, from the history on disk.
    public struct Window: Codable, Sendable, Equatable {
        public var samples: Int
        public var availability: Double?
        public var latencyP95: Double?
    }

    public struct Warren: Codable, Sendable, Equatable {
        public var address: String
        /// `connecting`, `live`, `unreachable`, `unauthorized` or `not-warren`.
        public var link: String
        /// Why, when it is not live.
        public var problem: String?
        public var uptime: Double?
        public var agents, ready, sleeping, webSockets: Int?
    }

    /// What Warren says of one agent.
    public struct WarrenAgent: Codable, Sendable, Equatable {
        public var state: String
        public var connections: Int
        public var policy: String?
        public var idleTimeout: String?
        public var runtime: String?
        public var taskID: String?
        public var sessionID: String?
    }

    public struct Node: Codable, Sendable, Equatable {
        public var id, hostname, role, state: String
        /// `active`, `pause` or `drain`.
        public var availability: String
        public var leader: Bool
        public var address: String?
        public var engine: String?
    }

    public struct Agent: Codable, Sendable, Equatable {
        public var name: String
        public var service: String?
        /// The stack its service belongs to (`docker stack deploy`).
        public var stack: String?
        public var policy: String?
        /// `config`, `label`, `all`, `warren` (added through Warren's API) or `process` (a Warren process worker).
        public var source: String
        /// unknown, starting, healthy, failing, unhealthy, asleep, missing.
        public var health: String
        /// `probe`, `warren`, `docker` or `none`: where `health` comes from.
        public var healthSource: String
        public var healthURL: String?
        /// Why the URL cannot be reached from here, when it cannot.
        public var unreachable: String?
        public var dockerHealth: String?
        /// `container` (the daemon read the container's check) or `task` (Swarm's task states say it, for containers
        /// on other nodes: a task runs only once its check has passed, and one that fails it is replaced).
        public var dockerHealthFrom: String?
        /// What its service is doing: running, starting, updating, paused, degraded, failing, pending (a task that
        /// cannot be placed), stopped.
        public var state: String?
        public var running: Int?
        public var desired: Int?
        public var restarts: Int
        public var lastError: String?
        public var lastCheck: Date?
        /// The way the last probe went when not straight from clawtop's machine: "ssh ops@manager".
        public var probeVia: String?
        /// What the gateway said of its readiness in the latest probe; absent when it said nothing.
        public var readiness: ReadinessReport?
        public var warren: WarrenAgent?
        /// clawtop's probe and Warren disagree: "warren sees degraded".
        public var disagreement: String?
        /// Where its tasks are: those Swarm wants running, and those still running.
        public var tasks: [Placement]
        /// Its service's last update or rollback, when there was one.
        public var update: Update?
        /// For a health URL that names `{node}`: each running replica, probed on its node.
        public var replicas: [Replica]?
        public var history: History
        /// The last hour, day and week (`1h`, `24h`, `7d`), from the history on disk; absent without one.
        public var windows: [String: Window]?
        /// What its running replicas consume; absent where clawtop reads no node's containers.
        public var usage: Usage?
    }

    /// What an agent's running replicas consume together, against the limits of its spec (times the replicas read).
    public struct Usage: Codable, Sendable, Equatable {
        /// Percent of one core, as `docker stats` gives it; absent until two readings.
        public var cpuPercent: Double?
        public var cpuLimitPercent: Double?
        /// The working set (usage less inactive page cache), in bytes.
        public var memoryBytes: Int64
        public var memoryLimitBytes: Int64?
        public var replicasRead: Int
        /// Nodes running its replicas that clawtop has no endpoint for.
        public var unreachableNodes: [String]
        /// A node's daemon stopped answering: the figures are its last.
        public var stale: Bool
        /// The highest working set read in the last hour (from the history on disk and this run's readings).
        public var memoryPeakLastHourBytes: Int64?

        init(_ u: ServiceUsage, peakLastHour: Int64?) {
            cpuPercent = u.cores.map { ($0 * 1000).rounded() / 10 }
            cpuLimitPercent = u.coreLimit.map { ($0 * 1000).rounded() / 10 }
            memoryBytes = u.memory
            memoryLimitBytes = u.memoryLimit
            replicasRead = u.replicas
            unreachableNodes = u.unreachable
            stale = u.stale
            memoryPeakLastHourBytes = peakLastHour
        }
    }

    /// One replica probed where it runs.
    public struct Replica: Codable, Sendable, Equatable {
        /// `2@wk1`: its slot and node.
        public var replica: String
        public var url: String
        public var health: String
        public var samples: Int
        public var availability: Double?
        public var lastError: String?
    }

    /// A service's last update or rollback: `state` as Swarm says it (`updating`, `paused`, `completed`,
    /// `rollback_started`, `rollback_paused`, `rollback_completed`), and while it runs, how many tasks it replaced.
    public struct Update: Codable, Sendable, Equatable {
        public var state: String
        public var startedAt: Date?
        public var replaced: Int?
        public var of: Int?
        public var message: String?
    }

    /// One task of an agent's service and where Swarm placed it.
    public struct Placement: Codable, Sendable, Equatable {
        public var slot: Int?
        /// The node's hostname; absent while the task is not placed (pending).
        public var node: String?
        /// Swarm's state of the task (`pending`, `running`, …) and the one it wants.
        public var state: String
        public var desiredState: String
        /// Swarm's reason, when it gives one ("no suitable node (…)", "task: non-zero exit (1)").
        public var error: String?
        /// The node is down: Swarm last saw the task there and cannot know more.
        public var nodeDown: Bool
    }

    /// An OpenClaw gateway's readiness answer: the why behind the health, never the verdict.
    public struct ReadinessReport: Codable, Sendable, Equatable {
        /// `ready`, `not-ready`, `draining` or `starting`.
        public var phase: String
        /// `full`, `withheld` (no gateway token), `token-refused` or `token-unreadable`.
        public var detail: String
        public var summary: String
        public var failing: [String]
        public var checks: [Check]
        public var pendingReason: String?

        public struct Check: Codable, Sendable, Equatable {
            public var name: String
            public var status: String?
            public var message: String?
            public var advisory: Bool
        }

        init(_ r: Readiness) {
            phase = r.phase.rawValue
            detail = r.detail.rawValue
            summary = sanitize(r.summary)
            failing = r.failing.map(sanitize)
            checks = r.checks.map { Check(name: sanitize($0.name), status: $0.status.map(sanitize),
                                          message: $0.message.map(sanitize), advisory: $0.advisory) }
            pendingReason = r.pendingReason.map(sanitize)
        }
    }

    public struct History: Codable, Sendable, Equatable {
        public var samples: Int
        public var availability: Double?
        public var latencyP50: Double?
        public var latencyP95: Double?
        /// Checks in a row with the latest outcome, and whether they are ok.
        public var streak: Int
        public var streakOK: Bool?
        public var since: Date?
        public var lastFailure: Date?
        public var lastFailureReason: String?
    }

    public struct Service: Codable, Sendable, Equatable {
        public var id, name, image, mode: String
        public var desired, running: Int
        /// From the tasks: running, starting, degraded, failing, updating, paused, stopped.
        public var state: String
        /// Tasks Docker still keeps, by state (`running`, `failed`, `shutdown`, …).
        public var tasks: [String: Int]
        public var lastError: String?
    }

    public init(_ fleet: FleetState, now: Date) {
        generatedAt = now
        endpoint = fleet.endpoint
        switch fleet.connection {
        case .live: connection = "live"
        case .connecting: connection = "connecting"
        case .reconnecting: connection = "reconnecting"
        case .failed: connection = "failed"
        }
        nodes = fleet.nodes.sorted { $0.hostname < $1.hostname }
            .map { Node(id: $0.id, hostname: sanitize($0.hostname), role: $0.role, state: $0.state, availability: $0.availability,
                        leader: $0.leader, address: $0.address.isEmpty ? nil : sanitize($0.address),
                        engine: $0.engine.isEmpty ? nil : sanitize($0.engine)) }
        warren = fleet.warren.map { w in
            Warren(address: w.address, link: w.link.word, problem: w.link.problem.map(sanitize), uptime: w.status?.uptime,
                   agents: w.status?.agents, ready: w.status?.ready, sleeping: w.status?.sleeping,
                   webSockets: w.status?.webSockets)
        }
        let rows = fleet.agentRows(now: now)
        let report = AuditReport(fleet, rows: rows)
        audit = (report.failing + report.unjudged).map { f in
            AuditEntry(agent: sanitize(f.agent), rule: f.rule, verdict: f.judged ? "fails" : "cannot-judge", fact: f.fact, fix: f.fix, source: f.source)
        }
        auditSilenced = report.silenced
        agents = rows.map { row in
            let h = row.history
            let source: String
            switch row.source {
            case .probe: source = "probe"
            case .docker: source = "docker"
            case .warren: source = "warren"
            case .none: source = "none"
            }
            return Agent(name: row.agent.name, service: row.agent.serviceName, stack: row.summary?.service.stack.map(sanitize),
                         policy: row.agent.policy,
                         source: row.agent.source.rawValue, health: row.health.rawValue, healthSource: source,
                         healthURL: row.agent.healthURL, unreachable: row.probe?.unreachable.map(sanitize), dockerHealth: row.dockerHealth?.rawValue,
                         dockerHealthFrom: row.dockerHealth == nil ? nil : row.dockerHealthFromTasks ? "task" : "container",
                         state: row.summary?.condition.word,
                         running: row.summary?.service.running, desired: row.summary?.service.desired,
                         restarts: row.restarts, lastError: row.lastError.map(sanitize), lastCheck: row.probe?.at,
                         probeVia: row.probe?.via.map(sanitize),
                         readiness: row.readiness.map(ReadinessReport.init),
                         warren: row.warren.map { w in
                             WarrenAgent(state: sanitize(w.state), connections: w.connections, policy: w.policy.isEmpty ? nil : sanitize(w.policy),
                                         idleTimeout: w.idleTimeout.map(sanitize), runtime: w.runtime.map(sanitize),
                                         taskID: w.taskID.map(sanitize), sessionID: w.sessionID.map(sanitize))
                         },
                         disagreement: row.disagreement,
                         tasks: Self.placements(fleet, service: row.summary?.service.id),
                         update: row.summary.flatMap { s in
                             s.service.updateState.map { Update(state: $0, startedAt: s.service.updateStartedAt,
                                                                replaced: s.updateProgress?.replaced, of: s.updateProgress?.of,
                                                                message: s.service.updateMessage.map(sanitize)) }
                         },
                         replicas: row.replicas.isEmpty ? nil : row.replicas.map { r in
                             Replica(replica: sanitize(r.label), url: sanitize(r.url), health: r.health.rawValue, samples: r.history.count,
                                     availability: r.history.availability, lastError: r.lastError.map(sanitize))
                         },
                         history: History(samples: h.count, availability: h.availability,
                                          latencyP50: h.latencyPercentile(0.5), latencyP95: h.latencyPercentile(0.95),
                                          streak: h.streak?.count ?? 0, streakOK: h.streak?.ok, since: row.since,
                                          lastFailure: h.lastFailure?.time, lastFailureReason: h.lastFailure?.reason.map(sanitize)),
                         windows: fleet.windows[row.agent.name].map { w in
                             Dictionary(uniqueKeysWithValues: w.all.map { ($0.name, Window(samples: $0.figures.samples,
                                                                                            availability: $0.figures.availability,
                                                                                            latencyP95: $0.figures.p95)) })
                         },
                         usage: row.summary.flatMap { s in
                             s.usage.map { Usage($0, peakLastHour: fleet.usageHistory[s.service.name]?
                                                 .peakMemory(since: now.addingTimeInterval(-3_600))) }
                         })
        }
        switch fleet.healthFrom {
        case .probes: (healthFrom, recorder) = ("probes", nil)
        case .recorder(let who): (healthFrom, recorder) = ("recorder", sanitize(who))
        }
        timeline = fleet.timeline.map { t in
            TimelineEntry(time: t.time, agent: sanitize(t.agent), from: t.from.rawValue, to: t.to.rawValue,
                          reason: t.reason.map(sanitize), actor: t.actor.map(sanitize))
        }
        services = fleet.summaries(now: now).sorted { $0.service.name < $1.service.name }.map { s in
            Service(id: s.service.id, name: s.service.name, image: s.service.image, mode: s.service.mode.word,
                    desired: s.service.desired, running: s.service.running, state: s.condition.word,
                    tasks: Dictionary(grouping: fleet.tasks[s.service.id] ?? [], by: \.state).mapValues(\.count),
                    lastError: s.lastError.map(sanitize))
        }
    }

    /// Pretty, sorted-keys JSON with ISO 8601 times: the same state gives the same bytes.
    public func json() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return (try? encoder.encode(self)) ?? Data("{}".utf8)
    }

    static func placements(_ fleet: FleetState, service: String?) -> [Placement] {
        guard let service else { return [] }
        let (names, down) = (fleet.nodeNames, fleet.downNodes)
        return (fleet.tasks[service] ?? []).filter { $0.desiredState == "running" || !$0.isTerminal }
            .sorted { ($0.slot ?? 0, $0.nodeID ?? "") < ($1.slot ?? 0, $1.nodeID ?? "") }
            .map { t in
                Placement(slot: t.slot, node: t.nodeID.map { names[$0].map(sanitize) ?? String($0.prefix(12)) }, state: t.state,
                          desiredState: t.desiredState, error: t.error.map(sanitize),
                          nodeDown: t.nodeID.map(down.contains) ?? false)
            }
    }
}
