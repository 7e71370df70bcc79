import ClawtopCore
import Demo
import Foundation
import FleetSource
import Health
import TestSupport
import Testing

/// The demo behind the backend interface, in real time, in the runtime the console uses.
struct DemoBackendTests {
    @Test func theConsolesPartsRunOnTheDemo() async throws {
        let backend = DemoBackend(tick: 0.1)
        let store = try await FleetStore(backend: backend, setup: DemoBackend.setup(), logsOf: "data-pipeline")
        func health(_ agent: String) -> HealthState? { store.current.agentRows(now: Date()).first { $0.id == agent }?.health }
        #expect(health("calendar") == .asleep)

        let wake = ActionRequest(agent: "calendar", service: "openclaw_calendar", serviceID: "openclaw_calendar",
                                 kind: .scale(from: 0, to: 1), verb: .wake)
        #expect(try await backend.perform(wake) == ActionChange(before: "replicas 0", after: "replicas 1"))
        try await TestDocker.waitUntil("calendar awake and answering its probes", timeout: 60) {
            await Task.yield()
            return health("calendar") == .healthy
        }
        try await TestDocker.waitUntil("its log lines", timeout: 30) {
            await Task.yield()
            return store.current.logs.count >= 10
        }
        let sleep = ActionRequest(agent: "calendar", service: "openclaw_calendar", serviceID: "openclaw_calendar",
                                  kind: .scale(from: 1, to: 0), verb: .sleep)
        _ = try await backend.perform(sleep)
        try await TestDocker.waitUntil("calendar asleep", timeout: 30) {
            await Task.yield()
            return health("calendar") == .asleep
        }
        await store.stop()
        await #expect(throws: DemoWorld.notFound("openclaw_nosuch")) {
            _ = try await backend.logs(service: "openclaw_nosuch", request: LogRequest(follow: true))
        }
    }
}

/// The demo's Warren: its states follow the simulated world, it sees an agent clawtop cannot reach, and wake and
/// sleep through it scale the simulated service.
struct DemoWarrenTests {
    @Test func warrenSeesTheFleetAndWakesThroughIt() async throws {
        let backend = DemoBackend(tick: 0.1)
        var state = FleetState(endpoint: backend.displayName, setup: DemoBackend.setup())
        state.warren = WarrenView(address: backend.warren.address)
        for m in try await backend.load() { reduce(&state, m) }
        for m in await backend.warren.readOnce() { reduce(&state, m) }
        func row(_ agent: String) -> AgentRow? { state.agentRows(now: backend.start).first { $0.id == agent } }
        #expect(row("mail-sorter")?.health == .unhealthy && row("mail-sorter")?.source == .warren, "degraded, seen by Warren only")
        #expect(row("calendar")?.warren?.state == "sleeping" && (row("research")?.warren?.connections ?? 0) > 0)
        #expect(state.warren?.status?.sleeping == 2)

        try await backend.warren.wake("calendar")
        await #expect(throws: SourceError.self) { try await backend.warren.wake("research") }
        // The world moved: Warren's next read says calendar is starting or ready, no longer asleep.
        let messages = await backend.warren.readOnce()
        guard case .warren(.read(let agents, _, _))? = messages.first else { Issue.record("no read"); return }
        #expect(agents.first { $0.name == "calendar" }?.state != "sleeping")
    }
}
