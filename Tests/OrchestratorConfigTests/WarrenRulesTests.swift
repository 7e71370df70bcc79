@testable import OrchestratorConfig
import Testing

/// Each of Warren's rules, with the line and column clawtop names; several problems in a stable order; warnings.
struct WarrenRulesTests {
    /// No lookups leave the test: `localhost` is loopback, `private.test` resolves to 10.0.0.7, the rest do not resolve.
    static func resolve(_ name: String) -> [GoIP]? {
        switch name {
        case "localhost": return [GoIP.parse("127.0.0.1")!]
        case "private.test": return [GoIP.parse("10.0.0.7")!]
        default: return nil
        }
    }

    func check(_ yaml: String) -> (errors: [String], warnings: [String]) {
        switch OrchestratorConfig.parse(yaml, file: "o.yaml", resolve: Self.resolve) {
        case .success(let config): return ([], config.warnings.map(\.description))
        case .failure(let e):
            return (e.problems.filter { $0.severity == .error }.map(\.description),
                    e.problems.filter { $0.severity == .warning }.map(\.description))
        }
    }

    /// An unmanaged agent, with `extra` lines (indented four spaces) added.
    func agent(_ extra: String = "", host: String = "a.example.com") -> String {
        "agents:\n  a:\n    hostname: \(host)\n    backend: http://127.0.0.1:9\n    policy: unmanaged\n" + extra
    }

    @Test(arguments: [
        ("webhooks:\n  - url: http://127.0.0.1/h\n", "o.yaml:2:10: webhooks[0].url: config: webhook[0] invalid URL \"http://127.0.0.1/h\": loopback address 127.0.0.1 not allowed"),
        ("webhooks:\n  - url: http://10.9.8.7/h\n", "o.yaml:2:10: webhooks[0].url: config: webhook[0] invalid URL \"http://10.9.8.7/h\": private IP 10.9.8.7 (10.x.x.x) not allowed"),
        ("webhooks:\n  - url: http://172.31.0.1/h\n", "o.yaml:2:10: webhooks[0].url: config: webhook[0] invalid URL \"http://172.31.0.1/h\": private IP 172.31.0.1 (172.16-31.x.x) not allowed"),
        ("webhooks:\n  - url: http://192.168.0.1/h\n", "o.yaml:2:10: webhooks[0].url: config: webhook[0] invalid URL \"http://192.168.0.1/h\": private IP 192.168.0.1 (192.168.x.x) not allowed"),
        ("webhooks:\n  - url: http://169.254.169.254/h\n", "o.yaml:2:10: webhooks[0].url: config: webhook[0] invalid URL \"http://169.254.169.254/h\": link-local address 169.254.169.254 not allowed"),
        ("webhooks:\n  - url: \"http://[fe80::1]/h\"\n", "o.yaml:2:10: webhooks[0].url: config: webhook[0] invalid URL \"http://[fe80::1]/h\": link-local address fe80::1 not allowed"),
        ("webhooks:\n  - url: https://localhost:8443/h\n", "o.yaml:2:10: webhooks[0].url: config: webhook[0] invalid URL \"https://localhost:8443/h\": host \"localhost\" resolves to 127.0.0.1: loopback address 127.0.0.1 not allowed"),
        ("webhooks:\n  - url: https://private.test/h\n", "o.yaml:2:10: webhooks[0].url: config: webhook[0] invalid URL \"https://private.test/h\": host \"private.test\" resolves to 10.0.0.7: private IP 10.0.0.7 (10.x.x.x) not allowed"),
        ("webhooks:\n  - url: ftp://hooks.invalid/h\n", "o.yaml:2:10: webhooks[0].url: config: webhook[0] invalid URL \"ftp://hooks.invalid/h\": scheme \"ftp\" not allowed, must be http or https"),
        ("webhooks:\n  - events: [agent.ready]\n", "o.yaml:2:5: webhooks[0].url: config: webhook[0] invalid URL \"\": scheme \"\" not allowed, must be http or https"),
    ])
    func webhookURLs(yaml: String, expected: String) {
        #expect(check(yaml + agent()).errors == [expected])
    }

    @Test func webhookURLsWarrenAccepts() {
        for url in ["https://hooks.invalid/x", "https://203.0.113.10/x", "http://172.32.0.1/x", "http://0.0.0.0/x", "https://010.0.0.1/x"] {
            #expect(check("webhooks:\n  - url: \(url)\n" + agent()).errors == [], "\(url)")
        }
    }

    @Test func backendURLsThatGoRefuses() {
        let cases = [
            (":foo", "parse \":foo\": missing protocol scheme"),
            ("http://a b/", "parse \"http://a b/\": invalid character \" \" in host name"),
            ("http://[::1/", "parse \"http://[::1/\": missing ']' in host"),
            ("http://h:x/", "parse \"http://h:x/\": invalid port \":x\" after host"),
            ("a:b/c:d", nil), ("foo:bar", nil), ("/relative/path", nil), ("http://[::1]:8080/", nil), ("http://user:p@ss@h/", nil),
        ]
        for (backend, why) in cases {
            let errors = check("agents:\n  a:\n    hostname: a.example.com\n    backend: \"\(backend)\"\n    policy: unmanaged\n").errors
            if let why {
                #expect(errors == ["o.yaml:4:14: agents.a.backend: config: agent \"a\" invalid backend URL: \(why)"], "\(backend)")
            } else {
                #expect(errors == [], "\(backend)")
            }
        }
    }

