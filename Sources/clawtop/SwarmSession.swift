import ClawtopCore
import Dashboard
import Foundation
import FleetSource
import Health
import HistoryStore
import Synchronization

/// One swarm's sources while the console shows it: the backend's watcher, the health scheduler, Warren (for the
/// swarm it was named for), the log follower, the action runner and the history on disk. Everything they post is
/// tagged with the swarm's name, so that what an old swarm's sources still say after a switch goes to that swarm's
/// parked state.
///
/// While a recorder writes the swarm's history, the console's own probes stop and the recorder's results are read
/// instead; the probe targets asked for meanwhile are kept for when it stops.
final class SwarmSession: @unchecked Sendable {
    let name: String
    let backend: any FleetBackend
    let warren: (any WarrenLink)?
    let scheduler: HealthScheduler
    let logs: LogFollower
    let actions: ActionRunner
    let history: HistoryStore?
    private let writer: HistoryWriter?
    private let probing = Mutex(Probing())
    private var tasks: [Task<Void, Never>] = []

    struct Probing {
        var targets: [ProbeTarget] = []
        var followingRecorder = false
    }

    init(name: String, backend: any FleetBackend, warren: (any WarrenLink)?, actionLog: ActionLog?, history: HistoryStore?,
         post: @escaping @Sendable (ConsoleEvent) -> Void) {
        self.name = name
        self.backend = backend
        self.warren = warren
        self.history = history
        let tagged: @Sendable (Message) -> Void = { post(.swarmMessage(name, $0)) }
        scheduler = HealthScheduler(prober: backend.prober)
        logs = LogFollower(backend: backend,
                           status: { service, problem in tagged(.logStatus(service: service, problem)) },
                           post: { service, entries in tagged(.logLines(service: service, entries)) })
        actions = ActionRunner(backend: backend, warren: warren, log: actionLog, post: tagged)
        // A write that fails (a full disk) says so in the status line until one works again.
        writer = history.map { HistoryWriter(store: $0, problem: { tagged(.historyProblem($0)) }) }
    }

    /// Starts watching the swarm, probing, hearing Warren, reading the history's past and writing (or following) it.
    func start() {
        let (backend, scheduler, warren, post, writer) = (backend, scheduler, warren, actions.post, writer)
        tasks.append(Task.detached { await backend.watch(post: post) })
        let probed = writer?.recording(post) ?? post
        tasks.append(Task.detached { await scheduler.run(post: probed) })
        tasks.append(Task.detached { await warren?.watch(post: post) })
        if let writer { tasks.append(Task.detached { await writer.run() }) }
        if let history {
            let follower = HistoryFollower(store: history)
            // Holds the session until `stop` cancels it.
            tasks.append(Task.detached { [self] in
                await follower.run(capacity: AgentSetup().historySize, post: post) { self.follow(recorder: $0) }
            })
        }
    }

    /// Probe these agents from now on (once no recorder does it).
    func setProbeTargets(_ targets: [ProbeTarget]) {
        let following = probing.withLock { p in
            p.targets = targets
            return p.followingRecorder
        }
        if !following { scheduler.setTargets(targets) }
    }

    /// A recorder has started (stop probing) or stopped (probe again).
    private func follow(recorder: Bool) {
        let targets = probing.withLock { p in
            p.followingRecorder = recorder
            return p.targets
        }
        scheduler.setTargets(recorder ? [] : targets)
    }

    /// Transitions the console saw: into the history, unless a recorder writes them.
    func record(_ transitions: [Transition]) {
        guard !probing.withLock({ $0.followingRecorder }) else { return }
        writer?.add(transitions)
    }

    /// Writes what waits for the history, now (the console is about to exit on a signal).
    func flushHistory() {
        writer?.flush()
    }

    /// Stops every source, writes what waits and closes the backend's connections. The watcher is not waited for:
    /// its streams end when the connections close.
    func stop() async {
        logs.stop()
        for task in tasks { task.cancel() }
        for task in tasks.dropFirst() { await task.value }
        await backend.shutdown()
        await warren?.shutdown()
    }
}
