import Foundation

/// An agent's state as the timeline tells it: the health rules' verdict, with a crash loop told apart.
public enum TimelineState: String, Sendable, Equatable, Codable, CaseIterable {
    case healthy, starting, failing, unhealthy, crashLooping = "crash-looping", asleep, missing, unknown

    /// The state of an agent's row.
    public init(_ row: AgentRow) {
        switch row.health {
        case .missing: self = .missing
        case .asleep: self = .asleep
        case _ where row.summary?.condition == .failing: self = .crashLooping
        case .healthy: self = .healthy
        case .starting: self = .starting
        case .failing: self = .failing
        case .unhealthy: self = .unhealthy
        case .unknown: self = .unknown
        }
    }

    /// An agent in this state needs someone: the states an alert is about.
    public var isAlarming: Bool { self == .unhealthy || self == .missing || self == .crashLooping }
}

/// One change of an agent's state: when, from what to what, why, and who acted when an action caused it. An action
/// taken from clawtop, or the kernel's out-of-memory kill, is an entry of its own, whose state does not change
/// (`from == to`), with what happened as its reason.
public struct Transition: Sendable, Hashable, Codable {
    public var time: Date
    public var agent: String
    public var from: TimelineState
    public var to: TimelineState
    public var reason: String?
    /// "scale from clawtop", when an action taken from clawtop came just before.
    public var actor: String?

    public init(time: Date, agent: String, from: TimelineState, to: TimelineState, reason: String? = nil, actor: String? = nil) {
        self.time = time
        self.agent = agent
        self.from = from
        self.to = to
        self.reason = reason
        self.actor = actor
    }

    /// An entry that changes no state: an action taken from clawtop, an out-of-memory kill.
    public var isNote: Bool { from == to }

    /// Who an out-of-memory kill's entry names as its actor.
    public static let kernel = "the kernel"

    /// An out-of-memory kill.
    public var isOOMKill: Bool { isNote && actor == Self.kernel }

    /// The entry of an out-of-memory kill of the agent (in `state`, which it leaves as it is), under `limit`.
    public static func outOfMemory(agent: String, state: TimelineState, limit: Int64?, at: Date) -> Transition {
        Transition(time: at, agent: agent, from: state, to: state, reason: "killed: " + ServiceInfo.outOfMemory(limit: limit),
                   actor: kernel)
    }
}

/// Who changed an agent recently, so that the transition that follows names them.
struct RecentAction: Sendable, Equatable {
    var actor: String
    var at: Date
}

extension FleetState {
    /// How long after an action a transition of its agent is put down to it.
    static let actionBlame: TimeInterval = 120
    /// Transitions kept in memory for the timeline view, newest last.
    public static let timelineKept = 2_000

    /// Compares each agent's state with the last one seen and returns the transitions, newest last, adding them to
    /// the timeline. An agent seen for the first time (or still unknown) sets its state without a transition: the
    /// console's first frames are not news. Pure.
    public mutating func noteTransitions(rows: [AgentRow], now: Date) -> [Transition] {
        // A note made before the agent's state was first seen takes the state it is seen in.
        let seenNow = Dictionary(rows.map { ($0.agent.name, TimelineState($0)) }, uniquingKeysWith: { a, _ in a })
        var found = notesToAdd.map { note -> Transition in
            guard note.from == .unknown, let state = seenNow[note.agent] else { return note }
            return Transition(time: note.time, agent: note.agent, from: state, to: state, reason: note.reason, actor: note.actor)
        }
        notesToAdd = []
        for row in rows {
            let state = TimelineState(row)
            let name = row.agent.name
            guard state != .unknown else { continue }
            guard let before = timelineStates[name] else {
                timelineStates[name] = state
                continue
            }
            guard before != state else { continue }
            timelineStates[name] = state
            let actor = recentActions[name].flatMap { now.timeIntervalSince($0.at) <= Self.actionBlame ? $0.actor : nil }
            found.append(Transition(time: now, agent: name, from: before, to: state,
                                    reason: state == .healthy || state == .asleep ? nil : row.lastError, actor: actor))
        }
        addToTimeline(found)
        return found
    }

    /// Adds transitions (read from the history, `settingStates`, or just seen) to the timeline, keeping it in time
    /// order and bounded. Read from the history, the newest state of each agent among them becomes its last known
    /// state, so that the next change is news.
    public mutating func addToTimeline(_ transitions: [Transition], settingStates: Bool = false) {
        guard !transitions.isEmpty else { return }
        // The history read again (a swarm shown again) brings back what the timeline has already.
        let known = settingStates ? Set(timeline) : []
        timeline.append(contentsOf: transitions.filter { !known.contains($0) })
        if zip(timeline, timeline.dropFirst()).contains(where: { $0.time > $1.time }) {
            timeline.sort { $0.time < $1.time }
        }
        if timeline.count > Self.timelineKept { timeline.removeFirst(timeline.count - Self.timelineKept) }
        if settingStates { for t in transitions { timelineStates[t.agent] = t.to } }
    }

    /// Notes an action that worked: an entry of the timeline (with the next transitions), and who acted, for the
    /// transition it causes.
    mutating func noteAction(_ outcome: ActionOutcome) {
        guard outcome.ok else { return }
        let request = outcome.request
        // A node's action is in the timeline under the node's name; only an agent's explains its transitions.
        let name = request.agent ?? request.name
        let state = timelineStates[name] ?? .unknown
        notesToAdd.append(Transition(time: outcome.at, agent: name, from: state, to: state,
                                        reason: request.effect(arrow: "->"), actor: "clawtop"))
        if let agent = request.agent {
            recentActions[agent] = RecentAction(actor: "\(request.verb.rawValue) from clawtop", at: outcome.at)
        }
    }
}

/// The transitions a filter keeps: those of agents whose name contains `agent` (case-insensitive; empty for all),
/// and into `state` (nil for any).
public func filterTimeline(_ timeline: [Transition], agent: String, state: TimelineState?) -> [Transition] {
    timeline.filter { t in
        (agent.isEmpty || t.agent.localizedCaseInsensitiveContains(agent)) && (state == nil || t.to == state)
    }
}
