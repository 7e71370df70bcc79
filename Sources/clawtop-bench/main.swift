import Foundation

// clawtop-bench: measures what it costs to leave clawtop running, each figure beside a baseline measured in the same
// run. `scripts/bench` builds it in release mode, starts the private swarm for the Docker parts, and writes
// BENCHMARKS.md. Usage: clawtop-bench [--write FILE] [--only SECTION,…]; sections: render, terminal, memory, poller,
// history, metrics, daemon, watching, first-frame, rolling-restart, history-swarm, usage (metrics and the last six
// need CLAWTOP_BENCH_* from scripts/bench). For looking into the
// terminal bytes: BENCH_TERM sets the pty's TERM (default tmux-256color), BENCH_DUMP=PREFIX writes each frame's bytes.

// Dispatch blocks signals in its threads; one thread that accepts them lets Ctrl-C and SIGTERM end the bench.
Thread {
    var stops = sigset_t()
    sigemptyset(&stops)
    for signal in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&stops, signal) }
    pthread_sigmask(SIG_UNBLOCK, &stops, nil)
    while true { sleep(3600) }
}.start()

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == "--memory-child", arguments.count == 2, let n = Int(arguments[1]) {
    memoryChild(agents: n)
    exit(0)
}
if arguments.first == "--serve-http" {
    serveHTTP()
}

/// `--write FILE` and `--only SECTION,…`.
func options(_ arguments: [String]) -> (write: String?, only: Set<String>?) {
    var write: String?, only: Set<String>?
    var i = 0
    while i < arguments.count {
        switch arguments[i] {
        case "--write" where i + 1 < arguments.count: write = arguments[i + 1]; i += 1
        case "--only" where i + 1 < arguments.count: only = Set(arguments[i + 1].split(separator: ",").map(String.init)); i += 1
        default:
            FileHandle.standardError.write(Data("usage: clawtop-bench [--write FILE] [--only SECTION,…]\n".utf8))
            exit(64)
        }
        i += 1
    }
    return (write, only)
}

let (write, only) = options(arguments)
let wanted = { (section: String) in only?.contains(section) ?? true }
func say(_ text: String) { FileHandle.standardError.write(Data("[bench] \(text)\n".utf8)) }

var results: [Result] = []
let started = Date()
do {
    if wanted("render") { say("render"); results += renderBench() }
    if wanted("terminal") { say("terminal"); results += try terminalBench() }
    if wanted("memory") { say("memory"); results += try memoryBench() }
    if wanted("poller") { say("poller (30 s)"); results += try await pollerBench() }
    if wanted("history") {
        say("history (a simulated day of 1,000 agents)")
        results += try historyBench(directory: NSTemporaryDirectory() + "clawtop-bench-history-\(getpid())")
    }
    if wanted("metrics") {
        if let prometheus = ProcessInfo.processInfo.environment["CLAWTOP_BENCH_PROMETHEUS"] {
            say("metrics (a scrape of 1,000 agents)")
            results += try metricsBench(prometheus: prometheus)
        } else {
            say("metrics: skipped, no Prometheus to compare with (run scripts/bench)")
        }
    }
    let swarm = SwarmBench.fromEnvironment()
    for section in ["daemon", "watching", "first-frame", "rolling-restart", "history-swarm", "usage"] where wanted(section) {
        guard let swarm else {
            say("\(section): skipped, no private swarm (run scripts/bench)")
            continue
        }
        say(section)
        results += try await swarm.run(section)
    }
} catch {
    say("failed: \(error)")
    exit(1)
}

let table = markdownTable(results)
print(table)
if let write {
    let existing = try? String(contentsOfFile: write, encoding: .utf8)
    let text: String
    if only != nil, let existing {
        // Some sections measured again: their rows replace theirs in the document, the others stay as they were.
        text = replacingRows(of: Set(results.map(\.section)), in: existing, with: markdownTable(results))
    } else {
        text = benchmarksDocument(table: table, seconds: Date().timeIntervalSince(started), existing: existing)
    }
    try text.write(toFile: write, atomically: true, encoding: .utf8)
    say("wrote \(write)")
}

/// The document with the table rows of `sections` replaced by those of `table`, where the first of them was (after
/// the table's last row, for a section it does not have yet).
func replacingRows(of sections: Set<String>, in document: String, with table: String) -> String {
    func section(_ line: Substring) -> String? {
        guard line.hasPrefix("| ") else { return nil }
        return line.dropFirst(2).components(separatedBy: " | ").first
    }
    let new = table.split(separator: "\n").dropFirst(2)
    var lines: [Substring] = []
    var placed = false
    for line in document.split(separator: "\n", omittingEmptySubsequences: false) {
        guard let name = section(line), sections.contains(name) else {
            lines.append(line)
            continue
        }
        if !placed { lines += new }
        placed = true
    }
    if !placed, let last = lines.lastIndex(where: { section($0) != nil && $0.hasPrefix("| ") }) {
        lines.insert(contentsOf: new, at: lines.index(after: last))
    }
    return lines.joined(separator: "\n")
}

func markdownTable(_ results: [Result]) -> String {
    var lines = ["| | measure | value | ratio | target | met |", "|---|---|---|---|---|---|"]
    for r in results {
        let met = r.met.map { $0 ? "yes" : "**no**" } ?? ""
        lines.append("| \(r.section) | \(r.measure) | \(r.value) | \(r.ratio) | \(r.target) | \(met) |")
    }
    return lines.joined(separator: "\n")
}
