import Foundation
import Testing
import TestSupport

/// clawtop over `ssh://`, the way an operator reaches a manager from a laptop: the real binary runs the system's
/// ssh (with a client config of the test's own) against the private sshd from scripts/test, whose test users'
/// docker CLI talks to the private swarm.
///
/// Serialized: each case starts clawtop with several ssh sessions, each running the docker CLI on the remote side;
/// all at once, on two cores, they starved the other suites' first calls to the daemon.
@Suite(.enabled(if: TestSSH.shouldRun, "needs the private sshd from scripts/test"), .serialized)
struct SSHEndToEndTests {
    func snapshot(_ env: [String: String], _ args: [String] = ["--all"]) async throws -> ProcessResult {
        try await run(clawtopBinary(), ["snapshot", "--width", "140", "--height", "40"] + args, environment: env)
    }

    /// The details of `name` show it running: the table of a busy test swarm may not have its row on screen, nor
    /// room for its whole name.
    func showsRunning(_ frame: String, _ name: String) -> Bool {
        frame.split(separator: "\n").contains { $0.contains("service") && $0.contains(name) && $0.contains("replicated 1/1") }
    }

    @Test func theTableOverSSHWithUserAndPortFromTheAddressOrTheConfig() async throws {
        let server = try TestSSH.server()
        let client = try TestSSH.Client(server)
        try await TestDocker.withService("ssnap") { name in
            try await TestDocker.waitUntil("\(name) running") { try await TestDocker.runningTasks(name) == 1 }
            // ssh://user@host:port, and ssh://alias whose user and port only the ssh config knows.
            for address in [server.address(), client.address] {
                let r = try await snapshot(client.environment.merging(["DOCKER_HOST": address]) { $1 },
                                           ["--all", "--select", name, "--view", "details"])
                #expect(r.status == 0 || r.status == 1, "\(address): \(r.stderr)")
                #expect(r.stdout.contains(address), "the header names the endpoint:\n\(r.stdout)")
                #expect(showsRunning(r.stdout, name), "\(address):\n\(r.stdout)\n\(r.stderr)")
            }
        }
        #expect(try await client.sshProcesses().isEmpty)
        #expect(client.leftInTemp().isEmpty, "the relay left \(client.leftInTemp())")
    }

