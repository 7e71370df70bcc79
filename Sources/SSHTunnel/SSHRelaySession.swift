import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One connection to the relay: one ssh process running `docker system dial-stdio` on the host, and three threads
/// of blocking I/O — the client's bytes to ssh's stdin, ssh's stdout to the client, ssh's stderr kept for the
/// diagnosis. ssh's stdio are socket pairs rather than pipes: made close-on-exec atomically (SOCK_CLOEXEC, so no
/// other ssh inherits them), and writing to a peer that went away fails with EPIPE (MSG_NOSIGNAL) instead of
/// raising SIGPIPE in clawtop.
///
/// The thread copying ssh's stdout ends the session: when ssh closes it, the process is reaped, and if ssh failed
/// before the remote daemon sent a byte, the client gets a 502 whose body is the `SSHFailure`. Only that thread
/// calls `waitpid`, under the lock that `end()` and `kill()` take to signal, so a pid is never signalled after reaping.
final class SSHRelaySession: Sendable {
    private let relay: SSHRelay
    private let client: Int32
    private let state = Mutex(State())
    /// Signalled when the copy to ssh's stdin has stopped, so the client descriptor can be closed.
    private let upstreamDone = DispatchSemaphore(value: 0)

    private struct State {
        var pid: pid_t = 0
        var exit: SSHFailure.Exit?
        var stderr: [UInt8] = []
        var stderrClosed = false
        var ending = false
        /// The client descriptor is closed: `end()` must not shut down a number the process may have reused.
        var clientClosed = false
    }

    init(relay: SSHRelay, client: Int32) {
        self.relay = relay
        self.client = client
    }

    /// Spawns ssh and starts copying; on failure to spawn, answers the client with the reason at once.
    func start() {
        var stdinPair: [Int32] = [-1, -1], stdoutPair: [Int32] = [-1, -1], stderrPipe: [Int32] = [-1, -1]
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        guard socketpair(AF_UNIX, type, 0, &stdinPair) == 0 else { return fail(errno) }
        guard socketpair(AF_UNIX, type, 0, &stdoutPair) == 0 else {
            let e = errno; closeAll(stdinPair); return fail(e)
        }
        guard socketpair(AF_UNIX, type, 0, &stderrPipe) == 0 else {
            let e = errno; closeAll(stdinPair + stdoutPair); return fail(e)
        }
        let spawned = SSHRelay.descriptorLock.withLock { _ in
            Self.spawnSSH(relay.arguments, stdin: stdinPair[1], stdout: stdoutPair[1], stderr: stderrPipe[1])
        }
        closeAll([stdinPair[1], stdoutPair[1], stderrPipe[1]])
        guard case .success(let pid) = spawned, pid > 0 else {
            closeAll([stdinPair[0], stdoutPair[0], stderrPipe[0]])
            if case .failure(let code) = spawned { return fail(code.value) }
            return fail(EINVAL)
        }
        state.withLock { $0.pid = pid }
        let (toSSH, fromSSH, errors) = (stdinPair[0], stdoutPair[0], stderrPipe[0])
        detach("ssh stderr") { self.readErrors(errors) }
        detach("ssh upstream") { self.copyUp(to: toSSH) }
        detach("ssh downstream") { self.copyDown(from: fromSSH, toSSH: toSSH) }
    }

    /// Asks the session to end: the client side is shut down and ssh gets SIGTERM.
    func end() {
        state.withLock { if !$0.clientClosed { shutdown(client, Int32(SHUT_RDWR)) } }
        deliver(SIGTERM)
    }

    /// The last resort, when ssh ignored SIGTERM.
    func kill() { deliver(SIGKILL) }

    private func deliver(_ sig: Int32) {
        state.withLock { state in
            state.ending = true
            if state.pid > 0 && state.exit == nil { Glibc.kill(state.pid, sig) }
        }
    }

    // MARK: - The three copies

