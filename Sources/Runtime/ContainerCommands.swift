import ClawtopCore
import FleetSource
import Foundation

/// A shell or a command in a replica's container, through the system's `docker` CLI pointed at the container's node
/// (its own daemon: this one, `--node`, a context named after it, or `--ssh-nodes`; over ssh through clawtop's
/// relay). The CLI does what a terminal needs: the hijacked stream, raw mode, resizes.
public struct ContainerCommands: Sendable {
    let backend: any FleetBackend
    /// Where a shell opened is recorded (who, where, how it ended; never what was typed); nil for the demo.
    let log: ActionLog?

    /// Output kept of a command, each stream: the rest is cut.
    static let outputLimit = 4 << 20
    /// How long a status command may run.
    static let statusTimeout = 30.0

    /// The `docker` program on the PATH.
    static func program(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        for directory in (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let path = "\(directory)/docker"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    static let noProgram = "the docker CLI is not installed here: a shell or a command in a container runs `docker exec` (Debian: docker.io or docker-ce-cli)"

    /// The node's docker CLI, with the program found.
    private func docker(_ target: ExecTarget) async throws(SourceError) -> (program: String, command: DockerCommand) {
        guard let program = Self.program() else { throw SourceError(Self.noProgram) }
        return (program, try await backend.dockerCLI(node: target.nodeID))
    }

    /// The shell to open in the target's container: the service's label `clawtop.exec.shell`, else the first of
    /// `bash` and `sh` the container runs; or why none can be opened.
    func shell(for target: ExecTarget) async -> ExecMessage {
        let docker: (program: String, command: DockerCommand)
        do { docker = try await self.docker(target) } catch { return .shellRefused(target, error.description) }
        let candidates = target.shellLabel.map { [$0.split(separator: " ").map(String.init)] } ?? [["bash"], ["sh"]]
        for shell in candidates where !shell.isEmpty {
            let tried = await run(docker.program, docker.command.arguments + ["exec", target.containerID] + shell + ["-c", "exit 0"],
                                  environment: docker.command.environment, timeout: 15)
            if tried.status == 0 {
                var command = docker.command
                command.arguments = [docker.program] + command.arguments + ["exec", "-it", target.containerID] + shell
                return .shellReady(target, command)
            }
            if let why = Self.cannotRun(tried, target: target) { return .shellRefused(target, why) }
        }
        if let label = target.shellLabel {
            return .shellRefused(target, "\(target.name): its image has no \(label) (the label clawtop.exec.shell)")
        }
        return .shellRefused(target, "\(target.name): its image has no shell (neither bash nor sh); the label clawtop.exec.shell names one")
    }

    /// The agent's own status: the label `clawtop.exec.status` (run by `sh -c`), else `openclaw status --json`.
    func status(of target: ExecTarget) async -> ExecOutput {
        let (arguments, shown) = target.statusLabel.map { (["sh", "-c", $0], $0) } ?? (["openclaw", "status", "--json"], "openclaw status --json")
        let docker: (program: String, command: DockerCommand)
        do { docker = try await self.docker(target) } catch {
            return ExecOutput(target: target, command: shown, status: nil, problem: error.description, at: Date())
        }
        let ran = await run(docker.program, docker.command.arguments + ["exec", target.containerID] + arguments,
                            environment: docker.command.environment, timeout: Self.statusTimeout)
        var problem = Self.cannotRun(ran, target: target)
        if ran.missing {
            problem = target.statusLabel == nil
                ? "\(target.name): its image has no openclaw; the label clawtop.exec.status sets the command to run"
                : "\(target.name): \(Self.firstLine(ran.said.trimmingCharacters(in: .whitespacesAndNewlines)))"
        }
        if ran.timedOut { problem = "\(shown) did not end within \(Int(Self.statusTimeout)) s: stopped" }
        return ExecOutput(target: target, command: shown, status: problem == nil ? ran.status : nil, problem: problem,
                          stdout: ran.stdout, stderr: problem == nil ? ran.stderr : "", at: Date())
    }

    /// Records a shell session in the action log; why it could not, if it could not.
    func logShell(_ target: ExecTarget, status: Int32?, at time: Date) -> String? {
        log?.append(["action": "shell", "path": "docker", "agent": target.agent, "service": target.service,
                     "replica": target.replica, "container": String(target.containerID.prefix(12)),
                     "ok": status == 0, "message": status.map { "exit \($0)" } ?? "not run"], at: time)
    }

    // MARK: - Running the CLI

    struct Ran {
        var status: Int32
        var stdout: String
        var stderr: String
        var timedOut = false
        /// What the CLI said of the exec itself: the daemon's errors come on either stream (an OCI runtime error
        /// on standard output).
        var said: String { stderr + "\n" + stdout }
        /// The program asked for is not in the container.
        var missing: Bool {
            (status == 126 || status == 127) && (said.contains("executable file not found") || said.contains("no such file or directory"))
        }
    }

    /// Why nothing could be run in the container at all (it is gone, the daemon cannot be reached), if so.
    static func cannotRun(_ ran: Ran, target: ExecTarget) -> String? {
        if ran.status == 0 || ran.missing { return nil }
        let said = ran.said.lowercased()
        if said.contains("no such container") || said.contains("is not running") || said.contains("is restarting") {
            return "\(target.name): its container is not running (the task has stopped)"
        }
        if said.contains("cannot connect") || said.contains("error during connect") || ran.status == 125 {
            return "\(target.name): \(firstLine(ran.said.trimmingCharacters(in: .whitespacesAndNewlines)))"
        }
        return nil
    }

    static func firstLine(_ text: String) -> String {
        sanitize(String(text.split(separator: "\n").first ?? "no message"))
    }

    /// Runs the CLI with no terminal, its output gathered (bounded), stopped after `timeout` seconds.
    func run(_ program: String, _ arguments: [String], environment: [String: String], timeout: Double) async -> Ran {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: Self.runNow(program, arguments, environment: environment, timeout: timeout))
            }
        }
    }

    private static func runNow(_ program: String, _ arguments: [String], environment: [String: String], timeout: Double) -> Ran {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let (out, err) = (Pipe(), Pipe())
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = out
        process.standardError = err
        do { try process.run() } catch {
            return Ran(status: 127, stdout: "", stderr: "cannot run \(program): \(error.localizedDescription)")
        }
        let pid = process.processIdentifier
        let timedOut = Shared(false)
        let timer = DispatchWorkItem { timedOut.value = true; kill(pid, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: timer)
        let group = DispatchGroup()
        let stderr = Shared(Data())
        group.enter()
        DispatchQueue.global().async {
            stderr.value = read(err.fileHandleForReading)
            group.leave()
        }
        let stdout = read(out.fileHandleForReading)
        group.wait()
        process.waitUntilExit()
        timer.cancel()
        return Ran(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                   stderr: String(decoding: stderr.value, as: UTF8.self), timedOut: timedOut.value)
    }

    /// What a pipe gives until it ends, keeping the first `outputLimit` bytes.
    private static func read(_ handle: FileHandle) -> Data {
        var kept = Data()
        while true {
            let chunk = handle.availableData
            if chunk.isEmpty { return kept }
            if kept.count < outputLimit { kept.append(chunk.prefix(outputLimit - kept.count)) }
        }
    }
}

/// A value set on one thread and read on another.
private final class Shared<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
