import Foundation
import Testing
import TestSupport

/// `record --metrics-listen`, scraped as Prometheus scrapes it, on the one-node private swarm.
@Suite(.enabled(if: TestDocker.shouldRun && TestPrometheus.shouldRun, "needs the private swarm and Prometheus from scripts/test"))
struct MetricsEndToEndTests {
    func scrape(_ port: Int, accept: String? = nil) async throws -> ProcessResult {
        try await run("/usr/bin/curl", ["-sS", "-f", "-m", "5"] + (accept.map { ["-H", "Accept: \($0)"] } ?? [])
                      + ["http://127.0.0.1:\(port)/metrics"])
    }

    /// What a recorder serves passes `promtool check metrics`, names the agent it sees, counts its kills for memory
    /// (read through Prometheus too), and speaks OpenMetrics when asked; a port already taken is refused with the
    /// reason.
    @Test func aRecordersMetricsPassPromtoolAndCountWhatItSees() async throws {
        let directory = NSTemporaryDirectory() + "clawtop-metrics-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let port = try freeLoopbackPort()
        let environment = ["DOCKER_HOST": try TestDocker.requireHost(), "LANG": "C.UTF-8", "CLAWTOP_HISTORY_DIR": directory]
        let command = "sleep 1; x=$(head -c 200000000 /dev/zero | tr '\\0' a); sleep 3600"
        try await TestDocker.withService("metr", command: command, extraFlags: ["--limit-memory", "16M"]) { name in
            let recorder = try BackgroundProcess(try clawtopBinary(), ["record", "--all", "--metrics-listen", "127.0.0.1:\(port)"],
                                                 environment: environment)
            defer { recorder.stop() }
            let target = try TestPrometheus.scrape("127.0.0.1:\(port)")
            defer { target.stop() }
            var body = ""
            let kills = "clawtop_agent_oom_kills_total{agent=\"\(name)\",stack=\"\",swarm=\"\(try TestDocker.requireHost())\"} "
            try await TestDocker.waitUntil("a kill for memory counted in a scrape", timeout: 60) {
                body = try await scrape(port).stdout
                let line = body.split(separator: "\n").first { $0.hasPrefix(kills) } ?? ""
                return Int(line.dropFirst(kills.count)) ?? 0 >= 1
            }
            try await TestDocker.waitUntil("the kill counted through Prometheus", timeout: 30) {
                (try await TestPrometheus.value("clawtop_agent_oom_kills_total{instance=\"127.0.0.1:\(port)\",agent=\"\(name)\"}") ?? 0) >= 1
            }
            #expect(body.contains("clawtop_agent_replicas_desired{agent=\"\(name)\",stack=\"\",swarm=\"\(try TestDocker.requireHost())\"} 1\n"))
            #expect(body.contains("clawtop_recorder_info{swarm=\"\(try TestDocker.requireHost())\",version=\""))
            let check = try await run("/usr/bin/env", ["promtool", "check", "metrics"], stdin: body)
            #expect(check.status == 0, "promtool: \(check.stdout)\(check.stderr)")

            let open = try await scrape(port, accept: "application/openmetrics-text; version=1.0.0")
            #expect(open.stdout.hasSuffix("# EOF\n") && open.stdout.contains("# TYPE clawtop_agent_oom_kills counter\n"), "\(open.stdout.suffix(300))")
            let other = try await run("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(port)/"])
            #expect(other.stdout == "404")

            // Another recorder (of its own history) cannot listen there too, and says why.
            let taken = try await run(try clawtopBinary(), ["record", "--all", "--metrics-listen", "127.0.0.1:\(port)", "--history-dir",
                                                           directory + "/other"], environment: environment, timeout: 30)
            #expect(taken.status == 2 && taken.stderr.contains("--metrics-listen 127.0.0.1:\(port): cannot listen there: Address already in use"),
                    "\(taken.status) \(taken.stderr)")
        }
        let malformed = try await run(try clawtopBinary(), ["record", "--metrics-listen", "nowhere"], environment: environment)
        #expect(malformed.status == 64 && malformed.stderr.contains("--metrics-listen takes PORT or HOST:PORT"), "\(malformed.stderr)")
    }
}

