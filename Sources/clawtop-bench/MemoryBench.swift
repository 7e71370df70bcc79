import ClawtopCore
import Dashboard
import Foundation

/// Peak RSS of a fresh process holding 1,000 agents with full 720-sample histories and a full 5,000-line log ring,
/// having drawn a frame; baseline: the same process holding nothing.
func memoryBench() throws -> [Result] {
    let empty = try peakRSS(agents: 0)
    let full = try peakRSS(agents: 1000)
    return [
        Result(section: "Memory", measure: "baseline: the bench process, no agents", value: format(bytes: empty), ratio: "1×",
               target: "", met: nil),
        Result(section: "Memory", measure: "1000 agents, 720 samples each, 5000 log lines", value: format(bytes: full),
               ratio: String(format: "%.1f×", full / empty), target: "< 64 MB", met: full < 64e6),
    ]
}

/// What `--memory-child N` does: build the state, draw it once, print its peak RSS, exit.
func memoryChild(agents: Int) {
    let now = Date()
    let state = syntheticFleet(agents: agents, now: now)
    var ui = UIState()
    ui.pane = .logs
    blackHole(render(state, ui: ui, width: 200, height: 60, now: now))
    blackHole(state)
    print(peakRSS(of: getpid()) ?? 0)
}

/// The peak RSS of a fresh process: `ru_maxrss` would not do, since Linux carries it over `execve` from the
/// spawning process, so it asks the child for its own high-water mark.
private func peakRSS(agents: Int) throws -> Double {
    let output = try runChild(["--memory-child", String(agents)])
    guard let bytes = Double(output.trimmingCharacters(in: .whitespacesAndNewlines)), bytes > 0 else {
        throw BenchError("the memory child said '\(output)'")
    }
    return bytes
}

/// `VmHWM` of a process, in bytes: its peak resident set since it started (or last exec'd).
func peakRSS(of pid: pid_t) -> Double? {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
          let kb = Double(line.split(separator: " ").dropFirst().first ?? "") else { return nil }
    return kb * 1024
}

/// Runs this executable with `arguments` and returns what it printed.
func runChild(_ arguments: [String]) throws -> String {
    let out = Pipe()
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, out.fileHandleForWriting.fileDescriptor, 1)
    let pid = try spawn(CommandLine.arguments[0], arguments, actions: &actions)
    try out.fileHandleForWriting.close()
    let data = try out.fileHandleForReading.readToEnd() ?? Data()
    var status: Int32 = 0
    guard waitpid(pid, &status, 0) == pid, status == 0 else { throw BenchError("\(arguments) failed (\(status))") }
    return String(decoding: data, as: UTF8.self)
}
