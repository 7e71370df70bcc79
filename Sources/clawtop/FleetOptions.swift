import ArgumentParser
import ClawtopCore
import Dashboard
import Demo
import Foundation
import OrchestratorConfig
import SSHTunnel
import DockerSource
import FleetSource
import Health
import Runtime
import WarrenSource

/// Which fleet to show and how to reach it (the daemon, the config, Warren, the demo), and how to draw it: shared by
/// every command, which turn them into the sources and the first model.
struct FleetOptions: ParsableArguments {
    @Flag(help: "Draw with ASCII characters only (the default when the locale is not UTF-8).")
    var ascii = false

    @Option(name: .long, help: "Warren's orchestrator.yaml (default: ./orchestrator.yaml, else /etc/warren/orchestrator.yaml, if present).")
    var config: String?

    @Flag(help: "Show every service as an agent, not only those in the config or labelled orchestrator.agent.")
    var all = false

    @Option(name: .customLong("health-url"), parsing: .singleValue,
            help: ArgumentHelp("Probe URL for an agent, when its own cannot be reached from here (repeatable). {node} in it stands for the address of the node each replica runs on: every replica is probed there.",
                               valueName: "AGENT=URL"))
    var healthURLs: [String] = []

    @Option(name: .customLong("gateway-token-file"), parsing: .singleValue,
            help: ArgumentHelp("A file holding an agent's OpenClaw gateway token, sent with that agent's probes only, so its gateway says why it is not ready (repeatable). The service label clawtop.gateway.token-file does the same.",
                               valueName: "AGENT=FILE"))
    var gatewayTokenFiles: [String] = []

    @Option(name: .customLong("warren"),
            help: ArgumentHelp("Warren's admin API (default: WARREN_ADMIN, then admin: in ~/.warren/config.yaml, then the config file's admin_listen; none is fine).",
                               valueName: "URL"))
    var warren: String?

    @Option(name: .customLong("warren-token-file"),
            help: ArgumentHelp("A file holding Warren's admin token (default: WARREN_ADMIN_TOKEN, then the config file's admin_token).",
                               valueName: "FILE"))
    var warrenTokenFile: String?

    @Flag(help: "Show a simulated fleet that runs inside clawtop: no Docker needed, nothing leaves the process.")
    var demo = false

    @Option(name: .customLong("context"), parsing: .singleValue,
            help: ArgumentHelp("A docker context to show (repeatable: the first is shown, `c` lists them to switch; snapshot shows each in turn). Default: DOCKER_HOST, DOCKER_CONTEXT, then the docker CLI's current context.",
                               valueName: "NAME"))
    var contexts: [String] = []

    @Option(name: .customLong("probe-from"),
            help: ArgumentHelp("Where health URLs and Warren are reached from: swarm (through the SSH host, when the daemon is an ssh:// address) or here.",
                               valueName: "swarm|here"))
    var probeFrom: ProbeOrigin = .swarm

    @Option(help: "The table's order: urgency (failing first, the default), name (rows stay put: the fewest bytes over a slow link), restarts, availability, stack. `o` changes it in the console; JSON keeps urgency.")
    var sort: Dashboard.SortOrder = .urgency

    func validate() throws {
        if demo && config != nil {
            throw ValidationError("--demo brings its own agents; leave out --config")
        }
        if demo && !contexts.isEmpty {
            throw ValidationError("--demo brings its own fleet; leave out --context")
        }
        if let empty = contexts.first(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            throw ValidationError("--context takes a docker context's name, not '\(empty)'")
        }
        for entry in healthURLs {
            guard Self.splitHealthURL(entry) != nil else {
                throw ValidationError("--health-url takes AGENT=URL with an http:// or https:// URL, not '\(entry)'")
            }
        }
        if let warren, Self.warrenURL(warren) == nil {
            throw ValidationError("--warren takes Warren's admin address, http://HOST:PORT, not '\(warren)'")
        }
        if let file = warrenTokenFile, BearerToken(file: file) == nil {
            throw ValidationError("--warren-token-file \(file): cannot read a token from that file (it must exist, be readable, and hold the token on its first line)")
        }
        for entry in gatewayTokenFiles {
            guard let (agent, file) = Self.splitAgentValue(entry) else {
                throw ValidationError("--gateway-token-file takes AGENT=FILE, not '\(entry)'")
            }
            guard BearerToken(file: file) != nil else {
                throw ValidationError("--gateway-token-file \(agent)=\(file): cannot read a token from that file (it must exist, be readable, and hold the token on its first line)")
            }
        }
    }

    /// An http(s) address with a host and nothing after the port but an optional slash.
    static func warrenURL(_ text: String) -> String? {
        guard let url = URL(string: text), ["http", "https"].contains(url.scheme?.lowercased() ?? ""),
              url.host?.isEmpty == false, url.path.isEmpty || url.path == "/", url.query == nil else { return nil }
        return text.hasSuffix("/") ? String(text.dropLast()) : text
    }

