import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A local unix socket that reaches a Docker host over SSH, the way the docker CLI does: for each connection made
/// to it, the system's `ssh` runs `docker system dial-stdio` on the host, and bytes are copied both ways. The HTTP
/// client then talks to the remote daemon as to a local socket, with its pools and timeouts unchanged.
///
/// The socket lives in a private (0700) temporary directory. `stop()` ends every session, reaps every ssh process
/// and removes the directory; it also runs at process exit (`exit()` on any path), so no ssh is left behind.
/// When ssh fails before the remote daemon has said anything, the session answers the HTTP request itself with a
/// 502 that carries the `SSHFailure` (see `SSHRelaySession`), so the client reports the exact cause.
public final class SSHRelay: Sendable {
    public let target: SSHTarget
    /// The relay's socket: connect here to reach the remote daemon.
    public let socketPath: String
    let directory: String
    let arguments: [String]
    private let listenFD: Int32
    private let state = Mutex(State())
    /// Signalled when the accept loop has left, so `stop()` may close the listening descriptor.
    private let acceptDone = DispatchSemaphore(value: 0)

    private struct State {
        var stopped = false
        var sessions: [ObjectIdentifier: SSHRelaySession] = [:]
        /// The last bad end of a session, and when: explains a dropped connection to the client.
        var lastFailure: (SSHFailure, ContinuousClock.Instant)?
    }

    /// The header on a 502 answer written by the relay itself rather than the remote daemon.
    public static let failureHeader = "X-Clawtop-SSH-Failure"

    /// The failure carried by the body of a relay's own answer (one with `failureHeader`).
    public static func failure(body: [UInt8]) -> SSHFailure? {
        try? JSONDecoder().decode(SSHFailure.self, from: Data(body))
    }

    /// Creates the private directory and the listening socket, and starts accepting.
    /// `connectTimeout` (seconds) bounds how long ssh tries to reach the host; `remote` is what each session reaches.
    public init(target: SSHTarget, remote: SSHRemoteEnd = .dockerDialStdio, connectTimeout: Int) throws(SetupError) {
        self.target = target
        arguments = target.sshArguments(connectTimeout: connectTimeout, remote: remote)
        _ = SSHRelay.sweptOnce
        var template = Array((NSTemporaryDirectory() as NSString).appendingPathComponent(SSHRelay.directoryPrefix + "XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw SetupError(reason: "cannot create a private directory for the ssh relay: \(String(cString: strerror(errno)))")
        }
        directory = String(cString: made)
        socketPath = (directory as NSString).appendingPathComponent("docker.sock")
        do {
            listenFD = try Self.listen(at: socketPath)
        } catch {
            rmdir(directory)
            throw SetupError(reason: "cannot open the ssh relay's socket: \(error.reason)")
        }
        SSHRelay.live.withLock { $0[ObjectIdentifier(self)] = self }
        _ = SSHRelay.exitHook
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "clawtop ssh relay"
        thread.start()
    }

    /// Stops accepting, ends every session (SIGTERM, then SIGKILL if ssh lingers), reaps every ssh and removes the
    /// socket and its directory. Blocks up to a few seconds; safe to call more than once and from `atexit`.
    public func stop() {
        let sessions: [SSHRelaySession] = state.withLock { state in
            if state.stopped { return [] }
            state.stopped = true
            return Array(state.sessions.values)
        }
        // Wakes the accept loop (poll reports a shut-down socket); then the descriptor can go.
        shutdown(listenFD, Int32(SHUT_RDWR))
        if acceptDone.wait(timeout: .now() + 2) == .success { close(listenFD) }
        for session in sessions { session.end() }
        let deadline = ContinuousClock.now + .seconds(4)
        while ContinuousClock.now < deadline && state.withLock({ !$0.sessions.isEmpty }) { usleep(10_000) }
        for session in state.withLock({ Array($0.sessions.values) }) { session.kill() }
        let killed = ContinuousClock.now + .seconds(1)
        while ContinuousClock.now < killed && state.withLock({ !$0.sessions.isEmpty }) { usleep(10_000) }
        unlink(socketPath)
        rmdir(directory)
        SSHRelay.live.withLock { _ = $0.removeValue(forKey: ObjectIdentifier(self)) }
    }

    /// The reason the last session ended badly, if that was within `seconds`.
    public func recentFailure(within seconds: Double = 10) -> SSHFailure? {
        state.withLock { state in
            guard let (failure, at) = state.lastFailure, ContinuousClock.now - at < .seconds(seconds) else { return nil }
            return failure
        }
    }

    /// Running ssh processes (for tests and diagnostics).
    public var sessionCount: Int { state.withLock { $0.sessions.count } }

    // MARK: - Sessions report back

    func sessionEnded(_ session: SSHRelaySession, failure: SSHFailure?) {
        state.withLock { state in
            state.sessions.removeValue(forKey: ObjectIdentifier(session))
            if let failure { state.lastFailure = (failure, .now) }
        }
    }

    /// A session reached the remote daemon: older failures no longer explain anything.
    func sessionEstablished() {
        state.withLock { $0.lastFailure = nil }
    }

    // MARK: - Accepting

    /// Held while a descriptor is made and marked close-on-exec in two steps (accept, then fcntl: Swift's Glibc
    /// has no accept4), and while ssh is spawned: no ssh inherits another session's client connection.
    static let descriptorLock = Mutex(())

    private func acceptLoop() {
        while true {
            // Wait without the lock; accept (non-blocking) and mark it with the lock.
            var p = pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0)
            let ready = poll(&p, 1, -1)
            if ready < 0 && errno == EINTR { continue }
            if ready < 0 || p.revents & Int16(POLLIN) == 0 || state.withLock({ $0.stopped }) { break }
            let (fd, error) = SSHRelay.descriptorLock.withLock { _ -> (Int32, Int32) in
                let fd = accept(listenFD, nil, nil)
                let error = errno
                if fd >= 0 { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
                return (fd, error)
            }
            if fd < 0 {
                if error == EINTR || errno == ECONNABORTED || errno == EAGAIN || errno == EWOULDBLOCK { continue }
                usleep(100_000) // out of descriptors, or the socket is going: try again, or see `stopped` above
                continue
            }
            let session = SSHRelaySession(relay: self, client: fd)
            let accepted = state.withLock { state -> Bool in
                guard !state.stopped else { return false }
                state.sessions[ObjectIdentifier(session)] = session
                return true
            }
            guard accepted else { close(fd); break }
            // The session's copies block; the listening socket is non-blocking and Linux does not pass that on.
            session.start()
        }
        acceptDone.signal()
    }

    /// Why the relay could not be set up (its directory or socket).
    public struct SetupError: Error, Sendable { public var reason: String }

    /// The socket address of `path`; nil when the path is too long for one.
    private static func unixAddress(_ path: String) -> sockaddr_un? {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return nil }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return address
    }

