import ClawtopCore
import DockerEngine
import Foundation
import DockerSource
import FleetSource
import Synchronization
import Testing
import TestSupport

/// What a follower delivered: every batch with its service, and every status.
private final class Delivered: Sendable {
    private let batches = Mutex<[(service: String, entries: [LogEntry])]>([])
    private let statuses = Mutex<[String?]>([])

    func post(_ service: String, _ entries: [LogEntry]) { batches.withLock { $0.append((service, entries)) } }
    func status(_ service: String, _ problem: String?) { statuses.withLock { $0.append(problem) } }

    var entries: [LogEntry] { batches.withLock { $0.flatMap(\.entries) } }
    func entries(of service: String) -> [LogEntry] { batches.withLock { $0.filter { $0.service == service }.flatMap(\.entries) } }
    var batchCount: Int { batches.withLock { $0.count } }
    var problems: [String?] { statuses.withLock { $0 } }
}

/// The counter at the end of a test line ("out 12" is 12).
private func number(_ entry: LogEntry) -> Int? { entry.text.split(separator: " ").last.flatMap { Int($0) } }

/// Each replica's stdout and its stderr count up by one from their first delivered line: nothing twice, nothing lost.
private func expectContiguous(_ entries: [LogEntry], sourceLocation: SourceLocation = #_sourceLocation) {
    for (key, run) in Dictionary(grouping: entries, by: { "\($0.taskID ?? "-") \($0.stream)" }) {
        let numbers = run.compactMap(number)
        guard let first = numbers.first else { continue }
        #expect(numbers == Array(first..<(first + numbers.count)), "\(key): \(numbers)", sourceLocation: sourceLocation)
    }
}

/// The follower against the real swarm.
@Suite(.enabled(if: TestDocker.shouldRun, "needs the private swarm from scripts/test"))
struct LogFollowerTests {
    /// Counts on stdout and stderr, five lines a second each.
    static let chatty = #"i=0; while true; do echo "out $i"; echo "err $i" >&2; i=$((i+1)); sleep 0.2; done"#

    @Test func linesArriveWithStdoutAndStderrApart() async throws {
        try await TestDocker.withService("logs", command: Self.chatty) { name in
            try await TestDocker.withBackend { backend in
                let got = Delivered()
                let follower = LogFollower(backend: backend, status: got.status, post: got.post)
                follower.follow(service: name)
                defer { follower.stop() }
                #expect(follower.service == name)
                try await TestDocker.waitUntil("ten lines of each stream", timeout: 30) {
                    got.entries.filter { $0.stream == .stdout }.count >= 10 && got.entries.filter { $0.stream == .stderr }.count >= 10
                }
                let entries = got.entries(of: name)
                #expect(entries.filter { $0.stream == .stdout }.allSatisfy { $0.text.hasPrefix("out ") })
                #expect(entries.filter { $0.stream == .stderr }.allSatisfy { $0.text.hasPrefix("err ") })
                #expect(entries.allSatisfy { $0.time != nil && $0.taskID?.count == 25 })
                expectContiguous(entries)
                #expect(got.problems.last == .some(nil))
            }
        }
    }

    @Test func linesThatArriveTogetherComeInOneBatch() async throws {
        let burst = #"i=0; while [ $i -lt 500 ]; do echo "burst $i"; i=$((i+1)); done; sleep 3600"#
        try await TestDocker.withService("logburst", command: burst) { name in
            try await TestDocker.withBackend { backend in
                let got = Delivered()
                let follower = LogFollower(backend: backend, tail: 1000, batchInterval: 0.5, post: got.post)
                follower.follow(service: name)
                defer { follower.stop() }
                try await TestDocker.waitUntil("all 500 lines", timeout: 30) { got.entries.count >= 500 }
                #expect(got.entries.map(\.text) == (0..<500).map { "burst \($0)" })
                #expect(got.batchCount < 50, "\(got.batchCount) batches for 500 lines")
            }
        }
    }

    @Test func aForcedUpdateBringsTheNewTasksLinesWithoutRepeats() async throws {
        try await TestDocker.withService("logupdate", command: Self.chatty) { name in
            try await TestDocker.withBackend { backend in
                let got = Delivered()
                let follower = LogFollower(backend: backend, status: got.status, post: got.post)
                follower.follow(service: name)
                defer { follower.stop() }
                try await TestDocker.waitUntil("lines from the first task", timeout: 30) { got.entries.count >= 10 }
                let first = try #require(got.entries.first?.taskID)

                try await TestDocker.docker(["service", "update", "--force", "-d", name])
                try await TestDocker.waitUntil("ten lines from the new task", timeout: 60) {
                    got.entries.filter { $0.taskID != first && $0.stream == .stdout }.count >= 10
                }
                let entries = got.entries
                #expect(Set(entries.compactMap(\.taskID)).count == 2)
                // The new task counts from 0 again: each task's lines are whole and none is repeated.
                #expect(entries.filter { $0.taskID != first && $0.stream == .stdout }.compactMap(number).first == 0)
                expectContiguous(entries)
            }
        }
    }

