import ArgumentParser
import ClawtopCore
import CursesTerminal
import Dashboard
import Demo
import DockerEngine
import Foundation
import OrchestratorConfig
import Poller

@main
struct Clawtop: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clawtop",
        abstract: "A live console for OpenClaw agents running as Docker Swarm services.",
        discussion: """
            Connects to Docker through DOCKER_HOST (unix:// or tcp://, with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH), \
            DOCKER_CONTEXT or the docker config's current context, else /var/run/docker.sock. \
            With --demo it shows a simulated fleet instead, without Docker. \
            Exit status: 0 on quit, 2 when clawtop cannot do its job (no terminal, no daemon, bad DOCKER_HOST), \
            64 for a malformed option, 128+N when stopped by signal N.
            """,
        version: "0.1.0",
        subcommands: [Console.self, Snapshot.self, CheckConfig.self],
        defaultSubcommand: Console.self)
}

/// Options shared by the console and the snapshot.
struct DisplayOptions: ParsableArguments {
    @Flag(help: "Draw with ASCII characters only (the default when the locale is not UTF-8).")
    var ascii = false

    @Option(name: .long, help: "Warren's orchestrator.yaml (default: ./orchestrator.yaml, else /etc/warren/orchestrator.yaml, if present).")
    var config: String?

    @Flag(help: "Show every service as an agent, not only those in the config or labelled orchestrator.agent.")
    var all = false

    @Option(name: .customLong("health-url"), parsing: .singleValue,
            help: ArgumentHelp("Probe URL for an agent, when its own cannot be reached from here (repeatable).",
                               valueName: "AGENT=URL"))
    var healthURLs: [String] = []

    @Flag(help: "Show a simulated fleet that runs inside clawtop: no Docker needed, nothing leaves the process.")
    var demo = false

    @Option(help: "The table's order: urgency (failing first, the default), name (rows stay put: the fewest bytes over a slow link), restarts, availability. `o` changes it in the console; JSON keeps urgency.")
    var sort: Dashboard.SortOrder = .urgency

    func validate() throws {
        if demo && config != nil {
            throw ValidationError("--demo brings its own agents; leave out --config")
        }
        for entry in healthURLs {
            guard Self.splitHealthURL(entry) != nil else {
                throw ValidationError("--health-url takes AGENT=URL with an http:// or https:// URL, not '\(entry)'")
            }
        }
    }

    static func splitHealthURL(_ entry: String) -> (String, String)? {
        guard let eq = entry.firstIndex(of: "=") else { return nil }
        let agent = String(entry[..<eq]), url = String(entry[entry.index(after: eq)...])
        guard !agent.isEmpty, let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""),
              parsed.host?.isEmpty == false else { return nil }
        return (agent, url)
    }

    /// The orchestrator config, if there is one; a broken one ends the program with its problems and status 2.
    func loadConfig() -> OrchestratorConfig? {
        guard let path = OrchestratorConfig.locate(explicit: config) else { return nil }
        switch OrchestratorConfig.load(path: path) {
        case .success(let config): return config
        case .failure(let errors):
            FileHandle.standardError.write(Data("clawtop: \(path) has problems:\n\(errors.description)\n".utf8))
            Foundation.exit(2)
        }
    }

    /// Which services are agents and how to probe them: the config (if any) and the options.
    func agentSetup() -> AgentSetup {
        let urls = Dictionary(healthURLs.compactMap(Self.splitHealthURL), uniquingKeysWith: { $1 })
        if demo { return DemoBackend.setup(showAll: all, healthURLs: urls) }
        let config = loadConfig()
        let agents = (config?.agents ?? []).map { a in
            AgentDefinition(name: a.name, serviceName: a.serviceName, policy: a.policy.rawValue, healthURL: a.health.url,
                            checkInterval: a.health.checkInterval, startupTimeout: a.health.startupTimeout,
                            maxFailures: a.health.maxFailures, source: .config)
        }
        return AgentSetup(configured: agents, showAll: all, healthURLs: urls,
                          defaultCheckInterval: config?.defaultCheckInterval ?? 30)
    }

    /// The demo's simulated fleet, or the Docker daemon from the environment (exit 2 when its address is bad).
    func backend() -> any FleetBackend {
        if demo { return DemoBackend() }
        do { return DockerBackend(client: try DockerClient()) } catch { fail(error.description) }
    }
}

struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Check a Warren orchestrator.yaml with Warren's rules.",
        discussion: "Prints OK, or every problem with its file, line, column and key. Exit status: 0 when it is valid, 1 when it is not (or there is no file).")

    @Argument(help: "The file (default: ./orchestrator.yaml, else /etc/warren/orchestrator.yaml).")
    var file: String?

    func run() throws {
        guard let path = OrchestratorConfig.locate(explicit: file) else {
            print("no orchestrator.yaml found (looked for \(defaultConfigPaths.joined(separator: " and ")))")
            throw ExitCode(1)
        }
        switch OrchestratorConfig.load(path: path) {
        case .success(let config):
            print("OK: \(path): \(config.agents.count) agent\(config.agents.count == 1 ? "" : "s")")
        case .failure(let errors):
            print(errors.description)
            throw ExitCode(1)
        }
    }
}

/// Prints `clawtop: message` to stderr and exits with status 2: clawtop could not do its job.
func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("clawtop: \(message)\n".utf8))
    Foundation.exit(2)
}

/// Runs async work from synchronous code (the console owns the main thread; work runs on the pool).
func runBlocking<T: Sendable>(_ body: @escaping @Sendable () async throws(DockerError) -> T) -> Result<T, DockerError> {
    let semaphore = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var result: Result<T, DockerError>?
    Task.detached {
        do throws(DockerError) { result = .success(try await body()) } catch { result = .failure(error) }
        semaphore.signal()
    }
    semaphore.wait()
    return result!
}

/// Closes the backend's connections from synchronous code.
func shutdownBlocking(_ backend: any FleetBackend) {
    _ = runBlocking { () async throws(DockerError) -> Bool in await backend.shutdown(); return true }
}

/// Reads the first state, or exits 2 with the reason (and, when there is no daemon to read, how to see the demo).
func connect(_ backend: any FleetBackend, setup: AgentSetup) -> FleetState {
    let first = runBlocking { () async throws(DockerError) -> [Message] in try await backend.load() }
    switch first {
    case .failure(let error):
        shutdownBlocking(backend)
        fail(error.description + (suggestsDemo(error) ? "\nTo see clawtop without a swarm: clawtop --demo" : ""))
    case .success(let messages):
        var state = FleetState(endpoint: backend.displayName, setup: setup)
        for message in messages { reduce(&state, message) }
        return state
    }
}

/// Whether the error means there is no swarm here to show, rather than one clawtop may not use.
func suggestsDemo(_ error: DockerError) -> Bool {
    switch error {
    case .socketMissing, .connectionRefused, .notSwarmManager, .contextNotFound, .transport, .timeout: return true
    default: return false
    }
}

struct Console: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "console", abstract: "The live console (the default).")

    @OptionGroup var display: DisplayOptions

    @Flag(name: .customLong("read-only"), help: "Refuse every action (restart, scale, wake, sleep).")
    var readOnly = false

    func run() throws {
        let setup = display.agentSetup()
        let backend = display.backend() // a malformed DOCKER_HOST is reported before anything else
        if let problem = CursesTerminal.Console.check() { fail(problem.description) }
        let initial = connect(backend, setup: setup)
        let console: CursesTerminal.Console
        do {
            console = try CursesTerminal.Console(forceASCII: display.ascii,
                                                 noColor: !(ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty)
        } catch { fail(error.description) }
        var ui = UIState(glyphs: console.unicode ? .unicode : .ascii, readOnly: readOnly)
        ui.sort = display.sort
        let wake = console.makeInbox(of: Bool.self)
        let scheduler = HealthScheduler(prober: backend.prober)
        let store = FleetStore(initial, scheduler: scheduler) { wake.post(true) }
        let watching = Task.detached { await backend.watch(post: store.apply) }
        let probing = Task.detached { await scheduler.run(post: store.apply) }
        let actions = ActionRunner(backend: backend, store: store, log: display.demo ? nil : ActionLog(endpoint: backend.displayName))
        let logs = LogFollower(backend: backend, replica: { id in store.current.replicaLabel(ofTask: id) },
                               status: { service, problem in store.apply(.logStatus(service: service, problem)) },
                               post: { service, entries in store.apply(.logLines(service: service, entries)) })
        let reason = console.run(
            onWake: { _ = wake.drain() },
            onKey: { key in
                let now = Date()
                let state = store.current
                let rows = visibleRows(state, ui: ui, now: now)
                let result = handle(key, ui: &ui, rows: rows, pageSize: tablePageSize(height: console.size.height),
                                    logs: state.logs, now: now)
                if case .perform(let request) = result {
                    actions.perform(request)
                    return .redraw
                }
                return result
            },
            frame: { width, height in
                let now = Date()
                // The rows once a frame: log lines (the only change below) do not change them.
                let rows = store.current.agentRows(now: now)
                // Follow the logs the screen shows, and only those.
                let wanted = logsWanted(rows, ui: ui, width: width, height: height)
                if wanted != logs.service {
                    logs.follow(service: wanted)
                    ui.logView = LogViewState()
                    if let wanted { store.apply(.logLines(service: wanted, [])) }
                }
                return render(store.current, agentRows: rows, ui: ui, width: width, height: height, now: now)
            })
        console.close()
        logs.stop()
        watching.cancel()
        probing.cancel()
        if case .signal = reason {
            // Leave at once with the conventional status; the terminal is already restored.
            Foundation.exit(reason.status)
        }
        _ = runBlocking { () async throws(DockerError) -> Bool in
            await probing.value
            await backend.shutdown()
            return true
        }
        if reason.status != 0 { Foundation.exit(reason.status) }
    }
}