    @Test func hostnamesFollowRFC1123AndEmptyEntriesAreSkipped() {
        let long = String(repeating: "x", count: 64)
        #expect(check(agent(host: "\(long).example.com")).errors ==
                ["o.yaml:3:15: agents.a.hostname: config: agent \"a\" hostname \"\(long).example.com\": hostname label \"\(long)\" exceeds 63 characters"])
        #expect(check(agent(host: "-a.example.com")).errors ==
                [#"o.yaml:3:15: agents.a.hostname: config: agent "a" hostname "-a.example.com": hostname label "-a" contains invalid characters"#])
        #expect(check(agent("    hostnames: [\"\", b.example.com, \"x..y\"]\n")).errors ==
                [#"o.yaml:6:36: agents.a.hostnames[2]: config: agent "a" hostname "x..y": hostname contains empty label"#])
        // The same name as hostname and in hostnames, within one agent.
        #expect(check(agent("    hostnames: [a.example.com]\n")).errors ==
                [#"o.yaml:6:17: agents.a.hostnames[0]: config: duplicate hostname "a.example.com" (agents "a" and "a")"#])
    }

    @Test func typesOfEveryKeyWarrenReads() {
        let errors = check("""
        max_ready_agents: five
        admin_listen: [x]
        hermes: {enabled: maybe, max_reconnects: 1.5.1}
        usage: {flush_interval: 10}
        picoclaw: {max_concurrent: lots}
        ssh: yes
        """ + "\n" + agent()).errors
        #expect(errors == [
            #"o.yaml:1:19: max_ready_agents: expected a whole number, found "five""#,
            #"o.yaml:2:15: admin_listen: expected a string, found a list"#,
            #"o.yaml:3:19: hermes.enabled: expected true or false, found "maybe""#,
            #"o.yaml:3:42: hermes.max_reconnects: expected a whole number, found "1.5.1""#,
            #"o.yaml:4:25: usage.flush_interval: 10 has no unit: write a duration such as 10s or 10ms"#,
            #"o.yaml:5:28: picoclaw.max_concurrent: expected a whole number, found "lots""#,
            #"o.yaml:6:6: ssh: expected a mapping, found "yes""#,
        ])
    }

    @Test func durationsAsGoReadsThem() {
        func idle(_ value: String) -> [String] { check(agent("    idle: {drain_timeout: \(value)}\n")).errors }
        for good in ["30s", "\"1h30m\"", ".5s", "1.5h", "300ms", "2µs", "+1m", "-3s", "0s", "\"0\""] {
            #expect(idle(good) == [], "\(good)")
        }
        #expect(idle("0") == ["o.yaml:6:27: agents.a.idle.drain_timeout: 0 has no unit: write a duration such as 0s or 0ms"])
        #expect(idle("1.5") == ["o.yaml:6:27: agents.a.idle.drain_timeout: 1.5 is a number, not a duration: write one such as 30s"])
        #expect(idle("\"30\"") == [#"o.yaml:6:27: agents.a.idle.drain_timeout: "30" is not a duration (time: missing unit in duration "30"); write one such as 300ms, 30s, 5m or 1h30m"#])
        #expect(idle("9999999h") == [#"o.yaml:6:27: agents.a.idle.drain_timeout: "9999999h" is not a duration (time: invalid duration "9999999h"); write one such as 300ms, 30s, 5m or 1h30m"#])
    }

