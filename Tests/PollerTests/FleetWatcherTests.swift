import ClawtopCore
import DockerEngine
import Foundation
import Poller
import Synchronization
import Testing
import TestSupport

/// The watcher against the real swarm: what it posts is what the console shows.
@Suite(.enabled(if: TestDocker.shouldRun, "needs the private swarm from scripts/test"))
struct FleetWatcherTests {
    @Test func followsCreateScaleAndRemoveThroughEvents() async throws {
        try await TestDocker.withClient { client in
            let state = Mutex(FleetState(endpoint: "test"))
            let watcher = FleetWatcher(client: client, taskInterval: 3600) { message in state.withLock { reduce(&$0, message) } }
            let task = Task { await watcher.run() }
            defer { task.cancel() }
            // A liveness bound only: the first snapshot can wait a long while when the whole suite starts at once.
            try await TestDocker.waitUntil("the first snapshot", timeout: 60) { state.withLock { $0.connection == .live } }

            let name = TestDocker.uniqueName("watch")
            func row() -> ServiceSummary? { state.withLock { $0.summaries(now: Date()) }.first { $0.service.name == name } }
            try await TestDocker.docker(["service", "create", "-d", "--no-resolve-image", "--name", name, "--network", "host",
                                   TestDocker.image, "sh", "-c", "sleep 3600"])
            defer { _ = try? TestDocker.docker(["service", "rm", name]) }
            // The resync interval is an hour: only events can bring these changes.
            try await TestDocker.waitUntil("the new service running 1/1", timeout: 30) {
                row()?.service.running == 1 && row()?.condition == .running
            }
            try await TestDocker.docker(["service", "scale", "-d", "\(name)=2"])
            try await TestDocker.waitUntil("2/2 after the scale", timeout: 30) {
                row()?.service.desired == 2 && row()?.service.running == 2
            }
            try await TestDocker.docker(["service", "rm", name])
            try await TestDocker.waitUntil("the row gone after the remove", timeout: 30) { row() == nil }
        }
    }

    @Test func everyTaskIsReReadOnItsInterval() async throws {
        try await TestDocker.withService("taskpoll") { name in
            try await TestDocker.withClient { client in
                let reads = Mutex<[[TaskInfo]]>([])
                let watcher = FleetWatcher(client: client, taskInterval: 1) { message in
                    if case .tasks(let tasks, _) = message { reads.withLock { $0.append(tasks) } }
                }
                let task = Task { await watcher.run() }
                defer { task.cancel() }
                let id = try await TestDocker.docker(["service", "inspect", name, "--format", "{{.ID}}"])
                try await TestDocker.waitUntil("two re-reads with the service's running task", timeout: 30) {
                    reads.withLock { $0.filter { $0.contains { $0.serviceID == id && $0.state == "running" } }.count >= 2 }
                }
            }
        }
    }

    @Test func aCrashLoopShowsAsFailingWithItsError() async throws {
        try await TestDocker.withService("crash", command: "echo boom >&2; exit 3") { name in
            try await TestDocker.withClient { client in
                var summary: ServiceSummary?
                try await TestDocker.waitUntil("a failed task", timeout: 30) {
                    var state = FleetState(endpoint: "test")
                    reduce(&state, try await FleetWatcher.snapshot(client))
                    summary = state.summaries(now: Date()).first { $0.service.name == name }
                    return summary?.lastError != nil
                }
                #expect(summary?.condition == .failing)
                #expect(summary?.lastError == "task: non-zero exit (3)")
                #expect((summary?.restarts ?? 0) >= 1)
            }
        }
    }
}
