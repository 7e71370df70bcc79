import Foundation

/// What a service is doing, derived from its spec, status and tasks. Ordered by how urgently an operator should
/// look at it: failing first.
public enum ServiceCondition: Int, Sendable, Equatable, Comparable, CaseIterable {
    /// Fewer tasks running than desired, and tasks have been failing.
    case failing
    /// A task that should run cannot be placed: no node meets its constraints or has the resources it reserves.
    case pending
    /// Fewer tasks running than desired, nothing failing (yet).
    case degraded
    /// A rolling update is paused (usually after a failure).
    case paused
    /// Tasks are being created or started.
    case starting
    /// A rolling update or rollback is in progress.
    case updating
    /// Every desired task is running.
    case running
    /// Scaled to zero.
    case stopped

    public var word: String {
        switch self {
        case .failing: return "failing"
        case .pending: return "pending"
        case .degraded: return "degraded"
        case .paused: return "paused"
        case .starting: return "starting"
        case .updating: return "updating"
        case .running: return "running"
        case .stopped: return "stopped"
        }
    }

    public static func < (a: ServiceCondition, b: ServiceCondition) -> Bool { a.rawValue < b.rawValue }
}

/// How far an update (or rollback) has come: its tasks running, of those wanted.
public struct UpdateProgress: Sendable, Equatable {
    public var replaced: Int
    public var of: Int
}

/// One row of the service table: a service plus what its tasks say.
public struct ServiceSummary: Sendable, Equatable {
    public var service: ServiceInfo
    public var condition: ServiceCondition
    /// The newest task error.
    public var lastError: String?
    /// The task `lastError` is of.
    public var lastErrorTask: TaskInfo?
    /// What its running replicas consume, where clawtop reads their nodes' containers.
    public var usage: ServiceUsage?
    /// Its newest failed task, lately, was killed for memory: why its probes fail too.
    public var killedForMemory = false
    /// Hostnames of the nodes running its tasks.
    public var nodes: [String]
    /// While an update or rollback runs: tasks running that it started, of those wanted.
    public var updateProgress: UpdateProgress?

    /// `downNodes`: the IDs of nodes that are down; a task Swarm last saw running on one is not running, and says so.
    public init(service: ServiceInfo, tasks: [TaskInfo], nodeNames: [String: String], downNodes: Set<String> = [], now: Date) {
        // Swarm (and `docker service ls`) still counts a task it last saw running on a node now down.
        var service = service
        let stranded = tasks.filter { $0.isRunning && $0.nodeID.map(downNodes.contains) == true }
        service.running = max(0, service.running - stranded.count)
        self.service = service
        let newestError = tasks.filter { !($0.error ?? "").isEmpty }
            .max { ($0.timestamp ?? .distantPast) < ($1.timestamp ?? .distantPast) }
        lastError = newestError?.error
        lastErrorTask = newestError
        if let node = stranded.first?.nodeID {
            lastError = "node \(nodeNames[node] ?? String(node.prefix(12))) is down: its task is out of reach"
        }
        let running = tasks.filter { $0.isRunning && !($0.nodeID.map(downNodes.contains) ?? false) }
        // Where it runs; for one that runs nowhere (a crash loop between restarts), where its newest task was placed.
        let placed = running.isEmpty ? tasks.filter { $0.nodeID != nil }.max { ($0.timestamp ?? .distantPast) < ($1.timestamp ?? .distantPast) }.map { [$0] } ?? [] : running
        nodes = Array(Set(placed.compactMap { $0.nodeID.flatMap { nodeNames[$0] ?? String($0.prefix(12)) } })).sorted()
        condition = Self.condition(service: service, tasks: tasks, now: now)
        if condition == .updating || condition == .paused, let started = service.updateStartedAt {
            let replaced = tasks.filter { $0.isRunning && $0.desiredState == "running" && ($0.createdAt ?? .distantPast) >= started }
            updateProgress = UpdateProgress(replaced: replaced.count, of: service.desired)
        }
    }

