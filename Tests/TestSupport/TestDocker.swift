import DockerEngine
import Foundation

/// The private daemons that `scripts/test` starts, and helpers for tests that use them.
///
/// Tests that need Docker are enabled when the daemon's address is in the environment, and always when `CI` is set:
/// there they fail with the reason instead of skipping.
public enum TestDocker {
    static let env = ProcessInfo.processInfo.environment

    /// The swarm manager's `DOCKER_HOST` (unix socket).
    public static var host: String? { env["CLAWTOP_TEST_DOCKER_HOST"] }
    /// A daemon that is not in a swarm.
    public static var plainHost: String? { env["CLAWTOP_TEST_PLAIN_DOCKER_HOST"] }
    /// The swarm manager over TCP with mutual TLS, and the client certificates for it.
    public static var tlsHost: String? { env["CLAWTOP_TEST_TLS_DOCKER_HOST"] }
    public static var tlsCertPath: String? { env["CLAWTOP_TEST_TLS_CERT_PATH"] }
    public static var image: String { env["CLAWTOP_TEST_IMAGE"] ?? "clawtop-test-agent:latest" }

    public static var isCI: Bool { !(env["CI"] ?? "").isEmpty }
    /// For `.enabled(if:)`: run when there is a daemon, and in CI even when there is not (to fail loudly).
    public static var shouldRun: Bool { host != nil || isCI }

    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    /// The swarm's address, or a failure that says how to get one.
    public static func requireHost() throws -> String {
        guard let host else {
            throw Unavailable(description: "CLAWTOP_TEST_DOCKER_HOST is not set: the private swarm from scripts/test is not running. Run the suite with scripts/test.")
        }
        return host
    }

    public static func require(_ value: String?, _ name: String) throws -> String {
        guard let value else { throw Unavailable(description: "\(name) is not set: run the suite with scripts/test.") }
        return value
    }

    /// A client for the swarm, shut down after `body`.
    @discardableResult
    public static func withClient<T>(host: String? = nil, _ body: (DockerClient) async throws -> T) async throws -> T {
        let h = try host ?? requireHost()
        let client = try DockerClient(endpoint: DockerEndpoint.parse(host: h, tls: nil, source: .dockerHost))
        do {
            let result = try await body(client)
            await client.shutdown()
            return result
        } catch {
            await client.shutdown()
            throw error
        }
    }

    // MARK: - The docker CLI, for setting up and checking from outside clawtop

    public struct CommandFailed: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    /// Runs `docker -H <swarm> args…` and returns its standard output.
    @discardableResult
    public static func docker(_ args: [String], host: String? = nil) throws -> String {
        let h = try host ?? requireHost()
        let result = try run("/usr/bin/env", ["docker", "-H", h] + args)
        guard result.status == 0 else {
            throw CommandFailed(description: "docker \(args.joined(separator: " ")) exited \(result.status): \(result.stderr)")
        }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A unique service name for one test, so tests can run in parallel.
    public static func uniqueName(_ prefix: String) -> String {
        "t\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// Creates a service from the busybox test image with host networking, runs `body`, and removes the service.
    /// `command` is run with `sh -c`.
    @discardableResult
    public static func withService<T>(_ prefix: String, replicas: Int = 1, command: String = "sleep 3600",
                                      extraFlags: [String] = [],
                                      _ body: (String) async throws -> T) async throws -> T {
        let name = uniqueName(prefix)
        let mode = extraFlags.contains("global") ? [] : ["--replicas", String(replicas)]
        try docker(["service", "create", "-d", "--no-resolve-image", "--name", name, "--network", "host"]
                    + mode + extraFlags + [image, "sh", "-c", command])
        do {
            let result = try await body(name)
            _ = try? docker(["service", "rm", name])
            return result
        } catch {
            _ = try? docker(["service", "rm", name])
            throw error
        }
    }

    // MARK: - Waiting on conditions

    public struct TimedOut: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    /// Polls `condition` until it is true, failing after `timeout` seconds. Never a fixed sleep.
    public static func waitUntil(_ what: String, timeout: Double = 30, every: Double = 0.2,
                                 _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        var lastError: Error?
        while Date() < deadline {
            do {
                if try await condition() { return }
            } catch {
                lastError = error
            }
            try await Task.sleep(for: .seconds(every))
        }
        throw TimedOut(description: "timed out after \(timeout) s waiting for \(what)" + (lastError.map { " (last error: \($0))" } ?? ""))
    }

    /// Running tasks of a service, as Docker (the CLI) reports them.
    public static func runningTasks(_ service: String) throws -> Int {
        let out = try docker(["service", "ps", service, "--filter", "desired-state=running", "--format", "{{.CurrentState}}"])
        return out.split(separator: "\n").filter { $0.hasPrefix("Running") }.count
    }
}

// MARK: - Processes

public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs a program to completion and captures its output (killed after `timeout` seconds).
public func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                stdin: String? = nil, timeout: Double = 60) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment { process.environment = environment }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    let input = Pipe()
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try? input.fileHandleForWriting.close()
    // Read both pipes concurrently so a chatty process cannot block on a full pipe.
    let group = DispatchGroup()
    nonisolated(unsafe) var outData = Data(), errData = Data()
    group.enter()
    DispatchQueue.global().async { outData = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
    group.enter()
    DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
    let deadline = DispatchTime.now() + timeout
    if group.wait(timeout: deadline) == .timedOut {
        process.terminate()
        _ = group.wait(timeout: .now() + 5)
    }
    process.waitUntilExit()
    return ProcessResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self))
}

/// The package's root directory (for the built binary and scripts).
public let packageRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
