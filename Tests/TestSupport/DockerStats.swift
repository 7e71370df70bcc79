import Foundation

/// What `docker stats --no-stream` says of one service's container: the figures clawtop's are checked against.
public struct DockerStats: Sendable {
    /// Percent of one core.
    public var cpuPercent: Double
    /// The memory it counts (usage less inactive file pages), in bytes.
    public var memoryBytes: Double

    /// The stats of `service`'s one container on the daemon at `host` (default: the private swarm's).
    public static func of(_ service: String, host: String? = nil) async throws -> DockerStats {
        let out = try await TestDocker.docker(["stats", "--no-stream", "--format", "{{.Name}} {{.CPUPerc}} {{.MemUsage}}"], host: host)
        guard let line = out.split(separator: "\n").first(where: { $0.hasPrefix(service + ".") }) else {
            throw TestDocker.CommandFailed(description: "docker stats has no container of \(service): \(out)")
        }
        // "hog.1.x 4.68% 39.06MiB / 96MiB"
        let fields = line.split(separator: " ")
        let units: [(String, Double)] = [("GiB", 1_073_741_824), ("MiB", 1_048_576), ("KiB", 1024), ("B", 1)]
        guard fields.count >= 3, let cpu = Double(fields[1].dropLast()), let (suffix, scale) = units.first(where: { fields[2].hasSuffix($0.0) }),
              let used = Double(fields[2].dropLast(suffix.count)) else {
            throw TestDocker.CommandFailed(description: "cannot read docker stats' line: \(line)")
        }
        return DockerStats(cpuPercent: cpu, memoryBytes: used * scale)
    }
}
