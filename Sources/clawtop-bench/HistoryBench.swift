import ClawtopCore
import Foundation
import HistoryStore

/// Samples as the prober makes them: `agents` agents probed every `interval` seconds from `start` for `span`
/// seconds, in the batches the history's writer makes (every 5 s), each batch given to `body`. About 1% fail.
func simulatedProbes(agents: Int, interval: Double, from start: Date, span: Double, keys: (Int) -> String,
                     _ body: ([RecordedSample]) throws -> Void) rethrows {
    let names = (0..<agents).map(keys)
    let url = "http://10.0.1.7:18789/health"
    let batchEvery = 5.0
    var batch: [RecordedSample] = []
    batch.reserveCapacity(Int(Double(agents) * batchEvery / interval) + 1)
    var t = 0.0
    var n = 0
    while t < span {
        // The agents whose phase falls in this batch.
        for i in 0..<agents {
            let phase = Double(i % Int(interval / batchEvery)) * batchEvery
            guard (t.truncatingRemainder(dividingBy: interval)) == phase else { continue }
            n &+= 2_654_435_761
            let ok = n % 100 != 0
            batch.append(RecordedSample(key: names[i], url: url, sample: HealthSample(
                time: start.addingTimeInterval(t + Double(i % 5) * 0.2), ok: ok,
                latency: ok ? 0.012 + Double(n % 40) * 0.001 : nil, status: ok ? 200 : 503, reason: ok ? nil : "HTTP 503")))
        }
        try body(batch)
        batch.removeAll(keepingCapacity: true)
        t += batchEvery
    }
}

/// Writing the history: 1,000 agents probed every 10 s for a simulated day, in the writer's batches, into a real
/// database file; against appending the same samples to a file as JSON lines, the simplest store there is.
func historyBench(directory: String) throws -> [Result] {
    let section = "History: 1,000 agents every 10 s, a simulated day"
    let start = Date().addingTimeInterval(-86_400)
    try? FileManager.default.removeItem(atPath: directory)
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    func keys(_ i: Int) -> String { "agent-\(i)" }

    // The baseline: each sample a JSON line, appended batch by batch.
    let linesPath = directory + "/samples.jsonl"
    FileManager.default.createFile(atPath: linesPath, contents: nil)
    let file = try FileHandle(forWritingTo: URL(fileURLWithPath: linesPath))
    var count = 0
    let cpuLines = cpuSeconds()
    simulatedProbes(agents: 1_000, interval: 10, from: start, span: 86_400, keys: keys) { batch in
        var text = ""
        for s in batch {
            let x = s.sample
            text += "{\"agent\":\"\(s.key)\",\"time\":\(x.time.timeIntervalSince1970),\"ok\":\(x.ok),\"latency\":\(x.latency ?? -1),\"status\":\(x.status ?? 0)}\n"
        }
        file.write(Data(text.utf8))
        count += batch.count
    }
    try file.close()
    let linesCPU = cpuSeconds() - cpuLines
    let linesBytes = Double((try FileManager.default.attributesOfItem(atPath: linesPath)[.size] as? Int) ?? 0)

    // The history: the same samples through HistoryStore, one transaction a batch.
    let store = try HistoryStore(path: directory + "/swarm.sqlite", maxBytes: 64 << 30)
    let cpuStore = cpuSeconds()
    let clock = ContinuousClock(), t0 = clock.now
    try simulatedProbes(agents: 1_000, interval: 10, from: start, span: 86_400, keys: keys) { batch in
        try store.write(samples: batch, transitions: [])
    }
    let storeWall = (clock.now - t0).seconds
    let storeCPU = cpuSeconds() - cpuStore
    let storeBytes = Double(store.bytesOnDisk)

    let per1000 = storeCPU / Double(count) * 1_000
    // 1,000 agents every 10 s are 100 samples a second: the share of one core the writes take.
    let share = storeCPU / Double(count) * 100
    return [
        Result(section: section, measure: "baseline: JSON lines appended, CPU per 1,000 samples",
               value: format(seconds: linesCPU / Double(count) * 1_000), ratio: "1×", target: "", met: nil),
        Result(section: section, measure: "history (SQLite), CPU per 1,000 samples (\(count / 1_000_000).\(count / 100_000 % 10) M written in \(format(seconds: storeWall)))",
               value: format(seconds: per1000), ratio: String(format: "%.1f×", storeCPU / linesCPU),
               target: "", met: nil),
        Result(section: section, measure: "share of one core while recording 1,000 agents every 10 s",
               value: String(format: "%.2f%%", share * 100), ratio: "", target: "≤ 1%", met: share <= 0.01),
        Result(section: section, measure: "baseline: the JSON lines' size, a day", value: format(bytes: linesBytes), ratio: "1×",
               target: "", met: nil),
        Result(section: section, measure: String(format: "history's size, a day (%.0f bytes a sample)", storeBytes / Double(count)),
               value: format(bytes: storeBytes), ratio: String(format: "%.2f×", storeBytes / linesBytes),
               target: "≤ 1×", met: storeBytes <= linesBytes),
    ]
}

