import ClawtopCore
import Demo
import Foundation
import FleetSource
import Health
import HistoryStore

/// The fleet as the console would show it a moment after it starts: one read, Warren's view, the past from the
/// history on disk (if any), and one round of probes, unless a recorder is writing that history: its results stand. For `snapshot`
/// and `status`. Returns the state and the time to draw it at (the demo's opening moment, so its scene is the same
/// every run).
func oneRound(setup: AgentSetup, backend: any FleetBackend, warren: (any WarrenLink)?,
              history: HistoryStore? = nil) throws(Failure) -> (FleetState, Date) {
    var state = FleetState(endpoint: backend.displayName, setup: setup)
    for message in try firstRead(backend) { reduce(&state, message) }
    if let warren {
        // Warren first: the agents added through its API are probed too.
        state.warren = WarrenView(address: warren.address)
        let read = runBlocking { () async throws(SourceError) -> [Message] in await warren.readOnce() }
        for message in (try? read.get()) ?? [] { reduce(&state, message) }
    }
    if let history {
        if let past = try? history.loadPast(capacity: setup.historySize) { reduce(&state, .past(past)) }
        if let recorder = try? history.liveRecorder(now: Date()) {
            reduce(&state, .healthFrom(.recorder(recorder.description)))
            return (state, Date())
        }
    }
    // The demo opens with its history probed already.
    if let demo = backend as? DemoBackend { return (state, demo.start) }
    let targets = state.probeTargets
    if !targets.isEmpty {
        let results = runBlocking { () async throws(SourceError) -> [Message] in
            await HealthScheduler(prober: backend.prober).probeOnce(targets)
        }
        for message in (try? results.get()) ?? [] { reduce(&state, message) }
    }
    return (state, Date())
}
