import ClawtopCore
import Dashboard
import Foundation
import FleetSource
import Health

/// One swarm's sources while the console shows it: the backend's watcher, the health scheduler, Warren (for the
/// swarm it was named for), the log follower and the action runner. Everything they post is tagged with the swarm's
/// name, so that what an old swarm's sources still say after a switch goes to that swarm's parked state.
final class SwarmSession: @unchecked Sendable {
    let name: String
    let backend: any FleetBackend
    let warren: (any WarrenLink)?
    let scheduler: HealthScheduler
    let logs: LogFollower
    let actions: ActionRunner
    private var watching: Task<Void, Never>?
    private var probing: Task<Void, Never>?
    private var hearing: Task<Void, Never>?

    init(name: String, backend: any FleetBackend, warren: (any WarrenLink)?, actionLog: ActionLog?,
         post: @escaping @Sendable (ConsoleEvent) -> Void) {
        self.name = name
        self.backend = backend
        self.warren = warren
        let tagged: @Sendable (Message) -> Void = { post(.swarmMessage(name, $0)) }
        scheduler = HealthScheduler(prober: backend.prober)
        logs = LogFollower(backend: backend,
                           status: { service, problem in tagged(.logStatus(service: service, problem)) },
                           post: { service, entries in tagged(.logLines(service: service, entries)) })
        actions = ActionRunner(backend: backend, warren: warren, log: actionLog, post: tagged)
    }

    /// Starts watching the swarm, probing and hearing Warren.
    func start() {
        let (backend, scheduler, warren, post) = (backend, scheduler, warren, actions.post)
        watching = Task.detached { await backend.watch(post: post) }
        probing = Task.detached { await scheduler.run(post: post) }
        hearing = Task.detached { await warren?.watch(post: post) }
    }

    /// Stops every source and closes the backend's connections. The watcher is not waited for: its streams end
    /// when the connections close.
    func stop() async {
        logs.stop()
        watching?.cancel()
        probing?.cancel()
        hearing?.cancel()
        await probing?.value
        await hearing?.value
        await backend.shutdown()
        await warren?.shutdown()
    }
}
