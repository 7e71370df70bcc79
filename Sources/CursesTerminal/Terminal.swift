import CNcursesw
import Screen
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

public struct TerminalUnavailable: Error, CustomStringConvertible {
    public var description: String
}

/// Why the loop ended.
public enum ExitReason: Sendable, Equatable {
    case quit
    case signal(Int32)
    /// The terminal went away (SSH dropped, tmux killed): stdin hung up or keys read as errors.
    case terminalGone

    /// The process exit status: 0, or 128 + the signal, as a shell reports a signal death.
    public var status: Int32 {
        switch self {
        case .quit: return 0
        case .signal(let s): return 128 + s
        case .terminalGone: return 129
        }
    }
}

/// The curses terminal: owns it from `init` until `close`. Every call must come from one thread.
public final class Terminal {
    private let screen: OpaquePointer
    let wakeRead: Int32
    let wakeWrite: Int32
    private let colors: Bool
    public let unicode: Bool
    private var closed = false

    /// Whether this process can run the console: stdin and stdout are terminals and TERM is usable.
    public static func check(environment: [String: String] = ProcessInfo.processInfo.environment) -> TerminalUnavailable? {
        let term = environment["TERM"] ?? ""
        if isatty(0) == 0 || isatty(1) == 0 {
            return TerminalUnavailable(description: "clawtop needs a terminal (stdin and stdout are not both a tty); for scripts use `clawtop snapshot`.")
        }
        if term.isEmpty || term == "dumb" || term == "unknown" {
            return TerminalUnavailable(description: "clawtop needs a capable terminal, but TERM is \(term.isEmpty ? "not set" : "'\(term)'"); set TERM (e.g. xterm-256color), or use `clawtop snapshot`.")
        }
        return nil
    }

