import Foundation
import Testing
import TestSupport

/// The agent's own status, run in its container on the one-node private swarm: an image whose `openclaw` prints a
/// captured `openclaw status --json` (Tests/Fixtures), shown readably by `snapshot --exec-status` (text and JSON)
/// and by `x` in the console; the label `clawtop.exec.status`; an image without openclaw.
@Suite(.enabled(if: TestDocker.shouldRun, "needs the private swarm from scripts/test"))
struct ExecStatusTests {
    /// A container whose /bin/openclaw prints the fixture, from a read-only bind mount.
    static let withOpenClaw = "echo '#!/bin/sh' > /bin/openclaw; echo 'cat /fixture/openclaw-status.json' >> /bin/openclaw; "
        + "/bin/busybox chmod 755 /bin/openclaw; sleep 3600"
    static var fixtureMount: [String] {
        ["--mount", "type=bind,source=\(packageRoot.appendingPathComponent("Tests/Fixtures").path),target=/fixture,readonly"]
    }

    var environment: [String: String] { ["DOCKER_HOST": (try? TestDocker.requireHost()) ?? "", "LANG": "C.UTF-8", "PATH": "/usr/bin:/bin"] }

    func execStatus(_ name: String, _ extra: [String] = []) async throws -> ProcessResult {
        try await run(try clawtopBinary(), ["snapshot", "--all", "--no-history", "--exec-status", name] + extra, environment: environment)
    }

    @Test func theStatusDocumentReadablyAsTextAsJSONAndInTheConsole() async throws {
        try await TestDocker.withService("oc", command: Self.withOpenClaw, extraFlags: Self.fixtureMount) { name in
            var last: ProcessResult?
            try await TestDocker.waitUntil("the status run in its container", timeout: 60) {
                last = try await execStatus(name)
                return last?.status == 0
            }
            let text = try #require(last)
            let lines = text.stdout.split(separator: "\n").map(String.init)
            #expect(lines.first?.hasPrefix("\(name) (1@") == true && lines.first?.hasSuffix("): openclaw status --json: exit 0") == true,
                    "\(text.stdout.prefix(300))")
            #expect(lines.contains("  gateway:") && lines.contains("    url: ws://127.0.0.1:18789") && lines.contains("    reachable: true"),
                    "\(text.stdout)")
            #expect(!text.stdout.contains("{\""), "readable, not raw JSON")

            let json = try await execStatus(name, ["--format", "json"])
            #expect(json.status == 0, "\(json.stderr)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            #expect(object["agent"] as? String == name && object["command"] as? String == "openclaw status --json"
                    && object["exitStatus"] as? Int == 0, "\(object)")
            let output = try #require(object["output"] as? [String: Any], "the document itself: \(object)")
            #expect((output["gateway"] as? [String: Any])?["url"] as? String == "ws://127.0.0.1:18789")
            #expect((output["sessions"] as? [String: Any])?["count"] as? Int == 2)

            let tmux = try Tmux(width: 160, height: 40, environment: environment)
            defer { tmux.kill() }
            try tmux.type("\(try clawtopBinary()) --all --no-history")
            try await tmux.waitFor(String(name.prefix(12)))
            try tmux.literal("/\(name)")
            try tmux.keys("Enter")
            try await tmux.waitFor("filter: \(name)")
            try tmux.literal("x")
            let pane = try await tmux.waitFor(all: ["output: \(name) (1@", "openclaw status --json · exit 0", "agents:"], timeout: 30)
            // Searchable as the logs are: the line searched for is below the pane's first page.
            #expect(!pane.contains("urlSource: local loopback"), "\(pane)")
            try tmux.literal("/urlSource")
            try tmux.keys("Enter")
            try await tmux.waitFor("urlSource: local loopback")
            try tmux.keys("Escape")
            try tmux.keys("q")
            try await TestDocker.waitUntil("the console gone") { try tmux.childPID() == nil }
        }
    }

    /// The label sets the command (run by sh); its failure is exit 1 with its output. Without openclaw and without
    /// the label, one line and exit 2; the demo has no containers.
    @Test func theLabelAnImageWithoutOpenClawAndTheDemo() async throws {
        try await TestDocker.withService("oclabel", extraFlags: ["--label", "clawtop.exec.status=echo not ready; exit 3"]) { labelled in
            try await TestDocker.withService("ocnone") { plain in
                var last: ProcessResult?
                try await TestDocker.waitUntil("the label's command run", timeout: 60) {
                    last = try await execStatus(labelled)
                    return last?.status == 1
                }
                let r = try #require(last)
                #expect(r.stdout.contains("echo not ready; exit 3: exit 3") && r.stdout.contains("\n  not ready\n"), "\(r.stdout)")
                try await TestDocker.waitUntil("the plain one running", timeout: 60) { try await TestDocker.runningTasks(plain) == 1 }
                try await TestDocker.waitUntil("its line, once its task is read", timeout: 30) {
                    let r = try await execStatus(plain)
                    return r.status == 2 && r.stderr.contains("its image has no openclaw; the label clawtop.exec.status sets the command to run")
                }
            }
        }
        let demo = try await run(try clawtopBinary(), ["snapshot", "--demo", "--exec-status", "research"], environment: environment)
        #expect(demo.status == 2 && demo.stderr.contains("has no containers to open: a shell or a command needs a real swarm"), "\(demo.stderr)")
    }
}
