import Foundation

extension SSHTarget {
    /// The user and port the system's ssh would use for this target, as `ssh -G` works them out from the address and
    /// the operator's ssh configuration (an alias's `User` and `Port`); for reaching other hosts the same way. What
    /// the address gives stands where ssh cannot say (no ssh, a configuration it refuses).
    public func effective() -> SSHTarget {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ssh", "-G"] + (user.map { ["-l", $0] } ?? []) + (port.map { ["-p", String($0)] } ?? []) + ["--", host]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return self }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return self }
        return Self.applying(config: String(decoding: data, as: UTF8.self), to: self)
    }

    /// `target` with the `user` and `port` lines of `ssh -G`'s output.
    static func applying(config: String, to target: SSHTarget) -> SSHTarget {
        var result = target
        for line in config.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            switch parts[0] {
            case "user": result.user = parts[1]
            case "port": result.port = Int(parts[1]) ?? result.port
            default: continue
            }
        }
        return result
    }
}
