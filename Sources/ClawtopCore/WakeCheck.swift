import Foundation

/// Warren answers a wake with "waking" whether it acts on it or not: it ignores one within `wake_cooldown` of the
/// agent's last sleep, and one for an agent that is not asleep. So a wake it accepted is checked by watching its
/// state, as Warren's own notes advise.
extension FleetState {
    /// How long a wake Warren accepted may go without a sign of it (its `agent.wake` event, a state other than
    /// sleeping) before clawtop says it was ignored. Warren sends the event as it takes the wake.
    public static let wakeAnswerWait: TimeInterval = 5

    /// Why Warren would ignore a wake, as the status line and the timeline say it.
    public static let ignoredWakeWhy = "Warren ignores a wake within wake_cooldown of the last sleep"
    /// What the timeline says of a wake Warren ignored.
    public static let ignoredWake = "wake ignored: " + ignoredWakeWhy

    /// Notes a wake Warren accepted, to be checked.
    mutating func noteWakeAsked(_ outcome: ActionOutcome) {
        let request = outcome.request
        guard outcome.ok, request.route == .warren, request.verb == .wake, let agent = request.agent else { return }
        wakesAsked[agent] = outcome.at
    }

    /// Forgets the wakes Warren is seen acting on.
    mutating func forgetWakesTaken() {
        guard let warren, !wakesAsked.isEmpty else { return }
        wakesAsked = wakesAsked.filter { warren.agents[$0.key]?.state == "sleeping" }
    }

    /// The agents whose wake Warren accepted `wakeAnswerWait` ago or more and still has asleep, while its link is
    /// live: each is noted in the timeline, and forgotten. Pure.
    public mutating func ignoredWakes(now: Date) -> [String] {
        forgetWakesTaken()
        guard warren?.isLive == true else { return [] }
        let ignored = wakesAsked.filter { now.timeIntervalSince($0.value) >= Self.wakeAnswerWait }.keys.sorted()
        for agent in ignored {
            wakesAsked[agent] = nil
            let state = timelineStates[agent] ?? .unknown
            notesToAdd.append(Transition(time: now, agent: agent, from: state, to: state, reason: Self.ignoredWake, actor: "warren"))
        }
        return ignored
    }
}
