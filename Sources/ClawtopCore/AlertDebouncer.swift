import Foundation

/// Which transitions become alerts (`--bell`, `--notify`), at most one per agent per `window`: an agent that becomes
/// unhealthy, missing or crash-looping is told at once; what it does within the window after is held, and when the
/// window ends, the net change is told if it is one worth telling (a flapping agent that ends where it was tells
/// nothing). An out-of-memory kill is told too, apart from the states: the first at once, those that follow within
/// the window as one when it ends ("… (3 kills)"). Pure: the caller gives the time.
public struct AlertDebouncer: Sendable, Equatable {
    public let window: TimeInterval
    /// The state each agent was last told in, and when.
    var told: [String: Told] = [:]
    /// Each agent's newest transition since it was last told.
    var held: [String: Transition] = [:]
    /// When each agent's last out-of-memory kill was told, and its newest kill since, with how many there were.
    var killTold: [String: Date] = [:]
    var killsHeld: [String: HeldKills] = [:]

    struct HeldKills: Sendable, Equatable {
        var kill: Transition
        var count: Int
    }

    struct Told: Sendable, Equatable {
        var state: TimelineState
        var at: Date
    }

    public init(window: TimeInterval) {
        self.window = max(0, window)
    }

    /// The alerts due now for these transitions (in time order).
    public mutating func offer(_ transitions: [Transition], now: Date) -> [Transition] {
        var alerts: [Transition] = []
        for t in transitions where t.isOOMKill {
            if let last = killTold[t.agent], now.timeIntervalSince(last) < window {
                killsHeld[t.agent] = HeldKills(kill: t, count: (killsHeld[t.agent]?.count ?? 0) + 1)
                continue
            }
            killTold[t.agent] = now
            alerts.append(t)
        }
        for t in transitions where !t.isNote {
            if let last = told[t.agent], now.timeIntervalSince(last.at) < window {
                held[t.agent] = t
                continue
            }
            held[t.agent] = nil
            let from = told[t.agent]?.state ?? t.from
            // The state last told stands until another is told: crash-looping, starting, healthy is a recovery.
            guard Self.worthTelling(from: from, to: t.to) else { continue }
            told[t.agent] = Told(state: t.to, at: now)
            alerts.append(Transition(time: t.time, agent: t.agent, from: from, to: t.to, reason: t.reason, actor: t.actor))
        }
        return alerts
    }

    /// The held changes whose window has ended, told if they are worth it.
    public mutating func due(now: Date) -> [Transition] {
        var alerts: [Transition] = []
        for (agent, t) in held.sorted(by: { $0.value.time < $1.value.time }) {
            guard let last = told[agent], now.timeIntervalSince(last.at) >= window else { continue }
            held[agent] = nil
            guard Self.worthTelling(from: last.state, to: t.to) else { continue }
            told[agent] = Told(state: t.to, at: now)
            alerts.append(Transition(time: t.time, agent: agent, from: last.state, to: t.to, reason: t.reason, actor: t.actor))
        }
        for (agent, held) in killsHeld.sorted(by: { $0.value.kill.time < $1.value.kill.time }) {
            guard let last = killTold[agent], now.timeIntervalSince(last) >= window else { continue }
            killsHeld[agent] = nil
            killTold[agent] = now
            var kill = held.kill
            if held.count > 1 { kill.reason = (kill.reason ?? "killed") + " (\(held.count) kills)" }
            alerts.append(kill)
        }
        return alerts.sorted { $0.time < $1.time }
    }

    /// Into a state that needs someone, or back to healthy from one.
    static func worthTelling(from: TimelineState, to: TimelineState) -> Bool {
        from != to && (to.isAlarming || (to == .healthy && from.isAlarming))
    }
}
