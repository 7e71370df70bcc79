import Foundation

/// Seconds of CPU (user + system) this process has used.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }

extension Duration {
    var seconds: Double { self / .seconds(1) }
}

/// The median wall time of `body`, in seconds, over `runs` runs after one warm-up.
func median(runs: Int, _ body: () -> Void) -> Double {
    body()
    var times: [Double] = []
    let clock = ContinuousClock()
    for _ in 0..<runs {
        let elapsed = clock.measure(body)
        times.append(elapsed.seconds)
    }
    return times.sorted()[times.count / 2]
}

/// A percentile of sorted values.
func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
}

func format(seconds s: Double) -> String {
    if s < 1e-3 { return String(format: "%.0f µs", s * 1e6) }
    if s < 1 { return String(format: "%.2f ms", s * 1e3) }
    return String(format: "%.2f s", s)
}

func format(bytes b: Double) -> String {
    if b < 10_000 { return String(format: "%.0f B", b) }
    if b < 10_000_000 { return String(format: "%.1f KB", b / 1e3) }
    return String(format: "%.1f MB", b / 1e6)
}

/// One line of the results table.
struct Result {
    var section: String
    var measure: String
    var value: String
    /// "× the baseline" and what the baseline is.
    var ratio: String
    var target: String
    /// nil when there is no target.
    var met: Bool?
}
