import Foundation

/// BENCHMARKS.md with this run's table: the part between the markers is replaced, and what the team wrote around
/// it (the findings) is kept; a new file gets the generated part alone.
func benchmarksDocument(table: String, seconds: Double, existing: String?) -> String {
    let begin = "<!-- begin: written by clawtop-bench -->", end = "<!-- end: written by clawtop-bench -->"
    let generated = begin + "\n" + generatedPart(table: table, seconds: seconds) + end
    guard let existing, let b = existing.range(of: begin), let e = existing.range(of: end), b.upperBound <= e.lowerBound else {
        return generated + "\n"
    }
    return existing.replacingCharacters(in: b.lowerBound..<e.upperBound, with: generated)
}

private func generatedPart(table: String, seconds: Double) -> String {
    var uname = utsname()
    _ = Foundation.uname(&uname)
    let machine = withUnsafeBytes(of: &uname.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    let cores = ProcessInfo.processInfo.activeProcessorCount
    let memory = Double(ProcessInfo.processInfo.physicalMemory) / Double(1 << 30)
    let date = ISO8601DateFormatter().string(from: Date()).prefix(10)
    return """
        # Benchmarks

        Made by `scripts/bench` (which builds `clawtop-bench` and `clawtop` with `-c release` and the static `clawtop`,
        starts the private swarm from `scripts/test` with 100 services and a request-counting proxy, and runs every part) on \(date), on a shared
        \(machine) machine with \(cores) cores and \(String(format: "%.0f", memory)) GiB, in \(String(format: "%.0f", seconds / 60)) minutes.
        Each figure stands beside a baseline measured in the same run: these machines are shared and noisy, so the ratio
        says more than the absolute value. Not part of CI.

        \(table)

        How each part is measured:

        - **Render**: the median of 50 to 200 frames as the console makes them (a probe result through `update`, the
          frame's tick, `view`), 50 ms apart, at 200×60 in the full layout with the logs pane open (the table and the first
          agent's logs), for a fleet whose every agent has 720 samples; every row is derived anew once a second, and that
          frame is measured apart. The baseline fills a 200×60 buffer with 60 lines of text. "→ curses → pty" adds ncurses'
          diff and its writes to a real pty of that size.
        - **Bytes**: what ncurses writes to a real 120×40 pty (TERM=tmux-256color), counted from the master side, with
          100 agents and the first agent's logs open, the clock held still so only the named change differs.
        - **Memory**: the peak RSS of a fresh process that builds the state and draws one frame, as it reports its own
          high-water mark (`VmHWM`; `ru_maxrss` would carry the spawner's over `execve`).
        - **Poller**: a loopback HTTP server in another process (so its CPU is not counted); the scheduler's own report
          of when each probe started against when it was due; CPU from `getrusage` over 25 s, after 5 s of warm-up.
        - **Daemon load**: `scripts/docker-proxy.py` (accept backlog 4096) logs each request line; the console runs with
          `--all` over the 100 services for 2 minutes after 15 s of settling; the baseline for 1 minute. Streams opened
          before the window (the events stream) are not counted. The usage reader's container reads (a list of the
          node's containers every 10 s, of the selected agent's every 2 s, an inspect of each container not seen
          before) have a budget of their own; the rest is held to 2 a minute.
        - **Watching**: each program on its own 120×40 pty, once the bench's services are 70 s old (out of their startup
          grace); the console with 50 agents whose URLs always answer 200, probed every 10 s, for the minute after its
          first frame (the table's header, and 0.2 s for the rest of it), the baseline for its whole first minute. CPU from
          `wait4`, which includes the children `watch` waited for (its `docker` runs); peak RSS is the program's own
          `VmHWM`, read just before it is stopped. Two more consoles, run side by side, break the bytes down: the same
          agents with URLs that flip between 200 and 503 on a 50 s cycle each, phased so that one agent changes a second,
          in the default order (rows move) and with `--sort name` (rows stay put). A last run, of the static build
          (`scripts/build-static`), gives the memory of the binary one copies onto a manager.
        - **First frame**: the console until `REPL` (the table's header) reaches its pty; `snapshot` and
          `docker service ls` until they exit. Medians of 5, against the daemon directly.
        - **Rolling restart**: a 10-replica service whose tasks stop at SIGTERM; 15 s after the console (`--all`,
          through the proxy) starts, `docker service update --force --detach=false` against the daemon directly; the
          console's requests from the update's start until 5 s after it ends, the events stream and the usage reader's
          container reads apart (these are given as a rate).
        - **History**: a simulated day of 1,000 agents probed every 10 s (8.64 million samples, 1% failures), in the
          batches the writer makes (every 5 s), written through `HistoryStore` into a database file in one process; the
          baseline appends the same samples to a file as JSON lines. CPU from `getrusage` (both include making the
          samples); the size is the database and its journal at the end.
        - **History on the private swarm**: `clawtop record --all` over the 100 services, then `status --all` (which
          reads the recorder's line) and `docker service ls`, medians of 7. For the first frame, a week of samples every
          10 s for the 100 services is written first (6 million); the console until `REPL` (its first frame) reaches
          its pty, with the history and with `--no-history`, and until its first `%` (availability, which only the
          history gives that soon: the history is read beside the first frame, not before it); medians of 5.
        - **Usage**: the 50 running containers of the bench's services, read every 10 s for a minute: `docker stats
          --no-stream` (as `docker`'s own child, its CPU from `getrusage` of the children) against clawtop's
          `NodeUsageReader` in the bench's process (its CPU from `getrusage`), each with the CPU that every process of the
          private swarm's directory used meanwhile (`/proc/PID/stat`). One reading alone, timed, before the minute.
        - **Metrics**: a `MetricsListener` in the bench's process publishing 1,000 agents as a recorder holds them (a
          running replica under limits, read twice; 20 probes each), fetched over a new loopback connection 50 times,
          uncompressed (HTTP/1.0, to the end of the body); the baseline fetches the `/metrics` of the Prometheus that
          `scripts/test --serve` started, the same way in the same run.

        """
}
