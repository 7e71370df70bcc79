import ClawtopCore
import DockerEngine
import Foundation
import Synchronization
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

/// The ports `freeLoopbackPort` has handed out in this process.
private let handedOut = Mutex<Set<Int>>([])

/// A TCP port on 127.0.0.1 that nothing listens on right now, and that this process has not been given before: the
/// kernel may give a port just freed again, so two servers of one test (or of two tests at once) asking in turn
/// could otherwise get the same one.
public func freeLoopbackPort() throws -> Int {
    for _ in 0..<64 {
        let port = try boundPort()
        if handedOut.withLock({ $0.insert(port).inserted }) { return port }
    }
    throw TestDocker.Unavailable(description: "no loopback port this process has not used already")
}

/// A port the kernel picks for a socket bound to 127.0.0.1 (then closed).
private func boundPort() throws -> Int {
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
