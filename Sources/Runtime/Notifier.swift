import ClawtopCore
import Foundation

/// `--notify`: a shell command run for each alert, in the background with a time limit and its output dropped (the
/// console owns the terminal); a command that cannot start or fails is told to the operator's lines.
public struct Notifier: Sendable {
    public let command: String

    public init(command: String) {
        self.command = command
    }

    /// Runs the command once for each alert.
    func run(_ alerts: [Transition], swarm: String, complain: @escaping @Sendable (String) -> Void) {
        for alert in alerts { run(alert, swarm: swarm, complain: complain) }
    }

    private func run(_ alert: Transition, swarm: String, complain: @escaping @Sendable (String) -> Void) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        var environment = ProcessInfo.processInfo.environment
        environment["CLAWTOP_AGENT"] = sanitize(alert.agent)
        environment["CLAWTOP_OLD"] = alert.from.rawValue
        environment["CLAWTOP_NEW"] = alert.to.rawValue
        environment["CLAWTOP_REASON"] = sanitize(alert.reason ?? "")
        environment["CLAWTOP_ACTOR"] = sanitize(alert.actor ?? "")
        environment["CLAWTOP_TIME"] = ISO8601DateFormatter().string(from: alert.time)
        environment["CLAWTOP_SWARM"] = sanitize(swarm)
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch {
            complain("--notify: cannot run /bin/sh: \(error.localizedDescription)")
            return
        }
        let pid = process.processIdentifier
        DispatchQueue.global().async {
            // At most 30 s each: a hung hook must not pile up processes.
            let timer = DispatchWorkItem { kill(pid, SIGKILL) }
            DispatchQueue.global().asyncAfter(deadline: .now() + 30, execute: timer)
            process.waitUntilExit()
            timer.cancel()
            if process.terminationStatus != 0 {
                complain("--notify exited with \(process.terminationStatus) for \(sanitize(alert.agent)) \(alert.from.rawValue) → \(alert.to.rawValue)")
            }
        }
    }
}
