import ClawtopCore
import DockerEngine
import Foundation

/// Docker's wire models as the model's values: what the watcher and the first read post. Environment values and
/// anything else secret are dropped here.
enum WireToModel {
    static func node(_ n: SwarmNode) -> NodeInfo {
        NodeInfo(id: n.ID, hostname: n.Description?.Hostname ?? String(n.ID.prefix(12)), role: n.Spec.Role ?? "",
                 state: n.Status.State, availability: n.Spec.Availability ?? "active", leader: n.ManagerStatus?.Leader ?? false,
                 address: n.Status.Addr ?? "", engine: n.Description?.Engine?.EngineVersion ?? "")
    }

    static func service(_ s: SwarmService) -> ServiceInfo {
        let mode: ServiceMode = s.isGlobal ? .global : (s.Spec.Mode.ReplicatedJob != nil ? .job : .replicated)
        var image = s.Spec.TaskTemplate.ContainerSpec?.Image ?? ""
        if let at = image.firstIndex(of: "@") { image = String(image[..<at]) } // drop the pinned digest
        let desired = s.ServiceStatus.map { Int($0.DesiredTasks) } ?? Int(s.replicas ?? 0)
        return ServiceInfo(id: s.ID, name: s.Spec.Name, image: image, mode: mode, desired: desired,
                           running: Int(s.ServiceStatus?.RunningTasks ?? 0), createdAt: DockerTime.parse(s.CreatedAt),
                           labels: s.Spec.Labels ?? [:], updateState: s.UpdateStatus?.State,
                           updateStartedAt: DockerTime.parse(s.UpdateStatus?.StartedAt), updateMessage: s.UpdateStatus?.Message,
                           spec: spec(s))
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
        var networks: [String] = []
        if case .array(let list)? = raw.value(at: ["TaskTemplate", "Networks"]) {
            for item in list { if case .string(let id)? = item.value(at: ["Target"]) { networks.append(id) } }
        }
        var summary = ServiceSpecSummary(
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
        summary.networks = networks
        summary.healthcheckDisabled = test.first == "NONE"
        summary.user = string("TaskTemplate", "ContainerSpec", "User").flatMap { $0.isEmpty ? nil : $0 }
        summary.inlineSecrets = inlineSecrets(container?.Env ?? [])
        return summary
    }

    /// The names of the variables that carry a key themselves: a secret-looking name whose value looks like a key
    /// (16 characters or more, no blank), not a path to a file. The value is looked at here, for that, and dropped.
    static func inlineSecrets(_ env: [String]) -> [String] {
        env.compactMap { entry in
            let name = String(entry.prefix { $0 != "=" })
            let value = entry.dropFirst(name.count + 1)
            guard looksSecret(name), !name.uppercased().hasSuffix("_FILE"), value.count >= 16, !value.hasPrefix("/"),
                  !value.contains(where: \.isWhitespace) else { return nil }
            return name
        }
    }

    /// The networks, and those the services name that the list does not have (the swarm's `host`), each asked
    /// for; nil when the daemon will not list them.
    static func networks(_ client: DockerClient, services: [ServiceInfo]) async -> [NetworkInfo]? {
        guard var listed = try? await client.networks().map(network) else { return nil }
        let known = Set(listed.map(\.id))
        for id in Set(services.flatMap(\.spec.networks)) where !known.contains(id) {
            if let found = try? await client.network(id) { listed.append(network(found)) }
        }
        return listed
    }

    static func network(_ n: DockerNetwork) -> NetworkInfo {
        NetworkInfo(id: n.Id, name: n.Name, driver: n.Driver ?? "", encrypted: n.Options?["encrypted"] != nil)
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
                 containerHealth: health[t.ID], containerID: t.Status.ContainerStatus?.ContainerID)
    }

    /// Health-check status by task ID, from the local containers.
    static func health(_ containers: [ContainerSummary]) -> [String: ContainerHealth] {
        var result: [String: ContainerHealth] = [:]
        for c in containers { if let task = c.taskID, let h = c.health.flatMap(ContainerHealth.init) { result[task] = h } }
        return result
    }
}
