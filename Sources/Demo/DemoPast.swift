import ClawtopCore
import Foundation

/// The demo's yesterday, as a history on disk would tell it: the transitions of the last day, ending in the state
/// each agent opens in, so the timeline (`h`) has a story from the first frame; and the last hours' usage, so the
/// details draw a memory strip: the leaking agent has leaked since an update `leakingFor` ago, killed every ten
/// minutes or so.
enum DemoPast {
    static let leakingFor: TimeInterval = 2 * 3_600

    static func history(before start: Date) -> PastHistory {
        PastHistory(transitions: (transitions(before: start) + oomKills(before: start)).sorted { $0.time < $1.time },
                    usage: usage(before: start))
    }

    /// The leaking agent's kills before the world's own (the first is in the history the world opens with).
    static func oomKills(before start: Date) -> [Transition] {
        leaks.flatMap { agent, every, limit in
            killTimes(every: every, start: start).filter { $0 < start - DemoWorld.historySpan }.map { Transition.outOfMemory(agent: agent.listedAs, state: .healthy, limit: limit, at: $0) }
        }
    }

    /// Each running agent's usage per minute over the hours the details show, up to the minute the demo opens in.
    static func usage(before start: Date) -> [String: [UsageMinute]] {
        let last = UsageMinute.minute(of: start), first = last - Int64(UsageHistory.hours * 60)
        var result: [String: [UsageMinute]] = [:]
        for agent in DemoCast.agents where !agent.missing && agent.replicas > 0 && agent.upFor > DemoWorld.historySpan {
            let leak = leaks.first { $0.agent.name == agent.name }
            let kills = leak.map { killTimes(every: $0.every, start: start) } ?? []
            var minutes: [UsageMinute] = []
            // The noise by minutes before the start, so that every run draws the same.
            for minute in first..<last {
                let at = Date(timeIntervalSince1970: Double(minute) * 60)
                guard at >= start - agent.upFor else { continue }
                var memory = Int64(Double(agent.memory) * (0.97 + 0.06 * noise(agent.name, Int(last - minute), "mem")))
                if let leak, at >= start - leakingFor {
                    // Its memory at the minute's last reading: climbing since the task before was killed.
                    let killed = kills.filter { $0 <= at + 50 }.max() ?? start - leakingFor
                    let up = max(0, (at + 50).timeIntervalSince(killed) - DemoWorld.restartDelay - DemoWorld.prepareTime)
                    memory = DemoWorld.leakBase + Int64(Double(leak.limit - DemoWorld.leakBase) * min(1, up / leak.every))
                }
                let cores = agent.cores * (0.85 + 0.3 * noise(agent.name, Int(last - minute), "cpu"))
                minutes.append(UsageMinute(minute: minute, memory: memory, cpuTotal: cores * 6, cpuReadings: 6))
            }
            result[agent.service] = minutes
        }
        return result
    }

    /// The leaking agents, how often they are killed and their limits.
    private static var leaks: [(agent: DemoAgent, every: Double, limit: Int64)] {
        DemoCast.agents.compactMap { agent in
            guard case .leaking(_, let every) = agent.behaviour, let limit = DemoCast.spec(agent).memoryLimit else { return nil }
            return (agent, every, limit)
        }
    }

    /// When a leaking agent was killed since it began leaking, up to the world's first kill (in the history it
    /// opens with).
    private static func killTimes(every: Double, start: Date) -> [Date] {
        let cycle = DemoWorld.leakCycle(every: every)
        var at = DemoWorld.firstLeakKill(every: every, origin: start - DemoWorld.historySpan)
        var kills: [Date] = []
        while at > start - leakingFor {
            kills.append(at)
            at -= cycle
        }
        return kills.reversed()
    }

    static func transitions(before start: Date) -> [Transition] {
        func at(_ ago: TimeInterval, _ agent: String, _ from: TimelineState, _ to: TimelineState, _ reason: String? = nil,
                by actor: String? = nil) -> Transition {
            Transition(time: start - ago, agent: agent, from: from, to: to, reason: reason, actor: actor)
        }
        let hour: TimeInterval = 3_600
        return [
            at(22 * hour + 5, "calendar", .healthy, .healthy, "sleep openclaw_calendar 1 -> 0", by: "clawtop"),
            at(22 * hour, "calendar", .healthy, .asleep, by: "sleep from clawtop"),
            at(19 * hour, "incident-scribe", .healthy, .asleep),
            at(9 * hour, "translator", .healthy, .failing, "HTTP 502"),
            at(9 * hour - 120, "translator", .failing, .healthy),
            at(5 * hour, "mail-sorter", .healthy, .unhealthy, "warren: degraded"),
            at(3 * hour, "data-pipeline", .healthy, .crashLooping, "task: non-zero exit (1)"),
            at(3 * hour - 600, "data-pipeline", .crashLooping, .healthy, by: "restart from clawtop"),
            at(40 * 60, "standup-bot", .healthy, .missing, "no service openclaw_standup-bot"),
            at(14 * 60, "data-pipeline", .healthy, .crashLooping, "task: non-zero exit (1)"),
            at(4 * 60, "translator", .healthy, .failing, "timeout after 5s"),
            at(3 * 60, "translator", .failing, .healthy),
            at(50, "docs-writer", .asleep, .starting, by: "wake from warren"),
            at(30, "sales-outreach", .healthy, .failing, "not ready: telegram"),
            at(10, "sales-outreach", .failing, .unhealthy, "not ready: telegram"),
            at(10, "code-review", .healthy, .failing, "draining (expected during a rollout)"),
        ]
    }
}
