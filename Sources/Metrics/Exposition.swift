import ClawtopCore
import Foundation

/// The fleet in Prometheus' text format (or OpenMetrics'), for a scrape: what `record` knows and no exporter does,
/// from the state it holds (a scrape asks Docker nothing). Labels take bounded values only (swarm, agent, stack,
/// node, state, result); a reason's text is never one. Pure.
public struct Exposition: Sendable {
    /// Every series carries the swarm's name, which tells one recorder from another.
    public var swarm: String
    public var version: String
    /// OpenMetrics 1.0 (`application/openmetrics-text`), else Prometheus' text format 0.0.4.
    public var openMetrics: Bool

    public init(swarm: String, version: String, openMetrics: Bool = false) {
        self.swarm = swarm
        self.version = version
        self.openMetrics = openMetrics
    }

    public var contentType: String {
        openMetrics ? "application/openmetrics-text; version=1.0.0; charset=utf-8" : "text/plain; version=0.0.4; charset=utf-8"
    }

    public func render(_ fleet: FleetState, rows: [AgentRow]) -> String {
        var out = Writer(openMetrics: openMetrics, swarm: swarm)
        out.family("clawtop_recorder", .info, "The recorder: its version and the swarm it watches.")
        out.sample("clawtop_recorder_info", ["version": version], 1)

        let agents = rows.sorted { $0.agent.name < $1.agent.name }
        func labels(_ row: AgentRow) -> [String: String] {
            ["agent": row.agent.name, "stack": row.summary?.service.stack ?? ""]
        }
        out.family("clawtop_agent_state", .gauge,
                   "The agent's state (1 for the one it is in): its health by Warren's rules, crash-looping when its tasks keep failing.")
        for row in agents {
            let state = TimelineState(row)
            for s in TimelineState.allCases { out.sample("clawtop_agent_state", labels(row).merging(["state": s.rawValue]) { $1 }, s == state ? 1 : 0) }
        }
        out.family("clawtop_agent_failures_in_a_row", .gauge, "The agent's probes that failed since the last that passed.")
        for row in agents {
            let streak = row.history.streak
            out.sample("clawtop_agent_failures_in_a_row", labels(row), streak.map { $0.ok ? 0 : Double($0.count) } ?? 0)
        }
        out.family("clawtop_agent_probes", .counter, "The agent's probes since the recorder started, by what they came to.")
        for row in agents {
            let totals = fleet.probeTotals[row.agent.name] ?? ProbeTotals()
            for result in ProbeTotals.Result.allCases {
                out.sample("clawtop_agent_probes_total", labels(row).merging(["result": result.rawValue]) { $1 },
                           Double(totals.byResult[result] ?? 0))
            }
        }
        out.family("clawtop_agent_probe_duration_seconds", .histogram, "How long the agent's probes took to be answered.")
        for row in agents {
            let totals = fleet.probeTotals[row.agent.name] ?? ProbeTotals()
            var cumulative = 0
            for (i, bound) in ProbeTotals.latencyBounds.enumerated() {
                cumulative += totals.buckets[i]
                out.sample("clawtop_agent_probe_duration_seconds_bucket", labels(row).merging(["le": Writer.number(bound)]) { $1 },
                           Double(cumulative))
            }
            out.sample("clawtop_agent_probe_duration_seconds_bucket", labels(row).merging(["le": "+Inf"]) { $1 }, Double(totals.latencyCount))
            out.sample("clawtop_agent_probe_duration_seconds_sum", labels(row), totals.latencySum)
            out.sample("clawtop_agent_probe_duration_seconds_count", labels(row), Double(totals.latencyCount))
        }
        let served = agents.compactMap { row in row.summary.map { (row, $0) } }
        out.family("clawtop_agent_replicas_running", .gauge, "The agent's service's tasks running.")
        for (row, s) in served { out.sample("clawtop_agent_replicas_running", labels(row), Double(s.service.running)) }
        out.family("clawtop_agent_replicas_desired", .gauge, "The tasks the agent's service should run.")
        for (row, s) in served { out.sample("clawtop_agent_replicas_desired", labels(row), Double(s.service.desired)) }
        out.family("clawtop_agent_restarts", .counter, "Tasks of the agent's service that ended and were replaced, from its task history.")
        for (row, _) in served { out.sample("clawtop_agent_restarts_total", labels(row), Double(row.restarts)) }
        out.family("clawtop_agent_oom_kills", .counter, "The agent's containers the kernel killed for memory since the recorder started.")
        for (row, s) in served { out.sample("clawtop_agent_oom_kills_total", labels(row), Double(fleet.oomKillTotals[s.service.name] ?? 0)) }

        let used = served.compactMap { row, s in s.usage.map { (row, $0) } }.filter { $0.1.replicas > 0 }
        out.family("clawtop_agent_cpu_cores", .gauge, "Cores the agent's running replicas use (1 is one core busy).")
        for (row, u) in used { if let cores = u.cores { out.sample("clawtop_agent_cpu_cores", labels(row), cores) } }
        out.family("clawtop_agent_cpu_limit_cores", .gauge, "The CPU limit of the agent's replicas read, together.")
        for (row, u) in used { if let limit = u.coreLimit { out.sample("clawtop_agent_cpu_limit_cores", labels(row), limit) } }
        out.family("clawtop_agent_memory_bytes", .gauge, "The working set of the agent's running replicas (usage less inactive page cache).")
        for (row, u) in used { out.sample("clawtop_agent_memory_bytes", labels(row), Double(u.memory)) }
        out.family("clawtop_agent_memory_limit_bytes", .gauge, "The memory limit of the agent's replicas read, together.")
        for (row, u) in used { if let limit = u.memoryLimit { out.sample("clawtop_agent_memory_limit_bytes", labels(row), Double(limit)) } }

        let nodes = fleet.nodes.sorted { $0.hostname < $1.hostname }
        out.family("clawtop_node_state", .gauge, "The node's state as the manager sees it (1 for the one it is in).")
        for node in nodes {
            for state in ["ready", "down", "unknown", "disconnected"] {
                out.sample("clawtop_node_state", ["node": node.hostname, "state": state], node.state == state ? 1 : 0)
            }
        }
        out.family("clawtop_node_availability", .gauge, "Whether the scheduler may place tasks on the node (1 for its availability).")
        for node in nodes {
            for availability in ["active", "pause", "drain"] {
                out.sample("clawtop_node_availability", ["node": node.hostname, "availability": availability],
                           node.availability == availability ? 1 : 0)
            }
        }
        if let warren = fleet.warren {
            out.family("clawtop_warren_link", .gauge, "How the recorder stands with Warren's admin API (1 for the state it is in).")
            for state in ["connecting", "live", "unreachable", "unauthorized", "not-warren"] {
                out.sample("clawtop_warren_link", ["state": state], warren.link.word == state ? 1 : 0)
            }
        }
        return out.finish()
    }
}

/// Writes families and samples in either format.
struct Writer {
    enum Kind: String { case gauge, counter, histogram, info }

    let openMetrics: Bool
    let swarm: String
    var text = ""

    mutating func family(_ name: String, _ kind: Kind, _ help: String) {
        // Prometheus' format names a counter by its samples (`…_total`) and has no info type.
        let name = !openMetrics && kind == .counter ? name + "_total" : !openMetrics && kind == .info ? name + "_info" : name
        let type = !openMetrics && kind == .info ? "gauge" : kind.rawValue
        text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
    }

    mutating func sample(_ name: String, _ labels: [String: String], _ value: Double) {
        let all = labels.merging(["swarm": swarm]) { $1 }
        let pairs = all.sorted { $0.key < $1.key }.map { "\($0.key)=\"\(Self.escape($0.value))\"" }
        text += name + "{" + pairs.joined(separator: ",") + "} " + Self.number(value) + "\n"
    }

    func finish() -> String { openMetrics ? text + "# EOF\n" : text }

    /// A label value as both formats quote it: backslash, double quote and line feed escaped.
    static func escape(_ value: String) -> String {
        var out = ""
        for c in value.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// `3`, `0.25`, `1e-05`: integers without a fraction, the rest as Swift prints them.
    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}
