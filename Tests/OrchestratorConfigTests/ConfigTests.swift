import OrchestratorConfig
import Testing

struct GoDurationTests {
    @Test(arguments: [("300ms", 0.3), ("30s", 30.0), ("5m", 300.0), ("1h30m", 5400.0), ("30m0s", 1800.0),
                      ("1.5h", 5400.0), ("-2s", -2.0), ("0", 0.0), ("1h2m3.5s", 3723.5), ("100us", 0.0001), ("2µs", 0.000002)])
    func parses(text: String, seconds: Double) {
        let parsed = GoDuration.parse(text)
        #expect(parsed != nil)
        #expect(abs((parsed ?? .nan) - seconds) < 1e-9)
    }

    @Test(arguments: ["", "30", "s", "1x", "1h30", "--1s", "1..5s", "ms", "1 s"])
    func rejects(text: String) {
        #expect(GoDuration.parse(text) == nil)
    }

    @Test func formatsLikeGo() {
        #expect(GoDuration.format(1800) == "30m0s")
        #expect(GoDuration.format(5400) == "1h30m0s")
        #expect(GoDuration.format(30) == "30s")
        #expect(GoDuration.format(0.3) == "300ms")
        #expect(GoDuration.format(0) == "0s")
        #expect(GoDuration.format(3723.5) == "1h2m3.5s")
    }
}

/// Warren's example shape, with an unknown key here and there (tolerated, as Warren does).
let goodConfig = """
listen: ":8080"
admin_listen: ":9090"
some_future_key: [1, 2]
defaults:
  health_check_interval: 15s
agents:
  alpha:
    hostname: alpha.example.com
    hostnames: [alpha2.example.com]
    backend: http://tasks.openclaw_alpha:18789
    policy: on-demand
    container:
      name: openclaw_alpha
      labels: {orchestrator.agent: "true"}
    health:
      url: http://tasks.openclaw_alpha:18789/health
      startup_timeout: 2m
      max_failures: 5
    idle:
      timeout: 30m0s
    unknown_agent_key: whatever
  beta:
    hostname: beta.example.com
    backend: http://tasks.openclaw_beta:18789
    policy: always-on
    container: {name: openclaw_beta}
    health:
      url: https://beta.example.com/ready
      check_interval: 300ms
  native:
    hostname: lily.example.com
    backend: http://127.0.0.1:18789
    policy: unmanaged
"""

struct ConfigTests {
    func problems(_ yaml: String) -> [ConfigProblem] {
        switch OrchestratorConfig.parse(yaml, file: "o.yaml") {
        case .success: return []
        case .failure(let e): return e.problems
        }
    }

    @Test func aGoodConfigLoadsWithWarrensDefaults() throws {
        let config = try OrchestratorConfig.parse(goodConfig, file: "o.yaml").get()
        #expect(config.agents.map(\.name) == ["alpha", "beta", "native"])
        #expect(config.defaultCheckInterval == 15)
        let alpha = config.agents[0]
        #expect(alpha.policy == .onDemand)
        #expect(alpha.serviceName == "openclaw_alpha")
        #expect(alpha.hostnames == ["alpha2.example.com"])
        #expect(alpha.health.checkInterval == 15)        // from defaults.health_check_interval
        #expect(alpha.health.startupTimeout == 120)
        #expect(alpha.health.maxFailures == 5)
        #expect(alpha.health.maxRestartAttempts == 10)   // Warren's default
        #expect(alpha.idle == IdleSettings(timeout: 1800, drainTimeout: 30, wakeCooldown: 30))
        #expect(alpha.line == 7)
        let beta = config.agents[1]
        #expect(beta.health.checkInterval == 0.3)
        #expect(beta.health.startupTimeout == 60)
        #expect(beta.health.maxFailures == 3)
        #expect(beta.idle.timeout == 0 && beta.idle.wakeCooldown == 0)  // on-demand-only defaults
        #expect(config.agents[2].serviceName == nil && config.agents[2].health.url == nil)
    }

    @Test func malformedYAMLIsNamedWithItsLine() {
        let p = problems("agents:\n  alpha:\n    hostname: [a,\n")
        #expect(p.count == 1)
        #expect(p.first?.line == 4)
        #expect(p.first?.message.hasPrefix("malformed YAML: ") == true)
        #expect(p.first?.description.hasPrefix("o.yaml:4:") == true)
    }

