import Foundation

/// What a rule makes of one agent.
public enum AuditVerdict: Sendable, Equatable {
    case passes
    /// The fact that fails it ("no memory limit").
    case fails(String)
    /// Why it cannot be told here ("the image's user on wk2: no endpoint, see --node"): never a silent pass.
    case cannotJudge(String)
}

/// A rule of the containerising guide that Warren's docs give (`docs/containerising-agents.md`, the guide clawtop's
/// users follow), held against a running agent: where it comes from, what to do about it, and how it is judged
/// from what clawtop reads (the service's spec, its tasks, its containers on their nodes, the probes).
public struct AuditRule: Sendable {
    /// What `clawtop.audit.ignore` names it by.
    public let id: String
    /// The line of the guide it comes from, and what the guide says there.
    public let source: String
    /// The fix, in the guide's own terms.
    public let fix: String
    let judge: @Sendable (AuditSubject) -> AuditVerdict
}

/// What a rule is judged from: an agent, its service, and the fleet around it.
public struct AuditSubject: Sendable {
    public let row: AgentRow
    public let service: ServiceInfo
    public let fleet: FleetState

    var spec: ServiceSpecSummary { service.spec }
    /// The tasks Swarm wants running.
    var wanted: [TaskInfo] { (fleet.tasks[service.id] ?? []).filter { $0.desiredState == "running" } }
    /// The tasks whose containers run: those running, and those Swarm holds in `starting` until a HEALTHCHECK passes.
    var running: [TaskInfo] { (fleet.tasks[service.id] ?? []).filter { $0.isRunning || ($0.state == "starting" && $0.containerID != nil) } }

    /// What the running containers run as, or why that cannot be read (none runs; a node clawtop cannot reach).
    var containerConfigs: Result<[ContainerConfig], AuditUnknown> {
        let running = self.running
        guard !running.isEmpty else { return .failure(AuditUnknown(why: "no running task to read its container")) }
        var found: [ContainerConfig] = []
        for task in running {
            if let config = fleet.containerConfigs[task.id] {
                found.append(config)
                continue
            }
            let node = task.nodeID.flatMap { fleet.nodeNames[$0] } ?? task.nodeID ?? "?"
            if let id = task.nodeID, !fleet.reach.isEmpty, fleet.reach[id] == nil {
                return .failure(AuditUnknown(why: "its container on \(node): no endpoint, see --node"))
            }
            return .failure(AuditUnknown(why: "its container on \(node) not read yet"))
        }
        return .success(found)
    }
}

public struct AuditUnknown: Error, Sendable, Equatable {
    public let why: String
}

