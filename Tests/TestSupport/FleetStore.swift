import ClawtopCore
import Health
import Synchronization

/// The fleet state for tests of the sources without the console: every message from the Docker watcher and the
/// health scheduler is reduced into it, and whenever the agents may have changed, the scheduler gets the new list
/// of probe targets (as the console's update asks it to).
public final class FleetStore: Sendable {
    private let state: Mutex<FleetState>
    private let scheduler: HealthScheduler?

    public init(_ initial: FleetState, scheduler: HealthScheduler?) {
        state = Mutex(initial)
        self.scheduler = scheduler
        scheduler?.setTargets(initial.probeTargets)
    }

    public var current: FleetState { state.withLock { $0 } }

    public func apply(_ message: Message) {
        let targets = state.withLock { s -> [ProbeTarget]? in
            reduce(&s, message)
            return message.changesAgents ? s.probeTargets : nil
        }
        if let targets { scheduler?.setTargets(targets) }
    }
}
