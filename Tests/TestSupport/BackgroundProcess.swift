import Foundation

/// A program left running while a test goes on (`clawtop record`), its output in a file; stopped by a signal.
public final class BackgroundProcess: @unchecked Sendable {
    public let pid: pid_t
    let output: String
    private var status: Int32?

    public init(_ executable: String, _ arguments: [String], environment: [String: String]) throws {
        output = NSTemporaryDirectory() + "clawtop-bg-\(UUID().uuidString.prefix(8)).out"
        let path = output
        pid = try spawn(executable, arguments, environment: environment) { actions in
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
    }

    /// What it printed so far (standard output and error).
    public var printed: String { (try? String(contentsOfFile: output, encoding: .utf8)) ?? "" }

    /// Sends `signal` and waits up to `timeout` seconds for it to exit: its exit status (128+N for signal N), or nil
    /// if it did not exit (then it is killed).
    @discardableResult
    public func stop(_ signal: Int32 = SIGTERM, timeout: Double = 20) -> Int32? {
        if let status { return status }
        kill(pid, signal)
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let s = exitStatus(waiting: false) { return s }
            usleep(20_000)
        }
        kill(pid, SIGKILL)
        _ = exitStatus(waiting: true)
        return nil
    }

    private func exitStatus(waiting: Bool) -> Int32? {
        if let status { return status }
        var raw: Int32 = 0
        let r = waitpid(pid, &raw, waiting ? 0 : WNOHANG)
        guard r == pid else { return nil }
        status = (raw & 0x7f) == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
        return status
    }

    deinit {
        if status == nil { stop(SIGKILL, timeout: 5) }
        try? FileManager.default.removeItem(atPath: output)
    }
}
