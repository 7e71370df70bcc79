import Foundation
import Yams

/// How Warren manages an agent.
public enum Policy: String, Sendable, Equatable, CaseIterable {
    case alwaysOn = "always-on"
    case onDemand = "on-demand"
    case unmanaged
}

public struct HealthSettings: Sendable, Equatable {
    public var url: String?
    public var checkInterval: Double
    public var startupTimeout: Double
    public var maxFailures: Int
    public var maxRestartAttempts: Int
}

public struct IdleSettings: Sendable, Equatable {
    public var timeout: Double
    public var drainTimeout: Double
    public var wakeCooldown: Double

    public init(timeout: Double, drainTimeout: Double, wakeCooldown: Double) {
        self.timeout = timeout
        self.drainTimeout = drainTimeout
        self.wakeCooldown = wakeCooldown
    }
}

/// One `agents.<name>` entry, with Warren's defaults applied.
public struct AgentConfig: Sendable, Equatable {
    public var name: String
    public var hostname: String
    public var hostnames: [String]
    public var backend: String
    public var policy: Policy
    /// The Swarm service (`container.name`).
    public var serviceName: String?
    public var health: HealthSettings
    public var idle: IdleSettings
    /// Where the agent is defined in the file.
    public var line: Int
}

/// Warren's orchestrator.yaml, as far as clawtop needs it. Unknown keys are tolerated, as Warren does.
public struct OrchestratorConfig: Sendable, Equatable {
    public var path: String
    public var defaultCheckInterval: Double
    /// Sorted by name.
    public var agents: [AgentConfig]
}

/// One thing wrong with a config file, where it is and which key.
public struct ConfigProblem: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    /// Dotted path of the key, e.g. `agents.alpha.health.check_interval`.
    public var key: String
    public var message: String

    /// `file:line:column: key: message`; a problem of the whole file has no position.
    public var description: String {
        let position = line > 0 ? "\(file):\(line):\(column)" : file
        return "\(position): \(key.isEmpty ? "" : "\(key): ")\(message)"
    }
}

/// Where clawtop looks for orchestrator.yaml when `--config` is not given, in order.
public let defaultConfigPaths = ["./orchestrator.yaml", "/etc/warren/orchestrator.yaml"]

extension OrchestratorConfig {
    /// Finds the config: `explicit` if given (it must exist), else the first of `defaultConfigPaths` that exists,
    /// else nil (running without a config is fine).
    public static func locate(explicit: String?, fileExists: (String) -> Bool = FileManager.default.fileExists(atPath:)) -> String? {
        if let explicit { return explicit }
        return defaultConfigPaths.first(where: fileExists)
    }

    /// Reads and checks a file: the config, or every problem found.
    public static func load(path: String) -> Result<OrchestratorConfig, ConfigErrors> {
        guard let data = FileManager.default.contents(atPath: path) else {
            let why = FileManager.default.fileExists(atPath: path) ? "cannot be read" : "does not exist"
            return .failure(ConfigErrors(problems: [ConfigProblem(file: path, line: 0, column: 0, key: "", message: "the file \(why)")]))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            return .failure(ConfigErrors(problems: [ConfigProblem(file: path, line: 0, column: 0, key: "", message: "the file is not UTF-8 text")]))
        }
        return parse(text, file: path)
    }

    /// Parses and checks YAML text with Warren's rules; `file` names it in problems.
    public static func parse(_ text: String, file: String) -> Result<OrchestratorConfig, ConfigErrors> {
        var reader = Reader(file: file)
        let config = reader.read(text)
        if reader.problems.isEmpty, let config { return .success(config) }
        let sorted = reader.problems.sorted { ($0.line, $0.column, $0.key) < ($1.line, $1.column, $1.key) }
        return .failure(ConfigErrors(problems: sorted))
    }
}

/// Every problem in a config file.
public struct ConfigErrors: Error, Sendable, Equatable, CustomStringConvertible {
    public var problems: [ConfigProblem]
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}

// MARK: - Reading

private struct Reader {
    let file: String
    var problems: [ConfigProblem] = []
    /// Host name (lowercased) to the agent that claimed it first; valid or not, every agent claims its names.
    var hostOwners: [String: String] = [:]

    mutating func claim(_ host: String, agent: String, node: Node?, key: String) {
        let k = host.lowercased()
        if let first = hostOwners[k] {
            problem(node, key, "config: duplicate hostname \"\(host)\" (agents \"\(first)\" and \"\(agent)\")")
        } else {
            hostOwners[k] = agent
        }
    }

    mutating func problem(_ node: Node?, _ key: String, _ message: String, fallback: Node? = nil) {
        let mark = node?.mark ?? fallback?.mark
        problems.append(ConfigProblem(file: file, line: mark?.line ?? 0, column: mark?.column ?? 0, key: key, message: message))
    }

