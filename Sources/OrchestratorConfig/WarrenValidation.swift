import Yams

/// Warren's `applyDefaults` and `validate` (internal/config), run over the whole file: where Warren stops at the
/// first problem (in Go's random map order), this records every one. It also records what makes Warren crash
/// rather than refuse (a null agent, a negative check interval on an always-on agent, a listen address it cannot
/// use), and adds clawtop's own advice as warnings.
struct WarrenValidation {
    let file: String
    var problems: [ConfigProblem] = []
    /// Agent names by host name, in file order; every valid name claims, invalid ones do not.
    private var hostOwners: [String: String] = [:]

    init(file: String) { self.file = file }

    /// Seconds in a Go duration.
    static let second: Int64 = 1_000_000_000

    mutating func check(_ f: WarrenFile, resolve: (String) -> [GoIP]? = GoIP.resolve) {
        // applyDefaults
        let listen = f.listen.value.isEmpty ? ":8080" : f.listen.value
        let defaultInterval = f.healthCheckInterval.value == 0 ? 30 * Self.second : f.healthCheckInterval.value

        if let why = listenAddressProblem(listen) {
            error(f.listen.node ?? f.root, "listen", "Warren cannot listen on \(goQuote(listen)) and exits: \(why)")
        }
        if !f.adminListen.value.isEmpty, let why = listenAddressProblem(f.adminListen.value) {
            warning(f.adminListen.node, "admin_listen", "the admin API would not start on \(goQuote(f.adminListen.value)): \(why)")
        }
        if f.maxReadyAgents.value < 0 {
            warning(f.maxReadyAgents.node, "max_ready_agents", "a negative limit turns eviction off, as 0 does")
        }

        let agents = f.agents ?? []
        // (A file or an `agents` that is not a mapping has been reported already.)
        let wrongType = (f.root.map { $0.mapping == nil } ?? false) || (f.agentsNode.map { $0.mapping == nil && !GoYAML.isNull($0) } ?? false)
        if agents.isEmpty && !wrongType {
            error(f.agentsNode ?? f.root, "agents", "config: no agents defined")
        }
        for agent in agents { check(agent, defaultInterval: defaultInterval, defaults: f.healthCheckInterval) }
        for hook in f.webhooks {
            if let why = WarrenSecurityRules.webhookURLProblem(hook.url.value, resolve: resolve) {
                error(hook.url.node ?? hook.node, "webhooks[\(hook.index)].url",
                      "config: webhook[\(hook.index)] invalid URL \(goQuote(hook.url.value)): \(why)")
            }
        }
    }

    private mutating func check(_ a: WarrenFileAgent, defaultInterval: Int64, defaults: Located<Int64>) {
        let base = "agents.\(a.name)"
        let name = goQuote(a.name)
        if a.isNull {
            error(a.keyNode, base, "agent \(name) is empty (null): Warren crashes at start on it (nil pointer in applyDefaults)")
            return
        }
        if a.hostname.value.isEmpty {
            error(a.hostname.node ?? a.keyNode, "\(base).hostname", "config: agent \(name) missing hostname")
        }
        if a.backend.value.isEmpty {
            error(a.backend.node ?? a.keyNode, "\(base).backend", "config: agent \(name) missing backend")
        } else if case .failure(let e) = GoURL.parse(a.backend.value) {
            error(a.backend.node, "\(base).backend", "config: agent \(name) invalid backend URL: \(e)")
        }
        let policy = a.policy.value
        switch policy {
        case "always-on", "on-demand", "unmanaged": break
        case "": error(a.policy.node ?? a.keyNode, "\(base).policy", "config: agent \(name) missing policy")
        default:
            error(a.policy.node, "\(base).policy",
                  "config: agent \(name) unknown policy \(goQuote(policy)) (use always-on, on-demand or unmanaged)")
        }
        let managed = policy == "always-on" || policy == "on-demand"
        if managed && a.containerName.value.isEmpty {
            error(a.containerName.node ?? a.container ?? a.keyNode, "\(base).container.name",
                  "config: agent \(name) with \(policy) policy requires container.name")
        }
        if managed && a.healthURL.value.isEmpty {
            error(a.healthURL.node ?? a.health ?? a.keyNode, "\(base).health.url",
                  "config: agent \(name) with \(policy) policy requires health.url")
        }
        // applyDefaults gives an on-demand agent a 30m idle timeout when it has none (or 0s).
        if policy == "on-demand" && a.idleTimeout.value < 0 {
            error(a.idleTimeout.node, "\(base).idle.timeout", "config: agent \(name) with on-demand policy requires idle.timeout > 0")
        }
        // The primary name, then the others; empty entries in `hostnames` are skipped.
        for (i, h) in ([a.hostname] + a.hostnames).enumerated() where !h.value.isEmpty {
            let key = i == 0 ? "\(base).hostname" : "\(base).hostnames[\(i - 1)]"
            if let why = WarrenSecurityRules.hostnameProblem(h.value) {
                error(h.node, key, "config: agent \(name) hostname \(goQuote(h.value)): \(why)")
            } else if let first = hostOwners[h.value] {
                error(h.node, key, "config: duplicate hostname \(goQuote(h.value)) (agents \(goQuote(first)) and \(name))")
            } else {
                hostOwners[h.value] = a.name
            }
        }
        if !a.healthURL.value.isEmpty, let why = WarrenSecurityRules.healthURLProblem(a.healthURL.value) {
            error(a.healthURL.node, "\(base).health.url", "config: agent \(name) invalid health URL: \(why)")
        }

        // Accepted by Warren's validate, but not by the policies that run them.
        let interval = a.checkInterval.value == 0 ? defaultInterval : a.checkInterval.value
        let intervalNode = a.checkInterval.value == 0 ? defaults.node : a.checkInterval.node
        if interval < 0 && policy == "always-on" {
            error(intervalNode ?? a.keyNode, "\(base).health.check_interval",
                  "a negative check interval (\(GoDuration.format(nanoseconds: interval))) makes Warren crash at start (time.NewTicker panics)")
        } else if interval < 0 && policy == "on-demand" {
            warning(intervalNode ?? a.keyNode, "\(base).health.check_interval",
                    "a negative check interval (\(GoDuration.format(nanoseconds: interval))) makes Warren crash (time.NewTicker panics) when this agent becomes ready")
        }
        if policy == "on-demand" && a.startupTimeout.value < 0 {
            warning(a.startupTimeout.node, "\(base).health.startup_timeout",
                    "a negative startup timeout means Warren gives up on every wake at once; this agent never becomes ready")
        }
    }

    private mutating func error(_ node: Node?, _ key: String, _ message: String) { add(node, key, message, .error) }
    private mutating func warning(_ node: Node?, _ key: String, _ message: String) { add(node, key, message, .warning) }

    private mutating func add(_ node: Node?, _ key: String, _ message: String, _ severity: ConfigProblem.Severity) {
        problems.append(ConfigProblem(file: file, line: node?.mark?.line ?? 0, column: node?.mark?.column ?? 0,
                                      key: key, message: message, severity: severity))
    }
}
