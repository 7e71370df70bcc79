import Foundation
import Testing
import TestSupport

/// `clawtop check-config` and a broken config at start-up, through the real binary.
struct CheckConfigTests {
    func write(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "clawtop-config-\(UUID().uuidString.prefix(8)).yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    let good = """
    agents:
      alpha:
        hostname: alpha.example.com
        backend: http://tasks.openclaw_alpha:18789
        policy: on-demand
        container: {name: openclaw_alpha}
        health: {url: "http://127.0.0.1:18789/health"}
    """

    let bad = """
    agents:
      alpha:
        hostname: alpha.example.com
        backend: http://a
        policy: on-demand
        health: {url: "http://127.0.0.1/health", check_interval: 10}
    """

    @Test func aValidFileIsOK() async throws {
        let path = try write(good)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try await run(clawtopBinary(), ["check-config", path])
        #expect(r.status == 0)
        #expect(r.stdout == "OK: \(path): 1 agent\n")
    }

    @Test func everyProblemIsListedWithFileLineColumnAndKey() async throws {
        let path = try write(bad)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try await run(clawtopBinary(), ["check-config", path])
        #expect(r.status == 1)
        #expect(r.stdout == """
            \(path):2:3: agents.alpha.container.name: config: agent "alpha" with on-demand policy requires container.name
            \(path):6:62: agents.alpha.health.check_interval: 10 has no unit: write a duration such as 10s or 10ms

            """)
    }

    @Test func aBrokenConfigAtStartUpExitsTwoWithTheSameMessages() async throws {
        let path = try write(bad)
        defer { try? FileManager.default.removeItem(atPath: path) }
        // The config is checked before any daemon is contacted.
        for args in [["snapshot", "--config", path], ["--config", path]] {
            let r = try await run(clawtopBinary(), args, environment: ["DOCKER_HOST": "unix:///nonexistent.sock"])
            #expect(r.status == 2)
            #expect(r.stderr.hasPrefix("clawtop: \(path) has problems:\n\(path):2:3: agents.alpha.container.name:"))
            #expect(!r.stderr.contains("Fatal") && !r.stderr.contains("Stack"))
        }
    }

    @Test func noFileIsExitOne() async throws {
        let r = try await run(clawtopBinary(), ["check-config", "/nonexistent/orchestrator.yaml"])
        #expect(r.status == 1)
        #expect(r.stdout == "/nonexistent/orchestrator.yaml: the file does not exist\n")
    }
}

/// Shell completions come from the argument parser, for every command and option.
struct CompletionTests {
    @Test(arguments: ["bash", "zsh", "fish"])
    func aCompletionScriptIsPrinted(shell: String) async throws {
        let r = try await run(clawtopBinary(), ["--generate-completion-script", shell])
        #expect(r.status == 0)
        for word in ["snapshot", "check-config", "health-url", "read-only", "format"] {
            #expect(r.stdout.contains(word), "\(shell) completion lacks \(word)")
        }
    }
}