enum SnapshotView: String, ExpressibleByArgument, CaseIterable {
    case table, details, logs
}

enum SnapshotFormat: String, ExpressibleByArgument, CaseIterable {
    case text, ansi, json
}

struct Snapshot: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the console's frame (or the state as JSON), without a terminal.",
        discussion: """
            Draws exactly what the console would show for the same state and size, through the same renderer, after \
            one round of health probes. Exit status: 0 when no agent is failing, unhealthy or missing; 1 when one \
            is; 2 when clawtop could not do its job (no daemon, an unknown --select); 64 for a malformed option.
            """)

    @Option(help: "Columns of the frame (default: the terminal's, else 120).")
    var width: Int?
    @Option(help: "Rows of the frame (default: the terminal's, else 40).")
    var height: Int?
    @Option(help: "What to draw: \(SnapshotView.allCases.map(\.rawValue).joined(separator: ", ")).")
    var view: SnapshotView = .table
    @Option(help: "The agent to select (for details and logs; default: the first row).")
    var select: String?
    @Option(help: "text (the frame), ansi (the frame with colours) or json (the state).")
    var format: SnapshotFormat = .text
    @OptionGroup var display: DisplayOptions

    func validate() throws {
        for value in [width, height].compactMap({ $0 }) where !(1...1000).contains(value) {
            throw ValidationError("--width and --height must be between 1 and 1000")
        }
    }

    /// The terminal's size when standard output is one.
    static func terminalSize() -> (Int, Int)? {
        var size = winsize()
        guard isatty(1) != 0, ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0, size.ws_row > 0 else { return nil }
        return (Int(size.ws_col), Int(size.ws_row))
    }

    func run() throws {
        let setup = display.agentSetup()
        let backend = display.backend()
        var state = connect(backend, setup: setup)
        let now: Date
        if let demo = backend as? DemoBackend {
            // The demo opens with its history probed already; drawn at its first moment, its scene is the same every run.
            now = demo.start
        } else {
            // One probe round, so the frame shows health as the console would a moment after it starts.
            let targets = state.probeTargets
            if !targets.isEmpty {
                let results = runBlocking { () async throws(DockerError) -> [Message] in
                    await HealthScheduler(prober: backend.prober).probeOnce(targets)
                }
                for message in (try? results.get()) ?? [] { reduce(&state, message) }
            }
            now = Date()
        }
        var ui = UIState(glyphs: display.ascii ? .ascii : .unicode)
        ui.sort = display.sort
        if let select {
            guard state.agents.contains(where: { $0.name == select }) else {
                shutdownBlocking(backend)
                let names = state.agents.map(\.name)
                fail("no agent named '\(select)'" + (names.isEmpty ? "" : "; the agents are: " + names.joined(separator: ", ")))
            }
            ui.selectedID = select
        }
        if view != .table {
            ui.focus = .pane
            ui.pane = view == .logs ? .logs : .details
        }
        if view == .logs, let service = selectedRow(visibleRows(state, ui: ui, now: now), ui: ui)?.summary?.service.name {
            let snapshot = state
            let lines = runBlocking { () async throws(DockerError) -> [LogEntry] in
                (try? await LogFollower.recent(backend: backend, service: service,
                                               replica: { id in snapshot.replicaLabel(ofTask: id) })) ?? []
            }
            reduce(&state, .logLines(service: service, (try? lines.get()) ?? []))
        }
        shutdownBlocking(backend)
        let report = FleetReport(state, now: now)
        let (w, h) = Self.terminalSize() ?? (120, 40)
        let frame = render(state, ui: ui, width: width ?? w, height: height ?? h, now: now)
        switch format {
        case .text: FileHandle.standardOutput.write(Data(frame.text.utf8))
        case .ansi: FileHandle.standardOutput.write(Data(ansiText(frame).utf8))
        case .json: FileHandle.standardOutput.write(report.json() + Data("\n".utf8))
        }
        if report.exitStatus != 0 { throw ExitCode(report.exitStatus) }
    }
}

extension Dashboard.SortOrder: ExpressibleByArgument {}
