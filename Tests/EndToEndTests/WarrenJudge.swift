import Foundation
import TestSupport

/// The real Warren orchestrator (`warren-server`, built by scripts/test from the Warren kit beside the repository),
/// run over one config file to learn whether Warren accepts it (`TestSupport.WarrenServer` runs one for a fleet).
enum WarrenJudge {
    struct Verdict: Sendable {
        /// Warren loaded the file, started serving and stopped cleanly on SIGTERM.
        var accepted: Bool
        /// Its exit status (0 after a clean stop; 1 for a refused config; 2 for a Go panic).
        var status: Int32
        var output: String
    }

    /// Starts Warren on `config` and waits until it either exits by itself (it refused the file, or crashed) or logs
    /// "server starting" and is still running `grace` seconds later; then sends SIGTERM and expects a clean stop.
    /// Docker is a socket path that does not exist (Warren only warns), so nothing touches a real daemon; the
    /// corpus keeps every listener on 127.0.0.1 and every other address on loopback or unresolvable names.
    static func judge(_ binary: String, config: String, grace: Double = 0.5, timeout: Double = 20) throws -> Verdict {
        let dir = NSTemporaryDirectory() + "clawtop-warren-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir + "/home", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let outPath = dir + "/output"
        var environment = ["HOME": dir + "/home", "PATH": "/usr/bin:/bin", "DOCKER_HOST": "unix://\(dir)/no-docker.sock"]
        environment["LANG"] = "C.UTF-8"
        let pid = try spawn(binary, ["-config", config], environment: environment) { actions in
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        var status: Int32 = 0
        var exited = false
        var servingSince: Date?
        var signalled = false
        let deadline = Date().addingTimeInterval(timeout)
        // Reaped on every path: a process still running at the deadline is killed.
        defer { if !exited { kill(pid, SIGKILL); _ = waitpid(pid, &status, 0) } }
        func output() -> String { (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "" }
        while Date() < deadline {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid { exited = true; break }
            if r == -1 && errno != EINTR { exited = true; break }
            if servingSince == nil && output().contains("\"msg\":\"server starting\"") { servingSince = Date() }
            if let since = servingSince, !signalled, Date().timeIntervalSince(since) >= grace {
                kill(pid, SIGTERM)
                signalled = true
            }
            usleep(10_000)
        }
        guard exited else {
            throw TestDocker.CommandFailed(description: "warren-server neither stopped nor refused \(config) within \(timeout) s:\n\(output())")
        }
        let code: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let text = output()
        return Verdict(accepted: signalled && code == 0 && text.contains("orchestrator stopped"), status: code, output: text)
    }
}
