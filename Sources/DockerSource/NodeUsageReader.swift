import ClawtopCore
import DockerEngine
import Foundation
import Synchronization

/// Reads what the task containers of one node consume, through that node's own daemon (container stats and
/// inspect exist only there): each running one's CPU and memory, one one-shot stats call each, its CPU worked out
/// from its reading before; and for each that exited with 137 and was not looked at yet, whether the kernel killed it
/// for memory (one inspect).
public final class NodeUsageReader: Sendable {
    public let client: DockerClient
    /// The node's ID in the swarm.
    public let node: String
    /// Containers already asked whether memory killed them.
    private let inspected = Mutex<Set<String>>([])
    /// How many stats calls go at once.
    static let parallel = 8

    public init(client: DockerClient, node: String) {
        self.client = client
        self.node = node
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
            while !Task.isCancelled {
                for message in await read() { post(.usage(message)) }
                do { try await Task.sleep(for: .seconds(interval)) } catch { break }
            }
            group.cancelAll()
        }
    }

    /// One reading of the node: each running container's counters, at once (one-shot).
    public func read() async -> [UsageMessage] {
        let at = Date()
        let containers: [ContainerSummary]
        do {
            containers = try await client.taskContainers(all: true)
        } catch {
            return [.lost(node: node, error.description)]
        }
        let running = containers.filter { $0.State == "running" && $0.taskID != nil && $0.serviceID != nil }
        let readings = await withTaskGroup(of: ContainerReading?.self) { group in
            var result: [ContainerReading] = [], next = running.makeIterator(), busy = 0
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
        let killed = await oomKilled(containers.filter { $0.exitCode == 137 })
        return [.readings(node: node, readings, at: at)] + killed.map { .oomKilled(node: node, tasks: [$0.task], at: $0.at ?? at) }
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
