import Foundation
import Testing
import TestSupport

/// Actions from the console, the way an operator takes them: the real binary in tmux, keys in, Docker checked.
@Suite(.enabled(if: TestDocker.shouldRun)) struct ActionTests {
    /// A config naming `service` as the on-demand agent `act`.
    func config(for service: String) throws -> String {
        let path = NSTemporaryDirectory() + "clawtop-act-\(UUID().uuidString.prefix(8)).yaml"
        try """
            agents:
              act:
                hostname: act.example.com
                backend: http://tasks.\(service):18789
                policy: on-demand
                container: {name: \(service)}
                health: {url: "http://127.0.0.1:1/health", check_interval: 30s}
                idle: {timeout: 30m}
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func startConsole(_ args: String, state: String) throws -> Tmux {
        let tmux = try Tmux(width: 120, height: 30,
                            environment: ["LANG": "C.UTF-8", "DOCKER_HOST": try TestDocker.requireHost(), "TERM": "tmux-256color",
                                          "XDG_STATE_HOME": state])
        try tmux.type("clear; \(try clawtopBinary()) \(args); echo \"exit=$?\"")
        return tmux
    }

    func replicas(_ service: String) async throws -> String {
        try await TestDocker.docker(["service", "inspect", service, "--format", "{{.Spec.Mode.Replicated.Replicas}}"])
    }

    func forceUpdate(_ service: String) async throws -> Int {
        Int(try await TestDocker.docker(["service", "inspect", service, "--format", "{{.Spec.TaskTemplate.ForceUpdate}}"])) ?? -1
    }

    /// Presses `key`, checks the confirmation names the exact effect, answers `answer`.
    func act(_ tmux: Tmux, _ key: String, expect effect: String, answer: String) async throws {
        try tmux.literal(key)
        try await tmux.waitFor(effect + "?")
        try tmux.literal(answer)
    }

    @Test func scaleRestartAndSleepFromTheKeyboard() async throws {
        try await TestDocker.withService("act") { name in
            let path = try config(for: name)
            let state = NSTemporaryDirectory() + "clawtop-state-\(UUID().uuidString.prefix(8))"
            defer { try? FileManager.default.removeItem(atPath: path); try? FileManager.default.removeItem(atPath: state) }
            let tmux = try startConsole("--config \(path)", state: state)
            defer { tmux.kill() }
            try await tmux.waitFor(" act ")

            try await act(tmux, "+", expect: "scale \(name) 1 → 2", answer: "y")
            try await TestDocker.waitUntil("2 replicas in Docker") { try await replicas(name) == "2" }
            try await tmux.waitFor("● scale \(name) 1 → 2: done")
            try await TestDocker.waitUntil("2 tasks running") { try await TestDocker.runningTasks(name) == 2 }
            try await tmux.waitFor("2/2")

            try await act(tmux, "-", expect: "scale \(name) 2 → 1", answer: "y")
            try await TestDocker.waitUntil("1 replica in Docker") { try await replicas(name) == "1" }
            try await tmux.waitFor("● scale \(name) 2 → 1: done")

            // Any answer but y changes nothing.
            try await act(tmux, "-", expect: "scale \(name) 1 → 0", answer: "n")
            try await tmux.waitFor("cancelled: scale \(name) 1 → 0")
            #expect(try await replicas(name) == "1")

            let force = try await forceUpdate(name)
            let running = ["service", "ps", name, "-q", "--filter", "desired-state=running"]
            let taskBefore = try await TestDocker.docker(running)
            try await act(tmux, "r", expect: "restart \(name) (force update, its task replaced)", answer: "y")
            try await TestDocker.waitUntil("ForceUpdate incremented") { try await forceUpdate(name) == force + 1 }
            try await TestDocker.waitUntil("a new task") {
                let now = try await TestDocker.docker(running)
                return !now.isEmpty && now != taskBefore
            }

            try await act(tmux, "z", expect: "sleep \(name) 1 → 0", answer: "y")
            try await TestDocker.waitUntil("0 replicas in Docker") { try await replicas(name) == "0" }
            try await TestDocker.waitUntil("the agent shown asleep") {
                try tmux.screen().split(separator: "\n").contains { $0.contains(" act ") && $0.contains("○ asleep") }
            }

            // Each action is in the log, one JSON object per line.
            let log = try String(contentsOfFile: state + "/clawtop/actions.log", encoding: .utf8)
            let entries = log.split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
            #expect(entries.map { $0["action"] as? String } == ["scale", "scale", "restart", "sleep"])
            #expect(entries.map { $0["after"] as? String } == ["replicas 2", "replicas 1", "ForceUpdate \(force + 1)", "replicas 0"])
            #expect(entries.allSatisfy { $0["agent"] as? String == "act" && $0["service"] as? String == name && $0["ok"] as? Bool == true })
            try tmux.keys("q")
            try await tmux.waitFor("exit=0")
        }
    }

    @Test func readOnlyRefusesActions() async throws {
        try await TestDocker.withService("ro") { name in
            let state = NSTemporaryDirectory() + "clawtop-state-\(UUID().uuidString.prefix(8))"
            defer { try? FileManager.default.removeItem(atPath: state) }
            let tmux = try startConsole("--all --read-only", state: state)
            defer { tmux.kill() }
            try await tmux.waitFor(name)
            try tmux.literal("/\(name)")
            try tmux.keys("Enter")
            try await tmux.waitFor("filter: \(name)")
            for key in ["+", "r", "z"] {
                // Another flash first (the sort's), so that the refusal read next is this key's.
                try tmux.literal("o")
                try await tmux.waitFor("sorted by")
                try tmux.literal(key)
                try await tmux.waitFor("read-only: actions are off")
                await #expect(!(try tmux.screen()).contains("confirm"))
            }
            #expect(try await replicas(name) == "1")
            #expect(!FileManager.default.fileExists(atPath: state + "/clawtop/actions.log"))
        }
    }

    @Test func slashNarrowsTheTable() async throws {
        try await TestDocker.withService("narrow") { name in
            try await TestDocker.withService("other") { other in
                let state = NSTemporaryDirectory() + "clawtop-state-\(UUID().uuidString.prefix(8))"
                defer { try? FileManager.default.removeItem(atPath: state) }
                let tmux = try startConsole("--all", state: state)
                defer { tmux.kill() }
                try await tmux.waitFor(other)
                try await tmux.waitFor(name)
                try tmux.literal("/\(name)")
                try await TestDocker.waitUntil("only the filtered service listed") {
                    let screen = try tmux.screen()
                    return screen.contains(name) && !screen.contains(other)
                }
                try tmux.keys("Escape")
                try await tmux.waitFor(other)
            }
        }
    }
}
