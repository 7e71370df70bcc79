import ClawtopCore
import DockerEngine
import Foundation
import DockerSource
import Health

/// The console's moving parts without the console: the watcher and the health scheduler feeding one store,
/// against the private swarm.
public enum LiveFleet {
    /// Runs `body` with a store that follows the swarm and probes the agents of `setup`; stops everything after.
    public static func with<T>(_ setup: AgentSetup, _ body: (FleetStore) async throws -> T) async throws -> T {
        try await TestDocker.withClient { client in
            var initial = FleetState(endpoint: "test", setup: setup)
            reduce(&initial, try await FleetWatcher.snapshot(client))
            let prober = HealthProber()
            let scheduler = HealthScheduler(prober: prober)
            let store = FleetStore(initial, scheduler: scheduler)
            let watcher = FleetWatcher(client: client, post: store.apply)
            let watching = Task { await watcher.run() }
            let probing = Task { await scheduler.run(post: store.apply) }
            defer {
                watching.cancel()
                probing.cancel()
            }
            do {
                let result = try await body(store)
                probing.cancel()
                await probing.value
                await prober.shutdown()
                return result
            } catch {
                probing.cancel()
                await probing.value
                await prober.shutdown()
                throw error
            }
        }
    }
}

/// A TCP port on 127.0.0.1 that nothing listens on right now.
public func freeLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw TestDocker.Unavailable(description: "socket() failed") }
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = 0
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
    }
    guard bound else { throw TestDocker.Unavailable(description: "bind() to 127.0.0.1 failed") }
    return Int(UInt16(bigEndian: addr.sin_port))
}
