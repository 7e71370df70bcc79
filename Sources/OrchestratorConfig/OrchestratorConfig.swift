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
    /// clawtop's advice about a file Warren accepts (sorted by position); they do not make the file invalid.
    public var warnings: [ConfigProblem] = []
}

/// One thing wrong with a config file, where it is and which key.
public struct ConfigProblem: Sendable, Equatable, CustomStringConvertible {
    public enum Severity: String, Sendable, Equatable {
        /// Warren refuses the file (or crashes on it).
        case error
        /// Warren accepts the file; clawtop advises against it.
        case warning
    }

    public var file: String
    public var line: Int
    public var column: Int
    /// Dotted path of the key, e.g. `agents.alpha.health.check_interval`.
    public var key: String
    public var message: String
    public var severity: Severity

    public init(file: String, line: Int, column: Int, key: String, message: String, severity: Severity = .error) {
        self.file = file
        self.line = line
        self.column = column
        self.key = key
        self.message = message
        self.severity = severity
    }

    /// `file:line:column: key: message` (a warning says so after the position); a problem of the whole file has
    /// no position.
    public var description: String {
        let position = line > 0 ? "\(file):\(line):\(column)" : file
        let mark = severity == .warning ? "warning: " : ""
        return "\(position): \(mark)\(key.isEmpty ? "" : "\(key): ")\(message)"
    }

    /// The order problems are reported in: by position, then key and message, so it never changes between runs.
    static func ordered(_ a: ConfigProblem, _ b: ConfigProblem) -> Bool {
        (a.line, a.column, a.key, a.message) < (b.line, b.column, b.key, b.message)
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

    /// Reads and checks a file: the config (with any warnings), or every problem found.
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

    /// Parses and checks YAML text with Warren's rules; `file` names it in problems. Host names in webhook URLs are
    /// looked up with `resolve` (this machine's resolver unless a test gives another).
    public static func parse(_ text: String, file: String) -> Result<OrchestratorConfig, ConfigErrors> {
        parse(text, file: file, resolve: GoIP.resolve)
    }

    static func parse(_ text: String, file: String, resolve: (String) -> [GoIP]?) -> Result<OrchestratorConfig, ConfigErrors> {
        let root: Node?
        do {
            root = try GoYAML.firstDocument(text)
        } catch {
            return .failure(ConfigErrors(problems: [ConfigProblem(file: file, line: error.line, column: error.column, key: "",
                                                                  message: error.message)]))
        }
        var decoder = WarrenFileDecoder(file: file)
        let warren = decoder.decode(root)
        var validation = WarrenValidation(file: file)
        validation.check(warren, resolve: resolve)
        let problems = (decoder.problems + validation.problems).sorted(by: ConfigProblem.ordered)
        if problems.contains(where: { $0.severity == .error }) { return .failure(ConfigErrors(problems: problems)) }
        var config = model(warren, file: file)
        config.warnings = problems
        return .success(config)
    }

    /// clawtop's view of a file Warren accepts, with Warren's defaults applied.
    private static func model(_ f: WarrenFile, file: String) -> OrchestratorConfig {
        let second = Double(WarrenValidation.second)
        func seconds(_ ns: Int64, or fallback: Double) -> Double { ns == 0 ? fallback : Double(ns) / second }
        let defaultInterval = seconds(f.healthCheckInterval.value, or: 30)
        let agents: [AgentConfig] = (f.agents ?? []).compactMap { a in
            guard let policy = Policy(rawValue: a.policy.value) else { return nil }
            let onDemand = policy == .onDemand
            var interval = seconds(a.checkInterval.value, or: defaultInterval)
            if interval <= 0 { interval = 30 } // warned about: Warren's ticker cannot run with it; clawtop probes every 30s
            return AgentConfig(
                name: a.name, hostname: a.hostname.value, hostnames: a.hostnames.map(\.value).filter { !$0.isEmpty },
                backend: a.backend.value, policy: policy,
                serviceName: a.containerName.value.isEmpty ? nil : a.containerName.value,
                health: HealthSettings(url: a.healthURL.value.isEmpty ? nil : a.healthURL.value, checkInterval: interval,
                                       startupTimeout: seconds(a.startupTimeout.value, or: 60),
                                       maxFailures: Int(a.maxFailures.value == 0 ? 3 : a.maxFailures.value),
                                       maxRestartAttempts: Int(a.maxRestartAttempts.value == 0 ? 10 : a.maxRestartAttempts.value)),
                idle: IdleSettings(timeout: seconds(a.idleTimeout.value, or: onDemand ? 1800 : 0),
                                   drainTimeout: seconds(a.drainTimeout.value, or: 30),
                                   wakeCooldown: seconds(a.wakeCooldown.value, or: onDemand ? 30 : 0)),
                line: a.keyNode.mark?.line ?? 0)
        }
        return OrchestratorConfig(path: file, defaultCheckInterval: defaultInterval > 0 ? defaultInterval : 30,
                                  agents: agents.sorted { $0.name < $1.name })
    }
}

/// Every problem in a config file that Warren would not accept, with any warnings, in reporting order.
public struct ConfigErrors: Error, Sendable, Equatable, CustomStringConvertible {
    public var problems: [ConfigProblem]
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
