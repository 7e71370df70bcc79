import DockerEngine
import DockerSource
import Foundation

extension SwarmBench {
    /// What reading the 50 running containers' CPU and memory every 10 s costs for a minute, the daemon's side
    /// included (dockerd, its containerd and the shims: every process of the private swarm's directory): clawtop's
    /// reader (one-shot stats, its own CPU delta) in this process, against `docker stats --no-stream` every 10 s.
    func usageCost() async throws -> [Result] {
        let directory = String(direct.dropFirst("unix://".count).dropLast("/docker.sock".count))
        /// CPU seconds used so far by the daemon's processes.
        func daemonCPU() -> Double {
            let tick = Double(sysconf(Int32(_SC_CLK_TCK)))
            var total = 0.0
            for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] where Int(entry) != nil {
                guard let cmdline = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"),
                      String(decoding: cmdline, as: UTF8.self).contains(directory),
                      let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                      let close = stat.lastIndex(of: ")") else { continue }
                // After "pid (comm)": state is field 3, utime and stime are fields 14 and 15.
                let fields = stat[stat.index(after: close)...].split(separator: " ")
                if fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) { total += (user + system) / tick }
            }
            return total
        }
        func childrenCPU() -> Double {
            var usage = rusage()
            getrusage(RUSAGE_CHILDREN.rawValue, &usage)
            return seconds(usage.ru_utime) + seconds(usage.ru_stime)
        }
        let minute = 60.0, every = 10.0

        let (baseDaemon, baseChildren) = (daemonCPU(), childrenCPU())
        for round in 0..<Int(minute / every) {
            let due = Date().addingTimeInterval(every)
            let out = try dockerCommand(["stats", "--no-stream", "--format", "{{.Name}} {{.CPUPerc}} {{.MemUsage}}"])
            if round == 0, out.split(separator: "\n").count < 50 { throw BenchError("docker stats listed fewer than 50 containers") }
            try await Task.sleep(for: .seconds(max(0, due.timeIntervalSinceNow)))
        }
        let baseline = (daemonCPU() - baseDaemon) + (childrenCPU() - baseChildren)

        let client = try DockerClient(endpoint: try DockerEndpoint.parse(host: direct, tls: nil, source: .dockerHost))
        defer { Task { await client.shutdown() } }
        let reader = NodeUsageReader(client: client, node: "bench")
        // One reading alone first, the connection made before it: how long the 50 take.
        _ = await reader.read()
        let start = ContinuousClock.now
        _ = await reader.read()
        let took = (ContinuousClock.now - start).seconds
        let read = Counter()
        let (oursDaemon, oursSelf) = (daemonCPU(), cpuSeconds())
        let reading = Task { await reader.run(every: every) { _ in read.add() } }
        try await Task.sleep(for: .seconds(minute))
        reading.cancel()
        let ours = (daemonCPU() - oursDaemon) + (cpuSeconds() - oursSelf)
        guard read.value >= Int(minute / every) else { throw BenchError("clawtop's reader posted \(read.value) times in a minute") }
        return [
            Result(section: "Usage 60 s", measure: "baseline `docker stats --no-stream` every 10 s, 50 containers: CPU of the CLI and the daemon's side",
                   value: format(seconds: baseline), ratio: "1×", target: "", met: nil),
            Result(section: "Usage 60 s", measure: "clawtop's reader: one reading of the 50 containers, wall time",
                   value: format(seconds: took), ratio: "", target: "", met: nil),
            Result(section: "Usage 60 s", measure: "clawtop's reader, 50 containers every 10 s (their cgroup files; the daemon lists them): CPU of the reader and the daemon's side",
                   value: format(seconds: ours), ratio: String(format: "%.2f×", ours / baseline), target: "≤ 0.5× baseline",
                   met: ours <= 0.5 * baseline),
        ]
    }
}

/// A count from callbacks on any thread.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
