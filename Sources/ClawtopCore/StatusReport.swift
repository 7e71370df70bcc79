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
    /// Why each agent named above is so ("out of memory (limit 16 MiB); probe: refused"), where something says.
    public var reasons: [String: String]?
    /// The exit status of `snapshot` and `status` (this is the one place it is decided): 1 when an agent is failing,
    /// unhealthy or missing, or its service has a task that cannot be placed; else 0.
    public var exitStatus: Int32

    /// From the agent rows in the table's order (`FleetState.agentRows`).
    public init(rows: [AgentRow], endpoint: String, now: Date) {
        generatedAt = now
        self.endpoint = sanitize(endpoint)
        let states = rows.map(Self.counted)
        func names(_ state: HealthState) -> [String] { zip(rows, states).filter { $0.1 == state }.map { sanitize($0.0.agent.name) } }
        func count(_ state: HealthState) -> Int { states.filter { $0 == state }.count }
        unhealthy = names(.unhealthy)
        missing = names(.missing)
        failing = names(.failing)
        starting = count(.starting)
        healthy = count(.healthy)
        asleep = count(.asleep)
        unknown = count(.unknown)
        exitStatus = unhealthy.isEmpty && missing.isEmpty && failing.isEmpty ? 0 : 1
        let named = zip(rows, states).filter { [.unhealthy, .missing, .failing].contains($0.1) }
        reasons = Dictionary(named.compactMap { row, _ in row.lastError.map { (sanitize(row.agent.name), sanitize($0)) } },
                             uniquingKeysWith: { a, _ in a })
    }

    /// The state a row is counted in, here and in the console's header: its health, except that a service with a
    /// task that cannot be placed is unhealthy whatever its replicas say (a missing or sleeping agent stays so).
    public static func counted(_ row: AgentRow) -> HealthState {
        row.summary?.condition == .pending && row.health != .missing && row.health != .asleep ? .unhealthy : row.health
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
