import Foundation
import Testing
import TestSupport

/// The real binary in a private tmux, against the real swarm: keys in, screen out, effects in Docker.
@Suite(.enabled(if: TestDocker.shouldRun, "needs the private swarm from scripts/test"))
struct ConsoleTests {
    func startConsole(width: Int = 120, height: Int = 30, extraEnv: [String: String] = [:]) throws -> Tmux {
        let host = try TestDocker.requireHost()
        let tmux = try Tmux(width: width, height: height,
                            environment: ["LANG": "C.UTF-8", "DOCKER_HOST": host, "TERM": "tmux-256color"].merging(extraEnv) { $1 })
        // --all: other tests may create services labelled orchestrator.agent at the same time.
        try tmux.type("clear; \(try clawtopBinary()) --all; echo \"exit=$?\"")
        return tmux
    }

    /// The terminal is back in normal mode: canonical input and echo on, the prompt usable.
    func expectCleanShell(_ tmux: Tmux) async throws {
        try tmux.type("stty -a | tr ' ' '\\n' | grep -xE -- '-?(icanon|echo)' | tr '\\n' ' '; echo")
        let screen = try await tmux.waitFor("icanon echo")
        #expect(!screen.contains("-icanon") && !screen.contains("-echo "))
    }

    @Test func tableAppearsAndQLeavesACleanShell() async throws {
        try await TestDocker.withService("tmuxq") { name in
            let tmux = try startConsole()
            defer { tmux.kill() }
            let screen = try await tmux.waitFor(name)
            #expect(screen.contains("NAME") && screen.contains("HEALTH") && screen.contains("REPL"))
            #expect(screen.contains("clawtop"))
            try tmux.keys("q")
            let after = try await tmux.waitFor("exit=0")
            // Left the alternate screen: the table is gone, the shell is back.
            #expect(!after.contains("HEALTH"))
            try await expectCleanShell(tmux)
        }
    }

    @Test func followsAScaleFromEventsAndMovesTheSelection() async throws {
        try await TestDocker.withService("tmuxscale") { name in
            let tmux = try startConsole()
            defer { tmux.kill() }
            try await TestDocker.waitUntil("\(name) running") { try TestDocker.runningTasks(name) == 1 }
            try await tmux.waitFor(name)
            try await TestDocker.docker(["service", "scale", "-d", "\(name)=2"])
            try await TestDocker.waitUntil("2/2 on screen", timeout: 30) {
                try tmux.screen().split(separator: "\n").contains { $0.contains(name) && $0.contains("2/2") }
            }
            try tmux.keys("q")
            try await tmux.waitFor("exit=0")
        }
    }

    /// j, k, Down and Up move the selection: the details pane follows it, between two services alone in the
    /// table (filtered, sorted by name, so no other test's services come between).
    @Test func movementKeysMoveTheSelection() async throws {
        try await TestDocker.withService("tmuxsel") { first in
            try await TestDocker.withService("tmuxsel") { second in
                let (a, b) = (min(first, second), max(first, second))
                let host = try TestDocker.requireHost()
                let tmux = try Tmux(width: 120, height: 30, environment: ["LANG": "C.UTF-8", "DOCKER_HOST": host, "TERM": "tmux-256color"])
                defer { tmux.kill() }
                try tmux.type("clear; \(try clawtopBinary()) --all --sort name; echo \"exit=$?\"")
                try await tmux.waitFor(b)
                try tmux.literal("/ttmuxsel-")
                try tmux.keys("Enter")
                try await tmux.waitFor("details: \(a)")
                for (key, shown) in [("j", b), ("k", a), ("Down", b), ("Up", a), ("G", b), ("g", a)] {
                    try tmux.keys(key)
                    try await tmux.waitFor("details: \(shown)", timeout: 10)
                }
                try tmux.keys("q", "q")
                try await tmux.waitFor("exit=0")
            }
        }
    }

    @Test(arguments: [("TERM", 15, 143), ("HUP", 1, 129)])
    func signalsEndItAndRestoreTheTerminal(name signal: String, number: Int32, status: Int) async throws {
        try await TestDocker.withService("tmuxsig") { service in
            let tmux = try startConsole()
            defer { tmux.kill() }
            try await tmux.waitFor(service)
            let pid = try #require(try tmux.childPID())
            kill(pid, number)
            try await tmux.waitFor("exit=\(status)")
            #expect(kill(pid, 0) != 0, "clawtop is still running after SIG\(signal)")
            try await expectCleanShell(tmux)
        }
    }

    @Test func ctrlCEndsItAndRestoresTheTerminal() async throws {
        let tmux = try startConsole()
        defer { tmux.kill() }
        try await tmux.waitFor("HEALTH")
        try tmux.keys("C-c")
        try await tmux.waitFor("exit=130")
        try await expectCleanShell(tmux)
    }

