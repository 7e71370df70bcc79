import Foundation

/// An agent's health over one window (the last hour, day or week): from the history on disk.
public struct WindowFigures: Sendable, Equatable, Codable {
    public var samples: Int
    public var ok: Int
    /// The 95th percentile of the latencies of the probes that had an answer, in seconds (to a bucket's width).
    public var p95: Double?

    public init(samples: Int = 0, ok: Int = 0, p95: Double? = nil) {
        self.samples = samples
        self.ok = ok
        self.p95 = p95
    }

    public var availability: Double? { samples == 0 ? nil : Double(ok) / Double(samples) }
}

/// The windows the details and the JSON show.
public struct HealthWindows: Sendable, Equatable, Codable {
    public var hour: WindowFigures
    public var day: WindowFigures
    public var week: WindowFigures

    public init(hour: WindowFigures, day: WindowFigures, week: WindowFigures) {
        self.hour = hour
        self.day = day
        self.week = week
    }

    public var all: [(name: String, figures: WindowFigures)] { [("1h", hour), ("24h", day), ("7d", week)] }
}

/// What the history on disk holds of a swarm, read when the console (or the recorder) starts.
public struct PastHistory: Sendable, Equatable {
    /// The newest samples of each agent (by history key), oldest first.
    public var samples: [String: [HealthSample]]
    /// When each agent's current run of ok (or failing) samples began, where the run is longer than the samples read.
    public var streakStarts: [String: Date]
    /// The URL each agent was last probed at.
    public var urls: [String: String]
    /// The newest transitions, oldest first.
    public var transitions: [Transition]
    /// Each service's usage minute by minute over the last `UsageHistory.hours`, by service name.
    public var usage: [String: [UsageMinute]]

    public init(samples: [String: [HealthSample]] = [:], streakStarts: [String: Date] = [:], urls: [String: String] = [:],
                transitions: [Transition] = [], usage: [String: [UsageMinute]] = [:]) {
        self.samples = samples
        self.streakStarts = streakStarts
        self.urls = urls
        self.transitions = transitions
        self.usage = usage
    }
}

/// Where the console's health results come from.
public enum HealthOrigin: Sendable, Equatable {
    /// Its own probes.
    case probes
    /// A `clawtop record` writing the swarm's history ("pid 4242 on mgr1"): the console reads its results.
    case recorder(String)
}

extension FleetState {
    /// Puts the past under what the console has seen since it started: the samples read come first in each
    /// history, the transitions go into the timeline and set each agent's last known state. As with a probe, a
    /// sample that could not reach a name only the swarm resolves is not the agent's fault, and is left out.
    mutating func loadPast(_ past: PastHistory) {
        let serviceNames = services.values.map(\.name)
        for (key, old) in past.samples {
            var history = HealthHistory(capacity: setup.historySize)
            let url = past.urls[key] ?? ""
            for sample in old where !(sample.unreachable && isSwarmInternal(url: url, serviceNames: serviceNames)) {
                history.append(sample)
            }
            guard history.count > 0 else { continue }
            for sample in health[key]?.samples ?? [] where sample.time > (old.last?.time ?? .distantPast) { history.append(sample) }
            if let start = past.streakStarts[key] { history.extendStreak(back: start) }
            health[key] = history
        }
        addToTimeline(past.transitions, settingStates: true)
        loadPastUsage(past.usage)
    }
}

/// How often a `clawtop record` says it is alive, and after how long a silent one is taken for gone (killed, or its
/// host is).
public enum RecorderTiming {
    public static let heartbeatEvery: TimeInterval = 5
    public static let staleAfter: TimeInterval = 20
}
