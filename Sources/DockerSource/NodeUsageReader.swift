import ClawtopCore
import DockerEngine
import Foundation
import Synchronization

/// Reads what the task containers of one node consume, through that node's own daemon (container stats and
/// inspect exist only there): one list of its task containers, then each running one's CPU and memory, its CPU
/// worked out from its reading before; and for each that exited with 137 and was not looked at yet, whether the
/// kernel killed it for memory (one inspect).
///
/// Where the daemon is on this machine (a unix socket), a container's figures come from its cgroup's files, as
/// ctop and cAdvisor read them (its cgroup found once, from its main process): Docker 20.10 answers a one-shot stats
/// call only at its collector's next tick, a second on, and each call costs it a reading of the same files. Elsewhere,
/// and for a container whose files cannot be read here, one one-shot `stats` call each.
public final class NodeUsageReader: Sendable {
    public let client: DockerClient
    /// The node's ID in the swarm.
    public let node: String
    /// Containers already asked whether memory killed them.
    private let inspected = Mutex<Set<String>>([])
    /// Running containers already asked what they run as.
    private let configured = Mutex<Set<String>>([])
    /// What the inspect for a container's cgroup said it runs as, by container ID, until `configs` takes it: one
    /// inspect serves both (each clawtop asks each container of its node once; the suite starts dozens at once).
    private let configsSeen = Mutex<[String: ContainerConfig]>([:])
    /// Each running container's cgroup files, when they can be read here (nil: they cannot, ask the daemon).
    private let cgroups = Mutex<[String: CgroupFiles?]>([:])
    /// The daemon is on this machine: its containers' cgroups may be read here.
    private let local: Bool
    /// How many stats calls go at once.
    static let parallel = 8

    public init(client: DockerClient, node: String) {
        self.client = client
        self.node = node
        if case .unix = client.endpoint.transport { local = true } else { local = false }
    }

    /// Reads every `interval` seconds until cancelled, and says at once of each container the kernel kills for
    /// memory (the daemon's `oom` event): its task's failure is read from the manager a moment later, and the
    /// transition and its alert can name the cause.
    public func run(every interval: Double, post: @escaping @Sendable (Message) -> Void) async {
        await withDiscardingTaskGroup { group in
            group.addTask { [self] in
                for await item in client.events(types: ["container"], actions: ["oom"]) {
                    guard case .event(let event) = item, let task = event.attributes["com.docker.swarm.task.id"], !task.isEmpty else { continue }
                    _ = inspected.withLock { $0.insert(event.actorID) }
                    post(.usage(.oomKilled(node: node, tasks: [task], at: event.time)))
                }
            }
            // On the interval from the start of each reading: a slow daemon does not stretch it.
            while !Task.isCancelled {
                let started = ContinuousClock.now
                for message in await read() { post(.usage(message)) }
                do { try await Task.sleep(until: started + .seconds(interval)) } catch { break }
            }
            group.cancelAll()
        }
    }

    /// One reading of the node: each running container's counters, from its cgroup's files or a one-shot stats call.
    /// With `service`, only that service's running containers (and no look at those that exited).
    public func read(service: String? = nil) async -> [UsageMessage] {
        let at = Date()
        let containers: [ContainerSummary]
        do {
            containers = try await client.taskContainers(service: service, all: service == nil)
        } catch {
            return [.lost(node: node, error.description)]
        }
        let running = containers.filter { $0.State == "running" && $0.taskID != nil && $0.serviceID != nil }
        let files = await cgroupFiles(of: running, all: service == nil)
        let host = files.isEmpty ? nil : CgroupFiles.hostCPU()
        var fromFiles: [ContainerReading] = []
        for c in running {
            guard let cgroup = files[c.Id], let host, let (cpu, memory) = cgroup.read() else { continue }
            fromFiles.append(ContainerReading(containerID: c.Id, taskID: c.taskID!, serviceID: c.serviceID!,
                                              cpu: CPUCounters(used: cpu, host: host.nanoseconds, cpus: host.cpus, at: Date()), memory: memory))
        }
        let read = Set(fromFiles.map(\.containerID))
        let asked = running.filter { !read.contains($0.Id) }
        let fromDaemon = await withTaskGroup(of: ContainerReading?.self) { group in
            var result: [ContainerReading] = [], next = asked.makeIterator(), busy = 0
            func add() {
                guard let c = next.next() else { return }
                busy += 1
                group.addTask { [client] in
                    // A container that stopped meanwhile has no reading: it is left out, as it would be a moment on.
                    guard let stats = try? await client.stats(container: c.Id) else { return nil }
                    return Self.reading(stats, container: c.Id, task: c.taskID!, service: c.serviceID!, now: at)
                }
            }
            for _ in 0..<Self.parallel { add() }
            while busy > 0, let reading = await group.next() {
                busy -= 1
                if let reading { result.append(reading) }
                add()
            }
            return result
        }
        if let service { return [.serviceReadings(node: node, service: service, fromFiles + fromDaemon, at: at)] }
        let killed = await oomKilled(containers.filter { $0.exitCode == 137 })
        let configs = await configs(of: running)
        return [.readings(node: node, fromFiles + fromDaemon, at: at)] + killed.map { .oomKilled(node: node, tasks: [$0.task], at: $0.at ?? at) }
            + (configs.isEmpty ? [] : [.containerConfigs(node: node, configs)])
    }

