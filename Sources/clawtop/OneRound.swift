import ClawtopCore
import Demo
import Foundation
import FleetSource
import Health

/// The fleet as the console would show it a moment after it starts: one read, Warren's view, one round of probes.
/// For `snapshot` and `status`. Returns the state and the time to draw it at (the demo's opening moment, so its
/// scene is the same every run).
func oneRound(setup: AgentSetup, backend: any FleetBackend, warren: (any WarrenLink)?) throws(Failure) -> (FleetState, Date) {
    var state = FleetState(endpoint: backend.displayName, setup: setup)
    for message in try firstRead(backend) { reduce(&state, message) }
    if let warren {
        // Warren first: the agents added through its API are probed too.
        state.warren = WarrenView(address: warren.address)
        let read = runBlocking { () async throws(SourceError) -> [Message] in await warren.readOnce() }
        for message in (try? read.get()) ?? [] { reduce(&state, message) }
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