/// Every rule, the worst first. Only what the guide (or Warren's docs) states: its checklist ("Before deploying an
/// agent container") and its stack file. Left out: "auth profiles written at runtime from secrets" (nothing outside
/// the container shows it) and "logs go to stdout/stderr" (a silent agent is a hint, not proof).
public let auditRules: [AuditRule] = [
    AuditRule(id: "secret-in-env",
              source: "containerising-agents.md:463, checklist: \"Entrypoint reads secrets from /run/secrets/ — never bake keys into the image\"",
              fix: "a Swarm secret, read from /run/secrets (the guide: `secrets:` in the stack file)") { s in
        let names = s.spec.inlineSecrets
        guard !names.isEmpty else { return .passes }
        return .fails(names.map(sanitize).joined(separator: ", ") + (names.count == 1 ? " is" : " are") + " set in the environment, not a secret")
    },
    AuditRule(id: "secret-missing",
              source: "containerising-agents.md:470, checklist: \"Secrets created in Swarm before deploying\"",
              fix: "create it before deploying (`docker secret create`, the guide's \"Creating Secrets\")") { s in
        let missing = s.wanted.first { task in
            let error = (task.error ?? "").lowercased()
            return error.contains("secret") && (error.contains("not found") || error.contains("does not exist"))
        }
        guard let task = missing else { return .passes }
        return .fails("secret not found: task \(task.state)")
    },
    AuditRule(id: "root-user",
              source: "containerising-agents.md:466, checklist: \"Non-root user for all application processes\"",
              fix: "a user of its own (the guide: `USER agent`), or `--user` on the service") { s in
        if let user = s.spec.user {
            return ContainerConfig.isRoot(user) ? .fails("runs as root (--user \(sanitize(user)))") : .passes
        }
        switch s.containerConfigs {
        case .failure(let unknown): return .cannotJudge(unknown.why)
        case .success(let configs):
            guard let root = configs.first(where: \.runsAsRoot) else { return .passes }
            return .fails(root.user.isEmpty ? "runs as root (image user empty, no --user)" : "runs as root (image user \(sanitize(root.user)), no --user)")
        }
    },
    AuditRule(id: "memory-limit",
              source: "containerising-agents.md:469, checklist: \"Resource limits set in stack file\" (its stack file: memory: 4G)",
              fix: "the guide: `deploy.resources.limits.memory`") { s in
        (s.spec.memoryLimit ?? 0) > 0 ? .passes : .fails("no memory limit")
    },
    AuditRule(id: "health-ready",
              source: "containerising-agents.md:465, checklist: \"Health endpoint accessible and returns 2xx when ready\"",
              fix: "answer 2xx only when ready, and an error status otherwise (the guide's \"Health Checks\")") { s in
        guard s.row.agent.healthURL != nil else { return .cannotJudge("no health URL to probe") }
        if let unreachable = s.row.probe?.unreachable { return .cannotJudge("its health URL cannot be reached from here: \(sanitize(unreachable))") }
        guard let latest = s.row.history.latest else {
            return .cannotJudge(s.service.desired == 0 ? "asleep, and no probe of it in the history" : "not probed yet")
        }
        guard !latest.ok, let status = latest.status, (200..<300).contains(status) else { return .passes }
        return .fails("health URL answers \(status) while not ready" + (latest.reason.map { " (\(sanitize($0)))" } ?? ""))
    },
    AuditRule(id: "healthcheck",
              source: "containerising-agents.md:468, checklist: \"`HEALTHCHECK` in Dockerfile for Swarm's built-in monitoring\"",
              fix: "a `HEALTHCHECK` in the Dockerfile, or `healthcheck:` in the stack file") { s in
        if s.spec.healthcheckDisabled { return .fails("HEALTHCHECK turned off by the service") }
        if s.spec.healthcheck != nil { return .passes }
        switch s.containerConfigs {
        case .failure(let unknown): return .cannotJudge(unknown.why)
        case .success(let configs): return configs.allSatisfy(\.healthcheck) ? .passes : .fails("no HEALTHCHECK in the spec or the image")
        }
    },
    AuditRule(id: "restart-attempts",
              source: "containerising-agents.md:363, its stack file: `restart_policy` with `max_attempts: 10`, `window: 120s`",
              fix: "the guide: `deploy.restart_policy.max_attempts` (and `window`)") { s in
        if s.spec.restartCondition == "none" { return .passes }
        return (s.spec.restartMaxAttempts ?? 0) > 0 ? .passes : .fails("restart policy without max_attempts: a crash loop never stops")
    },
    AuditRule(id: "cpu-limit",
              source: "containerising-agents.md:469, checklist: \"Resource limits set in stack file\" (its stack file: cpus: \"2.0\")",
              fix: "the guide: `deploy.resources.limits.cpus`") { s in
        (s.spec.cpuLimit ?? 0) > 0 ? .passes : .fails("no CPU limit")
    },
    AuditRule(id: "reservations",
              source: "containerising-agents.md:369, its stack file: `reservations` (cpus: \"0.5\", memory: 1G)",
              fix: "the guide: `deploy.resources.reservations`") { s in
        (s.spec.memoryReservation ?? 0) > 0 || (s.spec.cpuReservation ?? 0) > 0 ? .passes : .fails("no reservations")
    },
    AuditRule(id: "encrypted-network",
              source: "containerising-agents.md:426, \"Swarm's encrypted overlay network\" (its stack file: an overlay, `encrypted`)",
              fix: "an overlay network with `driver_opts: {encrypted: \"\"}`") { s in
        guard !s.fleet.networks.isEmpty else { return .cannotJudge("the networks were not read") }
        let networks = s.spec.networks.compactMap { s.fleet.networks[$0] }
        if networks.contains(where: { $0.driver == "overlay" && $0.encrypted }) { return .passes }
        let names = networks.map { sanitize($0.name) }
        return .fails("not on an encrypted overlay network" + (names.isEmpty ? "" : " (" + names.joined(separator: ", ") + ")"))
    },
]
