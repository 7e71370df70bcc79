import ClawtopCore
import Foundation

/// Every action taken, one JSON object per line, in `$XDG_STATE_HOME/clawtop/actions.log`
/// (`~/.local/state/clawtop/actions.log` by default): time, user, endpoint, action, the path it took (`docker`, or
/// `warren` for a wake or sleep asked of Warren), agent and service (or node, for a node's availability), before, after,
/// whether it worked and the message.
public struct ActionLog: Sendable {
    let path: String
    let endpoint: String

    public init(endpoint: String, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.endpoint = endpoint
        path = Self.defaultPath(environment: environment)
    }

    static func defaultPath(environment: [String: String]) -> String {
        let state = environment["XDG_STATE_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.local/state"
        return state + "/clawtop/actions.log"
    }

    /// Appends one line; returns why it could not, if it could not.
    func append(_ outcome: ActionOutcome, before: String, after: String) -> String? {
        let r = outcome.request
        var entry: [String: Any] = [
            "action": r.verb.rawValue,
            "path": r.route.rawValue,
            "before": before,
            "after": after,
            "ok": outcome.ok,
            "message": outcome.message,
        ]
        switch r.target {
        case .service(let agent, let name, _):
            entry["agent"] = agent
            entry["service"] = name
        case .node(let hostname, _):
            entry["node"] = hostname
        }
        return append(entry, at: outcome.at)
    }

    /// Appends `entry` with the time, the user and the endpoint; returns why it could not, if it could not.
    func append(_ fields: [String: Any], at time: Date) -> String? {
        var entry = fields
        entry["time"] = ISO8601DateFormatter().string(from: time)
        entry["user"] = ProcessInfo.processInfo.environment["USER"] ?? String(getuid())
        entry["endpoint"] = endpoint
        guard var line = try? JSONSerialization.data(withJSONObject: entry, options: [.sortedKeys]) else { return "cannot encode" }
        line.append(0x0A)
        let directory = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            return "cannot create \(directory)"
        }
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o600)
        guard fd >= 0 else { return "cannot open \(path): \(String(cString: strerror(errno)))" }
        defer { close(fd) }
        let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        return written == line.count ? nil : "cannot write \(path)"
    }
}
