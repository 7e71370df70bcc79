import ClawtopCore
import Dashboard
import Dispatch
import FleetSource
import Foundation
import Runtime

/// The runtime every command runs, without a terminal, for tests of the sources: the backend's watcher and the
/// health scheduler post to its inbox, `update` decides and the runtime carries out, as in the console. Its model is
/// read on the runtime's own queue.
public final class FleetStore: Sendable {
    private let queue = DispatchQueue(label: "clawtop.test.fleet-store")
    private let holder = Holder()

    private final class Holder: @unchecked Sendable {
        var runtime: Runtime?
    }

    /// Reads the fleet once and starts its sources. With `logsOf`, the logs pane shows that agent (the runtime
    /// follows its service's logs, as the console does).
    public init(backend: any FleetBackend, setup: AgentSetup, logsOf agent: String? = nil) async throws {
        let startup = try await backend.load()
        var ui = UIState()
        if let agent {
            ui.selectedID = agent
            ui.focus = .pane
            ui.pane = .logs
        }
        let model = ConsoleModel(fleet: FleetState(endpoint: backend.displayName, setup: setup), ui: ui,
                                 width: 120, height: 40, now: Date())
        let (queue, holder) = (queue, holder)
        let runtime = Runtime(model: model, frontend: nil, wake: { queue.async { _ = holder.runtime?.drain() } }) { post in
            SwarmSources(name: "default", backend: backend, warren: nil, actionLog: nil, history: nil, follow: false, post: post)
        }
        queue.sync {
            holder.runtime = runtime
            runtime.start(firstRead: startup)
            runtime.send(.tick)
        }
    }

    public var current: FleetState { queue.sync { holder.runtime!.model.fleet } }

    /// Stops the sources and closes the backend.
    public func stop() async {
        await holder.runtime?.stop()
    }
}
