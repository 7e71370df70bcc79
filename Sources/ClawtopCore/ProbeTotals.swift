import Foundation

/// What an agent's probes came to since this process started, for the metrics: counted by result, and their
/// latencies in Prometheus' buckets.
public struct ProbeTotals: Sendable, Equatable {
    /// What a probe came to, in a few words that never grow: a reason's text is never a label.
    public enum Result: String, Sendable, CaseIterable {
        /// An answer from 200 to 399.
        case ok
        /// Another answer (4xx, 5xx, a gateway that is not ready).
        case http
        case refused
        case timeout
        /// Anything else: a name that does not resolve, a TLS failure, an unreachable route.
        case other
    }

    /// The upper bounds of the latency buckets, in seconds (then +Inf).
    public static let latencyBounds: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    public private(set) var byResult: [Result: Int] = [:]
    /// How many answers fell in each bucket (not cumulative), the last for those above every bound.
    public private(set) var buckets = [Int](repeating: 0, count: ProbeTotals.latencyBounds.count + 1)
    public private(set) var latencySum = 0.0
    public private(set) var latencyCount = 0

    public init() {}

    public mutating func add(_ sample: HealthSample) {
        byResult[Self.result(of: sample), default: 0] += 1
        guard let latency = sample.latency else { return }
        buckets[Self.latencyBounds.firstIndex { latency <= $0 } ?? Self.latencyBounds.count] += 1
        latencySum += latency
        latencyCount += 1
    }

    static func result(of sample: HealthSample) -> Result {
        if sample.ok { return .ok }
        if sample.status != nil { return .http }
        let reason = sample.reason ?? ""
        if reason.hasPrefix("refused") { return .refused }
        if reason.hasPrefix("timeout") { return .timeout }
        return .other
    }
}
