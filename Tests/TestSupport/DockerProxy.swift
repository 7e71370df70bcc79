import Foundation

/// `scripts/docker-proxy.py` in front of the real daemon: a plain TCP endpoint, or a socket whose connections a
/// test can cut (SIGUSR1) to drop a client's streams without touching the daemon.
public final class DockerProxy: @unchecked Sendable {
    public let address: String
    private let process: Process

    /// - Parameter listen: `unix:PATH` or `tcp:127.0.0.1:0`.
    public init(targetHost: String, listen: String) throws {
        guard targetHost.hasPrefix("unix://") else { throw TestDocker.Unavailable(description: "proxy needs a unix target") }
        let script = packageRoot.appendingPathComponent("scripts/docker-proxy.py").path
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, "--target", String(targetHost.dropFirst("unix://".count)), "--listen", listen]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.standardError
        try process.run()
        // The first line is "ready <address>".
        var line = Data()
        while true {
            let byte = out.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line.append(byte)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("ready ") else {
            process.terminate()
            throw TestDocker.Unavailable(description: "docker-proxy did not start: \(text)")
        }
        address = String(text.dropFirst("ready ".count))
    }

    /// Cuts every open connection; the proxy keeps listening.
    public func cutConnections() { kill(process.processIdentifier, SIGUSR1) }

    public func stop() {
        // SIGKILL: the test runner's threads block SIGTERM, and a child inherits that mask. The proxy holds no state.
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit { stop() }
}
