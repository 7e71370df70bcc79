import CNcursesw
import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension Terminal {
    /// Leaves the terminal to a program (a shell in a container) until it exits. Curses steps aside, leaving the
    /// terminal as the user had it; the program gets it (stdin, stdout, stderr, resizes: it is in the terminal's
    /// foreground group). Afterwards the terminal's modes are set back to what they were before it, whatever it left
    /// (a program killed in raw mode), and the screen is painted again. A stop signal meanwhile (SIGTERM, SIGHUP,
    /// SIGINT) ends the program, SIGTERM then SIGKILL after 3 s, and stays pending for the loop to end on.
    /// Returns its exit status (128 + the signal that ended it), or why it could not start.
    public func runAside(_ arguments: [String], environment: [String: String]) -> Result<Int32, TerminalUnavailable> {
        guard let program = arguments.first else { return .failure(TerminalUnavailable(description: "nothing to run")) }
        def_prog_mode()
        endwin()
        var modes = termios()
        let haveModes = tcgetattr(0, &modes) == 0
        defer {
            if haveModes { tcsetattr(0, TCSADRAIN, &modes) }
            reset_prog_mode()
            repaint()
            // What the sources posted meanwhile is drained when the loop is back.
            waker()
        }

        var pid = pid_t()
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { strdup("\($0)=\($1)") } + [nil]
        defer { for p in argv + envp { free(p) } }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Signals as a fresh program has them: none blocked, SIGPIPE (ignored here) back to its default.
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let spawned = posix_spawn(&pid, program, nil, &attributes, argv, envp)
        guard spawned == 0 else {
            return .failure(TerminalUnavailable(description: "cannot run \(program): \(String(cString: strerror(spawned)))"))
        }

        var status: Int32 = 0
        var stopAsked: ContinuousClock.Instant?
        while true {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid { break }
            if r < 0 && errno != EINTR { return .failure(TerminalUnavailable(description: "lost \(program): \(String(cString: strerror(errno)))")) }
            if pendingSignal.load(ordering: .relaxed) != 0 {
                if stopAsked == nil {
                    kill(pid, SIGTERM)
                    stopAsked = .now
                } else if ContinuousClock.now - stopAsked! > .seconds(3) {
                    kill(pid, SIGKILL)
                }
            }
            usleep(50_000)
        }
        // As a shell reports it: the exit code, or 128 + the signal.
        let signal = status & 0x7f
        return .success(signal == 0 ? (status >> 8) & 0xff : 128 + signal)
    }
}
