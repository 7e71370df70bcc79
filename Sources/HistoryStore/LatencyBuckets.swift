import Foundation

/// Latencies counted in buckets a quarter wider each (from 1 ms to about 36 s), for the percentiles of long windows:
/// an hour of an agent's probes in a few numbers. Stored as text, `bucket:count` pairs.
struct LatencyBuckets: Equatable {
    static let count = 49
    static let base = 0.001
    static let growth = 1.25
    private(set) var counts: [Int: Int] = [:]

    init() {}

    /// The bucket of a latency in seconds: 0 below 1 ms, the last one above about 36 s.
    static func bucket(of seconds: Double) -> Int {
        guard seconds > base else { return 0 }
        return min(count - 1, Int((log(seconds / base) / log(growth)).rounded(.up)))
    }

    /// The upper bound of a bucket, in seconds.
    static func upperBound(of bucket: Int) -> Double { base * pow(growth, Double(bucket)) }

    mutating func add(_ seconds: Double, times n: Int = 1) { counts[Self.bucket(of: seconds), default: 0] += n }

    mutating func merge(_ other: LatencyBuckets) {
        for (bucket, n) in other.counts { counts[bucket, default: 0] += n }
    }

    /// The upper bound of the bucket that holds the `p` percentile (nearest rank), nil when empty.
    func percentile(_ p: Double) -> Double? {
        let total = counts.values.reduce(0, +)
        guard total > 0 else { return nil }
        let rank = max(1, Int((p * Double(total)).rounded(.up)))
        var seen = 0
        for bucket in counts.keys.sorted() {
            seen += counts[bucket]!
            if seen >= rank { return Self.upperBound(of: bucket) }
        }
        return nil
    }

    var text: String { counts.keys.sorted().map { "\($0):\(counts[$0]!)" }.joined(separator: ",") }

    init(text: String) {
        for pair in text.split(separator: ",") {
            let parts = pair.split(separator: ":")
            guard parts.count == 2, let bucket = Int(parts[0]), let n = Int(parts[1]), (0..<Self.count).contains(bucket), n > 0 else { continue }
            counts[bucket, default: 0] += n
        }
    }
}
