import ClawtopCore
import DockerEngine
import Foundation
import Synchronization

/// Keeps the fleet state current from Docker: opens the events stream first, re-reads everything whenever it
/// (re)connects, then re-reads one service for each event that concerns it, and every task now and then for what
/// no event reports. Messages go to `post`. In steady state that is one request each `taskInterval` besides the
/// events stream: the daemon is a swarm's manager, and an operator's dashboard must not load it.
public final class FleetWatcher: Sendable {
    public let client: DockerClient
    public let post: @Sendable (Message) -> Void
    /// How often every task is re-read (`GET /tasks`), for changes no event reports: tasks on other nodes.
    public let taskInterval: Double

    /// Delay of the second read of a service after an event: swarm marks a task `running` a moment after its
    /// container's `start` event, and no task event follows.
    public let settleDelay: Double
    private let settling = Mutex<Set<String>>([])

    public init(client: DockerClient, taskInterval: Double = 30, settleDelay: Double = 1.5,
                post: @escaping @Sendable (Message) -> Void) {
        self.client = client
        self.taskInterval = taskInterval
        self.settleDelay = settleDelay
        self.post = post
    }

    /// Reads nodes, services and tasks once, as one snapshot message.
    /// No `GET /info` first: it is the daemon's slowest answer, and on a daemon that is no manager the swarm reads
    /// fail with the same typed error.
    public static func snapshot(_ client: DockerClient, now: Date = Date()) async throws(DockerError) -> Message {
        async let nodes = client.nodes()
        async let services = client.services()
        async let tasks = client.tasks()
        async let containers = client.taskContainers()
        do {
            let health = Self.health(try await containers)
            return .snapshot(nodes: try await nodes.map(Self.node), services: try await services.map(Self.service),
                             tasks: try await tasks.map { Self.task($0, health: health) }, at: now)
        } catch let e as DockerError {
            throw e
        } catch {
            throw .transport(address: client.endpoint.address, reason: "\(error)")
        }
    }

    /// Runs until cancelled.
    public func run() async {
        // A slow re-read of the tasks catches what no event reports (tasks on other nodes). Services and nodes
        // change only through the API, which sends events; a dropped stream is followed by a full re-read.
        let periodic = Task {
            while !Task.isCancelled {
                do { try await Task.sleep(for: .seconds(taskInterval)) } catch { return }
                await rereadTasks()
            }
        }
        defer { periodic.cancel() }
        for await item in client.events() {
            if Task.isCancelled { return }
            switch item {
            case .connected:
                await resync()
            case .disconnected(let error, let retry):
                post(.connection(.reconnecting("\(error.description) (retrying in \(Int(retry.rounded(.up)))s)")))
            case .event(let event):
                guard let id = event.serviceID, !id.isEmpty else { continue }
                if let name = event.serviceName, !name.isEmpty { post(.event(service: name, Self.note(event))) }
                await apply(event, serviceID: id)
                settle(id)
            }
        }
    }

    /// Reads a service again after `settleDelay`, once per burst of events.
    private func settle(_ id: String) {
        guard settling.withLock({ $0.insert(id).inserted }) else { return }
        Task {
            try? await Task.sleep(for: .seconds(settleDelay))
            settling.withLock { _ = $0.remove(id) }
            if !Task.isCancelled { await refresh(id) }
        }
    }

    private func resync() async {
        do {
            post(try await Self.snapshot(client))
        } catch {
            post(.connection(.failed(error.description)))
        }
    }

    private func rereadTasks() async {
        let started = Date()
        do {
            post(.tasks(try await client.tasks().map { Self.task($0) }, at: started))
        } catch {
            post(.connection(.failed(error.description)))
        }
    }

    private func apply(_ event: DockerEvent, serviceID id: String) async {
        if event.kind == .service && event.action == "remove" {
            post(.serviceRemoved(id: id, at: Date()))
            return
        }
        await refresh(id)
    }

    /// Messages carry when the read began: the store drops a read that began before the last one it applied.
    private func refresh(_ id: String) async {
        let started = Date()
        do {
            async let listed = client.services(id: id)
            async let tasks = client.tasks(service: id)
            async let containers = client.taskContainers(service: id)
            guard let service = try await listed.first else {
                post(.serviceRemoved(id: id, at: started))
                return
            }
            let health = Self.health(try await containers)
            post(.service(Self.service(service), tasks: try await tasks.map { Self.task($0, health: health) }, at: started))
        } catch DockerError.serviceNotFound {
            post(.serviceRemoved(id: id, at: started))
        } catch {
            // Read everything again rather than keep a stale service until its next event; the stream stays up.
            await resync()
        }
    }

    // MARK: - Wire to model