/// A recorder scraped every second by the real Prometheus, read back through PromQL.
@Suite(.enabled(if: TestDocker.shouldRun && TestPrometheus.shouldRun, "needs the private swarm and Prometheus from scripts/test"))
struct PrometheusEndToEndTests {
    /// An agent made unhealthy reads unhealthy within 15 s, and healthy again after; a forced restart raises its
    /// service's restart counter.
    @Test func anAgentTurnsUnhealthyAndBackAndARestartIsCounted() async throws {
        let setup = try await HistoryEndToEndTests.Setup(maxFailures: 1)
        defer { setup.remove() }
        let port = try freeLoopbackPort()
        try await TestDocker.withService("prom") { name in
            let recorder = try BackgroundProcess(try clawtopBinary(), ["record", "--all", "--config", setup.config,
                                                                      "--metrics-listen", "127.0.0.1:\(port)"],
                                                 environment: setup.environment)
            defer { recorder.stop() }
            let target = try TestPrometheus.scrape("127.0.0.1:\(port)")
            defer { target.stop() }
            let instance = "instance=\"127.0.0.1:\(port)\",job=\"clawtop\""
            func kept(_ state: String) async throws -> Double? {
                try await TestPrometheus.value("clawtop_agent_state{\(instance),agent=\"kept\",state=\"\(state)\"}")
            }
            try await TestDocker.waitUntil("kept healthy through Prometheus", timeout: 60) { try await kept("healthy") == 1 }
            try await setup.flip()
            try await TestDocker.waitUntil("kept unhealthy through Prometheus within 15 s", timeout: 15) { try await kept("unhealthy") == 1 }
            try await setup.flip()
            try await TestDocker.waitUntil("kept healthy again within 15 s", timeout: 15) { try await kept("healthy") == 1 }

            let restarts = "clawtop_agent_restarts_total{\(instance),agent=\"\(name)\"}"
            try await TestDocker.waitUntil("its restarts through Prometheus", timeout: 60) { try await TestPrometheus.value(restarts) != nil }
            let before = try await TestPrometheus.value(restarts) ?? 0
            _ = try await TestDocker.docker(["service", "update", "-d", "--force", name])
            try await TestDocker.waitUntil("the forced restart counted", timeout: 60) { (try await TestPrometheus.value(restarts) ?? 0) > before }
        }
    }
}

/// Run after the parallel suite (scripts/test): building the image copies and imports some 150 MB, which beside
/// the parallel start kept other tests' services from starting within a minute on two cores.
@Suite(.enabled(if: TestDocker.shouldRun && TestPrometheus.shouldRun, "needs the private swarm and Prometheus from scripts/test"))
struct RecorderStackTests {
    /// The recorder as the repository ships it: the image scripts/build-image makes without the network, deployed
    /// with `docker stack deploy` from deploy/clawtop-recorder.yml (its socket mounted in place of
    /// /var/run/docker.sock), and scraped by Prometheus. On the second private swarm, where no other test runs: a
    /// recorder in a container probes the labelled agents of the other tests without their token files.
    @Test func theRecorderDeployedFromTheStackFileIsScraped() async throws {
        let host = try TestDocker.require(TestDocker.swarm2Host, "CLAWTOP_TEST_SWARM2_DOCKER_HOST")
        let id = UUID().uuidString.prefix(6).lowercased()
        let (tag, stack) = ("clawtop-recorder:t\(id)", "ctrec\(id)")
        let directory = NSTemporaryDirectory() + "clawtop-stack-\(id)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try """
            agents:
              kept:
                hostname: kept.example.com
                backend: http://127.0.0.1:1
                policy: unmanaged
            """.write(toFile: directory + "/orchestrator.yaml", atomically: true, encoding: .utf8)
        let port = try freeLoopbackPort()
        let environment = ["DOCKER_HOST": host, "PATH": "/usr/bin:/bin:/usr/sbin:/sbin", "CLAWTOP_IMAGE": tag,
                           "CLAWTOP_METRICS": "127.0.0.1:\(port)", "CLAWTOP_SWARM": stack, "DOCKER_SOCKET": String(host.dropFirst("unix://".count)),
                           "WARREN_CONFIG": directory + "/orchestrator.yaml"]
        let built = try await run(packageRoot.appendingPathComponent("scripts/build-image").path, [try clawtopBinary(), tag],
                                  environment: environment, timeout: 300)
        #expect(built.status == 0, "\(built.stderr)")
        let deployed = try await run("/usr/bin/env", ["docker", "stack", "deploy", "-c",
                                                      packageRoot.appendingPathComponent("deploy/clawtop-recorder.yml").path, stack],
                                     environment: environment)
        #expect(deployed.status == 0, "\(deployed.stderr)")
        defer {
            _ = try? run("/usr/bin/env", ["docker", "stack", "rm", stack], environment: environment)
            // The volume and the image go once the task's container has.
            for _ in 0..<40 {
                if (try? run("/usr/bin/env", ["docker", "volume", "rm", "\(stack)_history"], environment: environment))?.status == 0 { break }
                usleep(500_000)
            }
            _ = try? run("/usr/bin/env", ["docker", "image", "rm", tag], environment: environment)
        }
        let target = try TestPrometheus.scrape("127.0.0.1:\(port)")
        defer { target.stop() }
        try await TestDocker.waitUntil("the deployed recorder scraped by Prometheus", timeout: 90) {
            try await TestPrometheus.value("clawtop_recorder_info{instance=\"127.0.0.1:\(port)\",swarm=\"\(stack)\"}") == 1
        }
        // It watches the swarm through the socket it was given: the nodes are there.
        #expect(try await TestPrometheus.value("sum(clawtop_node_state{instance=\"127.0.0.1:\(port)\",state=\"ready\"})") == 1)
    }
}