    /// Warren's admin API, found as the warren CLI finds it (`--warren`, `WARREN_ADMIN`, `~/.warren/config.yaml`),
    /// then from the config file's `admin_listen`; its token from `--warren-token-file`, `WARREN_ADMIN_TOKEN`, then the
    /// config file's `admin_token`. Nil when nothing names Warren.
    func warrenLink(environment: [String: String] = ProcessInfo.processInfo.environment,
                    forwards: SSHForwards? = nil) throws(Failure) -> WarrenAdmin? {
        let configPath = OrchestratorConfig.locate(explicit: config)
        let settings = configPath.map { WarrenAdminSettings.read(orchestratorConfig: $0) } ?? WarrenAdminSettings()
        let home = environment["HOME"] ?? NSHomeDirectory()
        let named = warren ?? environment["WARREN_ADMIN"].flatMap { $0.isEmpty ? nil : $0 }
            ?? WarrenAdminSettings.cliAdmin(home: home) ?? settings.address
        guard let named else {
            if warrenTokenFile != nil {
                throw Failure("--warren-token-file names Warren's token, but nothing names Warren's address: add --warren URL")
            }
            return nil
        }
        guard let address = Self.warrenURL(named) else {
            throw Failure("Warren's admin address '\(named)' is not an http://HOST:PORT address")
        }
        let token: BearerToken?
        if let file = warrenTokenFile {
            token = BearerToken(file: file)
        } else if let text = environment["WARREN_ADMIN_TOKEN"], !text.isEmpty {
            guard let t = BearerToken(text: text) else { throw Failure("WARREN_ADMIN_TOKEN does not hold a token a header can carry") }
            token = t
        } else {
            token = settings.token.flatMap(BearerToken.init(text:))
        }
        return WarrenAdmin(address: address, token: token, forwards: forwards)
    }

    /// `AGENT=VALUE`, both parts non-empty (the value may hold `=`).
    static func splitAgentValue(_ entry: String) -> (String, String)? {
        guard let eq = entry.firstIndex(of: "=") else { return nil }
        let agent = String(entry[..<eq]), value = String(entry[entry.index(after: eq)...])
        return agent.isEmpty || value.isEmpty ? nil : (agent, value)
    }

    static func splitHealthURL(_ entry: String) -> (String, String)? {
        guard let (agent, url) = splitAgentValue(entry),
              let parsed = URL(string: url.replacingOccurrences(of: AgentDefinition.nodePlaceholder, with: "node")),
              ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""), parsed.host?.isEmpty == false else { return nil }
        return (agent, url)
    }

    /// The orchestrator config, if there is one; a broken one is a `Failure` with its problems.
    func loadConfig() throws(Failure) -> OrchestratorConfig? {
        guard let path = OrchestratorConfig.locate(explicit: config) else { return nil }
        switch OrchestratorConfig.load(path: path) {
        case .success(let config): return config
        case .failure(let errors): throw Failure("\(path) has problems:\n\(errors.description)")
        }
    }

    /// Which services are agents and how to probe them: the config (if any) and the options.
    func agentSetup() throws(Failure) -> AgentSetup {
        let urls = Dictionary(healthURLs.compactMap(Self.splitHealthURL), uniquingKeysWith: { $1 })
        let tokenFiles = Dictionary(gatewayTokenFiles.compactMap(Self.splitAgentValue), uniquingKeysWith: { $1 })
        if demo { return DemoBackend.setup(showAll: all, healthURLs: urls) }
        let config = try loadConfig()
        let agents = (config?.agents ?? []).map { a in
            AgentDefinition(name: a.name, serviceName: a.serviceName, policy: a.policy.rawValue, healthURL: a.health.url,
                            checkInterval: a.health.checkInterval, startupTimeout: a.health.startupTimeout,
                            maxFailures: a.health.maxFailures, source: .config)
        }
        return AgentSetup(configured: agents, showAll: all, healthURLs: urls, gatewayTokenFiles: tokenFiles,
                          defaultCheckInterval: config?.defaultCheckInterval ?? 30)
    }

    /// The Docker daemon of the docker context `context`, or (nil) the one the environment names.
    func dockerBackend(context: String?) throws(Failure) -> DockerBackend {
        do { return try DockerBackend.fromEnvironment(context: context, probeFromSwarm: probeFrom == .swarm) } catch {
            throw Failure(error.description)
        }
    }

    /// The name of the swarm shown first: the first `--context`, else the context the environment names ("demo").
    var initialSwarm: String {
        if demo { return "demo" }
        return contexts.first ?? DockerContexts.current()
    }

    /// Runs `body` with the agent setup, the backend and Warren (if any): the demo's simulated fleet, or the Docker
    /// daemon from the environment (a `Failure` when its address is bad, before anything else is tried). The backend
    /// is shut down when `body` throws; on return, `body` has done so.
    /// `context`: the docker context to read (default: the first `--context`, else the environment's); Warren goes with
    /// the first.
    func withBackend(context: String? = nil,
                     _ body: (_ setup: AgentSetup, _ backend: any FleetBackend, _ warren: (any WarrenLink)?) throws -> Void) throws {
        let setup = try agentSetup()
        let backend: any FleetBackend
        let warren: (any WarrenLink)?
        if demo {
            let world = DemoBackend()
            backend = world
            warren = world.warren
        } else {
            let docker = try dockerBackend(context: context ?? contexts.first)
            backend = docker
            do { warren = context == nil || context == contexts.first ? try warrenLink(forwards: docker.forwards) : nil } catch {
                shutdownBlocking(backend, nil)
                throw error
            }
        }
        do {
            try body(setup, backend, warren)
        } catch {
            shutdownBlocking(backend, warren)
            throw error
        }
    }
}

extension Dashboard.SortOrder: ExpressibleByArgument {}

/// Where health URLs and Warren's admin API are reached from.
enum ProbeOrigin: String, ExpressibleByArgument {
    /// From where the swarm is: through the SSH host for an ssh:// daemon, else from here.
    case swarm
    /// From this machine, whatever the daemon's address.
    case here
}
