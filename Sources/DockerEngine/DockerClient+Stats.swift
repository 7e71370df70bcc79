import Foundation
import NIOHTTP1

// MARK: - /containers/{id}/stats

/// What `GET /containers/{id}/stats?stream=false` says of a container's CPU and memory. Only the fields clawtop
/// reads; the same shape on cgroup v1 and v2 but for the names inside `memory_stats.stats`.
public struct ContainerStats: Decodable, Sendable, Equatable {
    public struct CPUStats: Decodable, Sendable, Equatable {
        public struct Usage: Decodable, Sendable, Equatable {
            /// Nanoseconds of CPU time the container has used, since it started.
            public var total_usage: UInt64?
        }
        public var cpu_usage: Usage?
        /// Nanoseconds of CPU time the whole host has used (all its CPUs together), since it booted.
        public var system_cpu_usage: UInt64?
        public var online_cpus: Int?
    }
    public struct MemoryStats: Decodable, Sendable, Equatable {
        /// The counters that tell page cache from what the container holds: `total_inactive_file` under cgroup v1,
        /// `inactive_file` under v2 (v1 has an `inactive_file` of its own cgroup only, without its children).
        public struct Detail: Decodable, Sendable, Equatable {
            public var total_inactive_file: UInt64?
            public var inactive_file: UInt64?
        }
        public var usage: UInt64?
        /// The cgroup's limit: the host's memory when the container has none.
        public var limit: UInt64?
        public var stats: Detail?
    }
    /// When the daemon read it (RFC 3339); Docker's zero time when the container is not running.
    public var read: String?
    public var cpu_stats: CPUStats?
    public var memory_stats: MemoryStats?

    /// The working set, as `docker stats` counts it: usage less the inactive file pages (page cache the kernel
    /// may drop). Nil when the daemon gave no usage (a container that stopped).
    public var workingSet: UInt64? {
        guard let usage = memory_stats?.usage else { return nil }
        let detail = memory_stats?.stats
        // v1 first: there `inactive_file` is the cgroup's own and `total_inactive_file` its whole tree.
        guard let inactive = detail?.total_inactive_file ?? detail?.inactive_file, inactive < usage else { return usage }
        return usage - inactive
    }
}

extension DockerClient {
    /// One reading of a container's CPU and memory, at once (`one-shot`): without the reading a second before that
    /// `docker stats` waits for, so the caller works out the CPU from two of its own. Works only for containers on
    /// the daemon's own node.
    public func stats(container id: String) async throws(DockerError) -> ContainerStats {
        let r = try await send(.GET, "/containers/\(DockerClient.percentEncode(id))/stats",
                               query: [("stream", "false"), ("one-shot", "true")],
                               notFound: { message in .api(status: 404, message: message) })
        return try decode(ContainerStats.self, from: r.body, what: "/containers/\(id)/stats")
    }
}
