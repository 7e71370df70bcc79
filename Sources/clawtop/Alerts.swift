import ArgumentParser
import ClawtopCore
import Foundation
import Synchronization

/// `--bell` and `--notify`: what the console and the recorder do when an agent becomes unhealthy, missing or
/// crash-looping, or recovers.
struct AlertOptions: ParsableArguments {
    @Option(name: .customLong("notify"),
            help: ArgumentHelp("A shell command run on each alert, with CLAWTOP_AGENT, CLAWTOP_OLD, CLAWTOP_NEW, CLAWTOP_REASON, CLAWTOP_TIME, CLAWTOP_ACTOR and CLAWTOP_SWARM in its environment.",
                               valueName: "CMD"))
    var notify: String?

    @Option(name: .customLong("notify-debounce"),
            help: ArgumentHelp("At most one alert per agent in this many seconds; what it does meanwhile is told once after, if it did not end where it was.",
                               valueName: "SECONDS"))
    var debounce = 60.0

    func validate() throws {
        if let notify, notify.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--notify takes a shell command, not an empty one")
        }
        guard debounce >= 0, debounce.isFinite else { throw ValidationError("--notify-debounce takes seconds, 0 or more") }
    }
}

/// Turns transitions into alerts, debounced per agent: rings the bell (when asked) and runs the notify command, each
/// in the background with a time limit, its output dropped (the console owns the terminal; the recorder says on
/// standard error when one fails).
final class Alerts: Sendable {
    let command: String?
    let bell: (@Sendable () -> Void)?
    /// The swarm the transitions are of (the console's changes when it switches).
    private let swarm: Mutex<String>
    private let debouncer: Mutex<AlertDebouncer>
    private let complain: @Sendable (String) -> Void

    init(options: AlertOptions, swarm: String, bell: (@Sendable () -> Void)?, complain: @escaping @Sendable (String) -> Void = { _ in }) {
        command = options.notify
        self.bell = bell
        self.swarm = Mutex(swarm)
        self.complain = complain
        debouncer = Mutex(AlertDebouncer(window: options.debounce))
    }

    var enabled: Bool { command != nil || bell != nil }

    /// The agents' new transitions, in `swarm` (nil: the same as before).
    func take(_ transitions: [Transition], swarm: String? = nil, now: Date = Date()) {
        guard enabled, !transitions.isEmpty else { return }
        if let swarm { self.swarm.withLock { $0 = swarm } }
        tell(debouncer.withLock { $0.offer(transitions, now: now) })
    }

    /// Tells the held changes whose window has ended: call it every second or so.
    func tick(now: Date = Date()) {
        guard enabled else { return }
        tell(debouncer.withLock { $0.due(now: now) })
    }

    private func tell(_ alerts: [Transition]) {
        guard !alerts.isEmpty else { return }
        bell?()
        guard let command else { return }
        for alert in alerts { run(command, alert) }
    }

    private func run(_ command: String, _ alert: Transition) {
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
        environment["CLAWTOP_SWARM"] = sanitize(swarm.withLock { $0 })
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let complain = complain
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