    @Test func defaultsComeBeforeValidation() throws {
        let onDemand = """
        agents:
          od:
            hostname: od.example.com
            backend: http://127.0.0.1:9
            policy: on-demand
            container: {name: svc}
            health: {url: "http://127.0.0.1:9/h"}
            idle: {timeout: 0s}
        """
        let config = try OrchestratorConfig.parse(onDemand, file: "o.yaml").get()
        #expect(config.agents[0].idle.timeout == 1800)
        #expect(check(onDemand.replacingOccurrences(of: "0s}", with: "-1s}")).errors ==
                [#"o.yaml:8:21: agents.od.idle.timeout: config: agent "od" with on-demand policy requires idle.timeout > 0"#])
    }

    @Test func whatCrashesWarrenIsAnError() {
        #expect(check("agents:\n  a:\n").errors ==
                [#"o.yaml:2:3: agents.a: agent "a" is empty (null): Warren crashes at start on it (nil pointer in applyDefaults)"#])
        #expect(check("agents: {a: ~}").errors.count == 1)
        let alwaysOn = """
        defaults: {health_check_interval: -1s}
        agents:
          ao:
            hostname: ao.example.com
            backend: http://127.0.0.1:9
            policy: always-on
            container: {name: svc}
            health: {url: "http://127.0.0.1:9/h"}
        """
        #expect(check(alwaysOn).errors ==
                ["o.yaml:1:35: agents.ao.health.check_interval: a negative check interval (-1s) makes Warren crash at start (time.NewTicker panics)"])
        #expect(check("listen: \"127.0.0.1:99999\"\n" + agent()).errors ==
                [#"o.yaml:1:9: listen: Warren cannot listen on "127.0.0.1:99999" and exits: invalid port "99999""#])
    }

    @Test func everyProblemIsReportedInOneStableOrder() {
        let yaml = """
        webhooks:
          - url: http://127.0.0.1/h
        agents:
          zed:
            hostname: bad_name
            policy: always-on
          alpha:
            hostname: a.example.com
            backend: ":foo"
            policy: sometimes
          beta:
            hostname: a.example.com
            backend: http://b
            policy: on-demand
            health: {check_interval: 5}
        """
        let first = check(yaml).errors
        #expect(first == [
            #"o.yaml:2:10: webhooks[0].url: config: webhook[0] invalid URL "http://127.0.0.1/h": loopback address 127.0.0.1 not allowed"#,
            #"o.yaml:4:3: agents.zed.backend: config: agent "zed" missing backend"#,
            #"o.yaml:4:3: agents.zed.container.name: config: agent "zed" with always-on policy requires container.name"#,
            #"o.yaml:4:3: agents.zed.health.url: config: agent "zed" with always-on policy requires health.url"#,
            #"o.yaml:5:15: agents.zed.hostname: config: agent "zed" hostname "bad_name": hostname label "bad_name" contains invalid characters"#,
            #"o.yaml:9:14: agents.alpha.backend: config: agent "alpha" invalid backend URL: parse ":foo": missing protocol scheme"#,
            #"o.yaml:10:13: agents.alpha.policy: config: agent "alpha" unknown policy "sometimes" (use always-on, on-demand or unmanaged)"#,
            #"o.yaml:11:3: agents.beta.container.name: config: agent "beta" with on-demand policy requires container.name"#,
            #"o.yaml:12:15: agents.beta.hostname: config: duplicate hostname "a.example.com" (agents "alpha" and "beta")"#,
            #"o.yaml:15:13: agents.beta.health.url: config: agent "beta" with on-demand policy requires health.url"#,
            #"o.yaml:15:30: agents.beta.health.check_interval: 5 has no unit: write a duration such as 5s or 5ms"#,
        ])
        for _ in 0..<5 { #expect(check(yaml).errors == first) }
    }

    @Test func warningsLeaveTheFileValid() throws {
        let yaml = """
        max_ready_agents: -2
        admin_listen: "127.0.0.1:notaport"
        agents:
          od:
            hostname: od.example.com
            backend: http://127.0.0.1:9
            policy: on-demand
            container: {name: svc}
            health: {url: "http://127.0.0.1:9/h", check_interval: -5s, startup_timeout: -1s}
        """
        let config = try OrchestratorConfig.parse(yaml, file: "o.yaml").get()
        #expect(config.warnings.map(\.description) == [
            "o.yaml:1:19: warning: max_ready_agents: a negative limit turns eviction off, as 0 does",
            #"o.yaml:2:15: warning: admin_listen: the admin API would not start on "127.0.0.1:notaport": unknown port "notaport""#,
            "o.yaml:9:59: warning: agents.od.health.check_interval: a negative check interval (-5s) makes Warren crash (time.NewTicker panics) when this agent becomes ready",
            "o.yaml:9:81: warning: agents.od.health.startup_timeout: a negative startup timeout means Warren gives up on every wake at once; this agent never becomes ready",
        ])
        #expect(config.agents[0].health.checkInterval == 30)  // clawtop's own probes keep a usable interval
    }

    @Test func yamlAsYamlV3ReadsIt() throws {
        // yes/on are strings in yaml.v3 (a string field keeps the word); a float truncates into an int; merges apply.
        let yaml = """
        base: &b {backend: "http://127.0.0.1:9", policy: unmanaged}
        agents:
          a:
            <<: *b
            hostname: yes
            health: {max_failures: 2.9}
        ---
        not: [read
        """
        let config = try OrchestratorConfig.parse(yaml, file: "o.yaml").get()
        #expect(config.agents[0].hostname == "yes")
        #expect(config.agents[0].health.maxFailures == 2)
        #expect(config.agents[0].backend == "http://127.0.0.1:9")
        #expect(check("agents: !!str five").errors == [#"o.yaml:1:9: agents: expected a mapping of agent names to agents, found "five""#])
        #expect(check("max_ready_agents: !!int five\n" + agent()).errors == ["o.yaml:1:19: max_ready_agents: cannot decode !!str `five` as a !!int"])
        #expect(check("agents:\n  a: {hostname: x}\n  a: {hostname: y}\n").errors.first?.contains("defined more than once") == true)
    }
}
