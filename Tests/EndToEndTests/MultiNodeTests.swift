import Foundation
import Testing
import TestSupport

/// clawtop on the real three-node swarm from scripts/test (a manager and two workers, each its own dockerd in a
/// network namespace), run inside the manager's namespace as on a real manager. Each test pins a defect that a
/// one-node swarm cannot show. Serialized: draining a node or taking one down changes the swarm for every test.
@Suite(.enabled(if: TestMultiNode.shouldRun, "needs the three-node swarm from scripts/test"), .serialized)
struct MultiNodeTests {
    func report(_ args: [String]) async throws -> (status: Int32, report: [String: Any]) {
        let r = try await TestMultiNode.clawtop(["snapshot", "--format", "json"] + args)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "\(r.stderr)")
        return (r.status, object)
    }

    func agent(_ report: [String: Any], _ name: String) -> [String: Any]? {
        (report["agents"] as? [[String: Any]])?.first { $0["name"] as? String == name }
    }

    func temporaryDirectory() -> String {
        let dir = NSTemporaryDirectory() + "clawtop-mn-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Three replicas, one per node: each task's node in JSON, and all three in the row's NODE.
    @Test func agentsOnEveryNodeWithTheirNodes() async throws {
        try await TestMultiNode.withService("spread", replicas: 3, flags: ["--replicas-max-per-node", "1"]) { name in
            try await TestDocker.waitUntil("a task on each node", timeout: 60) {
                try await TestMultiNode.runningNodes(name) == ["mgr1", "wk1", "wk2"]
            }
            var placed: Set<String> = []
            try await TestDocker.waitUntil("clawtop places the three tasks", timeout: 30) {
                let row = agent(try await report(["--all"]).report, name)
                placed = Set((row?["tasks"] as? [[String: Any]] ?? []).filter { $0["state"] as? String == "running" }
                    .compactMap { $0["node"] as? String })
                return placed == ["mgr1", "wk1", "wk2"]
            }
            let text = try await TestMultiNode.clawtop(["snapshot", "--all", "--width", "200", "--height", "60"])
            #expect(text.stdout.split(separator: "\n").contains { $0.contains(String(name.prefix(10))) && $0.contains("mgr1,wk1") },
                    "\(text.stdout)")
            #expect(text.stdout.split(separator: "\n").first?.contains("nodes 3/3") == true)
        }
    }

    /// A constraint no node meets: STATE pending, Swarm's reason in LAST ERROR and JSON, and snapshot exits 1 (it
    /// showed "starting" forever and exited 0).
    @Test func aTaskPendingOnAPlacementConstraintSaysWhy() async throws {
        try await TestMultiNode.withService("pend", flags: ["--constraint", "node.labels.gpu==yes"]) { name in
            var last: [String: Any]?
            var status: Int32 = 0
            try await TestDocker.waitUntil("pending with its reason", timeout: 30) {
                let (s, r) = try await report(["--all"])
                (status, last) = (s, agent(r, name))
                return last?["state"] as? String == "pending"
            }
            #expect((last?["lastError"] as? String)?.contains("no suitable node") == true, "\(String(describing: last))")
            #expect(status == 1, "a task that cannot be placed is not a healthy fleet")
            let text = try await TestMultiNode.clawtop(["snapshot", "--all", "--width", "200", "--height", "60"])
            let row = text.stdout.split(separator: "\n").first { $0.contains(String(name.prefix(10))) }
            #expect(row?.contains("pending") == true && row?.contains("no suitable node") == true, "\(text.stdout)")
        }
    }

    /// Docker's HEALTHCHECK of a container on a worker: the manager's daemon cannot read it (it showed "-"), but
    /// Swarm's task states say it, honestly labelled: a task runs only once its check has passed (`passed`, from
    /// `task`), and one whose check fails is killed and replaced, with Swarm's reason.
    @Test func aHealthCheckOnAWorkerIsToldByTheTaskState() async throws {
        let healthy = "exec httpd -f -p 127.0.0.1:18181 -h /www"
        let check = ["--health-cmd", "wget -q -O- http://127.0.0.1:18181/api/health", "--health-interval", "1s", "--health-retries", "1"]
        try await TestMultiNode.withService("whc", command: healthy, flags: ["--constraint", "node.hostname==wk1"] + check) { name in
            try await TestDocker.waitUntil("its check passed on wk1", timeout: 60) { try await TestMultiNode.runningNodes(name) == ["wk1"] }
            var row: [String: Any]?
            try await TestDocker.waitUntil("clawtop tells it from the task", timeout: 30) {
                row = agent(try await report(["--all"]).report, name)
                return row?["dockerHealth"] as? String == "healthy"
            }
            #expect(row?["dockerHealthFrom"] as? String == "task", "\(String(describing: row))")
            let text = try await TestMultiNode.clawtop(["snapshot", "--all", "--width", "200", "--height", "60"])
            #expect(text.stdout.split(separator: "\n").contains { $0.contains(String(name.prefix(10))) && $0.contains("passed") },
                    "\(text.stdout)")
        }
        // A check that never passes: the task is killed as unhealthy and replaced; Swarm's reason says so.
        let failing = ["--health-cmd", "false", "--health-interval", "1s", "--health-retries", "1"]
        try await TestMultiNode.withService("wuh", flags: ["--constraint", "node.hostname==wk2"] + failing) { name in
            var row: [String: Any]?
            try await TestDocker.waitUntil("an unhealthy task replaced", timeout: 60) {
                row = agent(try await report(["--all"]).report, name)
                return (row?["lastError"] as? String)?.contains("unhealthy") == true
            }
            // The row is there and failing; Docker's check, when a task runs to have one, never reads healthy (between
            // the kill and the next task's first check there is none to read: the key is absent then).
            #expect(row?["state"] as? String == "failing", "\(String(describing: row))")
            #expect([nil, "unhealthy", "starting"].contains(row?["dockerHealth"] as? String), "\(String(describing: row))")
        }
    }

    /// A rolling update, one task at a time with a pause between: the row says how far it has come (`upd 1/3`),
    /// JSON has Swarm's state and the count, and the end is `completed`.
    @Test func aRollingUpdateShowsItsProgress() async throws {
        try await TestMultiNode.withService("roll", replicas: 3, flags: ["--replicas-max-per-node", "1", "--update-delay", "4s",
                                                                         "--update-parallelism", "1"]) { name in
            try await TestDocker.waitUntil("three tasks running", timeout: 60) { try await TestMultiNode.runningNodes(name).count == 3 }
            try await TestMultiNode.docker(["service", "update", "-d", "--env-add", "ROLLOUT=2", name])
            var seen: [String: Any]?
            try await TestDocker.waitUntil("an update under way, part done", timeout: 60) {
                let update = agent(try await report(["--all"]).report, name)?["update"] as? [String: Any]
                seen = update
                return update?["state"] as? String == "updating" && (update?["replaced"] as? Int ?? 0) >= 1
                    && (update?["replaced"] as? Int ?? 3) < 3
            }
            #expect(seen?["of"] as? Int == 3, "\(String(describing: seen))")
            let text = try await TestMultiNode.clawtop(["snapshot", "--all", "--width", "200", "--height", "60"])
            #expect(text.stdout.split(separator: "\n").contains { $0.contains(String(name.prefix(10))) && $0.contains("upd ") && $0.contains("/3") },
                    "\(text.stdout)")
            try await TestDocker.waitUntil("the update completed", timeout: 90) {
                (agent(try await report(["--all"]).report, name)?["update"] as? [String: Any])?["state"] as? String == "completed"
            }
        }
    }

    /// Two stacks deployed with `docker stack deploy` from a stack file as operators write them: replicated agents
    /// spread over the nodes, a plain overlay (DNS round robin: no IPVS here) and an encrypted one, an external
    /// secret, a HEALTHCHECK, a restart policy with max_attempts and window, limits and reservations. clawtop groups
    /// the agents by stack (the STACK column; `--sort stack`), and reads each one's networks, secret and policy.
    @Test func stacksDeployedFromAStackFileAreGrouped() async throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let secret = TestDocker.uniqueName("key")
        let stacks = [TestDocker.uniqueName("sa"), TestDocker.uniqueName("sb")]
        try await TestMultiNode.docker(["secret", "create", secret, "-"], stdin: "not-a-real-key\n")
        func removeAll() async {
            for stack in stacks { _ = try? await TestMultiNode.docker(["stack", "rm", stack]) }
            // The secret goes once no service uses it.
            try? await TestDocker.waitUntil("the stacks' services gone", timeout: 30) {
                for stack in stacks where !(try await TestMultiNode.docker(["service", "ls", "-q", "--filter", "name=\(stack)"])).isEmpty {
                    return false
                }
                return true
            }
            _ = try? await TestMultiNode.docker(["secret", "rm", secret])
        }
        let file = dir + "/stack.yml"
        try """
            version: "3.8"
            services:
              agent:
                image: \(TestDocker.image)
                command: ["sh", "-c", "httpd -f -p 18790 -h /www & while true; do sleep 1; done"]
                networks: [plain, secure]
                secrets: [\(secret)]
                healthcheck: {test: ["CMD", "wget", "-q", "-O-", "http://127.0.0.1:18790/api/health"], interval: 2s, retries: 2}
                stop_grace_period: 1s
                deploy:
                  replicas: 2
                  endpoint_mode: dnsrr
                  placement: {max_replicas_per_node: 1}
                  restart_policy: {condition: on-failure, delay: 2s, max_attempts: 3, window: 60s}
                  resources: {limits: {cpus: "0.5", memory: 64M}, reservations: {memory: 16M}}
            networks:
              plain: {driver: overlay}
              secure: {driver: overlay, driver_opts: {encrypted: ""}}
            secrets:
              \(secret): {external: true}
            """.write(toFile: file, atomically: true, encoding: .utf8)
        do {
            for stack in stacks { try await TestMultiNode.docker(["stack", "deploy", "--resolve-image", "never", "-c", file, stack]) }
            let names = stacks.map { "\($0)_agent" }
            try await TestDocker.waitUntil("both stacks running, spread", timeout: 90) {
                for name in names where try await TestMultiNode.runningNodes(name).count != 2 { return false }
                return true
            }
            let (_, report) = try await report(["--all"])
            for (stack, name) in zip(stacks, names) {
                let row = try #require(agent(report, name), "\(name) in \(report)")
                #expect(row["stack"] as? String == stack)
                #expect(Set((row["tasks"] as? [[String: Any]] ?? []).compactMap { $0["node"] as? String }).count == 2, "\(row)")
            }
            let table = try await TestMultiNode.clawtop(["snapshot", "--all", "--sort", "stack", "--width", "180", "--height", "60"])
            let lines = table.stdout.split(separator: "\n")
            #expect(lines.contains { $0.contains("STACK") }, "\(table.stdout)")
            let first = try #require(lines.firstIndex { $0.contains(stacks[0]) }), second = try #require(lines.firstIndex { $0.contains(stacks[1]) })
            #expect(first < second, "grouped by stack")
            let details = try await TestMultiNode.clawtop(["snapshot", "--all", "--select", names[0], "--view", "details",
                                                           "--width", "180", "--height", "60"])
            #expect(details.stdout.contains("\(stacks[0])_secure (overlay, encrypted)") && details.stdout.contains("\(stacks[0])_plain (overlay)"),
                    "\(details.stdout)")
            #expect(details.stdout.contains(secret) && details.stdout.contains("on-failure, delay 2s, at most 3"), "\(details.stdout)")
            #expect(!details.stdout.contains("not-a-real-key"))
        } catch {
            await removeAll()
            throw error
        }
        await removeAll()
    }

    /// `--health-url AGENT=http://{node}:PORT/…`: an agent with host-mode ports is probed where each replica runs, one
    /// history each (a 127.0.0.1 URL probed the manager for all of them); a replica that fails shows in the row.
    @Test func eachReplicaIsProbedOnItsNode() async throws {
        let command = "mkdir -p /tmp/w/api; [ \"$(hostname)\" = wk2 ] || echo ok > /tmp/w/api/health; exec httpd -f -p 0.0.0.0:18791 -h /tmp/w"
        try await TestMultiNode.withService("node", replicas: 3, command: command, flags: ["--replicas-max-per-node", "1"]) { name in
            try await TestDocker.waitUntil("a replica on each node", timeout: 60) { try await TestMultiNode.runningNodes(name).count == 3 }
            let url = "http://{node}:18791/api/health"
            var row: [String: Any]?
            try await TestDocker.waitUntil("three replicas probed", timeout: 30) {
                row = agent(try await report(["--all", "--health-url", "\(name)=\(url)"]).report, name)
                return (row?["replicas"] as? [[String: Any]])?.count == 3
            }
            let replicas = try #require(row?["replicas"] as? [[String: Any]])
            let byNode = Dictionary(replicas.compactMap { r in (r["replica"] as? String).map { ($0.split(separator: "@").last.map(String.init) ?? $0, r) } },
                                    uniquingKeysWith: { a, _ in a })
            #expect(byNode["mgr1"]?["health"] as? String == "healthy" && byNode["wk1"]?["health"] as? String == "healthy", "\(replicas)")
            #expect(byNode["wk2"]?["health"] as? String != "healthy" && (byNode["wk2"]?["lastError"] as? String)?.contains("404") == true,
                    "\(replicas)")
            #expect((byNode["wk1"]?["url"] as? String) == "http://10.213.0.12:18791/api/health")
            #expect((row?["lastError"] as? String)?.contains("@wk2") == true, "\(String(describing: row))")
        }
    }

    /// A crash loop on a worker: the console and `snapshot` count its restarts alike (they said 13–15 and 4), from
    /// the task history Swarm keeps, and its NODE says where it crashes (it was empty).
    @Test func aCrashLoopOnAWorkerCountsAlikeInTheConsoleAndSnapshot() async throws {
        let state = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: state) }
        try await TestMultiNode.withService("crash", command: "sleep 1; exit 1",
                                            flags: ["--constraint", "node.hostname==wk1", "--restart-delay", "1s"]) { name in
            // Swarm keeps five tasks a slot: once it has them, four of them replaced a crash.
            try await TestDocker.waitUntil("five tasks in its history", timeout: 90) {
                try await TestMultiNode.docker(["service", "ps", "-q", name]).split(separator: "\n").count >= 5
            }
            let tmux = try TestMultiNode.console("--all", width: 200, state: state)
            defer { tmux.kill() }
            func consoleRestarts() async throws -> Int? {
                guard let line = try await tmux.screen().split(separator: "\n").first(where: { $0.contains(String(name.prefix(10))) }),
                      let match = line.range(of: #"\d+/\d+\*?\s+\d+\s"#, options: .regularExpression) else { return nil }
                return Int(line[match].split(whereSeparator: \.isWhitespace)[1])
            }
            try await TestDocker.waitUntil("the console counts 4", timeout: 30) { try await consoleRestarts() == 4 }
            let row = try #require(agent(try await report(["--all"]).report, name))
            #expect(row["restarts"] as? Int == 4, "\(row)")
            // More crashes (a task Swarm no longer keeps): the count stays what the kept history says, in both.
            let kept = Set(try await TestMultiNode.docker(["service", "ps", "-q", name]).split(separator: "\n"))
            try await TestDocker.waitUntil("another crash", timeout: 30) {
                !Set(try await TestMultiNode.docker(["service", "ps", "-q", name]).split(separator: "\n")).isSubset(of: kept)
            }
            // Watched for a while (the console reads each crash within a second or two): it never counts past it.
            let watched = ContinuousClock.now + .seconds(6)
            while ContinuousClock.now < watched {
                #expect((try await consoleRestarts() ?? 0) <= 4)
                try await Task.sleep(for: .milliseconds(500))
            }
            #expect(agent(try await report(["--all"]).report, name)?["restarts"] as? Int == 4)
            let line = try await tmux.screen().split(separator: "\n").first { $0.contains(String(name.prefix(10))) } ?? ""
            #expect(line.contains("wk1"), "NODE says where it crashes: \(line)")
            try tmux.keys("q")
            try await tmux.waitFor("exit=0")
        }
    }

    /// A worker's lines reach the logs pane labelled with their replica and node.
    @Test func logsFromAWorkersTaskCarryItsNode() async throws {
        let command = "i=0; while true; do echo \"from-worker $i\"; i=$((i+1)); sleep 1; done"
        try await TestMultiNode.withService("wlog", command: command, flags: ["--constraint", "node.hostname==wk1"]) { name in
            try await TestDocker.waitUntil("running on wk1", timeout: 60) { try await TestMultiNode.runningNodes(name) == ["wk1"] }
            try await TestDocker.waitUntil("its lines, labelled 1@wk1", timeout: 30) {
                let r = try await TestMultiNode.clawtop(["snapshot", "--all", "--select", name, "--view", "logs",
                                                         "--width", "120", "--height", "30"])
                return r.stdout.split(separator: "\n").contains { $0.contains("[1@wk1]") && $0.contains("from-worker") }
            }
        }
    }

    /// `@` in the logs pane keeps the lines of one node: a replica on each worker, then only wk2's.
    @Test func theLogsOfOneNode() async throws {
        let state = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let command = "i=0; while true; do echo \"line $i from $(hostname)\"; i=$((i+1)); sleep 1; done"
        try await TestMultiNode.withService("lognode", replicas: 2, command: command,
                                            flags: ["--replicas-max-per-node", "1", "--constraint", "node.role==worker"]) { name in
            try await TestDocker.waitUntil("a replica on each worker", timeout: 60) { try await TestMultiNode.runningNodes(name) == ["wk1", "wk2"] }
            let tmux = try TestMultiNode.console("--all", width: 140, height: 40, state: state)
            defer { tmux.kill() }
            try await tmux.waitFor("HEALTH")
            try tmux.literal("/\(name)")
            try tmux.keys("Enter")
            try tmux.literal("l")
            try await tmux.waitFor("from wk1", timeout: 30)
            try await tmux.waitFor("from wk2", timeout: 30)
            try tmux.literal("@")
            try await tmux.waitFor("logs of the node or replica")
            try tmux.literal("@wk2")
            try tmux.keys("Enter")
            try await tmux.waitFor("only @wk2")
            try await TestDocker.waitUntil("only wk2's lines", timeout: 30) {
                let lines = try await tmux.screen().split(separator: "\n").filter { $0.contains(" line ") && $0.contains(" from wk") }
                return !lines.isEmpty && lines.allSatisfy { $0.contains("@wk2]") && $0.contains("from wk2") }
            }
            try tmux.keys("Escape")
            try tmux.keys("Escape")
            try tmux.keys("q")
            try await tmux.waitFor("exit=0")
        }
    }

    /// `n`, then `d` on a worker: confirmed, the node is drained in Docker and its task moves; the move is not a
    /// restart and the agent is not failing (both were). `a` makes it active again.
    @Test func drainAndActivateANodeFromTheNodesView() async throws {
        let state = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: state) }
        try await TestMultiNode.withService("drn", replicas: 2, flags: ["--replicas-max-per-node", "1"]) { name in
            var nodes: [String] = []
            try await TestDocker.waitUntil("two tasks running", timeout: 60) {
                nodes = try await TestMultiNode.runningNodes(name)
                return nodes.count == 2
            }
            // A worker that runs one of them; the nodes view lists mgr1, wk1, wk2 in that order.
            let target = try #require(nodes.first { $0.hasPrefix("wk") })
            let tmux = try TestMultiNode.console("--all", state: state)
            defer { tmux.kill() }
            try await tmux.waitFor(String(name.prefix(10)))
            try tmux.literal("n")
            try await tmux.waitFor("ADDRESS")
            try tmux.literal(target == "wk1" ? "j" : "jj")
            try tmux.literal("d")
            try await tmux.waitFor("drain node \(target) (active → drain)?")
            try tmux.literal("y")
            try await TestDocker.waitUntil("\(target) drained in Docker") { try await TestMultiNode.nodeState(target).availability == "drain" }
            try await tmux.waitFor("drain node \(target) (active → drain): done")
            try await TestDocker.waitUntil("its task moved", timeout: 60) {
                let now = try await TestMultiNode.runningNodes(name)
                return now.count == 2 && !now.contains(target)
            }
            // The node's own row (the status line names it too, with the word drain).
            try await TestDocker.waitUntil("\(target)'s row says drain", timeout: 30) { frameRow(try await tmux.screen(), target).contains(" drain") }
            try await TestDocker.waitUntil("the moved agent running, not failing, no restart", timeout: 30) {
                let row = agent(try await report(["--all"]).report, name)
                return row?["state"] as? String == "running" && row?["restarts"] as? Int == 0
            }
            try tmux.literal("a")
            try await tmux.waitFor("activate node \(target) (drain → active)?")
            try tmux.literal("y")
            try await TestDocker.waitUntil("\(target) active again") { try await TestMultiNode.nodeState(target).availability == "active" }
            try tmux.literal("n")
            try tmux.keys("q")
            try await tmux.waitFor("exit=0")
            // The action log names the node, not an agent, and the way the action went.
            let log = try String(contentsOfFile: state + "/clawtop/actions.log", encoding: .utf8)
            let entries = log.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            #expect(entries.map { $0["action"] as? String } == ["drain", "activate"], "\(log)")
            #expect(entries.allSatisfy { $0["node"] as? String == target && $0["agent"] == nil && $0["service"] == nil
                && $0["path"] as? String == "docker" && $0["ok"] as? Bool == true }, "\(log)")
        }
    }

    /// A worker's daemon killed: the header counts it out at once (it stayed `nodes 3/3`), the agent pinned to it is
    /// flagged and not counted running (it was), its log lines shown end with a line that says why (they just
    /// stopped), and all recover when the daemon is back. A recorder scraped by Prometheus says the same of the node.
    @Test func aWorkerThatGoesDownIsSeenAndComesBack() async throws {
        let state = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let command = "i=0; while true; do echo \"from-wk2 $i\"; i=$((i+1)); sleep 1; done"
        try await TestMultiNode.withService("down", command: command, flags: ["--constraint", "node.hostname==wk2"]) { name in
            try await TestDocker.waitUntil("running on wk2", timeout: 60) { try await TestMultiNode.runningNodes(name) == ["wk2"] }
            // Wide enough for LAST ERROR in full, tall enough for the table and its logs pane.
            let tmux = try TestMultiNode.console("--all", width: 200, height: 40, state: state)
            defer { tmux.kill() }
            try await tmux.waitFor("nodes 3/3")
            func row() async throws -> String {
                try await tmux.screen().split(separator: "\n").first { $0.contains(String(name.prefix(10))) && $0.contains("/1") }
                    .map(String.init) ?? ""
            }
            try await TestDocker.waitUntil("its row 1/1") { try await row().contains("1/1") }
            try tmux.literal("/\(name)")
            try tmux.keys("Enter")
            try tmux.literal("l")
            try await tmux.waitFor("from-wk2", timeout: 30)
            // A recorder beside it, scraped by Prometheus: the node's state through PromQL.
            let port = try freeLoopbackPort()
            let recorder = try BackgroundProcess(try clawtopBinary(), ["record", "--metrics-listen", "127.0.0.1:\(port)",
                                                                      "--history-dir", state + "/recorder"],
                                                 environment: ["DOCKER_HOST": try TestMultiNode.host(), "LANG": "C.UTF-8"])
            defer { recorder.stop() }
            let target = try TestPrometheus.scrape("127.0.0.1:\(port)")
            defer { target.stop() }
            func wk2(_ state: String) -> String { "clawtop_node_state{instance=\"127.0.0.1:\(port)\",node=\"wk2\",state=\"\(state)\"}" }
            try await TestDocker.waitUntil("wk2 ready through Prometheus", timeout: 60) { try await TestPrometheus.value(wk2("ready")) == 1 }
            do {
                try await TestMultiNode.node("kill", "wk2")
                try await tmux.waitFor("nodes 2/3", timeout: 60)
                try await TestDocker.waitUntil("wk2 down through Prometheus", timeout: 15) { try await TestPrometheus.value(wk2("down")) == 1 }
                try await tmux.waitFor("node wk2 is down: its lines end here", timeout: 30)
                try await TestDocker.waitUntil("the agent on wk2 flagged", timeout: 30) {
                    let r = try await row()
                    return r.contains("0/1") && r.contains("node wk2 is down")
                }
            } catch {
                try? await TestMultiNode.node("start", "wk2")
                throw error
            }
            try await TestMultiNode.node("start", "wk2")
            try await tmux.waitFor("nodes 3/3", timeout: 60)
            try await TestDocker.waitUntil("wk2 ready again through Prometheus", timeout: 15) { try await TestPrometheus.value(wk2("ready")) == 1 }
            try await TestDocker.waitUntil("the agent back on wk2", timeout: 90) { try await row().contains("1/1") }
            try tmux.keys("Escape")
            try tmux.keys("Escape")
            try tmux.keys("q")
            try await tmux.waitFor("exit=0")
        }
    }

    /// `u` in the console on the manager rolls an agent's service back to its spec before the last update, as
    /// `docker service rollback` does, checked in Docker.
    @Test func rollbackFromTheKeyboard() async throws {
        let state = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: state) }
        try await TestMultiNode.withService("rollb", replicas: 2, flags: ["--env", "AGENT_VERSION=1"]) { name in
            try await TestMultiNode.docker(["service", "update", "-d", "--env-add", "AGENT_VERSION=2", name])
            func env() async throws -> String {
                try await TestMultiNode.docker(["service", "inspect", name, "--format", "{{json .Spec.TaskTemplate.ContainerSpec.Env}}"])
            }
            try await TestDocker.waitUntil("the update in the spec") { try await env().contains("AGENT_VERSION=2") }
            let tmux = try TestMultiNode.console("--all", state: state)
            defer { tmux.kill() }
            try await tmux.waitFor("HEALTH")
            try tmux.literal("/\(name)")
            try tmux.keys("Enter")
            try await tmux.waitFor("filter: \(name)")
            try tmux.literal("u")
            try await tmux.waitFor("roll back \(name) to its previous spec?")
            try tmux.literal("y")
            try await TestDocker.waitUntil("the previous spec back in Docker") {
                let now = try await env()
                return now.contains("AGENT_VERSION=1") && !now.contains("AGENT_VERSION=2")
            }
            try await tmux.waitFor("roll back \(name) to its previous spec: done")
            try tmux.keys("Escape")
            try tmux.keys("q")
            try await tmux.waitFor("exit=0")
        }
    }
}