    @Test func wrongTypesAreNamedWithLineAndKey() {
        let p = problems("""
        agents:
          alpha:
            hostname: a.example.com
            backend: http://a
            policy: unmanaged
            health:
              max_failures: three
            hostnames: just-one
        """)
        #expect(p.map(\.key) == ["agents.alpha.health.max_failures", "agents.alpha.hostnames"])
        #expect(p.map(\.line) == [7, 8])
        #expect(p[0].description == #"o.yaml:7:21: agents.alpha.health.max_failures: expected a whole number, found "three""#)
    }

    @Test func aBareIntegerDurationIsRejectedEvenZero() {
        let p = problems("""
        defaults:
          health_check_interval: 30
        agents:
          alpha:
            hostname: a.example.com
            backend: http://a
            policy: unmanaged
            idle:
              drain_timeout: 0
        """)
        #expect(p.map(\.description) == [
            "o.yaml:2:26: defaults.health_check_interval: 30 has no unit: write a duration such as 30s or 30ms",
            "o.yaml:9:22: agents.alpha.idle.drain_timeout: 0 has no unit: write a duration such as 0s or 0ms",
        ])
        #expect(problems(#"agents: {a: {hostname: a.b, backend: "http://a", policy: unmanaged, idle: {timeout: "30"}}}"#).isEmpty == false)
    }

    @Test func onDemandNeedsContainerNameAndHealthURL() {
        let p = problems("""
        agents:
          sleepy:
            hostname: s.example.com
            backend: http://s
            policy: on-demand
        """)
        #expect(p.map(\.key) == ["agents.sleepy.container.name", "agents.sleepy.health.url"])
        #expect(p.allSatisfy { $0.line == 2 })
        #expect(p[0].message == #"config: agent "sleepy" with on-demand policy requires container.name"#)
    }

    @Test func duplicateHostnamesAreNamedAtTheSecondUse() {
        let p = problems("""
        agents:
          a:
            hostname: same.example.com
            backend: http://a
            policy: unmanaged
          b:
            hostname: other.example.com
            hostnames: [same.example.com]
            backend: http://b
            policy: unmanaged
        """)
        #expect(p.count == 1)
        #expect(p.first?.line == 8)
        #expect(p.first?.key == "agents.b.hostnames[0]")
        #expect(p.first?.message == #"config: duplicate hostname "same.example.com" (agents "a" and "b")"#)
    }

    @Test func anUnknownPolicyIsNamedWithItsLine() {
        let p = problems("""
        agents:
          a:
            hostname: a.example.com
            backend: http://a
            policy: sometimes
        """)
        #expect(p.map(\.description) == [#"o.yaml:5:13: agents.a.policy: config: agent "a" unknown policy "sometimes" (use always-on, on-demand or unmanaged)"#])
    }

    @Test func otherWarrenRules() {
        #expect(problems("listen: \":8080\"").map(\.message) == ["config: no agents defined"])
        #expect(problems("agents: {}").map(\.message) == ["config: no agents defined"])
        let p = problems("""
        agents:
          a:
            hostname: bad_name.example.com
            policy: always-on
            container: {name: svc}
            health: {url: "ftp://x/health", check_interval: -5s}
        """)
        #expect(p.map(\.key) == ["agents.a.backend", "agents.a.hostname", "agents.a.health.url", "agents.a.health.check_interval"])
        #expect(p[0].message == #"config: agent "a" missing backend"#)
    }

    @Test func discoveryPrefersTheFlagThenTheWorkingDirectoryThenEtc() {
        #expect(OrchestratorConfig.locate(explicit: "x.yaml", fileExists: { _ in false }) == "x.yaml")
        #expect(OrchestratorConfig.locate(explicit: nil, fileExists: { _ in true }) == "./orchestrator.yaml")
        #expect(OrchestratorConfig.locate(explicit: nil, fileExists: { $0 == "/etc/warren/orchestrator.yaml" }) == "/etc/warren/orchestrator.yaml")
        #expect(OrchestratorConfig.locate(explicit: nil, fileExists: { _ in false }) == nil)
    }

    @Test func aMissingFileIsAProblemNotACrash() {
        guard case .failure(let e) = OrchestratorConfig.load(path: "/nonexistent/orchestrator.yaml") else {
            Issue.record("loaded a missing file"); return
        }
        #expect(e.description == "/nonexistent/orchestrator.yaml: the file does not exist")
    }
}
