import ClawtopCore
import Dashboard
import FleetSource
import Foundation
import Health
import HistoryStore

extension Runtime {
    /// The model as the console would show it a moment after it starts, for `snapshot` and `status`: one read,
    /// Warren's view, the past from the history on disk (if any) and one round of probes, unless a recorder is
    /// writing that history: its results stand. Then the tick before a frame, with the logs it shows read once.
    /// The demo's fleet is shown at its opening moment, so its scene is the same every run.
    /// `model` is the fleet's first (`OpenFleet.model`).
    /// `cpu`: read the containers twice, a second apart, for the CPU in use (else once, for memory and the
    /// out-of-memory kills).
    /// `execStatus`: then run this agent's status command in its first running replica (`fleet.execOutput`).
    public static func oneRound(_ model: ConsoleModel, fleet: OpenFleet, history: HistoryStore?,
                                windows: Bool = false, cpu: Bool = true, execStatus: String? = nil) throws(Failure) -> ConsoleModel {
        let (backend, warren) = (fleet.backend, fleet.warren)
        // The containers are read beside the rest: their second reading, a second on, waits while the fleet, Warren,
        // the history and the probes are read.
        let usage = Task { await backend.usageOnce(cpu: cpu) }
        let startup: [Message]
        do { startup = try fleet.firstMessages() } catch {
            usage.cancel()
            throw error
        }
        let opening = backend.openingMoment
        let runtime = Runtime(model: model, once: true, frontend: nil, clock: { opening ?? Date() }, wake: {}) { post in
            SwarmSources(name: model.swarm, backend: backend, warren: warren, actionLog: nil, history: history, follow: false,
                         post: post)
        }
        defer { shutdownBlocking(backend, warren) }
        var messages = startup
        // Warren before the probes: the agents added through its API are probed too.
        if let warren { messages += blocking { await warren.readOnce() } }
        if let history {
            if let past = try? history.loadPast(capacity: model.fleet.setup.historySize) { messages.append(.history(.past(past))) }
            if let recorder = try? history.liveRecorder(now: Date()) { messages.append(.history(.healthFrom(.recorder(recorder.description)))) }
            if windows, let figures = try? history.windows(now: opening ?? Date()) { messages.append(.history(.windows(figures))) }
        }
        for message in messages { runtime.send(.fleet(message)) }
        // The demo opens with its history probed already; a recorder's results stand.
        if opening == nil, runtime.model.fleet.healthFrom == .probes, !runtime.model.probeTargets.isEmpty {
            let scheduler = runtime.swarm.scheduler, targets = runtime.model.probeTargets
            for message in blocking({ await scheduler.probeOnce(targets) }) { runtime.send(.fleet(message)) }
        }
        for message in blocking({ await usage.value }) { runtime.send(.fleet(message)) }
        runtime.send(.tick)
        if let agent = execStatus {
            let fleet = runtime.model.fleet
            guard let row = runtime.model.rows.first(where: { $0.agent.name == agent }) else {
                throw Failure("no agent named '\(agent)'" + (fleet.agents.isEmpty ? "" : "; the agents are: " + fleet.agents.map(\.name).joined(separator: ", ")))
            }
            guard let target = execTargets(row, fleet: fleet).first else {
                throw Failure("\(agent) has no running replica: no container to run its status in")
            }
            if !fleet.reach.isEmpty, fleet.reach[target.nodeID] == nil {
                throw Failure("\(target.replica.split(separator: "@").last ?? ""): no endpoint, see --node (\(target.name) runs there)")
            }
            _ = runtime.run([.runStatus(target)])
        }
        return runtime.model
    }

    /// The logs of the frame, once, as the console would follow them.
    func readLogsOnce(_ service: String?) {
        guard let service else { return }
        let backend = swarm.backend
        let lines = blocking { (try? await LogFollower.recent(backend: backend, service: service)) ?? [] }
        send(.fleet(.logs(.lines(service: service, lines))))
    }
}

/// Runs async work that cannot fail from synchronous code.
func blocking<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
    try! runBlocking { () async throws(SourceError) -> T in await body() }.get()
}
