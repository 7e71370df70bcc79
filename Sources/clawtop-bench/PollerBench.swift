import ClawtopCore
import Foundation
import Health
import Synchronization

/// 1,000 agents on a 1 s interval against a loopback server in another process, 10% of them hanging (each holds its
/// slot for its whole 1 s timeout): probes a second, CPU per 1,000 probes, and how late probes start against their
/// schedule. Baseline: 1,000 probes of the same prober in a plain loop, 64 at a time, no scheduler.
func pollerBench() async throws -> [Result] {
    let server = try HTTPServerProcess()
    defer { server.stop() }
    let base = "http://127.0.0.1:\(server.port)"
    let prober = HealthProber()

    // Baseline: the prober alone.
    let cpu0 = cpuSeconds()
    await withTaskGroup(of: Void.self) { group in
        for batch in 0..<16 {
            for k in 0..<64 where batch * 64 + k < 1000 {
                group.addTask { _ = await prober.probe(ProbeTarget(agent: "b\(k)", url: base + "/ok", interval: 1, timeout: 1)) }
            }
            await group.waitForAll()
        }
    }
    let baselineCPU = cpuSeconds() - cpu0

    let lateness = Mutex<[Double]>([])
    let probes = Atomic<Int>(0)
    let measuring = Atomic<Bool>(false)
    let scheduler = HealthScheduler(prober: prober, onLaunch: { _, late in
        guard measuring.load(ordering: .relaxed) else { return }
        lateness.withLock { $0.append(late.seconds) }
    })
    scheduler.setTargets((0..<1000).map { i in
        ProbeTarget(agent: "agent-\(i)", url: base + (i % 10 == 0 ? "/hang/\(i)" : "/health/\(i)"), interval: 1, timeout: 1)
    })
    let running = Task { await scheduler.run { _ in if measuring.load(ordering: .relaxed) { probes.add(1, ordering: .relaxed) } } }
    try await Task.sleep(for: .seconds(5)) // the first rounds spread out, connections open
    measuring.store(true, ordering: .relaxed)
    let cpu1 = cpuSeconds(), t1 = Date()
    try await Task.sleep(for: .seconds(25))
    measuring.store(false, ordering: .relaxed)
    let cpu = cpuSeconds() - cpu1, elapsed = Date().timeIntervalSince(t1)
    running.cancel()
    await running.value
    await prober.shutdown()

    let done = Double(probes.load(ordering: .relaxed))
    let late = lateness.withLock { $0 }.sorted()
    let perThousand = cpu / done * 1000
    return [
        Result(section: "Poller", measure: "baseline: 1000 probes, plain loop, CPU", value: format(seconds: baselineCPU),
               ratio: "1×", target: "", met: nil),
        Result(section: "Poller", measure: "1000 agents at 1 s, 10% hanging: probes/s", value: String(format: "%.0f", done / elapsed),
               ratio: "", target: "", met: nil),
        Result(section: "Poller", measure: "CPU per 1000 probes", value: format(seconds: perThousand),
               ratio: String(format: "%.2f×", perThousand / baselineCPU), target: "", met: nil),
        Result(section: "Poller", measure: "lateness of probe starts, p50 / p99 (\(late.count) starts)",
               value: "\(format(seconds: percentile(late, 0.5))) / \(format(seconds: percentile(late, 0.99)))",
               ratio: "", target: "p99 < 100 ms", met: percentile(late, 0.99) < 0.1),
    ]
}

/// `clawtop-bench --serve-http` as a child process.
final class HTTPServerProcess {
    let pid: pid_t
    let port: Int
    private let input: FileHandle

    init() throws {
        let toChild = Pipe(), fromChild = Pipe()
        var actions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toChild.fileHandleForReading.fileDescriptor, 0)
        posix_spawn_file_actions_adddup2(&actions, fromChild.fileHandleForWriting.fileDescriptor, 1)
        pid = try spawn(CommandLine.arguments[0], ["--serve-http"], actions: &actions)
        try toChild.fileHandleForReading.close()
        try fromChild.fileHandleForWriting.close()
        input = toChild.fileHandleForWriting
        var line = ""
        while !line.hasSuffix("\n"), let data = try fromChild.fileHandleForReading.read(upToCount: 1), !data.isEmpty {
            line += String(decoding: data, as: UTF8.self)
        }
        guard line.hasPrefix("port "), let port = Int(line.dropFirst(5).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw BenchError("the HTTP server said '\(line)'")
        }
        self.port = port
    }

    func stop() {
        try? input.close()
        kill(pid, SIGTERM) // the pipe's other end may be open in the child too, so stdin alone may never close
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }
}