    @Test func killingTheTmuxServerLeavesNoProcessBehind() async throws {
        let tmux = try startConsole()
        try await tmux.waitFor("HEALTH")
        let pid = try #require(try tmux.childPID())
        tmux.kill() // SIGHUP to everything in it: the SSH-drop case
        try await TestDocker.waitUntil("clawtop to exit after its terminal went away", timeout: 10) { kill(pid, 0) != 0 }
    }

    @Test func ctrlZSuspendsWithTheTerminalRestoredAndFgResumes() async throws {
        try await TestDocker.withService("tmuxz") { name in
            let tmux = try Tmux(width: 120, height: 30, environment: ["LANG": "C.UTF-8", "TERM": "tmux-256color",
                                                                     "DOCKER_HOST": try TestDocker.requireHost()])
            defer { tmux.kill() }
            try tmux.type("clear; \(try clawtopBinary()) --all")
            try await tmux.waitFor(name)
            try tmux.keys("C-z")
            try await tmux.waitFor("Stopped")
            try await expectCleanShell(tmux)
            try tmux.type("clear; fg")
            // Back on the alternate screen: the table, and none of the shell's lines.
            try await TestDocker.waitUntil("the console back after fg") {
                let screen = try tmux.screen()
                return screen.contains(name) && screen.contains("HEALTH") && !screen.contains("fg")
            }
            try tmux.keys("q")
            try tmux.type("echo done=$?")
            try await tmux.waitFor("done=0")
            try await expectCleanShell(tmux)
        }
    }

    @Test func resizeRedrawsAtTheNewSize() async throws {
        try await TestDocker.withService("tmuxsize") { name in
            let tmux = try startConsole(width: 120, height: 40)
            defer { tmux.kill() }
            try await tmux.waitFor(name)
            // Its row stays on screen however many services the other suites add meanwhile.
            try tmux.literal("/\(name)")
            try tmux.keys("Enter")
            try await tmux.waitFor("filter: \(name)")
            // 120×40 is the full layout: the table and, under it, the selected agent's details.
            try await tmux.waitFor(" details: ")
            try tmux.resize(width: 50, height: 12)
            try await TestDocker.waitUntil("a 50-column frame", timeout: 10) {
                let lines = try tmux.screen().split(separator: "\n", omittingEmptySubsequences: false)
                // The status line: its hints, or the filter where they do not fit.
                return lines.contains { $0.contains("? help") || $0.contains("filter: ") } && lines.allSatisfy { $0.count <= 50 }
                    && !lines.contains { $0.contains(" details: ") }
            }
            try tmux.resize(width: 120, height: 40)
            // (The header's last parts, such as the nodes, give way when a busy swarm has agents in every state.)
            try await TestDocker.waitUntil("the full layout again", timeout: 30) {
                let screen = try tmux.screen()
                return screen.contains(" details: ") && screen.contains(" HEALTH ") && screen.contains(name)
            }
            try tmux.keys("q")
            try await tmux.waitFor("exit=0")
        }
    }

    @Test func snapshotPrintsExactlyWhatTheConsoleDraws() async throws {
        try await TestDocker.withService("same") { name in
            let width = 110, height = 20
            let tmux = try startConsole(width: width, height: height)
            defer { tmux.kill() }
            try await tmux.waitFor(name)
            let host = try TestDocker.requireHost()
            // Other tests change the swarm at the same time, and ages tick: compare a screen with snapshots
            // taken just before and after it, again and again, until one matches. While the whole suite starts
            // on two cores the swarm changes every second or so: a quiet moment may take a while to come.
            var lastScreen = "", lastSnapshots: [String] = []
            let deadline = Date().addingTimeInterval(90)
            while Date() < deadline {
                let before = try await snapshot(host: host, width: width, height: height)
                let screen = try await tmux.screen()
                let after = try await snapshot(host: host, width: width, height: height)
                if normalize(screen) == normalize(before) || normalize(screen) == normalize(after) { return }
                lastScreen = screen
                lastSnapshots = [before, after]
                try await Task.sleep(for: .milliseconds(300))
            }
            Issue.record("the console never showed what snapshot printed.\nconsole:\n\(lastScreen)\nsnapshot:\n\(lastSnapshots.last ?? "")")
        }
    }

    func snapshot(host: String, width: Int, height: Int) async throws -> String {
        let r = try await run(clawtopBinary(), ["snapshot", "--all", "--width", String(width), "--height", String(height)],
                        environment: ["DOCKER_HOST": host, "LANG": "C.UTF-8", "PATH": "/usr/bin:/bin"])
        // 1 is a fleet with something failing (other tests' services): still a frame.
        #expect(r.status == 0 || r.status == 1, "snapshot failed: \(r.stderr)")
        return r.stdout
    }