    /// Starts curses. Fails (without exiting the process, unlike `initscr`) when TERM has no terminfo entry.
    public init(forceASCII: Bool = false, noColor: Bool = false) throws(TerminalUnavailable) {
        setlocale(LC_ALL, "")
        unicode = !forceASCII && String(cString: nc_codeset()) == "UTF-8"
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw TerminalUnavailable(description: "cannot create a pipe: \(String(cString: strerror(errno)))") }
        wakeRead = fds[0]
        wakeWrite = fds[1]
        for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        SignalHandlers.install(wakeFD: wakeWrite)
        guard let out = fdopen(1, "w"), let input = fdopen(0, "r"), let s = newterm(nil, out, input) else {
            let term = ProcessInfo.processInfo.environment["TERM"] ?? ""
            throw TerminalUnavailable(description: "the terminal type '\(term)' is unknown to this system's terminfo; set TERM (e.g. xterm-256color), or use `clawtop snapshot`.")
        }
        screen = s
        cursesActive.store(true, ordering: .relaxed)
        cbreak()
        noecho()
        nonl()
        keypad(nc_stdscr(), true)
        nodelay(nc_stdscr(), true)
        // The cursor is hidden: ncurses need not move it back after each frame (6 bytes a frame).
        leaveok(nc_stdscr(), true)
        set_escdelay(25)
        curs_set(0)
        var useColor = false
        if !noColor && has_colors() {
            start_color()
            use_default_colors()
            useColor = true
            // -1 is the terminal's own background and foreground, so the theme reads on dark and light terminals.
            init_pair(Int16(Role.ok.rawValue), Int16(COLOR_GREEN), -1)
            init_pair(Int16(Role.warn.rawValue), Int16(COLOR_YELLOW), -1)
            init_pair(Int16(Role.bad.rawValue), Int16(COLOR_RED), -1)
            init_pair(Int16(Role.title.rawValue), Int16(COLOR_BLACK), Int16(COLOR_CYAN))
        }
        colors = useColor
    }

    /// Wakes the loop from any thread: it then calls `onWake`.
    public var waker: @Sendable () -> Void {
        { [wakeWrite] in
            var byte: UInt8 = 2
            _ = write(wakeWrite, &byte, 1)
        }
    }

    public var size: (width: Int, height: Int) { (Int(getmaxx(nc_stdscr())), Int(getmaxy(nc_stdscr()))) }

    /// Restores the terminal. Safe to call twice.
    public func close() {
        guard !closed else { return }
        closed = true
        curs_set(1)
        endwin()
        cursesActive.store(false, ordering: .relaxed)
        delscreen(screen)
    }

    deinit { close() }

    // MARK: - Drawing

    private var theme: Theme { colors ? .color : .monochrome }

    private func attributes(for role: Role) -> (attr_t, Int16) {
        let style = theme.style(for: role)
        var attr = nc_a_normal()
        if style.bold { attr |= nc_a_bold() }
        if style.dim { attr |= nc_a_dim() }
        if style.reverse { attr |= nc_a_reverse() }
        let pair: Int16
        switch style.color {
        case .green?: pair = Int16(Role.ok.rawValue)
        case .yellow?: pair = Int16(Role.warn.rawValue)
        case .red?: pair = Int16(Role.bad.rawValue)
        case .bar?: pair = Int16(Role.title.rawValue)
        case nil: pair = 0
        }
        return (attr, pair)
    }

    /// Blits the buffer; ncurses compares with what is on screen and writes only the difference.
    public func draw(_ buffer: Buffer) {
        let (w, h) = size
        var row = [cchar_t](repeating: cchar_t(), count: max(1, w))
        let styles = Role.allCases.map { attributes(for: $0) } // by raw value
        var wch = [wchar_t](repeating: 0, count: 5) // a cell's scalars (at most 4) and the terminating 0
        for y in 0..<min(h, buffer.height) {
            var n = 0
            var role = Role.normal
            for x in 0..<min(w, buffer.width) {
                let cell = buffer[x, y]
                if cell.symbol.isEmpty { continue } // right half of a wide character
                var k = 0
                for scalar in cell.symbol.unicodeScalars.prefix(4) {
                    wch[k] = wchar_t(bitPattern: scalar.value)
                    k += 1
                }
                if !unicode && wch[0..<k].contains(where: { $0 > 0x7E }) {
                    wch[0] = wchar_t(UInt8(ascii: "?"))
                    k = 1
                }
                wch[k] = 0
                role = theme.drawnRole(cell, after: role)
                let (attr, pair) = styles[Int(role.rawValue)]
                _ = nc_setcell(&row[n], wch, attr, pair)
                n += 1
            }
            _ = row.withUnsafeBufferPointer { mvadd_wchnstr(Int32(y), 0, $0.baseAddress!, Int32(n)) }
            // Clear what is right of the drawn cells (a shorter row than before).
            if n < w { move(Int32(y), Int32(buffer.width)); clrtoeol() }
        }
        wnoutrefresh(nc_stdscr())
        doupdate()
    }

    /// The frame on screen, to draw only a different one; nil paints the next in full.
    var shown: Buffer?

    /// Paints the whole screen on the next frame (Ctrl-L).
    public func repaint() {
        clearok(nc_curscr(), true)
        shown = nil
    }

    /// Rings the terminal's bell (or flashes it, where it has no bell).
    public func bell() { _ = beep() }

    // MARK: - The loop

    /// Runs until `onWake` or `onKey` returns false, a stop signal arrives, or the terminal goes away.
    /// - `onWake` is called on the UI thread after background messages arrive (drain the inbox there).
    /// - `onKey` is called for each key.
    /// - `frame` renders the current state at a size; it is drawn only when it differs from the frame shown.
    /// Wakes at least every `tick` seconds so clocks on screen advance. Background messages bring a new frame at
    /// most every `minFrameInterval` seconds: the first at once, those that follow it gathered into the next (fifty
    /// agents' probe results do not make five frames a second, nor a thousand agents' a thousand); a key always
    /// brings one at once.
    public func run(tick: Double = 1, minFrameInterval: Double = 0.5, onWake: () -> Bool, onKey: (Key) -> Bool,
                    frame: (_ width: Int, _ height: Int) -> Buffer) -> ExitReason {
        var fds = [pollfd(fd: 0, events: Int16(POLLIN), revents: 0), pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
        var needsDraw = true
        var keyed = true
        let clock = ContinuousClock()
        var lastFrame = clock.now - .seconds(tick)
        var drain = [UInt8](repeating: 0, count: 256)
        while true {
            var timeout = tick
            if needsDraw {
                let since = clock.now - lastFrame
                let wait = minFrameInterval - since / .seconds(1)
                if keyed || wait <= 0 {
                    let (w, h) = size
                    let buffer = frame(w, h)
                    if buffer != shown { draw(buffer); shown = buffer }
                    needsDraw = false
                    keyed = false
                    lastFrame = clock.now
                } else {
                    timeout = wait
                }
            }
            let n = poll(&fds, 2, Int32((timeout * 1000).rounded(.up)))
            let sig = pendingSignal.load(ordering: .relaxed)
            if sig != 0 { return .signal(sig) }
            if fds[0].revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 { return .terminalGone }
            if n > 0 && fds[1].revents & Int16(POLLIN) != 0 {
                while read(wakeRead, &drain, drain.count) > 0 {}
                if !onWake() { return .quit }
            }
            while true {
                var wch: wint_t = 0
                let r = get_wch(&wch)
                if r == ERR {
                    // Readable stdin that yields no key and no error flag is a hung-up terminal.
                    if n > 0 && fds[0].revents & Int16(POLLIN) != 0 && isatty(0) == 0 { return .terminalGone }
                    break
                }
                var key: Key?
                if r == KEY_CODE_YES {
                    switch Int32(wch) {
                    case KEY_UP: key = .up
                    case KEY_DOWN: key = .down
                    case KEY_PPAGE: key = .pageUp
                    case KEY_NPAGE: key = .pageDown
                    case KEY_HOME: key = .home
                    case KEY_END: key = .end
                    case KEY_RESIZE: shown = nil
                    case KEY_ENTER: key = .enter
                    case KEY_BACKSPACE: key = .backspace
                    default: break
                    }
                } else if wch == 10 || wch == 13 {
                    key = .enter
                } else if wch == 127 || wch == 8 {
                    key = .backspace
                } else if wch == 9 {
                    key = .tab
                } else if wch == 12 {
                    key = .redraw
                } else if wch == 27 {
                    key = .escape
                } else if let scalar = Unicode.Scalar(UInt32(wch)) {
                    key = .char(Character(scalar))
                }
                needsDraw = true
                keyed = true
                guard let key else { continue }
                if !onKey(key) { return .quit }
            }
            needsDraw = true
        }
    }
}
