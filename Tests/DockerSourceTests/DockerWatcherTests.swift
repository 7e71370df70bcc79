import ClawtopCore
import DockerEngine
import Foundation
import DockerSource
import Synchronization
import Testing
import TestSupport

/// The watcher against the real swarm: what it posts is what the console shows.
@Suite(.enabled(if: TestDocker.shouldRun, "needs the private swarm from scripts/test"))
struct DockerWatcherTests {
    @Test func followsCreateScaleAndRemoveThroughEvents() async throws {
        try await TestDocker.withClient { client in
            let state = Mutex(FleetState(endpoint: "test"))
            let watcher = DockerWatcher(client: client, taskInterval: 3600) { message in state.withLock { reduce(&$0, message) } }
            let task = Task { await watcher.run() }
            defer { task.cancel() }
            // A liveness bound only: the first snapshot can wait a long while when the whole suite starts at once.
            try await TestDocker.waitUntil("the first snapshot", timeout: 60) { state.withLock { $0.connection == .live } }

            let name = TestDocker.uniqueName("watch")
            func row() -> ServiceSummary? { state.withLock { $0.summaries(now: Date()) }.first { $0.service.name == name } }
            try await TestDocker.docker(["service", "create", "-d", "--no-resolve-image", "--name", name, "--network", "host",
                                   TestDocker.image, "sh", "-c", "sleep 3600"])
            defer { _ = try? TestDocker.docker(["service", "rm", name]) }
            // The resync interval is an hour: only events can bring these changes. Liveness bounds: a CI machine
            // running every suite at once took over 30 s to run a new task.
            try await TestDocker.waitUntil("the new service running 1/1", timeout: 60) {
                row()?.service.running == 1 && row()?.condition == .running
            }
            try await TestDocker.docker(["service", "scale", "-d", "\(name)=2"])
            try await TestDocker.waitUntil("2/2 after the scale", timeout: 60) {
                row()?.service.desired == 2 && row()?.service.running == 2
            }
            try await TestDocker.docker(["service", "rm", name])
            try await TestDocker.waitUntil("the row gone after the remove", timeout: 60) { row() == nil }
        }
    }

    /// A rolling restart brings several events per replica (create, kill, die, stop, start); reading the service
    /// for each of them, and again a moment later, cost some 17 requests a replica (135 for these 8). Reads of one
    /// service are merged. Under load the events of one replica spread over more than one merge window, so the bound
    /// is three a replica (seen: 17 for 8 replicas on a busy CI machine), still a sixth of the unmerged cost.
    @Test func aForcedUpdateCostsAtMostThreeRequestsPerReplica() async throws {
        let replicas = 8
        // Stops at SIGTERM, as an agent does, so the update replaces a task every few seconds rather than waiting out
        // the stop grace period (10 s) for each.
        try await TestDocker.withService("roll", replicas: replicas, command: "trap 'exit 0' TERM; sleep 3600 & wait") { name in
            try await TestDocker.waitUntil("\(replicas) tasks running", timeout: 60) {
                try await TestDocker.runningTasks(name) == replicas
            }
            let host = try TestDocker.requireHost()
            let dir = NSTemporaryDirectory() + "clawtop-roll-\(UUID().uuidString.prefix(8))"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let proxy = try await offPool { try DockerProxy(targetHost: host, listen: "unix:\(dir)/proxy.sock", log: "\(dir)/requests.log") }
            defer { proxy.stop() }
            try await TestDocker.withClient(host: proxy.address) { client in
                let state = Mutex(FleetState(endpoint: "test"))
                let watcher = DockerWatcher(client: client, taskInterval: 3600) { message in state.withLock { reduce(&$0, message) } }
                let task = Task { await watcher.run() }
                defer { task.cancel() }
                /// The IDs of the tasks running (and meant to) that the watcher shows.
                func shown() -> Set<String> {
                    state.withLock { s in
                        guard let id = s.services.values.first(where: { $0.name == name })?.id else { return [] }
                        return Set((s.tasks[id] ?? []).filter { $0.state == "running" && $0.desiredState == "running" }.map(\.id))
                    }
                }
                try await TestDocker.waitUntil("the first snapshot with \(replicas) running", timeout: 60) { shown().count == replicas }
                let old = shown()
                let id = try await TestDocker.docker(["service", "inspect", name, "--format", "{{.ID}}"])
                // The reads of this service (other tests' services change meanwhile), and any full re-read.
                func requests() -> [String] {
                    proxy.requests().filter { !$0.contains("/events") && ($0.contains(id) || $0.contains("/nodes")) }
                }
                let before = requests().count

                // Straight to the daemon: only the watcher goes through the proxy.
                try await TestDocker.docker(["service", "update", "--force", "--detach=false", name])
                let running = try await TestDocker.docker(["service", "ps", name, "--no-trunc", "--filter", "desired-state=running",
                                                           "--format", "{{.ID}} {{.CurrentState}}"])
                let new = Set(running.split(separator: "\n").filter { $0.contains(" Running") }.map { String($0.prefix { $0 != " " }) })
                #expect(new.count == replicas && new.isDisjoint(with: old), "docker service ps: \(running)")
                try await TestDocker.waitUntil("the watcher showing the new tasks, and no old one", timeout: 30) { shown() == new }
                // What the watcher still reads after the update: the settle reads of its last events.
                try await Task.sleep(for: .seconds(5))
                #expect(shown() == new)
                let used = requests().dropFirst(before).map { $0.split(separator: "?")[0] }
                let kinds = Dictionary(grouping: used, by: { $0 }).mapValues(\.count)
                #expect(used.count <= 3 * replicas, "\(used.count) requests for \(replicas) replicas: \(kinds)")
            }
        }
    }

    @Test func everyTaskIsReReadOnItsInterval() async throws {
        try await TestDocker.withService("taskpoll") { name in
            try await TestDocker.withClient { client in
                let reads = Mutex<[[TaskInfo]]>([])
                let watcher = DockerWatcher(client: client, taskInterval: 1) { message in
                    if case .docker(.tasks(let tasks, _)) = message { reads.withLock { $0.append(tasks) } }
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
                    reduce(&state, try await DockerWatcher.snapshot(client))
                    summary = state.summaries(now: Date()).first { $0.service.name == name }
                    return summary?.lastError != nil
                }
                #expect(summary?.condition == .failing)
                #expect(summary?.lastError == "task: non-zero exit (3)")
            }
        }
    }
}
