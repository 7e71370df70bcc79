import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif
import CNcursesw

/// The signal that asked the console to stop (SIGINT, SIGTERM, SIGHUP), or 0.
let pendingSignal = Atomic<Int32>(0)
/// The write end of the self-pipe that wakes the UI loop from `poll`; set once before handlers are installed.
nonisolated(unsafe) var wakeWriteFD: Int32 = -1
/// The crash handlers' previous actions (the Swift runtime's backtracer), restored before re-raising.
nonisolated(unsafe) var previousCrashActions: [sigaction] = Array(repeating: sigaction(), count: 65)
/// Whether curses is active, so the crash handler knows to restore the terminal.
let cursesActive = Atomic<Bool>(false)

/// SIGINT, SIGTERM and SIGHUP become a flag and a byte on the wake pipe: the UI loop exits normally and restores
/// the terminal. Crash signals restore the terminal, then chain to the previous handler so the backtrace prints
/// on the normal screen. Install before curses starts, so ncurses leaves these signals alone (it still installs
/// its own SIGWINCH and SIGTSTP handlers: resize and Ctrl-Z keep working).
enum SignalHandlers {
    static let stopSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP]
    static let crashSignals: [Int32] = [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP]

    static func install(wakeFD: Int32) {
        wakeWriteFD = wakeFD
        // A parent may have left these blocked (test runners do); a blocked SIGTERM would never arrive.
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for s in stopSignals + [SIGWINCH, SIGTSTP, SIGCONT] { sigaddset(&unblock, s) }
        sigprocmask(SIG_UNBLOCK, &unblock, nil)

        for s in stopSignals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { sig in
                pendingSignal.store(sig, ordering: .relaxed)
                var byte: UInt8 = 1
                _ = write(wakeWriteFD, &byte, 1)
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0
            sigaction(s, &action, nil)
        }
        signal(SIGPIPE, SIG_IGN)
        for s in crashSignals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { sig in
                if cursesActive.load(ordering: .relaxed) { endwin() }
                var previous = previousCrashActions[Int(sig)]
                sigaction(sig, &previous, nil)
                raise(sig)
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = Int32(bitPattern: UInt32(SA_RESETHAND)) | Int32(SA_NODEFER)
            sigaction(s, &action, &previousCrashActions[Int(s)])
        }
    }
}
