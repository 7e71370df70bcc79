import Foundation
import Synchronization

/// A program running on its own pseudo-terminal, as if in a terminal pane of that size: a thread counts every byte
/// it writes to the terminal (and keeps the first 256 KB, to look for text); stopping it returns its resource usage,
/// which covers its children that it waited for (`watch` and its `docker` runs).
final class PtyProcess {
    let pid: pid_t
    private let master: Int32
    private let output = TerminalOutput()
    private let reader: Thread

    init(_ executable: String, _ arguments: [String], environment: [String: String], width: Int = 120, height: Int = 40) throws {
        var master: Int32 = 0, slave: Int32 = 0
        var size = winsize(ws_row: UInt16(height), ws_col: UInt16(width), ws_xpixel: 0, ws_ypixel: 0)
        guard openpty(&master, &slave, nil, nil, &size) == 0 else { throw BenchError("openpty failed") }
        self.master = master
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd in 0...2 { posix_spawn_file_actions_adddup2(&actions, slave, Int32(fd)) }
        posix_spawn_file_actions_addclose(&actions, master)
        let pid: pid_t
        do {
            pid = try spawn(executable, arguments, environment: environment, actions: &actions, newSession: true)
        } catch {
            close(slave)
            close(master)
            throw error
        }
        close(slave)
        self.pid = pid
        reader = output.startReading(master)
    }

    var bytes: Int { output.received.load(ordering: .relaxed) }

    /// The first 256 KB the program wrote to its terminal.
    var captured: [UInt8] { output.start.withLock { $0 } }

    /// Waits until the terminal has shown `text` (in its first 256 KB); returns the seconds it took, nil on timeout.
    func waitFor(_ text: String, timeout: Double = 30) -> Double? {
        let clock = ContinuousClock(), t0 = clock.now
        let needle = Array(text.utf8)
        while clock.now - t0 < .seconds(timeout) {
            if output.start.withLock({ $0.firstRange(of: needle) != nil }) {
                return (clock.now - t0).seconds
            }
            usleep(2000)
        }
        return nil
    }

    /// Sends `signal`, waits for the process, and returns its resource usage and its own peak RSS (`ru_maxrss` is
    /// carried over `execve` from the spawner, so it is read from /proc before the process goes).
    func stop(signal: Int32 = SIGTERM) -> (usage: rusage, peakRSS: Double) {
        let rss = peakRSS(of: pid) ?? 0
        kill(pid, signal)
        var status: Int32 = 0
        var usage = rusage()
        wait4(pid, &status, 0, &usage)
        close(master)
        return (usage, rss)
    }
}

/// What a terminal received: a count, and the first 256 KB.
final class TerminalOutput: Sendable {
    let received = Atomic<Int>(0)
    let start = Mutex<[UInt8]>([])

    /// A thread that reads the pty's master side until it closes.
    func startReading(_ master: Int32) -> Thread {
        let thread = Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let n = read(master, &buffer, buffer.count)
                if n <= 0 { return }
                received.add(n, ordering: .relaxed)
                start.withLock { if $0.count < 256 << 10 { $0 += buffer[..<n] } }
            }
        }
        thread.start()
        return thread
    }
}

extension rusage {
    var cpu: Double { seconds(ru_utime) + seconds(ru_stime) }
}
