import Foundation

/// A container's CPU counters at one moment, as its node's daemon read them.
public struct CPUCounters: Sendable, Equatable {
    /// Nanoseconds of CPU time the container has used since it started.
    public var used: UInt64
    /// Nanoseconds of CPU time the whole host has used (all its CPUs together), when the daemon gave it.
    public var host: UInt64?
    /// The host's CPUs online.
    public var cpus: Int
    public var at: Date

    public init(used: UInt64, host: UInt64?, cpus: Int, at: Date) {
        self.used = used
        self.host = host
        self.cpus = cpus
        self.at = at
    }

    /// The cores in use between `earlier` and these, as `docker stats` works them out (1 is one core busy): the
    /// container's share of the host's CPU time times the host's CPUs, or its CPU time over the wall time between
    /// the two where the host's is missing. Nil when no time passed or a counter went back (a new container).
    public func cores(since earlier: CPUCounters) -> Double? {
        guard used >= earlier.used else { return nil }
        let spent = Double(used - earlier.used)
        if let host, let before = earlier.host, host > before {
            return spent / Double(host - before) * Double(max(1, cpus))
        }
        let wall = at.timeIntervalSince(earlier.at)
        return wall > 0 ? spent / 1e9 / wall : nil
    }
}

/// One reading of a task's container on its node.
public struct ContainerReading: Sendable, Equatable {
    public var containerID: String
    public var taskID: String
    public var serviceID: String
    public var cpu: CPUCounters
    /// The working set in bytes: usage less the page cache the kernel may drop, as `docker stats` counts it.
    public var memory: Int64

    public init(containerID: String, taskID: String, serviceID: String, cpu: CPUCounters, memory: Int64) {
        self.containerID = containerID
        self.taskID = taskID
        self.serviceID = serviceID
        self.cpu = cpu
        self.memory = memory
    }
}

/// What a task's container runs as, as its node's daemon says (the image's settings, or the service's over them).
public struct ContainerConfig: Sendable, Equatable {
    public var taskID: String
    /// The user its processes start as; empty is root, as Docker has it.
    public var user: String
    /// Whether it has a HEALTHCHECK (from the image or the service).
    public var healthcheck: Bool

    public init(taskID: String, user: String, healthcheck: Bool) {
        self.taskID = taskID
        self.user = user
        self.healthcheck = healthcheck
    }

    public var runsAsRoot: Bool { Self.isRoot(user) }

    /// Root: no user, `root`, or uid 0 (with or without a group), as Docker's `User` (or `--user`) says it.
    public static func isRoot(_ user: String) -> Bool {
        let name = user.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
        return name.isEmpty || name == "root" || name == "0"
    }
}

/// What a running task consumes, from the last readings of its container.
public struct TaskUsage: Sendable, Equatable {
    public var taskID: String
    public var serviceID: String
    public var nodeID: String
    public var containerID: String
    /// Cores in use over the last interval (1 is one core busy); nil until a second reading.
    public var cores: Double?
    /// The working set, in bytes.
    public var memory: Int64
    /// The last reading's counters, for the next one's CPU figure.
    public var counters: CPUCounters
}

/// How clawtop reads the containers of one node: through which endpoint, and whether that works now.
public struct NodeReach: Sendable, Equatable {
    public enum State: Sendable, Equatable {
        /// Not read yet.
        case connecting
        case live
        /// The node's daemon stopped answering: its figures are stale until it answers again.
        case lost(String)
    }
    /// How the node is reached, in words: "this daemon", "--node tcp://10.0.0.12:2376", "context wk1".
    public var via: String
    public var state: State

    public init(via: String, state: State = .connecting) {
        self.via = via
        self.state = state
    }
}

/// What a service's running replicas consume together, against their limits.
public struct ServiceUsage: Sendable, Equatable {
    /// Cores in use, summed over the replicas read (nil until a second reading of any).
    public var cores: Double?
    /// Working set in bytes, summed over the replicas read.
    public var memory: Int64
    /// The replicas read, and the limits of the service's spec times those replicas.
    public var replicas: Int
    public var coreLimit: Double?
    public var memoryLimit: Int64?
    /// The memory of the replica nearest its limit, as a fraction of it: the one Swarm will kill first.
    public var worstMemoryFraction: Double?
    /// Hostnames of the nodes that run its replicas but that clawtop has no way to read.
    public var unreachable: [String]
    /// A node of its replicas stopped answering: the figures are its last.
    public var stale: Bool

