@testable import ClawtopCore
import Foundation
import Testing

/// Reading an OpenClaw gateway's readiness body: the bodies are those OpenClaw's own tests assert
/// (src/gateway/server/readiness.test.ts) and the shapes `readiness.ts` builds.
struct ReadinessTests {
    func parse(_ body: String, token: Readiness.Token = .none) -> Readiness? { Readiness.parse(Array(body.utf8), token: token) }

    @Test func theFourBodiesOfTheIssue() {
        #expect(parse(#"{"ready":false,"failing":["discord","telegram"],"uptimeMs":8000}"#)?.summary == "not ready: discord, telegram")
        #expect(parse(#"{"ready":false,"failing":["gateway-draining"],"uptimeMs":9000}"#)?.summary == "draining (expected during a rollout)")
        #expect(parse(#"{"ready":false}"#)?.summary == "not ready (detail needs the gateway token)")
        #expect(parse(#"{"ok":true,"status":"starting","pendingReason":"startup-sidecars"}"#)?.summary == "starting: startup-sidecars")
    }

    @Test func phasesAreToldApart() {
        #expect(parse(#"{"ready":false,"failing":["gateway-draining"],"uptimeMs":9000}"#)?.phase == .draining)
        #expect(parse(#"{"ok":true,"status":"draining"}"#)?.phase == .draining)
        #expect(parse(#"{"ready":false,"failing":["startup-sidecars"],"uptimeMs":10}"#)?.phase == .starting)
        #expect(parse(#"{"ready":false,"failing":["discord"],"uptimeMs":10}"#)?.phase == .notReady)
        // A startup reason other than startup-sidecars is known by its condition.
        let custom = parse(#"{"ready":false,"failing":["plugins"],"uptimeMs":1,"conditions":[{"type":"GatewayStartupComplete","status":"False","requirement":"required","reason":"GatewayStartupPending","message":"Gateway startup dependencies are still pending: plugins."}]}"#)
        #expect(custom?.phase == .starting && custom?.summary == "starting: plugins")
    }

    @Test func answersThatSayNothingMoreAreNil() {
        #expect(parse(#"{"ok":true,"status":"live"}"#) == nil, "liveness")
        #expect(parse(#"{"ready":true}"#) == nil, "bare ready, and no token was meant to bring more")
        #expect(parse(#"{"ready":true,"failing":[],"uptimeMs":5}"#) == nil)
        #expect(parse(#"{"ok":false,"status":"degraded"}"#) == nil, "the prober words ok:false itself")
        #expect(parse("ok") == nil && parse("<html>") == nil && parse("") == nil && parse("[1]") == nil)
        #expect(parse(#"{"ready":false,"failing":["disc"#) == nil, "a body cut short by the cap")
    }

    @Test func aTokenThatBroughtNothingIsSaid() {
        #expect(parse(#"{"ready":false}"#, token: .sent)?.summary == "not ready (gateway token refused)")
        #expect(parse(#"{"ready":true}"#, token: .sent) == Readiness(phase: .ready, detail: .tokenRefused))
        #expect(parse(#"{"ready":true}"#, token: .unreadable)?.summary == "ready (gateway token file unreadable)")
        #expect(parse(#"{"ready":false,"failing":["discord"],"uptimeMs":1}"#, token: .sent)?.detail == .full)
    }

    @Test func conditionsFailuresAndAdvisoriesBecomeChecks() throws {
        let r = try #require(parse("""
            {"ready":false,"failing":[],"uptimeMs":8000,"future":{"x":1},
             "conditions":[{"type":"GatewayAcceptingWork","status":"True","requirement":"required","reason":"GatewayAcceptingWork","message":"ok"},
                           {"type":"ChannelRuntimeReady","status":"False","requirement":"required","reason":"ChannelRuntimeUnavailable","message":"Selected channels are not ready: slack."},
                           {"type":"EventLoopHealthy","status":"Unknown","requirement":"advisory","reason":"EventLoopStatusUnavailable","message":"Event-loop health is not available yet."}],
             "failures":["ChannelRuntimeUnavailable","StorageUnavailable"],"advisories":["EventLoopStatusUnavailable"]}
            """))
        #expect(r.phase == .notReady)
        #expect(r.checks == [
            Readiness.Check(name: "ChannelRuntimeReady", status: "False", message: "Selected channels are not ready: slack."),
            Readiness.Check(name: "EventLoopHealthy", status: "Unknown", message: "Event-loop health is not available yet.", advisory: true),
            Readiness.Check(name: "StorageUnavailable"),
        ])
        // With no failing ids, the failing required checks name the culprits.
        #expect(r.summary == "not ready: ChannelRuntimeReady, StorageUnavailable")
        let advisoryOnly = try #require(parse(#"{"ready":true,"failing":[],"uptimeMs":1,"advisories":["EventLoopDegraded"]}"#))
        #expect(advisoryOnly.phase == .ready && advisoryOnly.summary == "ready, advisory: EventLoopDegraded")
    }

    @Test func whatABodyCanMakeUsIsCapped() throws {
        let ids = (0..<100).map { "\"channel-\($0)-" + String(repeating: "x", count: 500) + "\"" }.joined(separator: ",")
        let r = try #require(parse(#"{"ready":false,"failing":[\#(ids)],"uptimeMs":1}"#))
        #expect(r.failing.count == 16)
        #expect(r.failing.allSatisfy { $0.count <= 201 })
        #expect(r.summary.hasPrefix("not ready: channel-0-") && r.summary.hasSuffix(", …"))
        // Values of the wrong type are skipped, not trusted.
        #expect(parse(#"{"ready":false,"failing":[1,{"a":2},"discord"],"uptimeMs":1}"#)?.failing == ["discord"])
    }
}

struct ReadinessHistoryTests {
    let draining = Readiness(phase: .draining, failing: ["gateway-draining"])

    @Test func theHistoryKeepsEachSamplesReadiness() {
        var h = HealthHistory(capacity: 4)
        h.append(HealthSample(time: t0, ok: true, latency: 0.01))
        h.append(HealthSample(time: t0 + 10, ok: false, status: 503, reason: draining.summary, readiness: draining))
        h.append(HealthSample(time: t0 + 20, ok: true, latency: 0.01))
        #expect(h.samples.map(\.readiness) == [nil, draining, nil])
        #expect(h.lastReadiness?.time == t0 + 10 && h.lastReadiness?.status == 503)
        #expect(h.latest?.readiness == nil)
    }

    @Test func aStoredSampleStaysSmall() {
        // A thousand agents keep 720 samples each: the readiness id must fit in what was padding.
        #expect(MemoryLayout<StoredSample>.stride == 24)
    }

    /// A gateway whose every answer differs (a message with a counter in it) cannot make the history grow past its
    /// bound: what no sample refers to any more is dropped.
    @Test func everDifferentAnswersStayBounded() {
        var h = HealthHistory(capacity: 3)
        for i in 0..<3000 {
            let r = Readiness(phase: .notReady, failing: ["discord"], checks: [.init(name: "X", message: "lag \(i)ms")])
            h.append(HealthSample(time: t0 + Double(i), ok: false, reason: "reason \(i)", readiness: r))
        }
        #expect(h.samples.map(\.reason) == ["reason 2997", "reason 2998", "reason 2999"])
        #expect(h.samples.map { $0.readiness?.checks.first?.message } == ["lag 2997ms", "lag 2998ms", "lag 2999ms"])
    }

    @Test func aRefusedTokenIsSaidOnceInTheAgentsEvents() {
        var state = FleetState(endpoint: "test")
        state.setup = AgentSetup(configured: [AgentDefinition(name: "inbox", serviceName: "openclaw_inbox",
                                                              healthURL: "http://127.0.0.1:1/readyz", source: .config)])
        reduce(&state, .docker(.snapshot(nodes: [], services: [service("openclaw_inbox", desired: 1, running: 1)], tasks: [], at: t0)))
        let refused = Readiness(phase: .notReady, detail: .tokenRefused)
        for i in 0..<5 {
            reduce(&state, .probe(agent: "inbox", url: "http://127.0.0.1:1/readyz",
                                  sample: HealthSample(time: t0 + Double(i), ok: false, status: 503, reason: refused.summary,
                                                       readiness: refused)))
        }
        let said = state.events["openclaw_inbox"]?.map(\.text) ?? []
        #expect(said == ["readiness: gateway token refused, the gateway answers without detail"])
        // Taken, then refused again (a rotated token): said again.
        reduce(&state, .probe(agent: "inbox", url: "http://127.0.0.1:1/readyz", sample: HealthSample(time: t0 + 6, ok: true, status: 200)))
        reduce(&state, .probe(agent: "inbox", url: "http://127.0.0.1:1/readyz",
                              sample: HealthSample(time: t0 + 7, ok: false, status: 503, reason: refused.summary, readiness: refused)))
        #expect(state.events["openclaw_inbox"]?.count == 2)
    }
}
