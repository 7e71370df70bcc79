import Foundation
import Testing
import TestSupport

/// What the agents consume, through the real binary on the one-node private swarm (the daemon reads its own node, no
/// `--node`): real containers under real limits, checked against `docker stats` on the same daemon.
@Suite(.enabled(if: TestDocker.shouldRun, "needs the private swarm from scripts/test"))
struct UsageEndToEndTests {
    /// Holds `megabytes` in a file of its /dev/shm (tmpfs: the container's memory, never page cache the kernel may
    /// drop), read every second so that none of it stays swapped out. (A shell variable swings: each `${#x}` copies
    /// it, and untouched it is swapped out within seconds.) `megabytes` must stay under /dev/shm's 64 MB.
    static func hog(_ megabytes: Int) -> String {
        "head -c \(megabytes * 1_000_000) /dev/zero > /dev/shm/held; while :; do cat /dev/shm/held > /dev/null; sleep 1; done"
    }
    static let burner = "while :; do :; done"

    func usage(of service: String) async throws -> [String: Any]? {
        let r = try await snapshot(["--all", "--format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "\(r.stderr)")
        let agent = (object["agents"] as? [[String: Any]])?.first { $0["name"] as? String == service }
        return agent?["usage"] as? [String: Any]
    }

    @Test func aMalformedNodeOptionIsAUsageError() async throws {
        for (entry, words) in [("wk1", "--node takes NODE=ENDPOINT"), ("wk1=unix://relative", "--node wk1: unix://relative is not a Docker address"),
                               ("wk1=nosuchcontext", "--node wk1: docker context 'nosuchcontext'")] {
            let r = try await snapshot(["--node", entry])
            #expect(r.status == 64 && r.stderr.contains(words), "\(entry): \(r.stderr)")
        }
    }

    @Test func aNodeNamedThatIsNotInTheSwarmIsSaidInTheNodesView() async throws {
        let r = try await snapshot(["--view", "nodes", "--node", "nosuch=unix:///nonexistent.sock"])
        #expect(r.stdout.contains("--node nosuch: no node of that name in this swarm"), "\(r.stdout)")
        #expect(r.stdout.contains("this daemon"), "its own node is read all the same: \(r.stdout)")
    }

    @Test func memoryAsDockerStatsCountsItAgainstTheLimit() async throws {
        try await TestDocker.withService("hog", command: Self.hog(40), extraFlags: ["--limit-memory", "256M"]) { name in
            try await TestDocker.waitUntil("40 MB held", timeout: 60) {
                ((try await usage(of: name))?["memoryBytes"] as? Int ?? 0) > 39_000_000
            }
            // Each read at its own moment: the two agree within 10% at some moment (they never do with the page
            // cache counted, or the wrong file read).
            var ours: [String: Any] = [:], docker = 0.0
            try await TestDocker.waitUntil("clawtop's figure within 10% of docker stats'", timeout: 30) {
                ours = try await usage(of: name) ?? [:]
                docker = try await DockerStats.of(name).memoryBytes
                return abs(Double(ours["memoryBytes"] as? Int ?? 0) - docker) / docker < 0.1
            }
            #expect(ours["memoryLimitBytes"] as? Int == 256 << 20 && ours["replicasRead"] as? Int == 1)
        }
    }

    /// A fifth of a core, so as not to starve the suites running beside it (the three-node test takes half a core).
    @Test func aCPUBurnerAtItsLimitShowsAFifthOfACoreAndAllOfItsLimit() async throws {
        try await TestDocker.withService("burn", command: Self.burner, extraFlags: ["--limit-cpu", "0.2"]) { name in
            try await TestDocker.waitUntil("a CPU figure", timeout: 60) { (try await usage(of: name))?["cpuPercent"] != nil }
            let ours = try #require(try await usage(of: name))
            let cpu = try #require(ours["cpuPercent"] as? Double)
            // A fifth of a core on an idle machine; on a busy one, what docker stats sees then.
            let docker = try await DockerStats.of(name).cpuPercent
            #expect(cpu <= 25 && (abs(cpu - docker) <= 10 || (15...25).contains(cpu)), "clawtop \(cpu)%, docker stats \(docker)%")
            #expect(ours["cpuLimitPercent"] as? Double == 20)

            // The console: the figure in the table, its share of the limit in the details.
            let tmux = try Tmux(width: 160, height: 40, environment: ["LANG": "C.UTF-8", "DOCKER_HOST": try TestDocker.requireHost(),
                                                                      "TERM": "tmux-256color"])
            defer { tmux.kill() }
            try tmux.type("clear; \(try clawtopBinary()) --all --sort cpu; echo \"exit=$?\"")
            try await tmux.waitFor("MEM")
            try tmux.literal("/\(name)")
            try tmux.keys("Enter")
            try await TestDocker.waitUntil("the row's CPU, at most its limit, and the details' share of the limit", timeout: 30) {
                let screen = try await tmux.screen()
                let cells = frameRow(screen, name).split(separator: " ")
                let percent = cells.compactMap { $0.hasSuffix("%") ? Double($0.dropLast()) : nil }.first ?? 0
                return percent > 0 && percent <= 25 && screen.contains("of its limit)")
            }
            try tmux.keys("q")
            try await tmux.waitFor("exit=0")
        }
    }

    /// The console reads the selected agent's containers every 2 s, the others every 10 s: counted at a proxy in
    /// front of the daemon, the list of that service's containers alone.
    @Test func theSelectedAgentIsReadEveryTwoSeconds() async throws {
        try await TestDocker.withService("focus") { name in
            let id = try await TestDocker.docker(["service", "inspect", name, "--format", "{{.ID}}"])
            let dir = NSTemporaryDirectory() + "clawtop-focus-\(UUID().uuidString.prefix(8))"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let host = try TestDocker.requireHost()
            let proxy = try await offPool { try DockerProxy(targetHost: host, listen: "unix:\(dir)/proxy.sock", log: "\(dir)/requests.log") }
            defer { proxy.stop() }
            let tmux = try Tmux(width: 160, height: 40, environment: ["LANG": "C.UTF-8", "DOCKER_HOST": proxy.address, "TERM": "tmux-256color"])
            defer { tmux.kill() }
            try tmux.type("clear; \(try clawtopBinary()) --all --no-history; echo \"exit=$?\"")
            try await tmux.waitFor("MEM")
            try tmux.literal("/\(name)")
            try tmux.keys("Enter")
            try await tmux.waitFor("filter: \(name)")
            func focused() -> Int { proxy.requests().filter { $0.contains("/containers/json") && $0.contains(id) }.count }
            let before = focused()
            try await Task.sleep(for: .seconds(9))
            // Four or five in 9 s at one every 2 s (none at all when the selection asks nothing).
            #expect(focused() - before >= 3, "\(proxy.requests().suffix(20))")
            try tmux.keys("q")
            try await tmux.waitFor("exit=0")
        }
    }

    /// The console keeps what an agent consumed in the history: after it held 30 MB and then 5, a snapshot that
    /// reads that history gives the last hour's peak and draws the memory strip; without it, only what it reads now.
    @Test func theConsoleKeepsUsageInTheHistoryForTheDetailsAndJSON() async throws {
        let directory = NSTemporaryDirectory() + "clawtop-usage-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let command = "head -c $((MB * 1000000)) /dev/zero > /dev/shm/held; while :; do cat /dev/shm/held > /dev/null; sleep 1; done"
        try await TestDocker.withService("kept", command: command, extraFlags: ["--limit-memory", "128M", "--env", "MB=30"]) { name in
            let history = ["CLAWTOP_HISTORY_DIR": directory]
            func usage(_ extra: [String] = []) async throws -> [String: Any] {
                let r = try await snapshot(["--all", "--format", "json"] + extra, environment: history)
                let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
                let agent = (object?["agents"] as? [[String: Any]])?.first { $0["name"] as? String == name }
                return agent?["usage"] as? [String: Any] ?? [:]
            }
            try await TestDocker.waitUntil("30 MB held", timeout: 60) { (try await usage()["memoryBytes"] as? Int ?? 0) > 29_000_000 }

            let tmux = try Tmux(width: 200, height: 40, environment: ["LANG": "C.UTF-8", "DOCKER_HOST": try TestDocker.requireHost(),
                                                                      "TERM": "tmux-256color"].merging(history) { $1 })
            defer { tmux.kill() }
            try tmux.type("clear; \(try clawtopBinary()) --all; echo \"exit=$?\"")
            try await tmux.waitFor("MEM")
            // Two rounds of the table's readings (10 s apart), written as the console quits if not before.
            try await Task.sleep(for: .seconds(12))
            try tmux.keys("q")
            try await tmux.waitFor("exit=0")

            _ = try await TestDocker.docker(["service", "update", "-d", "--env-add", "MB=5", name])
            try await TestDocker.waitUntil("5 MB held", timeout: 60) {
                let memory = try await usage(["--no-history"])["memoryBytes"] as? Int ?? 0
                return memory > 4_000_000 && memory < 10_000_000
            }
            let kept = try await usage()
            #expect((kept["memoryPeakLastHourBytes"] as? Int ?? 0) > 29_000_000, "the peak the console wrote: \(kept)")
            let live = try await usage(["--no-history"])
            #expect((live["memoryPeakLastHourBytes"] as? Int ?? Int.max) < 10_000_000, "without the history, what it read now: \(live)")
            let details = try await snapshot(["--all", "--view", "details", "--select", name, "--height", "40"], environment: history)
            let strip = details.stdout.split(separator: "\n").first { $0.contains("mem 6h") } ?? ""
            #expect(strip.contains("peak 1h 2") && strip.contains("of 128 MiB"), "\(details.stdout)")
        }
    }

    @Test func anOutOfMemoryKillIsNamedWithItsLimit() async throws {
        let command = "sleep 1; x=$(head -c 200000000 /dev/zero | tr '\\0' a); sleep 3600"
        try await TestDocker.withService("oom", command: command, extraFlags: ["--limit-memory", "16M"]) { name in
            let words = "out of memory (limit 16 MiB)"
            try await TestDocker.waitUntil("the kill named in JSON", timeout: 60) {
                let r = try await snapshot(["--all", "--format", "json"])
                let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
                let agent = (object?["agents"] as? [[String: Any]])?.first { $0["name"] as? String == name }
                return agent?["lastError"] as? String == words
            }
            // Tall enough for its row among the services the other suites make meanwhile.
            let table = try await snapshot(["--all", "--width", "300"], height: 200)
            #expect(frameRow(table.stdout, name).contains(words), "\(table.stdout)")
            let details = try await snapshot(["--all", "--view", "details", "--select", name, "--height", "40"])
            #expect(details.stdout.contains("failed") && details.stdout.contains(words), "\(details.stdout)")
            let strip = details.stdout.split(separator: "\n").first { $0.contains("mem 6h") } ?? ""
            #expect(strip.contains("✗") && strip.contains("of 16 MiB"), "the kill in the memory strip: \(details.stdout)")
            let timeline = try await snapshot(["--all", "--view", "timeline", "--no-history", "--width", "200"])
            #expect(frameRow(timeline.stdout, name).contains("killed: \(words)") && frameRow(timeline.stdout, name).contains("the kernel"),
                    "\(timeline.stdout)")

            // A recorder alerts on it, through --notify, by the kernel's name.
            let directory = NSTemporaryDirectory() + "clawtop-oom-\(UUID().uuidString.prefix(8))"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let told = directory + "/told"
            let recorder = try BackgroundProcess(try clawtopBinary(), [
                "record", "--all", "--notify", "echo \"$CLAWTOP_AGENT|$CLAWTOP_NEW|$CLAWTOP_REASON|$CLAWTOP_ACTOR\" >> \(told)",
            ], environment: ["DOCKER_HOST": try TestDocker.requireHost(), "LANG": "C.UTF-8", "CLAWTOP_HISTORY_DIR": directory])
            defer { recorder.stop() }
            try await TestDocker.waitUntil("the kill told by --notify", timeout: 60) {
                let lines = ((try? String(contentsOfFile: told, encoding: .utf8)) ?? "").split(separator: "\n")
                return lines.contains { $0.hasPrefix("\(name)|") && $0.hasSuffix("|killed: \(words)|the kernel") }
            }

            // Probed, the agent fails its probes too: the kill comes first, in the row and in `status`.
            let probed = ["--all", "--health-url", "\(name)=http://127.0.0.1:\(try freeLoopbackPort())/health", "--no-history"]
            try await TestDocker.waitUntil("the probe's failure after the kill", timeout: 30) {
                let r = try await run(clawtopBinary(), ["status", "--format", "json"] + probed,
                                      environment: ["DOCKER_HOST": try TestDocker.requireHost(), "LANG": "C.UTF-8"])
                let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
                return r.status == 1 && ((object?["reasons"] as? [String: String])?[name] ?? "").hasPrefix(words + "; probe: ")
            }
        }
    }
}
