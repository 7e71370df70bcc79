import Foundation

/// A private tmux server (`tmux -L NAME`) running one shell, driven the way a person would: keys in, screen out.
public final class Tmux: @unchecked Sendable {
    public let socket: String
    public let session = "t"

    /// Starts a bash pane of `width`×`height` with `environment` added, prompt `$ `.
    public init(width: Int, height: Int, environment: [String: String] = [:]) throws {
        socket = "clawtop-\(UUID().uuidString.prefix(8))"
        var args = ["new-session", "-d", "-s", session, "-x", String(width), "-y", String(height)]
        for (k, v) in environment.sorted(by: { $0.key < $1.key }) { args += ["-e", "\(k)=\(v)"] }
        args += ["env", "PS1=$ ", "bash", "--norc", "--noprofile"]
        try tmux(args)
    }

    @discardableResult
    public func tmux(_ args: [String]) throws -> String {
        let r = try run("/usr/bin/env", ["tmux", "-L", socket] + args, timeout: 10)
        guard r.status == 0 else {
            throw TestDocker.CommandFailed(description: "tmux \(args.joined(separator: " ")): \(r.stderr)")
        }
        return r.stdout
    }

    /// `tmux(_:)` for async code, off the cooperative pool (see `offPool`).
    @discardableResult
    public func tmux(_ args: [String]) async throws -> String {
        try await offPool { try self.tmux(args) }
    }

    /// Types `text` and presses Enter.
    public func type(_ text: String) throws { try tmux(["send-keys", "-t", session, "-l", text]); try tmux(["send-keys", "-t", session, "Enter"]) }

    /// Types `text` as it is, without Enter (`+`, `-`, `/name`).
    public func literal(_ text: String) throws { try tmux(["send-keys", "-t", session, "-l", "--", text]) }

    /// Sends tmux key names (`q`, `Down`, `C-c`).
    public func keys(_ keys: String...) throws { try tmux(["send-keys", "-t", session] + keys) }

    /// The screen as text (trailing blanks trimmed by tmux).
    public func screen() throws -> String { try tmux(["capture-pane", "-p", "-t", session]) }

    /// The screen, for async code, off the cooperative pool.
    public func screen() async throws -> String { try await tmux(["capture-pane", "-p", "-t", session]) }

    public func resize(width: Int, height: Int) throws {
        try tmux(["resize-window", "-t", session, "-x", String(width), "-y", String(height)])
    }

    /// The PID of the program running in the pane's shell (the shell's child).
    public func childPID() throws -> Int32? {
        let pane = try tmux(["display", "-p", "-t", session, "#{pane_pid}"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let r = try run("/usr/bin/env", ["pgrep", "-P", pane])
        return r.stdout.split(separator: "\n").first.flatMap { Int32($0) }
    }

    /// Waits until the screen contains `text`; returns the screen. The default deadline bounds liveness only: it is
    /// sized for the console's first frame while the whole parallel suite starts on two busy cores.
    @discardableResult
    public func waitFor(_ text: String, timeout: Double = 60) async throws -> String {
        try await waitFor(all: [text], timeout: timeout)
    }

    /// Waits until one screen contains every one of `texts` (a frame can reach the pane in parts); returns it.
    @discardableResult
    public func waitFor(all texts: [String], timeout: Double = 60) async throws -> String {
        var last = ""
        do {
            try await TestDocker.waitUntil(texts.map { "'\($0)'" }.joined(separator: ", ") + " on screen", timeout: timeout) {
                last = try await self.screen()
                return texts.allSatisfy(last.contains)
            }
        } catch {
            throw TestDocker.TimedOut(description: "\(error); the screen was:\n\(last)")
        }
        return last
    }

    public func kill() {
        _ = try? run("/usr/bin/env", ["tmux", "-L", socket, "kill-server"], timeout: 10)
        try? FileManager.default.removeItem(atPath: "/tmp/tmux-\(getuid())/\(socket)")
    }

    deinit { kill() }
}

/// The built `clawtop` binary (scripts/test runs `swift build` before the tests).
public func clawtopBinary() throws -> String {
    let path = packageRoot.appendingPathComponent(".build/debug/clawtop").path
    guard FileManager.default.isExecutableFile(atPath: path) else {
        throw TestDocker.Unavailable(description: "\(path) is missing: run `swift build` first (scripts/test does)")
    }
    return path
}

/// `clawtop snapshot` of the private swarm through the real binary, at a frame size, with more arguments.
public func snapshot(_ args: [String], width: Int = 160, height: Int = 20, environment extra: [String: String] = [:])
    async throws -> ProcessResult {
    try await run(clawtopBinary(), ["snapshot", "--width", String(width), "--height", String(height)] + args,
                  environment: ["DOCKER_HOST": try TestDocker.requireHost(), "LANG": "C.UTF-8", "PATH": "/usr/bin:/bin"]
                      .merging(extra) { $1 })
}

/// The table row of an agent in a text frame: the line that has the name as a word; empty when there is none.
public func frameRow(_ frame: String, _ agent: String) -> String {
    frame.split(separator: "\n").first { $0.split(separator: " ").contains { $0 == agent } }.map(String.init) ?? ""
}
