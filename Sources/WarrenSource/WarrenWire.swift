import ClawtopCore
import Foundation

/// Warren's admin API payloads in the model's terms (`internal/admin/admin.go`, `internal/events/events.go`).
enum WarrenWire {
    /// `GET /admin/agents`: a JSON array of agent rows; nil when the body is not one.
    static func agents(_ body: [UInt8]) -> [WarrenAgent]? {
        guard let rows = try? JSONSerialization.jsonObject(with: Data(body)) as? [Any] else { return nil }
        return rows.compactMap { ($0 as? [String: Any]).flatMap(agent) }
    }

    static func agent(_ row: [String: Any]) -> WarrenAgent? {
        guard let name = row["name"] as? String, !name.isEmpty else { return nil }
        func text(_ key: String) -> String? { (row[key] as? String).flatMap { $0.isEmpty ? nil : $0 } }
        return WarrenAgent(name: name, hostname: text("hostname") ?? "", policy: text("policy") ?? "",
                           backend: text("backend") ?? "", containerName: text("container_name"),
                           healthURL: text("health_url"), idleTimeout: text("idle_timeout"),
                           type: text("type") ?? "container", state: text("state") ?? "unknown",
                           connections: (row["connections"] as? NSNumber)?.intValue ?? 0, runtime: text("runtime"),
                           taskID: text("task_id"), sessionID: text("session_id"))
    }

    /// `GET /admin/health`; nil when the body is not Warren's (`status` "ok" and `uptime_seconds`).
    static func status(_ body: [UInt8]) -> WarrenStatus? {
        guard let o = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any], o["status"] as? String == "ok",
              let uptime = (o["uptime_seconds"] as? NSNumber)?.doubleValue else { return nil }
        func count(_ key: String) -> Int { (o[key] as? NSNumber)?.intValue ?? 0 }
        return WarrenStatus(uptime: uptime, agents: count("agent_count"), ready: count("ready_count"),
                            sleeping: count("sleeping_count"), webSockets: count("ws_connections"))
    }

    /// One `data:` line of the event stream: `{"type","agent","timestamp","fields"}`.
    static func event(_ data: String, now: Date) -> WarrenEvent? {
        guard let o = try? JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any],
              let type = o["type"] as? String else { return nil }
        let fields = (o["fields"] as? [String: Any] ?? [:]).compactMapValues { $0 as? String }
        return WarrenEvent(type: type, agent: o["agent"] as? String ?? "", time: (o["timestamp"] as? String).flatMap(date) ?? now,
                           fields: fields)
    }

    /// Go's RFC 3339 with up to nine fractional digits and the server's offset: `2026-11-30T01:02:03.123456789+01:00`.
    static func date(_ text: String) -> Date? {
        var t = text
        if let dot = t.firstIndex(of: "."), let end = t[dot...].firstIndex(where: { !$0.isNumber && $0 != "." }) {
            let digits = t[t.index(after: dot)..<end]
            t.replaceSubrange(t.index(after: dot)..<end, with: String((digits + "000").prefix(3)))
        }
        let f = ISO8601DateFormatter()
        f.formatOptions = t.contains(".") ? [.withInternetDateTime, .withFractionalSeconds] : [.withInternetDateTime]
        return f.date(from: t)
    }
}