    /// What the running containers not asked yet run as: their user and whether they have a HEALTHCHECK (one
    /// inspect each, once).
    private func configs(of running: [ContainerSummary]) async -> [ContainerConfig] {
        let ids = Set(running.map(\.Id))
        let fresh = configured.withLock { seen in
            seen.formIntersection(ids)
            return running.filter { seen.insert($0.Id).inserted }
        }
        let already = configsSeen.withLock { found in
            defer { found = [:] }
            return found
        }
        var configs = fresh.compactMap { already[$0.Id] }
        let new = fresh.filter { already[$0.Id] == nil }
        // `parallel` at a time: over ssh each connection is an ssh session, and sshd drops those beyond its
        // MaxStartups.
        for start in stride(from: 0, to: new.count, by: Self.parallel) {
            configs += await withTaskGroup(of: ContainerConfig?.self) { group in
                for c in new[start..<min(new.count, start + Self.parallel)] {
                    group.addTask { [self] in
                        guard let task = c.taskID, let config = try? await client.container(c.Id).Config else {
                            _ = configured.withLock { $0.remove(c.Id) } // asked again next time
                            return nil
                        }
                        return Self.config(config, task: task)
                    }
                }
                return await group.reduce(into: []) { if let config = $1 { $0.append(config) } }
            }
        }
        return configs
    }

    /// The cgroup files of each running container that can be read here, found once per container (one inspect,
    /// for its main process). `all`: these are all the node's running containers, and the others are forgotten (a
    /// reading of one service's keeps what is known of the rest).
    private func cgroupFiles(of running: [ContainerSummary], all: Bool) async -> [String: CgroupFiles] {
        guard local else { return [:] }
        let ids = Set(running.map(\.Id))
        let known = cgroups.withLock { cgroups in
            if all { cgroups = cgroups.filter { ids.contains($0.key) } }
            return cgroups
        }
        var found: [String: CgroupFiles?] = [:]
        var seen: [String: ContainerConfig] = [:]
        for c in running where known[c.Id] == nil {
            guard let inspect = try? await client.container(c.Id), let pid = inspect.State.Pid else { continue }
            if let task = c.taskID, let config = inspect.Config { seen[c.Id] = Self.config(config, task: task) }
            found[c.Id] = CgroupFiles.locate(pid: pid, container: c.Id)
        }
        configsSeen.withLock { $0.merge(seen) { _, new in new } }
        return cgroups.withLock { cgroups in
            cgroups.merge(found) { _, new in new }
            return cgroups.compactMapValues { $0 }
        }
    }

    /// What an inspect says a task's container runs as.
    static func config(_ config: ContainerInspect.Config, task: String) -> ContainerConfig {
        let test = config.Healthcheck?.Test ?? []
        return ContainerConfig(taskID: task, user: config.User ?? "", healthcheck: !test.isEmpty && test.first != "NONE")
    }

    /// The tasks of those containers that the kernel killed for memory, and when they ended, asking each container
    /// once.
    private func oomKilled(_ exited: [ContainerSummary]) async -> [(task: String, at: Date?)] {
        let new = inspected.withLock { seen in exited.filter { seen.insert($0.Id).inserted } }
        var killed: [(task: String, at: Date?)] = []
        for c in new {
            guard let task = c.taskID else { continue }
            do {
                let state = try await client.container(c.Id).State
                if state.OOMKilled == true { killed.append((task, DockerTime.parse(state.FinishedAt))) }
            } catch {
                _ = inspected.withLock { $0.remove(c.Id) } // asked again next time
            }
        }
        return killed
    }

    /// A container's stats as the model keeps them. Nil when it has no usage (it stopped).
    static func reading(_ stats: ContainerStats, container: String, task: String, service: String, now: Date) -> ContainerReading? {
        guard let memory = stats.workingSet, let cpu = stats.cpu_stats, let used = cpu.cpu_usage?.total_usage else { return nil }
        return ContainerReading(containerID: container, taskID: task, serviceID: service,
                                cpu: CPUCounters(used: used, host: cpu.system_cpu_usage, cpus: cpu.online_cpus ?? 1,
                                                 at: DockerTime.parse(stats.read) ?? now),
                                memory: Int64(clamping: memory))
    }
}
