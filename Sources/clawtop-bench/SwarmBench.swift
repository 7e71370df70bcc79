import Foundation

/// The parts measured against the private swarm that `scripts/bench` starts with 100 services (`bench_0` …
/// `bench_49` running, `bench_50` … `bench_99` at 0 replicas), through a request-counting proxy.
struct SwarmBench {
    /// The daemon itself, and the proxy in front of it that logs one line per request.
    let direct: String
    let proxy: String
    let proxyLog: String
    let clawtop: String
    /// The build with the Swift runtime linked in (`scripts/build-static`), the one to copy onto a manager.
    let staticClawtop: String?
    let docker: String
    let work: String
    /// The busybox image the private swarm has.
    let image: String

    static func fromEnvironment() -> SwarmBench? {
        let env = ProcessInfo.processInfo.environment
        guard let direct = env["CLAWTOP_BENCH_DOCKER_HOST"], let proxy = env["CLAWTOP_BENCH_PROXY_HOST"],
              let log = env["CLAWTOP_BENCH_PROXY_LOG"], let clawtop = env["CLAWTOP_BENCH_CLAWTOP"],
              let work = env["CLAWTOP_BENCH_WORK"] else { return nil }
        return SwarmBench(direct: direct, proxy: proxy, proxyLog: log, clawtop: clawtop,
                          staticClawtop: env["CLAWTOP_BENCH_STATIC"].flatMap { $0.isEmpty ? nil : $0 }, docker: env["CLAWTOP_BENCH_DOCKER"] ?? "/usr/bin/docker", work: work,
                          image: env["CLAWTOP_BENCH_IMAGE"] ?? "clawtop-test-agent:latest")
    }

    func run(_ section: String) async throws -> [Result] {
        switch section {
        case "daemon": return try daemonLoad()
        case "watching": return try watchingCost()
        case "rolling-restart": return try rollingRestart()
        case "history-swarm": return try historyOnSwarm()
        case "usage": return try await usageCost()
        default: return try firstFrame()
        }
    }

    func environment(host: String) -> [String: String] {
        ["DOCKER_HOST": host, "TERM": "tmux-256color", "LANG": "C.UTF-8", "PATH": "/usr/bin:/bin",
         "HOME": work, "XDG_STATE_HOME": work + "/state"]
    }

    /// `watch -n 2 docker service ls`: what operators run today.
    func watchServiceLs(host: String) throws -> PtyProcess {
        try PtyProcess("/usr/bin/watch", ["-n", "2", docker, "service", "ls"], environment: environment(host: host))
    }

    // MARK: - Load on the daemon

    /// Requests a minute in steady state, counted by the proxy: the console with the 100 services (`--all`), and the
    /// baseline. The console's one events stream is counted apart (it is opened once, before the window).
    func daemonLoad() throws -> [Result] {
        func requests(during seconds: Double, _ start: () throws -> PtyProcess) throws -> (perMinute: Double, lines: [String]) {
            let process = try start()
            defer { _ = process.stop() }
            Thread.sleep(forTimeInterval: 15) // the first read, the first resyncs after events settle
            let before = try logLines().count
            Thread.sleep(forTimeInterval: seconds)
            let lines = Array(try logLines().dropFirst(before))
            return (Double(lines.count) / seconds * 60, lines)
        }
        let window = 120.0
        let console = try requests(during: window) {
            try PtyProcess(clawtop, ["--all", "--read-only"], environment: environment(host: proxy))
        }
        let baseline = try requests(during: 60) { try watchServiceLs(host: proxy) }
        let kinds = Dictionary(grouping: console.lines.map(Self.kind), by: { $0 }).mapValues(\.count)
            .sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
        // The usage reader's container reads have a budget of their own: a list of the node's containers every 10 s
        // and of the selected agent's every 2 s (36 a minute), and an inspect of each container it has not seen.
        let usage = Double(console.lines.filter { Self.kind($0) == "GET /containers" }.count) / window * 60
        let rest = console.perMinute - usage
        return [
            Result(section: "Daemon load", measure: "baseline: `watch -n 2 docker service ls`, requests/min",
                   value: String(format: "%.0f", baseline.perMinute), ratio: "1×", target: "", met: nil),
            Result(section: "Daemon load", measure: "console, 100 services, nothing changing, requests/min (\(kinds.isEmpty ? "none" : kinds))",
                   value: String(format: "%.1f", console.perMinute), ratio: String(format: "%.3f×", console.perMinute / baseline.perMinute),
                   target: "", met: nil),
            Result(section: "Daemon load", measure: "of which the usage reader's container reads (`GET /containers`), requests/min",
                   value: String(format: "%.1f", usage), ratio: String(format: "%.3f×", usage / baseline.perMinute),
                   target: "≤ 36/min", met: usage <= 36.5),
            Result(section: "Daemon load", measure: "of which all the rest, requests/min",
                   value: String(format: "%.1f", rest), ratio: String(format: "%.3f×", rest / baseline.perMinute),
                   target: "≤ 2/min", met: rest <= 2),
        ]
    }