    /// The client's request bytes to ssh's stdin. On the client's EOF, ssh's stdin gets EOF too (the remote
    /// dial-stdio then closes its side); ssh gets a few seconds to finish before SIGTERM.
    private func copyUp(to toSSH: Int32) {
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n = read(client, &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            guard n > 0, Self.sendAll(toSSH, buffer, count: n) else { break }
        }
        shutdown(toSSH, Int32(SHUT_WR))
        upstreamDone.signal()
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            if state.withLock({ $0.exit != nil }) { return }
            usleep(20_000)
        }
        deliver(SIGTERM)
    }

    /// ssh's stdout to the client; then the end of the session.
    private func copyDown(from fromSSH: Int32, toSSH: Int32) {
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        var established = false
        while true {
            let n = read(fromSSH, &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            if !established {
                established = true
                relay.sessionEstablished()
            }
            guard Self.sendAll(client, buffer, count: n) else { break }
        }
        // ssh closed its stdout: it is ending (or the client went away). Wait for its exit status and last words.
        let exit = waitForExit(upTo: established ? 1 : 5)
        if exit != nil { waitForStderr(upTo: 0.5) }
        var failure: SSHFailure?
        if let exit {
            let text = state.withLock { String(decoding: $0.stderr, as: UTF8.self) }
            failure = SSHFailure.classify(target: relay.target, exit: exit, stderr: text, established: established)
        }
        if !established, let failure { answer(failure) }
        shutdown(client, Int32(SHUT_RDWR))
        shutdown(toSSH, Int32(SHUT_RDWR))
        // ssh that outlives its stdout (a stuck remote): SIGTERM, then SIGKILL, always reaped.
        if exit == nil {
            deliver(SIGTERM)
            if waitForExit(upTo: 2) == nil {
                kill()
                _ = waitForExit(upTo: nil)
            }
        }
        upstreamDone.wait()
        state.withLock { state in
            state.clientClosed = true
            close(client)
        }
        close(toSSH)
        close(fromSSH)
        relay.sessionEnded(self, failure: failure)
    }

    /// ssh's stderr, the last 16 KiB of it, until EOF or shortly after ssh is reaped (a ControlPersist master may
    /// keep the pipe open for ever).
    private func readErrors(_ fd: Int32) {
        var buffer = [UInt8](repeating: 0, count: 4096)
        var reapedAt: ContinuousClock.Instant?
        while true {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&p, 1, 100)
            if ready > 0 {
                let n = read(fd, &buffer, buffer.count)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { break }
                state.withLock { state in
                    state.stderr.append(contentsOf: buffer[..<n])
                    if state.stderr.count > 16 << 10 { state.stderr.removeFirst(state.stderr.count - (16 << 10)) }
                }
            } else if ready < 0 && errno != EINTR {
                break
            }
            if state.withLock({ $0.exit != nil }) {
                if reapedAt == nil { reapedAt = .now }
                if let reapedAt, ContinuousClock.now - reapedAt > .seconds(1) { break }
            }
        }
        close(fd)
        state.withLock { $0.stderrClosed = true }
    }

    // MARK: - Helpers

    /// Reaps ssh when it has exited, polling until `seconds` (nil: until it does). Returns how it ended.
    private func waitForExit(upTo seconds: Double?) -> SSHFailure.Exit? {
        let deadline = seconds.map { ContinuousClock.now + .milliseconds(Int($0 * 1000)) }
        while true {
            let exit: SSHFailure.Exit? = state.withLock { state in
                if let exit = state.exit { return exit }
                var status: Int32 = 0
                let r = waitpid(state.pid, &status, WNOHANG)
                guard r == state.pid else { return nil }
                let ended: SSHFailure.Exit = (status & 0x7f) == 0 ? .status((status >> 8) & 0xff) : .signal(status & 0x7f)
                state.exit = ended
                return ended
            }
            if let exit { return exit }
            if let deadline, ContinuousClock.now >= deadline { return nil }
            usleep(10_000)
        }
    }

    private func waitForStderr(upTo seconds: Double) {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline && !state.withLock({ $0.stderrClosed }) { usleep(10_000) }
    }

    /// The client's answer when ssh failed before the daemon spoke: a 502 that carries the failure as JSON.
    private func answer(_ failure: SSHFailure) {
        let body = (try? JSONEncoder().encode(failure)) ?? Data()
        let head = "HTTP/1.1 502 Bad Gateway\r\nContent-Type: application/json\r\n\(SSHRelay.failureHeader): \(failure.kind.rawValue)\r\n"
            + "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        let bytes = Array(head.utf8) + Array(body)
        _ = Self.sendAll(client, bytes, count: bytes.count)
    }

    /// ssh could not even start: the client learns why, and the relay remembers it.
    private func fail(_ code: Int32) {
        let failure = code == ENOENT
            ? SSHFailure(kind: .sshMissing, target: relay.target, detail: "ssh not found")
            : SSHFailure(kind: .other, target: relay.target, detail: "cannot start ssh: \(String(cString: strerror(code)))")
        answer(failure)
        state.withLock { state in
            state.clientClosed = true
            shutdown(client, Int32(SHUT_RDWR))
            close(client)
        }
        relay.sessionEnded(self, failure: failure)
    }

    private func closeAll(_ fds: [Int32]) { for fd in fds where fd >= 0 { close(fd) } }

    private func detach(_ name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread(block: body)
        thread.name = "clawtop \(name)"
        thread.start()
    }

    private static func sendAll(_ fd: Int32, _ buffer: [UInt8], count: Int) -> Bool {
        var offset = 0
        while offset < count {
            let n = buffer.withUnsafeBytes { send(fd, $0.baseAddress! + offset, count - offset, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return false }
            offset += n
        }
        return true
    }

    struct SpawnError: Error { var value: Int32 }

    /// Runs `ssh` from PATH in a session of its own (no controlling terminal: it can never prompt on, or be
    /// stopped by, the console's terminal), with default signal handling and only the three descriptors given.
    private static func spawnSSH(_ arguments: [String], stdin: Int32, stdout: Int32, stderr: Int32) -> Result<pid_t, SpawnError> {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | Self.setsid))

        let argv = ["ssh"] + arguments
        var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for p in cArgs { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, "ssh", &actions, &attributes, &cArgs, environ)
        return rc == 0 ? .success(pid) : .failure(SpawnError(value: rc))
    }

    /// glibc's POSIX_SPAWN_SETSID (2.26+), which Swift's Glibc module does not export.
    private static let setsid: Int32 = 0x80
}
