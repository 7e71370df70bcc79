import DockerEngine
import Foundation
import Synchronization
import Testing
import TestSupport

/// Collects what a stream yields on a background task, so a test can wait for a condition on it.
final class Collected<T: Sendable>: Sendable {
    private let items = Mutex<[T]>([])
    func append(_ item: T) { items.withLock { $0.append(item) } }
    var all: [T] { items.withLock { $0 } }
}

@Suite(.enabled(if: TestDocker.shouldRun, "needs the private swarm from scripts/test"))
struct StreamTests {
    @Test func eventStreamReportsAScale() async throws {
        try await TestDocker.withService("events") { name in
            try await TestDocker.withClient { client in
                let seen = Collected<EventStreamItem>()
                let task = Task { for await item in client.events() { seen.append(item) } }
                defer { task.cancel() }
                // Liveness only, here and below: while the whole parallel suite starts on two cores, the first
                // connect took up to 7 s and the event after a scale up to 6 s. How soon the console shows a change
                // is the benchmarks' to time.
                try await TestDocker.waitUntil("the stream to connect", timeout: 30) {
                    seen.all.contains { if case .connected = $0 { true } else { false } }
                }
                _ = try await client.scale(name, to: 2)
                try await TestDocker.waitUntil("a service update event with replicas.new=2", timeout: 30) {
                    seen.all.contains {
                        guard case .event(let e) = $0 else { return false }
                        return e.kind == .service && e.serviceName == name && e.action == "update"
                            && e.attributes["replicas.new"] == "2" && e.attributes["replicas.old"] == "1"
                    }
                }
                // Task containers' events come through typed, tied to their service.
                try await TestDocker.waitUntil("a container start for the new replica", timeout: 30) {
                    seen.all.contains {
                        guard case .event(let e) = $0 else { return false }
                        return e.kind == .container && e.action == "start" && e.serviceName == name
                    }
                }
            }
        }
    }

    @Test func eventStreamReconnectsAndAsksForAResyncAfterADrop() async throws {
        let host = try TestDocker.requireHost()
        let socket = NSTemporaryDirectory() + "clawtop-proxy-\(UUID().uuidString.prefix(8)).sock"
        let proxy = try DockerProxy(targetHost: host, listen: "unix:\(socket)")
        defer { proxy.stop(); try? FileManager.default.removeItem(atPath: socket) }
        try await TestDocker.withService("resync") { name in
            try await TestDocker.withClient(host: proxy.address) { client in
                let seen = Collected<EventStreamItem>()
                let task = Task { for await item in client.events(backoff: Backoff(initial: 0.2, maximum: 1)) { seen.append(item) } }
                defer { task.cancel() }
                func connects() -> Int { seen.all.filter { if case .connected = $0 { true } else { false } }.count }
                try await TestDocker.waitUntil("the first connection", timeout: 30) { connects() == 1 } // liveness, as above

                // Cut the connection, change the service while it is down, and check the consumer is told to resync.
                proxy.cutConnections()
                try await TestDocker.docker(["service", "scale", "-d", "\(name)=2"])
                try await TestDocker.waitUntil("a disconnect and a reconnect", timeout: 15) {
                    // At least: a slow moment may cost another drop and another connect.
                    connects() >= 2 && seen.all.contains { if case .disconnected = $0 { true } else { false } }
                }
                // The resync (what a consumer does on .connected) sees the change made during the drop.
                #expect(try await client.service(name).replicas == 2)
                // And the stream still delivers new events after the reconnect.
                _ = try await client.scale(name, to: 1)
                try await TestDocker.waitUntil("an event after the reconnect", timeout: 10) {
                    seen.all.contains {
                        if case .event(let e) = $0 { return e.serviceName == name && e.attributes["replicas.new"] == "1" }
                        return false
                    }
                }
            }
        }
    }

    @Test func followedLogsReturnPrintedLinesWithStdoutAndStderrApart() async throws {
        let command = #"i=0; while true; do echo "out line $i"; echo "err line $i" >&2; i=$((i+1)); sleep 0.5; done"#
        try await TestDocker.withService("logs", command: command) { name in
            try await TestDocker.withClient { client in
                let lines = Collected<LogLine>()
                let task = Task {
                    for try await line in client.serviceLogs(name, options: LogOptions(follow: true, tail: 10)) { lines.append(line) }
                }
                defer { task.cancel() }
                try await TestDocker.waitUntil("followed lines from both streams", timeout: 30) {
                    let all = lines.all
                    return all.contains { $0.stream == .stdout && $0.text.hasPrefix("out line") }
                        && all.contains { $0.stream == .stderr && $0.text.hasPrefix("err line") }
                        && all.count >= 6
                }
                let all = lines.all
                #expect(all.filter { $0.stream == .stdout }.allSatisfy { $0.text.hasPrefix("out line") })
                #expect(all.filter { $0.stream == .stderr }.allSatisfy { $0.text.hasPrefix("err line") })
                #expect(all.allSatisfy { $0.timestamp != nil && $0.taskID != nil })
                // Following: lines keep coming after the first batch.
                let count = all.count
                try await TestDocker.waitUntil("more lines while following", timeout: 10) { lines.all.count > count + 2 }
            }
        }
    }

    @Test func logsOfATTYServiceComeAsARawStream() async throws {
        let command = #"i=0; while true; do echo "tty line $i"; i=$((i+1)); sleep 0.5; done"#
        try await TestDocker.withService("ttylogs", command: command, extraFlags: ["--tty"]) { name in
            try await TestDocker.withClient { client in
                let lines = Collected<LogLine>()
                let task = Task {
                    for try await line in client.serviceLogs(name, options: LogOptions(follow: true, tail: 5)) { lines.append(line) }
                }
                defer { task.cancel() }
                try await TestDocker.waitUntil("tty lines", timeout: 30) { lines.all.filter { $0.text.hasPrefix("tty line") }.count >= 3 }
                // No frame headers leaked into the text, and the \r of the TTY's \r\n is gone.
                #expect(lines.all.allSatisfy { !$0.text.contains("\r") && !$0.text.contains("\u{1}") })
            }
        }
    }

    @Test func logsWithTailAndSinceLimitWhatComesBack() async throws {
        let command = #"i=0; while [ $i -lt 20 ]; do echo "n $i"; i=$((i+1)); done; sleep 3600"#
        try await TestDocker.withService("tail", command: command) { name in
            try await TestDocker.withClient { client in
                var got: [LogLine] = []
                try await TestDocker.waitUntil("all 20 lines printed", timeout: 30) {
                    got = []
                    for try await line in client.serviceLogs(name, options: LogOptions(follow: false, tail: nil)) { got.append(line) }
                    return got.count == 20
                }
                var tail: [LogLine] = []
                for try await line in client.serviceLogs(name, options: LogOptions(follow: false, tail: 3)) { tail.append(line) }
                #expect(tail.map(\.text) == ["n 17", "n 18", "n 19"])
                var since: [LogLine] = []
                let future = Date().addingTimeInterval(3600)
                for try await line in client.serviceLogs(name, options: LogOptions(follow: false, tail: nil, since: future)) { since.append(line) }
                #expect(since.isEmpty)
            }
        }
    }
}