    mutating func read(_ text: String) -> OrchestratorConfig? {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            switch error {
            case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
                problems.append(ConfigProblem(file: file, line: mark.line, column: mark.column, key: "", message: "malformed YAML: \(problem)"))
            default:
                problems.append(ConfigProblem(file: file, line: 0, column: 0, key: "", message: "malformed YAML: \(error)"))
            }
            return nil
        } catch {
            problems.append(ConfigProblem(file: file, line: 0, column: 0, key: "", message: "malformed YAML: \(error)"))
            return nil
        }
        guard let root, let top = root.mapping else {
            problem(root, "", "the file must be a mapping with an `agents` key")
            return nil
        }
        var defaultInterval = 30.0
        if let defaults = value(top, "defaults"), let d = mapping(defaults, "defaults"),
           let interval = duration(value(d, "health_check_interval"), "defaults.health_check_interval") {
            defaultInterval = interval
        }
        guard let agentsNode = value(top, "agents") else {
            problem(root, "agents", "config: no agents defined")
            return nil
        }
        guard let agentsMap = mapping(agentsNode, "agents") else { return nil }
        if agentsMap.count == 0 { problem(agentsNode, "agents", "config: no agents defined") }
        var agents: [AgentConfig] = []
        for (keyNode, body) in agentsMap {
            let name = keyNode.string ?? ""
            if let agent = readAgent(name, keyNode: keyNode, body, defaultInterval: defaultInterval) { agents.append(agent) }
        }
        return OrchestratorConfig(path: file, defaultCheckInterval: defaultInterval, agents: agents.sorted { $0.name < $1.name })
    }

    mutating func readAgent(_ name: String, keyNode: Node, _ node: Node, defaultInterval: Double) -> AgentConfig? {
        let base = "agents.\(name)"
        guard let m = mapping(node, base) else { return nil }
        var ok = true
        let hostname = string(value(m, "hostname"), "\(base).hostname")
        if hostname == nil || hostname!.isEmpty {
            problem(value(m, "hostname"), "\(base).hostname", "config: agent \"\(name)\" missing hostname", fallback: keyNode)
            ok = false
        } else if let reason = hostnameProblem(hostname!) {
            problem(value(m, "hostname"), "\(base).hostname", "config: agent \"\(name)\" hostname \"\(hostname!)\": \(reason)")
            ok = false
        } else {
            claim(hostname!, agent: name, node: value(m, "hostname"), key: "\(base).hostname")
        }
        var hostnames: [String] = []
        if let list = value(m, "hostnames") {
            if let seq = list.sequence {
                for (i, item) in seq.enumerated() {
                    guard let h = string(item, "\(base).hostnames[\(i)]") else { continue }
                    if let reason = hostnameProblem(h) {
                        problem(item, "\(base).hostnames[\(i)]", "config: agent \"\(name)\" hostname \"\(h)\": \(reason)")
                    } else {
                        hostnames.append(h)
                        claim(h, agent: name, node: item, key: "\(base).hostnames[\(i)]")
                    }
                }
            } else {
                problem(list, "\(base).hostnames", "expected a list of host names")
            }
        }
        let backend = string(value(m, "backend"), "\(base).backend")
        if backend == nil || backend!.isEmpty {
            problem(value(m, "backend"), "\(base).backend", "config: agent \"\(name)\" missing backend", fallback: keyNode)
            ok = false
        } else if URLComponents(string: backend!) == nil {
            problem(value(m, "backend"), "\(base).backend", "config: agent \"\(name)\" invalid backend URL: \(backend!)")
            ok = false
        }
        var policy: Policy?
        let policyNode = value(m, "policy")
        if let text = string(policyNode, "\(base).policy"), !text.isEmpty {
            policy = Policy(rawValue: text)
            if policy == nil {
                problem(policyNode, "\(base).policy", "config: agent \"\(name)\" unknown policy \"\(text)\" (use always-on, on-demand or unmanaged)")
            }
        } else {
            problem(policyNode, "\(base).policy", "config: agent \"\(name)\" missing policy", fallback: keyNode)
        }
        var serviceName: String?
        if let container = value(m, "container"), let c = mapping(container, "\(base).container") {
            serviceName = string(value(c, "name"), "\(base).container.name")
        }
        let healthNode = value(m, "health")
        let h = healthNode.flatMap { mapping($0, "\(base).health") }
        let url = h.flatMap { string(value($0, "url"), "\(base).health.url") }
        let managed = policy == .alwaysOn || policy == .onDemand
        if managed {
            if serviceName?.isEmpty ?? true {
                problem(value(m, "container"), "\(base).container.name",
                        "config: agent \"\(name)\" with \(policy!.rawValue) policy requires container.name", fallback: keyNode)
            }
            if url?.isEmpty ?? true {
                problem(healthNode, "\(base).health.url",
                        "config: agent \"\(name)\" with \(policy!.rawValue) policy requires health.url", fallback: keyNode)
            }
        }
        if let url, !url.isEmpty {
            let c = URLComponents(string: url)
            if c == nil || !["http", "https"].contains(c?.scheme?.lowercased() ?? "") || (c?.host ?? "").isEmpty {
                problem(h.flatMap { value($0, "url") }, "\(base).health.url",
                        "config: agent \"\(name)\" invalid health URL: \(url) (http or https with a host)")
            }
        }
        func dur(_ parent: Node.Mapping?, _ key: String, _ path: String, _ fallback: Double) -> Double {
            guard let parent, let v = value(parent, key) else { return fallback }
            return duration(v, path) ?? fallback
        }
        let onDemand = policy == .onDemand
        let health = HealthSettings(
            url: url,
            checkInterval: positive(dur(h, "check_interval", "\(base).health.check_interval", defaultInterval),
                                    h.flatMap { value($0, "check_interval") }, "\(base).health.check_interval"),
            startupTimeout: dur(h, "startup_timeout", "\(base).health.startup_timeout", 60),
            maxFailures: integer(h.flatMap { value($0, "max_failures") }, "\(base).health.max_failures", default: 3),
            maxRestartAttempts: integer(h.flatMap { value($0, "max_restart_attempts") }, "\(base).health.max_restart_attempts", default: 10))
        let idleNode = value(m, "idle")
        let i = idleNode.flatMap { mapping($0, "\(base).idle") }
        var idle = IdleSettings(timeout: dur(i, "timeout", "\(base).idle.timeout", onDemand ? 1800 : 0),
                                drainTimeout: dur(i, "drain_timeout", "\(base).idle.drain_timeout", 30),
                                wakeCooldown: dur(i, "wake_cooldown", "\(base).idle.wake_cooldown", onDemand ? 30 : 0))
        if onDemand && idle.timeout == 0 { idle.timeout = 1800 } // Warren's applyDefaults
        if onDemand && idle.timeout < 0 {
            problem(i.flatMap { value($0, "timeout") }, "\(base).idle.timeout", "config: agent \"\(name)\" with on-demand policy requires idle.timeout > 0")
        }
        guard ok, let hostname, let backend, let policy else { return nil }
        return AgentConfig(name: name, hostname: hostname, hostnames: hostnames, backend: backend, policy: policy,
                           serviceName: serviceName, health: health, idle: idle, line: keyNode.mark?.line ?? 0)
    }

    // MARK: - Typed values with their positions

    func value(_ m: Node.Mapping, _ key: String) -> Node? { m[key] }

    mutating func mapping(_ node: Node, _ key: String) -> Node.Mapping? {
        if let m = node.mapping { return m }
        if case .scalar(let s) = node, s.string.isEmpty || s.string == "~" || s.string == "null" { return Node.Mapping([]) }
        problem(node, key, "expected a mapping, found \(kind(node))")
        return nil
    }

    mutating func string(_ node: Node?, _ key: String) -> String? {
        guard let node else { return nil }
        guard case .scalar(let s) = node else {
            problem(node, key, "expected a string, found \(kind(node))")
            return nil
        }
        return s.string
    }

    mutating func integer(_ node: Node?, _ key: String, default d: Int) -> Int {
        guard let node else { return d }
        guard case .scalar(let s) = node, let v = Int(s.string) else {
            problem(node, key, "expected a whole number, found \(describe(node))")
            return d
        }
        if v < 0 { problem(node, key, "must not be negative (found \(v))") }
        return v
    }

    /// A Go duration string. Like Warren (yaml.v3 into time.Duration), a bare number other than 0 is an error.
    mutating func duration(_ node: Node?, _ key: String) -> Double? {
        guard let node else { return nil }
        guard case .scalar(let s) = node else {
            problem(node, key, "expected a duration such as 30s, found \(kind(node))")
            return nil
        }
        if s.style == .plain, s.string != "0", Double(s.string) != nil {
            problem(node, key, "\(s.string) has no unit: write a duration such as \(s.string)s or \(s.string)ms")
            return nil
        }
        guard let seconds = GoDuration.parse(s.string) else {
            problem(node, key, "\"\(s.string)\" is not a duration (use Go's form: 300ms, 30s, 5m, 1h30m)")
            return nil
        }
        return seconds
    }

    /// An interval must be above zero (a zero or negative ticker makes Warren panic).
    mutating func positive(_ seconds: Double, _ node: Node?, _ key: String) -> Double {
        if seconds <= 0 {
            problem(node, key, "must be above zero (found \(GoDuration.format(seconds)))")
            return 30
        }
        return seconds
    }

    func kind(_ node: Node) -> String {
        switch node {
        case .scalar: return "a value"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    func describe(_ node: Node) -> String {
        if case .scalar(let s) = node { return "\"\(s.string)\"" }
        return kind(node)
    }
}

/// RFC 1123 host name, as Warren checks it: no wildcards, no underscores, labels of 1–63 characters.
func hostnameProblem(_ h: String) -> String? {
    if h.isEmpty { return "hostname is empty" }
    if h.count > 253 { return "hostname is longer than 253 characters" }
    for label in h.split(separator: ".", omittingEmptySubsequences: false) {
        if label.isEmpty { return "hostname has an empty label" }
        if label.count > 63 { return "label \"\(label)\" is longer than 63 characters" }
        let chars = Array(label)
        let valid = chars.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
            && chars.first != "-" && chars.last != "-"
        if !valid { return "label \"\(label)\" is not a valid host name label (letters, digits and inner hyphens only)" }
    }
    return nil
}