extension SwarmBench {
    /// `clawtop status` while a recorder writes the history (read from the database, no request to Docker), against
    /// `docker service ls`; and the console's first frame with seven days of history for its 100 agents, against
    /// without.
    func historyOnSwarm() throws -> [Result] {
        func medianOf(_ runs: Int, _ body: () throws -> Double) rethrows -> Double {
            var times: [Double] = []
            for _ in 0..<runs { times.append(try body()) }
            return times.sorted()[runs / 2]
        }
        func timed(_ executable: String, _ arguments: [String], state: String) throws -> Double {
            var env = environment(host: direct)
            env["XDG_STATE_HOME"] = state
            let clock = ContinuousClock(), t0 = clock.now
            let process = try PtyProcess(executable, arguments, environment: env)
            var status: Int32 = 0
            waitpid(process.pid, &status, 0)
            return (clock.now - t0).seconds
        }

        // status with a live recorder.
        let recording = work + "/state-recording"
        var env = environment(host: direct)
        env["XDG_STATE_HOME"] = recording
        let recorder = try PtyProcess(clawtop, ["record", "--all"], environment: env)
        defer { _ = recorder.stop() }
        guard recorder.waitFor("writing its history") != nil else { throw BenchError("the recorder did not start") }
        Thread.sleep(forTimeInterval: 8)
        let serviceLs = try medianOf(7) { try timed(docker, ["service", "ls"], state: recording) }
        let status = try medianOf(7) { try timed(clawtop, ["status", "--all"], state: recording) }
        let statusAlone = try medianOf(7) { try timed(clawtop, ["status", "--all", "--no-history"], state: recording) }

        // The console with a week of history for bench_0 … bench_99, and with none.
        let week = work + "/state-week"
        let store = try HistoryStore(path: HistoryStore.defaultPath(swarm: direct, environment: ["XDG_STATE_HOME": week]),
                                     maxBytes: 64 << 30)
        try simulatedProbes(agents: 100, interval: 10, from: Date().addingTimeInterval(-7 * 86_400), span: 7 * 86_400,
                            keys: { "bench_\($0)" }) { batch in try store.write(samples: batch, transitions: []) }
        let weekBytes = Double(store.bytesOnDisk)
        func firstFrame(_ arguments: [String], waitingFor text: String) throws -> Double {
            try medianOf(5) { () throws -> Double in
                var env = environment(host: direct)
                env["XDG_STATE_HOME"] = week
                let process = try PtyProcess(clawtop, arguments, environment: env)
                defer { _ = process.stop() }
                guard let t = process.waitFor(text) else { throw BenchError("the console drew no \(text) in 30 s") }
                return t
            }
        }
        // The first frame does not wait for the history; the history is on screen with the first "%" (availability,
        // which only samples give, and none are probed that soon).
        let without = try firstFrame(["--all", "--read-only", "--no-history"], waitingFor: "REPL")
        let with = try firstFrame(["--all", "--read-only"], waitingFor: "REPL")
        let shown = try firstFrame(["--all", "--read-only"], waitingFor: "%")
        let section = "History on the private swarm (100 services)"
        return [
            Result(section: section, measure: "baseline: `docker service ls`", value: format(seconds: serviceLs), ratio: "1×",
                   target: "", met: nil),
            Result(section: section, measure: "`status --all` while `clawtop record` runs (from the history)",
                   value: format(seconds: status), ratio: String(format: "%.2f×", status / serviceLs), target: "< 1×",
                   met: status < serviceLs),
            Result(section: section, measure: "`status --all` without a recorder (a read and a round of probes)",
                   value: format(seconds: statusAlone), ratio: String(format: "%.2f×", statusAlone / serviceLs), target: "",
                   met: nil),
            Result(section: section, measure: "baseline: the console's first frame without history", value: format(seconds: without),
                   ratio: "1×", target: "", met: nil),
            Result(section: section, measure: "first frame with 7 days of history (\(format(bytes: weekBytes)) on disk)",
                   value: format(seconds: with), ratio: String(format: "%.2f×", with / without), target: "≤ 1.5×",
                   met: with <= 1.5 * without),
            Result(section: section, measure: "the week's history on screen (availability in the table)",
                   value: format(seconds: shown), ratio: String(format: "%.2f×", shown / without), target: "< 1 s",
                   met: shown < 1),
        ]
    }
}
