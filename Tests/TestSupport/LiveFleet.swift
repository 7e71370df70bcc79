import ClawtopCore
import DockerEngine
import Foundation
import DockerSource

/// The console's runtime without the console, against the private swarm.
public enum LiveFleet {
    /// Runs `body` with a store that follows the swarm and probes the agents of `setup`; stops everything after.
    public static func with<T>(_ setup: AgentSetup, _ body: (FleetStore) async throws -> T) async throws -> T {
        try await TestDocker.withClient { client in
            let store = try await FleetStore(backend: DockerBackend(client: client, probeFromSwarm: false), setup: setup)
            do {
                let result = try await body(store)
                await store.stop()
                return result
            } catch {
                await store.stop()
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
