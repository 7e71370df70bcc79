import ClawtopCore
import Foundation
@testable import Metrics
import Testing

/// The fleet as a scrape reads it: the families and samples of each agent and node, in Prometheus' text format and
/// OpenMetrics'. (The end-to-end suite runs `promtool check metrics` on a real recorder's scrape.)
struct ExpositionTests {
    let t0 = Date(timeIntervalSince1970: 1_795_545_600)

    /// An agent `billing` (stack `openclaw`, 1 of 1 running, probed twice: one answer in 20 ms, one refused) with a
    /// name that needs escaping beside it, and two nodes.
    func fleet() -> (FleetState, [AgentRow]) {
        var state = FleetState(endpoint: "test", setup: AgentSetup(showAll: true, healthURLs: ["billing": "http://127.0.0.1:1/"]))
        func service(_ name: String) -> ServiceInfo {
            ServiceInfo(id: "id-\(name)", name: name, image: "busybox", mode: .replicated, desired: 1, running: 1, createdAt: t0,
                        labels: ["com.docker.stack.namespace": "openclaw"], spec: ServiceSpecSummary())
        }
        let nodes = [NodeInfo(id: "n1", hostname: "mgr1", role: "manager", state: "ready"),
                     NodeInfo(id: "n2", hostname: "wk1", role: "worker", state: "down")]
        reduce(&state, .docker(.snapshot(nodes: nodes, services: [service("billing"), service("odd\"name\\x")], tasks: [
            TaskInfo(id: "t1", serviceID: "id-billing", slot: 1, nodeID: "n1", state: "running", desiredState: "running", timestamp: t0),
        ], at: t0)))
        reduce(&state, .probe(agent: "billing", url: "http://127.0.0.1:1/", sample: HealthSample(time: t0, ok: true, latency: 0.02, status: 200)))
        reduce(&state, .probe(agent: "billing", url: "http://127.0.0.1:1/",
                              sample: HealthSample(time: t0 + 10, ok: false, latency: nil, status: nil, reason: "refused")))
        return (state, state.agentRows(now: t0 + 11))
    }

    func lines(_ text: String, _ prefix: String) -> [String] {
        text.split(separator: "\n").map(String.init).filter { $0.hasPrefix(prefix) }
    }

    @Test func eachAgentsStateProbesAndReplicas() {
        let (state, rows) = fleet()
        let text = Exposition(swarm: "prod", version: "1.2.3").render(state, rows: rows)
        let labels = #"agent="billing",stack="openclaw",swarm="prod""#
        #expect(text.contains("clawtop_recorder_info{swarm=\"prod\",version=\"1.2.3\"} 1\n"))
        #expect(text.contains("# TYPE clawtop_agent_probes_total counter\n"))
        #expect(text.contains("clawtop_agent_probes_total{agent=\"billing\",result=\"ok\",stack=\"openclaw\",swarm=\"prod\"} 1\n"))
        #expect(text.contains("clawtop_agent_probes_total{agent=\"billing\",result=\"refused\",stack=\"openclaw\",swarm=\"prod\"} 1\n"))
        #expect(text.contains("clawtop_agent_probes_total{agent=\"billing\",result=\"timeout\",stack=\"openclaw\",swarm=\"prod\"} 0\n"))
        // One answer, in the bucket of 25 ms and every one above it.
        #expect(text.contains("clawtop_agent_probe_duration_seconds_bucket{agent=\"billing\",le=\"0.01\",stack=\"openclaw\",swarm=\"prod\"} 0\n"))
        #expect(text.contains("clawtop_agent_probe_duration_seconds_bucket{agent=\"billing\",le=\"0.025\",stack=\"openclaw\",swarm=\"prod\"} 1\n"))
        #expect(text.contains("clawtop_agent_probe_duration_seconds_bucket{agent=\"billing\",le=\"+Inf\",stack=\"openclaw\",swarm=\"prod\"} 1\n"))
        #expect(text.contains("clawtop_agent_probe_duration_seconds_count{\(labels)} 1\n"))
        #expect(text.contains("clawtop_agent_failures_in_a_row{\(labels)} 1\n"))
        #expect(text.contains("clawtop_agent_state{agent=\"billing\",stack=\"openclaw\",state=\"failing\",swarm=\"prod\"} 1\n"), "\(text)")
        #expect(lines(text, "clawtop_agent_state{agent=\"billing\"").filter { $0.hasSuffix(" 1") }.count == 1, "one state at a time")
        #expect(text.contains("clawtop_agent_replicas_running{\(labels)} 1\n") && text.contains("clawtop_agent_replicas_desired{\(labels)} 1\n"))
        #expect(text.contains("clawtop_agent_oom_kills_total{\(labels)} 0\n") && text.contains("clawtop_agent_restarts_total{\(labels)} 0\n"))
        #expect(text.contains("clawtop_node_state{node=\"wk1\",state=\"down\",swarm=\"prod\"} 1\n"))
        #expect(text.contains("clawtop_node_availability{availability=\"active\",node=\"mgr1\",swarm=\"prod\"} 1\n"))
        #expect(!text.contains("clawtop_warren_link"), "no Warren named, no series")
        #expect(!text.contains("refused\"".replacingOccurrences(of: "refused", with: "reason")), "no reason as a label")
    }

    @Test func aNameIsEscapedAndEveryFamilyIsDeclaredOnce() {
        let (state, rows) = fleet()
        let text = Exposition(swarm: "a\"b", version: "1").render(state, rows: rows)
        #expect(text.contains(#"agent="odd\"name\\x""#) && text.contains(#"swarm="a\"b""#))
        let types = lines(text, "# TYPE ").map { $0.split(separator: " ")[2] }
        #expect(types.count == Set(types).count)
        // Every sample belongs to the family declared last before it.
        var family = ""
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") { family = String(line.split(separator: " ")[2]) } else if !line.hasPrefix("#") {
                #expect(line.hasPrefix(family), "\(line) under \(family)")
            }
        }
    }

    @Test func openMetricsNamesCountersByFamilyAndEnds() {
        let (state, rows) = fleet()
        let text = Exposition(swarm: "prod", version: "1", openMetrics: true).render(state, rows: rows)
        #expect(text.contains("# TYPE clawtop_agent_probes counter\n") && text.contains("clawtop_agent_probes_total{"))
        #expect(text.contains("# TYPE clawtop_recorder info\n") && text.contains("clawtop_recorder_info{"))
        #expect(text.hasSuffix("# EOF\n"))
    }

    @Test func aScrapeAsksForItsFormat() {
        let prometheus = "GET /metrics?x=1 HTTP/1.1\r\nHost: a\r\nAccept: application/openmetrics-text;version=1.0.0,text/plain;q=0.5\r\n\r\n"
        let request = MetricsRequest(head: prometheus)
        #expect(request.method == "GET" && request.path == "/metrics" && request.wantsOpenMetrics)
        #expect(!MetricsRequest(head: "GET /metrics HTTP/1.1\r\nAccept: */*\r\n\r\n").wantsOpenMetrics)
    }

    @Test func whereToListen() throws {
        #expect(try MetricsListener.split("9464") == ("127.0.0.1", 9464))
        #expect(try MetricsListener.split("0.0.0.0:9100") == ("0.0.0.0", 9100))
        #expect(try MetricsListener.split("[::1]:9100") == ("::1", 9100))
        for bad in ["", "x", ":9464", "host:0", "1.2.3.4:99999"] {
            #expect(MetricsListener.problem(with: bad)?.hasPrefix("--metrics-listen takes") == true, "\(bad)")
        }
    }
}