    /// tmux trims trailing blanks and blank trailing rows the same way the text snapshot does. The data's age is
    /// the one thing two processes cannot share: each counts from its own last read.
    func normalize(_ s: String) -> [String] {
        let ageless = s.replacingOccurrences(of: #"synced (<10s|\d+[smhd]) ago *"#, with: "synced ", options: .regularExpression)
        var lines = ageless.split(separator: "\n", omittingEmptySubsequences: false).map { String($0) }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines
    }
}

/// How the binary fails when it cannot do its job: exit 2 and one clear line.
@Suite struct StartupErrorTests {
    @Test func malformedDockerHostExitsTwoWithOneLine() async throws {
        for bad in ["tcp://host:notaport", "gopher://x", "unix://relative/path"] {
            for args in [["snapshot"], []] {
                let r = try await run(clawtopBinary(), args, environment: ["DOCKER_HOST": bad, "PATH": "/usr/bin:/bin"])
                #expect(r.status == 2)
                let lines = r.stderr.split(separator: "\n")
                #expect(lines.count == 1, "expected one line, got: \(r.stderr)")
                #expect(r.stderr.hasPrefix("clawtop: DOCKER_HOST=\(bad) is not a Docker address: "))
                #expect(r.stdout.isEmpty)
            }
        }
    }

    @Test func withoutATerminalItPointsToSnapshot() async throws {
        // stdin and stdout are pipes here, whatever DOCKER_HOST says: no daemon is contacted.
        let r = try await run(clawtopBinary(), [], environment: ["DOCKER_HOST": "unix:///nonexistent.sock", "TERM": "xterm"])
        #expect(r.status == 2)
        #expect(r.stderr == "clawtop: clawtop needs a terminal (stdin and stdout are not both a tty); for scripts use `clawtop snapshot`.\n")
    }

    @Test func aMissingSocketIsSaidPlainly() async throws {
        let r = try await run(clawtopBinary(), ["snapshot"], environment: ["DOCKER_HOST": "unix:///nonexistent/docker.sock"])
        #expect(r.status == 2)
        #expect(r.stderr == "clawtop: no Docker socket at /nonexistent/docker.sock: is the Docker daemon running on this machine? Set DOCKER_HOST or DOCKER_CONTEXT to reach another daemon.\nTo see clawtop without a swarm: clawtop --demo\n")
    }

    @Test(.enabled(if: TestDocker.shouldRun)) func aDaemonThatIsNotAManagerIsSaidPlainly() async throws {
        let plain = try TestDocker.require(TestDocker.plainHost, "CLAWTOP_TEST_PLAIN_DOCKER_HOST")
        let r = try await run(clawtopBinary(), ["snapshot"], environment: ["DOCKER_HOST": plain])
        #expect(r.status == 2)
        #expect(r.stderr.hasPrefix("clawtop: this Docker daemon is not a swarm manager (this node is not in a swarm)"))
    }

    @Test(.enabled(if: TestDocker.shouldRun)) func aSocketThisUserMayNotOpenIsSaidPlainly() async throws {
        let host = try TestDocker.requireHost()
        let path = String(host.dropFirst("unix://".count))
        // The private daemon's socket is root's; run the real binary as an unprivileged user, from a copy that
        // user can reach (the checkout may sit in a private directory).
        let copy = "/tmp/clawtop-nobody-\(UUID().uuidString.prefix(8))"
        // cp in a child process: a copy written by this (multi-threaded) runner could leak its write descriptor
        // into a child another test forks at that moment, and executing it would fail with "Text file busy".
        let copied = try await run("/bin/cp", [try clawtopBinary(), copy])
        defer { try? FileManager.default.removeItem(atPath: copy) }
        #expect(copied.status == 0, "\(copied.stderr)")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: copy)
        let r = try await run("/usr/sbin/runuser", ["-u", "nobody", "--", copy, "snapshot"],
                        environment: ["DOCKER_HOST": host, "PATH": "/usr/bin:/bin"])
        #expect(r.status == 2, "\(r.stdout)\(r.stderr)")
        #expect(r.stderr.hasPrefix("clawtop: permission denied on \(path): "), "\(r.stderr)")
        // The socket is root:docker 0660, as on a Debian host: the message names the group to join.
        #expect(r.stderr.contains("add your user to the 'docker' group (sudo usermod -aG docker $USER"), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1)
    }

    @Test(.enabled(if: TestDocker.shouldRun)) func dumbTerminalExitsTwo() async throws {
        let tmux = try Tmux(width: 80, height: 10, environment: ["DOCKER_HOST": "unix:///nonexistent.sock"])
        defer { tmux.kill() }
        try tmux.type("TERM=dumb \(try clawtopBinary()); echo \"exit=$?\"")
        // The typed command itself shows `exit=$?`: wait for the number.
        let screen = try await tmux.waitFor("exit=2")
        #expect(screen.contains("TERM is 'dumb'") && screen.contains("clawtop snapshot"))
    }
}
