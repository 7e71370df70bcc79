import Foundation

/// The fleet in a few words, for a tmux status bar, a shell prompt or a monitoring check (`clawtop status`): how many
/// agents are in each state, and the names of those that need looking at, the most urgent first.
public struct StatusReport: Codable, Sendable, Equatable {
    public var generatedAt: Date
    public var endpoint: String
    /// Agents unhealthy, or whose service has a task that cannot be placed.
    public var unhealthy: [String]
    public var missing: [String]
    public var failing: [String]
    public var starting: Int
    public var healthy: Int
    public var asleep: Int
    public var unknown: Int
    /// The exit status of `snapshot` and `status` (this is the one place it is decided): 1 when an agent is failing,
    /// unhealthy or missing, or its service has a task that cannot be placed; else 0.
    public var exitStatus: Int32

    /// From the agent rows in the table's order (`FleetState.agentRows`).
    public init(rows: [AgentRow], endpoint: String, now: Date) {
        generatedAt = now
        self.endpoint = sanitize(endpoint)
        func names(_ match: (AgentRow) -> Bool) -> [String] { rows.filter(match).map { sanitize($0.agent.name) } }
        let pending = { (row: AgentRow) in row.summary?.condition == .pending }
        unhealthy = names { $0.health == .unhealthy || ($0.health != .missing && pending($0)) }
        missing = names { $0.health == .missing }
        failing = names { $0.health == .failing && !pending($0) }
        starting = rows.filter { $0.health == .starting && !pending($0) }.count
        healthy = rows.filter { $0.health == .healthy && !pending($0) }.count
        asleep = rows.filter { $0.health == .asleep }.count
        unknown = rows.filter { $0.health == .unknown && !pending($0) }.count
        exitStatus = unhealthy.isEmpty && missing.isEmpty && failing.isEmpty ? 0 : 1
    }

    /// A report as `json()` wrote it.
    public init?(json: Data) {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        guard let report = try? decoder.decode(StatusReport.self, from: json) else { return nil }
        self = report
    }

    public func json() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return (try? encoder.encode(self)) ?? Data("{}".utf8)
    }
}