    @Test func aDroppedStreamResumesSinceTheLastLine() async throws {
        let host = try TestDocker.requireHost()
        let socket = NSTemporaryDirectory() + "clawtop-logproxy-\(UUID().uuidString.prefix(8)).sock"
        let proxy = try await offPool { try DockerProxy(targetHost: host, listen: "unix:\(socket)") }
        defer {
            proxy.stop()
            try? FileManager.default.removeItem(atPath: socket)
        }
        try await TestDocker.withService("logdrop", command: Self.chatty) { name in
            try await TestDocker.withBackend(host: proxy.address) { backend in
                let got = Delivered()
                let follower = LogFollower(backend: backend, status: got.status, post: got.post)
                follower.follow(service: name)
                defer { follower.stop() }
                try await TestDocker.waitUntil("the first lines", timeout: 30) { got.entries.count >= 10 }

                proxy.cutConnections()
                try await TestDocker.waitUntil("the drop reported", timeout: 30) { got.problems.contains { $0 != nil } }
                let before = got.entries.count
                try await TestDocker.waitUntil("lines again, and the problem cleared", timeout: 30) {
                    got.entries.count >= before + 10 && got.problems.last == .some(nil)
                }
                // Resumed from the newest line: the lines printed while it was down came, none of the old came again.
                let entries = got.entries
                #expect(Set(entries.compactMap(\.taskID)).count == 1)
                expectContiguous(entries)
                #expect(got.problems.compactMap { $0 }.allSatisfy { $0.contains("reconnecting in 1s") })
            }
        }
    }

    @Test func anotherServiceOrNilStopsTheStream() async throws {
        try await TestDocker.withService("loga", command: Self.chatty) { a in
            try await TestDocker.withService("logb", command: Self.chatty) { b in
                try await TestDocker.withBackend { backend in
                    let got = Delivered()
                    let follower = LogFollower(backend: backend, status: got.status, post: got.post)
                    follower.follow(service: a)
                    try await TestDocker.waitUntil("lines of a", timeout: 30) { got.entries(of: a).count >= 4 }

                    follower.follow(service: b)
                    #expect(follower.service == b)
                    try await TestDocker.waitUntil("lines of b", timeout: 30) { got.entries(of: b).count >= 4 }
                    try await expectNothingMore(from: a, got: got)

                    follower.follow(service: nil)
                    #expect(follower.service == nil)
                    try await expectNothingMore(from: b, got: got)
                }
            }
        }
    }

    @Test func aMissingServiceIsReported() async throws {
        try await TestDocker.withBackend { backend in
            let got = Delivered()
            let follower = LogFollower(backend: backend, status: got.status, post: got.post)
            follower.follow(service: TestDocker.uniqueName("nosuch"))
            defer { follower.stop() }
            try await TestDocker.waitUntil("the problem reported", timeout: 30) {
                got.problems.contains { $0?.contains("not found") == true && $0?.contains("reconnecting in 1s") == true }
            }
            #expect(got.entries.isEmpty)
        }
    }

    /// Waits while `service` prints on: first for any batch that was under way, then for two seconds of its output,
    /// during which nothing of it may be delivered.
    private func expectNothingMore(from service: String, got: Delivered) async throws {
        func printed() async throws -> Int {
            let out = try await TestDocker.docker(["service", "logs", "--raw", "--tail", "4", service])
            return out.split(separator: "\n").compactMap { $0.split(separator: " ").last.flatMap { Int($0) } }.max() ?? 0
        }
        try await waitForOutput(of: service, past: try await printed() + 5, printed: printed)
        let settled = got.entries(of: service).count
        try await waitForOutput(of: service, past: try await printed() + 10, printed: printed)
        #expect(got.entries(of: service).count == settled)
    }

    private func waitForOutput(of service: String, past line: Int, printed: () async throws -> Int) async throws {
        try await TestDocker.waitUntil("\(service) to print line \(line)", timeout: 30) { try await printed() >= line }
    }
}
