import ClawtopCore
import Demo
import Dashboard
import DockerSource
import FleetSource
import Foundation
import HistoryStore
import OrchestratorConfig
import SSHTunnel
import WarrenSource

/// Where the fleet is and how to reach it, as the command line says: the demo's simulated fleet, or a Docker daemon
/// (a docker context, else the one the environment names) with Warren's admin API beside it, and which services are
/// agents. The runtime builds the sources from it: no command names a source.
public struct FleetConnection: Sendable {
    /// The demo's fleet instead of Docker.
    public var demo = false
    /// The docker contexts named (`--context`): the first is shown.
    public var contexts: [String] = []
    /// Health URLs and Warren are reached through the SSH host of an ssh:// daemon (else from here).
    public var probeFromSwarm = true
    /// Warren's orchestrator.yaml, when named (else the usual places).
    public var config: String?
    /// Every service is an agent, not only those in the config or labelled.
    public var all = false
    /// `AGENT=URL` and `AGENT=FILE` entries, checked by the command line.
    public var healthURLs: [String] = []
    public var gatewayTokenFiles: [String] = []
    /// Warren's admin address and the file of its token, when named.
    public var warren: String?
    public var warrenTokenFile: String?
    /// `NODE=ENDPOINT` entries: the nodes' own daemons, for the first swarm.
    public var nodes: [String] = []
    /// Each other node of the first swarm at its address, over ssh as its manager is reached.
    public var sshNodes = false

    public init() {}

    /// What is wrong with a `--node` entry, if anything.
    public static func nodeProblem(_ entry: String) -> String? {
        do throws(SourceError) {
            _ = try NodeEndpoint.parse(entry)
            return nil
        } catch {
            return error.description
        }
    }

