import ClawtopCore
import Foundation

/// The demo's yesterday, as a history on disk would tell it: the transitions of the last day, ending in the state
/// each agent opens in, so the timeline (`h`) has a story from the first frame.
enum DemoPast {
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