    /// The share of its CPU limit in use.
    public var coreFraction: Double? {
        guard let cores, let coreLimit, coreLimit > 0 else { return nil }
        return cores / coreLimit
    }
    public var memoryFraction: Double? {
        guard let memoryLimit, memoryLimit > 0 else { return nil }
        return Double(memory) / Double(memoryLimit)
    }

    /// Memory this near its limit is worth a colour.
    public static let memoryWarning = 0.9
}

extension FleetState {
    /// What the running replicas of `service` consume; nil when clawtop reads no node's containers (not sampling).
    public func usage(of service: ServiceInfo) -> ServiceUsage? {
        usage(of: service, nodeNames: nodeNames, downNodes: downNodes)
    }

    /// The same, with the nodes' names and those down worked out once for every service.
    func usage(of service: ServiceInfo, nodeNames names: [String: String], downNodes down: Set<String>) -> ServiceUsage? {
        guard !reach.isEmpty else { return nil }
        var result = ServiceUsage(cores: nil, memory: 0, replicas: 0, unreachable: [], stale: false)
        for task in tasks[service.id] ?? [] where task.isRunning {
            guard let node = task.nodeID, !down.contains(node) else { continue }
            guard let reach = reach[node] else {
                result.unreachable.append(names[node] ?? String(node.prefix(12)))
                continue
            }
            if case .lost = reach.state { result.stale = true }
            guard let used = usage[task.id] else { continue }
            result.replicas += 1
            result.memory += used.memory
            if let cores = used.cores { result.cores = (result.cores ?? 0) + cores }
            if let limit = service.spec.memoryLimit, limit > 0 {
                result.worstMemoryFraction = max(result.worstMemoryFraction ?? 0, Double(used.memory) / Double(limit))
            }
        }
        result.unreachable = Array(Set(result.unreachable)).sorted()
        if result.replicas > 0 {
            result.coreLimit = service.spec.cpuLimit.map { $0 * Double(result.replicas) }
            result.memoryLimit = service.spec.memoryLimit.map { $0 * Int64(result.replicas) }
        }
        return result
    }

    /// Why a failed task ended, where its container says more than Swarm's "non-zero exit (137)": killed for memory
    /// (from its node's daemon), or killed without its node to tell why.
    public func killReason(_ task: TaskInfo, service: ServiceInfo) -> String? {
        if oomKilled[task.id] != nil { return service.outOfMemory }
        // Swarm's own reason, when it gives one ("…: unhealthy container"), stands.
        guard task.exitCode == 137, [nil, "task: non-zero exit (137)"].contains(task.error), let node = task.nodeID,
              !reach.isEmpty else { return nil }
        var words = "killed (exit 137)"
        if let last = lastUsage[task.id], let limit = service.spec.memoryLimit, limit > 0 {
            words += "; memory was at \(Int((Double(last.memory) / Double(limit) * 100).rounded()))% of its limit at the last reading"
        }
        if reach[node] == nil, !reach.isEmpty {
            words += "; \(nodeNames[node] ?? String(node.prefix(12))) has no endpoint to tell if it was memory"
        }
        return words
    }
}

extension ServiceInfo {
    /// Why the kernel killed a task of this service: "out of memory (limit 16 MiB)".
    var outOfMemory: String { Self.outOfMemory(limit: spec.memoryLimit) }

    static func outOfMemory(limit: Int64?) -> String {
        "out of memory (" + (limit.map { "limit \(formatBytes($0))" } ?? "no limit: the node's memory") + ")"
    }
}

/// "512 B", "16 MiB", "1.5 GiB": binary units, as Docker's limits are given.
public func formatBytes(_ bytes: Int64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"]
    var value = Double(bytes), unit = 0
    while value >= 1024 && unit < units.count - 1 {
        value /= 1024
        unit += 1
    }
    return value == value.rounded() ? "\(Int(value)) \(units[unit])" : "\(String(format: "%.1f", value)) \(units[unit])"
}