    /// Container stats and inspect go through the relay too: a memory hog's figure and a burner's CPU.
    @Test func usageOverSSH() async throws {
        let server = try TestSSH.server()
        let client = try TestSSH.Client(server)
        let env = client.environment.merging(["DOCKER_HOST": client.address]) { $1 }
        try await TestDocker.withService("shog", command: UsageEndToEndTests.hog(40), extraFlags: ["--limit-memory", "256M"]) { hog in
            try await TestDocker.withService("sburn", command: UsageEndToEndTests.burner, extraFlags: ["--limit-cpu", "0.2"]) { burner in
                try await TestDocker.waitUntil("the hog's memory and the burner's CPU over ssh", timeout: 90) {
                    let r = try await snapshot(env, ["--all", "--format", "json"])
                    let agents = (try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])?["agents"] as? [[String: Any]] ?? []
                    func usage(_ name: String) -> [String: Any]? { agents.first { $0["name"] as? String == name }?["usage"] as? [String: Any] }
                    let cpu = usage(burner)?["cpuPercent"] as? Double ?? 0
                    return (usage(hog)?["memoryBytes"] as? Int ?? 0) > 39_000_000 && (15...25).contains(cpu)
                }
            }
        }
        #expect(try await client.sshProcesses().isEmpty)
    }

    /// A docker context whose endpoint is ssh://, made by the real docker CLI, found through DOCKER_CONFIG or
    /// through $HOME/.docker.
    @Test(arguments: ["DOCKER_CONFIG", "HOME"])
    func aDockerContextWithAnSSHEndpoint(foundThrough variable: String) async throws {
        let server = try TestSSH.server()
        let client = try TestSSH.Client(server)
        let config = variable == "HOME" ? client.home + "/.docker" : client.home + "/docker-config"
        let dockerEnv = ["DOCKER_CONFIG": config, "PATH": "/usr/bin:/bin", "HOME": client.home]
        let created = try await run("/usr/bin/env", ["docker", "context", "create", "swarm-over-ssh",
                                                     "--docker", "host=\(client.address)"], environment: dockerEnv)
        #expect(created.status == 0, "\(created.stderr)")
        let used = try await run("/usr/bin/env", ["docker", "context", "use", "swarm-over-ssh"], environment: dockerEnv)
        #expect(used.status == 0, "\(used.stderr)")
        var env = client.environment
        if variable == "DOCKER_CONFIG" { env["DOCKER_CONFIG"] = config }
        try await TestDocker.withService("sctx") { name in
            try await TestDocker.waitUntil("\(name) running") { try await TestDocker.runningTasks(name) == 1 }
            let r = try await snapshot(env, ["--all", "--select", name, "--view", "details"])
            #expect(r.status == 0 || r.status == 1, "\(r.stderr)")
            #expect(r.stdout.contains("swarm-over-ssh"), "the header names the context:\n\(r.stdout)")
            #expect(showsRunning(r.stdout, name), "\(r.stdout)\n\(r.stderr)")
        }
    }

    // MARK: - Probes from where the swarm is

    /// A health server on the SSH host's own loopback, which this machine cannot reach: over ssh://, the probe goes
    /// out from the SSH host (`ssh -W`), finds it healthy, and the row and JSON say which way it went; a closed port
    /// there is "refused", as from the host itself; with `--probe-from here` the probe stays here and does not reach it.
    @Test func aProbeThroughTheSSHHostReachesWhatOnlyItReaches() async throws {
        let server = try TestSSH.server()
        let client = try TestSSH.Client(server)
        let health = try await ScriptServer.start(script: "misbehaving-http.py", netns: server.netns)
        defer { health.stop() }
        let env = client.environment.merging(["DOCKER_HOST": client.address]) { $1 }
        func agent(_ json: String, _ name: String) throws -> [String: Any] {
            let report = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
            let agents = try #require(report["agents"] as? [[String: Any]])
            return try #require(agents.first { $0["name"] as? String == name }, "\(json)")
        }
        try await TestDocker.withService("sprobe") { name in
            try await TestDocker.waitUntil("\(name) running") { try await TestDocker.runningTasks(name) == 1 }
            let url = "\(health.address)/ok"
            let relayed = try await snapshot(env, ["--all", "--health-url", "\(name)=\(url)", "--format", "json"])
            let row = try agent(relayed.stdout, name)
            #expect(row["health"] as? String == "healthy", "\(relayed.stdout)\n\(relayed.stderr)")
            #expect(row["probeVia"] as? String == "ssh \(client.alias)", "\(row)")
            let text = try await snapshot(env, ["--all", "--health-url", "\(name)=\(url)"])
            let table = text.stdout.split(separator: "\n").filter { $0.contains(String(name.prefix(8))) && $0.contains("100%") }
            #expect(table.count == 1 && table[0].contains("s ssh "), "CHECK says the probe went through ssh:\n\(text.stdout)")

            let closed = try await snapshot(env, ["--all", "--health-url", "\(name)=http://127.0.0.1:1/ok", "--format", "json"])
            let refused = try agent(closed.stdout, name)
            #expect(refused["lastError"] as? String == "refused", "\(refused)")

            let here = try await snapshot(env, ["--all", "--probe-from", "here", "--health-url", "\(name)=\(url)", "--format", "json"])
            let direct = try agent(here.stdout, name)
            // Present (a missing key is not "not healthy"), and not healthy: only the SSH host reaches the URL.
            let health = direct["health"] as? String
            #expect(health != nil && health != "healthy", "\(direct)")
            #expect(direct["probeVia"] == nil, "\(direct)")
        }
        try await TestDocker.waitUntil("no ssh left", timeout: 10) { try await client.sshProcesses().isEmpty }
        #expect(client.leftInTemp().isEmpty, "the relay left \(client.leftInTemp())")
    }

    // MARK: - Errors at start: one line, exit status 2

    enum Broken: String, CaseIterable, CustomTestStringConvertible {
        case wrongKey, unknownHostKey, noDocker, noSocketPermission
        var testDescription: String { rawValue }
    }

    @Test(arguments: Broken.allCases)
    func eachFailureIsOneLineAndExitTwo(_ broken: Broken) async throws {
        let server = try TestSSH.server()
        let emptyKnownHosts = NSTemporaryDirectory() + "clawtop-known-hosts-\(UUID().uuidString.prefix(8))"
        _ = FileManager.default.createFile(atPath: emptyKnownHosts, contents: Data())
        defer { try? FileManager.default.removeItem(atPath: emptyKnownHosts) }
        let client: TestSSH.Client
        let expected: [String]
        switch broken {
        case .wrongKey:
            client = try TestSSH.Client(server, identity: server.wrongKey)
            expected = ["authentication failed", "Permission denied (publickey)", "ssh-add"]
        case .unknownHostKey:
            client = try TestSSH.Client(server, knownHosts: emptyKnownHosts)
            expected = ["is not known", "accept it once by running `ssh", "ssh-keyscan -p \(server.port) \(server.host)"]
        case .noDocker:
            client = try TestSSH.Client(server, user: server.noDockerUser)
            expected = ["there is no `docker` command in the PATH of \(server.noDockerUser)'s SSH sessions",
                        "clawtop needs the docker CLI on the remote"]
        case .noSocketPermission:
            client = try TestSSH.Client(server, user: server.noPermUser)
            expected = ["\(server.noPermUser) may not open the Docker socket", "sudo usermod -aG docker \(server.noPermUser)"]
        }
        // The address names user and port: the message can name them too (the console test uses an alias).
        let user = broken == .noDocker ? server.noDockerUser : broken == .noSocketPermission ? server.noPermUser : server.user
        let r = try await snapshot(client.environment.merging(["DOCKER_HOST": server.address(user: user)]) { $1 }, [])
        #expect(r.status == 2, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.hasPrefix("clawtop: ssh to "), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1, "one line: \(r.stderr)")
        for part in expected { #expect(r.stderr.contains(part), "'\(part)' missing from: \(r.stderr)") }
        #expect(try await client.sshProcesses().isEmpty)
        #expect(client.leftInTemp().isEmpty)
    }

    /// The console fails the same way, before it takes the terminal; ssh never prompts in it.
    @Test func theConsoleFailsAtStartWithTheSameLine() async throws {
        let server = try TestSSH.server()
        let emptyKnownHosts = NSTemporaryDirectory() + "clawtop-known-hosts-\(UUID().uuidString.prefix(8))"
        _ = FileManager.default.createFile(atPath: emptyKnownHosts, contents: Data())
        defer { try? FileManager.default.removeItem(atPath: emptyKnownHosts) }
        let client = try TestSSH.Client(server, knownHosts: emptyKnownHosts)
        let tmux = try Tmux(width: 200, height: 20, environment: client.environment.merging(
            ["DOCKER_HOST": client.address, "TERM": "tmux-256color"]) { $1 })
        defer { tmux.kill() }
        try tmux.type("clear; \(client.pathPrefix) \(try clawtopBinary()); echo \"exit=$?\"")
        let screen = try await tmux.waitFor("exit=2", timeout: 30)
        // Through an alias: the advice names the alias for ssh, and the real address ssh reported for ssh-keyscan.
        let line = screen.replacingOccurrences(of: "\n", with: "")
        #expect(line.contains("clawtop: ssh to \(client.alias): the host key of \(client.alias) is not known"), "\(screen)")
        #expect(line.contains("`ssh \(client.alias)`") && line.contains("`ssh-keyscan -p \(server.port) \(server.host) >> ~/.ssh/known_hosts`"), "\(screen)")
        #expect(!screen.contains("Are you sure you want to continue connecting"))
    }

    // MARK: - The console over SSH

    func startConsole(_ client: TestSSH.Client, args: String = "--all", state: String? = nil) throws -> Tmux {
        var env = client.environment.merging(["DOCKER_HOST": client.address, "TERM": "tmux-256color"]) { $1 }
        if let state { env["XDG_STATE_HOME"] = state }
        let tmux = try Tmux(width: 140, height: 30, environment: env)
        try tmux.type("clear; \(client.pathPrefix) \(try clawtopBinary()) \(args); echo \"exit=$?\"")
        return tmux
    }

    func replicas(_ service: String) async throws -> String {
        try await TestDocker.docker(["service", "inspect", service, "--format", "{{.Spec.Mode.Replicated.Replicas}}"])
    }

    func showsReplicas(_ tmux: Tmux, _ name: String, _ text: String) async throws {
        try await TestDocker.waitUntil("\(text) for \(name) on screen", timeout: 45) {
            try await tmux.screen().split(separator: "\n").contains { $0.contains(name) && $0.contains(text) }
        }
    }

    @Test func eventsLogsAndAnActionOverSSH() async throws {
        let server = try TestSSH.server()
        let client = try TestSSH.Client(server)
        let command = "i=0; while true; do echo \"over-ssh $i\"; i=$((i+1)); sleep 1; done"
        try await TestDocker.withService("scon", command: command) { name in
            let state = client.home + "/state"
            let tmux = try startConsole(client, state: state)
            defer { tmux.kill() }
            try await tmux.waitFor(name)
            try await showsReplicas(tmux, name, "1/1")
            // The event stream: a change made in Docker shows up.
            try await TestDocker.docker(["service", "scale", "-d", "\(name)=2"])
            try await showsReplicas(tmux, name, "2/2")
            // Logs through a stream of their own.
            try tmux.literal("/\(name)")
            try tmux.keys("Enter")
            try await tmux.waitFor("filter: \(name)")
            try tmux.literal("l")
            try await tmux.waitFor("logs: \(name)")
            try await tmux.waitFor("over-ssh ", timeout: 30)
            try tmux.keys("Escape")
            try await tmux.waitFor("HEALTH")
            // An action: scale from the console, checked in Docker.
            try tmux.literal("+")
            try await tmux.waitFor("scale \(name) 2 → 3?")
            try tmux.literal("y")
            try await TestDocker.waitUntil("3 replicas in Docker") { try await replicas(name) == "3" }
            try await tmux.waitFor("scale \(name) 2 → 3: done")
            try tmux.keys("q")
            try await tmux.waitFor("exit=0")
        }
        try await TestDocker.waitUntil("no ssh left after quitting", timeout: 10) { try await client.sshProcesses().isEmpty }
        #expect(client.leftInTemp().isEmpty, "the relay left \(client.leftInTemp())")
    }

    /// The SSH connection dies under a running console, and new ones fail for a while (the host's port closed):
    /// the console says it is reconnecting; once the host is back it recovers, shows what changed meanwhile, the
    /// logs stream resumes, and an action goes through.
    @Test func aLostConnectionReconnectsAndRecovers() async throws {
        let server = try TestSSH.server()
        let client = try TestSSH.Client(server)
        let command = "i=0; while true; do echo \"tick-$i\"; i=$((i+1)); sleep 1; done"
        try await TestDocker.withService("slost", command: command) { name in
            let tmux = try startConsole(client, state: client.home + "/state")
            defer { tmux.kill() }
            try await tmux.waitFor(name)
            try await showsReplicas(tmux, name, "1/1")
            try tmux.literal("/\(name)")
            try tmux.keys("Enter")
            try await tmux.waitFor("filter: \(name)")
            try tmux.literal("l")
            try await tmux.waitFor("logs: \(name)")
            try await tmux.waitFor("tick-2", timeout: 30)
            let live = try await client.sshProcesses()
            #expect(!live.isEmpty, "clawtop runs ssh for its connections")

            // The outage: new connections are refused, and every running ssh is killed.
            let closed = try await Self.closedPort()
            try client.setPort(closed, server: server)
            for pid in live { kill(pid, SIGKILL) }
            let outage = try await tmux.waitFor("reconnecting", timeout: 30)
            #expect(outage.contains("ssh to \(client.alias)"), "\(outage)")
            let lastTick = Self.ticks(in: outage).max() ?? 0
            // A change while clawtop cannot see.
            try await TestDocker.docker(["service", "scale", "-d", "\(name)=2"])

            // The host is back: the logs stream resumes past the outage, the table shows the change.
            try client.setPort(server.port, server: server)
            try await TestDocker.waitUntil("reconnected", timeout: 45) { !(try await tmux.screen()).contains("reconnecting") }
            try await TestDocker.waitUntil("log lines after the outage", timeout: 45) {
                (Self.ticks(in: try await tmux.screen()).max() ?? 0) > lastTick + 3
            }
            try tmux.keys("Escape")
            try await tmux.waitFor("HEALTH")
            try await showsReplicas(tmux, name, "2/2")
            // The killed ssh processes were reaped: clawtop has no zombie children.
            let clawtop = try #require(try tmux.childPID())
            let children = try await run("/usr/bin/ps", ["--ppid", String(clawtop), "-o", "stat=,comm="])
            #expect(!children.stdout.split(separator: "\n").contains { $0.hasPrefix("Z") }, "zombies: \(children.stdout)")
            try tmux.literal("+")
            try await tmux.waitFor("scale \(name) 2 → 3?")
            try tmux.literal("y")
            try await TestDocker.waitUntil("3 replicas in Docker") { try await replicas(name) == "3" }
            try await tmux.waitFor("scale \(name) 2 → 3: done")
            try tmux.keys("q")
            try await tmux.waitFor("exit=0")
        }
        try await TestDocker.waitUntil("no ssh left after quitting", timeout: 10) { try await client.sshProcesses().isEmpty }
        #expect(client.leftInTemp().isEmpty)
    }

    static func ticks(in screen: String) -> [Int] {
        screen.split(separator: "\n").compactMap { line in
            line.range(of: #"tick-\d+"#, options: .regularExpression).flatMap { Int(line[$0].dropFirst(5)) }
        }
    }

    /// A signal ends clawtop at once; its ssh processes and the relay's directory go with it.
    @Test func aSignalLeavesNoSSHBehind() async throws {
        let server = try TestSSH.server()
        let client = try TestSSH.Client(server)
        try await TestDocker.withService("ssig") { name in
            let tmux = try startConsole(client)
            defer { tmux.kill() }
            try await tmux.waitFor(name)
            #expect(!(try await client.sshProcesses()).isEmpty)
            let pid = try #require(try tmux.childPID())
            kill(pid, SIGTERM)
            try await tmux.waitFor("exit=143")
        }
        try await TestDocker.waitUntil("no ssh left after SIGTERM", timeout: 10) { try await client.sshProcesses().isEmpty }
        #expect(client.leftInTemp().isEmpty, "the relay left \(client.leftInTemp())")
    }

    /// SIGKILL runs no exit hook: the relay's directory stays behind, its ssh sessions end with their stdin; the
    /// next clawtop over ssh removes the directory (nothing listens there any more).
    @Test func aKilledConsolesRelayIsSweptByTheNextRun() async throws {
        let server = try TestSSH.server()
        let client = try TestSSH.Client(server)
        try await TestDocker.withService("skill") { name in
            let tmux = try startConsole(client)
            defer { tmux.kill() }
            try await tmux.waitFor(name)
            let pid = try #require(try tmux.childPID())
            kill(pid, SIGKILL)
            try await tmux.waitFor("exit=137")
            #expect(!client.leftInTemp().isEmpty, "a killed clawtop cannot clean up")
            try await TestDocker.waitUntil("its ssh sessions end", timeout: 15) { try await client.sshProcesses().isEmpty }
            let r = try await snapshot(client.environment.merging(["DOCKER_HOST": client.address]) { $1 })
            #expect(r.status == 0 || r.status == 1, "\(r.stderr)")
        }
        #expect(client.leftInTemp().isEmpty, "the next run swept \(client.leftInTemp())")
    }

    /// A loopback port nothing listens on.
    static func closedPort() async throws -> Int {
        let r = try await run("/usr/bin/env", ["python3", "-c",
                                         "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1]); s.close()"])
        return try #require(Int(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
    }
}