    // MARK: - Rolling restart

    /// `docker service update --force --detach=false` of a 10-replica service, sent to the daemon directly, while the
    /// console watches all services through the proxy: its requests from the update's start until 5 s after it ends
    /// (the events stream apart), per replica. The tasks stop at SIGTERM, as agents do: one is replaced every 3 to 4 s.
    func rollingRestart() throws -> [Result] {
        let replicas = 10, name = "bench_roll"
        try dockerCommand(["service", "create", "-d", "--no-resolve-image", "--name", name, "--network", "host",
                           "--replicas", "\(replicas)", image, "sh", "-c", "trap 'exit 0' TERM; sleep 1000000 & wait"])
        defer { _ = try? dockerCommand(["service", "rm", name]) }
        let deadline = Date().addingTimeInterval(120)
        while try dockerCommand(["service", "ls", "--filter", "name=\(name)", "--format", "{{.Replicas}}"]) != "\(replicas)/\(replicas)" {
            guard Date() < deadline else { throw BenchError("\(name) did not reach \(replicas) running tasks in 120 s") }
            Thread.sleep(forTimeInterval: 1)
        }
        let process = try PtyProcess(clawtop, ["--all", "--read-only"], environment: environment(host: proxy))
        defer { _ = process.stop() }
        Thread.sleep(forTimeInterval: 15) // the first read, and the reads after the service's creation
        let before = try logLines().count
        let clock = ContinuousClock(), t0 = clock.now
        try dockerCommand(["service", "update", "--force", "--detach=false", name])
        let took = (clock.now - t0).seconds
        Thread.sleep(forTimeInterval: 5)
        let lines = try logLines().dropFirst(before).filter { Self.kind($0) != "GET /events" }
        let kinds = Dictionary(grouping: lines.map(Self.kind), by: { $0 }).mapValues(\.count)
            .sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
        // The usage reader's container reads go on at their own pace (see the daemon load) and are counted apart.
        let usage = lines.filter { Self.kind($0) == "GET /containers" }.count
        let perReplica = Double(lines.count - usage) / Double(replicas)
        return [
            Result(section: "Rolling restart", measure: "console, `service update --force` of \(replicas) replicas "
                       + String(format: "(%.0f s) and 5 s after, requests per replica besides the usage reader's (%@)", took, kinds.isEmpty ? "none" : kinds),
                   value: String(format: "%.1f", perReplica), ratio: "", target: "≤ 2", met: perReplica <= 2),
            Result(section: "Rolling restart", measure: "the usage reader's container reads in the same time, per minute",
                   value: String(format: "%.1f", Double(usage) / (took + 5) * 60), ratio: "", target: "≤ 36/min + one inspect per new container", met: nil),
        ]
    }

