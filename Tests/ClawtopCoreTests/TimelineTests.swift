import ClawtopCore
import Foundation
import Testing

struct TimelineTests {
    /// One configured agent with a running service, failing after 3 probes.
    func state() -> FleetState {
        var s = fleet([service("svc_a", desired: 1, running: 1)], tasks: [task("svc_a", "running")],
                      setup: AgentSetup(configured: [configured("a", service: "svc_a", maxFailures: 2)]))
        s.setup.historySize = 50
        return s
    }

    func probe(_ s: inout FleetState, at seconds: Double, ok: Bool) {
        reduce(&s, .probe(agent: "a", url: "http://127.0.0.1:1/health",
                          sample: HealthSample(time: t0.addingTimeInterval(seconds), ok: ok, reason: ok ? nil : "HTTP 500")))
    }

    func step(_ s: inout FleetState, at seconds: Double) -> [Transition] {
        let now = t0.addingTimeInterval(seconds)
        return s.noteTransitions(rows: s.agentRows(now: now), now: now)
    }

    @Test func theFirstStateSeenIsNotNewsAndEachChangeIs() {
        var s = state()
        probe(&s, at: 100, ok: true)
        #expect(step(&s, at: 100).isEmpty)
        probe(&s, at: 110, ok: false)
        #expect(step(&s, at: 110).map { "\($0.from.rawValue)>\($0.to.rawValue)" } == ["healthy>failing"])
        probe(&s, at: 120, ok: false)
        let unhealthy = step(&s, at: 120)
        #expect(unhealthy.map(\.to) == [.unhealthy] && unhealthy.first?.reason == "HTTP 500")
        #expect(step(&s, at: 121).isEmpty)
        probe(&s, at: 130, ok: true)
        #expect(step(&s, at: 130).map(\.to) == [.healthy])
        #expect(s.timeline.map(\.to) == [.failing, .unhealthy, .healthy])
    }

    @Test func anActionFromClawtopIsNamedAsTheCause() {
        var s = state()
        probe(&s, at: 100, ok: true)
        _ = step(&s, at: 100)
        let request = ActionRequest(agent: "a", service: "svc_a", serviceID: "id-svc_a", kind: .scale(from: 1, to: 0), verb: .sleep)
        reduce(&s, .action(ActionOutcome(request: request, ok: true, message: "done", at: t0.addingTimeInterval(101))))
        let seen = step(&s, at: 102)
        // The action itself, then the change it caused.
        #expect(seen.map(\.to) == [.healthy, .asleep], "\(seen)")
        #expect(seen.first?.isNote == true && seen.first?.reason == "sleep svc_a 1 -> 0" && seen.first?.actor == "clawtop")
        #expect(seen.last?.actor == "sleep from clawtop" && seen.last?.isNote == false)
    }

    @Test func transitionsReadBackSetTheLastStateAndTheFilterKeepsWhatItNames() {
        var s = state()
        let past = [Transition(time: t0, agent: "a", from: .healthy, to: .unhealthy, reason: "refused"),
                    Transition(time: t0.addingTimeInterval(5), agent: "b", from: .asleep, to: .healthy)]
        reduce(&s, .history(.past(PastHistory(transitions: past))))
        // The history says unhealthy: a healthy probe now is a recovery, not a first sight.
        probe(&s, at: 100, ok: true)
        #expect(step(&s, at: 100).map { "\($0.from.rawValue)>\($0.to.rawValue)" } == ["unhealthy>healthy"])
        #expect(filterTimeline(s.timeline, agent: "A", state: nil).count == 2)
        #expect(filterTimeline(s.timeline, agent: "", state: .healthy).map(\.agent) == ["b", "a"])
        #expect(filterTimeline(s.timeline, agent: "b", state: .unhealthy).isEmpty)
        // Read again (the swarm shown again): nothing twice.
        reduce(&s, .history(.past(PastHistory(transitions: past))))
        #expect(s.timeline.count == 3)
    }

    @Test func pastSamplesComeFirstAndAStreakLongerThanTheRingKeepsItsStart() {
        var s = state()
        probe(&s, at: 1_000, ok: false)
        let old = (0..<60).map { HealthSample(time: t0.addingTimeInterval(Double($0 * 10)), ok: false, reason: "refused") }
        reduce(&s, .history(.past(PastHistory(samples: ["a": old], streakStarts: ["a": t0.addingTimeInterval(-3_600)],
                                     urls: ["a": "http://127.0.0.1:1/health"]))))
        let h = try! #require(s.health["a"])
        #expect(h.count == 50 && h.latest?.time == t0.addingTimeInterval(1_000))
        #expect(h.streakStart == t0.addingTimeInterval(-3_600))
    }
}

struct AlertDebouncerTests {
    func t(_ seconds: Double, _ from: TimelineState, _ to: TimelineState) -> Transition {
        Transition(time: t0.addingTimeInterval(seconds), agent: "a", from: from, to: to, reason: "why")
    }

    func offer(_ d: inout AlertDebouncer, _ x: Transition) -> [String] {
        d.offer([x], now: x.time).map { "\($0.from.rawValue)>\($0.to.rawValue)" }
    }

    @Test func oneAlertPerTransitionThatMattersAndNoneForFailing() {
        var d = AlertDebouncer(window: 0)
        #expect(offer(&d, t(0, .healthy, .failing)).isEmpty)
        #expect(offer(&d, t(10, .failing, .unhealthy)) == ["failing>unhealthy"])
        #expect(offer(&d, t(20, .unhealthy, .healthy)) == ["unhealthy>healthy"])
        #expect(offer(&d, t(30, .healthy, .crashLooping)) == ["healthy>crash-looping"])
        // Recovering by way of starting is still a recovery.
        #expect(offer(&d, t(40, .crashLooping, .starting)).isEmpty)
        #expect(offer(&d, t(50, .starting, .healthy)) == ["crash-looping>healthy"])
    }

    @Test func aFlapWithinTheWindowTellsNothingAndANetChangeIsToldOnceAfter() {
        var d = AlertDebouncer(window: 60)
        #expect(offer(&d, t(0, .healthy, .unhealthy)) == ["healthy>unhealthy"])
        #expect(offer(&d, t(5, .unhealthy, .healthy)).isEmpty)
        #expect(offer(&d, t(10, .healthy, .unhealthy)).isEmpty)
        #expect(d.due(now: t0.addingTimeInterval(59)).isEmpty)
        // Back where it was told: nothing.
        #expect(d.due(now: t0.addingTimeInterval(61)).isEmpty)
        #expect(offer(&d, t(70, .unhealthy, .healthy)) == ["unhealthy>healthy"])
        #expect(offer(&d, t(80, .healthy, .missing)).isEmpty)
        #expect(d.due(now: t0.addingTimeInterval(131)).map(\.to) == [.missing])
        #expect(d.due(now: t0.addingTimeInterval(200)).isEmpty)
    }
}
