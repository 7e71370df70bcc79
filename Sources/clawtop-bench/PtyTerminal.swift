import CursesTerminal
import Dashboard
import Screen
import Foundation
import Synchronization

/// A real pseudo-terminal of a given size, with the curses console drawing into it in this process: the bench's
/// stdin and stdout point at the pty while it is open, and a thread counts every byte curses writes.
final class PtyTerminal {
    private let master: Int32
    private let savedIn: Int32
    private let savedOut: Int32
    private let output = TerminalOutput()
    private let reader: Thread
    let console: Terminal

    init(width: Int, height: Int, term: String = ProcessInfo.processInfo.environment["BENCH_TERM"] ?? "tmux-256color") throws {
        var master: Int32 = 0, slave: Int32 = 0
        var size = winsize(ws_row: UInt16(height), ws_col: UInt16(width), ws_xpixel: 0, ws_ypixel: 0)
        guard openpty(&master, &slave, nil, nil, &size) == 0 else { throw BenchError("openpty: \(String(cString: strerror(errno)))") }
        self.master = master
        savedIn = dup(0)
        savedOut = dup(1)
        dup2(slave, 0)
        dup2(slave, 1)
        Foundation.close(slave)
        setenv("TERM", term, 1)
        reader = output.startReading(master)
        do {
            console = try Terminal()
        } catch {
            Self.restore(savedIn, savedOut)
            throw BenchError(error.description)
        }
    }

    /// Bytes written so far, once the reader has caught up (nothing new for 30 ms).
    var bytes: Int {
        var last = -1
        while true {
            let now = output.received.load(ordering: .relaxed)
            if now == last { return now }
            last = now
            usleep(30_000)
        }
    }

    /// Draws a frame and returns the bytes it took.
    func draw(_ buffer: Buffer) -> Int {
        let before = bytes
        console.draw(buffer)
        let after = bytes
        if let dump = ProcessInfo.processInfo.environment["BENCH_DUMP"] {
            let data = output.start.withLock { Data($0[min(before, $0.count)..<min(after, $0.count)]) }
            FileManager.default.createFile(atPath: dump + "-\(before)", contents: data)
        }
        return after - before
    }

    func close() {
        console.close()
        Self.restore(savedIn, savedOut)
        Foundation.close(master)
    }

    private static func restore(_ input: Int32, _ output: Int32) {
        dup2(input, 0)
        dup2(output, 1)
        Foundation.close(input)
        Foundation.close(output)
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