    /// Runs `docker -H <daemon> args…` to its end; its standard output, trimmed.
    @discardableResult
    func dockerCommand(_ args: [String]) throws -> String {
        let out = work + "/docker-\(UUID().uuidString).out"
        defer { try? FileManager.default.removeItem(atPath: out) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let pid = try spawn(docker, ["-H", direct] + args, actions: &actions)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        guard status == 0 else { throw BenchError("docker \(args.joined(separator: " ")) failed (\(status))") }
        return ((try? String(contentsOfFile: out, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func logLines() throws -> [String] {
        (try? String(contentsOfFile: proxyLog, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
    }

    /// "GET /services" from "GET /v1.47/services?status=true".
    static func kind(_ line: String) -> String {
        let parts = line.split(separator: " ")
        guard parts.count == 2 else { return line }
        var path = parts[1].split(separator: "?")[0].split(separator: "/").map(String.init)
        if path.first?.hasPrefix("v1.") == true { path.removeFirst() }
        return "\(parts[0]) /\(path.first ?? "")"
    }

    // MARK: - Watching

    /// A 120×40 pane: the console with 50 healthy agents probed every 10 s, for the minute after its first frame,
    /// against the baseline's minute. CPU of the whole process tree (from its start), peak RSS, bytes to the terminal
    /// in that minute. Then, to break the bytes down, the same agents flipping between healthy and failing (one health change
    /// a second fleet-wide), in the default order (rows move) and by name (rows stay put), side by side.
    func watchingCost() throws -> [Result] {
        let server = try HTTPServerProcess()
        defer { server.stop() }
        /// 50 agents probed every 10 s at `path(k)` on the server.
        func config(_ name: String, path: (Int) -> String) throws -> String {
            var config = "defaults: {health_check_interval: 10s}\nagents:\n"
            for k in 0..<50 {
                config += """
                      bench-\(k):
                        hostname: bench-\(k).example.com
                        backend: http://127.0.0.1:\(server.port)
                        policy: always-on
                        container: {name: bench_\(k)}
                        health: {url: "http://127.0.0.1:\(server.port)\(path(k))"}

                    """
            }
            let file = work + "/" + name
            try config.write(toFile: file, atomically: true, encoding: .utf8)
            return file
        }
        let steady = try config("steady.yaml") { _ in "/ok" }
        let flipping = try config("flipping.yaml") { "/flip/\($0)" }
        typealias Watched = (cpu: Double, rss: Double, bytes: Double)
        /// Starts the programs side by side, waits for each one's first frame (`marker` on its terminal, none to
        /// count from the start), and stops each 60 s after it.
        var watchRuns = 0
        func watch(_ starts: [(marker: String?, start: () throws -> PtyProcess)]) throws -> [Watched] {
            watchRuns += 1
            let processes = try starts.map { try $0.start() }
            var firstFrame: [Int] = []
            for (process, start) in zip(processes, starts) {
                if let marker = start.marker {
                    guard process.waitFor(marker) != nil else { throw BenchError("no '\(marker)' in 30 s") }
                    // The rest of the first frame: the reader may see its start before its end. The console draws
                    // its next frame no sooner than 0.5 s on.
                    Thread.sleep(forTimeInterval: 0.2)
                    firstFrame.append(process.bytes)
                } else {
                    firstFrame.append(0)
                }
            }
            Thread.sleep(forTimeInterval: 60)
            return zip(processes, firstFrame).enumerated().map { i, pair in
                let (process, first) = pair
                if let dump = ProcessInfo.processInfo.environment["BENCH_DUMP"] {
                    // What it wrote after its first frame, for looking into (scripts/term-bytes.py).
                    let path = "\(dump)-watching-\(watchRuns)-\(i).bin"
                    FileManager.default.createFile(atPath: path, contents: Data(process.captured.dropFirst(first)))
                }
                let bytes = Double(process.bytes - first)
                let (usage, rss) = process.stop()
                return (usage.cpu, rss, bytes)
            }
        }
        func console(_ binary: String, _ config: String, _ extra: [String] = []) -> (String?, () throws -> PtyProcess) {
            ("REPL", { try PtyProcess(binary, ["--config", config, "--read-only"] + extra, environment: environment(host: direct)) })
        }
        // The agents' tasks out of their startup grace, as on a swarm that has run for a while.
        if let ready = ProcessInfo.processInfo.environment["CLAWTOP_BENCH_READY"].flatMap(Double.init) {
            let wait = ready + 70 - Date().timeIntervalSince1970
            if wait > 0 { Thread.sleep(forTimeInterval: wait) }
        }
        let calm = try watch([console(clawtop, steady)])[0]
        let breakdown = try watch([console(clawtop, flipping), console(clawtop, flipping, ["--sort", "name"])])
        let (moving, byName) = (breakdown[0], breakdown[1])
        let linkedIn = try staticClawtop.map { binary in try watch([console(binary, steady)])[0] }
        // The baseline's whole minute, its first frame included (what an operator's terminal gets from it).
        let baseline = try watch([(nil, { try watchServiceLs(host: direct) })])[0]
        func ratio(_ value: Double, _ base: Double) -> String { String(format: "%.2f×", value / base) }
        return [
            Result(section: "Watching 60 s", measure: "baseline `watch -n 2 docker service ls`: CPU (with its `docker` runs) / peak RSS (`watch`) / bytes in its minute",
                   value: "\(format(seconds: baseline.cpu)) / \(format(bytes: baseline.rss)) / \(format(bytes: baseline.bytes))",
                   ratio: "1×", target: "", met: nil),
            Result(section: "Watching 60 s", measure: "console, 50 healthy agents every 10 s: CPU", value: format(seconds: calm.cpu),
                   ratio: ratio(calm.cpu, baseline.cpu), target: "≤ 0.8× baseline", met: calm.cpu <= 0.8 * baseline.cpu),
            Result(section: "Watching 60 s", measure: "console: bytes to the terminal in the minute after the first frame",
                   value: format(bytes: calm.bytes), ratio: ratio(calm.bytes, baseline.bytes), target: "≤ 2× baseline",
                   met: calm.bytes <= 2 * baseline.bytes),
            Result(section: "Watching 60 s", measure: "console: peak RSS", value: format(bytes: calm.rss),
                   ratio: ratio(calm.rss, baseline.rss), target: "< 40 MB", met: calm.rss < 40e6),
            Result(section: "Watching 60 s", measure: "the agents flipping, a health change a second (rows move): bytes / CPU",
                   value: "\(format(bytes: moving.bytes)) / \(format(seconds: moving.cpu))",
                   ratio: "\(ratio(moving.bytes, baseline.bytes)) / \(ratio(moving.cpu, baseline.cpu))", target: "", met: nil),
            Result(section: "Watching 60 s", measure: "the same with `--sort name` (rows stay put): bytes / CPU",
                   value: "\(format(bytes: byName.bytes)) / \(format(seconds: byName.cpu))",
                   ratio: "\(ratio(byName.bytes, baseline.bytes)) / \(ratio(byName.cpu, baseline.cpu))", target: "", met: nil),
        ] + (linkedIn.map { run in [
            Result(section: "Watching 60 s", measure: "console, static build (`scripts/build-static`): peak RSS / CPU / bytes",
                   value: "\(format(bytes: run.rss)) / \(format(seconds: run.cpu)) / \(format(bytes: run.bytes))",
                   ratio: "\(ratio(run.rss, baseline.rss)) / \(ratio(run.cpu, baseline.cpu)) / \(ratio(run.bytes, baseline.bytes))",
                   target: "< 40 MB", met: run.rss < 40e6),
        ] } ?? [])
    }

    // MARK: - Time to first frame

    /// With 100 services: the console until its table is on the terminal, `snapshot` until it exits, against one
    /// `docker service ls`. Medians of 5.
    func firstFrame() throws -> [Result] {
        func medianOf(_ runs: Int, _ body: () throws -> Double) rethrows -> Double {
            var times: [Double] = []
            for _ in 0..<runs { times.append(try body()) }
            return times.sorted()[runs / 2]
        }
        func timed(_ executable: String, _ arguments: [String]) throws -> Double {
            let clock = ContinuousClock(), t0 = clock.now
            let process = try PtyProcess(executable, arguments, environment: environment(host: direct))
            var status: Int32 = 0
            waitpid(process.pid, &status, 0)
            return (clock.now - t0).seconds
        }
        let baseline = try medianOf(5) { try timed(docker, ["service", "ls"]) }
        let snapshot = try medianOf(5) { try timed(clawtop, ["snapshot", "--all"]) }
        let console = try medianOf(5) { () throws -> Double in
            let process = try PtyProcess(clawtop, ["--all", "--read-only"], environment: environment(host: direct))
            defer { _ = process.stop() }
            guard let t = process.waitFor("REPL") else {
                throw BenchError("the console drew no table in 30 s; it wrote: " + String(decoding: process.captured.suffix(600), as: UTF8.self))
            }
            return t
        }
        return [
            Result(section: "First frame, 100 services", measure: "baseline: `docker service ls`", value: format(seconds: baseline),
                   ratio: "1×", target: "", met: nil),
            Result(section: "First frame, 100 services", measure: "console: the table on the terminal", value: format(seconds: console),
                   ratio: String(format: "%.2f×", console / baseline), target: "≤ 1.5×", met: console <= 1.5 * baseline),
            Result(section: "First frame, 100 services", measure: "`snapshot --all`, to exit", value: format(seconds: snapshot),
                   ratio: String(format: "%.2f×", snapshot / baseline), target: "≤ 1.5×", met: snapshot <= 1.5 * baseline),
        ]
    }
}