    static func node(_ n: SwarmNode) -> NodeInfo {
        NodeInfo(id: n.ID, hostname: n.Description?.Hostname ?? String(n.ID.prefix(12)), role: n.Spec.Role ?? "",
                 state: n.Status.State)
    }

    static func service(_ s: SwarmService) -> ServiceInfo {
        let mode: ServiceMode = s.isGlobal ? .global : (s.Spec.Mode.ReplicatedJob != nil ? .job : .replicated)
        var image = s.Spec.TaskTemplate.ContainerSpec?.Image ?? ""
        if let at = image.firstIndex(of: "@") { image = String(image[..<at]) } // drop the pinned digest
        let desired = s.ServiceStatus.map { Int($0.DesiredTasks) } ?? Int(s.replicas ?? 0)
        return ServiceInfo(id: s.ID, name: s.Spec.Name, image: image, mode: mode, desired: desired,
                           running: Int(s.ServiceStatus?.RunningTasks ?? 0), createdAt: DockerTime.parse(s.CreatedAt),
                           labels: s.Spec.Labels ?? [:], updateState: s.UpdateStatus?.State, spec: spec(s))
    }

    /// The parts of the spec the details pane shows. Environment values are dropped here.
    static func spec(_ s: SwarmService) -> ServiceSpecSummary {
        let raw = s.rawSpec
        func int(_ path: String...) -> Int64? { raw.value(at: path)?.intValue }
        func string(_ path: String...) -> String? {
            if case .string(let v)? = raw.value(at: path) { return v }
            return nil
        }
        let container = s.Spec.TaskTemplate.ContainerSpec
        var secrets: [String] = []
        if case .array(let list)? = raw.value(at: ["TaskTemplate", "ContainerSpec", "Secrets"]) {
            for item in list { if case .string(let name)? = item.value(at: ["SecretName"]) { secrets.append(name) } }
        }
        let test = container?.Healthcheck?.Test ?? []
        return ServiceSpecSummary(
            restartCondition: string("TaskTemplate", "RestartPolicy", "Condition"),
            restartDelay: int("TaskTemplate", "RestartPolicy", "Delay").map { Double($0) / 1e9 },
            restartMaxAttempts: int("TaskTemplate", "RestartPolicy", "MaxAttempts").map { Int($0) },
            restartWindow: int("TaskTemplate", "RestartPolicy", "Window").map { Double($0) / 1e9 },
            cpuLimit: int("TaskTemplate", "Resources", "Limits", "NanoCPUs").map { Double($0) / 1e9 },
            memoryLimit: int("TaskTemplate", "Resources", "Limits", "MemoryBytes"),
            cpuReservation: int("TaskTemplate", "Resources", "Reservations", "NanoCPUs").map { Double($0) / 1e9 },
            memoryReservation: int("TaskTemplate", "Resources", "Reservations", "MemoryBytes"),
            envNames: (container?.Env ?? []).map { String($0.prefix { $0 != "=" }) },
            secrets: secrets,
            healthcheck: test.first == "NONE" || test.isEmpty ? nil : test.dropFirst().joined(separator: " "),
            healthcheckInterval: container?.Healthcheck?.Interval.map { Double($0) / 1e9 },
            forceUpdate: Int(s.forceUpdate))
    }

    /// "container die (exit 137)", "service update", "health_status: unhealthy".
    static func note(_ e: DockerEvent) -> ServiceEventNote {
        var text: String
        switch e.kind {
        case .service: text = "service \(e.action)"
        case .container: text = e.action.hasPrefix("health_status") ? e.action : "container \(e.action)"
        case .node: text = "node \(e.action)"
        case .other(let kind): text = "\(kind) \(e.action)"
        }
        if let code = e.attributes["exitCode"] { text += " (exit \(code))" }
        return ServiceEventNote(time: e.time, text: text)
    }

    static func task(_ t: SwarmTask, health: [String: ContainerHealth] = [:]) -> TaskInfo {
        TaskInfo(id: t.ID, serviceID: t.ServiceID, slot: t.Slot, nodeID: t.NodeID, state: t.Status.State,
                 desiredState: t.DesiredState, error: t.Status.Err, exitCode: t.Status.ContainerStatus?.ExitCode,
                 timestamp: DockerTime.parse(t.Status.Timestamp), createdAt: DockerTime.parse(t.CreatedAt),
                 containerHealth: health[t.ID])
    }

    /// Health-check status by task ID, from the local containers.
    static func health(_ containers: [ContainerSummary]) -> [String: ContainerHealth] {
        var result: [String: ContainerHealth] = [:]
        for c in containers { if let task = c.taskID, let h = c.health.flatMap(ContainerHealth.init) { result[task] = h } }
        return result
    }
}