    /// An http(s) address with a host and nothing after the port but an optional slash.
    public static func warrenURL(_ text: String) -> String? {
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
    public static func splitAgentValue(_ entry: String) -> (String, String)? {
        guard let eq = entry.firstIndex(of: "=") else { return nil }
        let agent = String(entry[..<eq]), value = String(entry[entry.index(after: eq)...])
        return agent.isEmpty || value.isEmpty ? nil : (agent, value)
    }

    public static func splitHealthURL(_ entry: String) -> (String, String)? {
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
    public func agentSetup() throws(Failure) -> AgentSetup {
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

    /// The Docker daemon of the docker context `context`, or (nil) the one the environment names; `nodes`, with the
    /// nodes' own daemons named by `--node` (and reached by `--ssh-nodes`).
    func dockerBackend(context: String?, nodes: Bool) throws(Failure) -> DockerBackend {
        do throws(SourceError) {
            let endpoints = nodes ? try self.nodes.map { entry throws(SourceError) in try NodeEndpoint.parse(entry) } : []
            return try DockerBackend.fromEnvironment(context: context, probeFromSwarm: probeFromSwarm, nodeEndpoints: endpoints,
                                                     sshNodes: nodes && sshNodes)
        } catch {
            throw Failure(error.description)
        }
    }

    /// The daemon of `context` and, `withWarren`, Warren's admin API reached the same way (nil when nothing names
    /// it) and the nodes' daemons named; the daemon's client is shut down when Warren's address is wrong.
    func docker(context: String?, withWarren: Bool) throws(Failure) -> (DockerBackend, WarrenAdmin?) {
        let docker = try dockerBackend(context: context, nodes: withWarren)
        do throws(Failure) {
            return (docker, withWarren ? try warrenLink(forwards: docker.forwards) : nil)
        } catch {
            shutdownBlocking(docker)
            throw error
        }
    }

    /// The name of the swarm shown first: the first `--context`, else the context the environment names ("demo").
    public var initialSwarm: String {
        if demo { return "demo" }
        return contexts.first ?? DockerContexts.current()
    }

    /// The docker contexts to switch between: those named when there are several, else every one (none for the demo).
    public func swarms() -> [SwarmContext] {
        demo ? [] : DockerContexts.list(only: contexts.count > 1 ? contexts : [])
    }

    /// The sources of the swarm of the docker context `name`, posting through `post`: Warren goes with `first`, the
    /// swarm named first; its history is opened in `history`, and what is wrong with it posted.
    public func openSwarm(_ name: String, first: String, history: HistoryPlace,
                          post: @escaping @Sendable (ConsoleEvent) -> Void) throws(Failure) -> SwarmSources {
        let (docker, link) = try docker(context: name, withWarren: name == first)
        let (store, notice) = history.openForConsole(swarm: docker.displayName)
        if let notice { post(.swarmMessage(name, .history(.problem(notice)))) }
        return SwarmSources(name: name, backend: docker, warren: link, actionLog: actionLog(docker), history: store,
                            follow: true, post: post)
    }

    /// Where the console's actions on this backend are written (none for the demo).
    func actionLog(_ backend: any FleetBackend) -> ActionLog? {
        demo ? nil : ActionLog(endpoint: backend.displayName)
    }

    /// The name a console shows for the daemon of `context` (nil: the environment's), when it can be told without
    /// connecting.
    public func displayName(context: String?) -> String? {
        demo ? nil : try? DockerBackend.displayName(context: context)
    }

    /// Runs `body` with the fleet opened: the demo's simulated fleet, or the Docker daemon from the environment (a
    /// `Failure` when its address is bad, before anything else is tried) with Warren (if any). The backend is shut
    /// down when `body` throws; on return, `body` has done so.
    /// `context`: the docker context to read (default: the first `--context`, else the environment's); Warren goes with
    /// the first.
    public func withFleet(context: String? = nil, _ body: (OpenFleet) throws -> Void) throws {
        let setup = try agentSetup()
        let backend: any FleetBackend
        let warren: (any WarrenLink)?
        if demo {
            let world = DemoBackend()
            backend = world
            warren = world.warren
        } else {
            (backend, warren) = try docker(context: context ?? contexts.first,
                                           withWarren: context == nil || context == contexts.first)
        }
        do {
            try body(OpenFleet(setup: setup, backend: backend, warren: warren, actionLog: actionLog(backend)))
        } catch {
            shutdownBlocking(backend, warren)
            throw error
        }
    }
}

/// A fleet opened: which services are agents, the swarm's backend, Warren beside it (if any), and where actions on
/// it are logged.
public struct OpenFleet: Sendable {
    public let setup: AgentSetup
    let backend: any FleetBackend
    let warren: (any WarrenLink)?
    let actionLog: ActionLog?

    /// The swarm's name as the console shows it: the daemon's address or context, or "demo".
    public var name: String { backend.displayName }

    /// The first state of the model for this fleet: its agents and Warren's address, nothing read yet.
    public func model(ui: UIState, width: Int, height: Int, swarm: String? = nil) -> ConsoleModel {
        var model = ConsoleModel(fleet: FleetState(endpoint: name, setup: setup), ui: ui, width: width, height: height,
                                 now: Date(), swarm: swarm ?? name)
        model.fleet.warren = warren.map { WarrenView(address: $0.address) }
        return model
    }

    /// Its first read, for the first frame: a `Failure` saying why when the swarm cannot be read.
    public func firstMessages() throws(Failure) -> [Message] {
        try firstRead(backend)
    }

    /// Its sources, posting through `post` tagged with `swarm` (the model's name for it; by default its own), with
    /// `history` (if any) as the history's store.
    public func sources(swarm: String? = nil, history: HistoryStore?, follow: Bool,
                        post: @escaping @Sendable (ConsoleEvent) -> Void) -> SwarmSources {
        SwarmSources(name: swarm ?? name, backend: backend, warren: warren, actionLog: actionLog, history: history, follow: follow,
                     post: post)
    }
}
