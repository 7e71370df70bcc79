import ClawtopCore
import FleetSource
import Foundation
import Health
import Dashboard
import HistoryStore

/// One swarm's sources while the runtime shows it, and what carries out the effects meant for it: the backend's
/// watcher, the health scheduler, Warren (for the swarm it was named for), the history (followed by a console,
/// written by whoever `update` says writes it), the log follower and the action runner. Everything they post is
/// tagged with the swarm's name, so that what an old swarm's sources still say after a switch goes to that swarm's
/// parked state.
public final class SwarmSources: Sendable {
    public let name: String
    public let backend: any FleetBackend
    public let warren: (any WarrenLink)?
    public let history: HistoryStore?
    let scheduler: HealthScheduler
    let logs: LogFollower
    let actions: ActionRunner
    let containers: ContainerCommands
    let writer: HistoryWriter?
    /// What runs until `stop`: the one place the sources of a swarm are listed.
    let sources: [any Source]
    let post: @Sendable (Message) -> Void
    private let running = TaskList()

    /// - Parameters:
    ///   - follow: read what a recorder writes to the history, and the history's past (a console); a recorder
    ///     writes it itself, and reads its past before it starts.
    public init(name: String, backend: any FleetBackend, warren: (any WarrenLink)?, actionLog: ActionLog?,
                history: HistoryStore?, follow: Bool, post: @escaping @Sendable (ConsoleEvent) -> Void) {
        self.name = name
        self.backend = backend
        self.warren = warren
        self.history = history
        let tagged: @Sendable (Message) -> Void = { post(.swarmMessage(name, $0)) }
        self.post = tagged
        scheduler = HealthScheduler(prober: backend.prober)
        logs = LogFollower(backend: backend,
                           status: { service, problem in tagged(.logs(.status(service: service, problem))) },
                           post: { service, entries in tagged(.logs(.lines(service: service, entries))) })
        actions = ActionRunner(backend: backend, warren: warren, log: actionLog, post: tagged)
        containers = ContainerCommands(backend: backend, log: actionLog)
        writer = history.map { HistoryWriter(store: $0) }
        var sources: [any Source] = [Watching(backend: backend), scheduler, ReadingUsage(backend: backend)]
        if let warren { sources.append(HearingWarren(warren: warren)) }
        if let writer { sources.append(writer) }
        if let history, follow { sources.append(HistoryFollower(store: history, capacity: AgentSetup().historySize)) }
        self.sources = sources
    }

    /// Starts every source.
    func start() {
        running.start(sources.map { source in { [post] in await source.run(post: post) } })
    }

    /// Writes what waits for the history, now (the process is about to exit on a signal).
    func flushHistory() {
        writer?.flush()
    }

    /// Stops every source, writes what waits and closes the backend's connections. The watcher is not waited for:
    /// its streams end when the connections close.
    func stop() async {
        logs.stop()
        await running.stop(waitingForFirst: false)
        writer?.flush()
        await backend.shutdown()
        await warren?.shutdown()
    }
}

/// The tasks a swarm's sources run in.
final class TaskList: @unchecked Sendable {
    private let lock = NSLock()
    private var tasks: [Task<Void, Never>] = []

    func start(_ bodies: [@Sendable () async -> Void]) {
        let started = bodies.map { body in Task.detached { await body() } }
        lock.withLock { tasks += started }
    }

    /// Cancels them all and waits for them (but the first, when it need not be waited for).
    func stop(waitingForFirst: Bool) async {
        let all = lock.withLock { defer { tasks = [] }; return tasks }
        for task in all { task.cancel() }
        for task in waitingForFirst ? all[...] : all.dropFirst() { await task.value }
    }
}
