import ClawtopCore
import Foundation
import Metrics

#if canImport(Glibc)
import Glibc
#endif

/// What a scrape of a recorder of 1,000 agents costs, beside Prometheus' scrape of its own `/metrics` in the same
/// run (`prometheus`: HOST:PORT of a running Prometheus, from scripts/bench). Each agent as a recorder holds it: a
/// service with one running replica under limits, read twice (CPU and memory), and 20 probes (latencies in the
/// histogram, a few failures). Both are fetched the same way, uncompressed, over a new connection each time.
func metricsBench(prometheus: String) throws -> [Result] {
    let agents = 1000, scrapes = 50
    let now = Date()
    var fleet = syntheticFleet(agents: agents, samples: 0, logLines: 0, now: now)
    for k in 0..<20 {
        for i in 0..<agents { sample(&fleet, agent: i, ok: (k + i) % 13 != 0, at: now - Double(20 - k) * 10) }
    }
    reduce(&fleet, .usage(.reach(["node-1": NodeReach(via: "this daemon", state: .live)], unmatched: [])))
    for (round, time) in [now - 10, now].enumerated() {
        let readings = (0..<agents).map { i in
            ContainerReading(containerID: "container-\(i)", taskID: "task-\(i)", serviceID: "svc-\(i)",
                             cpu: CPUCounters(used: UInt64(round * (i % 7 + 1)) * 1_000_000_000, host: nil, cpus: 8, at: time),
                             memory: Int64(200_000_000 + i * 1_000_000))
        }
        reduce(&fleet, .usage(.readings(node: "node-1", readings, at: time)))
    }
    let rows = fleet.agentRows(now: now)

    let render = median(runs: 20) { _ = Exposition(swarm: "bench", version: "bench").render(fleet, rows: rows) }
    let listener = try listenOnSomePort()
    defer { listener.stop() }
    listener.publish(fleet: fleet, rows: rows)

    let (ours, ourBytes) = try scrapeTimes(listener.address, scrapes: scrapes)
    let (theirs, theirBytes) = try scrapeTimes(prometheus, scrapes: scrapes)
    guard ourBytes > 0, theirBytes > 0 else { throw BenchError("an empty scrape") }
    let section = "Metrics"
    let perByte = (ours / Double(ourBytes)) / (theirs / Double(theirBytes))
    return [
        Result(section: section, measure: "baseline: Prometheus scrapes its own `/metrics` (median of \(scrapes); size)",
               value: "\(format(seconds: theirs)), \(format(bytes: Double(theirBytes)))", ratio: "1×", target: "", met: nil),
        Result(section: section, measure: "`record --metrics-listen`, 1,000 agents: one scrape (median of \(scrapes))",
               value: format(seconds: ours), ratio: String(format: "%.1f× baseline", ours / theirs),
               target: "≤ 1 s (a tenth of Prometheus' default scrape timeout)", met: ours <= 1),
        Result(section: section, measure: "the same scrape's size (uncompressed)",
               value: format(bytes: Double(ourBytes)), ratio: String(format: "%.1f× baseline", Double(ourBytes) / Double(theirBytes)),
               target: "", met: nil),
        Result(section: section, measure: "the scrape's time per byte, against the baseline's",
               value: String(format: "%.1f µs/KB", ours / Double(ourBytes) * 1e9), ratio: String(format: "%.2f× baseline", perByte),
               target: "≤ 2× baseline", met: perByte <= 2),
        Result(section: section, measure: "of which making the text (1,000 agents, median of 20)",
               value: format(seconds: render), ratio: String(format: "%.2f of the scrape", render / ours), target: "", met: nil),
    ]
}

/// A listener on a free loopback port.
private func listenOnSomePort() throws -> MetricsListener {
    var last: Error?
    for _ in 0..<50 {
        do {
            return try MetricsListener(address: "127.0.0.1:\(Int.random(in: 20_000..<60_000))", swarm: "bench", version: "bench")
        } catch {
            last = error
        }
    }
    throw BenchError("no port to listen on: \(last.map { "\($0)" } ?? "")")
}

/// The median wall time of `scrapes` fetches of `http://address/metrics`, after one, and the size of the last body.
private func scrapeTimes(_ address: String, scrapes: Int) throws -> (seconds: Double, bytes: Int) {
    var bytes = try fetchMetrics(address)
    var times: [Double] = []
    for _ in 0..<scrapes {
        let start = ContinuousClock.now
        bytes = try fetchMetrics(address)
        times.append((ContinuousClock.now - start).seconds)
    }
    return (times.sorted()[times.count / 2], bytes)
}

/// `GET /metrics` over a new connection to `address` (IPv4 HOST:PORT), read to the end: the body's length.
private func fetchMetrics(_ address: String) throws -> Int {
    guard let colon = address.lastIndex(of: ":"), let port = UInt16(address[address.index(after: colon)...]) else {
        throw BenchError("not HOST:PORT: \(address)")
    }
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw BenchError("socket() failed") }
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = port.bigEndian
    addr.sin_addr.s_addr = inet_addr(String(address[..<colon]))
    let connected = withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
    }
    guard connected else { throw BenchError("cannot connect to \(address)") }
    // HTTP/1.0: the body to the end of the connection, never in chunks.
    let request = Array("GET /metrics HTTP/1.0\r\nHost: \(address)\r\n\r\n".utf8)
    guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) == request.count else {
        throw BenchError("cannot send to \(address)")
    }
    var response: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n <= 0 { break }
        response += buffer[0..<n]
    }
    let separator: [UInt8] = Array("\r\n\r\n".utf8)
    guard response.starts(with: Array("HTTP/1.1 200".utf8)) || response.starts(with: Array("HTTP/1.0 200".utf8)),
          let end = (0..<max(0, response.count - 3)).first(where: { Array(response[$0..<$0 + 4]) == separator }) else {
        throw BenchError("\(address)/metrics did not answer 200: \(String(decoding: response.prefix(80), as: UTF8.self))")
    }
    return response.count - end - 4
}
