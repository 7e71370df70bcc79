import ArgumentParser
import ClawtopCore
import Dashboard
import Foundation
import Runtime

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

    @Option(name: .customLong("node"), parsing: .singleValue,
            help: ArgumentHelp("A node's own Docker daemon, where its containers' CPU, memory and out-of-memory kills are read (repeatable): an address as DOCKER_HOST takes it (unix://, tcp:// with the environment's TLS, ssh://) or a docker context. Docker contexts named after nodes are used without it; the daemon clawtop talks to reads its own node.",
                               valueName: "NODE=ENDPOINT"))
    var nodes: [String] = []

    @Flag(name: .customLong("ssh-nodes"),
          help: "Reach each node's own Docker daemon at the node's address over ssh, with the user, port and ssh configuration of the manager's ssh:// address (for the nodes no --node or docker context names).")
    var sshNodes = false

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

    @Option(help: "The table's order: urgency (failing first, the default), name (rows stay put: the fewest bytes over a slow link), restarts, availability, stack, cpu, mem (most first). `o` changes it in the console; JSON keeps urgency.")
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
            guard FleetConnection.splitHealthURL(entry) != nil else {
                throw ValidationError("--health-url takes AGENT=URL with an http:// or https:// URL, not '\(entry)'")
            }
        }
        if demo && (!nodes.isEmpty || sshNodes) {
            throw ValidationError("--demo brings its own nodes; leave out --node and --ssh-nodes")
        }
        for entry in nodes {
            if let problem = FleetConnection.nodeProblem(entry) { throw ValidationError(problem) }
        }
        if let warren, FleetConnection.warrenURL(warren) == nil {
            throw ValidationError("--warren takes Warren's admin address, http://HOST:PORT, not '\(warren)'")
        }
        if let file = warrenTokenFile, BearerToken(file: file) == nil {
            throw ValidationError("--warren-token-file \(file): cannot read a token from that file (it must exist, be readable, and hold the token on its first line)")
        }
        for entry in gatewayTokenFiles {
            guard let (agent, file) = FleetConnection.splitAgentValue(entry) else {
                throw ValidationError("--gateway-token-file takes AGENT=FILE, not '\(entry)'")
            }
            guard BearerToken(file: file) != nil else {
                throw ValidationError("--gateway-token-file \(agent)=\(file): cannot read a token from that file (it must exist, be readable, and hold the token on its first line)")
            }
        }
    }

    /// The fleet these options name, for the runtime to open.
    var connection: FleetConnection {
        var c = FleetConnection()
        c.demo = demo
        c.contexts = contexts
        c.probeFromSwarm = probeFrom == .swarm
        c.config = config
        c.all = all
        c.healthURLs = healthURLs
        c.gatewayTokenFiles = gatewayTokenFiles
        c.warren = warren
        c.warrenTokenFile = warrenTokenFile
        c.nodes = nodes
        c.sshNodes = sshNodes
        return c
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