    private static func listen(at path: String) throws(SetupError) -> Int32 {
        guard var address = unixAddress(path) else {
            throw SetupError(reason: "the path \(path) is too long for a unix socket; set TMPDIR to a shorter directory")
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw SetupError(reason: String(cString: strerror(errno))) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, Glibc.listen(fd, 64) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw SetupError(reason: reason)
        }
        return fd
    }

    // MARK: - What a killed clawtop left behind

    static let directoryPrefix = "clawtop-ssh."

    /// Once per process, before the first relay: the directories of relays whose process was killed (SIGKILL runs
    /// no exit hook) are removed, when they are this user's and nothing listens on their socket any more.
    private static let sweptOnce: Void = sweep(in: NSTemporaryDirectory())

    static func sweep(in temporary: String) {
        let fm = FileManager.default
        for name in (try? fm.contentsOfDirectory(atPath: temporary)) ?? [] where name.hasPrefix(directoryPrefix) {
            let dir = (temporary as NSString).appendingPathComponent(name)
            var info = stat()
            guard lstat(dir, &info) == 0, info.st_uid == getuid(), (info.st_mode & S_IFMT) == S_IFDIR else { continue }
            let socket = (dir as NSString).appendingPathComponent("docker.sock")
            guard !listening(at: socket) else { continue }
            unlink(socket)
            rmdir(dir)
        }
    }

    /// Whether a process accepts connections on the unix socket at `path`.
    static func listening(at path: String) -> Bool {
        guard var address = unixAddress(path) else { return true }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return true }
        defer { close(fd) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        // Refused or gone: nobody is there. Anything else (busy, no permission): leave it be.
        return connected == 0 || (errno != ECONNREFUSED && errno != ENOENT)
    }

    // MARK: - Every relay ends at exit

    private static let live = Mutex<[ObjectIdentifier: SSHRelay]>([:])

    /// Registered once: `exit()` from any path (a signal's status, a failure, the end of `main`) stops the relays
    /// still running, so their ssh processes are reaped and their directories removed.
    private static let exitHook: Void = {
        atexit {
            for relay in SSHRelay.live.withLock({ Array($0.values) }) { relay.stop() }
        }
    }()
}