    /// The update's state in words: "updating", "paused", "completed", "rolling back", "rollback paused", "rolled back".
    public var updateWords: String? {
        switch service.updateState {
        case nil: return nil
        case "rollback_started": return "rolling back"
        case "rollback_paused": return "rollback paused"
        case "rollback_completed": return "rolled back"
        case let state?: return state
        }
    }

    static let startingStates: Set<String> = ["new", "allocated", "pending", "assigned", "accepted", "preparing", "ready", "starting"]

    /// How recent a failure must be to call a short-handed service "failing" rather than "degraded".
    public static let recentFailure: TimeInterval = 120

    static func condition(service: ServiceInfo, tasks: [TaskInfo], now: Date) -> ServiceCondition {
        switch service.updateState {
        case "paused", "rollback_paused": return .paused
        case "updating", "rollback_started": return .updating
        default: break
        }
        if service.desired == 0 && service.running == 0 { return .stopped }
        if service.running >= service.desired { return .running }
        let failedRecently = tasks.contains {
            $0.isFailure && now.timeIntervalSince($0.timestamp ?? .distantPast) < Self.recentFailure
        }
        if failedRecently { return .failing }
        // Swarm says why it cannot place a task ("no suitable node (…)", "insufficient resources on 3 nodes").
        if tasks.contains(where: { $0.desiredState == "running" && $0.state == "pending" && !($0.error ?? "").isEmpty }) {
            return .pending
        }
        if tasks.contains(where: { $0.desiredState == "running" && startingStates.contains($0.state) }) { return .starting }
        return .degraded
    }
}

extension FleetState {
    /// The table's rows: most urgent first, then by name.
    public func summaries(now: Date) -> [ServiceSummary] {
        unsortedSummaries(now: now).sorted { ($0.condition, $0.service.name) < ($1.condition, $1.service.name) }
    }

    /// Every service's summary, in no order (sorting a thousand of them costs more than making them).
    func unsortedSummaries(now: Date) -> [ServiceSummary] {
        let (names, down) = (nodeNames, downNodes)
        return services.values.map { summary(of: $0, nodeNames: names, downNodes: down, now: now) }
    }

    /// A service's summary with what its nodes' daemons add: its replicas' usage, and why a task was killed.
    func summary(of service: ServiceInfo, nodeNames: [String: String], downNodes: Set<String>, now: Date) -> ServiceSummary {
        var summary = ServiceSummary(service: service, tasks: tasks[service.id] ?? [], nodeNames: nodeNames, downNodes: downNodes, now: now)
        summary.usage = usage(of: service, nodeNames: nodeNames, downNodes: downNodes)
        if let task = summary.lastErrorTask, let reason = killReason(task, service: service) {
            summary.lastError = reason
            summary.killedForMemory = oomKilled[task.id] != nil && now.timeIntervalSince(task.timestamp ?? .distantPast) < ServiceSummary.recentFailure
        }
        return summary
    }
}

/// Ages in steps of ten seconds under a minute ("<10s", "10s", … "50s"), then as `formatAge`: for columns of many
/// rows, where a figure that changed every second would keep the terminal busy rewriting them.
public func formatCoarseAge(_ seconds: TimeInterval) -> String {
    let s = max(0, Int(seconds))
    if s < 10 { return "<10s" }
    if s < 60 { return "\(s / 10 * 10)s" }
    return formatAge(seconds)
}

/// "45s", "12m", "3h", "5d": the coarse ages a table shows.
public func formatAge(_ seconds: TimeInterval) -> String {
    let s = max(0, Int(seconds))
    if s < 60 { return "\(s)s" }
    if s < 3600 { return "\(s / 60)m" }
    if s < 86400 { return "\(s / 3600)h" }
    return "\(s / 86400)d"
}
