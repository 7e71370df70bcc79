import ClawtopCore
import Synchronization

/// The live fleet state: every message from the Docker watcher and the health scheduler is reduced into it, and
/// whenever the agents may have changed, the scheduler gets the new list of probe targets.
public final class FleetStore: Sendable {
    private let state: Mutex<FleetState>
    private let scheduler: HealthScheduler?
    private let onChange: @Sendable () -> Void

    public init(_ initial: FleetState, scheduler: HealthScheduler?, onChange: @escaping @Sendable () -> Void = {}) {
        state = Mutex(initial)
        self.scheduler = scheduler
        self.onChange = onChange
        scheduler?.setTargets(initial.probeTargets)
    }

    public var current: FleetState { state.withLock { $0 } }

    public func apply(_ message: Message) {
        let targets = state.withLock { s -> [ProbeTarget]? in
            reduce(&s, message)
            return message.changesAgents ? s.probeTargets : nil
        }
        if let targets { scheduler?.setTargets(targets) }
        onChange()
    }
}
