import Foundation

/// A helper script from `scripts/` that prints `ready <address>` once it serves, and is killed on `stop()`.
public final class ScriptServer: @unchecked Sendable {
    public let address: String
    let process: Process

    public init(script: String, arguments: [String] = []) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", packageRoot.appendingPathComponent("scripts/\(script)").path] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.standardError
        try process.run()
        var line = Data()
        while true {
            let byte = out.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line.append(byte)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("ready ") else {
            kill(process.processIdentifier, SIGKILL)
            throw TestDocker.Unavailable(description: "\(script) did not start: \(text)")
        }
        address = String(text.dropFirst("ready ".count))
    }

    /// Starts the script without blocking the cooperative pool while it gets ready (see `offPool`).
    public static func start(script: String, arguments: [String] = []) async throws -> ScriptServer {
        try await offPool { try ScriptServer(script: script, arguments: arguments) }
    }

    public func stop() {
        // SIGKILL: the test runner's threads block SIGTERM, and a child inherits that mask. These hold no state.
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit { stop() }
}

/// `scripts/docker-proxy.py` in front of the real daemon: a plain TCP endpoint, or a socket whose connections a
/// test can cut (SIGUSR1) to drop a client's streams without touching the daemon.
public final class DockerProxy: @unchecked Sendable {
    private let server: ScriptServer
    public var address: String { server.address }

    /// - Parameter listen: `unix:PATH` or `tcp:127.0.0.1:0`.
    public init(targetHost: String, listen: String) throws {
        guard targetHost.hasPrefix("unix://") else { throw TestDocker.Unavailable(description: "proxy needs a unix target") }
        server = try ScriptServer(script: "docker-proxy.py",
                                  arguments: ["--target", String(targetHost.dropFirst("unix://".count)), "--listen", listen])
    }

    /// Cuts every open connection; the proxy keeps listening.
    public func cutConnections() { kill(server.process.processIdentifier, SIGUSR1) }

    public func stop() { server.stop() }
}
